"""Spec kind ``event_study`` (tfp_talent.study.runners.event_study) against a simulated truth and numpy.

References
    * Simulated truth: y_it = a_i + l_t + Σ_{t≠b} β_t·E_i·1[year = t] + e_it, e ~ N(0, σ²) i.i.d.,
      β_t = 0 before the base year b and rising after it. With every year but b interacted, β̂_t is the
      cross-province OLS slope of y_it − y_ib on E_i, so β̂_t − β_t = Σ_i (E_i − Ē)(e_it − e_ib) / S_EE with
      SD σ·√(2 / S_EE), S_EE = Σ_i (E_i − Ē)²; each β̂_t must lie within 4 such SDs of β_t
      (two-sided probability 6e-5 per coefficient under the simulated model).
    * An independent least-squares dummy-variable regression in numpy (province and year dummies and
      the E × year columns): point estimates to 1e-8, and the cluster-by-province sandwich with the
      ``stata`` small-sample factor G/(G − 1)·(N − 1)/(N − k − T) of tfp_talent.estimators.inference
      (xtreg, fe vce(cluster): the province dummies are nested in the clusters, K_c = k + T) to 1e-8
      (relative).
    * The joint Wald tests by hand: F = b'V⁻¹b / q, p from F(q, G − 1) (scipy).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from study_sim import province_frame

from tfp_talent.errors import InputError
from tfp_talent.study.run import run_spec

ROOT = Path(__file__).resolve().parents[2]
SIGMA = 0.005
BASE = 2002
YEARS = range(1996, 2020)


def beta_true(year: int) -> float:
    """0 up to the base year, then rising by 0.01 a year."""
    return 0.01 * max(year - BASE, 0)


@pytest.fixture(scope="module")
def ss_event_spec() -> dict:
    """The ``ss_event`` entry of config/config.yaml (YAML merge keys resolved)."""
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(cfg["specs"]["ss_event"])


def simulated(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """31 real provinces × 1996–2019: a panel with ``ss_exposure`` and a TFP frame with y as solow_ln_tfp."""
    rng = np.random.default_rng(seed)
    p = province_frame(YEARS).sort_values(["province_code", "year"]).reset_index(drop=True)
    codes = p["province_code"].unique()
    e = dict(zip(codes, rng.uniform(0.5, 3.0, len(codes)), strict=True))
    a = dict(zip(codes, rng.normal(0, 1, len(codes)), strict=True))
    lam = dict(zip(YEARS, rng.normal(0, 0.1, len(YEARS)), strict=True))
    p["ss_exposure"] = p["province_code"].map(e)
    beta = p["year"].map(beta_true)
    y = (
        p["province_code"].map(a)
        + p["year"].map(lam)
        + beta * p["ss_exposure"]
        + rng.normal(0, SIGMA, len(p))
    )
    tfp = p[["province_code", "year"]].copy()
    tfp["solow_ln_tfp"] = y
    return p, tfp


def spec_with_years(spec: dict, years: list[int]) -> dict:
    out = copy.deepcopy(spec)
    out["sample"] = {**out["sample"], "years": years}
    return out


def dummy_ols(frame: pd.DataFrame, base: int, controls: tuple[str, ...] = ()) -> dict:
    """y on E × 1[year = t] (t ≠ base), ``controls``, province and year dummies (one dropped); CR1 by province."""
    f = frame.sort_values(["province_code", "year"]).reset_index(drop=True)
    years = sorted(f["year"].unique())
    codes = sorted(f["province_code"].unique())
    event_years = [t for t in years if t != base]
    inter = np.column_stack([f["ss_exposure"] * (f["year"] == t) for t in event_years]).astype(float)
    prov = (f["province_code"].to_numpy()[:, None] == np.array(codes)[None, :]).astype(float)
    yr = (f["year"].to_numpy()[:, None] == np.array(years[1:])[None, :]).astype(float)
    w = f[list(controls)].to_numpy(dtype=float).reshape(len(f), len(controls))
    inter = np.column_stack([inter, w])
    X = np.column_stack([inter, prov, yr])
    y = f["solow_ln_tfp"].to_numpy(dtype=float)
    XtX_inv = np.linalg.inv(X.T @ X)
    b = XtX_inv @ X.T @ y
    e = y - X @ b
    meat = np.zeros((X.shape[1], X.shape[1]))
    for c in codes:
        s = X[f["province_code"].to_numpy() == c].T @ e[f["province_code"].to_numpy() == c]
        meat += np.outer(s, s)
    n, g, k, T = len(y), len(codes), inter.shape[1], len(years)
    factor = g / (g - 1) * (n - 1) / (n - k - T)
    V = (XtX_inv @ meat @ XtX_inv)[:k, :k] * factor
    e_i = f.drop_duplicates("province_code")["ss_exposure"].to_numpy(dtype=float)
    names = [*event_years, *controls]
    return {
        "years": event_years,
        "b": dict(zip(names, b[:k], strict=True)),
        "se": dict(zip(names, np.sqrt(np.diag(V)), strict=True)),
        "V": V,
        "G": g,
        "s_ee": float(np.sum((e_i - e_i.mean()) ** 2)),
    }


@pytest.fixture(scope="module")
def fitted(ss_event_spec):
    panel, tfp = simulated()
    spec = spec_with_years(ss_event_spec, [YEARS[0], YEARS[-1]])
    res = run_spec("ss_event", spec, panel, tfp, seed=1)
    sample = tfp.merge(panel[["province_code", "year", "ss_exposure"]], on=["province_code", "year"])
    return {"res": res, "ref": dummy_ols(sample, BASE), "spec": spec}


def test_the_config_entry_is_what_the_test_runs(ss_event_spec):
    """The tested spec is the configured one (kind, base year, exposure, two-way FE, province clusters)."""
    s = ss_event_spec
    assert s["kind"] == "event_study" and s["event"]["base"] == BASE
    assert s["talent"] == ["ss_exposure"] and s["controls"] == []
    assert (s["model"], s["effects"]) == ("fe", "twoway") and s["cov"] == ["clustered"]


def test_event_coefficients_recover_the_simulated_truth(fitted):
    """|β̂_t − β_t| < 4·σ·√(2/S_EE) for every year (module docstring); the pre-base ones are near 0 too."""
    ev = fitted["res"]["event_study"]["by_cov"]["clustered"]
    tol = 4 * SIGMA * np.sqrt(2 / fitted["ref"]["s_ee"])
    assert tol < 0.01  # informative: smaller than the yearly rise of the truth
    rows = {r["year"]: r for r in ev["coefficients"]}
    assert sorted(rows) == list(YEARS)
    for t, r in rows.items():
        assert r["coef"] == pytest.approx(beta_true(t), abs=tol), t
    # the clustered SEs estimate the sampling SD: their mean within 30% of σ·√(2/S_EE)
    sd = SIGMA * np.sqrt(2 / fitted["ref"]["s_ee"])
    mean_se = np.mean([r["se"] for t, r in rows.items() if t != BASE])
    assert 0.7 < mean_se / sd < 1.3


def test_base_year_is_omitted(fitted):
    res = fitted["res"]
    ev = res["event_study"]
    assert ev["base_year"] == BASE and ev["exposure"] == "ss_exposure"
    params = res["results"]["clustered"]["params"]
    assert f"ss_exposure:{BASE}" not in params and "ss_exposure" not in params
    assert set(params) == {f"ss_exposure:{t}" for t in YEARS if t != BASE}
    assert str(BASE) not in ev["terms"]
    base_row = next(r for r in ev["by_cov"]["clustered"]["coefficients"] if r["year"] == BASE)
    assert base_row == {"year": BASE, "coef": 0.0, "se": None, "ci_lower": None, "ci_upper": None, "p": None}


def test_point_estimates_and_clustered_ses_match_dummy_variable_ols(fitted):
    res, ref = fitted["res"], fitted["ref"]
    d = res["results"]["clustered"]
    assert d["cov_type"] == "clustered" and d["cluster"] == "entity"
    assert d["n_entities"] == ref["G"] == 31 and d["nobs"] == 31 * len(YEARS)
    rows = {r["year"]: r for r in res["event_study"]["by_cov"]["clustered"]["coefficients"]}
    for t in ref["years"]:
        assert rows[t]["coef"] == pytest.approx(ref["b"][t], abs=1e-8)
        assert d["params"][f"ss_exposure:{t}"] == rows[t]["coef"]
        assert rows[t]["se"] == pytest.approx(ref["se"][t], rel=1e-8)
        # interval: b ± t_{0.975, G−1} · SE (clustered inference uses G − 1 df)
        q = stats.t.ppf(0.975, ref["G"] - 1)
        assert rows[t]["ci_lower"] == pytest.approx(ref["b"][t] - q * ref["se"][t], abs=1e-8)
        assert rows[t]["ci_upper"] == pytest.approx(ref["b"][t] + q * ref["se"][t], abs=1e-8)
    assert res["event_study"]["by_cov"]["clustered"]["df_inference"] == ref["G"] - 1


def test_joint_pre_and_post_tests_by_hand(fitted):
    """F = b'V⁻¹b/q with the clustered V of the dummy regression, p = F(q, G − 1) upper tail."""
    ref = fitted["ref"]
    tests = fitted["res"]["event_study"]["by_cov"]["clustered"]["tests"]
    for label, sel in (
        ("pre", [t for t in ref["years"] if t < BASE]),
        ("post", [t for t in ref["years"] if t > BASE]),
    ):
        idx = [ref["years"].index(t) for t in sel]
        b = np.array([ref["b"][t] for t in sel])
        V = ref["V"][np.ix_(idx, idx)]
        f = float(b @ np.linalg.solve(V, b)) / len(sel)
        assert tests[label]["df"] == len(sel) and tests[label]["years"] == sel
        assert tests[label]["f"] == pytest.approx(f, rel=1e-6)
        assert tests[label]["p_value"] == pytest.approx(
            stats.f.sf(f, len(sel), ref["G"] - 1), rel=1e-6, abs=1e-12
        )
    # the truth: no pre-trend (6 zero coefficients), a large post effect
    assert tests["pre"]["p_value"] > 0.01
    assert tests["post"]["p_value"] < 1e-6


