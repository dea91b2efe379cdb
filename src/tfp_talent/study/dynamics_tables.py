"""Tables of issue 13: "Dynamics" (FE with lagged TFP beside system GMM) and "Channels" (mediation per channel).

Registered in :data:`tfp_talent.study.tables.TABLE_KINDS` as kinds ``dynamics`` and ``channels``; the
numbers come from the results of specs of kind ``gmm`` / ``panel`` and ``mechanism``
(:mod:`tfp_talent.study.runners.gmm`, :mod:`tfp_talent.study.runners.mechanism`).

Dynamics: y_it = ρ y_i,t−1 + x_it'β + α_i + λ_t + e_it, y = ln TFP, by two-way FE (biased toward zero
in ρ at order 1/T, Nickell 1981) and by system GMM (Arellano & Bond 1991; Blundell & Bond 1998),
two-step with Windmeijer (2005) SEs, collapsed GMM-style instruments (Roodman 2009). Long-run effect
of a talent term θ = β/(1 − ρ), SE √(g'Vg), g = (1/(1 − ρ), β/(1 − ρ)²), V the covariance of (β, ρ);
normal z, p and interval (:func:`tfp_talent.study.runners.gmm.long_run_effect`).

Channels (descriptive mediation): a from M = a'T + controls + FE, b from y = bM + c'T + controls + FE,
indirect a·b with a province-cluster bootstrap percentile interval; Sobel z = a·b / √(b²se_a² + a²se_b²).
Both builders take the arguments of :mod:`tfp_talent.study.tables` (``tables.dynamics`` and
``tables.channels`` in ``config/config.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.report.tables import Cell, Section, Table, fmt_int, fmt_number, stars_for
from tfp_talent.study.labels import term_label
from tfp_talent.study.results import columns_table, entry_table, pick_result
from tfp_talent.study.runners.gmm import long_run_effect

Results = Mapping[str, Mapping[str, Any]]


def _column_result(results: Results, ref: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The GMM block of a gmm spec, else the ``{spec, cov}`` regression result.

    A copy, so the table may add ``rsquared_within`` without changing the loaded results. Raises
    :class:`InputError` when the spec has no results file (or no such ``cov``).
    """
    if ref["spec"] not in results:
        raise InputError(f"no results file for spec '{ref['spec']}'", file=where)
    res = results[ref["spec"]]
    return dict(res["gmm"]) if "gmm" in res else pick_result(results, ref, where=where)


def _long_run(r: Mapping[str, Any], term: str, lag: str) -> dict[str, Any] | None:
    """θ = β/(1 − ρ) of ``term``: the GMM result's own, or from a regression result's covariance.

    For an FE result the 2 × 2 block of ``cov`` over (β, ρ) gives the delta-method SE (the column's
    covariance, e.g. clustered). None when the term, the lag ``lag`` or the covariance is missing; a
    dict with ``estimate`` None when ρ ≥ 1.
    """
    if "long_run" in r:
        return (r["long_run"] or {}).get(term)
    if term not in r["params"] or lag not in r["params"] or not r.get("cov"):
        return None
    cov = pd.DataFrame(r["cov"]).loc[[term, lag], [term, lag]]
    return long_run_effect(pd.Series(r["params"]), cov, term, lag)


def _test_p(r: Mapping[str, Any], key: str) -> str:
    """The p-value of the stored GMM test ``key`` (``ar1``, ``ar2``, ``hansen``), blank if absent."""
    t = (r.get("tests") or {}).get(key)
    return "" if t is None else fmt_number(t["pvalue"], 3)


