"""Hausman test (FE vs RE): Stata reference values, the textbook formula by hand, Mundlak form.

Stata references: ``xtreg hours exper expersq, fe`` / ``xtreg ..., re`` / ``hausman fe re``
[, sigmamore | sigmaless] on the Vella–Verbeek wage panel, as recorded from Stata in
linearmodels' test suite (tests/panel/test_results.py, STATA_HAUSMAN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _panelsim import simulated, wage_panel, within
from linearmodels import RandomEffects
from scipy import stats

from tfp_talent.errors import InputError
from tfp_talent.estimators.hausman import hausman, quadratic_form_test
from tfp_talent.estimators.panel import fit_panel

STATA = {  # (chi2, p) from Stata 'hausman fe re'
    "none": (7.190854126884934, 0.0274489582259534),
    "more": (6.945610047252053, 0.0310298689573541),
    "less": (6.953506564342694, 0.0309075965524561),
}


@pytest.mark.parametrize("sigma", ["none", "more", "less"])
def test_wage_panel_matches_stata(sigma):
    """chi2(2) and p equal Stata's hausman (default, sigmamore, sigmaless) to 1e-8."""
    h = hausman(
        wage_panel(), "hours", ["exper", "expersq"], entity="nr", time="year", effects="entity", sigma=sigma
    )
    chi2, p = STATA[sigma]
    assert h.statistic == pytest.approx(chi2, abs=1e-8)
    assert h.p_value == pytest.approx(p, abs=1e-10)
    assert h.df == 2 and h.positive_definite and h.valid


@pytest.mark.parametrize("effects", ["entity", "twoway"])
def test_statistic_equals_textbook_formula_by_hand(effects):
    """H = (b_FE - b_RE)'(V_FE - V_RE)^-1(b_FE - b_RE): b_FE and V_FE = s^2 (X~'X~)^-1 with
    s^2 = SSR/(N - k - K_fe) computed with numpy on LSDV-demeaned data, RE from linearmodels
    called directly (period dummies for two-way). rtol 1e-8."""
    d = simulated(50, 6, seed=11, unbalanced=True, corr_effects=0.3)
    h = hausman(d, "y", ["x1", "x2"], entity="id", time="year", effects=effects)
    W = within(d, ["x1", "x2", "y"], time="year" if effects == "twoway" else None)
    X, yy = W[:, :2], W[:, 2]
    b_fe = np.linalg.solve(X.T @ X, X.T @ yy)
    e = yy - X @ b_fe
    G, T, n = d["id"].nunique(), d["year"].nunique(), len(d)
    k_fe = G + (T - 1 if effects == "twoway" else 0)
    v_fe = e @ e / (n - 2 - k_fe) * np.linalg.inv(X.T @ X)
    p = d.set_index(["id", "year"])
    exog = p[["x1", "x2"]].copy()
    exog.insert(0, "const", 1.0)
    if effects == "twoway":
        dm = pd.get_dummies(p.index.get_level_values(1), prefix="t", drop_first=True, dtype=float)
        dm.index = p.index
        exog = pd.concat([exog, dm], axis=1)
    re = RandomEffects(p["y"], exog).fit()  # unadjusted, debiased: s^2 = SSR/(N - k), as xtreg, re
    b_re = re.params[["x1", "x2"]].to_numpy()
    v_re = re.cov.loc[["x1", "x2"], ["x1", "x2"]].to_numpy()
    diff = b_fe - b_re
    expected = diff @ np.linalg.inv(v_fe - v_re) @ diff
    assert h.statistic == pytest.approx(expected, rel=1e-8)
    assert h.p_value == pytest.approx(stats.chi2.sf(expected, 2), rel=1e-8)
    np.testing.assert_allclose(h.std_errors.to_numpy(), np.sqrt(np.diag(v_fe - v_re)), rtol=1e-8)


def test_not_positive_definite_is_reported():
    """A small panel where V_FE - V_RE is indefinite (seed 23: chi2 > 0) and one where the
    statistic is negative (seed 2): flag, message, generalized inverse, df = rank."""

    def data(seed):
        d = simulated(8, 4, seed=seed, unbalanced=False, corr_effects=0.0)
        return d.assign(x3=np.random.default_rng(seed + 100).normal(size=len(d)))

    h = hausman(data(23), "y", ["x1", "x2", "x3"], entity="id", time="year", effects="entity")
    assert not h.positive_definite
    assert "not positive definite" in h.message and "generalized inverse" in h.message
    assert h.df == h.rank == 3 and h.statistic > 0 and 0 < h.p_value < 1
    neg = hausman(data(2), "y", ["x1", "x2", "x3"], entity="id", time="year", effects="entity")
    assert neg.statistic < 0 and np.isnan(neg.p_value) and "negative" in neg.message
    assert np.isnan(neg.to_dict()["p_value"])  # written as null by tfp_talent.io.write_json


