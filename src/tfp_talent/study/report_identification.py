"""Report sentences of the identification checks and economic magnitudes (issue 15), computed from results files.

The checks are found by what their specs ask for, not by name: the first result with province trends
(``sample.trends``), with placebo leads (``joint_tests.leads``) and with long differences
(``sample.long_difference``); the baseline is ``report.headline``. Rules, stated before the numbers: a
coefficient "keeps its sign" when the check's estimate has the baseline's sign; it is "significant" at
p < 0.05 (two-sided, the result's own inference); the leads "fail the placebo test" when their joint
Wald test rejects at :data:`LEAD_ALPHA`; a check "does not overturn" the baseline unless a talent coefficient
changes sign with p < 0.05 in the check or in the baseline (:func:`_robust`).
Magnitudes: :func:`tfp_talent.study.identification.magnitude`.

The checks, as estimated by their specs (kind ``panel``, :mod:`tfp_talent.study.identification`):

* trends: ln TFP_it = β'x_it + controls + α_i + λ_t + δ_i·t + e_it (province-specific linear trends);
* leads: the baseline plus F1.x ... Fk.x, with the Wald test F = b_L'V_L⁻¹b_L/q that the q lead
  coefficients b_L are zero, F(q, G − 1) with clustered SEs (``joint_tests.leads``); a rejection says
  future talent predicts today's TFP (anticipation, reverse causality or common trends);
* long differences: one cross-section Δx̄_i = x̄_i(late period) − x̄_i(early period) of province means,
  which averages out year-to-year sampling noise of the 1‰ surveys.

The baseline result compared with is ``report.headline`` (``spec``, ``cov``; default ``baseline`` with
clustered SEs); each check uses its clustered result, else its first (:func:`_main`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfp_talent.report.tables import fmt_number, lower_first
from tfp_talent.study.identification import magnitude
from tfp_talent.study.labels import term_label
from tfp_talent.study.results import pick_result

LEAD_ALPHA = 0.10
SIGNIFICANT = 0.05
NOT_ESTIMATED = "This check was not estimated in this run."


def _describe(result: Mapping[str, Any], name: str) -> str:
    """'b (SE se; p = p, significant at x%)' with the result's own p (``describe_coef``)."""
    from tfp_talent.report.document import describe_coef

    return describe_coef(result, name)


def _lower(text: str) -> str:
    """``text`` with a lower-case first letter (a label inside a sentence)."""
    return lower_first(text)


def _first(results: Mapping[str, Mapping[str, Any]], test: Any) -> Mapping[str, Any] | None:
    """The first results file with regression ``results`` for which ``test(result)`` is true, or None."""
    return next((r for r in results.values() if "results" in r and test(r)), None)


def _main(result: Mapping[str, Any]) -> Mapping[str, Any]:
    """The clustered result of a spec if it has one, else its first.

    The long-difference spec of ``config/config.yaml``, one cross-section of province changes, is
    estimated with ``cov: [robust]`` only, so it falls back to its first result.
    """
    return result["results"].get("clustered") or next(iter(result["results"].values()))


def _compare(
    check: Mapping[str, Any], base: Mapping[str, Any], terms: list[str], labels: Mapping[str, str]
) -> str:
    """'talent stock b (SE; p), keeps its sign / changes sign, (not) significant at 5%; ...'.

    Sign compared as b ≥ 0 in ``check`` and ``base``; significant means p < :data:`SIGNIFICANT` in
    the check. Terms missing from either result are skipped.

    Each item reads "<label> b (SE se; p = p, ...), the sign of the baseline[ and significant at 5%]"
    or "..., the opposite sign to the baseline ...", so a reader sees both the number and the verdict.
    """
    parts = []
    for t in terms:
        if t not in check["params"] or t not in base["params"]:
            continue
        same = (check["params"][t] >= 0) == (base["params"][t] >= 0)
        sig = check["pvalues"][t] is not None and check["pvalues"][t] < SIGNIFICANT
        parts.append(
            f"{_lower(term_label(t, labels))} {_describe(check, t)}, "
            f"{'the sign of the baseline' if same else 'the opposite sign to the baseline'}"
            f"{' and significant at 5%' if sig else ''}"
        )
    return "; ".join(parts)


