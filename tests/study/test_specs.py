"""The specification runner on simulated panels with known effects, and its bad-input messages.

References: simulated truth (tolerances stated per test, set by the simulation's noise),
and hand computations of the derived variables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from study_sim import catchup_panel, iv_panel, lagged_panel, province_frame, regional_slopes_panel

from tfp_talent.config import check_study_config
from tfp_talent.data.codebook import year_ranges
from tfp_talent.errors import InputError
from tfp_talent.study.run import run_spec
from tfp_talent.study.sample import balance_panel, build_analysis_frame
from tfp_talent.study.spec import normalise_spec

SEED = 7


def test_region_interactions_recover_the_true_regional_slopes():
    """Simulated truth: slopes East 0.5, Central 1.0, West 2.0; noise sd 0.01 -> SEs ~ 1e-3; tolerance 0.01."""
    truth = {"East": 0.5, "Central": 1.0, "West": 2.0}
    panel = regional_slopes_panel(truth)
    spec = {
        "y": "y",
        "talent": ["x"],
        "controls": ["c"],
        "tfp": None,
        "interact": {"by": "region3", "levels": list(truth)},
    }
    out = run_spec("het", spec, panel, None, SEED)
    for cov in ("clustered", "driscoll-kraay"):
        res = out["results"][cov]
        for region, beta in truth.items():
            assert res["params"][f"x:{region}"] == pytest.approx(beta, abs=0.01)
        assert res["params"]["c"] == pytest.approx(0.3, abs=0.01)
        # slopes differ by 0.5-1.5 with SEs ~1e-3: equality is rejected
        assert res["tests"]["equal_slopes[x]"]["p_value"] < 1e-6
        assert res["tests"]["equal_slopes[x]"]["df"] == 2
    assert out["roles"]["talent"] == ["x:East", "x:Central", "x:West"]
    assert out["roles"]["interactions"] == {"x": ["x:East", "x:Central", "x:West"]}


def test_equal_slopes_is_not_rejected_when_slopes_are_equal():
    """Simulated truth: one slope (1.0) in every region; the Wald test's p-value is then U(0,1), here > 0.01."""
    panel = regional_slopes_panel({"East": 1.0, "Central": 1.0, "West": 1.0}, noise=0.5)
    spec = {
        "y": "y",
        "talent": ["x"],
        "tfp": None,
        "cov": ["clustered"],
        "interact": {"levels": ["East", "Central", "West"]},
    }
    res = run_spec("het", spec, panel, None, SEED)["results"]["clustered"]
    assert res["tests"]["equal_slopes[x]"]["p_value"] > 0.01


def test_split_sample_recovers_its_region_slope():
    """Simulated truth: West slope 2.0, estimated on the 12 West provinces only; tolerance 0.01."""
    panel = regional_slopes_panel({"East": 0.5, "Central": 1.0, "West": 2.0})
    spec = {
        "y": "y",
        "talent": ["x"],
        "controls": ["c"],
        "tfp": None,
        "cov": ["clustered"],
        "sample": {"regions": ["West"]},
    }
    out = run_spec("west", spec, panel, None, SEED)
    assert out["sample"]["n_provinces"] == 12
    assert out["results"]["clustered"]["params"]["x"] == pytest.approx(2.0, abs=0.01)


def test_catch_up_terms_recover_known_coefficients():
    """Simulated truth (Benhabib-Spiegel growth): b_talent 0.02, b_dist 0.05, b_talent×dist 0.10,
    simulated forward 40 years with noise sd 0.002; tolerance 0.005 (about 3 SE)."""
    panel = catchup_panel(0.02, 0.05, 0.10)
    spec = {
        "y": "D.ln_a",
        "frontier": "ln_a",
        "talent": ["h"],
        "products": [["h", "L1.dist_frontier"]],
        "controls": ["L1.dist_frontier"],
        "tfp": None,
        "cov": ["clustered"],
    }
    out = run_spec("catchup", spec, panel, None, SEED)
    b = out["results"]["clustered"]["params"]
    assert b["h"] == pytest.approx(0.02, abs=0.005)
    assert b["L1.dist_frontier"] == pytest.approx(0.05, abs=0.005)
    assert b["h×L1.dist_frontier"] == pytest.approx(0.10, abs=0.005)
    # the first year has neither growth nor a lagged distance: 31 rows dropped
    assert out["sample"]["nobs"] == 31 * 39


