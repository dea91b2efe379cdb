"""Identification checks and economic magnitudes (issue 15): table rows, the ``magnitudes`` table kind.

The checks are ordinary specs (kind ``panel``) with ``trends: entity`` (province-specific linear trends),
``leads: k`` (placebo leads F1.x ... Fk.x with a joint Wald test) or ``long_difference`` (one cross-section
of changes in period means); a regression table lists them beside the baseline, with the rows of
:func:`identification_rows`. The dynamic specification with lagged TFP is the ``dynamics`` table
(specs ``dyn_fe`` and ``dyn_gmm``, :mod:`tfp_talent.study.dynamics_tables`).

Economic magnitude of a slope β of ln TFP on x (:func:`magnitude`): the effect of a one within-province
standard deviation change of x, β·SD_w, with the confidence interval SD_w·[β_lo, β_hi] of the result
(clustered SE and the t(G − 1) critical value for clustered results,
:func:`tfp_talent.estimators.inference.inference_df`), and in per cent of TFP 100·(exp(β·SD_w) − 1)
(the interval transformed the same way, exp being monotone). SD_w is Stata ``xtsum``'s within SD of x in
the estimation sample, stored at estimation time in the result (``sample.within_sd``).

Within SDs (:mod:`tfp_talent.study.transforms`): SD_w = √(Σ_it (x_it − x̄_i)² / (N − 1)), and the SD
net of year effects too, SD_tw = √(Σ_it r_it² / (N − 1)) with r the two-way within residual of x (the
variation the two-way FE slope is identified from; ``sample.within_sd_twoway``). SD_tw ≤ SD_w on the
same rows (a residual from a larger projection); the table shows both, the effect rows use SD_w.
The per-cent form uses that for y = ln TFP a change Δ in y multiplies TFP by exp(Δ).

``magnitudes_table_from_config`` takes the arguments of :mod:`tfp_talent.study.tables`
(``tables.magnitudes`` in ``config/config.yaml``); :func:`identification_rows` feeds the regression
tables (``tables.identification``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from tfp_talent.data.codebook import year_ranges
from tfp_talent.errors import InputError
from tfp_talent.report.tables import Cell, Section, Table, fmt_number, stars_for
from tfp_talent.study.labels import COV_SHORT, term_label
from tfp_talent.study.results import entry_table, pick_result

Results = Mapping[str, Mapping[str, Any]]
#: A dependent variable in logs (``solow_ln_tfp``, ``ln.x``): its slopes times 100 are (log) per cent.
LOG_Y = re.compile(r"(^|[._])ln([._]|$)")


def is_log(y: str) -> bool:
    """Whether the dependent variable's name says it is a natural log (``..._ln_...`` or ``ln.x``).

    ``ln`` as a whole token between ``_`` / ``.`` or the ends of the name (:data:`LOG_Y`):
    ``solow_ln_tfp`` and ``ln.gdp`` are logs, ``lnx`` or ``kiln_tfp`` are not.
    """
    return bool(LOG_Y.search(y))


def magnitude(
    result: Mapping[str, Any], spec_result: Mapping[str, Any], term: str, *, where: str = "magnitudes"
) -> dict[str, Any]:
    """Effect of a one within-province SD change of ``term``: β·SD_w, its interval and, for a log y, in %.

    ``result`` is one regression result (``{params, std_errors, conf_int, level, df_inference, ...}``),
    ``spec_result`` the whole results file (for ``sample.within_sd`` and ``y``). Keys: ``b``, ``se``, ``p``,
    ``sd``, ``sd_twoway``, ``effect`` = β·SD_w, ``ci`` = SD_w·(CI of β), ``pct`` = 100(exp(β·SD_w) − 1) and
    ``pct_ci`` (None unless y is a log), ``level``, ``df`` (of the t distribution; None = normal), ``cov``.

    The interval of β is the result's stored ``conf_int`` (b ± q·SE, q the (1 + level)/2 quantile of
    t(``df_inference``) or the normal; not the wild bootstrap set), so the effect's
    interval is exactly SD_w times it; ``pct`` and ``pct_ci`` apply 100·(exp(·) − 1) to the effect and
    both bounds (monotone, so the bounds stay bounds; the interval is not symmetric in %).

    Raises
    ------
    InputError
        When the results file stores no within SD of ``term`` (written before issue 15: re-estimate),
        or the result has no coefficient on ``term``.
    """
    sds = (spec_result.get("sample") or {}).get("within_sd")
    if not sds or term not in sds:
        raise InputError(
            f"spec '{spec_result.get('spec')}' has no within SD of {term!r} in its results file "
            "(results written before issue 15: re-estimate it)",
            file=where,
        )
    if term not in (result.get("params") or {}):
        raise InputError(f"spec '{spec_result.get('spec')}' has no coefficient on {term!r}", file=where)
    sd = float(sds[term])
    b, se = float(result["params"][term]), float(result["std_errors"][term])
    lo, hi = (float(v) for v in result["conf_int"][term])
    effect, ci = b * sd, [lo * sd, hi * sd]
    log_y = is_log(str(spec_result.get("y", "")))
    df = result.get("df_inference")
    return {
        "term": term,
        "b": b,
        "se": se,
        "p": result["pvalues"].get(term),
        "sd": sd,
        "sd_twoway": ((spec_result["sample"].get("within_sd_twoway") or {}).get(term)),
        "effect": effect,
        "ci": ci,
        "pct": 100.0 * math.expm1(effect) if log_y else None,
        "pct_ci": [100.0 * math.expm1(v) for v in ci] if log_y else None,
        "level": float(result.get("level", 0.95)),
        "df": None if df is None or not math.isfinite(float(df)) else float(df),
        "cov": result.get("cov_type"),
    }


def _ci(v: Sequence[float] | None, digits: int) -> str:
    """'[lo, hi]' with ``digits`` decimals; "" for None (no interval in this column)."""
    return "" if v is None else f"[{fmt_number(v[0], digits)}, {fmt_number(v[1], digits)}]"


def magnitudes_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """``tables.<name>`` of kind ``magnitudes``: for each talent term (``variables``, default the talent
    terms of the first column) one panel of rows: coefficient (SE), within-province SD, SD net of year
    effects, effect of +1 SD on y with its interval, and in % of TFP for a log y; one column per
    ``{spec, cov}`` of ``columns``.

    Each cell is :func:`magnitude` of the column's result and results file; a column without the
    term is blank. Rows for each term: coefficient with stars (the result's p) over its SE, SD_w
    (``Within-province SD``), SD_tw (``SD net of year effects``), β·SD_w with SD_w·[β_lo, β_hi], and,
    for a log y, 100·(exp(β·SD_w) − 1) with its interval; the last panel has N, provinces and the
    covariance. The note states the formulas and the confidence level(s) of the columns. Raises
    :class:`InputError` as :func:`magnitude` does.

    In ``config/config.yaml`` the columns are the baseline and the province-trends check, so the table
    shows how much smaller the identifying variation (and the effect of a typical change) becomes once
    trends absorb the slow-moving part of x.
    """
    where = f"tables.{name}"
    cols = list(entry["columns"])
    picked = [pick_result(results, c, where=where) for c in cols]
    specs = [results[c["spec"]] for c in cols]
    variables = list(entry.get("variables") or specs[0]["roles"]["talent"])
    sections = []
    levels = set()
    for v in variables:
        ms = [
            magnitude(r, s, v, where=where) if v in r["params"] else None
            for r, s in zip(picked, specs, strict=True)
        ]
        levels.update(m["level"] for m in ms if m)
        pct = any(m and m["pct"] is not None for m in ms)
        rows: list[list[str | Cell]] = [
            ["Coefficient", *(Cell(fmt_number(m["b"], 3), stars_for(m["p"])) if m else "" for m in ms)],
            ["", *(f"({fmt_number(m['se'], 3)})" if m else "" for m in ms)],
            ["Within-province SD", *(fmt_number(m["sd"], 4) if m else "" for m in ms)],
            ["SD net of year effects", *(fmt_number(m["sd_twoway"], 4) if m else "" for m in ms)],
            [
                "Effect of +1 SD on " + term_label(specs[0]["y"], labels),
                *(fmt_number(m["effect"], 4) if m else "" for m in ms),
            ],
            ["Confidence interval", *(_ci(m["ci"], 4) if m else "" for m in ms)],
        ]
        if pct:
            rows.append(
                [
                    "Effect of +1 SD on TFP (%)",
                    *(fmt_number(m["pct"], 2) if m and m["pct"] is not None else "" for m in ms),
                ]
            )
            rows.append(["Confidence interval (%)", *(_ci(m["pct_ci"], 2) if m else "" for m in ms)])
        sections.append(Section(rows, title=term_label(v, labels)))
    sections.append(
        Section(
            [
                ["Observations", *(str(s["sample"]["nobs"]) for s in specs)],
                ["Provinces", *(str(s["sample"]["n_provinces"]) for s in specs)],
                [
                    "Standard errors",
                    *(COV_SHORT.get(str(r.get("cov_type")), str(r.get("cov_type"))) for r in picked),
                ],
            ]
        )
    )
    level = ", ".join(f"{100 * lv:g}%" for lv in sorted(levels)) or "95%"
    notes = [
        "Effect of a one within-province standard deviation change: coefficient × SD, where SD is the within SD of "
        "the variable in the column's estimation sample (Stata xtsum: the SD of x_it − x̄_i + x̄). "
        f"{level} confidence intervals are the coefficient's interval × SD (clustered SEs with t(G − 1) critical "
        "values for clustered columns); in % of TFP: 100·(exp(effect) − 1). The SD net of year effects (province "
        "and year effects removed) is the variation the two-way fixed-effects slope is estimated from.",
    ]
    header = [
        [(f"({i + 1})", 1) for i in range(len(cols))],
        [(c.get("label") or s["label"], 1) for c, s in zip(cols, specs, strict=True)],
    ]
    return entry_table(name, entry, header=header, sections=sections, notes=notes)


def identification_rows(
    picked: Sequence[Mapping[str, Any]], specs: Sequence[Mapping[str, Any]]
) -> list[tuple[str, list[str]]]:
    """Rows of a regression table for the identification checks, only where a column has one:
    province trends, the p-value of the joint test that the leads are zero, the long-difference periods.

    ``Province linear trends`` (Yes/No, from ``sample.trends``); ``Leads jointly zero, p`` (the Wald
    test F = b_L'V_L⁻¹b_L/q of ``joint_tests.leads``, F(q, G − 1) when clustered); ``Long difference
    of period means`` (the later period minus the earlier, from ``sample.long_difference.periods``).
    ``picked`` are the columns' results, ``specs`` their results files, in column order.

    Returns ``(row label, one cell per column)`` pairs for
    :func:`tfp_talent.report.regression_table.regression_table`'s ``extra_rows``; an empty list when
    no column is a check, so ordinary regression tables gain no rows.
    """
    rows: list[tuple[str, list[str]]] = []
    samples = [s.get("sample") or {} for s in specs]
    if any("trends" in s for s in samples):
        rows.append(("Province linear trends", ["Yes" if "trends" in s else "No" for s in samples]))
    tests = [(r.get("joint_tests") or {}).get("leads") for r in picked]
    if any(tests):
        rows.append(("Leads jointly zero, p", [fmt_number(t["p_value"], 3) if t else "" for t in tests]))
    if any("long_difference" in s for s in samples):
        rows.append(
            (
                "Long difference of period means",
                [
                    " minus ".join(
                        year_ranges(range(a, b + 1)) for a, b in reversed(s["long_difference"]["periods"])
                    )
                    if "long_difference" in s
                    else ""
                    for s in samples
                ],
            )
        )
    return rows
