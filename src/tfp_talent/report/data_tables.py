"""Tables built from panel data: descriptive statistics by region and the correlation matrix.

Both builders return a :class:`~tfp_talent.report.tables.Table` (rendered by
:mod:`tfp_talent.report.render`) and share these arguments: ``panel`` (one row per province-year),
``variables`` (numeric columns, in row order), ``variable_labels`` (column -> label shown in the stub),
``digits`` (decimals of the statistics), ``title``, ``label`` (LaTeX label), ``notes`` (text or texts
put before the table's own notes) and ``source`` (file named in error messages).

Numbers are formatted by :func:`~tfp_talent.report.tables.fmt_number` (fixed point, never ``-0.000``)
and counts by :func:`~tfp_talent.report.tables.fmt_int`.

Example::

    desc = descriptive_table(panel, ["ln_tfp_solow", "tertiary_share"], by="region3",
                             variable_labels={"ln_tfp_solow": "ln TFP (Solow)"}, label="tab:desc")
    corr = correlation_table(panel, ["ln_tfp_solow", "tertiary_share", "avg_school_years"], digits=2)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import t_sf
from tfp_talent.io import require_columns
from tfp_talent.report.tables import (
    REGION_ORDER,
    Cell,
    Section,
    Table,
    fmt_int,
    fmt_number,
    stars_for,
)


def _numeric(panel: pd.DataFrame, variables: Sequence[str], source: str | None) -> pd.DataFrame:
    """``panel[variables]`` as floats; InputError for a missing or non-numeric column (booleans too)."""
    require_columns(panel, list(variables), file=source)
    bad = [
        v
        for v in variables
        if not pd.api.types.is_numeric_dtype(panel[v]) or pd.api.types.is_bool_dtype(panel[v])
    ]
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

    For a group g and variable v with non-missing values v_1..v_n: mean v̄ = Σ v_i / n and
    SD = √(Σ (v_i − v̄)² / (n − 1)), left empty when n = 1; a variable with n = 0 shows N = 0 and empty cells.
    The SD is pandas' ``Series.std(ddof=1)``, Stata's ``summarize``; N can therefore differ between the
    rows of one panel when variables have different gaps.

    Parameters
    ----------
    panel, variables, variable_labels, digits, title, label, notes, source
        See the module docstring.
    by
        Grouping column (default ``region3``); None gives one panel without a title. With ``group_order``
        the groups are shown in that order and groups not listed are left out (the final panel still has
        every row).
    group_order
        Explicit group order, see ``by``.

    Returns
    -------
    Table
        Columns N, Mean, SD, Min, Max; panels titled "Panel A: East", ..., the last "All provinces".

    Raises
    ------
    InputError
        When a variable or ``by`` is missing, a variable is not numeric, or ``by`` has missing labels
        (the rows are named).
    """
    data = _numeric(panel, variables, source)
    labels = dict(variable_labels or {})
    groups: list[tuple[str, pd.DataFrame]] = []
    if by is not None:
        require_columns(panel, [by], file=source)
        if panel[by].isna().any():
            raise InputError(
                "missing group labels", file=source, column=by, rows=list(panel.index[panel[by].isna()])
            )
        present = list(pd.unique(panel[by]))
        if group_order is None:
            order = [g for g in REGION_ORDER if g in present] + sorted(
                str(g) for g in present if g not in REGION_ORDER
            )
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
    return Table(
        title=title, header=header, sections=sections, notes=note_list, label=label, stub_header="Variable"
    )


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

    Row i is "(i) label"; columns are numbered (1), (2), ... and cell (i, j), j < i, holds r_ij from the
    n_ij rows where both variables are present; the diagonal is 1. A cell stays empty when n_ij < 3 or a
    variable is constant on those rows. Stars as in :func:`~tfp_talent.report.tables.stars_for`
    (10 %, 5 %, 1 %).

    r_ij = Σ (x_i − x̄)(y_i − ȳ) / √(Σ (x_i − x̄)² Σ (y_i − ȳ)²) (``numpy.corrcoef``). In a panel the
    rows are province-years, so the p-values treat them as independent: read them as descriptive.

    Parameters
    ----------
    panel, variables, variable_labels, digits, title, label, notes, source
        See the module docstring.
    stars
        Attach significance stars and the star note (default True).

    Returns
    -------
    Table
        k × k correlation table with the notes (the given ones, then the pairwise-complete and star notes).

    Raises
    ------
    InputError
        When a variable is missing or not numeric.
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


def _corr_pvalue(r: float, n: int) -> float:
    """Two-sided p = 2 P(T_{n-2} > |t|), t = r √((n − 2) / (1 − r²)); 0 when |r| = 1 (:func:`~tfp_talent.estimators.inference.t_sf`)."""
    if abs(r) >= 1.0:
        return 0.0
    t = r * math.sqrt((n - 2) / (1.0 - r * r))
    return float(2.0 * t_sf(abs(t), n - 2))


# --------------------------------------------------------------------------- threshold table
