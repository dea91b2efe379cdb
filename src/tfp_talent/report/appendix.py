"""Appendix material of the paper: the codebook as a table and the raw-data checksums folded away.

The codebook (``data/processed/codebook.csv``, written by the panel rule from
``tfp_talent.data.definitions.VARIABLES``) becomes a :class:`~tfp_talent.report.tables.Table` with the
columns a reader needs (variable, English and Chinese label, unit, non-missing count, years); the
source files and derivations stay in ``codebook.md``. The checksum table is wrapped in an HTML
``<details>`` block so that its 64-character digests do not fill the page.

The checksum table itself is :func:`tfp_talent.report.document.checksums_markdown`; a typical use is
``details_block("SHA-256 of the raw files", checksums_markdown("data/raw/SHA256SUMS"))``.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.report.tables import Section, Table

CODEBOOK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("label_en", "Label"),
    ("label_zh", "中文"),
    ("unit", "Unit"),
    ("n_nonmissing", "N"),
    ("years_covered", "Years"),
)


def codebook_table(path: str | Path, *, title: str = "Codebook of the provincial panel") -> Table:
    """The codebook CSV as a table: one row per variable, the columns of :data:`CODEBOOK_COLUMNS`.

    Parameters
    ----------
    path
        ``codebook.csv`` as the panel rule writes it, read as text (empty cells stay empty strings, no NaN).
    title
        The table caption.

    Returns
    -------
    Table
        Stub ``Variable`` (the ``variable`` column), then label, Chinese label, unit, N and years, in the
        file's row order; label ``tab:codebook``; a note pointing to ``codebook.md`` next to the CSV.
        The Chinese column renders in HTML, Markdown and the Typst PDF, but not through
        :func:`~tfp_talent.report.render.to_latex` (pdflatex has no CJK support: InputError there).

    Raises
    ------
    InputError
        When the file does not exist or lacks ``variable`` or one of the :data:`CODEBOOK_COLUMNS`.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError("codebook not found (built by the panel rule)", file=p)
    frame = pd.read_csv(p, dtype=str, keep_default_na=False)
    missing = [c for c in ("variable", *(c for c, _ in CODEBOOK_COLUMNS)) if c not in frame.columns]
    if missing:
        raise InputError(f"codebook lacks column(s) {', '.join(missing)}", file=p)
    rows = [[r["variable"], *(str(r[c]) for c, _ in CODEBOOK_COLUMNS)] for _, r in frame.iterrows()]
    return Table(
        title=title,
        header=[[(label, 1) for _, label in CODEBOOK_COLUMNS]],
        sections=[Section(rows=rows)],
        notes=[f"Source files and derivations of every variable: {p.with_suffix('.md').as_posix()}."],
        label="tab:codebook",
        stub_header="Variable",
    )


def details_block(summary: str, markdown: str) -> str:
    """``markdown`` inside ``<details><summary>summary</summary> ... </details>`` (blank lines kept for Markdown).

    ``summary`` is plain text (HTML-escaped); the blank lines end the HTML block so that ``markdown`` is rendered.
    Trailing whitespace of ``markdown`` is dropped. The PDF converter (:mod:`tfp_talent.report.pdf`) turns
    the summary into a bold line and keeps the content, so the folded table is still printed there.

    The result has ``<details>``, the ``<summary>`` line, a blank line, ``markdown``, a blank line and
    ``</details>``, each on its own line, and no trailing newline.
    """
    return f"<details>\n<summary>{html.escape(summary, quote=False)}</summary>\n\n{markdown.rstrip()}\n\n</details>"
