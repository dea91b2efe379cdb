"""The hypotheses table (tfp_talent.study.hypotheses): each statistic and each decision rule checked on small
synthetic results dicts (the structure of reports/results/<spec>.json) against hand computation.

References: the rules as stated in config/config.yaml (``hypotheses:``) and the module docstring;
Student t quantiles from scipy (the t(G − 1) fallback interval); Var(c'b) = c'Vc for the
difference of standardised effects, computed here term by term. Tolerances: 1e-12 relative
(the same arithmetic in a different order). The last test builds the table from the real results
(``TFP_TALENT_RESULTS``, default reports/results) and applies an independent copy of the rule to
every row.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml
from hypotheses_sim import (
    CONTROL,
    DF,
    QUALITY,
    SD,
    STOCK,
    coef_claim,
    config,
    fe_result,
    real_results,
    rule_by_hand,
    spec_result,
    wb_entry,
)
from scipy import stats

from tfp_talent.errors import InputError
from tfp_talent.study.hypotheses import (
    CLAIM_DEFAULTS,
    HYPOTHESES_DEFAULTS,
    evaluate,
    hypotheses_table,
    sentence,
)
from tfp_talent.study.tables import build_table, table_entry

SCHEMA = Path(__file__).resolve().parents[2] / "config" / "schema.yaml"

REL = 1e-12


def one(cfg, results):
    (v,) = evaluate(cfg, results, {})
    return v


def t_interval(b, se, level=0.95, df=DF):
    q = stats.t.ppf(0.5 + level / 2, df)
    return b - q * se, b + q * se


# --------------------------------------------------------------------------- coefficient


@pytest.mark.parametrize(
    ("b", "se", "sign"),
    [(0.5, 0.2, "positive"), (0.5, 0.2, "negative"), (0.3, 0.2, "positive"), (-0.6, 0.25, "negative")],
)
def test_coefficient_t_fallback_interval_and_verdict(b, se, sign):
    """No wild bootstrap stored: b·s_w·100 with the t(30) interval; verdict from that interval."""
    res = fe_result(
        {STOCK: b, CONTROL: 0.1}, {STOCK: se, CONTROL: 0.05}, pvalues={STOCK: 0.0185, CONTROL: 0.1}
    )
    v = one(config({"stock": coef_claim(sign=sign)}), {"baseline": spec_result("baseline", res)})
    lo, hi = t_interval(b, se)
    k = SD[STOCK] * 100
    assert v.evidence.estimate == pytest.approx(b * k, rel=REL)
    assert v.evidence.ci == pytest.approx((lo * k, hi * k), rel=REL)
    assert v.evidence.p == 0.0185  # the stored cluster-robust p, passed through
    assert v.evidence.unit == "%" and v.evidence.inference == "cluster-robust t(30)"
    assert v.verdict == rule_by_hand(lo, hi, sign)


def test_t_quantile_is_students_t_with_g_minus_1_df_and_normal_without_df():
    """t(30) at 95%: 2.0423 (tables); df missing -> normal 1.95996; level 0.90 -> t(30) 1.6973."""
    res = fe_result({STOCK: 1.0}, {STOCK: 0.1})
    claim = coef_claim(scale="none", display="number")
    v = one(config({"c": claim}), {"baseline": spec_result("baseline", res)})
    assert v.evidence.ci[1] - 1.0 == pytest.approx(0.1 * 2.0423, abs=1e-5)
    v90 = one(config({"c": claim}, level=0.90), {"baseline": spec_result("baseline", res)})
    assert v90.evidence.ci[1] - 1.0 == pytest.approx(0.1 * 1.6973, abs=1e-5)
    res_z = fe_result({STOCK: 1.0}, {STOCK: 0.1}, df=None)
    vz = one(config({"c": claim}), {"baseline": spec_result("baseline", res_z)})
    assert vz.evidence.ci[1] - 1.0 == pytest.approx(0.1 * 1.959964, abs=1e-6)
    assert vz.evidence.inference == "cluster-robust z"


def test_scale_none_leaves_the_coefficient_and_scale_within_sd_multiplies_by_the_stored_sd():
    res = fe_result({STOCK: 0.5}, {STOCK: 0.2})
    results = {"baseline": spec_result("baseline", res, within_sd={STOCK: 0.0371})}
    raw = one(config({"c": coef_claim(scale="none", display="number")}), results)
    std = one(config({"c": coef_claim(scale="within_sd", display="number")}), results)
    assert raw.evidence.estimate == 0.5
    assert std.evidence.estimate == pytest.approx(0.5 * 0.0371, rel=REL)
    assert std.evidence.ci == pytest.approx(tuple(c * 0.0371 for c in raw.evidence.ci), rel=REL)
    assert "× within-province SD" in std.evidence.what and "×" not in raw.evidence.what


@pytest.mark.parametrize(
    ("b", "se", "wb_ci", "wb_p", "expected"),
    [
        (0.5, 0.2, [-0.05, 1.1], 0.07, "inconclusive"),  # t interval excludes 0, the bootstrap's does not
        (0.3, 0.2, [0.01, 0.6], 0.04, "supported"),  # and the other way round
        (0.3, 0.2, [-0.9, -0.02], 0.04, "not supported"),
    ],
)
def test_coefficient_uses_the_stored_wild_bootstrap(b, se, wb_ci, wb_p, expected):
    """results.clustered.extra.wild_bootstrap.<term>: its p and interval replace the t ones."""
    extra = {"wild_bootstrap": {STOCK: wb_entry(wb_p, wb_ci)}}
    res = fe_result({STOCK: b}, {STOCK: se}, pvalues={STOCK: 0.001}, extra=extra)
    v = one(config({"stock": coef_claim()}), {"baseline": spec_result("baseline", res)})
    k = SD[STOCK] * 100
    assert v.evidence.estimate == pytest.approx(b * k, rel=REL)
    assert v.evidence.ci == pytest.approx((wb_ci[0] * k, wb_ci[1] * k), rel=REL)
    assert v.evidence.p == wb_p
    assert "Webb weights" in v.evidence.inference and "9,999 reps" in v.evidence.inference
    assert v.verdict == expected == rule_by_hand(*wb_ci, "positive")


@pytest.mark.parametrize(
    ("p", "b", "expected"),
    [(0.01, 0.4, "supported"), (0.01, -0.4, "not supported"), (0.2, 0.4, "inconclusive")],
)
def test_sign_rule_without_interval_uses_p_and_the_sign_of_the_estimate(p, b, expected):
    """A bootstrap entry without conf_int: supported iff p < 1 − level and b has the predicted sign."""
    extra = {"wild_bootstrap": {STOCK: wb_entry(p, None)}}
    res = fe_result({STOCK: b}, {STOCK: 0.2}, extra=extra)
    v = one(config({"stock": coef_claim()}), {"baseline": spec_result("baseline", res)})
    assert v.evidence.ci is None and v.evidence.p == p
    assert v.verdict == expected


def test_a_bootstrap_entry_without_p_value_falls_back_to_t():
    extra = {
        "wild_bootstrap": {STOCK: {"p_value": None, "conf_int": [1.0, 2.0], "reps": 9, "weights": "webb"}}
    }
    res = fe_result({STOCK: 0.5}, {STOCK: 0.2}, extra=extra)
    v = one(
        config({"stock": coef_claim(scale="none", display="number")}),
        {"baseline": spec_result("baseline", res)},
    )
    assert v.evidence.ci == pytest.approx(t_interval(0.5, 0.2), rel=REL)
    assert v.evidence.inference == "cluster-robust t(30)"


# --------------------------------------------------------------------------- sd_difference

# V of (quality, stock, control), covariances non-zero so that c'Vc picks the right entries
V = {
    QUALITY: {QUALITY: 0.0022, STOCK: 0.003, CONTROL: 0.0004},
    STOCK: {QUALITY: 0.003, STOCK: 0.18, CONTROL: -0.002},
    CONTROL: {QUALITY: 0.0004, STOCK: -0.002, CONTROL: 0.01},
}
B = {QUALITY: 0.09, STOCK: -0.6, CONTROL: 0.12}


def diff_claim():
    return {
        "claim": "Quality matters more than quantity",
        "statistic": "sd_difference",
        "spec": "baseline",
        "cov": "clustered",
        "terms": [QUALITY, STOCK],
        "display": "percent",
        "sign": "positive",
    }


def diff_result(extra=None):
    se = {t: math.sqrt(V[t][t]) for t in B}
    return spec_result("baseline", fe_result(B, se, cov=V, extra=extra))


def test_sd_difference_by_hand_with_t_and_wald():
    """d = b_q s_q − b_s s_s; Var(d) = s_q² V_qq + s_s² V_ss − 2 s_q s_s V_qs; t(30) interval; Wald p = 2 P(t30 > |d/se|)."""
    sq, ss = SD[QUALITY], SD[STOCK]
    d = B[QUALITY] * sq - B[STOCK] * ss
    se = math.sqrt(sq**2 * V[QUALITY][QUALITY] + ss**2 * V[STOCK][STOCK] - 2 * sq * ss * V[QUALITY][STOCK])
    lo, hi = t_interval(d, se)
    p = 2 * stats.t.sf(abs(d / se), DF)
    v = one(config({"qs": diff_claim()}), {"baseline": diff_result()})
    assert v.evidence.estimate == pytest.approx(100 * d, rel=REL)
    assert v.evidence.ci == pytest.approx((100 * lo, 100 * hi), rel=1e-10)
    assert v.evidence.p == pytest.approx(p, rel=1e-8)
    assert v.evidence.inference.startswith("cluster-robust t(30)")
    assert v.verdict == rule_by_hand(lo, hi, "positive") == "supported"


def test_sd_difference_uses_the_stored_contrast_bootstrap():
    """extra.wild_bootstrap_contrasts["a - b"] (in units of d): its p and interval; a term's own entry is not used."""
    extra = {
        "wild_bootstrap": {QUALITY: wb_entry(0.001, [0.05, 0.1])},
        "wild_bootstrap_contrasts": {f"{QUALITY} - {STOCK}": wb_entry(0.2, [-0.01, 0.15], reps=999)},
    }
    v = one(config({"qs": diff_claim()}), {"baseline": diff_result(extra)})
    d = B[QUALITY] * SD[QUALITY] - B[STOCK] * SD[STOCK]
    assert v.evidence.estimate == pytest.approx(100 * d, rel=REL)
    assert v.evidence.ci == pytest.approx((-1.0, 15.0), rel=REL)
    assert v.evidence.p == 0.2
    assert "999 reps" in v.evidence.inference
    assert v.verdict == "inconclusive"


