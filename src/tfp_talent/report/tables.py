"""Journal-style tables from plain results: one table model, three renderings.

Every table of the study is first built as a :class:`Table` (a header, blocks of
body rows, notes) from plain data -- result dicts as written by
``PanelResult.to_dict()`` and the threshold estimator, or panel DataFrames -- and
then rendered by :func:`to_latex` (booktabs; compiles with ``\\usepackage{booktabs}``
only), :func:`to_html` (a self-contained ``<table>`` fragment) and
:func:`to_markdown` (a GitHub pipe table). :func:`write_table` writes all three.

Why not a table library. We evaluated maketables 0.2.0 (pyfixest's ``etable``
machinery), great-tables 1.1.0 and pandas ``Styler``: maketables and great-tables
do not escape LaTeX specials in labels or notes (an underscore or ``%`` breaks
compilation), their HTML carries a random element id (output not byte-stable) and
global CSS rules that leak into the page around the table, maketables needs
``tabularx``/``threeparttable``/``makecell`` and has no Markdown output, and
``Styler`` cannot place a rule between the coefficient block and the statistics
block. Rendering one small model ourselves is shorter than post-processing any
of them, deterministic, and the same model feeds all three formats.

Conventions (as in AER/QJE tables): coefficients with significance stars
(``*`` p < 0.10, ``**`` p < 0.05, ``***`` p < 0.01, two-sided, strict
inequalities), standard errors in parentheses beneath, then the number of
observations, of provinces and the within R², then fixed-effects and
covariance rows, then notes.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import require_columns, write_text

#: Significance levels for one, two and three stars (two-sided p strictly below).
STAR_LEVELS: tuple[float, float, float] = (0.10, 0.05, 0.01)

#: Default labels of covariance types as written by the panel estimators.
COV_LABELS: dict[str, str] = {
    "clustered": "Clustered by province",
    "cluster": "Clustered by province",
    "driscoll-kraay": "Driscoll–Kraay",
    "driscoll_kraay": "Driscoll–Kraay",
    "kernel": "Driscoll–Kraay",
    "dk": "Driscoll–Kraay",
    "robust": "Heteroskedasticity-robust",
    "hc1": "Heteroskedasticity-robust",
    "unadjusted": "Conventional",
    "homoskedastic": "Conventional",
}

#: Statistic rows of :func:`regression_table`: result key -> (label, kind).
STAT_ROWS: dict[str, tuple[str, str]] = {
    "nobs": ("Observations", "int"),
    "n_entities": ("Provinces", "int"),
    "rsquared_within": ("Within R²", "float"),
    "rsquared": ("R²", "float"),
    "first_stage_f": ("First-stage F", "float"),
}

REGION_ORDER: tuple[str, ...] = ("East", "Central", "West", "Northeast")


class Cell(NamedTuple):
    """A body cell: its text and significance stars rendered as a superscript."""

    text: str
    stars: str = ""


@dataclass(frozen=True)
class Section:
    """A block of body rows, separated from the next block by a rule.

    ``title`` (optional) is printed as a row spanning the table, e.g. ``Panel A: East``.
    Each row is ``[stub, cell, cell, ...]``; cells are ``str`` or :class:`Cell`.
    """

    rows: list[list[str | Cell]]
    title: str | None = None


@dataclass(frozen=True)
class Table:
    """A rendered-format-independent table.

    ``header`` is a list of header rows; each row is a list of ``(text, colspan)``
    covering the data columns (the stub column is left empty above the body).
    ``stub_header`` labels the stub column in the last header row.
    """

    title: str
    header: list[list[tuple[str, int]]]
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    label: str | None = None
    stub_header: str = ""

    @property
    def n_data_cols(self) -> int:
        if self.header:
            return sum(span for _, span in self.header[-1])
        for sec in self.sections:
            for row in sec.rows:
                return len(row) - 1
        return 0

    def rows(self) -> list[list[str]]:
        """Body rows as plain strings (stars appended), for tests and quick looks."""
        out: list[list[str]] = []
        for sec in self.sections:
            for row in sec.rows:
                out.append([_plain(c) for c in row])
        return out


# --------------------------------------------------------------------------- formatting


def stars_for(p: float | None, levels: Sequence[float] = STAR_LEVELS) -> str:
    """``'***'`` if p < levels[2], ``'**'`` if p < levels[1], ``'*'`` if p < levels[0], else ``''``."""
    if p is None or not math.isfinite(p):
        return ""
    ten, five, one = levels
    if p < one:
        return "***"
    if p < five:
        return "**"
    if p < ten:
        return "*"
    return ""


def fmt_number(x: Any, digits: int = 3) -> str:
    """Fixed-point text; ``''`` for missing; never ``-0.000``."""
    if x is None:
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return ""
    text = f"{v:.{digits}f}"
    if re.fullmatch(r"-0\.?0*", text):
        text = text[1:]
    return text


def fmt_int(x: Any) -> str:
    """Integer with thousands separators, ``''`` for missing."""
    if x is None:
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return ""
    return f"{int(round(v)):,}"


def _plain(cell: str | Cell) -> str:
    return cell.text + cell.stars if isinstance(cell, Cell) else cell


# --------------------------------------------------------------------------- regression table


def _as_mapping(obj: Any, key: str, where: str) -> dict[str, float]:
    value = obj.get(key)
    if value is None:
        raise InputError(f"result has no '{key}'", file=where, hint="pass PanelResult.to_dict() output")
    if isinstance(value, Mapping):
        return {str(k): (None if v is None else float(v)) for k, v in value.items()}
    raise InputError(f"'{key}' must map variable names to numbers, got {type(value).__name__}", file=where)


def _lookup(obj: Mapping[str, Any], path: str) -> Any:
    """``obj['a']['b']`` for ``path = 'a.b'``; ``None`` if any step is missing."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _effects_flags(effects: Any) -> tuple[bool, bool]:
    """(entity FE, time FE) from an ``effects`` entry (``'twoway'``, ``['entity', 'time']``, ...)."""
    if effects is None:
        return False, False
    items = [str(e).lower() for e in effects] if isinstance(effects, (list, tuple)) else [str(effects).lower()]
    text = " ".join(items)
    if "twoway" in text or "two-way" in text or "two_way" in text:
        return True, True
    entity = any(w in text for w in ("entity", "province", "individual", "unit"))
    time = any(w in text for w in ("time", "year", "period"))
    return entity, time


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
    source: str | None = None,
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
    fixed-effects/covariance rows (e.g. ``{"Controls": [...]}``).
    """
    where = source or "results"
    if not results:
        raise InputError("no results to tabulate", file=where)
    n = len(results)
    if column_labels is not None and len(column_labels) != n:
        raise InputError(f"{len(column_labels)} column labels for {n} results", file=where, column="column_labels")
    labels = dict(variable_labels or {})
    params = [_as_mapping(r, "params", f"{where}[{i}]") for i, r in enumerate(results)]
    ses = [_as_mapping(r, "std_errors", f"{where}[{i}]") for i, r in enumerate(results)]
    pvals = [_as_mapping(r, "pvalues", f"{where}[{i}]") for i, r in enumerate(results)]

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

    coef_rows: list[list[str | Cell]] = []
    for name in names:
        coef: list[str | Cell] = [labels.get(name, name)]
        se_row: list[str | Cell] = [""]
        for p, s, pv in zip(params, ses, pvals, strict=True):
            b = p.get(name)
            coef.append(Cell(fmt_number(b, digits), stars_for(pv.get(name), star_levels) if b is not None else ""))
            se = s.get(name)
            se_text = fmt_number(se, digits)
            se_row.append(f"({se_text})" if se_text else "")
        coef_rows.extend([coef, se_row])

    stat_rows: list[list[str | Cell]] = []
    for entry in stats:
        if isinstance(entry, str):
            key = entry
            label_text, kind = STAT_ROWS.get(key, (key, "float"))
        else:
            key, label_text = entry
            kind = STAT_ROWS.get(key, (key, "float"))[1]
        values = [_lookup(r, key) for r in results]
        if all(v is None for v in values):
            continue
        cells = [fmt_int(v) if kind == "int" else fmt_number(v, digits) for v in values]
        stat_rows.append([label_text, *cells])

    spec_rows: list[list[str | Cell]] = []
    if fe_rows:
        flags = [_effects_flags(r.get("effects")) for r in results]
        if any(f[0] for f in flags) or any(f[1] for f in flags):
            spec_rows.append(["Province fixed effects", *("Yes" if f[0] else "No" for f in flags)])
            spec_rows.append(["Year fixed effects", *("Yes" if f[1] else "No" for f in flags)])
    if cov_row and any(r.get("cov_type") for r in results):
        spec_rows.append(
            ["Standard errors", *(COV_LABELS.get(str(r.get("cov_type", "")).lower(), str(r.get("cov_type") or "")) for r in results)]
        )
    extra = list(extra_rows.items()) if isinstance(extra_rows, Mapping) else list(extra_rows or [])
    for row_label, values in extra:
        if len(values) != n:
            raise InputError(f"extra row {row_label!r} has {len(values)} values for {n} columns", file=where, column="extra_rows")
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
    """Merge runs of equal adjacent header labels into ``(label, span)``."""
    out: list[tuple[str, int]] = []
    for v in values:
        if out and out[-1][0] == v:
            out[-1] = (v, out[-1][1] + 1)
        else:
            out.append((v, 1))
    return out


# --------------------------------------------------------------------------- descriptive and correlation


def _numeric(panel: pd.DataFrame, variables: Sequence[str], source: str | None) -> pd.DataFrame:
    require_columns(panel, list(variables), file=source)
    bad = [v for v in variables if not pd.api.types.is_numeric_dtype(panel[v]) or pd.api.types.is_bool_dtype(panel[v])]
    if bad:
        raise InputError("not numeric", file=source, column=bad, hint="tabulate numeric variables only")
    return panel[list(variables)].astype(float)


def descriptive_table(
    panel: pd.DataFrame,
    variables: Sequence[str],
    *,
    by: str | None = "region3",
    variable_labels: Mapping[str, str] | None = None,
    group_order: Sequence[str] | None = None,
    digits: int = 3,
    title: str = "Descriptive statistics",
    label: str | None = None,
    notes: Sequence[str] | str = (),
    source: str | None = None,
) -> Table:
    """N, mean, standard deviation (ddof = 1), minimum and maximum of each variable.

    One panel of rows per group of ``by`` (regions in the order East, Central,
    West, Northeast, others sorted) and a final panel for all observations.
    Statistics use the non-missing observations of each variable separately.
    """
    data = _numeric(panel, variables, source)
    labels = dict(variable_labels or {})
    groups: list[tuple[str, pd.DataFrame]] = []
    if by is not None:
        require_columns(panel, [by], file=source)
        if panel[by].isna().any():
            raise InputError("missing group labels", file=source, column=by, rows=list(panel.index[panel[by].isna()]))
        present = list(pd.unique(panel[by]))
        if group_order is None:
            order = [g for g in REGION_ORDER if g in present] + sorted(str(g) for g in present if g not in REGION_ORDER)
        else:
            order = [g for g in group_order if g in present]
        for g in order:
            groups.append((str(g), data[panel[by].astype(str).to_numpy() == str(g)]))
    groups.append(("All provinces" if by is not None else "", data))

    sections: list[Section] = []
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for i, (name, frame) in enumerate(groups):
        rows: list[list[str | Cell]] = []
        for v in variables:
            col = frame[v].dropna()
            if col.empty:
                rows.append([labels.get(v, v), "0", "", "", "", ""])
                continue
            sd = col.std(ddof=1) if len(col) > 1 else float("nan")
            rows.append(
                [
                    labels.get(v, v),
                    fmt_int(len(col)),
                    fmt_number(col.mean(), digits),
                    fmt_number(sd, digits),
                    fmt_number(col.min(), digits),
                    fmt_number(col.max(), digits),
                ]
            )
        sec_title = f"Panel {letters[i % 26]}: {name}" if by is not None else None
        sections.append(Section(rows, title=sec_title))
    header = [[("N", 1), ("Mean", 1), ("SD", 1), ("Min", 1), ("Max", 1)]]
    note_list = [notes] if isinstance(notes, str) else list(notes)
    return Table(title=title, header=header, sections=sections, notes=note_list, label=label, stub_header="Variable")


def correlation_table(
    panel: pd.DataFrame,
    variables: Sequence[str],
    *,
    variable_labels: Mapping[str, str] | None = None,
    digits: int = 2,
    stars: bool = True,
    title: str = "Correlation matrix",
    label: str | None = None,
    notes: Sequence[str] | str = (),
    source: str | None = None,
) -> Table:
    """Lower-triangular Pearson correlations on pairwise-complete observations.

    With ``stars`` the two-sided p-value of H0: rho = 0 uses
    t = r sqrt((n - 2) / (1 - r²)) with n - 2 degrees of freedom (as
    ``scipy.stats.pearsonr``).
    """
    data = _numeric(panel, variables, source)
    labels = dict(variable_labels or {})
    k = len(variables)
    rows: list[list[str | Cell]] = []
    for i, vi in enumerate(variables):
        row: list[str | Cell] = [f"({i + 1}) {labels.get(vi, vi)}"]
        for j, vj in enumerate(variables):
            if j > i:
                row.append("")
                continue
            if i == j:
                row.append(Cell(fmt_number(1.0, digits)))
                continue
            pair = data[[vi, vj]].dropna()
            n = len(pair)
            if n < 3 or pair[vi].std() == 0 or pair[vj].std() == 0:
                row.append("")
                continue
            r = float(np.corrcoef(pair[vi], pair[vj])[0, 1])
            p = _corr_pvalue(r, n)
            row.append(Cell(fmt_number(r, digits), stars_for(p) if stars else ""))
        rows.append(row)
    header = [[(f"({j + 1})", 1) for j in range(k)]]
    note_list = [notes] if isinstance(notes, str) else list(notes)
    note_list.append("Pearson correlations on pairwise-complete observations.")
    if stars:
        note_list.append("* p < 0.1, ** p < 0.05, *** p < 0.01 (two-sided t test of zero correlation).")
    return Table(title=title, header=header, sections=[Section(rows)], notes=note_list, label=label)


def _normal_sf(x: float) -> float:
    """P(Z > x) for a standard normal Z: ``scipy.special.ndtr(-x)``, the function behind
    ``scipy.stats.norm.sf`` (imported here so that tables without p-values do not load SciPy)."""
    from scipy.special import ndtr

    return float(ndtr(-x))


def _corr_pvalue(r: float, n: int) -> float:
    if abs(r) >= 1.0:
        return 0.0
    from scipy.special import stdtr  # scipy.stats.t.sf(x, df) is stdtr(df, -x); imported here, not at start-up

    t = r * math.sqrt((n - 2) / (1.0 - r * r))
    return float(2.0 * stdtr(n - 2, -abs(t)))


# --------------------------------------------------------------------------- threshold table


def _seq(value: Any) -> list[Any]:
    """A list from a scalar, a list, or a mapping ordered by its keys' natural order."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        keys = list(value.keys())
        numbers = [re.sub(r"[^0-9.]", "", str(k)) for k in keys]
        if all(re.fullmatch(r"\d+(\.\d+)?", n) for n in numbers):
            keys = [k for _, k in sorted(zip((float(n) for n in numbers), keys, strict=True), key=lambda t: t[0])]
        return [value[k] for k in keys]
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return [value]