def test_frontier_distance_and_lags_are_built_by_hand_rule():
    """Hand computation: dist_frontier = yearly max of ln_a minus own; L1. is last year's value."""
    panel = catchup_panel(0.02, 0.05, 0.10)
    spec = {
        "y": "D.ln_a",
        "frontier": "ln_a",
        "talent": ["h"],
        "controls": ["L1.dist_frontier"],
        "tfp": None,
        "cov": ["clustered"],
    }
    af = build_analysis_frame(panel, None, spec, name="catchup")
    f = af.frame.set_index(["province_code", "year"])
    wide = panel.pivot(index="year", columns="province_code", values="ln_a")
    dist = (wide.max(axis=1).to_numpy()[:, None] - wide).stack()
    for (code, year), value in f["L1.dist_frontier"].items():
        assert value == pytest.approx(dist[(year - 1, code)], abs=1e-12)
    growth = wide.diff().stack()
    for (code, year), value in f["D.ln_a"].items():
        assert value == pytest.approx(growth[(year, code)], abs=1e-12)


def test_lagged_talent_recovers_the_lag_coefficient():
    """Simulated truth: y depends on x_{t-1} with slope 0.7 (noise sd 0.01); the lag-1 spec recovers it
    within 0.01, while the contemporaneous spec finds ~0 (|b| < 0.01)."""
    panel = lagged_panel(0.7)
    base = {"y": "y", "talent": ["x"], "tfp": None, "cov": ["clustered"]}
    lagged = run_spec("lag1", {**base, "lag": 1}, panel, None, SEED)
    assert lagged["regressors"] == ["L1.x"]
    assert lagged["results"]["clustered"]["params"]["L1.x"] == pytest.approx(0.7, abs=0.01)
    now = run_spec("lag0", base, panel, None, SEED)
    assert abs(now["results"]["clustered"]["params"]["x"]) < 0.05


def test_iv_with_second_lag_recovers_truth_in_a_large_sample():
    """Simulated truth beta = 1.0 with corr(u, v) = 0.8 (FE-OLS biased up by ~0.3); 100 x 150 panel:
    FE-2SLS with L2.x as instrument within 0.05 of the truth; first-stage F far above 10.

    Long T on purpose: after the within transform a lagged (predetermined, not strictly exogenous)
    instrument is correlated with the demeaned error at order 1/T (on a 400 x 30 panel the
    estimate is 0.91), the same caveat as for the study's T = 17."""
    panel = iv_panel(1.0, n_entities=100, n_periods=150)
    spec = {
        "kind": "iv",
        "y": "y",
        "talent": ["x"],
        "tfp": None,
        "cov": ["clustered"],
        "instruments": {"x": ["L2.x"]},
    }
    out = run_spec("iv", spec, panel, None, SEED)
    res = out["results"]["clustered"]
    assert res["params"]["x"] == pytest.approx(1.0, abs=0.05)
    assert res["first_stage_f"] > 100
    ols = run_spec("ols", {**spec, "kind": "panel", "instruments": None}, panel, None, SEED)
    assert ols["results"]["clustered"]["params"]["x"] > 1.15  # the bias the IV removes
    assert out["sample"]["dropped_missing"] == {"L2.x": 2 * 100}


def test_hausman_kind_reports_fe_re_and_both_tests():
    """Simulated: the effects are correlated with x (a_i includes 0.5 x̄_i), so FE and RE differ and
    the cluster-robust Hausman test rejects (p < 0.01); FE slope within 0.01 of 0.5."""
    panel = regional_slopes_panel({"East": 0.5, "Central": 0.5, "West": 0.5}, noise=0.05)
    spec = {
        "kind": "hausman",
        "y": "y",
        "talent": ["x"],
        "controls": ["c"],
        "tfp": None,
        "effects": "twoway",
        "cov": ["clustered"],
    }
    out = run_spec("fere", spec, panel, None, SEED)
    assert out["models"]["fe"]["clustered"]["params"]["x"] == pytest.approx(0.5, abs=0.01)
    assert out["models"]["re"]["clustered"]["model"] == "re"
    assert out["hausman"]["mundlak"]["p_value"] < 0.01
    assert out["hausman"]["classic"]["df"] >= 1