def identification_context(
    config: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> dict[str, str]:
    """Every ``$identification_*`` value and ``$magnitudes_text`` (text if a check is absent).

    Returns
    -------
    dict
        ``identification_trends`` (coefficients with trends, compared with the baseline, and whether
        the trends overturn it by :func:`_robust`); ``identification_leads`` (the leads, the joint
        test F(q, df) with p, the verdict at :data:`LEAD_ALPHA` and current talent on the leads
        sample); ``identification_long_difference`` (the two periods, N and the comparison);
        ``identification_dynamics`` (a pointer to the dynamics section when a gmm spec exists);
        ``magnitudes_text``: for the first two talent terms of the baseline, the effect of a one
        within-province SD rise, β·SD_w with interval SD_w·[β_lo, β_hi], and for a log y
        100·(exp(β·SD_w) − 1) % with the interval transformed the same way. Absent pieces keep
        :data:`NOT_ESTIMATED`; all keys are returned even without a headline result.

    Parameters
    ----------
    config
        The whole config: ``report.headline`` picks the baseline (``spec``, ``cov``).
    results
        Spec name → results file; the checks are found in it by their ``sample`` and
        ``joint_tests`` blocks, not by name (module docstring).
    labels
        Variable → report label.

    Raises
    ------
    InputError
        When the baseline has no within SD of a talent term (results written before issue 15).
    """
    head = (config.get("report") or {}).get("headline") or {"spec": "baseline", "cov": "clustered"}
    ctx = {
        "identification_trends": NOT_ESTIMATED,
        "identification_leads": NOT_ESTIMATED,
        "identification_long_difference": NOT_ESTIMATED,
        "identification_dynamics": "",
        "magnitudes_text": NOT_ESTIMATED,
    }
    if head["spec"] not in results:
        return ctx
    base_spec = results[head["spec"]]
    base = pick_result(results, {"spec": head["spec"], "cov": head.get("cov") or "clustered"}, where="report")
    terms = list(base_spec["roles"]["talent"])

    trends = _first(results, lambda r: "trends" in r["sample"])
    if trends is not None:
        res = _main(trends)
        ctx["identification_trends"] = (
            f"With a linear trend for every province ({trends['label']}, N = {res['nobs']}), the estimates are: "
            + _compare(res, base, terms, labels)
            + ". Slow-moving province-specific trends therefore "
            + ("do not overturn" if _robust(res, base, terms) else "change")
            + " the baseline conclusion."
        )
    leads = _first(results, lambda r: any("joint_tests" in v for v in r["results"].values()))
    if leads is not None:
        res = _main(leads)
        jt = res["joint_tests"]["leads"]
        lead_terms = ", ".join(_lower(term_label(v, labels)) for v in jt["variables"])
        lead_coefs = "; ".join(
            f"{_lower(term_label(v, labels))} {_describe(res, v)}" for v in jt["variables"]
        )
        reject = jt["p_value"] < LEAD_ALPHA
        ctx["identification_leads"] = (
            f"Adding future talent ({lead_terms}) to the baseline ({leads['label']}, N = {res['nobs']}, years "
            f"{leads['sample']['years_text']}: leads are missing where year t+k is not in the data) gives {lead_coefs}. "
            f"The joint test that all leads are zero gives F({jt['df']}, {fmt_number(jt['df_denom'], 0) if jt['df_denom'] else '∞'}) = "
            f"{fmt_number(jt['f_stat'], 2)}, p = {fmt_number(jt['p_value'], 3)}: by the rule fixed in advance (reject at "
            f"{100 * LEAD_ALPHA:g}%) the placebo test "
            + (
                "fails: future talent predicts today's TFP, a sign of anticipation, of feedback from TFP to talent, "
                "or of common trends, so the contemporaneous coefficients are not causal effects."
                if reject
                else "is passed: future talent does not jointly predict today's TFP (individual leads may still be significant)."
            )
            + " Current talent on this sample: "
            + "; ".join(
                f"{_lower(term_label(t, labels))} {_describe(res, t)}" for t in terms if t in res["params"]
            )
            + "."
        )
    ld = _first(results, lambda r: "long_difference" in r["sample"])
    if ld is not None:
        res = _main(ld)
        (a0, a1), (b0, b1) = ld["sample"]["long_difference"]["periods"]
        ctx["identification_long_difference"] = (
            f"In long differences (the change of each province's mean from {a0}–{a1} to {b0}–{b1}; one cross-section, "
            f"N = {res['nobs']}, {res.get('cov_type')} SEs), which average out year-to-year survey noise: "
            + _compare(res, base, terms, labels)
            + "."
        )
    if any("gmm" in r for r in results.values()):
        ctx["identification_dynamics"] = (
            "A dynamic specification with lagged ln TFP (fixed effects and system GMM) is in the dynamics section above."
        )

    parts = []
    for t in terms[:2]:
        if t not in base["params"]:
            continue
        m = magnitude(base, base_spec, t, where="report")
        pct = (
            f", i.e. {fmt_number(m['pct'], 2)}% of TFP ({100 * m['level']:g}% CI [{fmt_number(m['pct_ci'][0], 2)}, "
            f"{fmt_number(m['pct_ci'][1], 2)}]%)"
            if m["pct"] is not None
            else ""
        )
        parts.append(
            f"a one within-province SD rise in {_lower(term_label(t, labels))} (SD = {fmt_number(m['sd'], 4)}) changes "
            f"{term_label(base_spec['y'], labels)} by {fmt_number(m['effect'], 4)} ({100 * m['level']:g}% CI "
            f"[{fmt_number(m['ci'][0], 4)}, {fmt_number(m['ci'][1], 4)}]){pct}"
        )
    if parts:
        ctx["magnitudes_text"] = (
            f"In the baseline ({base_spec['label']}, SEs {base.get('cov_type')}), " + "; ".join(parts) + "."
        )
    return ctx


def _robust(check: Mapping[str, Any], base: Mapping[str, Any], terms: list[str]) -> bool:
    """True if no talent coefficient changes sign while significant at 5% in the check or the baseline.

    Overturned iff, for some term, sign(b_check) ≠ sign(b_base) and min(p_check, p_base) < 0.05.
    """
    for t in terms:
        if t not in check["params"] or t not in base["params"]:
            continue
        flips = (check["params"][t] >= 0) != (base["params"][t] >= 0)
        sig = min(check["pvalues"][t], base["pvalues"][t]) < SIGNIFICANT
        if flips and sig:
            return False
    return True