# --------------------------------------------------------------------------- equal_slopes, spatial, threshold


def slopes_results(p):
    vars_ = [f"{STOCK}:{r}" for r in ("East", "Central", "West")]
    tests = {f"equal_slopes[{STOCK}]": {"df": 2, "f_stat": 4.6, "p_value": p, "variables": vars_}}
    res = fe_result(dict(zip(vars_, (-0.5, -2.5, 0.3), strict=True)), dict.fromkeys(vars_, 0.5), tests=tests)
    return {"het_region": spec_result("het_region", res, label="Region slopes")}


def slopes_claim():
    return {
        "claim": "Slopes differ",
        "statistic": "equal_slopes",
        "spec": "het_region",
        "cov": "clustered",
        "terms": [STOCK],
        "rule": "test",
    }


@pytest.mark.parametrize(
    ("p", "p_max", "expected"),
    [
        (0.018, 0.10, "supported"),
        (0.3, 0.10, "inconclusive"),
        (0.018, 0.01, "inconclusive"),
        (0.99, 0.10, "inconclusive"),
    ],
)
def test_equal_slopes_test_rule(p, p_max, expected):
    """Rule test: supported iff p < p_max; failing to reject is inconclusive, never 'not supported'."""
    v = one(config({"r": slopes_claim()}, p_max=p_max), slopes_results(p))
    assert v.evidence.estimate == 4.6 and v.evidence.ci is None and v.evidence.p == p
    assert v.evidence.inference.startswith("Wald F(2, 30)")
    assert "East -0.500" in v.evidence.detail and "Central -2.500" in v.evidence.detail
    assert v.verdict == expected