def _crit_triplet(value: Any, where: str) -> tuple[Any, Any, Any]:
    """Critical values at 10 %, 5 %, 1 % from a list ``[c10, c5, c1]`` or a dict keyed by level."""
    if isinstance(value, Mapping):
        found: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k).strip().rstrip("%").strip()
            try:
                lvl = float(key)
            except ValueError:
                continue
            lvl = lvl / 100 if lvl >= 1 else lvl
            found[f"{lvl:.2f}"] = v
        missing = [lvl for lvl in ("0.10", "0.05", "0.01") if lvl not in found]
        if missing:
            raise InputError(f"critical values lack level(s) {', '.join(missing)}", file=where, column="crit_values")
        return found["0.10"], found["0.05"], found["0.01"]
    vals = _seq(value)
    if len(vals) != 3:
        raise InputError(f"expected 3 critical values (10%, 5%, 1%), got {len(vals)}", file=where, column="crit_values")
    return vals[0], vals[1], vals[2]


def threshold_table(
    result: Mapping[str, Any],
    *,
    variable_labels: Mapping[str, str] | None = None,
    threshold_label: str = "threshold variable",
    digits: int = 3,
    title: str = "Panel threshold model",
    label: str | None = None,
    notes: Sequence[str] | str = (),
    source: str | None = None,
) -> Table:
    """Hansen (1999) threshold model: tests, threshold estimates with CIs, regime slopes.

    Reads ``ThresholdResult.to_dict()``: ``f_stat``, ``p_value`` and
    ``crit_values`` (one entry per test of k - 1 versus k thresholds, as lists
    or dicts keyed by k; critical values ``[c10, c5, c1]`` or ``{"10%": ...}``;
    ``None`` without bootstrap), ``thresholds`` and ``ci`` (one ``[lower, upper]``
    per threshold; if keyed by k, those of the largest model, whose ``params``
    and ``std_errors`` are the regime slopes and controls shown), ``nobs``. Stars on slopes use
    ``pvalues`` if present, else two-sided normal p-values of b / se.
    Reference: Hansen (1999), J. Econometrics 93, 345-368, Tables 2-3 layout;
    Wang (2015), Stata Journal 15(1), ``xthreg`` output.
    """
    where = source or "threshold result"
    labels = dict(variable_labels or {})
    f_stats = _seq(result.get("f_stat"))
    p_values = _seq(result.get("p_value"))
    crits = _seq(result.get("crit_values")) if not _is_single_triplet(result.get("crit_values")) else [result.get("crit_values")]
    gammas = [float(g) for g in _final_model(result.get("thresholds"))]
    cis = _final_model(result.get("ci"))
    if not gammas:
        raise InputError("threshold result has no 'thresholds'", file=where)
    if cis and len(cis) != len(gammas):
        raise InputError(f"{len(cis)} confidence intervals for {len(gammas)} thresholds", file=where, column="ci")
    if not (len(f_stats) == len(p_values) == len(crits)):
        raise InputError(
            f"tests disagree in length: {len(f_stats)} F, {len(p_values)} p-values, {len(crits)} critical-value sets",
            file=where,
            column=["f_stat", "p_value", "crit_values"],
        )
    test_names = {1: "Single threshold", 2: "Double threshold", 3: "Triple threshold"}
    test_rows: list[list[str | Cell]] = []
    for i, (f, p, c) in enumerate(zip(f_stats, p_values, crits, strict=True)):
        c10, c5, c1 = (None, None, None) if c is None else _crit_triplet(c, where)
        test_rows.append(
            [
                test_names.get(i + 1, f"{i + 1} thresholds"),
                Cell(fmt_number(f, digits), stars_for(None if p is None else float(p))),
                fmt_number(p, digits),
                fmt_number(c10, digits),
                fmt_number(c5, digits),
                fmt_number(c1, digits),
            ]
        )
    thr_rows: list[list[str | Cell]] = []
    for i, g in enumerate(gammas):
        lo, hi = (cis[i] if cis else (None, None))
        ci_text = f"[{fmt_number(lo, digits)}, {fmt_number(hi, digits)}]" if cis else ""
        thr_rows.append([f"γ{_sub(i + 1)} ({threshold_label})", fmt_number(g, digits), ci_text, "", "", ""])

    params = _as_mapping(result, "params", where)
    ses = _as_mapping(result, "std_errors", where)
    pvals = result.get("pvalues") if isinstance(result.get("pvalues"), Mapping) else None
    slope_rows: list[list[str | Cell]] = []
    k = len(gammas)
    for name, b in params.items():
        m = re.fullmatch(r"(.+)_r(\d+)", name)
        if name not in labels and m and 1 <= int(m.group(2)) <= k + 1:
            j = int(m.group(2))
            regime = "q ≤ γ₁" if j == 1 else f"q > γ{_sub(k)}" if j == k + 1 else f"γ{_sub(j - 1)} < q ≤ γ{_sub(j)}"
            labels[name] = f"{labels.get(m.group(1), m.group(1))} × ({regime})"
        se = ses.get(name)
        if pvals is not None and pvals.get(name) is not None:
            p = float(pvals[name])
        elif b is not None and se not in (None, 0.0) and math.isfinite(se):  # type: ignore[arg-type]
            p = float(2.0 * _normal_sf(abs(b / se)))  # type: ignore[operator]
        else:
            p = None
        se_text = fmt_number(se, digits)
        slope_rows.append(
            [labels.get(name, name), Cell(fmt_number(b, digits), stars_for(p)), f"({se_text})" if se_text else "", "", "", ""]
        )
    if result.get("nobs") is not None:
        slope_rows.append(["Observations", fmt_int(result.get("nobs")), "", "", "", ""])

    sections = [
        Section(test_rows, title="Panel A: Threshold tests (F statistic, bootstrap p-value, critical values)"),
        Section(thr_rows, title="Panel B: Threshold estimates (95% confidence interval)"),
        Section(slope_rows, title="Panel C: Regime-dependent slopes and controls (standard errors)"),
    ]
    header = [
        [("", 1), ("", 1), ("Critical values", 3)],
        [("Estimate", 1), ("p-value, (SE) or [95% CI]", 1), ("10%", 1), ("5%", 1), ("1%", 1)],
    ]
    note_list = [notes] if isinstance(notes, str) else list(notes)
    note_list.append(
        f"q: {threshold_label}. Panel A: F tests of k − 1 against k thresholds (k = 1 single, 2 double, 3 triple) "
        "with bootstrap p-values and critical values (Hansen 1999). "
        "Panel B: thresholds with 95% confidence intervals from inverting the likelihood-ratio statistic. "
        "Panel C: standard errors in parentheses; * p < 0.1, ** p < 0.05, *** p < 0.01."
    )
    return Table(title=title, header=header, sections=sections, notes=note_list, label=label)


