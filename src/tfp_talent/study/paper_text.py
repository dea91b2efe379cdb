"""The paper's generated prose: abstract, conclusion, and a summary paragraph of every regression table.

Every number comes from the results files (``reports/results/*.json``) and every verdict from the
rules of ``hypotheses:`` (:mod:`tfp_talent.study.hypotheses`); nothing is typed. Template values:

``abstract``, ``conclusion``
    from the verdicts of the claims (:func:`~tfp_talent.study.hypotheses.evaluate`), with the
    standardised magnitudes and their intervals; only when ``hypotheses.claims`` is configured;
``summary_<table>`` (one per ``tables:`` entry of kind regression)
    for each talent term: its coefficient, 95% interval and p-value in every column of the table
    (the wild-bootstrap p and interval where the result stores them, else the column's own
    covariance with its t(G − 1)), and how many columns are significant at 5% with each sign;
``multiple_testing``
    how many talent coefficients all regression tables report, and how many have p < 0.10 with
    each sign: a caution that, with this many tests, about one in ten is expected to cross 10% by
    chance alone when every true effect is zero.

The headline spec is ``report.headline.spec`` (default ``baseline``). A standardised magnitude of a
verdict in per cent (``unit == "%"``) is the claim's evidence 100 · b · s_w, b the coefficient of ln
TFP on the talent term and s_w its within-province SD in the estimation sample (``sample.within_sd``):
the log-point change of TFP, in per cent, that goes with a one within-SD rise, with the interval
scaled the same way (:mod:`tfp_talent.study.hypotheses`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tfp_talent.estimators.inference import coefficient_interval
from tfp_talent.report.tables import fmt_bound, fmt_int, fmt_number, lower_first
from tfp_talent.study.hypotheses import (
    VERDICTS,
    Verdict,
    evaluate,
    level_text,
    wild_bootstrap_of,
)
from tfp_talent.study.labels import term_label
from tfp_talent.study.results import pick_result

Results = Mapping[str, Mapping[str, Any]]
LEVEL_TEXT = "95%"


def _coef(res: Mapping[str, Any], term: str) -> dict[str, Any] | None:
    """b, its 95% interval and p for ``term`` (wild bootstrap if stored, else the result's t).

    Interval of :func:`~tfp_talent.estimators.inference.coefficient_interval` at 0.95: the stored wild
    cluster bootstrap confidence set at that level, else b ± t_df(0.975)·SE (df = ``df_inference``,
    G − 1 when clustered; normal if None); NaN bounds when the SE is missing. p: the wild bootstrap p
    where stored (``how = "wild bootstrap"``), else the result's own (``how = "t"``). None if the
    result has no (non-null) coefficient on ``term``.

    Returns ``{"b", "lo", "hi", "p", "how"}``. With a wild block stored at another level than 95%,
    the interval is the t interval while p is still the wild p.
    """
    if term not in (res.get("params") or {}) or res["params"][term] is None:
        return None
    b, lo, hi = coefficient_interval(res, term, 0.95) or (float(res["params"][term]), math.nan, math.nan)
    wb = wild_bootstrap_of(res, term)
    if wb is not None:
        return {"b": b, "lo": lo, "hi": hi, "p": float(wb["p_value"]), "how": "wild bootstrap"}
    return {"b": b, "lo": lo, "hi": hi, "p": float(res["pvalues"][term]), "how": "t"}


def _columns(
    entry: Mapping[str, Any], results: Results
) -> list[tuple[str, Mapping[str, Any], Mapping[str, Any], str | None]]:
    """``(label, results file, picked result, cov)`` of each column of a regression-table entry.

    Columns with a ``model`` (the random-effects half of a Hausman spec) are skipped; the label is the
    column's, else the spec's label, else its name, with " (Driscoll–Kraay)" on Driscoll–Kraay columns.
    """
    out = []
    for col in entry.get("columns") or []:
        if col.get("model"):
            continue  # Hausman sub-models (random effects) are not talent evidence of their own
        sr = results[col["spec"]]
        res = pick_result(results, col, where="report")
        label = col.get("label") or sr.get("label") or col["spec"]
        cov = col.get("cov")
        if cov == "driscoll-kraay":
            label += " (Driscoll–Kraay)"
        out.append((label, sr, res, cov))
    return out


def _talent_terms(cols: Sequence[tuple[str, Mapping[str, Any], Mapping[str, Any], str | None]]) -> list[str]:
    """The talent terms and products (``roles.talent``, ``roles.products``) of the columns, in order."""
    terms: list[str] = []
    for _, sr, _, _ in cols:
        roles = sr.get("roles") or {}
        terms += [t for t in [*(roles.get("talent") or []), *(roles.get("products") or [])] if t not in terms]
    return terms


def table_summary(entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]) -> str:
    """One paragraph per talent term of a regression table (see the module docstring).

    For term x: "**label** (95% intervals and p-values from <inference>): <column> b [lo, hi],
    p = p; ...; it is significantly positive at 5% in m₊ and significantly negative in m₋ of m columns"
    (:func:`_coef`; m₊ counts p < 0.05 with b > 0). Terms without a coefficient in any column are
    skipped. A last paragraph lists the Wald tests of equal regional slopes stored under ``tests``
    (F and p). ``entry`` is a ``tables:`` entry of kind regression; the template key is
    ``summary_<table>``; ``labels``: variable → report label.

    The inference named is "wild cluster bootstrap" when every column stores one for the term, the
    column's own covariance (cluster-robust t with G − 1 df, or T − 1 for Driscoll–Kraay columns) when
    none does, else both. Every column's spec must have a results file (:func:`paper_context` checks).
    """
    cols = _columns(entry, results)
    parts = []
    for term in _talent_terms(cols):
        vals = [(label, _coef(res, term)) for label, _, res, _ in cols]
        vals = [(lab, v) for lab, v in vals if v is not None]
        if not vals:
            continue
        pos = sum(1 for _, v in vals if v["p"] < 0.05 and v["b"] > 0)
        neg = sum(1 for _, v in vals if v["p"] < 0.05 and v["b"] < 0)
        listed = "; ".join(
            f"{lab} {fmt_number(v['b'], 3)} [{fmt_bound(v['lo'], 3)}, {fmt_bound(v['hi'], 3)}], p = {fmt_number(v['p'], 3)}"
            for lab, v in vals
        )
        sig = (
            "in no column is it significant at 5%"
            if pos + neg == 0
            else f"it is significantly positive at 5% in {pos} and significantly negative in {neg} of {len(vals)} columns"
        )
        how = {v["how"] for _, v in vals}
        dk = any(cov == "driscoll-kraay" for *_, cov in cols)
        t_text = (
            "t with G − 1 (clustered) or T − 1 (Driscoll–Kraay) degrees of freedom"
            if dk
            else "cluster-robust t with G − 1 degrees of freedom"
        )
        how_text = (
            "wild cluster bootstrap"
            if how == {"wild bootstrap"}
            else (
                f"the column's own covariance, {t_text}"
                if how == {"t"}
                else f"wild cluster bootstrap where stored, else the column's own covariance ({t_text})"
            )
        )
        parts.append(
            f"**{term_label(term, labels)}** ({LEVEL_TEXT} intervals and p-values from {how_text}): {listed}; {sig}."
        )
    tests = []
    for label, _sr, res, _ in cols:
        for key, t in (res.get("tests") or {}).items():
            var = key[key.index("[") + 1 : -1] if "[" in key else key
            tests.append(
                f"{label}: equal regional slopes of {lower_first(term_label(var, labels))}, F = {fmt_number(t['f_stat'], 2)}, p = {fmt_number(t['p_value'], 3)}"
            )
    if tests:
        parts.append("Wald tests: " + "; ".join(tests) + ".")
    return "\n\n".join(parts)


def multiple_testing(config: Mapping[str, Any], results: Results) -> str:
    """How many talent coefficients the regression tables report and how many cross p < 0.10, by sign.

    Counts each (spec, cov, term) once over the tables of :data:`REGRESSION_TABLE_KINDS`; p as in
    :func:`_coef` (wild bootstrap where stored). The benchmark is 0.10 · n, the expected number of
    p < 0.10 among n tests when every true effect is zero. Template key ``multiple_testing``; the
    sentence has no final full stop (the template supplies it).

    The counts are descriptive (no adjustment); the adjusted family of
    :mod:`tfp_talent.study.multiple_testing` (Holm, sharpened q-values) is ``inference_fdr_text``.
    """
    seen: set[tuple[str, str, str]] = set()
    n = pos = neg = 0
    for entry in (config.get("tables") or {}).values():
        if "columns" not in entry or entry.get("kind") not in REGRESSION_TABLE_KINDS:
            continue
        cols = _columns(entry, results)
        for term in _talent_terms(cols):
            for _, sr, res, cov in cols:
                key = (str(sr.get("spec")), str(cov), term)
                v = _coef(res, term)
                if key in seen or v is None:
                    continue
                seen.add(key)
                n += 1
                if v["p"] < 0.10:
                    pos += v["b"] > 0
                    neg += v["b"] < 0
    expected = fmt_number(0.10 * n, 1)
    return (
        f"The regression tables report {fmt_int(n)} talent coefficients (each specification and covariance counted once); "
        f"{pos + neg} have p < 0.10, {pos} positive and {neg} negative. If every true effect were zero, about "
        f"{expected} would cross 10% by chance alone, so single significant coefficients are weak evidence on their own"
    )


#: Table kinds whose columns are regression results with talent coefficients (for the counts above).
REGRESSION_TABLE_KINDS: tuple[str, ...] = ("regression",)


def _claim_text(v: Verdict) -> str:
    """'claim (what: estimate[unit] (95% CI [lo, hi]), p = p)'; 2 decimals with a unit, else 3.

    A non-finite estimate (a null statistic) is written as "not defined" with the evidence's detail.
    """
    ev = v.evidence
    d = 2 if ev.unit else 3
    if not math.isfinite(ev.estimate):  # a null statistic: say why instead of printing a number
        return f"{lower_first(v.claim)} ({ev.what}: not defined, {ev.detail or 'no estimate'})"
    est = f"{fmt_number(ev.estimate, d)}{ev.unit}"
    if ev.ci is not None:
        est += f" ({level_text(v.level)} CI [{fmt_bound(ev.ci[0], d)}{ev.unit}, {fmt_bound(ev.ci[1], d)}{ev.unit}])"
    if ev.p is not None:
        est += f", p = {fmt_number(ev.p, 3)}"
    return f"{lower_first(v.claim)} ({ev.what}: {est})"


def _join(items: Sequence[str]) -> str:
    """'a; b; and c' (one item as is, none as '')."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return "; ".join(items[:-1]) + "; and " + items[-1]


def abstract(
    config: Mapping[str, Any], results: Results, verdicts: Sequence[Verdict], labels: Mapping[str, str]
) -> str:
    """The abstract: question, data, headline standardised effects with intervals, the verdicts, nulls too.

    Sample numbers from ``sample`` of the headline spec's results file (provinces, years, N). The
    headline effects are the verdicts on the headline spec with a per-cent estimate and an interval
    (100 · b · s_w, module docstring); then the counts of supported / not supported / inconclusive
    claims and the claims of each group. Template key ``abstract``.

    ``verdicts`` are those of :func:`~tfp_talent.study.hypotheses.evaluate` on the same config and
    results; ``labels`` is not read (the claims carry their own wording).
    """
    head = (config.get("report") or {}).get("headline") or {"spec": "baseline", "cov": "clustered"}
    sr = results[head["spec"]]
    s = sr["sample"]
    counts = {k: sum(1 for v in verdicts if v.verdict == k) for k in VERDICTS}
    by = {k: [v for v in verdicts if v.verdict == k] for k in VERDICTS}
    parts = [
        f"We ask whether the stock of talent (the tertiary-educated share of the population) and its quality "
        f"(average years of schooling) raise total factor productivity (TFP) in China's provinces, on official "
        f"statistics for {s['n_provinces']} provinces, {s['years_text']} ({fmt_int(s['nobs'])} province-years in the "
        f"baseline two-way fixed-effects sample)."
    ]
    headline = [
        v for v in verdicts if v.spec == head["spec"] and v.evidence.unit == "%" and v.evidence.ci is not None
    ]
    if headline:
        parts.append(
            "Within provinces, a one within-province standard-deviation rise goes with a change in TFP of "
            + _join(
                [
                    f"{fmt_number(v.evidence.estimate, 2)}% for {term_text(v)} ({level_text(v.level)} CI "
                    f"[{fmt_bound(v.evidence.ci[0], 2)}%, {fmt_bound(v.evidence.ci[1], 2)}%], p = {fmt_number(v.evidence.p, 3)}, "
                    f"{v.evidence.inference})"
                    for v in headline
                ]
            )
            + "."
        )
    parts.append(
        f"We test {len(verdicts)} claims of the policy argument, each against a decision rule fixed before "
        f"estimation: {counts['supported']} are supported, {counts['not supported']} are contradicted by the data "
        f"(not supported) and {counts['inconclusive']} are inconclusive."
    )
    if by["supported"]:
        parts.append("Supported: " + _join([_claim_text(v) for v in by["supported"]]) + ".")
    if by["not supported"]:
        parts.append("Not supported: " + _join([_claim_text(v) for v in by["not supported"]]) + ".")
    if by["inconclusive"]:
        parts.append(
            "Inconclusive, with intervals that include zero or tests that do not reject: "
            + _join([lower_first(v.claim) for v in by["inconclusive"]])
            + "."
        )
    return " ".join(parts)


def term_text(v: Verdict) -> str:
    """'talent stock (tertiary share)' from a standardised-coefficient verdict.

    The evidence's ``what`` up to " × " (the scaling) and the first comma (the spec label), lower-cased.
    """
    return lower_first(v.evidence.what.split(" × ")[0].split(",")[0])


def conclusion(
    config: Mapping[str, Any], results: Results, verdicts: Sequence[Verdict], labels: Mapping[str, str]
) -> str:
    """The conclusion's first paragraph: what the data say on the central question, with the nulls.

    The lead is decided by the verdicts on the headline spec: none supported or contradicted → a null
    ("absence of evidence, not evidence of absence"); all supported → the policy claim is supported;
    otherwise mixed. The claims on other specs follow, grouped by verdict. Template key ``conclusion``.
    ``results`` and ``labels`` are not read (the signature of :func:`abstract`).
    """
    head = (config.get("report") or {}).get("headline") or {"spec": "baseline", "cov": "clustered"}
    core = [v for v in verdicts if v.spec == head["spec"]]
    sup = [v for v in core if v.verdict == "supported"]
    contra = [v for v in core if v.verdict == "not supported"]
    if not core:
        lead = ""
    elif not sup and not contra:
        lead = (
            "On the central question the answer is a null: within provinces, the data cannot distinguish the "
            "association of talent with TFP from zero. The intervals are wide enough to include economically large "
            "effects of either sign, so this is an absence of evidence, not evidence of absence: "
        )
    elif len(sup) == len(core):
        lead = "On the central question the data support the policy claim: "
    else:  # some supported and some not, or some inconclusive: not the policy claim as a whole
        lead = "On the central question the evidence is mixed: "
    if core:
        lead += _join([_claim_text(v) for v in core]) + ". "
    rest = [v for v in verdicts if v.spec != head["spec"]]
    sup_rest = [v for v in rest if v.verdict == "supported"]
    inc_rest = [v for v in rest if v.verdict == "inconclusive"]
    con_rest = [v for v in rest if v.verdict == "not supported"]
    more = []
    if sup_rest:
        more.append("The data support that " + _join([_claim_text(v) for v in sup_rest]) + ".")
    if con_rest:
        more.append("They contradict that " + _join([_claim_text(v) for v in con_rest]) + ".")
    if inc_rest:
        more.append("They cannot decide whether " + _join([_claim_text(v) for v in inc_rest]) + ".")
    return (lead + " ".join(more)).strip()


def paper_context(config: Mapping[str, Any], results: Results, labels: Mapping[str, str]) -> dict[str, str]:
    """``abstract``, ``conclusion``, ``multiple_testing`` and ``summary_<table>`` of every regression table.

    ``summary_<table>`` only for entries of kind regression whose specs all have results files;
    ``abstract`` and ``conclusion`` only when ``hypotheses.claims`` is configured (they evaluate the
    claims once, :func:`~tfp_talent.study.hypotheses.evaluate`). ``labels``: variable → report label.

    Returns
    -------
    dict
        Template key → Markdown text (paragraphs separated by blank lines), merged into the report
        context by :func:`tfp_talent.study.report_context.report_context`.
    """
    ctx: dict[str, str] = {}
    for name, entry in (config.get("tables") or {}).items():
        if entry.get("kind") in REGRESSION_TABLE_KINDS and all(
            c["spec"] in results for c in entry.get("columns") or []
        ):
            ctx[f"summary_{name}"] = table_summary(entry, results, labels)
    ctx["multiple_testing"] = multiple_testing(config, results)
    if (config.get("hypotheses") or {}).get("claims"):
        verdicts = evaluate(config, results, labels)
        ctx["abstract"] = abstract(config, results, verdicts, labels)
        ctx["conclusion"] = conclusion(config, results, verdicts, labels)
    return ctx
