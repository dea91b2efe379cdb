"""Weak-IV diagnostics against ivreg2 output, linearmodels/statsmodels, and identities by construction.

References
    * ivreg2 4.1 (Stata) on public data shipped with linearmodels 7 (``linearmodels.datasets``):
      Mroz (1987), ``ivreg2 lwage exper expersq (educ = age kidslt6 kidsge6)`` (ivreg2 help file
      example) with i.i.d. and robust covariance, with and without ``dofminus(1) sdofminus(1)``;
      Card (1995), ``ivreg2 lwage exper expersq black south (educ = nearc2 nearc4), robust``.
      The numbers are Stata's e() results as recorded in the ivreg2r project's Stata benchmark
      fixtures (github.com/restatr/ivreg2r, tests/stata-benchmarks/fixtures:
      mroz_fs_firststage_{iid,hc1}.csv, mroz_dofminus_diagnostics_{iid,robust}.csv,
      card_overid_diagnostics_hc1.csv, card_overid_firststage_hc1.csv). Tolerances: relative
      1e-9 for statistics of the first stage (integer-valued data); 1e-6 for those involving
      lwage, which Stata stores in single precision (float: 7 significant digits).
    * linearmodels 7 ``IV2SLS(...).first_stage.diagnostics`` ``f.stat`` (K1 = 1) and ``IVGMM.j_stat``;
      statsmodels OLS F/Wald tests of the instruments (HC0, cluster without correction).
    * By construction: KP = CD with i.i.d. covariance; invariance of the KP rk statistic to
      nonsingular transformations of X₁ and Z; the AR set against a brute-force grid.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import statsmodels.api as sm

from tfp_talent.errors import InputError
from tfp_talent.estimators.iv_diagnostics import (
    anderson_rubin,
    ar_confidence_set,
    iv_weak_diagnostics,
    kleibergen_paap_rk,
    make_design,
    stock_yogo_critical_values,
)

FIRST_STAGE = 1e-9
WITH_LWAGE = 1e-6


def test_stock_yogo_table_spot_checks():
    """Stock & Yogo (2005), Table 5.2 (2SLS size, nominal 5 %), columns 10/15/20/25 %."""
    assert stock_yogo_critical_values(1, 1) == {"10%": 16.38, "15%": 8.96, "20%": 6.66, "25%": 5.53}
    assert stock_yogo_critical_values(1, 3)["10%"] == 22.30
    assert stock_yogo_critical_values(2, 2) == {"10%": 7.03, "15%": 4.58, "20%": 3.95, "25%": 3.63}
    assert stock_yogo_critical_values(2, 4)["10%"] == 16.87
    assert stock_yogo_critical_values(1, 30)["25%"] == 23.65
    assert stock_yogo_critical_values(2, 30)["10%"] == 63.51
    assert stock_yogo_critical_values(2, 1) is None
    assert stock_yogo_critical_values(3, 5) is None
    assert stock_yogo_critical_values(1, 31) is None


@pytest.fixture(scope="module")
def mroz():
    from linearmodels.datasets import mroz as m

    d = m.load().dropna(subset=["lwage"])  # ivreg2's estimation sample: 428 working women
    W = np.column_stack([d.exper, d.expersq, np.ones(len(d))])
    return d.lwage.to_numpy(), d.educ.to_numpy(), W, d[["age", "kidslt6", "kidsge6"]].to_numpy()


@pytest.mark.parametrize(
    ("cov", "first_f", "sw_chi2"),
    [("unadjusted", 4.34207086242846, 13.21141940132261), ("robust", 5.021219248782439, 15.27783297496837)],
)
def test_mroz_first_stage_matches_ivreg2(mroz, cov, first_f, sw_chi2):
    res = iv_weak_diagnostics(make_design(*mroz, cov=cov), endog_names=["educ"])
    sw = res.sanderson_windmeijer["educ"]
    assert sw["f"] == pytest.approx(first_f, rel=FIRST_STAGE)
    assert sw["chi2"] == pytest.approx(sw_chi2, rel=FIRST_STAGE)
    assert res.kleibergen_paap_f == pytest.approx(first_f, rel=FIRST_STAGE)  # K1 = 1: KP F = first-stage F
    assert res.cragg_donald_f == pytest.approx(4.34207086242846, rel=FIRST_STAGE)


@pytest.mark.parametrize(
    ("cov", "ref"),
    [
        (
            "unadjusted",
            {"cdf": 4.321492327535472, "widstat": 4.321492327535472, "arf": 0.6089899964787056,
             "arfp": 0.6094719155650961, "archi2": 1.857419489260052, "overid": 0.6998733839708102},
        ),
        (
            "robust",
            {"cdf": 4.321492327535472, "widstat": 4.997422001157912, "arf": 0.5768156892845933,
             "arfp": 0.6305179280984723, "archi2": 1.75928785231801, "overid": 0.5126481912945736},
        ),
    ],
)  # fmt: skip
def test_mroz_dofminus_matches_ivreg2(mroz, cov, ref):
    """ivreg2 ..., dofminus(1) sdofminus(1): the two small-sample counts of ivreg2."""
    res = iv_weak_diagnostics(make_design(*mroz, cov=cov, dofminus=1, sdofminus=1))
    assert res.cragg_donald_f == pytest.approx(ref["cdf"], rel=FIRST_STAGE)
    assert res.kleibergen_paap_f == pytest.approx(ref["widstat"], rel=FIRST_STAGE)
    assert res.anderson_rubin["f"] == pytest.approx(ref["arf"], rel=WITH_LWAGE)
    assert res.anderson_rubin["f_pvalue"] == pytest.approx(ref["arfp"], rel=WITH_LWAGE)
    assert res.anderson_rubin["chi2"] == pytest.approx(ref["archi2"], rel=WITH_LWAGE)
    assert res.identification["statistic"] == pytest.approx(ref["overid"], rel=WITH_LWAGE)
    assert res.identification["name"] == ("Sargan" if cov == "unadjusted" else "Hansen J")
    assert res.identification["df"] == 2


def test_card_robust_matches_ivreg2():
    from linearmodels.datasets import card

    d = card.load()
    W = np.column_stack([d.exper, d.expersq, d.black, d.south, np.ones(len(d))])
    res = iv_weak_diagnostics(
        make_design(d.lwage, d.educ, W, d[["nearc2", "nearc4"]].to_numpy(), cov="robust"),
        endog_names=["educ"],
    )
    assert res.cragg_donald_f == pytest.approx(19.68298484786327, rel=FIRST_STAGE)
    assert res.kleibergen_paap_f == pytest.approx(20.42000777158254, rel=FIRST_STAGE)
    assert res.sanderson_windmeijer["educ"]["chi2"] == pytest.approx(40.93521371459358, rel=FIRST_STAGE)
    assert res.anderson_rubin["f"] == pytest.approx(27.85140644476052, rel=WITH_LWAGE)
    assert res.anderson_rubin["chi2"] == pytest.approx(55.8326562762099, rel=WITH_LWAGE)
    assert res.identification["statistic"] == pytest.approx(1.864712064638993, rel=WITH_LWAGE)
    assert res.identification["p_value"] == pytest.approx(0.1720819441017082, rel=WITH_LWAGE)
    assert res.stock_yogo["10%"] == 19.93


def simulated_iv(
    seed: int = 0, n: int = 400, k1: int = 1, l2: int = 3, strength: float = 0.4, n_clusters: int = 25
):
    """y = x β + w δ + u with x endogenous; cluster-level shocks in u and v; W has a constant."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, n_clusters, n)
    z = rng.normal(size=(n, l2)) + 0.5 * rng.normal(size=(n_clusters, l2))[g]
    w = np.column_stack([np.ones(n), rng.normal(size=n)])
    u = rng.normal(size=n) * (1 + 0.5 * np.abs(z[:, 0])) + rng.normal(size=n_clusters)[g]
    pi = strength * rng.normal(size=(l2, k1)) + strength * np.eye(l2, k1)
    x = z @ pi + 0.3 * w[:, [1]] + 0.6 * u[:, None] + rng.normal(size=(n, k1))
    y = x @ np.linspace(1.0, -0.5, k1) + w @ np.array([0.5, 0.2]) + u
    return y, x, w, z, g


