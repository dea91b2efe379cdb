"""Identification checks (issue 15): placebo leads, province trends, long differences, economic magnitudes.

References: hand-made panels whose leads are known exactly (x_t = t + 1000·i); simulated panels with a
known truth (a province-trend confounder that biases two-way FE without trends and not with them;
future talent caused by today's TFP); independent computations with numpy (least squares on explicit
dummies, the HC1 sandwich by hand, the Wald statistic by hand) and scipy (t quantiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from study_sim import province_frame

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.study.identification import identification_rows, magnitude, magnitudes_table_from_config
from tfp_talent.study.labels import term_label
from tfp_talent.study.report_identification import identification_context
from tfp_talent.study.run import run_spec
from tfp_talent.study.spec import normalise_spec
from tfp_talent.study.terms import TermBuilder, base_columns
from tfp_talent.study.transforms import entity_trends, long_differences, within_sd

SEED = 7


# --------------------------------------------------------------------------- leads in the term grammar


def _gappy() -> pd.DataFrame:
    """Two entities, x_t = t + 1000·i; entity 1 lacks 2003 (a gap), entity 2 is complete 2001-2005."""
    rows = [(1, t) for t in (2001, 2002, 2004, 2005)] + [(2, t) for t in range(2001, 2006)]
    f = pd.DataFrame(rows, columns=["province_code", "year"])
    f["x"] = (f["year"] + 1000 * f["province_code"]).astype(float)
    return f


def test_leads_are_the_value_k_years_later_and_missing_across_gaps():
    """Hand values: F1.x at t is x at t+1 of the same entity; 2002 of entity 1 has no 2003, so missing."""
    b = TermBuilder(_gappy(), name="leads", frontier="x", tfp=None)
    b.need("F1.x")
    b.need("F2.x")
    b.need("F.x")
    f = b.frame
    nan = np.nan
    np.testing.assert_array_equal(f["F1.x"], [3002.0, nan, 3005.0, nan, 4002.0, 4003.0, 4004.0, 4005.0, nan])
    np.testing.assert_array_equal(f["F2.x"], [nan, 3004.0, nan, nan, 4003.0, 4004.0, 4005.0, nan, nan])
    np.testing.assert_array_equal(f["F.x"], f["F1.x"])
    assert b.definitions["F2.x"] == "x 2 years ahead (lead)"


def test_lead_in_any_row_order_equals_the_sorted_result():
    f = _gappy()
    shuffled = f.sample(frac=1.0, random_state=1).reset_index(drop=True)
    got = within.lead(shuffled["province_code"], shuffled["year"], shuffled["x"], 1)
    expect = np.where(
        shuffled.apply(
            lambda r: ((f["province_code"] == r.province_code) & (f["year"] == r.year + 1)).any(), axis=1
        ),
        shuffled["x"] + 1,
        np.nan,
    )
    np.testing.assert_array_equal(got, expect)


def test_lead_grammar_shares_the_lag_bound_labels_and_base_columns():
    assert within.parse_lead("F.x") == (1, "x")
    assert within.parse_lead("F12.ln.y") == (12, "ln.y")
    assert within.parse_lead("x") is None and within.parse_lead("Fx") is None
    with pytest.raises(InputError, match=rf"lead order must be between 1 and {within.MAX_LAG}"):
        within.parse_lead(f"F{within.MAX_LAG + 1}.x")
    assert term_label("F2.x", {"x": "X"}) == "X, t+2"
    assert base_columns("F2.ln.x×L.z") == ["x", "z"]


def test_leads_option_adds_lead_terms_and_a_joint_wald_test_equal_to_a_hand_computation():
    """``leads: 2`` = talent at t+1 and t+2; the joint test equals b'V⁻¹b/q with F(q, G − 1) by hand."""
    rng = np.random.default_rng(11)
    p = province_frame(range(1990, 2020)).sort_values(["province_code", "year"]).reset_index(drop=True)
    p["x"] = rng.normal(0, 1, len(p))
    a = p["province_code"].map(dict(zip(p["province_code"].unique(), rng.normal(0, 1, 31), strict=True)))
    p["y"] = a + 0.05 * (p["year"] - 1990) + 0.5 * p["x"] + rng.normal(0, 0.1, len(p))
    r = run_spec(
        "placebo", {"y": "y", "talent": ["x"], "tfp": None, "cov": ["clustered"], "leads": 2}, p, None, SEED
    )
    assert r["roles"]["talent"] == ["x", "F1.x", "F2.x"]
    res = r["results"]["clustered"]
    assert res["nobs"] == 31 * 28  # the last two years have no t+2
    assert res["params"]["x"] == pytest.approx(0.5, abs=0.02)  # truth 0.5, noise sd 0.1, N = 868
    jt = res["joint_tests"]["leads"]
    names = ["F1.x", "F2.x"]
    b = np.array([res["params"][n] for n in names])
    v = pd.DataFrame(res["cov"]).loc[names, names].to_numpy()
    f_hand = float(b @ np.linalg.solve(v, b)) / 2
    assert jt["f_stat"] == pytest.approx(f_hand, rel=1e-10)
    assert jt["p_value"] == pytest.approx(stats.f.sf(f_hand, 2, 30), rel=1e-10)
    assert jt["df"] == 2 and jt["df_denom"] == 30.0
    assert jt["p_value"] > 0.01  # true leads are 0: the placebo passes (a 1% test)


