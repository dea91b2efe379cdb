"""WCR bootstrap against wildboottest 0.3.2, a brute-force loop, invariances, and simulated size.

References
    * ``wildboottest`` 0.3.2 (``WildboottestCL``, bootstrap type "11", null imposed):
      with the same weight matrix injected, its bootstrap t's must equal ours to 1e-10;
      with its own draws, the p-values must agree to Monte-Carlo error,
      |p1 − p2| <= 3·sqrt(2·p̄(1 − p̄)/B) + 2/B with B = 9,999 each (two independent
      estimates; 2/B for the ties at v = ±1, which wildboottest counts by rounding).
    * A brute-force O(N) loop written here: for every weight vector build
      y* = Xβ̃ + ũ·v_g, refit OLS, compute the CRV1 t; exact enumeration (G = 6).
    * Simulated few-cluster data under H0 (size).
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
from _panelsim import grunfeld10, within

from tfp_talent.errors import InputError
from tfp_talent.estimators.panel import fit_panel
from tfp_talent.estimators.wild_bootstrap import (
    _weight_values,
    draw_weights,
    wild_bootstrap_fe,
    wild_cluster_bootstrap,
)

B = 9999


def province_panel(
    seed: int = 7, n_entities: int = 31, n_periods: int = 17, beta: float = 0.06
) -> pd.DataFrame:
    """31 × 17 = 527 province-years: y = beta·x1 − 0.3·x2 + a_i + l_t + e, x1 and e cluster-correlated."""
    rng = np.random.default_rng(seed)
    ent = np.repeat(np.arange(n_entities), n_periods)
    per = np.tile(np.arange(2003, 2003 + n_periods), n_entities)
    a = rng.normal(size=n_entities)[ent]
    lam = rng.normal(size=n_periods)[per - 2003]
    x1 = rng.normal(size=ent.size) + a + rng.normal(size=n_entities)[ent] * rng.normal(size=ent.size)
    x2 = rng.normal(size=ent.size) + lam
    e = rng.normal(size=ent.size) + 0.8 * rng.normal(size=n_entities)[ent] * x1
    y = beta * x1 - 0.3 * x2 + a + lam + e
    return pd.DataFrame({"prov": ent, "year": per, "y": y, "x1": x1, "x2": x2})


def _wildboottest(X, y, cl, R, weights, v=None, seed=11):
    from wildboottest.wildboottest import WildboottestCL

    codes = pd.factorize(cl, sort=True)[0]  # its numba kernel needs numeric cluster ids; same sorted order
    wb = WildboottestCL(X=X, Y=y, cluster=codes, R=R, B=B, seed=seed, parallel=False)
    wb.get_scores(bootstrap_type="11", impose_null=True)
    if v is None:
        wb.get_weights(weights_type=weights)
    else:
        wb.v, wb.B = v, v.shape[1]
    wb.get_numer()
    wb.get_denom()
    wb.get_tboot()
    wb.get_vcov()
    wb.get_tstat()
    wb.get_pvalue(pval_type="two-tailed")
    return wb


def _within_design(d, cols, entity, time):
    dm = within(d, cols, entity=entity, time=time)
    return dm[:, 0], dm[:, 1:]


@pytest.fixture(scope="module")
def province():
    d = province_panel()
    y, X = _within_design(d, ["y", "x1", "x2"], "prov", "year")
    return d, y, X, d["prov"].to_numpy()


@pytest.fixture(scope="module")
def grunfeld():
    d = grunfeld10()
    y, X = _within_design(d, ["invest", "value", "capital"], "firm", "year")
    return d, y, X, d["firm"].to_numpy()


def test_same_weights_as_wildboottest(province):
    """Webb weights drawn here, injected into wildboottest: identical t, t* and p."""
    _, y, X, cl = province
    R = np.array([1.0, 0.0])
    ours = wild_cluster_bootstrap(y, X, cl, R, seed=5, reps=B, weights="webb")
    codes, _ = draw_weights(31, B, "webb", 5)
    wb = _wildboottest(X, y, cl, R, "webb", v=_weight_values(codes, "webb").T)
    assert ours.t_stat == pytest.approx(float(wb.t_stat), abs=1e-10)
    np.testing.assert_allclose(ours.t_boot, wb.t_boot, rtol=0, atol=1e-10)
    assert ours.p_value == pytest.approx(float(wb.pvalue), abs=1e-12)


@pytest.mark.parametrize("weights", ["rademacher", "webb"])
@pytest.mark.parametrize("dataset", ["province", "grunfeld"])
def test_p_value_agrees_with_wildboottest_draws(dataset, weights, request):
    """Grunfeld: H0 β_value = b̂ + 2·se (p away from 0), as y − r·value for wildboottest (r = 0 only)."""
    _d, y, X, cl = request.getfixturevalue(dataset)
    R = np.array([1.0, 0.0])
    r = 0.0
    if dataset == "grunfeld":
        first = wild_cluster_bootstrap(y, X, cl, R, seed=0, reps=9, conf_int=False)
        r = first.estimate + 2.0 * first.std_error
    ours = wild_cluster_bootstrap(y, X, cl, R, r, seed=123, reps=B, weights=weights, conf_int=False)
    wb = _wildboottest(X, y - r * X[:, 0], cl, R, weights, seed=321)
    p1, p2 = ours.p_value, float(wb.pvalue)
    pbar = 0.5 * (p1 + p2)
    assert 0.01 < pbar < 0.99, "choose data with a p-value away from 0 and 1"
    assert abs(p1 - p2) <= 3 * math.sqrt(2 * pbar * (1 - pbar) / B) + 2 / B
    assert ours.t_stat == pytest.approx(float(wb.t_stat), rel=1e-10)
    if dataset == "grunfeld" and weights == "rademacher":
        assert ours.enumerated and ours.reps == 2**10


def _crv1_t(X, y, codes, R, r, G):
    n, k = X.shape
    xx_inv = np.linalg.inv(X.T @ X)
    b = xx_inv @ X.T @ y
    u = y - X @ b
    meat = np.zeros((k, k))
    for g in range(G):
        s = X[codes == g].T @ u[codes == g]
        meat += np.outer(s, s)
    v = xx_inv @ meat @ xx_inv * G / (G - 1) * (n - 1) / (n - k)
    return (R @ b - r) / math.sqrt(R @ v @ R)


@pytest.mark.parametrize(("R", "r"), [(np.array([0.0, 1.0, 0.0]), 0.0), (np.array([0.0, 1.0, -1.0]), 0.3)])
def test_exact_enumeration_matches_brute_force(R, r):
    """G = 6, 2^6 = 64 <= reps: all sign vectors; each replication refitted by OLS in a loop."""
    rng = np.random.default_rng(3)
    G = 6
    codes = np.repeat(np.arange(G), [8, 12, 15, 20, 25, 40])
    n = codes.size
    X = np.column_stack([np.ones(n), rng.normal(size=n) + rng.normal(size=G)[codes], rng.normal(size=n)])
    y = X @ np.array([1.0, 0.2, 0.1]) + rng.normal(size=n) * (1 + rng.random(G)[codes])
    res = wild_cluster_bootstrap(y, X, codes, R, r, seed=0, reps=999)
    assert res.enumerated and res.reps == 64

    xx_inv = np.linalg.inv(X.T @ X)
    b = xx_inv @ X.T @ y
    b_tilde = b - xx_inv @ R * (R @ b - r) / (R @ xx_inv @ R)
    u_tilde = y - X @ b_tilde
    t = _crv1_t(X, y, codes, R, r, G)
    t_boot = np.array(
        [
            _crv1_t(X, X @ b_tilde + u_tilde * np.array(v)[codes], codes, R, r, G)
            for v in itertools.product([-1, 1], repeat=G)
        ]
    )
    assert res.t_stat == pytest.approx(t, rel=1e-10)
    np.testing.assert_allclose(np.sort(res.t_boot), np.sort(t_boot), rtol=1e-9, atol=1e-12)
    tol = 1e-8 * abs(t)
    expected = {
        "symmetric": np.mean(np.abs(t_boot) > abs(t) + tol),
        "equal-tail": 2 * min(np.mean(t_boot < t - tol), np.mean(t_boot > t + tol)),
        "lower": np.mean(t_boot < t - tol),
        "upper": np.mean(t_boot > t + tol),
    }
    for p_type, p in expected.items():
        got = wild_cluster_bootstrap(y, X, codes, R, r, seed=0, reps=999, p_type=p_type, conf_int=False)
        assert got.p_value == pytest.approx(p, abs=1e-12), p_type


def test_invariant_to_row_order_and_order_preserving_relabelling(province):
    _, y, X, cl = province
    R = np.array([1.0, 0.0])
    base = wild_cluster_bootstrap(y, X, cl, R, seed=9, reps=1999, weights="webb")
    perm = np.random.default_rng(0).permutation(y.size)
    shuffled = wild_cluster_bootstrap(y[perm], X[perm], cl[perm], R, seed=9, reps=1999, weights="webb")
    labels = np.array([f"province-{c:03d}" for c in cl])  # sorts like the integer codes
    relabelled = wild_cluster_bootstrap(y, X, labels, R, seed=9, reps=1999, weights="webb")
    for other in (shuffled, relabelled):
        assert other.p_value == base.p_value
        assert other.t_stat == pytest.approx(base.t_stat, rel=1e-12)
        np.testing.assert_allclose(other.conf_int, base.conf_int, rtol=1e-9)
        np.testing.assert_allclose(other.t_boot, base.t_boot, rtol=1e-9, atol=1e-12)


def test_wrapper_invariant_to_row_order_and_matches_fit_panel_t():
    d = province_panel()
    kw = {"entity": "prov", "time": "year", "param": "x1", "seed": 4, "reps": 999, "weights": "webb"}
    res = wild_bootstrap_fe(d, "y", ["x1", "x2"], **kw)
    shuffled = wild_bootstrap_fe(d.sample(frac=1.0, random_state=1), "y", ["x1", "x2"], **kw)
    assert shuffled.p_value == res.p_value
    assert shuffled.t_stat == pytest.approx(res.t_stat, rel=1e-9)
    fit = fit_panel(
        d, "y", ["x1", "x2"], entity="prov", time="year", model="fe", effects="twoway", cov="clustered"
    )
    assert res.t_stat == pytest.approx(float(fit.tstats["x1"]), rel=1e-8)
    assert res.estimate == pytest.approx(float(fit.params["x1"]), rel=1e-9)
    combo = wild_bootstrap_fe(d, "y", ["x1", "x2"], **{**kw, "param": {"x1": 1.0, "x2": 1.0}}, r=-0.2)
    assert combo.estimate == pytest.approx(float(fit.params["x1"] + fit.params["x2"]), rel=1e-9)


@pytest.mark.parametrize("p_type", ["symmetric", "equal-tail", "upper", "lower"])
def test_confidence_set_endpoints_are_where_p_crosses_alpha(province, p_type):
    """p(r) is a step function: just inside an endpoint p > alpha, just outside p < alpha (1e-6 · se)."""
    _, y, X, cl = province
    R = np.array([1.0, 0.0])
    kw = {"seed": 21, "reps": B, "weights": "webb", "p_type": p_type}
    res = wild_cluster_bootstrap(y, X, cl, R, **kw)
    lo, hi = res.conf_int
    assert lo < res.estimate < hi
    delta = 1e-6 * res.std_error
    alpha = 1 - res.level

    def p(r):
        return wild_cluster_bootstrap(y, X, cl, R, r, conf_int=False, **kw).p_value

    for end, inward in ((lo, 1.0), (hi, -1.0)):
        if math.isinf(end):
            continue
        assert p(end + inward * delta) > alpha > p(end - inward * delta)
    assert math.isinf(lo) == (p_type == "lower") and math.isinf(hi) == (p_type == "upper")
    assert json.loads(json.dumps(res.to_dict()))["conf_int"] == [
        res.to_dict()["conf_int"][0],
        res.to_dict()["conf_int"][1],
    ]
    if p_type == "symmetric":  # the bootstrap interval is of the order of the CRV1 one
        assert 0.5 < (hi - lo) / (2 * 2.042 * res.std_error) < 2.0


def test_size_with_ten_clusters_and_crv1_over_rejection():
    """300 simulations under H0: G = 10 clusters of 5 to 55 rows, cluster-level regressor and error.

    WCR (Webb weights, B = 399) rejects at 5 % within [0.02, 0.09]; the CRV1 t-test with t(G−1)
    critical values rejects more often (MacKinnon & Webb 2017: few, unequal clusters). With
    this design the WCR rate was 0.037-0.060 and CRV1 0.10-0.11 over four seeds (binomial
    s.e. of a rate of 0.05 over 300 draws: 0.013).
    """
    from scipy import stats

    rng = np.random.default_rng(2024)
    G = 10
    codes = np.repeat(np.arange(G), [5, 8, 10, 12, 15, 20, 25, 30, 40, 55])
    n = codes.size
    crit = stats.t.ppf(0.975, G - 1)
    rej_boot = rej_crv1 = 0
    n_sim = 300
    for s in range(n_sim):
        x = rng.normal(size=G)[codes] + rng.normal(size=n)
        y = 1.0 + rng.normal(size=G)[codes] + rng.normal(size=n)
        X = np.column_stack([np.ones(n), x])
        res = wild_cluster_bootstrap(
            y, X, codes, np.array([0.0, 1.0]), seed=s, reps=399, weights="webb", conf_int=False
        )
        rej_boot += res.p_value < 0.05
        rej_crv1 += abs(res.t_stat) > crit
    assert 0.02 <= rej_boot / n_sim <= 0.09
    assert rej_crv1 > rej_boot


def test_bad_input_raises_input_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = rng.normal(size=20)
    cl = np.repeat(np.arange(4), 5)
    with pytest.raises(InputError, match="weights"):
        wild_cluster_bootstrap(y, X, cl, [1, 0], seed=0, weights="mammen")
    with pytest.raises(InputError, match="at least 2 clusters"):
        wild_cluster_bootstrap(y, X, np.zeros(20), [1, 0], seed=0)
    y_nan = y.copy()
    y_nan[3] = np.nan
    with pytest.raises(InputError, match=r"rows: 3"):
        wild_cluster_bootstrap(y_nan, X, cl, [1, 0], seed=0)
    with pytest.raises(InputError, match="collinear"):
        wild_cluster_bootstrap(y, np.column_stack([X[:, 0], 2 * X[:, 0]]), cl, [1, 0], seed=0)
    with pytest.raises(InputError, match="not a regressor"):
        wild_bootstrap_fe(province_panel(), "y", ["x1"], entity="prov", time="year", param="x2", seed=0)


@pytest.mark.parametrize(
    ("effects", "cluster"),
    [("twoway", "entity"), ("entity", "entity"), ("time", "entity"), ("twoway", "time")],
)
def test_wrapper_is_the_lsdv_wcr_bootstrap(effects, cluster):
    """Same weights: wild_bootstrap_fe = WCR bootstrap of the dummy-variable model (all dummies explicit).

    t*·se does not depend on the small-sample factor (which differs: K counts all dummies in the LSDV run).
    """
    d = province_panel(n_entities=9, n_periods=7)
    G = 9 if cluster == "entity" else 7
    res = wild_bootstrap_fe(
        d,
        "y",
        ["x1", "x2"],
        entity="prov",
        time="year",
        effects=effects,
        cluster=cluster,
        param="x2",
        seed=0,
        reps=999,
    )
    assert res.enumerated == (G == 9 or 2**G <= 999)
    parts = [d[["x1", "x2"]].to_numpy()]
    if effects in ("entity", "twoway"):
        parts.append(pd.get_dummies(d["prov"], dtype=float).to_numpy())
    if effects in ("time", "twoway"):
        parts.append(
            pd.get_dummies(d["year"], dtype=float).to_numpy()[:, (1 if effects == "twoway" else 0) :]
        )
    X = np.column_stack(parts)
    R = np.zeros(X.shape[1])
    R[1] = 1.0
    lsdv = wild_cluster_bootstrap(
        d["y"].to_numpy(), X, d["prov" if cluster == "entity" else "year"].to_numpy(), R, seed=0, reps=999
    )
    # both enumerate all 2^G sign vectors; the wrapper orders the clusters by content, not by
    # label, so the same set of replications comes in another order
    np.testing.assert_allclose(
        np.sort(res.t_boot * res.std_error), np.sort(lsdv.t_boot * lsdv.std_error), rtol=1e-7, atol=1e-12
    )
    assert res.p_value == lsdv.p_value
    assert res.estimate == pytest.approx(lsdv.estimate, rel=1e-9)
    fit = fit_panel(
        d,
        "y",
        ["x1", "x2"],
        entity="prov",
        time="year",
        model="fe",
        effects=effects,
        cov="clustered",
        cluster=cluster,
    )
    assert res.t_stat == pytest.approx(float(fit.tstats["x2"]), rel=1e-8)