def test_dropped_rows_are_counted_per_variable():
    """The survey gaps (2000, 2001, 2010) remove 3 x 31 rows, counted for each variable missing there."""
    panel = regional_slopes_panel({"East": 1.0, "Central": 1.0, "West": 1.0})
    panel.loc[panel["year"].isin([2000, 2001, 2010]), "x"] = np.nan
    panel.loc[(panel["year"] == 2010), "c"] = np.nan
    out = run_spec(
        "gaps",
        {"y": "y", "talent": ["x"], "controls": ["c"], "tfp": None, "cov": ["clustered"]},
        panel,
        None,
        SEED,
    )
    s = out["sample"]
    assert s["dropped_missing"] == {"x": 93, "c": 31}
    assert s["n_dropped_missing"] == 93
    assert s["nobs"] == 620 - 93
    assert s["years_text"] == "2002–2009, 2011–2019"


def test_sample_filter_drops_groups_and_names():
    """drop: municipalities (4) and tibet (1) and a province name; years closed range."""
    panel = regional_slopes_panel({"East": 1.0, "Central": 1.0, "West": 1.0})
    spec = {
        "y": "y",
        "talent": ["x"],
        "tfp": None,
        "cov": ["clustered"],
        "sample": {"years": [2005, 2014], "drop": ["municipalities", "tibet", "广东"]},
    }
    out = run_spec("drop", spec, panel, None, SEED)
    assert out["sample"]["n_provinces"] == 31 - 6
    assert out["sample"]["n_years"] == 10
    assert (
        110000 not in out["sample"]["provinces"]
        and 540000 not in out["sample"]["provinces"]
        and 440000 not in out["sample"]["provinces"]
    )


def test_winsorising_clips_at_quantiles_of_the_filtered_sample():
    """Reference: numpy linear-interpolation quantiles of the rows inside the sample filter."""
    panel = regional_slopes_panel({"East": 1.0, "Central": 1.0, "West": 1.0})
    panel.loc[0, "x"] = 50.0  # an outlier
    spec = {
        "y": "y",
        "talent": ["x"],
        "tfp": None,
        "cov": ["clustered"],
        "winsorise": [0.01, 0.99],
        "sample": {"years": [2000, 2009]},
    }
    af = build_analysis_frame(panel, None, spec, name="w")
    inside = panel[panel["year"] <= 2009]["x"].to_numpy()
    lo, hi = np.quantile(inside, [0.01, 0.99])
    assert af.frame["x"].max() == pytest.approx(hi, abs=1e-12)
    assert af.frame["x"].min() == pytest.approx(lo, abs=1e-12)
    assert af.sample["winsorised"] == ["y", "x"]


def test_cumulated_log_components_add_up_to_the_cumulated_index():
    """Identity (Färe et al. 1994): M = EC × TC, so cum ln EC + cum ln TC = cum ln M, 0 in the first year."""
    rng = np.random.default_rng(0)
    p = province_frame()
    p["ec"] = np.exp(rng.normal(0, 0.05, len(p)))
    p["tc"] = np.exp(rng.normal(0, 0.05, len(p)))
    p["m"] = p["ec"] * p["tc"]
    p["z"] = rng.normal(0, 1, len(p))
    spec = {
        "y": "cum.ln.m",
        "talent": ["z"],
        "controls": ["cum.ln.ec", "cum.ln.tc"],
        "tfp": None,
        "cov": ["clustered"],
        "model": "pooled",
        "effects": "none",
    }
    f = build_analysis_frame(p, None, spec, name="cum").frame
    np.testing.assert_allclose(f["cum.ln.ec"] + f["cum.ln.tc"], f["cum.ln.m"], atol=1e-12)
    assert (f.loc[f["year"] == 2000, "cum.ln.m"] == 0).all()


def test_cumulated_index_starts_the_year_before_the_first_change():
    """Hand check: changes missing in the first years (no labour data) start the index later.

    x = [nan, nan, 0.1, 0.2, nan, 0.3] for 2000..2005 gives [nan, 0, 0.1, 0.3, nan, nan]:
    0 in 2001 (the base of the first change), running sum, missing from the gap on.
    """
    p = pd.DataFrame(
        {
            "province_code": 110000,
            "year": range(2000, 2006),
            "x": [np.nan, np.nan, 0.1, 0.2, np.nan, 0.3],
            "z": 1.0,
        }
    )
    from tfp_talent.study.terms import TermBuilder

    builder = TermBuilder(p, name="cum_hand", frontier="z", tfp=None)
    builder.need("cum.x")
    np.testing.assert_allclose(builder.frame["cum.x"], [np.nan, 0.0, 0.1, 0.3, np.nan, np.nan], atol=1e-15)


