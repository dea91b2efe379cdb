"""The report's sentences on spatial patterns and spillovers, computed from the spatial results.

The siphon / spillover verdict follows a rule fixed in ``config.yaml`` (``verdicts: spatial``)
before the results are read: the indirect (spillover) effect of ``variable`` in the preferred
spec is a *siphon* if negative with its 95 % interval excluding zero, a *spillover* if positive
with its interval excluding zero, else *inconclusive* (:func:`verdict`). ``east`` applies the same
rule to the spillover of a rise in talent in one province of a region on the provinces of the
other regions (:mod:`tfp_talent.study.runners.spatial_regions`).

Statistics read from the ``spatial`` block of each results file (:mod:`tfp_talent.study.runners.spatial`):

* effects of x_k in the SDM y = λWy + Xβ + WXθ + FE + e (LeSage & Pace 2009, §2.7): with
  S = (I − λW)⁻¹ the derivatives ∂y/∂x_k' = S(β_k I + θ_k W); direct = mean diagonal, total = mean
  row sum, indirect = total − direct (:mod:`tfp_talent.estimators.spatial_effects`); intervals
  ``ci_sim`` (2.5–97.5 percentiles of the effects over draws from N(θ̂, V̂)) or ``ci_delta``
  (estimate ± 1.96 · delta-method SE), chosen by the rule's ``ci``;
* LM lag / error and their robust forms on the non-spatial FE model (Anselin et al. 1996), and the
  Wald tests of the SDM against the SAR (θ = 0) and the SEM (θ = −λβ);
* ESDA (:mod:`tfp_talent.spatial.explore`): global Moran's I = (n/S0) z'Wz / z'z by year with
  permutation pseudo p; LISA clusters HH / LL / HL / LH of the period means (Anselin 1995).

Template keys (:func:`spatial_context`): ``spatial_rule``, ``spatial_verdict``,
``spatial_verdict_word``, ``spatial_effects_list``, ``spatial_tests``, ``spatial_moran``,
``spatial_moran_rule``, ``spatial_lisa``, ``spatial_cold_spots`` and ``spatial_east``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from tfp_talent.report.tables import fmt_number
from tfp_talent.study.labels import term_label

VERDICT_WORDS = {
    "siphon": "a siphon (negative spillover): talent gains in a province go with lower TFP in its neighbours",
    "spillover": "a positive spillover: talent gains in a province go with higher TFP in its neighbours",
    "inconclusive": "inconclusive: the interval includes zero, so the data decide neither for a siphon nor for a spillover",
}
EFFECT_WORDS = {
    "direct": "direct effect",
    "indirect": "indirect (spillover) effect",
    "total": "total effect",
    "outside": "spillover on the provinces of the other regions",
    "inside": "spillover on the other provinces of the same region",
}


def verdict(estimate: float, ci: Sequence[float]) -> str:
    """``siphon`` if ci[1] < 0, ``spillover`` if ci[0] > 0, else ``inconclusive`` (the config rule).

    Only the interval decides: an interval below zero implies a negative estimate and one above zero
    a positive estimate, so ``estimate`` is not read.

    ``ci`` is (lower, upper) at the rule's level (95%). Used for the preferred spec's effect
    (``verdicts.spatial``) and for its ``east`` variant; the spatial claims of
    :mod:`tfp_talent.study.hypotheses` state the same rule.
    """
    lo, hi = float(ci[0]), float(ci[1])
    if hi < 0:
        return "siphon"
    if lo > 0:
        return "spillover"
    return "inconclusive"


def _ci_text(row: Mapping[str, Any], ci: str, digits: int = 2) -> str:
    """'estimate (95% CI [lo, hi])' of an effect row with its ``ci_<ci>`` interval (``sim`` or ``delta``)."""
    lo, hi = row[f"ci_{ci}"]
    return (
        f"{fmt_number(row['estimate'], digits)} (95% CI [{fmt_number(lo, digits)}, {fmt_number(hi, digits)}])"
    )


def _years_text(records: list[Mapping[str, Any]], var: str, alpha: float = 0.05) -> str:
    """Range of the yearly global Moran's I of ``var`` and the years with positive, significant I.

    'from I_min (year) to I_max (year), positive and significant at 5% in m of T years', where a year
    counts when its pseudo p < ``alpha`` and I > E[I] = −1/(n − 1) (``global_by_year`` records).
    """
    rows = [r for r in records if r["variable"] == var]
    lo = min(rows, key=lambda r: r["I"])
    hi = max(rows, key=lambda r: r["I"])
    sig = sum(1 for r in rows if r["p_sim"] < alpha and r["I"] > r["E[I]"])
    return (
        f"from {fmt_number(lo['I'], 2)} ({lo['year']}) to {fmt_number(hi['I'], 2)} ({hi['year']}), "
        f"positive and significant at 5% in {sig} of {len(rows)} years"
    )


def _lisa_text(esda: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The significant LISA clusters of every variable and period, provinces named in English.

    Classes as stored (significant at the ESDA's alpha, else ``ns``); a variable-period without a
    significant province says "no significant cluster". HH / LL: a high / low value among high / low
    neighbours (clusters); HL / LH: spatial outliers. Periods in the stored order.
    """
    from tfp_talent.data.provinces import BY_CODE

    parts = []
    for var in esda["variables"]:
        for period in dict.fromkeys(r["period"] for r in esda["lisa"]):
            rows = [r for r in esda["lisa"] if r["variable"] == var and r["period"] == period]
            groups = []
            for cls, word in (("HH", "high-high"), ("LL", "low-low"), ("HL", "high-low"), ("LH", "low-high")):
                names = [BY_CODE[int(r["province_code"])].name_en for r in rows if r["cluster"] == cls]
                if names:
                    groups.append(f"{word}: {', '.join(names)}")
            text = "; ".join(groups) if groups else "no significant cluster"
            parts.append(f"{term_label(var, labels)}, {period}: {text}")
    return ". ".join(parts) + "."


