"""Render a :class:`~tfp_talent.report.tables.Table` as LaTeX (booktabs), HTML and Markdown, and write all three."""

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
            lines.append("| " + " | ".join(md_escape(plain_text(c)) for c in row) + " |")
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
