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
        """Number of data columns (the label column not counted)."""
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
                out.append([plain_text(c) for c in row])
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


def _fmt_finite(x: Any, fmt: Callable[[float], str]) -> str:
    """``fmt(float(x))``; ``''`` for None, NaN and ±inf; ``str(x)`` when ``x`` is not a number."""
    if x is None:
        return ""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return fmt(v) if math.isfinite(v) else ""


def _fixed_point(v: float, digits: int) -> str:
    text = f"{v:.{digits}f}"
    return text[1:] if re.fullmatch(r"-0\.?0*", text) else text


def fmt_number(x: Any, digits: int = 3) -> str:
    """Fixed-point text; ``''`` for missing; never ``-0.000``."""
    return _fmt_finite(x, lambda v: _fixed_point(v, digits))


def fmt_bound(x: Any, digits: int = 3) -> str:
    """:func:`fmt_number` for an interval bound: a non-zero bound that rounds to zero gets more digits
    (up to ``digits`` + 3) so that its sign shows, e.g. -0.0023 -> ``-0.002`` at ``digits=2``."""
    text = fmt_number(x, digits)
    if text and float(text) == 0.0 and float(x) != 0.0:
        for extra in range(1, 4):
            text = f"{float(x):.{digits + extra}f}"
            if float(text) != 0.0:
                return text
        return fmt_number(x, digits)
    return text


def fmt_int(x: Any) -> str:
    """Integer with thousands separators, ``''`` for missing."""
    return _fmt_finite(x, lambda v: f"{int(round(v)):,}")


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
    """
    word = text.split(maxsplit=1)[0] if text.strip() else ""
    letters = _WORD.match(word).group(0)
    ordinary = word == "A" or (letters[:1].isupper() and letters[1:].islower())
    if not ordinary or letters in PROPER_WORDS:
        return text
    return text[:1].lower() + text[1:]


def plain_text(cell: str | Cell) -> str:
    """A cell's text with its stars appended (for plain-text renderings)."""
    return cell.text + cell.stars if isinstance(cell, Cell) else cell


# --------------------------------------------------------------------------- regression table


def as_mapping(obj: Any, key: str, where: str) -> dict[str, float]:
    """``obj[key]`` as a name -> float mapping (a dict or a Series); one-line error otherwise."""
    value = obj.get(key)
    if value is None:
        raise InputError(f"result has no '{key}'", file=where, hint="pass PanelResult.to_dict() output")
    if isinstance(value, Mapping):
        return {str(k): (None if v is None else float(v)) for k, v in value.items()}
    raise InputError(f"'{key}' must map variable names to numbers, got {type(value).__name__}", file=where)


def lookup(obj: Mapping[str, Any], path: str) -> Any:
    """``obj['a']['b']`` for ``path = 'a.b'``; ``None`` if any step is missing."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def effects_flags(effects: Any) -> tuple[bool, bool]:
    """(entity FE, time FE) from an ``effects`` entry (``'twoway'``, ``['entity', 'time']``, ...)."""
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
