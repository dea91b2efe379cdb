"""``PanelResult.wildboottest``: the WCR bootstrap of the fitted model, checked four ways.

References
    * :func:`tfp_talent.estimators.wild_bootstrap.wild_bootstrap_fe` called directly on the same
      data: identical p-value, confidence set and bootstrap t's (the method adds nothing).
    * ``wildboottest`` 0.3.2 (``WildboottestCL``, bootstrap type "11", null imposed) with
      Rademacher weights and G = 10 clusters: both packages enumerate all 2^10 = 1,024 sign
      vectors (ours when 2^G <= reps, wildboottest when 2^G < B), so the comparison has no
      Monte-Carlo error: the sorted bootstrap t's, each divided by its own sample t (the two
      packages use different small-sample factors, which cancel), agree to 1e-9, and the
      p-values to 2/1,024 (the replications v = ±1 reproduce |t| exactly; we count such a tie
      as not more extreme, wildboottest decides it by rounding).
    * ``wildboottest`` 0.3.2 with its own Webb draws (B = 9,999 each): the p-values agree within
      3·sqrt(2·p̄(1 − p̄)/B) + 2/B (two independent Monte-Carlo estimates).
    * Invariances under a fixed seed: row order, entity labels recoded to strings that sort in
      another order, a MultiIndex frame (the clusters are ordered by content, not label).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _panelsim import within
from test_wild_bootstrap import _wildboottest, province_panel

from tfp_talent.errors import InputError
from tfp_talent.estimators.iv import fit_iv
from tfp_talent.estimators.panel import fit_panel
from tfp_talent.estimators.wild_bootstrap import wild_bootstrap_fe

WILDBOOTTEST_VERSION = "0.3.2"
B = 9999


def test_wildboottest_package_version():
    from importlib.metadata import version

    assert version("wildboottest") == WILDBOOTTEST_VERSION


@pytest.mark.parametrize(
    ("effects", "cluster"), [("twoway", "entity"), ("entity", "entity"), ("twoway", "time")]
)
def test_method_equals_direct_wild_bootstrap_fe(effects, cluster):
    d = province_panel()
    fit = fit_panel(
        d, "y", ["x1", "x2"], entity="prov", time="year", effects=effects, cov="clustered", cluster=cluster
    )
    got = fit.wildboottest("x2", seed=11, reps=1999, weights="webb")
    ref = wild_bootstrap_fe(
        d,
        "y",
        ["x1", "x2"],
        entity="prov",
        time="year",
        param="x2",
        seed=11,
        reps=1999,
        weights="webb",
        effects=effects,
        cluster=cluster,
    )
    assert got.p_value == ref.p_value
    assert got.conf_int == ref.conf_int
    assert got.t_stat == ref.t_stat
    np.testing.assert_array_equal(got.t_boot, ref.t_boot)
    assert got.t_stat == pytest.approx(float(fit.tstats["x2"]), rel=1e-8)
    assert got.estimate == pytest.approx(float(fit.params["x2"]), rel=1e-10)


def test_formula_fit_and_linear_combination():
    """A formula fit with a lag (a derived column) and a combination b1 + b2 = r."""
    d = province_panel()
    fit = fit_panel("y ~ x1 + L(x2, 1) | prov + year", d, vcov={"CRV1": "prov"})
    got = fit.wildboottest({"x1": 1.0, "L1.x2": 1.0}, r=-0.2, seed=2, reps=999)
    assert got.estimate == pytest.approx(float(fit.params["x1"] + fit.params["L1.x2"]), rel=1e-10)
    assert got.nobs == fit.nobs == 31 * 16
    assert 0.0 <= got.p_value <= 1.0 and got.conf_int[0] < got.estimate < got.conf_int[1]


def test_full_enumeration_matches_wildboottest_exactly():
    """G = 10 entities, entity effects and entity clusters, Rademacher weights: no Monte-Carlo error."""
    d = province_panel(seed=3, n_entities=10, n_periods=12, beta=0.25)
    fit = fit_panel(d, "y", ["x1", "x2"], entity="prov", time="year", effects="entity", cov="clustered")
    ours = fit.wildboottest("x1", seed=0, reps=B, weights="rademacher")
    assert ours.enumerated and ours.reps == 2**10
    dm = within(d, ["y", "x1", "x2"], entity="prov", time=None)
    wb = _wildboottest(dm[:, 1:], dm[:, 0], d["prov"].to_numpy(), np.array([1.0, 0.0]), "rademacher")
    assert wb.B == 2**10
    np.testing.assert_allclose(
        np.sort(ours.t_boot / ours.t_stat), np.sort(np.ravel(wb.t_boot) / float(wb.t_stat)), rtol=0, atol=1e-9
    )
    assert abs(ours.p_value - float(wb.pvalue)) <= 2 / 2**10 + 1e-12
    assert 0.02 < ours.p_value < 0.98


def test_webb_p_value_agrees_with_wildboottest_draws():
    d = province_panel()
    fit = fit_panel(d, "y", ["x1", "x2"], entity="prov", time="year", effects="entity", cov="clustered")
    ours = fit.wildboottest("x1", seed=123, reps=B, weights="webb")
    dm = within(d, ["y", "x1", "x2"], entity="prov", time=None)
    wb = _wildboottest(dm[:, 1:], dm[:, 0], d["prov"].to_numpy(), np.array([1.0, 0.0]), "webb", seed=321)
    p1, p2 = ours.p_value, float(wb.pvalue)
    pbar = 0.5 * (p1 + p2)
    assert 0.01 < pbar < 0.99
    assert abs(p1 - p2) <= 3 * math.sqrt(2 * pbar * (1 - pbar) / B) + 2 / B


def test_seed_determinism():
    d = province_panel()
    fit = fit_panel(d, "y", ["x1", "x2"], entity="prov", time="year", cov="clustered")
    a = fit.wildboottest("x1", seed=5, reps=999)
    b = fit.wildboottest("x1", seed=5, reps=999)
    c = fit.wildboottest("x1", seed=6, reps=999)
    np.testing.assert_array_equal(a.t_boot, b.t_boot)
    assert a.p_value == b.p_value and a.conf_int == b.conf_int and a.seed == 5
    assert not np.array_equal(a.t_boot, c.t_boot)


@pytest.mark.parametrize("cluster", ["entity", "time"])
def test_invariant_to_row_order_and_entity_labels(cluster):
    """Shuffled rows, entities recoded as strings sorting in another order, a MultiIndex: same draws."""
    d = province_panel()
    kw = {"seed": 9, "reps": 1999, "weights": "webb"}
    base = fit_panel(d, "y", ["x1", "x2"], entity="prov", time="year", cov="clustered", cluster=cluster)
    ref = base.wildboottest("x1", **kw)
    recoded = d.assign(prov=d["prov"].map(lambda c: f"p{(17 * c + 5) % 31:02d}"))  # another sort order
    by_new_label = recoded.assign(old=d["prov"]).sort_values("prov")["old"].unique()
    assert list(by_new_label) != sorted(by_new_label)  # the recoding changes the sort order
    shuffled = recoded.sample(frac=1.0, random_state=4)
    multi = shuffled.set_index(["prov", "year"])
    for data in (shuffled, multi):
        fit = fit_panel(data, "y ~ x1 + x2", **({} if data is multi else {"entity": "prov", "time": "year"}),
                        cov="clustered", cluster=cluster)  # fmt: skip
        got = fit.wildboottest("x1", **kw)
        assert got.p_value == ref.p_value
        assert got.t_stat == pytest.approx(ref.t_stat, rel=1e-9)
        np.testing.assert_allclose(got.conf_int, ref.conf_int, rtol=1e-9)
        np.testing.assert_allclose(got.t_boot, ref.t_boot, rtol=1e-8, atol=1e-10)


def test_refused_for_other_models_and_covariances():
    d = province_panel()
    args = (d, "y", ["x1", "x2"])
    kw = {"entity": "prov", "time": "year"}
    for fit in (
        fit_panel(*args, **kw, cov="robust"),
        fit_panel(*args, **kw, cov="clustered", cluster="both"),
        fit_panel(*args, **kw, model="re", cov="clustered"),
        fit_panel(*args, **kw, cov="driscoll-kraay"),
    ):
        with pytest.raises(InputError, match="wild cluster bootstrap needs"):
            fit.wildboottest("x1", seed=0, reps=99)
    d["z"] = d["x1"] + np.random.default_rng(0).normal(size=len(d))
    iv = fit_iv(d, "y", ["x2"], endog="x1", instruments=["z"], **kw)
    with pytest.raises(InputError, match="wild cluster bootstrap needs"):
        iv.wildboottest("x1", seed=0, reps=99)
    with pytest.raises(InputError, match="not a regressor"):
        fit_panel(*args, **kw, cov="clustered").wildboottest("x3", seed=0, reps=99)
