"""The generated abstract and conclusion (tfp_talent.study.paper_text): every number they print comes from
the hypotheses evidence or the sample, formatted by tfp_talent.report.tables.fmt_number; the counts of
verdicts add up to the number of claims; proper words keep their capital inside sentences.

References: the evidence of tfp_talent.study.hypotheses.evaluate (itself checked by hand in
test_hypotheses.py) and the sign / test rules written out in hypotheses_sim.rule_by_hand.
"""

from __future__ import annotations

import re

import pytest
from hypotheses_sim import (
    QUALITY,
    STOCK,
    coef_claim,
    config,
    fe_result,
    real_results,
    rule_by_hand,
    spec_result,
)

from tfp_talent.report.tables import fmt_bound, fmt_int, fmt_number
from tfp_talent.study.hypotheses import evaluate
from tfp_talent.study.paper_text import abstract, conclusion, lower_first

NUMBER = re.compile(r"-?\d+(?:,\d{3})*(?:\.\d+)?")
SAMPLE = {"n_provinces": 31, "years_text": "2002–2009, 2011–2019", "nobs": 527}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Talent stock raises TFP", "talent stock raises TFP"),
        ("TFP rises with talent", "TFP rises with talent"),
        ("East provinces draw talent from the rest", "East provinces draw talent from the rest"),
        ("Central and West lag", "Central and West lag"),
        ("China's provinces", "China's provinces"),
        ("R&D personnel", "R&D personnel"),
        ("Malmquist EC", "Malmquist EC"),
        ("SDM, contiguity", "SDM, contiguity"),
        ("A threshold exists", "a threshold exists"),
        ("Δ ln TFP", "Δ ln TFP"),
        ("Quality matters more than quantity", "quality matters more than quantity"),
        ("", ""),
    ],
)
def test_lower_first_keeps_acronyms_and_proper_words(text, expected):
    assert lower_first(text) == expected


# --------------------------------------------------------------------------- synthetic study


def _results(stock, quality, slopes_p=0.02):
    """Baseline with stock / quality (b, se) and wild-bootstrap intervals; a region-slopes test with p = slopes_p."""
    (bs, ss, cis), (bq, sq, ciq) = stock, quality
    extra = {
        "wild_bootstrap": {
            STOCK: {"p_value": 0.31, "conf_int": cis, "reps": 9999, "weights": "webb"},
            QUALITY: {"p_value": 0.04, "conf_int": ciq, "reps": 9999, "weights": "webb"},
        }
    }
    base = spec_result("baseline", fe_result({STOCK: bs, QUALITY: bq}, {STOCK: ss, QUALITY: sq}, extra=extra))
    base["sample"].update(SAMPLE)
    vars_ = [f"{STOCK}:{r}" for r in ("East", "Central", "West")]
    tests = {f"equal_slopes[{STOCK}]": {"df": 2, "f_stat": 3.75, "p_value": slopes_p, "variables": vars_}}
    het = fe_result(dict.fromkeys(vars_, 0.2), dict.fromkeys(vars_, 0.1), tests=tests)
    return {"baseline": base, "het_region": spec_result("het_region", het, label="Region slopes")}


def _config():
    cfg = config(
        {
            "stock": coef_claim(STOCK),
            "quality": {**coef_claim(QUALITY), "claim": "Talent quality raises TFP"},
            "regions": {
                "claim": "East, Central and West differ",
                "statistic": "equal_slopes",
                "spec": "het_region",
                "cov": "clustered",
                "terms": [STOCK],
                "rule": "test",
            },
        }
    )
    cfg["report"] = {"headline": {"spec": "baseline", "cov": "clustered"}}
    return cfg


def allowed_numbers(verdicts, sample):
    """Every number the evidence of the verdicts and the sample can put in the text."""
    out = {str(sample["n_provinces"]), fmt_int(sample["nobs"]), "95", str(len(verdicts))}
    out |= set(NUMBER.findall(sample["years_text"]))
    out |= {
        str(sum(v.verdict == k for v in verdicts)) for k in ("supported", "not supported", "inconclusive")
    }
    for v in verdicts:
        ev = v.evidence
        d = 2 if ev.unit else 3
        out |= {fmt_number(ev.estimate, d), fmt_number(ev.estimate, 2)}
        if ev.ci is not None:
            out |= {fmt_bound(c, d) for c in ev.ci}
        if ev.p is not None:
            out.add(fmt_number(ev.p, 3))
        for text in (ev.what, ev.inference, v.claim):
            out |= set(NUMBER.findall(text))
    return out


def check_abstract(text, verdicts, sample):
    stray = [n for n in NUMBER.findall(text) if n not in allowed_numbers(verdicts, sample)]
    assert stray == [], f"numbers not from the evidence: {stray}"
    m = re.search(
        r"We test (\d+) claims.*?: (\d+) are supported, (\d+) are contradicted by the data \(not supported\) "
        r"and (\d+) are inconclusive",
        text,
    )
    assert m is not None
    n, sup, con, inc = map(int, m.groups())
    assert n == len(verdicts) == sup + con + inc
    assert (sup, con, inc) == tuple(
        sum(v.verdict == k for v in verdicts) for k in ("supported", "not supported", "inconclusive")
    )


