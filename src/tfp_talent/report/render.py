"""Render a :class:`~tfp_talent.report.tables.Table` as LaTeX (booktabs), HTML and Markdown, and write all three.

The three renderings show the same cells in the same order: header rows (``(text, colspan)`` spans, a
rule under spanners), one block per :class:`~tfp_talent.report.tables.Section` (an italic title row
when it has one, a rule between blocks), then the notes. Stars of a
:class:`~tfp_talent.report.tables.Cell` are a superscript in LaTeX and HTML and plain text in Markdown.
Every text is escaped for its format (:func:`latex_escape`, ``html.escape``, :func:`md_escape`), so
labels such as ``ln_tfp`` or ``R&D (%)`` need no care; the output is deterministic (no ids, no dates).

Which rendering goes where: the ``.tex`` file is for a paper (``\\input``), the ``.html`` fragment for
the HTML report (:mod:`tfp_talent.report.document` inserts it with the CSS embedded once), the ``.md``
pipe table for the Markdown report, GitHub and the Typst PDF (:mod:`tfp_talent.report.pdf`).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from tfp_talent.errors import InputError
from tfp_talent.io import write_text
from tfp_talent.report.tables import Cell, Table, plain_text

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

    Specials ``\\ & % $ # _ { } ~ ^ < >`` get their text-mode commands; dashes, the minus sign, ×, ±, ≤,
    ≥, ², ³, subscript digits, the Greek letters of the tables and curly quotes get LaTeX equivalents
    (math ones in ``$...$``). Adjacent math pieces (``$$``) are merged so that ``−²`` stays one formula.
    Other characters (accented Latin letters such as the ö of Törnqvist) pass unchanged, for inputenc /
    UTF-8 LaTeX to handle.

    Examples
    --------
    ``latex_escape("R&D_share (%)")`` is ``R\\&D\\_share (\\%)``; ``latex_escape("Within R²")`` is
    ``Within R$^{2}$``.
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
    """A body cell in LaTeX: escaped text, a leading minus of a number as ``$-$``, stars as ``$^{***}$``."""
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

    The column spec is ``l`` for the stub and ``c`` for each data column; spanners of upper header rows
    get ``\\cmidrule(lr)`` under them, blocks are separated by ``\\midrule``, and ``position`` is the float
    placement (default ``htbp``).

    Parameters
    ----------
    table
        The table; its ``stub_header`` fills the stub cell of the last header row, a section title spans
        the whole row in italics.
    float_env
        False gives the bare tabular (and notes), e.g. to place it in a float of one's own.

    Returns
    -------
    str
        LaTeX source ending in a newline; every text cell escaped by :func:`latex_escape`, which raises
        :class:`InputError` for Chinese characters.

    Examples
    --------
    Input of a paper's ``.tex`` file (with ``\\usepackage{booktabs}`` in its preamble)::

        Path("tables/baseline.tex").write_text(to_latex(table), encoding="utf-8")
        # in the paper: \\input{tables/baseline.tex}
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
    """A minimal compilable document around table(s), for checks and previews.

    ``article`` with ``booktabs`` and 2 cm margins; ``body`` (e.g. :func:`to_latex` output) goes in as given.
    The report tests compile such a document with a TeX engine (pdflatex, tectonic or latexmk) when
    one is on PATH.
    """
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
    """A body cell in HTML: escaped text, stars as ``<sup>``, e.g. ``0.5<sup>**</sup>``."""
    if isinstance(cell, Cell):
        body = html.escape(cell.text)
        return body + (f"<sup>{html.escape(cell.stars)}</sup>" if cell.stars else "")
    return html.escape(cell)


def to_html(table: Table, *, include_style: bool = True) -> str:
    """A self-contained HTML fragment: ``<style>`` (optional) + ``<table class="tfp-table">``.

    No blank lines inside, so the fragment is one raw-HTML block when embedded in
    Markdown.

    The title is the ``<caption>``, header rows are in ``<thead>`` (spanners with class ``spanner``), each
    section is its own ``<tbody>`` and the notes one ``<tfoot>`` cell joined by ``<br>``. With
    ``include_style=False`` the :data:`TABLE_CSS` is left to the page (the report embeds it once).

    Returns
    -------
    str
        The fragment ending in a newline. Text is escaped with ``html.escape`` and the CSS is scoped to
        ``table.tfp-table``, so nothing leaks into the surrounding page and the bytes are the same on
        every run.
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
    """Escape Markdown inline specials (``* _ | < > [ ] \\ ```) with a backslash.

    ``md_escape("ln_tfp | R&D")`` is ``ln\\_tfp \\| R&D``: an underscore would start emphasis and a pipe a
    new table cell.
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def to_markdown(table: Table) -> str:
    """GitHub pipe table; multi-row headers are joined per column; panel titles become italic rows.

    A spanner's text is repeated in every column it covers and joined with the lower header texts
    ("Critical values 10%"); the stub column is left-aligned, data columns centred. The title is a bold
    line above the table, section titles italic rows, notes one paragraph below. Stars are appended to
    the numbers as plain text.

    Returns
    -------
    str
        The Markdown ending in a newline; cell texts escaped by :func:`md_escape`, so a ``|`` or ``*`` in a
        label does not break the table.
    """
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
            lines.append("| " + " | ".join(md_escape(plain_text(c)) for c in row) + " |")
    if table.notes:
        lines.append("")
        lines.append(" ".join(md_escape(n) for n in table.notes))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- writing


def write_table(table: Table, stem: str | Path) -> list[Path]:
    """Write ``stem.tex``, ``stem.html`` and ``stem.md`` atomically; return the paths.

    A ``stem`` that already ends in ``.tex``, ``.html`` or ``.md`` loses that suffix first. The HTML
    includes the :data:`TABLE_CSS` style block (``include_style=True``), the LaTeX a ``table`` float.

    Returns ``[stem.tex, stem.html, stem.md]``. The LaTeX is rendered first, so a table with Chinese text
    raises :class:`InputError` (:func:`latex_escape`) before any file is written; missing parent folders
    are created (:func:`tfp_talent.io.write_text`). Example::

        paths = write_table(regression_table([fe, re]), "reports/tables/baseline")
    """
    base = Path(stem)
    if base.suffix in (".tex", ".html", ".md"):
        base = base.with_suffix("")
    paths = [base.with_suffix(".tex"), base.with_suffix(".html"), base.with_suffix(".md")]
    write_text(to_latex(table), paths[0])
    write_text(to_html(table), paths[1])
    write_text(to_markdown(table), paths[2])
    return paths
