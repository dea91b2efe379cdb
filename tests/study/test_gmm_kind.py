"""Spec kind ``gmm`` (study/runners/gmm.py) on simulated dynamic panels with a known truth.

Reference: the data-generating process itself (y_it = ρ y_i,t−1 + β'x_it + a_i + λ_t + e_it, mean-stationary
start after a burn-in, so the Blundell-Bond level moments hold). Tolerances are stated per test and are
about 3 standard errors of the estimator at the simulated sizes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp_talent.errors import InputError
from tfp_talent.study.run import run_spec
from tfp_talent.study.runners.gmm import long_run_effect

SEED = 11
RHO, B_STOCK, B_QUALITY = 0.5, 0.3, 0.2


def dynamic_panel(n: int = 300, years: range = range(2000, 2012), *, seed: int = 1) -> pd.DataFrame:
    """y_it = ρ y_i,t−1 + 0.3 s_it + 0.2 q_it + 0.1 c_it + a_i + λ_t + e_it; s, q AR(1) correlated with a_i."""
    rng = np.random.default_rng(seed)
    burn, t_n = 50, len(years)
    total = burn + t_n
    a = rng.normal(0, 1, n)
    lam = np.concatenate([np.zeros(burn), rng.normal(0, 0.3, t_n)])
    s = np.zeros((n, total))
    q = np.zeros((n, total))
    y = np.zeros((n, total))
    c = rng.normal(0, 1, (n, total))
    for t in range(1, total):
        s[:, t] = 0.6 * s[:, t - 1] + 0.3 * a + rng.normal(0, 1, n)
        q[:, t] = 0.6 * q[:, t - 1] - 0.2 * a + rng.normal(0, 1, n)
        y[:, t] = RHO * y[:, t - 1] + B_STOCK * s[:, t] + B_QUALITY * q[:, t] + 0.1 * c[:, t] + a + lam[t]
        y[:, t] += rng.normal(0, 0.5, n)
    keep = slice(burn, total)
    return pd.DataFrame(
        {
            "province_code": np.repeat(np.arange(1, n + 1) * 10, t_n),
            "year": np.tile(np.array(list(years)), n),
            "y": y[:, keep].reshape(-1),
            "stock": s[:, keep].reshape(-1),
            "quality": q[:, keep].reshape(-1),
            "c": c[:, keep].reshape(-1),
        }
    )


BASE = {"y": "y", "talent": ["stock", "quality"], "controls": ["c"], "tfp": None}
GMM = {**BASE, "kind": "gmm", "gmm": {"lags": [2, 4]}}


@pytest.fixture(scope="module")
def panel():
    return dynamic_panel(seed=2)


@pytest.fixture(scope="module")
def gmm_out(panel):
    return run_spec("dyn", GMM, panel, None, SEED)


def test_system_gmm_recovers_rho_beta_and_the_long_run_effects(gmm_out):
    """300 x 12 panel, two-step system GMM, collapsed lags 2-4: rho, betas within 0.06 (~3 SE);
    the long-run effect beta / (1 - rho) (truth 0.6 and 0.4) within 0.15, its 95% CI covering the truth."""
    g = gmm_out["gmm"]
    assert (g["model"], g["transformation"], g["collapse"]) == ("twostep", "ld", True)
    assert g["params"]["L1.y"] == pytest.approx(RHO, abs=0.06)
    assert g["params"]["stock"] == pytest.approx(B_STOCK, abs=0.06)
    assert g["params"]["quality"] == pytest.approx(B_QUALITY, abs=0.06)
    for term, beta in (("stock", B_STOCK), ("quality", B_QUALITY)):
        lr = g["long_run"][term]
        truth = beta / (1 - RHO)
        assert lr["estimate"] == pytest.approx(truth, abs=0.15)
        assert lr["ci"][0] < truth < lr["ci"][1]
    assert g["endogenous"] == ["L1.y", "stock", "quality"] and g["exogenous"] == ["c"]
    # 3 GMM variables x (3 collapsed lags + 1 level) + control + 10 year dummies + constant
    assert g["instrument_check"] == {"n_instruments": 24, "n_groups": 300, "at_most_groups": True}
    assert g["tests"]["ar2"]["pvalue"] > 0.01 and g["tests"]["hansen"]["pvalue"] > 0.01
    assert g["tests"]["ar1"]["pvalue"] < 0.01  # differenced errors are MA(1)
    assert {"params", "std_errors", "diff_hansen", "nobs", "n_groups"} <= set(g)


def test_fe_with_lagged_dependent_shows_the_nickell_bias(panel, gmm_out):
    """FE with L1.y (T = 12): rho biased down (Nickell 1981; here by about 0.06, the FE SE is about 0.01,
    smaller than the pure-AR(1) bound (1 + rho)/(T - 1) because the regressors explain much of y); GMM is closer."""
    fe = run_spec("fe", {**BASE, "controls": ["L1.y", "c"], "cov": ["clustered"]}, panel, None, SEED)
    rho_fe = fe["results"]["clustered"]["params"]["L1.y"]
    assert rho_fe < RHO - 0.04
    assert abs(gmm_out["gmm"]["params"]["L1.y"] - RHO) < abs(rho_fe - RHO)


def test_long_run_delta_method_matches_a_numerical_gradient():
    """se of beta / (1 - rho) equals sqrt(g'Vg) with g from central finite differences (to 1e-6)."""
    params = pd.Series({"b": 0.3, "r": 0.6})
    cov = pd.DataFrame([[0.01, -0.002], [-0.002, 0.004]], index=["b", "r"], columns=["b", "r"])
    out = long_run_effect(params, cov, "b", "r")
    h = 1e-6
    f = lambda b, r: b / (1 - r)  # noqa: E731
    g = np.array(
        [(f(0.3 + h, 0.6) - f(0.3 - h, 0.6)) / (2 * h), (f(0.3, 0.6 + h) - f(0.3, 0.6 - h)) / (2 * h)]
    )
    assert out["estimate"] == pytest.approx(0.75, rel=1e-12)
    assert out["se"] == pytest.approx(float(np.sqrt(g @ cov.to_numpy() @ g)), rel=1e-6)
    assert long_run_effect(pd.Series({"b": 0.3, "r": 1.02}), cov, "b", "r")["estimate"] is None


def test_a_year_without_regressors_leaves_no_empty_year_dummy(panel):
    """As the survey gap of 2010: x missing in one year drops that year's and the next year's level
    equation; the dummies cover only the years with a level equation and the truth is still recovered."""
    holed = panel.copy()
    holed.loc[holed["year"] == 2006, "stock"] = np.nan
    g = run_spec("dyn_hole", GMM, holed, None, SEED)["gmm"]
    assert "year_2006" not in g["year_dummies"] and "year_2007" not in g["year_dummies"]
    assert g["year_dummies"][0] == "year_2002"  # 2001 is the first level year, dropped (constant kept)
    assert g["params"]["L1.y"] == pytest.approx(RHO, abs=0.08)


def test_row_order_does_not_matter(panel, gmm_out):
    shuffled = panel.sample(frac=1.0, random_state=5).reset_index(drop=True)
    g = run_spec("dyn", GMM, shuffled, None, SEED)["gmm"]
    assert np.allclose(list(g["params"].values()), list(gmm_out["gmm"]["params"].values()), rtol=1e-10)


def test_too_many_instruments_are_reported(panel):
    """20 groups with uncollapsed lags 2-99: the count exceeds the groups and the result says so."""
    small = panel[panel["province_code"] <= 200]
    spec = {**GMM, "gmm": {"lags": [2, 99], "collapse": False}}
    g = run_spec("many", spec, small, None, SEED)["gmm"]  # the estimator's warning is logged, not raised
    assert g["instrument_check"]["at_most_groups"] is False
    assert g["instrument_check"]["n_instruments"] > g["instrument_check"]["n_groups"] == 20
    assert any("instruments exceed" in w for w in g["warnings"])


@pytest.mark.parametrize(
    ("gmm", "needle"),
    [({"lags": [3, 2]}, "gmm.lags"), ({"convention": "stata"}, "gmm.convention")],
)
def test_bad_gmm_options_stop_with_one_line(panel, gmm, needle):
    with pytest.raises(InputError, match=r"specs\.bad") as err:
        run_spec("bad", {**GMM, "gmm": gmm}, panel, None, SEED)
    assert needle in str(err.value) and "\n" not in str(err.value)