def _final_model(value: Any) -> list[Any]:
    """Entries of the model with the most thresholds when keyed by k (``{"1": [...], "2": [...]}``)."""
    if isinstance(value, Mapping):
        items = _seq(value)
        return list(items[-1]) if items else []
    return _seq(value)


def _is_single_triplet(value: Any) -> bool:
    """True if ``value`` is one set of critical values rather than one per test."""
    if isinstance(value, Mapping):
        return any("%" in str(k) or str(k).startswith("0.") for k in value)
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (list, tuple, Mapping)):
        return True
    return False


def _sub(i: int) -> str:
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# --------------------------------------------------------------------------- LaTeX

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"$<$",
    ">": r"$>$",
}
_LATEX_UNICODE = {
    "–": "--",
    "—": "---",
    "−": "$-$",
    "×": r"$\times$",
    "²": r"$^{2}$",
    "³": r"$^{3}$",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "±": r"$\pm$",
    "Δ": r"$\Delta$",
    "α": r"$\alpha$",
    "β": r"$\beta$",
    "γ": r"$\gamma$",
    "δ": r"$\delta$",
    "ρ": r"$\rho$",
    "σ": r"$\sigma$",
    "‰": r"\textperthousand{}",
    "‘": "`",
    "’": "'",
    "“": "``",
    "”": "''",
    "\u00a0": "~",
}
_LATEX_UNICODE.update({chr(0x2080 + d): f"$_{{{d}}}$" for d in range(10)})
_ADJACENT_MATH = re.compile(r"(?<!\\)\$\$")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def latex_escape(text: str) -> str:
    """Escape LaTeX specials and map common Unicode symbols to ASCII LaTeX.

    Chinese characters cannot be typeset by plain pdflatex; they raise
    :class:`InputError` (use English labels, e.g. ``province_en``).
    """
    if _CJK.search(text):
        raise InputError(
            f"Chinese characters in table text {text!r} cannot be typeset by pdflatex",
            hint="use English labels (e.g. the province_en column)",
        )
    out = []
    for ch in text:
        if ch in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[ch])
        elif ch in _LATEX_UNICODE:
            out.append(_LATEX_UNICODE[ch])
        else:
            out.append(ch)
    return _ADJACENT_MATH.sub("", "".join(out))


