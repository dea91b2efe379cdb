"""Journal-style tables from plain results: one table model, three renderings.

Every table of the study is first built as a :class:`Table` (a header, blocks of
body rows, notes) from plain data -- result dicts as written by
``PanelResult.to_dict()`` and the threshold estimator, or panel DataFrames -- and
then rendered by :func:`tfp_talent.report.render.to_latex` (booktabs; compiles with ``\\usepackage{booktabs}``
only), :func:`~tfp_talent.report.render.to_html` (a self-contained ``<table>`` fragment) and
:func:`~tfp_talent.report.render.to_markdown` (a GitHub pipe table); :func:`~tfp_talent.report.render.write_table`
writes all three. The builders of each kind of table are in :mod:`~tfp_talent.report.regression_table`,
:mod:`~tfp_talent.report.data_tables` and :mod:`~tfp_talent.report.threshold_table`.

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

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tfp_talent.errors import InputError

#: Significance levels for one, two and three stars (two-sided p strictly below).
STAR_LEVELS: tuple[float, float, float] = (0.10, 0.05, 0.01)

#: Default labels of covariance types as written by the panel estimators.
COV_LABELS: dict[str, str] = {
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
    "n_entities": ("Entities", "int"),  # named by regression_table's ``units``
    "rsquared_within": ("Within R²", "float"),
    "rsquared": ("R²", "float"),
    "first_stage_f": ("First-stage F", "float"),
}

REGION_ORDER: tuple[str, ...] = ("East", "Central", "West", "Northeast")


class Cell(NamedTuple):
    """A body cell: its text and significance stars rendered as a superscript.

    ``Cell("0.512", "***")`` shows the stars as a superscript in LaTeX and HTML and as ``0.512***`` in
    Markdown; a plain ``str`` cell has no stars.
    """

    text: str
    stars: str = ""


@dataclass(frozen=True)
class Section:
    """A block of body rows, separated from the next block by a rule.

    ``title`` (optional) is printed as a row spanning the table, e.g. ``Panel A: East``.
    Each row is ``[stub, cell, cell, ...]``; cells are ``str`` or :class:`Cell`.

    The regression table uses three sections (coefficients, statistics, specification rows), the
    descriptive table one per region, the threshold table one per panel A, B, C.
    """

    rows: list[list[str | Cell]]
    title: str | None = None


@dataclass(frozen=True)
class Table:
    """A rendered-format-independent table.

    ``header`` is a list of header rows; each row is a list of ``(text, colspan)``
    covering the data columns (the stub column is left empty above the body).
    ``stub_header`` labels the stub column in the last header row.

    Attributes
    ----------
    title
        Caption (LaTeX ``\\caption``, HTML ``<caption>``, bold line in Markdown); the report prefixes
        "Table N: ".
    sections
        Blocks of body rows (:class:`Section`), each row ``[stub, cell, ...]`` with one cell per data column.
    notes
        Note texts, printed in order under the table.
    label
        LaTeX ``\\label`` (e.g. ``tab:codebook``); None for none.

    Examples
    --------
    Two columns under one spanner::

        Table(title="Threshold tests", header=[[("Critical values", 2)], [("5%", 1), ("1%", 1)]],
              sections=[Section([["Single", "10.2", "13.9"]])], stub_header="Test")
    """

    title: str
    header: list[list[tuple[str, int]]]
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    label: str | None = None
    stub_header: str = ""

    @property
    def n_data_cols(self) -> int:
        """Number of data columns (the label column not counted).

        The sum of the spans of the last header row; without a header, the length of the first body row
        minus the stub; 0 for an empty table.
        """
        if self.header:
            return sum(span for _, span in self.header[-1])
        for sec in self.sections:
            for row in sec.rows:
                return len(row) - 1
        return 0

    def rows(self) -> list[list[str]]:
        """Body rows as plain strings (stars appended), for tests and quick looks.

        Section titles are not included; each row keeps its stub as first element.
        """
        out: list[list[str]] = []
        for sec in self.sections:
            for row in sec.rows:
                out.append([plain_text(c) for c in row])
        return out


# --------------------------------------------------------------------------- formatting


def stars_for(p: float | None, levels: Sequence[float] = STAR_LEVELS) -> str:
    """``'***'`` if p < levels[2], ``'**'`` if p < levels[1], ``'*'`` if p < levels[0], else ``''``.

    Strict inequalities: p = 0.05 gets one star at the default :data:`STAR_LEVELS` (0.10, 0.05, 0.01).
    None, NaN and ±inf give no stars. ``levels`` is ``(ten, five, one)`` in that order, e.g.
    ``(0.05, 0.01, 0.001)`` for the stricter convention of some journals.
    """
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


def _fmt_finite(x: Any, fmt: Callable[[float], str]) -> str:
    """``fmt(float(x))``; ``''`` for None, NaN and ±inf; ``str(x)`` when ``x`` is not a number.

    The common guard of :func:`fmt_number`, :func:`fmt_bound` and :func:`fmt_int`: a table cell is never
    ``nan`` or ``inf``, it is empty.
    """
    if x is None:
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return fmt(v) if math.isfinite(v) else ""


def _fixed_point(v: float, digits: int) -> str:
    """``v`` with ``digits`` decimals, a negative zero (``-0.000``, ``-0``) without its sign."""
    text = f"{v:.{digits}f}"
    return text[1:] if re.fullmatch(r"-0\.?0*", text) else text


def fmt_number(x: Any, digits: int = 3) -> str:
    """Fixed-point text; ``''`` for missing; never ``-0.000``.

    ``fmt_number(0.51249, 3)`` is ``'0.512'``, ``fmt_number(-0.0001)`` is ``'0.000'``; rounding as
    Python's ``format``. Non-numbers are returned as ``str(x)``.
    """
    return _fmt_finite(x, lambda v: _fixed_point(v, digits))


def fmt_bound(x: Any, digits: int = 3) -> str:
    """:func:`fmt_number` for an interval bound: a non-zero bound that rounds to zero gets more digits
    (up to ``digits`` + 3) so that its sign shows, e.g. -0.0023 -> ``-0.002`` at ``digits=2``.

    If even ``digits`` + 3 decimals round to zero, the plain :func:`fmt_number` text is returned.
    """
    text = fmt_number(x, digits)
    if text and float(text) == 0.0 and float(x) != 0.0:
        for extra in range(1, 4):
            text = f"{float(x):.{digits + extra}f}"
            if float(text) != 0.0:
                return text
        return fmt_number(x, digits)
    return text


def fmt_int(x: Any) -> str:
    """Integer with thousands separators, ``''`` for missing.

    The value is rounded first (``fmt_int(1234.6)`` is ``'1,235'``); NaN and ±inf give ``''``.
    """
    return _fmt_finite(x, lambda v: f"{int(round(v)):,}")


#: How a statistic row of each kind (the second element of :data:`STAT_ROWS`) is written: (value, digits) -> text.
STAT_FORMATS: dict[str, Callable[[Any, int], str]] = {
    "int": lambda x, digits: fmt_int(x),
    "float": fmt_number,
}


#: Words that keep their capital inside a sentence: regions, the country, names of methods and authors.
PROPER_WORDS: frozenset[str] = frozenset(
    [
        "East",
        "Central",
        "West",
        "China",
        "Chinese",
        "Solow",
        "Törnqvist",
        "Malmquist",
        "Moran",
        "Hansen",
        "Webb",
    ]
)
_WORD = re.compile(r"[^\W\d_]*")


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, for use inside a sentence.

    Only an ordinary capitalised first word is lowered ("Talent stock" -> "talent stock", "A" -> "a");
    acronyms ("TFP", "R&D", "SDM"), symbols ("Δ") and :data:`PROPER_WORDS` ("East", "China's") stay.
    The report uses it for its generated lead-in sentences: a caption "Regional TFP, 2000-2022" reads
    "Figure 2 shows regional TFP, 2000-2022."; "Moran's I by year" stays as it is.
    """
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    letters = _WORD.match(word).group(0)
    ordinary = word == "A" or (letters[:1].isupper() and letters[1:].islower())
    if not ordinary or letters in PROPER_WORDS:
        return text
    return text[:1].lower() + text[1:]