def test_exposure_sd_is_the_cross_province_sd(fitted):
    panel, _ = simulated()
    e = panel.drop_duplicates("province_code")["ss_exposure"].to_numpy()
    assert fitted["res"]["event_study"]["exposure_sd"] == pytest.approx(np.std(e, ddof=1), rel=1e-12)


def test_configured_years_start_at_the_base_so_there_is_no_pre_test(ss_event_spec):
    """Sample 2002–2019 as configured: no year before the base, the pre test is empty (df 0, no F)."""
    panel, tfp = simulated()
    res = run_spec("ss_event", ss_event_spec, panel, tfp, seed=1)
    tests = res["event_study"]["by_cov"]["clustered"]["tests"]
    assert tests["pre"] == {"f": None, "p_value": None, "df": 0, "years": []}
    assert tests["post"]["df"] == 2019 - BASE


def test_exposure_varying_within_province_is_refused(ss_event_spec):
    panel, tfp = simulated()
    panel.loc[(panel["province_code"] == 110000) & (panel["year"] == 2010), "ss_exposure"] += 1.0
    with pytest.raises(InputError, match="varies within province") as err:
        run_spec("ss_event", spec_with_years(ss_event_spec, [YEARS[0], YEARS[-1]]), panel, tfp, seed=1)
    assert "110000" in str(err.value)