def test_placebo_leads_detect_feedback_from_tfp_to_future_talent():
    """Simulated reverse causality: x_{t+1} = 0.8·y_t + noise and y has no effect of x: the lead of x is
    strongly significant (joint p < 1e-6), the contemporaneous slope is biased away from 0 without leads."""
    rng = np.random.default_rng(12)
    p = province_frame(range(1990, 2020)).sort_values(["province_code", "year"]).reset_index(drop=True)
    n_t = 30
    y = rng.normal(0, 1, (31, n_t))
    x = np.zeros((31, n_t))
    x[:, 0] = rng.normal(0, 1, 31)
    x[:, 1:] = 0.8 * y[:, :-1] + rng.normal(0, 0.3, (31, n_t - 1))
    p["x"], p["y"] = x.reshape(-1), y.reshape(-1)
    r = run_spec(
        "fb", {"y": "y", "talent": ["x"], "tfp": None, "cov": ["clustered"], "leads": 1}, p, None, SEED
    )
    res = r["results"]["clustered"]
    assert res["joint_tests"]["leads"]["p_value"] < 1e-6
    assert res["params"]["F1.x"] > 0.5  # y_t = (x_{t+1} - e)/0.8: slope near 0.8/(0.64 + 0.09) ≈ 1.1


# --------------------------------------------------------------------------- province trends


def _trend_confounded(beta: float = 0.3, seed: int = 13) -> pd.DataFrame:
    """y = a_i + l_t + beta·x + g_i·t + e, x = 2·g_i·t + u: x and y share province trends g_i (the confounder)."""
    rng = np.random.default_rng(seed)
    p = province_frame(range(2000, 2020)).sort_values(["province_code", "year"]).reset_index(drop=True)
    codes = p["province_code"].unique()
    g = p["province_code"].map(dict(zip(codes, rng.normal(0, 0.05, 31), strict=True))).to_numpy()
    a = p["province_code"].map(dict(zip(codes, rng.normal(0, 1, 31), strict=True))).to_numpy()
    lam = p["year"].map(dict(zip(range(2000, 2020), rng.normal(0, 0.2, 20), strict=True))).to_numpy()
    t = (p["year"] - 2000).to_numpy(dtype=float)
    p["x"] = 2.0 * g * t + rng.normal(0, 0.05, len(p))
    p["y"] = a + lam + beta * p["x"] + g * t + rng.normal(0, 0.01, len(p))
    p.loc[p["year"] == 2010, "x"] = np.nan  # a survey gap, as the real panel
    return p