_NUMERIC = re.compile(r"^\(?-\d")


def _latex_cell(cell: str | Cell) -> str:
    text, st = (cell.text, cell.stars) if isinstance(cell, Cell) else (cell, "")
    body = latex_escape(text)
    if _NUMERIC.match(text):
        body = body.replace("-", "$-$", 1)
    if st:
        body += f"$^{{{st}}}$"
    return body


def to_latex(table: Table, *, float_env: bool = True, position: str = "htbp") -> str:
    """booktabs LaTeX: needs only ``\\usepackage{booktabs}``.

    With ``float_env`` the tabular sits in a ``table`` float with caption and
    label. Notes are a footnote-size paragraph as wide as the tabular (the
    tabular is measured in the scratch box ``\\box0``).
    """
    k = table.n_data_cols
    lines: list[str] = []
    if float_env:
        lines += [f"\\begin{{table}}[{position}]", "\\centering"]
        if table.title:
            lines.append(f"\\caption{{{latex_escape(table.title)}}}")
        if table.label:
            lines.append(f"\\label{{{table.label}}}")
    if table.notes:
        lines.append("\\setbox0=\\hbox{%")
    lines.append(f"\\begin{{tabular}}{{l{'c' * k}}}")
    lines.append("\\toprule")
    n_head = len(table.header)
    for h, row in enumerate(table.header):
        cells = [latex_escape(table.stub_header) if h == n_head - 1 else ""]
        rules: list[str] = []
        col = 2
        for text, span in row:
            t = latex_escape(text)
            cells.append(t if span == 1 else f"\\multicolumn{{{span}}}{{c}}{{{t}}}")
            if h < n_head - 1 and text and span > 1:
                rules.append(f"\\cmidrule(lr){{{col}-{col + span - 1}}}")
            col += span
        lines.append(" & ".join(cells) + " \\\\")
        if rules:
            lines.append(" ".join(rules))
    lines.append("\\midrule")
    for s, sec in enumerate(table.sections):
        if s > 0:
            lines.append("\\midrule")
        if sec.title:
            lines.append(f"\\multicolumn{{{k + 1}}}{{l}}{{\\textit{{{latex_escape(sec.title)}}}}} \\\\")
        for row in sec.rows:
            lines.append(" & ".join(_latex_cell(c) for c in row) + " \\\\")
    lines.append("\\bottomrule")
    if table.notes:
        notes = " ".join(latex_escape(n) for n in table.notes)
        lines.append("\\end{tabular}}%")
        lines.append("\\leavevmode\\copy0\\par\\smallskip")
        lines.append(f"\\parbox{{\\wd0}}{{\\footnotesize {notes}}}")
    else:
        lines.append("\\end{tabular}")
    if float_env:
        lines.append("\\end{table}")
    return "\n".join(lines) + "\n"