def dynamics_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """FE with lagged ln TFP against system GMM: coefficients, long-run effects, AR(2), Hansen, instruments.

    Rows: the lagged dependent variable, the talent terms and controls of the specs (year dummies and
    the constant not shown); long-run effects β/(1 − ρ) with delta-method SEs (for FE columns from
    their clustered covariance); N, provinces; AR(1)/AR(2) and Hansen J p-values, instruments. The FE
    estimate of ρ is biased downwards (Nickell 1981), GMM's is consistent for N → ∞ with T fixed.

    ``entry.columns``: ``{spec, cov}`` of the FE spec and ``{spec}`` of the gmm spec (its ``gmm``
    block); the lag is ``L1.<y>`` of the first column's y. Tests: Arellano–Bond AR(1) / AR(2) on the
    first-differenced residuals (H0: no serial correlation of that order), Hansen J =
    ĝ'Ŝ⁻¹ĝ ~ χ²(instruments − parameters) of the over-identifying restrictions; instrument count
    against the number of provinces (Roodman 2009: no more instruments than groups).

    Returns
    -------
    Table
        Rows ``L1.<y>``, the talent terms and controls present in some column (b with stars over its
        SE); N and provinces; ``Estimator`` (:func:`_estimator`), ``Years``; for each talent term
        ``Long-run effect`` θ with stars over its SE (:func:`_long_run`, :func:`_fmt_effect`); the
        AR(1), AR(2) and Hansen J p-values and ``Instruments / provinces`` (GMM columns only). Notes:
        each column's sample, the formulas and tests above, then the entry's own notes.
    """
    where = f"tables.{name}"
    cols = list(entry["columns"])
    picked = [_column_result(results, c, where) for c in cols]
    specs = [results[c["spec"]] for c in cols]
    y = specs[0]["y"]
    lag = f"L1.{y}"
    talent = list(dict.fromkeys(t for s in specs for t in s["roles"]["talent"]))
    controls = [r for s in specs for r in s["regressors"] if r not in talent and r != lag]
    keep = [v for v in dict.fromkeys([lag, *talent, *controls]) if any(v in r["params"] for r in picked)]
    for r in picked:
        r.setdefault("rsquared_within", None)
    extra: list[tuple[str, list[str]]] = [
        ("Estimator", [_estimator(r) for r in picked]),
        ("Years", [s["sample"]["years_text"] for s in specs]),
    ]
    for t in talent:
        lr = [_long_run(r, t, lag) for r in picked]
        extra.append((f"Long-run effect: {term_label(t, labels)}", [_fmt_effect(v) for v in lr]))
        extra.append(
            ("", [f"({fmt_number(v['se'], 3)})" if v and v.get("se") is not None else "" for v in lr])
        )
    extra.append(("AR(1) test, p", [_test_p(r, "ar1") for r in picked]))
    extra.append(("AR(2) test, p", [_test_p(r, "ar2") for r in picked]))
    extra.append(("Hansen J test, p", [_test_p(r, "hansen") for r in picked]))
    extra.append(("Instruments / provinces", [_instruments(r) for r in picked]))
    note = (
        "Long-run effect = β/(1 − ρ), ρ the coefficient on lagged ln TFP, delta-method SE; not defined when ρ ≥ 1. "
        "FE with a lagged dependent variable is biased at order 1/T (Nickell 1981); system GMM (Blundell and Bond 1998) "
        "instruments lagged ln TFP and talent by their own lags (collapsed, Roodman 2009), two-step with Windmeijer (2005) SEs. "
        "GMM observations count the transformed equation; AR(2) H0: no second-order serial correlation of the differenced "
        "errors; Hansen H0: the instruments are valid."
    )
    return columns_table(name, entry, picked, specs, keep=keep, extra_rows=extra, notes=[note], labels=labels)


def _estimator(r: Mapping[str, Any]) -> str:
    """'Two-step system GMM' (transformation ``ld``: levels and differences) / 'One-step difference
    GMM' ..., 'Two-way FE' for a two-way regression, else the result's model name."""
    if r.get("estimator") == "gmm":
        kind = "system" if r.get("transformation") == "ld" else "difference"
        return f"{'Two-step' if r.get('model') == 'twostep' else 'One-step'} {kind} GMM"
    return "Two-way FE" if r.get("effects") == "twoway" else str(r.get("model"))


def _instruments(r: Mapping[str, Any]) -> str:
    """'instruments / provinces' of a GMM result's ``instrument_check``; blank for FE columns."""
    check = r.get("instrument_check")
    return "" if not check else f"{check['n_instruments']} / {check['n_groups']}"


def _fmt_effect(v: Mapping[str, Any] | None) -> str | Cell:
    """θ with 3 decimals and the stars of its normal p; 'n.d. (ρ ≥ 1)' when undefined; blank if absent."""
    if not v:
        return ""
    if v.get("estimate") is None:
        return "n.d. (ρ ≥ 1)"
    return fmt_number(v["estimate"], 3) + stars_for(v.get("p_value"))


