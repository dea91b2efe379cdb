"""Hansen (1999), J. Econometrics 93:345-368, on invest.dat with the ``hansen1999`` transform.

References:
* the paper: Table 2 (F tests), Table 3 (thresholds and 95 % intervals), Table 5 (double-threshold
  slopes, White SEs);
* the output of Hansen's own GAUSS program THRESH_P.PRG, ``thresh.out`` (github.com/arlionn/Threshold_Panel,
  Hansen_JoE1999/GAUSS/thresh.out), printed to 8 significant digits, which the paper's tables round.
Same data, grid (qn = 400 quantiles), trims (0.01 0.01 0.05) and regime rule (q < gamma) as that program,
so every number is reproduced to the digits printed (tolerance: half a unit of the last printed digit,
or 1e-7 relative for the 8-digit GAUSS output).
"""

from __future__ import annotations

import pytest
from threshold_data import X, hansen_invest_panel

from tfp_talent.estimators.threshold import fit_at_thresholds, threshold_fit

REL8 = 1e-7  # GAUSS prints 8 significant digits


@pytest.fixture(scope="module")
def fit():
    return threshold_fit(
        hansen_invest_panel(),
        "i",
        X,
        "c1",
        "d1",
        "firm",
        "year",
        n_thresholds=3,
        trim=[0.01, 0.01, 0.05],
        grid=400,
        bootstrap=0,
        transform="hansen1999",
        progress=False,
    )


def _hc0(thresholds):
    """White HC0 SEs at the given thresholds (Hansen's convention: no small-sample factor)."""
    return fit_at_thresholds(
        hansen_invest_panel(),
        "i",
        X,
        "c1",
        "d1",
        "firm",
        "year",
        thresholds=thresholds,
        transform="hansen1999",
        convention="none",
    ).std_errors["robust"]


def test_robust_ses_follow_the_package_convention(fit):
    """Default ``stata``: robust = HC1 = HC0 * sqrt(n/(n - N - K)), as fit_panel's robust SEs."""
    m = fit.models[2]
    hc0 = _hc0(fit.thresholds[2])
    factor = (m.nobs / m.df_resid) ** 0.5
    for name, se in m.std_errors["robust"].items():
        assert se == pytest.approx(hc0[name] * factor, rel=1e-12), name


def test_sample_is_7345_observations(fit):
    """Hansen (1999) p. 360: 565 firms, 14 years used after lagging, N(T-1) = 7,345 observations."""
    assert (fit.n_entities, fit.n_periods, fit.nobs) == (565, 14, 7345)
    assert fit.spec["grid_points"] == 393  # 400 quantiles from 1 % to 99 %


def test_sums_of_squared_errors_match_gauss(fit):
    """thresh.out: SSE of the zero, single, double and triple threshold models."""
    assert fit.ssr[0] == pytest.approx(16.591220, rel=REL8)
    assert fit.ssr[1] == pytest.approx(16.517795, rel=REL8)
    assert fit.ssr[2] == pytest.approx(16.459979, rel=REL8)
    assert fit.ssr[3] == pytest.approx(16.450614, rel=REL8)


def test_f_statistics_table2(fit):
    """Table 2: F1 = 32.6, F2 = 25.8, F3 = 4.2; thresh.out: 32.649894, 25.799434, 4.1814091."""
    assert fit.f_stat[1] == pytest.approx(32.649894, rel=REL8)
    assert fit.f_stat[2] == pytest.approx(25.799434, rel=REL8)
    assert fit.f_stat[3] == pytest.approx(4.1814091, rel=REL8)
    assert [round(fit.f_stat[k], 1) for k in (1, 2, 3)] == [32.6, 25.8, 4.2]


def test_thresholds_and_intervals_table3(fit):
    """Table 3: gamma1 = 0.0157 [0.0139, 0.0181] (refinement step), gamma2 = 0.5362 [0.5305, 0.5629];
    thresh.out: 0.0157 [0.01392, 0.01806], 0.53616 [0.53049, 0.56287]; triple: 0.33134 [0.03902, 1.00593]."""
    assert fit.thresholds[1] == pytest.approx([0.0157], abs=5e-9)
    assert fit.ci[1] == [pytest.approx([0.01392, 0.01806], abs=5e-9)]
    g1, g2 = fit.thresholds[2]
    (lo1, hi1), (lo2, hi2) = fit.ci[2]
    assert (round(g1, 4), round(lo1, 4), round(hi1, 4)) == (0.0157, 0.0139, 0.0181)
    assert (round(g2, 4), round(lo2, 4), round(hi2, 4)) == (0.5362, 0.5305, 0.5629)
    assert [g2, lo2, hi2] == pytest.approx([0.53616, 0.53049, 0.56287], abs=5e-9)
    assert fit.thresholds[3] == pytest.approx([0.0157, 0.33134, 0.53616], abs=5e-9)
    assert fit.ci[3][1] == pytest.approx([0.03902, 1.00593], abs=5e-9)
    assert fit.lr_critical_value == pytest.approx(7.35, abs=5e-3)  # c(0.95) = -2 ln(1 - sqrt(0.95))