# --------------------------------------------------------------------------- bad specs


def test_unknown_variable_names_the_spec_and_the_variable():
    panel = regional_slopes_panel({"East": 1.0, "Central": 1.0, "West": 1.0})
    with pytest.raises(InputError, match=r"specs\.mine: .*unknown variable 'tertiary_shar'"):
        run_spec("mine", {"y": "y", "talent": ["tertiary_shar"], "tfp": None}, panel, None, SEED)
    with pytest.raises(InputError, match=r"specs\.mine2: .*unknown variable 'nope'"):
        run_spec(
            "mine2",
            {"y": "y", "talent": ["x"], "products": [["x", "L1.nope"]], "tfp": None},
            panel,
            None,
            SEED,
        )


def test_too_few_provinces_names_the_spec():
    panel = regional_slopes_panel({"East": 1.0, "Central": 1.0, "West": 1.0})
    spec = {"y": "y", "talent": ["x"], "tfp": None, "sample": {"regions": ["Central"], "min_provinces": 10}}
    with pytest.raises(InputError, match=r"specs\.central_only: .*8 province\(s\).*at least 10"):
        run_spec("central_only", spec, panel, None, SEED)
    keep = [110000, 120000, 130000, 140000]
    spec = {
        "y": "y",
        "talent": ["x"],
        "tfp": None,
        "sample": {"drop": [c for c in panel["province_code"].unique() if c not in keep]},
    }
    with pytest.raises(
        InputError, match=r"specs\.tiny: .*4 province\(s\).*\(Beijing, Tianjin, Hebei, Shanxi\)"
    ):
        run_spec("tiny", spec, panel, None, SEED)


def _threshold_spec(threshold: dict, **over) -> dict:
    """A threshold spec on the simulated panels: slope of x regime-dependent, q = c, entity effects."""
    return {
        "kind": "threshold",
        "y": "y",
        "talent": ["x"],
        "controls": ["c"],
        "tfp": None,
        "cov": ["clustered"],
        "effects": "entity",
        "threshold": {"rx": "x", "qx": "c", **threshold},
        **over,
    }


def test_unbalanced_threshold_sample_is_restricted_or_refused():
    """An unbalanced complete-case sample: 'require' names the missing province-years; 'restrict'
    drops them (and says so); when nothing balanced with enough provinces is left it stops."""
    panel = regional_slopes_panel({"East": 1.0, "Central": 1.0, "West": 1.0})
    panel.loc[(panel["province_code"] == 110000) & (panel["year"] == 2005), "x"] = np.nan
    spec = _threshold_spec({"n": 1, "bootstrap": 0, "grid": 20}, sample={"balance": "require"})
    with pytest.raises(InputError, match=r"specs\.thr: .*balanced panel.*\(Beijing, 2005\)"):
        run_spec("thr", spec, panel, None, SEED)
    spec["sample"] = {"balance": "restrict"}
    af = build_analysis_frame(panel, None, spec, name="thr")
    assert af.sample["dropped_unbalanced"]["provinces"] == [110000]
    assert af.sample["dropped_unbalanced"]["rows"] == 19
    assert af.sample["balanced"]
    # every province misses a different year: no balanced panel with >= 5 provinces remains... unless
    # years are dropped; with each year missing for some province, the greedy rule drops years, so
    # we also require >= 3 years, which fails here
    bad = panel.copy()
    for i, code in enumerate(sorted(bad["province_code"].unique())):
        bad.loc[(bad["province_code"] == code) & (bad["year"] != 2000 + (i % 2)), "x"] = np.nan
    with pytest.raises(InputError, match=r"specs\.thr: .*cannot be formed"):
        build_analysis_frame(bad, None, spec, name="thr")


