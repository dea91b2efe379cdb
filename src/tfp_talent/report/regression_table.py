"""The regression table: coefficients with stars and SEs, statistics, effects and covariance rows.

Layout (AER/QJE style, conventions in :mod:`tfp_talent.report.tables`): header rows with the
dependent variable (adjacent equal labels merged into one spanner), the column numbers (1), (2), ...
and optional column labels; then the coefficient block (estimate with stars, SE in parentheses
beneath, an optional bootstrap p-value in brackets), the statistics block and the specification block
(fixed / random effects, covariance, extra rows), each separated by a rule; then the notes.

Example: one two-way FE model with clustered and Driscoll–Kraay SEs side by side::

    cols = load_json_files({"cl": "results/fe_clustered.json", "dk": "results/fe_dk.json"})
    table = regression_table([cols["cl"], cols["dk"]], column_labels=["Clustered", "Driscoll–Kraay"],
                             variable_labels={"tertiary_share": "Tertiary share"},
                             units=("Province", "Provinces", "Year"), title="Talent and TFP")
    write_table(table, "reports/tables/baseline")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tfp_talent.errors import InputError
from tfp_talent.report.tables import (
    COV_LABELS,
    STAR_LEVELS,
    STAT_FORMATS,
    STAT_ROWS,
    Cell,
    Section,
    Table,
    as_mapping,
    effects_flags,
    fmt_number,
    lookup,
    stars_for,
)


def regression_table(
    results: Sequence[Mapping[str, Any]],
    *,
    column_labels: Sequence[str] | None = None,
    depvar_labels: Mapping[str, str] | None = None,
    variable_labels: Mapping[str, str] | None = None,
    order: Sequence[str] | None = None,
    keep: Sequence[str] | None = None,
    stats: Sequence[str | tuple[str, str]] = ("nobs", "n_entities", "rsquared_within"),
    fe_rows: bool = True,
    cov_row: bool = True,
    extra_rows: Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]] | None = None,
    notes: Sequence[str] | str = (),
    title: str = "",
    label: str | None = None,
    digits: int = 3,
    star_levels: Sequence[float] = STAR_LEVELS,
    units: tuple[str, str, str] = ("Entity", "Entities", "Period"),
    source: str | None = None,
    bootstrap_pvalues: Sequence[Mapping[str, float] | None] | None = None,
    bootstrap_note: str = "Wild cluster bootstrap p-values in brackets; stars from them where shown, "
    "otherwise from the t-test.",
) -> Table:
    """Regression table: one column per result dict, coefficients over SEs.

    Each result is a ``PanelResult.to_dict()``-like mapping with at least
    ``params``, ``std_errors`` and ``pvalues`` (name -> number); ``nobs``,
    ``n_entities``, ``rsquared_within``, ``depvar``, ``effects`` and ``cov_type``
    fill the statistics, header and fixed-effects/covariance rows when present.
    The same model can appear twice with different covariance estimators (e.g.
    clustered and Driscoll–Kraay side by side): each column uses its own SEs and
    p-values and the covariance row says which.

    Stars: ``*`` p < 0.10, ``**`` p < 0.05, ``***`` p < 0.01 (two-sided p of the
    result, strict). Rows: ``keep`` (default: every parameter except the
    intercept) in ``order`` first, then first appearance. ``stats`` names result
    keys shown below the coefficients (labels in :data:`STAT_ROWS`), or
    ``(dotted.path, label)`` pairs for nested entries such as
    ``("extra.first_stage.tertiary_share.partial_f", "First-stage F")``; rows
    missing in every result are omitted. ``extra_rows`` are appended after the
    fixed-effects/covariance rows (e.g. ``{"Controls": [...]}``). ``units`` names the panel's
    dimensions (entity, entities, period; the study uses ``("Province", "Provinces", "Year")``) in the
    statistics, effects and covariance rows; a random-effects column (``model`` ``re``) shows its entity
    effects in a random-effects row, not as fixed effects.

    ``bootstrap_pvalues`` (one mapping name -> p per column, or None) adds a bracketed p-value
    line ``[p]`` under the standard error of every coefficient that has one (e.g. wild cluster
    bootstrap p-values) and takes that coefficient's stars from it; ``bootstrap_note`` then says so.

    Parameters
    ----------
    results
        The result mappings, one column each, in order.
    column_labels
        One label per result, shown as a third header row under the column numbers (1), (2), ...
    depvar_labels
        Dependent variable -> header text (falls back to ``variable_labels``, then to the name); equal
        adjacent dependent variables share one spanner.
    variable_labels
        Parameter name -> stub label; names without a label are shown as estimated (``L1.x``, ``log(x)``).
    order, keep
        Row order and row selection, see above; an unknown ``keep`` name is an error (the estimated names
        are listed), an unknown ``order`` name is ignored.
    stats
        Statistic rows, see above; ``kind`` ``int`` rows (observations, entities) get thousands separators.
    fe_rows, cov_row
        Show the fixed/random-effects rows (from ``effects`` by
        :func:`~tfp_talent.report.tables.effects_flags`) and the covariance row (:func:`_cov_label`).
    extra_rows
        Mapping or ``(label, values)`` pairs, one value per result.
    digits, star_levels
        Decimals of coefficients, SEs, p-values and float statistics; the three star thresholds.
    notes, title, label, source
        As in :mod:`tfp_talent.report.data_tables`; the standard-error and star note is always appended.

    Returns
    -------
    Table
        Sections: coefficients (rows of estimate, ``(SE)`` and optionally ``[p]``), statistics, then
        specification rows; empty blocks are left out.

    Raises
    ------
    InputError
        When ``results`` is empty, a result lacks ``params`` / ``std_errors`` / ``pvalues``, a ``keep``
        name is in no result, or ``column_labels``, ``bootstrap_pvalues`` or an extra row has a length
        other than the number of results.
    """
    where = source or "results"
    if not results:
        raise InputError("no results to tabulate", file=where)
    n = len(results)
    if column_labels is not None and len(column_labels) != n:
        raise InputError(
            f"{len(column_labels)} column labels for {n} results", file=where, column="column_labels"
        )
    labels = dict(variable_labels or {})
    params = [as_mapping(r, "params", f"{where}[{i}]") for i, r in enumerate(results)]
    ses = [as_mapping(r, "std_errors", f"{where}[{i}]") for i, r in enumerate(results)]
    pvals = [as_mapping(r, "pvalues", f"{where}[{i}]") for i, r in enumerate(results)]

    seen: list[str] = []
    for p in params:
        for name in p:
            if name not in seen:
                seen.append(name)
    if keep is not None:
        unknown = [k for k in keep if k not in seen]
        if unknown:
            raise InputError(
                f"variable(s) {', '.join(repr(u) for u in unknown)} not in any result; estimated: {', '.join(seen)}",
                file=where,
                column="keep",
            )
        names = list(keep)
    else:
        names = [s for s in seen if s.lower() not in ("const", "intercept", "(intercept)")]
    if order:
        first = [o for o in order if o in names]
        names = first + [v for v in names if v not in first]

    boot = list(bootstrap_pvalues) if bootstrap_pvalues is not None else [None] * n
    if len(boot) != n:
        raise InputError(
            f"{len(boot)} bootstrap p-value sets for {n} results", file=where, column="bootstrap_pvalues"
        )
    boot_p = [dict(b or {}) for b in boot]
    coef_rows: list[list[str | Cell]] = []
    for name in names:
        coef: list[str | Cell] = [labels.get(name, name)]
        se_row: list[str | Cell] = [""]
        p_row: list[str | Cell] = [""]
        for p, s, pv, bp in zip(params, ses, pvals, boot_p, strict=True):
            b = p.get(name)
            p_star = bp.get(name, pv.get(name))
            coef.append(Cell(fmt_number(b, digits), stars_for(p_star, star_levels) if b is not None else ""))
            se = s.get(name)
            se_text = fmt_number(se, digits)
            se_row.append(f"({se_text})" if se_text else "")
            p_text = fmt_number(bp.get(name), digits) if b is not None else ""
            p_row.append(f"[{p_text}]" if p_text else "")
        coef_rows.extend([coef, se_row])
        if any(cell for cell in p_row[1:]):
            coef_rows.append(p_row)

    stat_rows: list[list[str | Cell]] = []
    for entry in stats:
        if isinstance(entry, str):
            key = entry
            label_text, kind = STAT_ROWS.get(key, (key, "float"))
        else:
            key, label_text = entry
            kind = STAT_ROWS.get(key, (key, "float"))[1]
        values = [lookup(r, key) for r in results]
        if all(v is None for v in values):
            continue
        if key == "n_entities" and label_text == STAT_ROWS["n_entities"][0]:
            label_text = units[1]
        cells = [STAT_FORMATS[kind](v, digits) for v in values]
        stat_rows.append([label_text, *cells])

    spec_rows: list[list[str | Cell]] = []
    if fe_rows:
        flags = [effects_flags(r.get("effects")) for r in results]
        random = [str(r.get("model", "")).lower() == "re" for r in results]
        fixed_entity = [f[0] and not re for f, re in zip(flags, random, strict=True)]
        if any(fixed_entity) or any(f[1] for f in flags):
            spec_rows.append([f"{units[0]} fixed effects", *("Yes" if f else "No" for f in fixed_entity)])
            spec_rows.append([f"{units[2]} fixed effects", *("Yes" if f[1] else "No" for f in flags)])
        if any(random):
            spec_rows.append([f"{units[0]} random effects", *("Yes" if re else "No" for re in random)])
    if cov_row and any(r.get("cov_type") for r in results):
        spec_rows.append(["Standard errors", *(_cov_label(r, units) for r in results)])
    extra = list(extra_rows.items()) if isinstance(extra_rows, Mapping) else list(extra_rows or [])
    for row_label, values in extra:
        if len(values) != n:
            raise InputError(
                f"extra row {row_label!r} has {len(values)} values for {n} columns",
                file=where,
                column="extra_rows",
            )
        spec_rows.append([row_label, *map(str, values)])

    header: list[list[tuple[str, int]]] = []
    depvars = [str(r.get("depvar") or "") for r in results]
    if any(depvars):
        dl = dict(depvar_labels or {})
        header.append(_spans([dl.get(d, labels.get(d, d)) for d in depvars]))
    header.append([(f"({i + 1})", 1) for i in range(n)])
    if column_labels is not None:
        header.append([(str(c), 1) for c in column_labels])

    note_list = [notes] if isinstance(notes, str) else list(notes)
    if any(boot_p):
        note_list.append(bootstrap_note)
    ten, five, one = star_levels
    note_list.append(
        f"Standard errors in parentheses. * p < {ten:g}, ** p < {five:g}, *** p < {one:g} (two-sided)."
    )
    sections = [Section(coef_rows)]
    for block in (stat_rows, spec_rows):
        if block:
            sections.append(Section(block))
    return Table(title=title, header=header, sections=sections, notes=note_list, label=label)


def _spans(values: Sequence[str]) -> list[tuple[str, int]]:
    """Merge runs of equal adjacent header labels into ``(label, span)``.

    ``["ln TFP", "ln TFP", "TFP growth"]`` gives ``[("ln TFP", 2), ("TFP growth", 1)]``; equal labels
    that are not adjacent stay separate spanners, so columns are never reordered.
    """
    out: list[tuple[str, int]] = []
    for v in values:
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1] + 1)
        else:
            out.append((v, 1))
    return out


# --------------------------------------------------------------------------- descriptive and correlation


def _cov_label(result: Mapping[str, Any], units: tuple[str, str, str]) -> str:
    """The covariance row's text: the cluster dimension named by ``units`` for clustered SEs.

    ``cluster`` ``entity`` (the default when absent), ``time`` or ``both`` give "Clustered by province",
    "... by year" or "... by province and year" with the study's units; other ``cov_type`` values are
    looked up in :data:`~tfp_talent.report.tables.COV_LABELS` and shown as written when unknown.
    """
    cov = str(result.get("cov_type", "")).lower()
    if cov in ("clustered", "cluster"):
        by = {"entity": units[0], "time": units[2], "both": f"{units[0]} and {units[2]}"}
        return f"Clustered by {by.get(str(result.get('cluster') or 'entity'), units[0]).lower()}"
    return COV_LABELS.get(cov, str(result.get("cov_type") or ""))