def plain_text(cell: str | Cell) -> str:
    """A cell's text with its stars appended, for plain-text output: ``Cell("0.5", "**")`` -> ``0.5**``."""
    return cell.text + cell.stars if isinstance(cell, Cell) else cell


# --------------------------------------------------------------------------- regression table


def as_mapping(obj: Any, key: str, where: str) -> dict[str, float]:
    """``obj[key]`` as a name -> float mapping (a dict or other Mapping); one-line error otherwise.

    ``None`` values stay None (a coefficient without SE). Raises :class:`InputError` naming ``where``
    when the key is missing or its value is not a mapping.
    ``as_mapping({"params": {"x": 1}}, "params", "fe.json")`` is ``{"x": 1.0}``; keys become strings.
    """
    value = obj.get(key)
    if value is None:
        raise InputError(f"result has no '{key}'", file=where, hint="pass PanelResult.to_dict() output")
    if isinstance(value, Mapping):
        return {str(k): (None if v is None else float(v)) for k, v in value.items()}
    raise InputError(f"'{key}' must map variable names to numbers, got {type(value).__name__}", file=where)


def lookup(obj: Mapping[str, Any], path: str) -> Any:
    """``obj['a']['b']`` for ``path = 'a.b'``; ``None`` if any step is missing.

    Used for the ``(dotted.path, label)`` statistic rows of the regression table, e.g.
    ``extra.first_stage.tertiary_share.partial_f``; a step into a non-mapping also gives None.
    """
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def effects_flags(effects: Any) -> tuple[bool, bool]:
    """(entity FE, time FE) from an ``effects`` entry (``'twoway'``, ``['entity', 'time']``, ...).

    Matched on words, case-insensitively: ``twoway`` / ``two-way`` / ``two_way`` give both; ``entity``,
    ``province``, ``individual`` or ``unit`` an entity effect; ``time``, ``year`` or ``period`` a time
    effect; None and ``none`` neither. So R's ``individual`` / ``twoways`` and the estimators' words all work.
    ``effects_flags("twoways")`` is ``(True, True)``, ``effects_flags(["province"])`` ``(True, False)``.
    """
    if effects is None:
        return False, False
    items = (
        [str(e).lower() for e in effects] if isinstance(effects, (list, tuple)) else [str(effects).lower()]
    )
    text = " ".join(items)
    if "twoway" in text or "two-way" in text or "two_way" in text:
        return True, True
    entity = any(w in text for w in ("entity", "province", "individual", "unit"))
    time = any(w in text for w in ("time", "year", "period"))
    return entity, time