def test_double_threshold_slopes_table5(fit):
    """Table 5 (slopes to 3 decimals; Q^2 per 10^3, Q^3 per 10^6) and thresh.out (8 digits), White SEs.

    Hansen's "het standard errors" are HC0 (no small-sample factor): the package's ``convention="none"``;
    his conventional SEs use SSR/(n - N - K): the default ``stata`` convention's ``unadjusted``."""
    p = fit.models[2].params
    white = _hc0(fit.thresholds[2])
    conv = fit.models[2].std_errors["unadjusted"]
    table5 = {
        "q1": 0.010,
        "q2": -0.198e-3,
        "q3": 1.047e-6,
        "d1": -0.016,
        "qd1": 0.001,
        "c1_r1": 0.063,
        "c1_r2": 0.098,
        "c1_r3": 0.039,
    }
    for name, value in table5.items():
        digits = {"q2": 0.5e-6, "q3": 0.5e-9}.get(name, 0.5e-3)
        assert p[name] == pytest.approx(value, abs=digits), name
    assert [white[f"c1_r{j}"] for j in (1, 2, 3)] == pytest.approx([0.014, 0.010, 0.031], abs=0.5e-3)
    gauss = {  # name: (coefficient, conventional SE, White SE)
        "q1": (0.010285143, 0.00094105141, 0.0018833187),
        "q2": (-0.00019753392, 2.6344140e-005, 6.3768397e-005),
        "q3": (1.0466549e-006, 1.9864905e-007, 4.4786653e-007),
        "d1": (-0.016489208, 0.0050965786, 0.0089750760),
        "qd1": (0.0014806529, 0.0014724173, 0.0020687843),
        "c1_r1": (0.063153741, 0.0056733464, 0.013500229),
        "c1_r2": (0.097725900, 0.0056858777, 0.010292374),
        "c1_r3": (0.039209296, 0.011847125, 0.031114460),
    }
    for name, (b, se, se_het) in gauss.items():
        assert p[name] == pytest.approx(b, rel=1e-6), name
        assert conv[name] == pytest.approx(se, rel=1e-6), name
        assert white[name] == pytest.approx(se_het, rel=1e-6), name


def test_single_and_triple_slopes_match_gauss(fit):
    """thresh.out, single- and triple-threshold models: regime-dependent slopes and both SEs."""
    single = fit.models[1]
    assert [single.params["c1_r1"], single.params["c1_r2"]] == pytest.approx(
        [0.058868434, 0.090423494], rel=1e-6
    )
    assert [_hc0(fit.thresholds[1])[f"c1_r{j}"] for j in (1, 2)] == pytest.approx(
        [0.013802960, 0.011593318], rel=1e-6
    )
    assert single.params["q1"] == pytest.approx(0.010477561, rel=1e-6)
    triple = fit.models[3]
    assert [triple.params[f"c1_r{j}"] for j in (1, 2, 3, 4)] == pytest.approx(
        [0.061957491, 0.095087507, 0.11114170, 0.044084479], rel=1e-6
    )
    assert triple.std_errors["unadjusted"]["c1_r3"] == pytest.approx(0.0088886616, rel=1e-6)


def test_bootstrap_significance_table2():
    """Table 2 with 300 replications per test: F1 and F2 significant at 5 %, F3 not at 10 %
    (Hansen's p-values: 0.007, 0.016 (paper: 0.01, 0.02), 0.74; bootstrap draws differ, the verdicts must not)."""
    res = threshold_fit(
        hansen_invest_panel(),
        "i",
        X,
        "c1",
        "d1",
        "firm",
        "year",
        n_thresholds=3,
        trim=[0.01, 0.01, 0.05],
        grid=400,
        bootstrap=300,
        seed=1,
        transform="hansen1999",
        n_jobs=2,
        progress=False,
    )
    p = res.p_value
    assert p[1] < 0.05 and p[2] < 0.05
    assert p[3] > 0.10
    crit = res.crit_values
    assert res.f_stat[1] > crit[1]["5%"] and res.f_stat[2] > crit[2]["5%"]
    assert res.f_stat[3] < crit[3]["10%"]
    assert [len(res.boot_stats[k]) for k in (1, 2, 3)] == [300, 300, 300]