def spatial_results():
    indirect = {"estimate": -4.0, "ci_sim": [-5.8, -2.7], "ci_delta": [-5.6, 0.2]}
    east = {"estimate": -0.95, "ci_sim": [-1.5, 0.1]}
    return {
        "sdm": spec_result(
            "sdm", label="SDM", spatial={"fit": {"effects_table": {STOCK: {"indirect": indirect}}}}
        ),
        "sdm_east": spec_result(
            "sdm_east",
            label="SDM east",
            spatial={"region_effects": {"effects": {STOCK: {"East": {"outside": east}}}}},
        ),
    }


def spatial_claim(verdict, sign="negative"):
    return {
        "claim": "Siphon",
        "statistic": "spatial",
        "verdict": verdict,
        "scale": "within_sd",
        "display": "percent",
        "sign": sign,
    }


SPATIAL_RULE = {
    "spatial": {
        "spec": "sdm",
        "variable": STOCK,
        "effect": "indirect",
        "ci": "sim",
        "east": {"spec": "sdm_east", "region": "East", "effect": "outside"},
    }
}


@pytest.mark.parametrize(
    ("verdict", "sign", "ci_kind", "est", "ci", "expected"),
    [
        ("preferred", "negative", "sim", -4.0, (-5.8, -2.7), "supported"),
        ("preferred", "positive", "sim", -4.0, (-5.8, -2.7), "not supported"),
        ("preferred", "negative", "delta", -4.0, (-5.6, 0.2), "inconclusive"),
        ("east", "negative", "sim", -0.95, (-1.5, 0.1), "inconclusive"),
    ],
)
def test_spatial_reads_the_rule_of_verdicts_spatial(verdict, sign, ci_kind, est, ci, expected):
    """Preferred: fit.effects_table.<var>.<effect> with ci_<ci>; east: region_effects ... outside, ci_sim; × s_w × 100."""
    rule = {"spatial": {**SPATIAL_RULE["spatial"], "ci": ci_kind}}
    cfg = config({"s": spatial_claim(verdict, sign)}, verdicts=rule)
    v = one(cfg, spatial_results())
    k = SD[STOCK] * 100
    assert v.evidence.estimate == pytest.approx(est * k, rel=REL)
    assert v.evidence.ci == pytest.approx((ci[0] * k, ci[1] * k), rel=REL)
    assert v.evidence.p is None
    assert v.verdict == expected == rule_by_hand(*ci, sign)
    assert v.spec == ("sdm_east" if verdict == "east" else "sdm")


