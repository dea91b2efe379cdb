"""FE-2SLS against a manual 2SLS on demeaned data, pyfixest's IV, and the Sargan/Hansen formulas.

References: 2SLS computed with numpy on data demeaned by hand (balanced two-way:
x - x̄_i - x̄_t + x̄; unbalanced: LSDV residuals), pyfixest ``feols`` IV syntax
(``y ~ w + C(year) | id | x ~ z1 + z2``, one absorbed effect so its small-sample count
is deterministic), Sargan's n·e'P_Z e/e'e and Hansen's two-step J written out by hand,
and simulated truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _panelsim import within

from tfp_talent.errors import InputError
from tfp_talent.estimators.iv import fit_iv
from tfp_talent.estimators.panel import fit_panel


def iv_data(seed: int = 2, n_entities: int = 80, n_periods: int = 8, drop: float = 0.0) -> pd.DataFrame:
    """y = 1.0 x - 0.5 w + a_i + l_t + u, x endogenous (shares u), z1, z2 valid instruments."""
    rng = np.random.default_rng(seed)
    ent = np.repeat(np.arange(n_entities), n_periods)
    per = np.tile(np.arange(2000, 2000 + n_periods), n_entities)
    a = rng.normal(size=n_entities)[ent]
    lam = rng.normal(size=n_periods)[per - 2000]
    z1, z2, w, u = (rng.normal(size=ent.size) for _ in range(4))
    x = 0.6 * z1 + 0.4 * z2 + 0.8 * u + a + rng.normal(size=ent.size)
    y = 1.0 * x - 0.5 * w + a + lam + u
    d = pd.DataFrame({"id": ent, "year": per, "y": y, "x": x, "w": w, "z1": z1, "z2": z2})
    if drop:
        d = d[rng.random(len(d)) > drop].reset_index(drop=True)
    return d


def _tsls(Y, X, Z):
    P = Z @ np.linalg.solve(Z.T @ Z, Z.T)
    return np.linalg.solve(X.T @ P @ X, X.T @ P @ Y)


def test_coefficients_equal_manual_2sls_on_demeaned_data():
    """Balanced two-way: demeaning by hand (x - mean_i - mean_t + mean), 2SLS with numpy; atol 1e-8.
    Unbalanced: LSDV-residualised data; atol 1e-8."""
    d = iv_data()
    res = fit_iv(d, "y", ["w"], "x", ["z1", "z2"], entity="id", time="year")
    cols = ["y", "x", "w", "z1", "z2"]
    dm = (
        d[cols]
        - d.groupby("id")[cols].transform("mean")
        - d.groupby("year")[cols].transform("mean")
        + d[cols].mean()
    )
    b = _tsls(dm["y"].to_numpy(), dm[["x", "w"]].to_numpy(), dm[["z1", "z2", "w"]].to_numpy())
    np.testing.assert_allclose(res.params[["x", "w"]].to_numpy(), b, atol=1e-8)
    assert list(res.params.index) == ["x", "w"] and res.model == "fe-iv"

    u = iv_data(seed=3, drop=0.2)
    res_u = fit_iv(u, "y", ["w"], "x", ["z1", "z2"], entity="id", time="year")
    W = within(u, cols)
    b_u = _tsls(W[:, 0], W[:, [1, 2]], W[:, [3, 4, 2]])
    np.testing.assert_allclose(res_u.params[["x", "w"]].to_numpy(), b_u, atol=1e-8)


@pytest.mark.parametrize(
    ("cov", "vcov"), [("clustered", {"CRV1": "id"}), ("unadjusted", "iid"), ("robust", "hetero")]
)
def test_se_and_first_stage_f_equal_pyfixest(cov, vcov):
    """Same convention, engine called directly: coefficients (atol 1e-8), SEs (rtol 1e-8) and the
    first-stage F of the excluded instruments (rtol 1e-8) equal pyfixest's IV with period dummies
    and absorbed entity effects, default ssc (= our stata), on an unbalanced panel."""
    import pyfixest as pf

    d = iv_data(seed=5, drop=0.1)
    res = fit_iv(d, "y", ["w"], "x", ["z1", "z2"], entity="id", time="year", cov=cov)
    m = pf.feols("y ~ w + C(year) | id | x ~ z1 + z2", data=d, vcov=vcov, fixef_rm="none")
    np.testing.assert_allclose(res.params[["x", "w"]].to_numpy(), m.coef()[["x", "w"]].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(
        res.std_errors[["x", "w"]].to_numpy(), m.se()[["x", "w"]].to_numpy(), rtol=1e-8
    )
    assert res.extra["first_stage"]["x"]["partial_f"] == pytest.approx(float(m._f_stat_1st_stage), rel=1e-8)
    assert res.extra["weak_id_f"] == res.extra["first_stage"]["x"]["partial_f"]


def test_sargan_and_hansen_j_by_hand():
    """Over-identified (2 instruments, 1 endogenous): Sargan = n e'P_Z e / e'e with the 2SLS
    residuals (unadjusted); Hansen J = n gbar' S^-1 gbar at the two-step GMM estimate, S the
    entity-clustered moment covariance at the 2SLS residuals (clustered). rtol 1e-8, df = 1."""
    d = iv_data(seed=6)
    cols = ["y", "x", "w", "z1", "z2"]
    dm = (
        d[cols]
        - d.groupby("id")[cols].transform("mean")
        - d.groupby("year")[cols].transform("mean")
        + d[cols].mean()
    ).to_numpy()
    Y, X, Z = dm[:, 0], dm[:, [1, 2]], dm[:, [3, 4, 2]]
    n = len(d)
    b1 = _tsls(Y, X, Z)
    e1 = Y - X @ b1
    sargan = n * (e1 @ Z @ np.linalg.solve(Z.T @ Z, Z.T @ e1)) / (e1 @ e1)
    un = fit_iv(d, "y", ["w"], "x", ["z1", "z2"], entity="id", time="year", cov="unadjusted")
    assert un.extra["overid"]["name"] == "Sargan" and un.extra["overid"]["df"] == 1
    assert un.extra["overid"]["statistic"] == pytest.approx(sargan, rel=1e-8)

    groups = d["id"].to_numpy()
    S = np.zeros((3, 3))
    for g in np.unique(groups):
        s = Z[groups == g].T @ e1[groups == g]
        S += np.outer(s, s)
    S /= n
    Wt = np.linalg.inv(S)
    b2 = np.linalg.solve(X.T @ Z @ Wt @ Z.T @ X, X.T @ Z @ Wt @ Z.T @ Y)
    gbar = Z.T @ (Y - X @ b2) / n
    cl = fit_iv(d, "y", ["w"], "x", ["z1", "z2"], entity="id", time="year", cov="clustered")
    # the two-step J (Hansen 1982): the weight matrix of the second step, S at the 2SLS residuals
    assert cl.extra["overid"]["statistic"] == pytest.approx(n * gbar @ Wt @ gbar, rel=1e-8)
    assert cl.extra["overid"]["name"] == "Hansen J"


def test_simulated_iv_recovers_truth_where_fe_ols_is_biased():
    """Simulated truth beta_x = 1.0 (seed 9, 500 x 8): FE-2SLS within 4 SE of 1; FE OLS biased
    upward by more than 0.1 (x shares the error u). Lag instruments: L.z1 and z1 are valid."""
    d = iv_data(seed=9, n_entities=500)
    iv = fit_iv(d, "y", ["w"], "x", {"x": ["z1", "z2"]}, entity="id", time="year")
    assert abs(iv.params["x"] - 1.0) < 4 * iv.std_errors["x"]
    ols = fit_panel(d, "y", ["x", "w"], entity="id", time="year")
    assert ols.params["x"] > 1.1
    lag = fit_iv(d, "y", ["w"], "x", ["z1", "z2", "L.z1"], entity="id", time="year")
    assert lag.extra["instruments"] == ["z1", "z2", "L.z1"] and lag.nobs == 500 * 7
    assert lag.extra["overid"]["df"] == 2


def test_iv_bad_input():
    d = iv_data(seed=1, n_entities=20)
    kw = {"entity": "id", "time": "year"}
    with pytest.raises(InputError, match="under-identified"):
        fit_iv(d, "y", ["w"], ["x", "z1"], ["z2"], **kw)
    with pytest.raises(InputError, match="instrument is also"):
        fit_iv(d, "y", ["w"], "x", ["w", "z1"], **kw)
    with pytest.raises(InputError, match="driscoll-kraay"):
        fit_iv(d, "y", ["w"], "x", ["z1"], cov="driscoll-kraay", **kw)
    with pytest.raises(InputError, match="collinear"):
        fit_iv(d.assign(z3=d["z1"] + d["z2"]), "y", ["w"], "x", ["z1", "z2", "z3"], **kw)
    with pytest.raises(InputError, match="'zz'"):
        fit_iv(d, "y", ["w"], "x", ["zz"], **kw)