def test_province_trends_remove_a_trend_confounder_that_biases_two_way_fe():
    """Truth beta = 0.3. Without trends two-way FE picks up the shared trend (plim near 0.3 + 0.5 = 0.8);
    with ``trends: entity`` the estimate is within 0.02 of 0.3 (x noise 0.05, y noise 0.01)."""
    p = _trend_confounded()
    spec = {"y": "y", "talent": ["x"], "tfp": None, "cov": ["clustered"]}
    plain = run_spec("plain", spec, p, None, SEED)["results"]["clustered"]["params"]["x"]
    trended = run_spec("trends", {**spec, "trends": "entity"}, p, None, SEED)
    assert abs(plain - 0.3) > 0.3
    assert trended["results"]["clustered"]["params"]["x"] == pytest.approx(0.3, abs=0.02)
    tr = trended["sample"]["trends"]
    assert len(tr["terms"]) == 30 and tr["reference"] == min(p["province_code"])


def test_province_trend_slope_equals_least_squares_on_explicit_dummies():
    """Independent reference: numpy lstsq of y on x, province dummies, year dummies and province × t (all
    but one province's trend), to 1e-8."""
    p = _trend_confounded(seed=14).dropna().reset_index(drop=True)
    r = run_spec(
        "trends",
        {"y": "y", "talent": ["x"], "tfp": None, "cov": ["clustered"], "trends": "entity"},
        p,
        None,
        SEED,
    )
    d_i = pd.get_dummies(p["province_code"], dtype=float).to_numpy()
    d_t = pd.get_dummies(p["year"], dtype=float).to_numpy()[:, 1:]
    t = p["year"].to_numpy(dtype=float)
    trends = d_i[:, 1:] * t[:, None]
    X = np.column_stack([p["x"].to_numpy(), d_i, d_t, trends])
    coef = np.linalg.lstsq(X, p["y"].to_numpy(), rcond=None)[0]
    assert r["results"]["clustered"]["params"]["x"] == pytest.approx(coef[0], abs=1e-8)


def test_entity_trends_columns_by_hand():
    f = pd.DataFrame({"id": [1, 1, 2, 2], "t": [2000, 2002, 2000, 2002]})
    out, names = entity_trends(f, entity="id", time="t", drop_first=False)
    assert names == ["trend:1", "trend:2"]
    np.testing.assert_array_equal(out["trend:1"], [-1.0, 1.0, 0.0, 0.0])  # t − mean(t) = t − 2001
    np.testing.assert_array_equal(out["trend:2"], [0.0, 0.0, -1.0, 1.0])
    assert entity_trends(f, entity="id", time="t", drop_first=True)[1] == ["trend:2"]


# --------------------------------------------------------------------------- long differences


def test_long_differences_by_hand():
    """Entity 1: x early (2000, 2001) = 1, 3 (mean 2), late (2003) = 10: Δ = 8; entity 3 has no late row: dropped."""
    f = pd.DataFrame(
        {
            "id": [1, 1, 1, 2, 2, 2, 3],
            "t": [2000, 2001, 2003, 2000, 2003, 2004, 2000],
            "x": [1.0, 3.0, 10.0, 5.0, 6.0, 8.0, 1.0],
        }
    )
    out, info = long_differences(f, ["x"], [[2000, 2001], [2003, 2004]], entity="id", time="t")
    assert out["id"].tolist() == [1, 2]
    np.testing.assert_array_equal(out["x"], [8.0, 2.0])  # 10 − 2; (6 + 8)/2 − 5
    assert info["dropped"] == [3] and info["rows"]["1"] == [2, 1]
    with pytest.raises(InputError, match="ordered and disjoint"):
        long_differences(f, ["x"], [[2000, 2003], [2003, 2004]], entity="id", time="t")