def test_quadratic_form_generalized_inverse_and_rank():
    """Singular PSD difference: statistic = d' pinv(V) d (by hand) and df = rank = 1."""
    u = np.array([1.0, 2.0])
    v = np.outer(u, u)  # rank 1
    d = np.array([0.5, 1.0])
    stat, df, ok, rank, _msg = quadratic_form_test(d, v)
    assert not ok and df == rank == 1
    assert stat == pytest.approx(d @ np.linalg.pinv(v) @ d, rel=1e-12)
    stat2, df2, ok2, *_ = quadratic_form_test(d, np.diag([2.0, 4.0]))
    assert ok2 and df2 == 2 and stat2 == pytest.approx(0.25 / 2 + 1.0 / 4, rel=1e-12)


def test_mundlak_wald_by_hand_and_fe_equivalence():
    """Mundlak (RE auxiliary, entity clusters): W = g'V(g)^-1 g with g, V from linearmodels RE
    called directly on [const, x, xbar] with debiased=True, group_debias=True (xtreg, re
    vce(cluster)) (rtol 1e-8). The pooled auxiliary with period dummies and, in an unbalanced
    panel, the means of the period dummies gives beta = two-way FE beta (atol 1e-8)."""
    d = simulated(60, 7, seed=4, unbalanced=True, corr_effects=0.5)
    h = hausman(d, "y", ["x1", "x2"], entity="id", time="year", effects="entity", method="mundlak")
    p = d.set_index(["id", "year"])
    ex = p[["x1", "x2"]].copy()
    for c in ("x1", "x2"):
        ex[f"m{c}"] = p[c].groupby(level=0).transform("mean")
    ex.insert(0, "const", 1.0)
    re = RandomEffects(p["y"], ex).fit(cov_type="clustered", cluster_entity=True, group_debias=True)
    g = re.params[["mx1", "mx2"]].to_numpy()
    v = re.cov.loc[["mx1", "mx2"], ["mx1", "mx2"]].to_numpy()
    assert h.statistic == pytest.approx(g @ np.linalg.solve(v, g), rel=1e-8)
    assert h.df == 2 and h.cov_type == "clustered" and h.aux == "re"

    pooled = hausman(
        d, "y", ["x1", "x2"], entity="id", time="year", effects="twoway", method="mundlak", aux="pooled"
    )
    fe = fit_panel(d, "y", ["x1", "x2"], entity="id", time="year", effects="twoway")
    np.testing.assert_allclose(
        pooled.extra["aux_params"][["x1", "x2"]].to_numpy(), fe.params.to_numpy(), atol=1e-8
    )


def test_mundlak_size_and_power():
    """Simulated truth (seed 8, 300 x 6): effects uncorrelated with x -> p > 0.05; effects
    correlated with x1 -> p < 1e-6 (classic and Mundlak)."""
    h0 = simulated(300, 6, seed=8, unbalanced=True, corr_effects=0.0)
    h1 = simulated(300, 6, seed=8, unbalanced=True, corr_effects=1.0)
    for method in ("classic", "mundlak"):
        assert hausman(h0, "y", ["x1", "x2"], entity="id", time="year", method=method).p_value > 0.05
        assert hausman(h1, "y", ["x1", "x2"], entity="id", time="year", method=method).p_value < 1e-6


def test_hausman_bad_options():
    d = simulated(20, 5, seed=1)
    with pytest.raises(InputError, match="unadjusted"):
        hausman(d, "y", ["x1"], entity="id", time="year", cov="clustered")
    with pytest.raises(InputError, match="entity"):
        hausman(d, "y", ["x1"], entity="id", time="year", effects="time")
    with pytest.raises(InputError, match="'nope'"):
        hausman(d, "y", ["nope"], entity="id", time="year", method="mundlak")
    with pytest.raises(InputError, match="method"):
        hausman(d, "y", ["x1"], entity="id", time="year", method="wald")