def latex_document(body: str) -> str:
    """A minimal compilable document around table(s), for checks and previews."""
    return (
        "\\documentclass{article}\n\\usepackage{booktabs}\n"
        "\\usepackage[margin=2cm]{geometry}\n\\begin{document}\n" + body + "\\end{document}\n"
    )


# --------------------------------------------------------------------------- HTML

#: CSS for tables, scoped to ``table.tfp-table`` (embedded once in the report).
TABLE_CSS = """\
table.tfp-table{border-collapse:collapse;margin:1em auto;font-size:0.92em;font-variant-numeric:tabular-nums}
table.tfp-table caption{caption-side:top;font-weight:600;padding-bottom:0.4em}
table.tfp-table th,table.tfp-table td{padding:0.15em 0.7em;text-align:center;white-space:nowrap}
table.tfp-table th:first-child,table.tfp-table td:first-child{text-align:left}
table.tfp-table thead tr:first-child th{border-top:2px solid #000}
table.tfp-table thead tr:last-child th{border-bottom:1px solid #000}
table.tfp-table th.spanner{border-bottom:1px solid #000}
table.tfp-table tbody+tbody tr:first-child td{border-top:1px solid #000}
table.tfp-table tbody:last-of-type tr:last-child td{border-bottom:2px solid #000}
table.tfp-table td.section{font-style:italic;text-align:left}
table.tfp-table tfoot td{font-size:0.85em;text-align:left;white-space:normal;padding-top:0.4em}
"""