def test_long_difference_spec_equals_ols_with_hc1_on_hand_computed_differences():
    """Independent reference: period means by pandas, OLS of Δȳ on (1, Δx̄, Δc̄) by lstsq, HC1 = N/(N−k)·HC0 by hand."""
    rng = np.random.default_rng(15)
    p = province_frame(range(2002, 2020)).sort_values(["province_code", "year"]).reset_index(drop=True)
    p["x"] = rng.normal(0, 1, len(p)) + 0.1 * (p["year"] - 2002)
    p["c"] = rng.normal(0, 1, len(p))
    p["y"] = 0.7 * p["x"] - 0.2 * p["c"] + rng.normal(0, 0.5, len(p))
    p.loc[p["year"] == 2010, "x"] = np.nan
    spec = {
        "y": "y",
        "talent": ["x"],
        "controls": ["c"],
        "tfp": None,
        "model": "pooled",
        "effects": "none",
        "cov": ["robust"],
        "long_difference": {"periods": [[2002, 2009], [2011, 2019]]},
    }
    r = run_spec("ld", spec, p, None, SEED)
    res = r["results"]["robust"]
    q = p.dropna()
    early = q[q["year"].between(2002, 2009)].groupby("province_code")[["y", "x", "c"]].mean()
    late = q[q["year"].between(2011, 2019)].groupby("province_code")[["y", "x", "c"]].mean()
    d = late - early
    X = np.column_stack([np.ones(31), d["x"], d["c"]])
    b = np.linalg.lstsq(X, d["y"].to_numpy(), rcond=None)[0]
    e = d["y"].to_numpy() - X @ b
    xtx_inv = np.linalg.inv(X.T @ X)
    hc0 = xtx_inv @ (X.T * e**2) @ X @ xtx_inv
    se = np.sqrt(np.diag(hc0 * 31 / (31 - 3)))
    assert res["nobs"] == 31 and r["sample"]["nobs"] == 31
    assert res["params"]["x"] == pytest.approx(b[1], abs=1e-10)
    assert res["params"]["c"] == pytest.approx(b[2], abs=1e-10)
    assert res["std_errors"]["x"] == pytest.approx(se[1], rel=1e-8)
    assert r["sample"]["long_difference"]["periods"] == [[2002, 2009], [2011, 2019]]
    assert r["sample"]["sd"]["x"] == pytest.approx(d["x"].std(ddof=1), rel=1e-12)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"trends": "entity", "model": "pooled", "effects": "none"}, "trends need model 'fe'"),
        ({"long_difference": {"periods": [[2002, 2009], [2011, 2019]]}}, "use model 'pooled'"),
        (
            {
                "long_difference": {"periods": [[2002, 2009], [2011, 2019]]},
                "model": "pooled",
                "cov": ["driscoll-kraay"],
            },
            "needs a time dimension",
        ),
        (
            {"long_difference": {"periods": [[2002, 2012], [2011, 2019]]}, "model": "pooled"},
            "ordered and disjoint",
        ),
        ({"trends": "entity", "kind": "hausman"}, "'trends' is only used by kind 'panel'"),
        ({"leads": -1}, "leads must be >= 0"),
    ],
)
def test_bad_check_options_name_the_spec(extra, message):
    with pytest.raises(InputError, match=rf"specs\.bad: .*{message}"):
        normalise_spec("bad", {"y": "y", "talent": ["x"], **extra})


# --------------------------------------------------------------------------- magnitudes


def test_within_sd_is_xtsum_within():
    """Hand: entity 1 x = 1, 3 (mean 2), entity 2 x = 10, 14, 12 (mean 12): deviations −1, 1, −2, 2, 0;
    SD = sqrt(10 / 4)."""
    f = pd.DataFrame({"id": [1, 1, 2, 2, 2], "x": [1.0, 3.0, 10.0, 14.0, 12.0]})
    assert within_sd(f, ["x"], entity="id")["x"] == pytest.approx(np.sqrt(10 / 4), rel=1e-14)