def _expected_verdict(v, claim, p_max=0.10):
    if claim.get("rule") == "test":
        return "supported" if v.evidence.p < p_max else "inconclusive"
    if v.evidence.ci is None:  # a null statistic (no interval): nothing to decide on
        return "inconclusive"
    return rule_by_hand(*v.evidence.ci, claim.get("sign", "positive"))


def test_synthetic_abstract_numbers_come_from_the_evidence():
    results = _results((0.5, 0.3, [-0.1, 1.1]), (0.09, 0.04, [0.01, 0.17]))
    cfg = _config()
    verdicts = evaluate(cfg, results, {})
    assert [v.verdict for v in verdicts] == [
        _expected_verdict(v, c) for v, c in zip(verdicts, cfg["hypotheses"]["claims"].values(), strict=True)
    ]
    text = abstract(cfg, results, verdicts, {})
    check_abstract(text, verdicts, SAMPLE)
    # the headline sentence: the two standardised baseline effects, in per cent, in claim order
    stock, quality = verdicts[0].evidence, verdicts[1].evidence
    k_s, k_q = 100 * 0.04, 100 * 0.58
    assert fmt_number(stock.estimate, 2) == fmt_number(0.5 * k_s, 2) == "2.00"
    assert f"{fmt_number(quality.estimate, 2)}% for " in text
    assert f"[{fmt_number(-0.1 * k_s, 2)}%, {fmt_number(1.1 * k_s, 2)}%], p = 0.310" in text
    assert f"[{fmt_number(0.01 * k_q, 2)}%, {fmt_number(0.17 * k_q, 2)}%], p = 0.040" in text
    assert "Supported: talent quality raises TFP" in text  # claim lowered inside the sentence
    assert verdict_segments(text).keys() == {"supported", "inconclusive"}
    assert (
        "Inconclusive, with intervals that include zero or tests that do not reject: talent stock raises TFP"
        in text
    )
    assert "; and East, Central and West differ (" in text  # "East" keeps its capital


@pytest.mark.parametrize(
    ("stock_ci", "quality_ci", "lead"),
    [
        ([-0.1, 1.1], [-0.01, 0.17], "On the central question the answer is a null"),
        ([0.1, 1.1], [0.01, 0.17], "On the central question the data support the policy claim"),
        ([0.1, 1.1], [-0.01, 0.17], "On the central question the evidence is mixed"),
        ([-1.1, -0.1], [0.01, 0.17], "On the central question the evidence is mixed"),
    ],
)
def test_conclusion_lead_follows_the_headline_verdicts(stock_ci, quality_ci, lead):
    """Null if no headline claim is decided; support only if every headline claim is supported; else mixed."""
    results = _results((0.5, 0.3, stock_ci), (0.09, 0.04, quality_ci), slopes_p=0.4)
    cfg = _config()
    verdicts = evaluate(cfg, results, {})
    text = conclusion(cfg, results, verdicts, {})
    assert text.startswith(lead)
    assert "They cannot decide whether East, Central and West differ" in text
    check_abstract(abstract(cfg, results, verdicts, {}), verdicts, SAMPLE)


def test_conclusion_without_headline_claims_has_no_empty_lead():
    results = _results((0.5, 0.3, [-0.1, 1.1]), (0.09, 0.04, [0.01, 0.17]))
    cfg = _config()
    cfg["hypotheses"]["claims"] = {"regions": cfg["hypotheses"]["claims"]["regions"]}
    verdicts = evaluate(cfg, results, {})
    text = conclusion(cfg, results, verdicts, {})
    assert text.startswith("The data support that East, Central and West differ")


# --------------------------------------------------------------------------- the real results


def test_real_abstract_numbers_come_from_the_evidence():
    cfg, claims, results = real_results()
    labels = cfg["report"]["labels"]
    verdicts = evaluate(cfg, results, labels)
    assert [v.verdict for v in verdicts] == [
        _expected_verdict(v, c, cfg["hypotheses"]["p_max"])
        for v, c in zip(verdicts, claims.values(), strict=True)
    ]
    text = abstract(cfg, results, verdicts, labels)
    check_abstract(text, verdicts, results[cfg["report"]["headline"]["spec"]]["sample"])
    segments = verdict_segments(text)
    for v in verdicts:  # each claim in the list of its own verdict only (lowered inside the sentence)
        assert [k for k, seg in segments.items() if lower_first(v.claim) in seg] == [v.verdict]


def verdict_segments(text):
    """The abstract's 'Supported: ...', 'Not supported: ...' and 'Inconclusive, ...' sentences by verdict."""
    markers = {
        "supported": "Supported: ",
        "not supported": "Not supported: ",
        "inconclusive": "Inconclusive, ",
    }
    starts = sorted((text.index(m), k) for k, m in markers.items() if m in text)
    ends = [s for s, _ in starts[1:]] + [len(text)]
    return {k: text[s:e] for (s, k), e in zip(starts, ends, strict=True)}
