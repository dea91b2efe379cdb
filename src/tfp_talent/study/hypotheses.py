"""The verdict: each hypothesis of the report and each quantifiable claim of the policy argument,
decided by a rule fixed in ``config.yaml`` (``hypotheses:``) before the results are read.

A claim names its evidence -- a statistic (:data:`STATISTICS`) of one spec's result -- and a
decision rule (:data:`RULES`):

``sign`` (a directional claim, ``sign: positive | negative``)
    *supported* if the ``level`` confidence interval of the statistic excludes 0 with the predicted
    sign; *not supported* if it excludes 0 with the opposite sign; *inconclusive* otherwise
    (the interval includes 0). Without an interval, the same with p < 1 − level and the sign of
    the estimate.
``test`` (a claim that an effect exists, no sign: equal regional slopes, a threshold)
    *supported* if the p-value of the test is below ``p_max``; *inconclusive* otherwise (failing to
    reject says the data cannot tell, not that the claim is false).

Inference. A coefficient uses the wild cluster bootstrap p-value and interval of its result when
the result carries one (``extra.wild_bootstrap.<term>``; Cameron, Gelbach and Miller 2008; Webb
weights); otherwise the cluster-robust t with G − 1 degrees of freedom stored with the result
(``df_inference``). The difference of two standardised effects uses its own wild bootstrap test when
stored (``extra.wild_bootstrap_contrasts``, config ``inference.wild_bootstrap.contrasts``), else the
stored covariance matrix, Var(c'b) = c'Vc, with the same t(G − 1) and the Wald test of c'b = 0
(:func:`tfp_talent.estimators.inference.linear_restrictions_test`); the inference used is stated in
every row. Standardised effects are b · s_w with s_w the within-province SD of the regressor in the
estimation sample (:func:`tfp_talent.study.transforms.within_sd`, stored in ``sample.within_sd``).

Spatial claims reuse the spatial rule of ``verdicts: spatial`` (:mod:`tfp_talent.study.spatial_report`):
the indirect effect (or the East's spillover on the other regions) with its simulated interval.
Threshold claims use the bootstrap p-value of the test of no threshold against one (Hansen 1999).

Config (``hypotheses:``, defaults :data:`HYPOTHESES_DEFAULTS` and :data:`CLAIM_DEFAULTS`):
``level`` (0.95) of the intervals, ``p_max`` (0.10) of rule ``test``, and ``claims.<name>`` with
``claim`` (the text), ``statistic``, ``spec``, ``cov``, ``terms``, ``scale`` (``none`` |
``within_sd``), ``display`` (``number`` | ``percent``), ``sign``, ``rule`` and ``verdict``
(``preferred`` | ``east``, for spatial claims). The statistics and their evidence are in
:mod:`tfp_talent.study.hypotheses_evidence`; this module holds the rules, the texts and the table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from tfp_talent.errors import InputError
from tfp_talent.report.tables import Section, Table, fmt_bound, fmt_number
from tfp_talent.study.hypotheses_evidence import (  # noqa: F401 (re-exported: the table's public names)
    CLAIM_DEFAULTS,
    HYPOTHESES_DEFAULTS,
    NULL_TEXT,
    STATISTICS,
    TEST_ONLY,
    VERDICTS,
    Evidence,
    Results,
    Verdict,
    _field,
    _where,
    level_text,
    wild_bootstrap_of,
)
from tfp_talent.study.results import entry_table

# --------------------------------------------------------------------------- rules


def decide_sign(ev: Evidence, sign: str, *, level: float, p_max: float) -> str:
    """``sign`` rule: supported / not supported / inconclusive from the interval (or p and the sign of b).

    With an interval [lo, hi]: lo > 0 or hi < 0 decides by the side of 0 it lies on, compared with
    ``sign`` (``positive`` | ``negative``); otherwise inconclusive. Without one: p < 1 − ``level``
    decides by the sign of the estimate. ``p_max`` is not used (one signature for :data:`RULES`).
    """
    want = 1.0 if sign == "positive" else -1.0
    if ev.ci is not None:
        lo, hi = ev.ci
        if lo > 0 or hi < 0:
            return "supported" if (lo > 0) == (want > 0) else "not supported"
        return "inconclusive"
    if ev.p is not None and ev.p < 1 - level:
        return "supported" if ev.estimate * want > 0 else "not supported"
    return "inconclusive"


def decide_test(ev: Evidence, sign: str | None, *, level: float, p_max: float) -> str:
    """``test`` rule: supported if p < p_max, inconclusive otherwise.

    Never "not supported": failing to reject is no evidence against the claim. ``sign`` and
    ``level`` are not used.
    """
    return "supported" if ev.p is not None and ev.p < p_max else "inconclusive"


RULES: dict[str, Callable[..., str]] = {"sign": decide_sign, "test": decide_test}


def rule_text(claim: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """The decision rule of a claim in words (from the config).

    ``config`` is the ``hypotheses:`` block (for ``level`` and ``p_max``); the text is the ``rule``
    column of the verdict.
    """
    level = float(config.get("level", HYPOTHESES_DEFAULTS["level"]))
    pct = f"{level * 100:g}%"
    if claim.get("rule", CLAIM_DEFAULTS["rule"]) == "test":
        return f"supported if p < {fmt_number(config.get('p_max', HYPOTHESES_DEFAULTS['p_max']), 2)}; inconclusive otherwise"
    return (
        f"supported if the {pct} interval excludes 0 with the predicted sign ({claim.get('sign', CLAIM_DEFAULTS['sign'])}); "
        "not supported if it excludes 0 with the opposite sign; inconclusive otherwise"
    )


def evaluate(config: Mapping[str, Any], results: Results, labels: Mapping[str, str]) -> list[Verdict]:
    """Every claim of ``config['hypotheses']`` with its evidence and verdict (``config`` is the whole config).

    Claims in config order. ``results`` maps spec names to their loaded results files; ``labels``
    are ``report.labels``. The statistic sees the ``hypotheses:`` block plus ``verdicts`` (for the
    spatial rule).

    Raises
    ------
    InputError
        Naming ``hypotheses.claims.<name>``: an unknown statistic or rule, rule ``sign`` for a
        statistic without a sign (:data:`TEST_ONLY`), a missing key or result the statistic needs.
    """
    hyp = dict(config.get("hypotheses") or {})
    level = float(hyp.get("level", HYPOTHESES_DEFAULTS["level"]))
    p_max = float(hyp.get("p_max", HYPOTHESES_DEFAULTS["p_max"]))
    ctx = {**hyp, "verdicts": config.get("verdicts")}
    out = []
    for name, claim in (hyp.get("claims") or {}).items():
        stat = _field(claim, "statistic", name)
        if stat not in STATISTICS:
            raise InputError(
                f"unknown statistic '{stat}'; use one of {', '.join(STATISTICS)}", file=_where(name)
            )
        rule = claim.get("rule", CLAIM_DEFAULTS["rule"])
        if rule not in RULES:
            raise InputError(f"unknown rule '{rule}'; use one of {', '.join(RULES)}", file=_where(name))
        if rule == "sign" and stat in TEST_ONLY:  # the sign of an F statistic or a threshold says nothing
            raise InputError(f"statistic '{stat}' has no sign to predict; set rule: test", file=_where(name))
        ev = STATISTICS[stat](name, claim, results, ctx, labels)
        v = RULES[rule](ev, claim.get("sign", CLAIM_DEFAULTS["sign"]), level=level, p_max=p_max)
        spec = claim.get("spec") or _spatial_spec(claim, config)
        out.append(
            Verdict(
                name=name,
                claim=_field(claim, "claim", name),
                evidence=ev,
                verdict=v,
                rule=rule_text(claim, hyp),
                spec=spec,
                level=level,
            )
        )
    return out


def _spatial_spec(claim: Mapping[str, Any], config: Mapping[str, Any]) -> str:
    """The spec a claim without ``spec`` reads: that of ``verdicts.spatial`` (or its ``east`` rule)."""
    rule = dict((config.get("verdicts") or {}).get("spatial") or {})
    if claim.get("verdict") == "east":
        return str((rule.get("east") or {}).get("spec", ""))
    return str(rule.get("spec", ""))


def claim_specs(config: Mapping[str, Any]) -> list[str]:
    """The specs whose results the claims read (the inputs of a hypotheses table and of the report).

    In claim order without repeats; a spatial claim without ``spec`` contributes the spec of its
    ``verdicts.spatial`` rule; empty names are dropped.
    """
    names: list[str] = []
    for claim in ((config.get("hypotheses") or {}).get("claims") or {}).values():
        names.append(claim.get("spec") or _spatial_spec(claim, config))
    return [n for n in dict.fromkeys(names) if n]


# --------------------------------------------------------------------------- text


def fmt_estimate(ev: Evidence, digits: int = 3) -> str:
    """``'−0.55% [−1.62%, 0.51%]'`` (the interval when there is one).

    ``digits`` decimals (2 for per-cent evidence); a NaN estimate (a null statistic) gives
    :data:`NULL_TEXT`.
    """
    d = 2 if ev.unit == "%" else digits
    if not math.isfinite(ev.estimate):  # a null statistic (e.g. no long-run effect when rho >= 1)
        return NULL_TEXT
    est = fmt_number(ev.estimate, d) + ev.unit
    if ev.ci is None:
        return est
    return f"{est} [{fmt_bound(ev.ci[0], d)}{ev.unit}, {fmt_bound(ev.ci[1], d)}{ev.unit}]"


def fmt_p(ev: Evidence) -> str:
    """``'p = 0.304 (cluster-robust t(30))'`` or the inference alone when there is no p-value."""
    if ev.p is None:
        return ev.inference
    return f"p = {fmt_number(ev.p, 3)} ({ev.inference})"


def sentence(v: Verdict) -> str:
    """One sentence: claim, evidence, estimate with interval, p-value, verdict.

    Markdown for the report (the verdict in bold); 3 decimals, 2 for per-cent evidence; the
    evidence's ``detail`` (slopes, s_w, ρ̂) follows the p-value.
    """
    ev = v.evidence
    ci = (
        ""
        if ev.ci is None
        else f" ({level_text(v.level)} interval [{fmt_bound(ev.ci[0], 2 if ev.unit else 3)}{ev.unit}, {fmt_bound(ev.ci[1], 2 if ev.unit else 3)}{ev.unit}])"
    )
    est = fmt_number(ev.estimate, 2 if ev.unit else 3) + ev.unit if math.isfinite(ev.estimate) else NULL_TEXT
    p = "" if ev.p is None else f"; p = {fmt_number(ev.p, 3)}, {ev.inference}"
    detail = f"; {ev.detail}" if ev.detail else ""
    return f"{v.claim}: {ev.what} {est}{ci}{p}{detail}. Verdict: **{v.verdict}**."


# --------------------------------------------------------------------------- the table kind


def hypotheses_table(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """Table kind ``hypotheses``: claim, evidence, preferred estimate [CI at ``level``], p-value (inference), verdict.

    ``entry`` carries the config sections the kind reads (``hypotheses``, ``verdicts``; see
    :func:`tfp_talent.study.tables.table_entry`).

    One row per claim (:func:`evaluate`); the notes state the rules and the inference. Raises
    :class:`InputError` (``tables.<name>``) when the config has no ``hypotheses`` section.
    """
    if not entry.get("hypotheses"):
        raise InputError("table kind hypotheses needs the config section hypotheses", file=f"tables.{name}")
    verdicts = evaluate(entry, results, labels)
    rows: list[list[Any]] = [
        [v.claim, v.evidence.what, fmt_estimate(v.evidence), fmt_p(v.evidence), v.verdict] for v in verdicts
    ]
    hyp = entry["hypotheses"]
    level = float(hyp.get("level", HYPOTHESES_DEFAULTS["level"]))
    notes = [
        "Rules fixed in config/config.yaml (hypotheses) before the results were read. Directional claims: "
        f"supported if the {level * 100:g}% interval excludes 0 with the predicted sign, not supported if it "
        "excludes 0 with the opposite sign, inconclusive otherwise. Tests: supported if p < "
        f"{fmt_number(hyp.get('p_max', HYPOTHESES_DEFAULTS['p_max']), 2)}, inconclusive otherwise.",
        "Inference: the wild cluster bootstrap p-value and interval where the result stores them, otherwise "
        "the cluster-robust t with G − 1 degrees of freedom (stated in each row). Standardised effects: "
        "coefficient × within-province SD of the regressor in the estimation sample; in per cent of TFP "
        "where marked %.",
    ]
    header = [
        [
            ("Evidence", 1),
            (f"Estimate [{level_text(level)} CI]", 1),
            ("p-value (inference)", 1),
            ("Verdict", 1),
        ]
    ]
    return entry_table(
        name, entry, header=header, sections=[Section(rows=rows)], notes=notes, stub_header="Claim"
    )


def hypotheses_context(
    config: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> dict[str, str]:
    """Report values: ``hypotheses_list`` (one sentence per claim), ``hypotheses_rule``, counts by verdict.

    ``hypotheses_list`` is a Markdown list of :func:`sentence`; ``hypotheses_counts`` e.g.
    "2 supported, 0 not supported, 3 inconclusive". Empty dict when the config has no claims.
    """
    if not (config.get("hypotheses") or {}).get("claims"):
        return {}
    verdicts = evaluate(config, results, labels)
    counts = {k: sum(1 for v in verdicts if v.verdict == k) for k in VERDICTS}
    hyp = config["hypotheses"]
    return {
        "hypotheses_list": "\n".join(f"- {sentence(v)}" for v in verdicts),
        "hypotheses_rule": (
            f"directional claims are supported if the {float(hyp.get('level', HYPOTHESES_DEFAULTS['level'])) * 100:g}% interval excludes 0 "
            "with the predicted sign, not supported if it excludes 0 with the opposite sign, and inconclusive "
            f"otherwise; claims that an effect exists (a test) are supported if p < {fmt_number(hyp.get('p_max', HYPOTHESES_DEFAULTS['p_max']), 2)} "
            "and inconclusive otherwise"
        ),
        "hypotheses_counts": ", ".join(f"{n} {k}" for k, n in counts.items()),
    }