def threshold_results(p):
    thr = {
        "thresholds": {"1": [9.6]},
        "ci": {"1": [[9.5, 9.7]]},
        "p_value": {"1": p},
        "f_stat": {"1": 48.0},
        "bootstrap": {"replications": {"1": 300}},
        "threshold_variable": QUALITY,
    }
    return {"threshold": spec_result("threshold", label="Threshold", threshold=thr)}


THRESHOLD_CLAIM = {"claim": "A threshold", "statistic": "threshold_test", "spec": "threshold", "rule": "test"}


@pytest.mark.parametrize(("p", "expected"), [(0.12, "inconclusive"), (0.05, "supported")])
def test_threshold_test_uses_the_bootstrap_p_of_one_against_no_threshold(p, expected):
    v = one(config({"t": THRESHOLD_CLAIM}), threshold_results(p))
    assert v.evidence.estimate == 9.6 and v.evidence.ci == (9.5, 9.7) and v.evidence.p == p
    assert v.evidence.inference == "bootstrap, 300 reps"
    assert v.verdict == expected


@pytest.mark.parametrize("claim", [THRESHOLD_CLAIM, slopes_claim()])
def test_sign_rule_is_refused_for_a_statistic_without_sign(claim):
    """A γ̂ interval excludes 0 by construction: rule sign on a threshold would always say 'supported'."""
    results = {**threshold_results(0.5), **slopes_results(0.5)}
    with pytest.raises(InputError, match=r"hypotheses\.claims\.x.*rule: test"):
        evaluate(config({"x": {**claim, "rule": "sign"}}), results, {})


# --------------------------------------------------------------------------- errors


def _base_results():
    return {"baseline": spec_result("baseline", fe_result({STOCK: 0.5}, {STOCK: 0.2}))}


@pytest.mark.parametrize(
    ("claim", "results", "message"),
    [
        (coef_claim(spec="nowhere"), _base_results(), "no results file for spec 'nowhere'"),
        (coef_claim(term="no_such_term"), _base_results(), "no coefficient 'no_such_term'"),
        ({k: v for k, v in coef_claim().items() if k != "spec"}, _base_results(), "needs the key 'spec'"),
        ({k: v for k, v in coef_claim().items() if k != "terms"}, _base_results(), "'terms'"),
        ({**diff_claim(), "terms": [QUALITY]}, {"baseline": diff_result()}, "needs 2 term"),
        ({**diff_claim(), "terms": [QUALITY, "nope"]}, {"baseline": diff_result()}, "no coefficient 'nope'"),
        (
            coef_claim(),
            {"baseline": spec_result("baseline", fe_result({STOCK: 0.5}, {STOCK: 0.2}), within_sd={})},
            "within-province SD",
        ),
        ({**coef_claim(), "statistic": "median"}, _base_results(), "unknown statistic 'median'"),
        ({**slopes_claim(), "terms": [QUALITY]}, slopes_results(0.1), "no test of equal regional slopes"),
        ({**THRESHOLD_CLAIM, "spec": "baseline"}, _base_results(), "not a threshold spec"),
        (spatial_claim("preferred"), spatial_results(), "verdicts.spatial"),
    ],
)
def test_bad_claims_raise_input_error_naming_the_claim(claim, results, message):
    with pytest.raises(InputError) as err:
        evaluate(config({"my_claim": claim}), results, {})
    assert "hypotheses.claims.my_claim" in str(err.value)
    assert message in str(err.value)