def spatial_context(
    config: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> dict[str, str]:
    """The ``spatial_*`` values of the report template (empty dict if no verdict rule is configured).

    The rule is ``config['verdicts']['spatial']``: ``spec`` (preferred spec), ``variable``, ``effect``
    (default ``indirect``), ``ci`` (``sim``, default, or ``delta``) and optionally ``east``
    (``spec``, ``region``, ``effect``, default ``outside``; always with the simulated interval).
    ``spatial_effects_list`` covers every spatial spec without region effects (the spatial
    coefficient with its SE, direct and indirect effects of each talent term); ``spatial_tests`` the
    LM tests and, for an SDM, the two Wald tests; the ESDA keys need ``spatial.esda`` in the
    preferred spec. ``labels``: variable → report label.

    Returns
    -------
    dict
        ``spatial_rule`` (the rule in words, with the spec's W); ``spatial_verdict`` (the effect with
        its interval and the verdict sentence of :data:`VERDICT_WORDS`) and ``spatial_verdict_word``
        (``siphon`` / ``spillover`` / ``inconclusive``, :func:`verdict`); ``spatial_effects_list``
        (one Markdown item per spec); ``spatial_tests``; with an ESDA ``spatial_moran`` (range of the
        yearly I per variable, :func:`_years_text`), ``spatial_moran_rule`` (permutations, W),
        ``spatial_lisa`` (:func:`_lisa_text`) and ``spatial_cold_spots`` (:func:`cold_spots_text`);
        with ``east``, ``spatial_east``: the region's direct effect and its spillover on the other
        regions' provinces with the same verdict rule. Empty when the rule's spec has no result.
    """
    rule = dict((config.get("verdicts") or {}).get("spatial") or {})
    if not rule or rule.get("spec") not in results:
        return {}
    ci = rule.get("ci", "sim")
    effect = rule.get("effect", "indirect")
    var = rule["variable"]
    pref = results[rule["spec"]]["spatial"]
    ctx: dict[str, str] = {}
    row = pref["fit"]["effects_table"][var][effect]
    v = verdict(row["estimate"], row[f"ci_{ci}"])
    interval = "simulated percentile interval" if ci == "sim" else "delta-method interval"
    ctx["spatial_rule"] = (
        f"the {EFFECT_WORDS[effect]} of {term_label(var, labels).lower()} in '{results[rule['spec']]['label']}' "
        f"(W = {pref['weights']['text']}) is read as a siphon if it is negative and its 95% {interval} excludes "
        "zero, as a spillover if it is positive and the interval excludes zero, and as inconclusive otherwise"
    )
    ctx["spatial_verdict"] = (
        f"The {EFFECT_WORDS[effect]} is {_ci_text(row, ci)}: by the rule, {VERDICT_WORDS[v]}."
    )
    ctx["spatial_verdict_word"] = v
    specs = [n for n, r in results.items() if r.get("spatial") and not r["spatial"].get("region_effects")]
    lines = []
    for name in specs:
        b = results[name]["spatial"]
        fit = b["fit"]
        eff = fit["effects_table"]
        talent = results[name]["roles"]["talent"]
        pieces = [
            f"{term_label(t, labels).lower()}: direct {_ci_text(eff[t]['direct'], ci)}, indirect "
            f"{_ci_text(eff[t]['indirect'], ci)}"
            for t in talent
            if t in eff
        ]
        spatial_name = fit["param_names"][0]
        lines.append(
            f"- {results[name]['label']} (W = {b['weights']['text']}): {spatial_name} = "
            f"{fmt_number(fit['params'][spatial_name], 3)} (SE {fmt_number(fit['std_errors'][spatial_name], 3)}); "
            + "; ".join(pieces)
            + "."
        )
    ctx["spatial_effects_list"] = "\n".join(lines)
    tests = pref["fit"]["tests"]
    ctx["spatial_tests"] = (
        f"LM lag {fmt_number(tests['lm_lag']['statistic'], 1)} (p = {fmt_number(tests['lm_lag']['pvalue'], 3)}), "
        f"robust LM lag {fmt_number(tests['robust_lm_lag']['statistic'], 1)} (p = {fmt_number(tests['robust_lm_lag']['pvalue'], 3)}), "
        f"LM error {fmt_number(tests['lm_error']['statistic'], 1)} (p = {fmt_number(tests['lm_error']['pvalue'], 3)}), "
        f"robust LM error {fmt_number(tests['robust_lm_error']['statistic'], 1)} (p = {fmt_number(tests['robust_lm_error']['pvalue'], 3)})"
    )
    if "wald_sdm_vs_sar" in tests:
        ctx["spatial_tests"] += (
            f"; Wald tests of the SDM against the SAR (θ = 0): "
            f"χ²({tests['wald_sdm_vs_sar']['df']}) = {fmt_number(tests['wald_sdm_vs_sar']['statistic'], 1)} "
            f"(p = {fmt_number(tests['wald_sdm_vs_sar']['pvalue'], 3)}), against the SEM (θ = −λβ): "
            f"χ²({tests['wald_sdm_vs_sem']['df']}) = {fmt_number(tests['wald_sdm_vs_sem']['statistic'], 1)} "
            f"(p = {fmt_number(tests['wald_sdm_vs_sem']['pvalue'], 3)})"
        )
    esda = pref.get("esda")
    if esda:
        ctx["spatial_moran"] = "; ".join(
            f"{term_label(x, labels).lower()} {_years_text(esda['global_by_year'], x, esda['alpha'])}"
            for x in esda["variables"]
        )
        ctx["spatial_moran_rule"] = f"{esda['permutations']} permutations, W = {pref['weights']['text']}"
        ctx["spatial_lisa"] = _lisa_text(esda, labels)
        ctx["spatial_cold_spots"] = cold_spots_text(esda["cold_spots"], labels)
    east = rule.get("east")
    if east and east.get("spec") in results:
        reg = results[east["spec"]]["spatial"]["region_effects"]
        e_eff = east.get("effect", "outside")
        e_row = reg["effects"][var][east["region"]][e_eff]
        ev = verdict(e_row["estimate"], e_row["ci_sim"])
        own = reg["effects"][var][east["region"]]["direct"]
        ctx["spatial_east"] = (
            f"In '{results[east['spec']]['label']}', where talent and its spatial lag have region-specific slopes, "
            f"a unit rise in {term_label(var, labels).lower()} in one {east['region']} province has a direct effect "
            f"of {_ci_text(own, 'sim')} and a {EFFECT_WORDS[e_eff]} of {_ci_text(e_row, 'sim')}: by the same rule, "
            f"{VERDICT_WORDS[ev]}."
        )
    return ctx


def cold_spots_text(block: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """The stored cold-spot finding, re-worded with the report's variable labels (same table, same rule).

    A province is a cold spot only if LISA low-low; Getis–Ord Gi* cold spots that are not LISA
    low-low are listed with their class (:func:`tfp_talent.spatial.explore.cold_spot_sentence`).
    A block without a ``rule`` returns its stored ``sentence``.
    """
    from tfp_talent.spatial.explore import cold_spot_sentence

    if not block.get("rule"):
        return str(block["sentence"])
    table = pd.DataFrame(block["table"])
    return cold_spot_sentence(table, block["provinces"], time="period", rule=block["rule"], labels=labels)
