"""The report as a PDF: its Markdown converted to Typst markup and typeset by the ``typst`` package.

The ``typst`` package on PyPI bundles the Typst compiler (no TeX, no system tools). The converter
handles the Markdown the report writer produces — headings, paragraphs, emphasis, code spans, links,
numbered and bulleted lists, pipe tables, images with captions, ``<details>`` blocks and small HTML
fragments (tags are dropped, their text kept) — and escapes Typst's markup characters everywhere else.
Chinese text needs a CJK font: :data:`CJK_FONTS` are tried in order from ``font_paths`` and the system
fonts (Debian ``fonts-wqy-microhei`` or ``fonts-noto-cjk``; ``.ci/run`` installs one when missing).
The PDF's creation date is fixed (:data:`TIMESTAMP`) so the same report gives the same file.

It is not a general Markdown converter: nested lists are flattened, and block quotes, fenced code
blocks, footnotes and HTML tables are not recognised (their text is kept as paragraphs); the report
uses none of them.
The HTML report (:mod:`tfp_talent.report.document`) remains the reference rendering; the PDF is for
printing and archiving.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from pathlib import Path

from tfp_talent.errors import InputError

TEXT_FONTS: tuple[str, ...] = ("Libertinus Serif", "New Computer Modern")
CJK_FONTS: tuple[str, ...] = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Serif CJK SC")
SYSTEM_FONT_DIRS: tuple[str, ...] = ("/usr/share/fonts", "/usr/local/share/fonts")
TIMESTAMP = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)

_SPECIAL = re.compile(r"([\\#$@<>\[\]*_`~=+/\-'\"])")
_INLINE = re.compile(
    r"(?P<esc>\\[!-/:-@\[-`{-~])|(?P<code>`[^`]+`)|(?P<bold>\*\*(?=\S)(?:.+?)(?<=\S)\*\*)|(?P<ital>(?<![\w*])\*(?=\S)(?:[^*]+?)(?<=\S)\*(?![\w*]))"
    r"|(?P<link>\[(?P<ltext>[^\]]+)\]\((?P<lurl>[^)\s]+)\))"
)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)\s*$")
_ORDERED = re.compile(r"^(\s*)(\d+)[.)]\s+(.*)$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def escape(text: str) -> str:
    """Text with Typst's markup characters escaped (so it is set literally).

    Each of ``\\ # $ @ < > [ ] * _ ` ~ = + / - ' "`` gets a backslash: ``escape("R&D_1 (#3)")`` is
    ``R&D\\_1 (\\#3)``. Used for every piece of text outside recognised Markdown markup.
    """
    return _SPECIAL.sub(r"\\\1", text)


def _unescape_html(text: str) -> str:
    """``text`` with HTML entities (``&amp;``, ``&lt;``, ``&#8211;``, ...) replaced by their characters."""
    import html

    return html.unescape(text)


def inline(text: str) -> str:
    """One line of Markdown inline markup as Typst markup (backslash escapes, code, bold, italics, links;
    HTML tags dropped).

    Order of work: tags removed, entities unescaped, then each match of the inline pattern converted and
    the text between matches escaped (:func:`escape`). Code spans become ``#raw("...")`` (set verbatim),
    ``**b**`` ``#strong[...]``, ``*i*`` ``#emph[...]`` (not inside words) and ``[t](url)``
    ``#link("url")[t]``; bold, italic and link texts are converted recursively.

    Example: ``inline("**TFP** rises by `0.5`")`` gives ``#strong[TFP] rises by #raw("0.5")``.
    """
    text = _unescape_html(_TAG.sub("", text))
    out: list[str] = []
    pos = 0
    for m in _INLINE.finditer(text):
        out.append(escape(text[pos : m.start()]))
        if m.group("esc"):  # a Markdown backslash escape (\*, \[, \_, \|, ...): the character itself
            out.append(escape(m.group("esc")[1]))
        elif m.group("code"):
            body = m.group("code")[1:-1].replace("\\", "\\\\").replace('"', '\\"')
            out.append(f'#raw("{body}")')
        elif m.group("bold"):
            out.append("#strong[" + inline(m.group("bold")[2:-2]) + "]")
        elif m.group("ital"):
            out.append("#emph[" + inline(m.group("ital")[1:-1]) + "]")
        else:
            url = m.group("lurl").replace('"', '\\"')
            out.append(f'#link("{url}")[' + inline(m.group("ltext")) + "]")
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _cells(line: str) -> list[str]:
    """The cells of one pipe-table row, stripped; outer pipes optional, ``\\|`` is a literal pipe."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells, cur, i = [], "", 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            cur += "|"
            i += 2
            continue
        if body[i] == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += body[i]
        i += 1
    cells.append(cur.strip())
    return cells


def _table(lines: Sequence[str]) -> str:
    """A Markdown pipe table (header, alignment row, body rows) as a Typst ``#table`` in a breakable block.

    Alignment per column from the delimiter row (``:---`` left, ``---:`` right, ``:---:`` centre); short
    rows are padded with empty cells and long ones cut to the header's width. The table is set in 7.5 pt,
    unjustified, with booktabs-like rules above and below the header and at the bottom. The block may
    break across pages, so long tables (the codebook) do not overflow one page; header cells are bold and
    every cell goes through :func:`inline`.
    """
    header = _cells(lines[0])
    aligns = []
    for spec in _cells(lines[1]):
        s = spec.strip()
        aligns.append(
            "center" if s.startswith(":") and s.endswith(":") else "right" if s.endswith(":") else "left"
        )
    rows = [_cells(line) for line in lines[2:]]
    n = len(header)
    head = ", ".join(f"[#strong[{inline(c)}]]" for c in header)
    body = "".join(", ".join(f"[{inline(c)}]" for c in (row + [""] * n)[:n]) + ",\n" for row in rows)
    align = ", ".join(aligns[:n] + ["left"] * (n - len(aligns)))
    return (
        "#block(width: 100%, breakable: true)[#set text(size: 7.5pt)\n#set par(justify: false)\n"
        f"#table(columns: {n}, align: ({align},), stroke: none, inset: 2.5pt,\n"
        f"table.hline(),\n{head},\ntable.hline(),\n{body}table.hline())]\n"
    )


def markdown_to_typst(markdown: str, *, title: str | None = None) -> str:
    """Typst markup of the report's Markdown (see the module docstring for what is converted).

    Block rules, line by line: a blank line ends a paragraph; ``<details>`` / ``<summary>`` lines give
    their text in bold; ``#`` headings become ``=`` headings of the same depth; an image line becomes a
    centred image 92 % wide (the report's own caption line follows it); a line starting with ``|`` that is
    followed by a delimiter row starts a table; consecutive list items (``1.`` / ``-`` / ``*`` / ``+``,
    continued by lines indented three spaces) form a list; everything else is joined into paragraphs.
    ``title`` (optional) goes into the PDF metadata (:func:`_preamble`).

    Returns
    -------
    str
        The Typst source: the preamble, then one block per Markdown block, separated by newlines. Image
        paths are kept as written, so the markup compiles with the Markdown's folder as Typst root.
    """
    lines = markdown.replace("\r\n", "\n").split("\n")
    out: list[str] = [_preamble(title)]
    i = 0
    para: list[str] = []

    def flush() -> None:
        """Emit the pending paragraph lines as one Typst paragraph and start a new one."""
        if para:
            out.append(inline(" ".join(s.strip() for s in para)) + "\n")
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if stripped.startswith(("<details", "</details", "<summary")):
            flush()
            text = _TAG.sub("", stripped).strip()
            if text:
                out.append("#strong[" + inline(text) + "]\n")
            i += 1
            continue
        m = _HEADING.match(stripped)
        if m:
            flush()
            out.append("=" * len(m.group(1)) + " " + inline(m.group(2)) + "\n")
            i += 1
            continue
        m = _IMAGE.match(stripped)
        if m:
            flush()
            src = m.group("src").replace('"', '\\"')
            # the report writes its own numbered caption under each image, so no Typst caption here
            alt = m.group("alt").replace("\\", "").replace('"', "'")
            out.append(f'#align(center)[#image("{src}", width: 92%, alt: "{alt}")]\n')
            i += 1
            continue
        if stripped.startswith("|") and i + 1 < len(lines) and re.match(r"^\s*\|?\s*:?-{2,}", lines[i + 1]):
            flush()
            block = [line]
            i += 1
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            out.append(_table(block))
            continue
        m_o, m_b = _ORDERED.match(line), _BULLET.match(line)
        if (m_o or m_b) and not para:
            items: list[tuple[str, str]] = []
            while i < len(lines):
                m_o, m_b = _ORDERED.match(lines[i]), _BULLET.match(lines[i])
                if m_o:
                    items.append(("+", m_o.group(3)))
                elif m_b:
                    items.append(("-", m_b.group(2)))
                elif lines[i].startswith("   ") and items and lines[i].strip():
                    items[-1] = (items[-1][0], items[-1][1] + " " + lines[i].strip())
                else:
                    break
                i += 1
            out.append("".join(f"{marker} {inline(text)}\n" for marker, text in items))
            continue
        para.append(line)
        i += 1
    flush()
    return "\n".join(out)


def _preamble(title: str | None) -> str:
    """Page and text set-up: A4, margins 2.2 × 2.4 cm, page numbers, 10 pt justified :data:`TEXT_FONTS`
    with :data:`CJK_FONTS` as fallbacks, unnumbered headings, and the document title when given.
    """
    fonts = ", ".join(f'"{f}"' for f in (*TEXT_FONTS, *CJK_FONTS))
    head = (
        '#set page(paper: "a4", margin: (x: 2.2cm, y: 2.4cm), numbering: "1")\n'
        f'#set text(font: ({fonts}), size: 10pt, lang: "en")\n'
        "#set par(justify: true)\n"
        "#set heading(numbering: none)\n"
        "#show figure: set block(breakable: false)\n"
    )
    if title:
        head += f"#set document(title: [{inline(title)}])\n"
    return head


def available_font_dirs(extra: Sequence[str | Path] = ()) -> list[str]:
    """Font folders to search: ``extra`` first, then the system folders that exist.

    Folders that do not exist are dropped; the result is passed to typst as ``font_paths``.
    """
    return [str(p) for p in (*extra, *SYSTEM_FONT_DIRS) if Path(p).is_dir()]


def cjk_font(font_dirs: Sequence[str]) -> str | None:
    """The first of :data:`CJK_FONTS` that typst finds in ``font_dirs`` or the system fonts, else None.

    The families are those ``typst.Fonts(font_paths=...)`` reports, i.e. what the compiler will see.
    On Debian, ``apt-get install fonts-wqy-microhei`` provides "WenQuanYi Micro Hei", the first choice.
    """
    import typst

    families = set(typst.Fonts(font_paths=list(font_dirs)).families())
    return next((f for f in CJK_FONTS if f in families), None)


def write_pdf(markdown_file: str | Path, out: str | Path, *, font_paths: Sequence[str | Path] = ()) -> Path:
    """Typeset ``markdown_file`` (image paths relative to its folder) as the PDF ``out``, atomically.

    The Typst markup is compiled from memory with the Markdown's folder as the Typst root (nothing is
    written next to the Markdown). Text with CJK characters needs one of :data:`CJK_FONTS`; without one
    the PDF would show empty boxes, so that is an error.

    Parameters
    ----------
    markdown_file
        The report Markdown; its first ``# `` heading becomes the PDF title.
    out
        The PDF to write (:func:`tfp_talent.io.write_bytes`).
    font_paths
        Extra font folders, searched before :data:`SYSTEM_FONT_DIRS`.

    Returns
    -------
    Path
        ``out``. The creation date is :data:`TIMESTAMP`, so the same Markdown and fonts give the same bytes.

    Raises
    ------
    InputError
        When the Markdown does not exist, has Chinese text but no CJK font is found, or typst fails (the
        first line of its message is shown, e.g. a missing image).

    Examples
    --------
    ``write_pdf("reports/report.md", "reports/report.pdf")``: the figures linked from ``report.md`` must
    exist under ``reports/`` (images outside the Typst root cannot be read).
    """
    import typst

    from tfp_talent.io import write_bytes

    src = Path(markdown_file)
    if not src.is_file():
        raise InputError("the report Markdown does not exist", file=src)
    text = src.read_text(encoding="utf-8")
    font_dirs = available_font_dirs(font_paths)
    if _CJK.search(text) and cjk_font(font_dirs) is None:
        raise InputError(
            f"the report has Chinese text but none of the fonts {', '.join(CJK_FONTS)} is installed "
            "(Debian: apt-get install fonts-wqy-microhei)",
            file=src,
        )
    first = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), None)
    markup = markdown_to_typst(text, title=first)
    try:
        pdf = typst.compile(
            markup.encode("utf-8"), root=str(src.parent.resolve()), font_paths=font_dirs, timestamp=TIMESTAMP
        )
    except RuntimeError as err:  # typst reports markup or missing-file errors as RuntimeError
        raise InputError(
            f"typst could not typeset the report: {str(err).strip().splitlines()[0]}", file=src
        ) from None
    write_bytes(pdf, out)
    return Path(out)