def test_threshold_spec_finds_a_known_threshold():
    """Simulated truth: slope of x is 1 for c <= 0 and 3 above (noise sd 0.1); the single threshold
    is found within 0.1 of 0 and the regime slopes within 0.1; 19 bootstrap replications (seeded)."""
    rng = np.random.default_rng(11)
    p = province_frame()
    p["x"] = rng.normal(0, 1, len(p))
    p["c"] = rng.normal(0, 1, len(p))
    p["y"] = np.where(p["c"] <= 0, 1.0, 3.0) * p["x"] + rng.normal(0, 0.1, len(p))
    spec = _threshold_spec({"n": 1, "bootstrap": 19, "grid": 100, "trim": 0.05})
    out = run_spec("thr", spec, p, None, SEED)
    thr = out["threshold"]
    assert thr["thresholds"]["1"][0] == pytest.approx(0.0, abs=0.1)
    assert thr["params"]["x_r1"] == pytest.approx(1.0, abs=0.1)
    assert thr["params"]["x_r2"] == pytest.approx(3.0, abs=0.1)
    assert thr["p_value"]["1"] < 0.06  # no replication beats a true threshold this sharp
    assert thr["bootstrap"]["seed"] == SEED
    assert len(thr["year_dummies"]) == 19


def test_unknown_estimator_kind_or_cov_names_the_spec():
    with pytest.raises(InputError, match=r"specs\.s1: .*unknown estimator \(model\) 'ols'"):
        normalise_spec("s1", {"y": "y", "talent": ["x"], "model": "ols"})
    with pytest.raises(InputError, match=r"specs\.s2: .*unknown covariance type 'hac'"):
        normalise_spec("s2", {"y": "y", "talent": ["x"], "cov": ["clustered", "hac"]})
    with pytest.raises(InputError, match=r"specs\.s3: .*unknown kind 'spatio_temporal'"):
        normalise_spec("s3", {"y": "y", "talent": ["x"], "kind": "spatio_temporal"})
    with pytest.raises(InputError, match=r"specs\.s4: .*driscoll-kraay is not available for IV"):
        normalise_spec("s4", {"kind": "iv", "y": "y", "talent": ["x"], "instruments": {"x": ["L2.x"]}})
    with pytest.raises(InputError, match=r"specs\.s5: .*needs threshold\.qx"):
        normalise_spec("s5", {"kind": "threshold", "y": "y", "talent": ["x"], "threshold": {"rx": "x"}})


def test_config_check_names_specs_tables_and_variants():
    base = {"y": "y", "talent": ["x"], "cov": ["clustered"]}
    cfg = {
        "specs": {"a": base},
        "tfp": {"variants": {"alpha05": {}}},
        "tables": {"t": {"kind": "regression", "title": "T", "columns": [{"spec": "a", "cov": "clustered"}]}},
    }
    check_study_config(cfg)
    with pytest.raises(InputError, match=r"specs\.b: .*unknown TFP variant 'alpha06'"):
        check_study_config({**cfg, "specs": {"a": base, "b": {**base, "tfp": "alpha06"}}})
    bad_table = {"kind": "regression", "title": "T", "columns": [{"spec": "zz"}]}
    with pytest.raises(InputError, match=r"tables\.t.*unknown spec 'zz'"):
        check_study_config({**cfg, "tables": {"t": bad_table}})
    bad_cov = {"kind": "regression", "title": "T", "columns": [{"spec": "a", "cov": "driscoll-kraay"}]}
    with pytest.raises(InputError, match=r"does not estimate cov 'driscoll-kraay'"):
        check_study_config({**cfg, "tables": {"t": bad_cov}})


def test_balance_panel_and_year_ranges():
    """Hand-made: province 2 misses one year -> dropped; a year missing for most -> dropped instead."""
    f = pd.DataFrame({"province_code": [1, 1, 1, 2, 2, 3, 3, 3], "year": [1, 2, 3, 1, 3, 1, 2, 3]})
    out, dp, dy = balance_panel(f)
    assert dp == [2] and dy == [] and len(out) == 6
    g = pd.DataFrame({"province_code": [1, 1, 2, 2, 3, 3, 4], "year": [1, 2, 1, 2, 1, 2, 3]})
    out, dp, dy = balance_panel(g)
    assert dy == [3] and dp == [4] and len(out) == 6  # province 4 had only year 3
    assert year_ranges([2002, 2003, 2004, 2006, 2008, 2009]) == "2002–2004, 2006, 2008–2009"