def _sm_wald(dep, x_design, n_test, cov, g):
    kw = {"cov_type": "nonrobust"}
    if cov == "robust":
        kw = {"cov_type": "HC0"}
    elif cov == "clustered":
        kw = {"cov_type": "cluster", "cov_kwds": {"groups": g, "use_correction": False}}
    res = sm.OLS(dep, x_design).fit(**kw)
    r = np.zeros((n_test, x_design.shape[1]))
    r[:, :n_test] = np.eye(n_test)
    test = res.wald_test(r, scalar=True, use_f=cov == "unadjusted")
    return float(test.statistic)


@pytest.mark.parametrize("cov", ["unadjusted", "robust", "clustered"])
def test_one_endogenous_kp_equals_first_stage_wald(cov):
    """K1 = 1: KP rk χ² = first-stage Wald test of the instruments (statsmodels) = linearmodels f.stat."""
    from linearmodels.iv import IV2SLS

    y, x, w, z, g = simulated_iv(seed=1)
    n, l2 = z.shape
    d = make_design(y, x, w, z, cov=cov, clusters=g)
    res = iv_weak_diagnostics(d)
    sm_stat = _sm_wald(x[:, 0], np.column_stack([z, w]), l2, cov, g)
    df_small = n - l2 - w.shape[1]
    if cov == "unadjusted":  # classical F with s² = SSR/(N − L): the CD F
        assert res.cragg_donald_f == pytest.approx(sm_stat, rel=1e-10)
        assert res.kleibergen_paap_f == pytest.approx(sm_stat, rel=1e-10)
        assert res.sanderson_windmeijer["x0"]["f"] == pytest.approx(sm_stat, rel=1e-10)
    else:
        rk, df = kleibergen_paap_rk(d)
        assert df == l2
        assert rk == pytest.approx(sm_stat, rel=1e-10)
        assert res.sanderson_windmeijer["x0"]["chi2"] == pytest.approx(sm_stat, rel=1e-10)
        if cov == "robust":
            assert res.kleibergen_paap_f == pytest.approx(rk / n * df_small / l2, rel=1e-12)
        else:
            G = len(np.unique(g))
            assert res.kleibergen_paap_f == pytest.approx(
                rk / (n - 1) * df_small * (G - 1) / G / l2, rel=1e-12
            )
    lm_kw = {"clusters": g} if cov == "clustered" else {}
    lm = IV2SLS(y, w, x, z).fit(cov_type=cov, debiased=False, **lm_kw)
    f_lm = float(lm.first_stage.diagnostics["f.stat"].iloc[0])
    if cov == "unadjusted":  # linearmodels divides SSR by N: its F is N/(N − L) times the textbook one
        assert res.cragg_donald_f == pytest.approx(f_lm * df_small / n, rel=1e-8)
    else:
        assert res.kleibergen_paap_rk == pytest.approx(f_lm, rel=1e-8)