def _html_cell(cell: str | Cell) -> str:
    if isinstance(cell, Cell):
        body = html.escape(cell.text)
        return body + (f"<sup>{html.escape(cell.stars)}</sup>" if cell.stars else "")
    return html.escape(cell)


def to_html(table: Table, *, include_style: bool = True) -> str:
    """A self-contained HTML fragment: ``<style>`` (optional) + ``<table class="tfp-table">``.

    No blank lines inside, so the fragment is one raw-HTML block when embedded in
    Markdown.
    """
    k = table.n_data_cols
    out: list[str] = []
    if include_style:
        out.append("<style>\n" + TABLE_CSS.rstrip("\n") + "\n</style>")
    out.append('<table class="tfp-table">')
    if table.title:
        out.append(f"<caption>{html.escape(table.title)}</caption>")
    out.append("<thead>")
    n_head = len(table.header)
    for h, row in enumerate(table.header):
        cells = [f"<th>{html.escape(table.stub_header) if h == n_head - 1 else ''}</th>"]
        for text, span in row:
            cls = ' class="spanner"' if h < n_head - 1 and text and span > 1 else ""
            colspan = f' colspan="{span}"' if span > 1 else ""
            cells.append(f"<th{colspan}{cls}>{html.escape(text)}</th>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</thead>")
    for sec in table.sections:
        out.append("<tbody>")
        if sec.title:
            out.append(f'<tr><td class="section" colspan="{k + 1}">{html.escape(sec.title)}</td></tr>')
        for row in sec.rows:
            out.append("<tr>" + "".join(f"<td>{_html_cell(c)}</td>" for c in row) + "</tr>")
        out.append("</tbody>")
    if table.notes:
        notes = "<br>".join(html.escape(n) for n in table.notes)
        out.append(f'<tfoot><tr><td colspan="{k + 1}">{notes}</td></tr></tfoot>')
    out.append("</table>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_|<>\[\]])")