def test_base_year_outside_the_sample_is_refused(ss_event_spec):
    panel, tfp = simulated()
    spec = spec_with_years(ss_event_spec, [2005, 2019])
    with pytest.raises(InputError, match=r"event\.base 2002"):
        run_spec("ss_event", spec, panel, tfp, seed=1)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"event": None}, "needs 'event"),
        ({"talent": ["ss_exposure", "x2"]}, "one exposure variable"),
        ({"effects": "entity"}, "two-way fixed effects"),
    ],
)
def test_bad_event_specs_are_refused(ss_event_spec, edit, message):
    panel, tfp = simulated()
    panel["x2"] = 1.0
    spec = {**copy.deepcopy(ss_event_spec), **edit}
    with pytest.raises(InputError, match=message):
        run_spec("ss_event", spec, panel, tfp, seed=1)


def test_with_a_control_the_estimates_still_match_dummy_variable_ols(ss_event_spec):
    """controls: [trade_gdp] (y gains 0.3·trade_gdp): event and control coefficients and SEs vs numpy."""
    panel, tfp = simulated()
    rng = np.random.default_rng(12)
    panel["trade_gdp"] = rng.uniform(0.05, 1.2, len(panel))
    tfp["solow_ln_tfp"] = tfp["solow_ln_tfp"].to_numpy() + 0.3 * panel["trade_gdp"].to_numpy()
    spec = {**spec_with_years(ss_event_spec, [YEARS[0], YEARS[-1]]), "controls": ["trade_gdp"]}
    res = run_spec("ss_event", spec, panel, tfp, seed=1)["results"]["clustered"]
    sample = tfp.merge(
        panel[["province_code", "year", "ss_exposure", "trade_gdp"]], on=["province_code", "year"]
    )
    ref = dummy_ols(sample, BASE, ("trade_gdp",))
    for name, key in [*((f"ss_exposure:{t}", t) for t in ref["years"]), ("trade_gdp", "trade_gdp")]:
        assert res["params"][name] == pytest.approx(ref["b"][key], abs=1e-8)
        assert res["std_errors"][name] == pytest.approx(ref["se"][key], rel=1e-8)
    assert res["params"]["trade_gdp"] == pytest.approx(0.3, abs=4 * ref["se"]["trade_gdp"])