def test_two_endogenous_identities():
    y, x, w, z, g = simulated_iv(seed=2, k1=2, l2=4, strength=0.3)
    iid = iv_weak_diagnostics(make_design(y, x, w, z, cov="unadjusted"))
    assert iid.kleibergen_paap_f == pytest.approx(iid.cragg_donald_f, rel=1e-9)
    assert iid.kleibergen_paap_rk_df == 3 and iid.ar_conf_set is None and iid.stock_yogo["10%"] == 16.87

    # SW (2016) conditional F, i.i.d. errors, written out:
    # ε = x1 − x2 δ̂ (2SLS), F = [ε'P ε/(L2−1)] / [ε'M ε/(N−L)]
    d = make_design(y, x, w, z, cov="unadjusted")
    pz = d.z @ np.linalg.solve(d.z.T @ d.z, d.z.T)
    for j in (0, 1):
        xj, xo = d.x[:, j], d.x[:, 1 - j]
        delta = (xo @ pz @ xj) / (xo @ pz @ xo)
        eps = xj - delta * xo
        f = (eps @ pz @ eps / 3) / ((eps @ eps - eps @ pz @ eps) / d.df_small)
        assert iid.sanderson_windmeijer[f"x{j}"]["f"] == pytest.approx(f, rel=1e-9)

    # the rk statistic is invariant to X1 -> X1 A and Z -> Z B (A, B nonsingular), robust and clustered
    A = np.array([[1.0, 0.4], [-0.7, 2.0]])
    Bm = np.random.default_rng(0).normal(size=(4, 4)) + 3 * np.eye(4)
    for cov in ("robust", "clustered"):
        base = kleibergen_paap_rk(make_design(y, x, w, z, cov=cov, clusters=g))[0]
        moved = kleibergen_paap_rk(make_design(y, x @ A, w, z @ Bm, cov=cov, clusters=g))[0]
        assert moved == pytest.approx(base, rel=1e-8)