def md_escape(text: str) -> str:
    """Escape Markdown inline specials (``* _ | < > [ ] \\ ```) with a backslash."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(table: Table) -> str:
    """GitHub pipe table; multi-row headers are joined per column; panels become bold rows."""
    k = table.n_data_cols
    cols: list[list[str]] = [[] for _ in range(k)]
    for row in table.header:
        c = 0
        for text, span in row:
            for j in range(c, c + span):
                if text:
                    cols[j].append(text)
            c += span
    head = [md_escape(table.stub_header)] + [md_escape(" ".join(parts)) for parts in cols]
    lines = []
    if table.title:
        lines += [f"**{md_escape(table.title)}**", ""]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join([":---"] + [":---:"] * k) + "|")
    for sec in table.sections:
        if sec.title:
            lines.append("| " + " | ".join([f"*{md_escape(sec.title)}*"] + [""] * k) + " |")
        for row in sec.rows:
            lines.append("| " + " | ".join(md_escape(_plain(c)) for c in row) + " |")
    if table.notes:
        lines.append("")
        lines.append(" ".join(md_escape(n) for n in table.notes))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- writing


def write_table(table: Table, stem: str | Path) -> list[Path]:
    """Write ``stem.tex``, ``stem.html`` and ``stem.md`` atomically; return the paths."""
    base = Path(stem)
    if base.suffix in (".tex", ".html", ".md"):
        base = base.with_suffix("")
    paths = [base.with_suffix(".tex"), base.with_suffix(".html"), base.with_suffix(".md")]
    write_text(to_latex(table), paths[0])
    write_text(to_html(table), paths[1])
    write_text(to_markdown(table), paths[2])
    return paths