def test_table_kind_requires_the_hypotheses_section():
    with pytest.raises(InputError, match=r"tables\.hyp"):
        hypotheses_table("hyp", {"title": "H", "hypotheses": None}, {}, {})


def test_defaults_equal_the_schema_defaults():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))["properties"]["hypotheses"]["properties"]
    for key, value in HYPOTHESES_DEFAULTS.items():
        assert schema[key]["default"] == value
    claim = schema["claims"]["additionalProperties"]["properties"]
    for key, value in CLAIM_DEFAULTS.items():
        assert claim[key]["default"] == value


# --------------------------------------------------------------------------- the real table

_NUM = r"-?\d+(?:,\d{3})*(?:\.\d+)?"


def test_real_table_has_one_row_per_claim_and_its_verdicts_follow_the_rule():
    """Independent rule on each row's own printed interval / p (full precision when a bound prints as 0)."""
    cfg, claims, results = real_results()
    labels = cfg["report"]["labels"]
    table = build_table("hypotheses", table_entry(cfg, "hypotheses"), results=results, labels=labels)
    rows = table.rows()
    assert [r[0] for r in rows] == [c["claim"] for c in claims.values()]
    precise = {v.claim: v.evidence for v in evaluate(cfg, results, labels)}
    hyp = cfg["hypotheses"]
    p_max, level = hyp.get("p_max", 0.10), hyp.get("level", 0.95)
    for row, claim in zip(rows, claims.values(), strict=True):
        verdict = row[-1]
        if claim.get("rule", "sign") == "test":
            p = float(re.match(rf"p = ({_NUM})", row[3]).group(1))
            expected = "supported" if p < p_max else "inconclusive"
            if math.isclose(p, p_max, abs_tol=5e-4):
                expected = "supported" if precise[claim["claim"]].p < p_max else "inconclusive"
        elif row[2] == "not defined":  # a null statistic (e.g. no long run with rho >= 1): no evidence
            expected = "inconclusive"
        else:
            m = re.search(rf"\[({_NUM})%?, ({_NUM})%?\]", row[2])
            assert m is not None, f"no interval in {row}"
            lo, hi = float(m.group(1)), float(m.group(2))
            if 0.0 in (lo, hi):  # a bound that rounds to 0: the printed text cannot tell
                lo, hi = precise[claim["claim"]].ci
            expected = rule_by_hand(lo, hi, claim.get("sign", "positive"))
        assert verdict == expected, (claim["claim"], row)
    assert level == 0.95 and len(table.notes) >= 2


def test_a_stored_interval_at_another_level_is_refused():
    """The sign rule reads the hypotheses.level interval; a 95% bootstrap interval cannot stand in for a 90% one."""
    extra = {"wild_bootstrap": {STOCK: wb_entry(0.07, [-0.05, 1.1])}}
    results = {"baseline": spec_result("baseline", fe_result({STOCK: 0.5}, {STOCK: 0.2}, extra=extra))}
    with pytest.raises(InputError, match=r"hypotheses\.claims\.stock.*level 0\.95.*level 0\.9\b"):
        evaluate(config({"stock": coef_claim()}, level=0.90), results, {})
    rule = {"spatial": {**SPATIAL_RULE["spatial"], "level": 0.95}}
    with pytest.raises(InputError, match=r"hypotheses\.claims\.s: .*verdicts\.spatial"):
        evaluate(config({"s": spatial_claim("preferred")}, level=0.90, verdicts=rule), spatial_results(), {})


def test_texts_state_the_level_of_the_interval():
    results = {"baseline": spec_result("baseline", fe_result({STOCK: 0.5}, {STOCK: 0.2}))}
    cfg = config({"stock": coef_claim()}, level=0.90)
    (v,) = evaluate(cfg, results, {})
    lo, hi = t_interval(0.5, 0.2, level=0.90)
    assert v.evidence.ci == pytest.approx((lo * 4, hi * 4), rel=REL)
    assert "(90% interval [" in sentence(v)
    table = hypotheses_table("hypotheses", {"title": "H", **cfg}, results, {})
    assert table.header[0][1][0] == "Estimate [90% CI]"
    assert "supported if the 90% interval excludes 0" in table.notes[0]