@pytest.mark.parametrize("cov", ["unadjusted", "robust", "clustered"])
def test_anderson_rubin_is_reduced_form_test(cov):
    """AR(β0) = Wald test of Z in the regression of y − β0 x on [Z, W] (statsmodels)."""
    y, x, w, z, g = simulated_iv(seed=3)
    d = make_design(y, x, w, z, cov=cov, clusters=g)
    for b0 in (0.0, 1.0, -2.5):
        ar = anderson_rubin(d, b0)
        ref = _sm_wald(y - b0 * x[:, 0], np.column_stack([z, w]), z.shape[1], cov, g)
        assert (ar["f"] if cov == "unadjusted" else ar["chi2"]) == pytest.approx(ref, rel=1e-10)


def _members(d, grid, alpha):
    return np.array([anderson_rubin(d, b)["f_pvalue"] > alpha for b in grid])


SHAPES = {
    "bounded": lambda cs: len(cs) == 1 and all(map(math.isfinite, cs[0])),
    "whole line": lambda cs: cs == [(-math.inf, math.inf)],
    "two rays": lambda cs: len(cs) == 2 and math.isinf(cs[0][0]) and math.isinf(cs[1][1]),
    "empty": lambda cs: cs == [],
}


@pytest.mark.parametrize(
    ("seed", "l2", "strength", "cov", "shape"),
    [
        (4, 2, 0.4, "robust", "bounded"),
        (5, 2, 0.03, "unadjusted", "whole line"),
        (5, 2, 0.03, "clustered", "whole line"),
        (0, 1, 0.1, "robust", "two rays"),
        (7, 2, 0.08, "unadjusted", "empty"),
    ],
)
def test_ar_confidence_set_matches_brute_force_grid(seed, l2, strength, cov, shape):
    """The set (grid in tan-space + brentq) against AR p-values on a fine grid (1,201 points + ±1e6)."""
    y, x, w, z, g = simulated_iv(seed=seed, l2=l2, strength=strength)
    d = make_design(y, x, w, z, cov=cov, clusters=g)
    cs = ar_confidence_set(d, 0.95)
    assert SHAPES[shape](cs), cs
    ends = [e for piece in cs for e in piece if math.isfinite(e)]
    for e in ends:  # endpoints: p = alpha
        assert anderson_rubin(d, e)["f_pvalue"] == pytest.approx(0.05, abs=1e-8)
    span = max(abs(e) for e in ends) if ends else 10.0
    grid = np.concatenate([np.linspace(-3 * span - 5, 3 * span + 5, 1201), [-1e6, 1e6]])
    inside = np.array([any(lo < b < hi for lo, hi in cs) for b in grid])
    near = np.array([min((abs(b - e) for e in ends), default=np.inf) < 1e-6 * max(1.0, span) for b in grid])
    brute = _members(d, grid, 0.05)
    assert np.array_equal(inside[~near], brute[~near])