def channels_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """One column per mechanism spec: a (talent -> M), b (M -> TFP | talent), a·b with its bootstrap CI, Sobel z.

    One panel per talent term; below, N, provinces, years and bootstrap replications of each column.

    Reads the ``mediation`` block of each column's spec (kind ``mechanism``): a and b with stars over
    their clustered SEs, a·b, its bootstrap percentile interval at ``bootstrap.level``, Sobel z, and
    "CI excludes 0" (the stated rule of a supported channel). The header is the column number and the
    channel name. Raises :class:`InputError` when a column's spec has no mediation results.
    The note gives the level and seed of the first column's bootstrap and names each channel's
    mediator; in ``config/config.yaml`` the channels are patents, R&D and tertiary value added.
    """
    where = f"tables.{name}"
    specs = []
    for c in entry["columns"]:
        if c["spec"] not in results or "mediation" not in results[c["spec"]]:
            raise InputError(f"spec '{c['spec']}' has no mediation results (use kind mechanism)", file=where)
        specs.append(results[c["spec"]])
    meds = [s["mediation"] for s in specs]
    talent = list(dict.fromkeys(t for md in meds for t in md["effects"]))
    sections = []
    for t in talent:
        rows: list[list[str | Cell]] = []
        eff = [md["effects"].get(t) for md in meds]
        for key, se, p, text in (
            ("a", "se_a", "p_a", "a: talent → channel"),
            ("b", "se_b", "p_b", "b: channel → TFP"),
        ):
            rows.append([text, *(Cell(fmt_number(e[key], 4), stars_for(e[p])) if e else "" for e in eff)])
            rows.append(["", *(f"({fmt_number(e[se], 4)})" if e else "" for e in eff)])
        rows.append(["Indirect a·b", *(fmt_number(e["indirect"], 4) if e else "" for e in eff)])
        rows.append(["Bootstrap CI", *(_ci(e["ci"]) if e else "" for e in eff)])
        rows.append(["Sobel z", *(fmt_number(e["sobel_z"], 2) if e else "" for e in eff)])
        rows.append(["CI excludes 0", *(("Yes" if e["supported"] else "No") if e else "" for e in eff)])
        sections.append(Section(rows, title=f"Talent term: {term_label(t, labels)}"))
    sections.append(
        Section(
            [
                ["Observations", *(fmt_int(s["sample"]["nobs"]) for s in specs)],
                ["Provinces", *(str(s["sample"]["n_provinces"]) for s in specs)],
                ["Years", *(s["sample"]["years_text"] for s in specs)],
                ["Bootstrap draws", *(fmt_int(md["bootstrap"]["replications"]) for md in meds)],
            ]
        )
    )
    level = meds[0]["bootstrap"]["level"]
    notes = [
        "Descriptive mediation, not causal: the two-way fixed-effects design identifies neither the effect of the channel on TFP "
        "(b) nor, therefore, the indirect effect a·b. a: channel on talent and controls; b: ln TFP on the channel, talent and "
        "controls; both with province and year fixed effects and SEs clustered by province (in parentheses). "
        f"{100 * level:g}% percentile intervals of a·b from a province-cluster bootstrap (provinces resampled with replacement, "
        f"seed {meds[0]['bootstrap']['seed']}). Rule: a channel is supported by the data when that interval excludes 0. "
        "A channel that is a baseline control is dropped from the controls.",
        "Channels: "
        + "; ".join(f"({i + 1}) {term_label(md['mediator'], labels)}" for i, md in enumerate(meds))
        + ". The advanced-structure ratio (tertiary / secondary value added) is not available: the panel has no "
        "secondary-sector value added.",
    ]
    header = [[(f"({i + 1})", 1) for i in range(len(specs))], [(str(md["channel"]), 1) for md in meds]]
    return entry_table(name, entry, header=header, sections=sections, notes=notes)


def _ci(ci: list[float | None]) -> str:
    """'[lo, hi]' of a bootstrap interval (4 decimals); blank when no bootstrap was run."""
    if ci[0] is None:
        return ""
    return f"[{fmt_number(ci[0], 4)}, {fmt_number(ci[1], 4)}]"