def test_magnitude_is_beta_times_within_sd_with_the_t_g_minus_1_interval():
    """Independent reference: b·SD_w ± t_{0.975}(G − 1)·se·SD_w (scipy), SD_w recomputed from the data; % = 100(e^x − 1)."""
    p = _trend_confounded(seed=16)
    p["ln_y"] = p["y"]
    r = run_spec("m", {"y": "ln_y", "talent": ["x"], "tfp": None, "cov": ["clustered"]}, p, None, SEED)
    res = r["results"]["clustered"]
    m = magnitude(res, r, "x")
    q = p.dropna()
    sd = np.sqrt(((q["x"] - q.groupby("province_code")["x"].transform("mean")) ** 2).sum() / (len(q) - 1))
    b, se = res["params"]["x"], res["std_errors"]["x"]
    crit = stats.t.ppf(0.975, 30)
    assert m["sd"] == pytest.approx(sd, rel=1e-12)
    assert m["effect"] == pytest.approx(b * sd, rel=1e-12)
    assert m["ci"] == pytest.approx([(b - crit * se) * sd, (b + crit * se) * sd], rel=1e-9)
    assert m["pct"] == pytest.approx(100 * np.expm1(b * sd), rel=1e-12)
    assert m["df"] == 30.0


def test_magnitudes_table_identification_rows_and_report_text():
    """The table kind builds from results; the identification rows appear only for the columns that have a check;
    the report keys exist with and without the checks."""
    p = _trend_confounded(seed=17)
    p["ln_y"] = p["y"]
    base = {"y": "ln_y", "talent": ["x"], "tfp": None, "cov": ["clustered"]}
    results = {
        "baseline": run_spec("baseline", {**base, "label": "Baseline"}, p, None, SEED),
        "tr": run_spec("tr", {**base, "trends": "entity"}, p, None, SEED),
        "ld": run_spec("ld", {**base, "leads": 1}, p, None, SEED),
    }
    entry = {"kind": "magnitudes", "title": "M", "columns": [{"spec": "baseline"}, {"spec": "tr"}]}
    table = magnitudes_table_from_config("magnitudes", entry, results, {})
    rows = {r[0]: r[1:] for r in table.rows()}
    m = magnitude(results["tr"]["results"]["clustered"], results["tr"], "x")
    assert rows["Effect of +1 SD on ln_y"][1] == f"{m['effect']:.4f}"
    assert "Effect of +1 SD on TFP (%)" in rows
    picked = [results[k]["results"]["clustered"] for k in results]
    extra = dict(identification_rows(picked, list(results.values())))
    assert extra["Province linear trends"] == ["No", "Yes", "No"]
    assert extra["Leads jointly zero, p"][:2] == ["", ""] and extra["Leads jointly zero, p"][2] != ""
    cfg = {"report": {"headline": {"spec": "baseline", "cov": "clustered"}}}
    ctx = identification_context(cfg, results, {})
    b_tr = results["tr"]["results"]["clustered"]["params"]["x"]
    assert f"x {b_tr:.3f} (SE" in ctx["identification_trends"]
    assert ctx["identification_long_difference"] == "This check was not estimated in this run."
    assert f"{m['sd']:.4f}" in ctx["magnitudes_text"]


def test_overall_f_is_missing_when_the_cluster_covariance_is_rank_deficient():
    """With 30 trend terms and 31 clusters the clustered V of 31 slopes has rank <= 30: no overall F (as Stata);
    the baseline-sized model (1 slope) keeps its F = t²."""
    p = _trend_confounded(seed=18)
    spec = {"y": "y", "talent": ["x"], "tfp": None, "cov": ["clustered"]}
    trended = run_spec("trends", {**spec, "trends": "entity"}, p, None, SEED)["results"]["clustered"]
    assert trended["f_stat"] is None or np.isnan(trended["f_stat"])
    plain = run_spec("plain", spec, p, None, SEED)["results"]["clustered"]
    assert plain["f_stat"] == pytest.approx(plain["tstats"]["x"] ** 2, rel=1e-10)