def test_identification_and_overid_against_linearmodels():
    from linearmodels.iv import IV2SLS, IVGMM

    y, x, w, z, _g = simulated_iv(seed=6)
    exact = iv_weak_diagnostics(make_design(y, x, w, z[:, :1], cov="robust"))
    assert exact.identification["name"] == "exactly identified: no overidentification test"
    assert exact.identification["statistic"] is None
    iid = iv_weak_diagnostics(make_design(y, x, w, z, cov="unadjusted"))
    sargan = IV2SLS(y, w, x, z).fit(cov_type="unadjusted").sargan
    assert iid.identification["statistic"] == pytest.approx(float(sargan.stat), rel=1e-9)
    rob = iv_weak_diagnostics(make_design(y, x, w, z, cov="robust"))
    j = IVGMM(y, w, x, z, weight_type="robust").fit(cov_type="robust", iter_limit=2).j_stat
    assert rob.identification["statistic"] == pytest.approx(float(j.stat), rel=1e-6)
    assert rob.identification["df"] == 2
    json.dumps(rob.to_dict())


def test_bad_input_raises_input_error():
    y, x, w, z, _g = simulated_iv(seed=0, l2=2, k1=1)
    with pytest.raises(InputError, match="under-identified"):
        make_design(y, np.column_stack([x, x[:, 0] ** 2]), w, z[:, :1])
    with pytest.raises(InputError, match="cluster codes"):
        make_design(y, x, w, z, cov="clustered")
    with pytest.raises(InputError, match="unknown cov"):
        make_design(y, x, w, z, cov="hac")
    z_bad = z.copy()
    z_bad[5, 0] = np.nan
    with pytest.raises(InputError, match="rows: 5"):
        make_design(y, x, w, z_bad)


def _fe_iv_arrays(d, effects):
    """The arrays fit_iv has after its within transform (same prepare_panel + demean calls as iv.py)."""
    from tfp_talent.estimators.design import demean, prepare_panel

    prep = prepare_panel(d, ["y", "x", "w", "z1", "z2"], entity="id", time="year")
    e, t = prep.frame["_e"].to_numpy(), prep.frame["_t"].to_numpy()
    dm = demean(np.column_stack([prep.col(c) for c in ["y", "x", "w", "z1", "z2"]]), e, t, effects)
    return dm, e, prep


@pytest.mark.parametrize("cov", ["unadjusted", "robust", "clustered"])
def test_adapter_on_fe_2sls_arrays_matches_fit_iv_first_stage(cov):
    """The call proposed for iv.py. Two-way FE as xtivreg2, fe with period dummies: dofminus = entities,
    sdofminus = periods − 1. With K1 = 1, fit_iv's partial F is the same statistic: equal for unadjusted and
    robust; clustered, fit_iv counts K_c = k + T (xtreg's constant) where ivreg2 counts N − L − (T − 1):
    ratio (N − k − T)/(N − k − T + 1). fit_iv's Hansen J has no (N − dofminus)/N scaling."""
    from test_panel_iv import iv_data  # the FE-2SLS tests' simulated panel

    from tfp_talent.estimators.iv import fit_iv

    d = iv_data(seed=3, n_entities=31, n_periods=17, drop=0.1)
    fit = fit_iv(d, "y", ["w"], "x", ["z1", "z2"], entity="id", time="year", cov=cov)
    dm, e, prep = _fe_iv_arrays(d, "twoway")
    design = make_design(
        dm[:, 0], dm[:, 1:2], dm[:, 2:3], dm[:, 3:5], cov=cov, clusters=e if cov == "clustered" else None,
        dofminus=prep.n_entities, sdofminus=prep.n_periods - 1,
    )  # fmt: skip
    diag = iv_weak_diagnostics(design, endog_names=["x"])
    partial_f = fit.extra["first_stage"]["x"]["partial_f"]
    if cov == "clustered":
        n, k = prep.nobs, 3
        ratio = (n - k - prep.n_periods) / (n - k - prep.n_periods + 1)
        assert partial_f == pytest.approx(diag.kleibergen_paap_f * ratio, rel=1e-9)
    else:
        assert partial_f == pytest.approx(diag.kleibergen_paap_f, rel=1e-9)
    j_fit = fit.extra["overid"]["statistic"]
    scale = 1.0 if cov == "clustered" else prep.nobs / (prep.nobs - prep.n_entities)
    assert diag.identification["statistic"] * scale == pytest.approx(j_fit, rel=1e-6)
