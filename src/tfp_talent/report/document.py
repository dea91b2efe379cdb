"""The study report: one Markdown template, two outputs (``report.md`` and a self-contained ``report.html``).

The template (``reports/templates/report.md.tmpl``) is Markdown with
:class:`string.Template` placeholders (``$name``; ``$$`` is a literal dollar).
Three kinds of values fill it:

* numbers and short texts from a context dict built from the results files
  (:func:`flatten_numbers`, :func:`describe_coef`), never typed by hand;
* ``$table_<name>``: a :class:`~tfp_talent.report.tables.Table`, inserted as a
  pipe table in Markdown and as the journal-style HTML table in HTML;
* ``$figure_<name>``: a :class:`FigureRef`, inserted as an image link in Markdown
  and as an embedded base64 PNG in HTML.

Markdown becomes HTML with ``multimark`` (cmark-gfm, GitHub-flavoured tables;
raw HTML passes through). The HTML page carries its CSS inline and loads
nothing from the network. :func:`check_report` refuses output with leftover
placeholders, ``TODO`` markers or missing numbers (``nan``), so a report can
never silently ship a hole.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.metadata
import json
import math
import os
import platform
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import multimark

from tfp_talent.errors import InputError
from tfp_talent.io import write_text
from tfp_talent.report.render import TABLE_CSS, to_html, to_markdown
from tfp_talent.report.tables import Table, fmt_number, lower_first, stars_for

#: Packages whose installed versions the reproducibility block reports.
REPRO_PACKAGES: tuple[str, ...] = (
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "linearmodels",
    "pyfixest",
    "snakemake",
    "matplotlib",
    "tfp_talent",
)

REPORT_CSS = """\
body{font-family:Georgia,'Times New Roman',serif;line-height:1.5;color:#111;background:#fff;margin:0}
main{max-width:52em;margin:2em auto;padding:0 1.2em}
h1,h2,h3{font-family:'Helvetica Neue',Arial,sans-serif;line-height:1.25}
h1{font-size:1.7em}h2{font-size:1.3em;margin-top:1.8em;border-bottom:1px solid #ddd}h3{font-size:1.1em}
code{font-family:'DejaVu Sans Mono',Menlo,monospace;font-size:0.9em;background:#f4f4f4;padding:0 0.2em}
pre{background:#f4f4f4;padding:0.6em;overflow-x:auto}
figure{margin:1.5em 0;text-align:center}
figure img{max-width:100%;height:auto}
figcaption{font-size:0.9em;color:#333;margin-top:0.3em}
main>table,details table{border-collapse:collapse;margin:1em auto;font-size:0.9em}
main>table th,main>table td,details table th,details table td{border-bottom:1px solid #ddd;padding:0.15em 0.6em}
details table td{overflow-wrap:anywhere;word-break:break-all}
details{margin:1em 0}summary{cursor:pointer;font-weight:600}
.abstract{background:#f7f7f7;padding:0.6em 1em;border-left:3px solid #888}
div.tbl{overflow-x:auto;margin:1.2em 0;max-width:100vw}
div.tbl table.tfp-table{max-width:100%;margin:0 auto}
div.tbl table.tfp-table th,div.tbl table.tfp-table td{white-space:normal}
div.tbl table.tfp-table th{vertical-align:bottom}
div.tbl table.tfp-table td:first-child{min-width:9em}
div.tbl-wide table.tfp-table{font-size:0.8em}
div.tbl-wide table.tfp-table th,div.tbl-wide table.tfp-table td{padding:0.12em 0.3em}
div.tbl-wide table.tfp-table td:first-child{min-width:7em}
div.tbl-text table.tfp-table td{text-align:left}
@media (max-width:700px){main{padding:0 0.6em}div.tbl table.tfp-table{font-size:0.75em} }
"""

#: Table widths: a table with at least this many data columns is set in the smaller font (class tbl-wide).
WIDE_TABLE_COLUMNS = 5
#: ... and one whose cells are prose (a long median cell) wraps every cell (class tbl-text).
TEXT_CELL_CHARS = 40


@dataclass(frozen=True)
class FigureRef:
    """A figure for the report: its PNG file and caption (alt text defaults to the caption).

    ``path`` is a PNG or SVG file; ``caption`` is shown as "Figure N: caption" and lowered for the lead-in
    sentence ("Figure 2 shows ...") when no ``$ref_figure_<name>`` refers to it.
    """

    path: Path
    caption: str
    alt: str | None = None


# --------------------------------------------------------------------------- context from results


def _key(text: str, *, first: bool = True) -> str:
    """``text`` as a template identifier: non-alphanumerics -> ``_``, ``_`` prefixed if empty or digit-led."""
    key = re.sub(r"[^0-9A-Za-z_]", "_", str(text))
    return key if key and not (first and key[0].isdigit()) else f"_{key}"


def flatten_numbers(obj: Any, prefix: str = "", *, digits: int = 3) -> dict[str, str]:
    """Flatten nested results into template keys ``a__b__c`` -> formatted text.

    Floats get ``digits`` decimals, integers thousands separators, strings pass
    through. Missing values (``None``, NaN) become ``'nan'`` so that
    :func:`check_report` stops a report that uses them. Keys are made template
    identifiers (non-alphanumerics -> ``_``).

    List items are keyed by position (``a__0``); booleans become ``yes`` / ``no``. With ``prefix`` every
    key starts ``prefix__``: ``flatten_numbers({"b": {"x1": 0.5}}, "fe")`` is ``{"fe__b__x1": "0.500"}``.
    """
    out: dict[str, str] = {}

    def walk(value: Any, path: str) -> None:
        """Store ``value`` under ``path``, into mappings (``path__k``) and sequences (``path__i``)."""
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"{path}__{_key(k, first=False)}" if path else _key(k))
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(v, f"{path}__{i}" if path else f"_{i}")
        elif isinstance(value, bool):
            out[path] = "yes" if value else "no"
        elif isinstance(value, int):
            out[path] = f"{value:,}"
        elif isinstance(value, float):
            out[path] = fmt_number(value, digits) if math.isfinite(value) else "nan"
        elif value is None:
            out[path] = "nan"
        else:
            out[path] = str(value)

    walk(obj, _key(prefix) if prefix else "")
    return out


def describe_coef(
    result: Mapping[str, Any],
    name: str,
    *,
    digits: int = 3,
    source: str | None = None,
    p_value: float | None = None,
    p_label: str = "p",
) -> str:
    """``'0.512 (SE 0.100; p = 0.010, significant at 1%)'`` from a result dict.

    ``p_value`` replaces the result's own p-value (e.g. a wild bootstrap p, named by ``p_label``).
    Significance wording follows the table stars (p < 0.01, 0.05, 0.10).
    Returns ``'nan'`` (stopped by :func:`check_report`) when b, SE or p is None; raises
    :class:`InputError` when ``result`` has no ``params`` / ``std_errors`` / ``pvalues`` entry ``name``.
    The p-value is always printed with 3 decimals; b and SE with ``digits``. With ``p_label="wild p"``
    the text reads ``'0.512 (SE 0.100; wild p = 0.021, significant at 5%)'``.
    """
    try:
        b = result["params"][name]
        se = result["std_errors"][name]
        p = result["pvalues"][name]
    except (KeyError, TypeError):
        raise InputError(f"result has no estimate for {name!r}", file=source, column=name) from None
    if p_value is not None:
        p = p_value
    if b is None or se is None or p is None:
        return "nan"
    level = {"***": "1%", "**": "5%", "*": "10%"}.get(stars_for(float(p)), "")
    sig = f", significant at {level}" if level else ", not significant at 10%"
    return f"{fmt_number(b, digits)} (SE {fmt_number(se, digits)}; {p_label} = {fmt_number(p, 3)}{sig})"


def load_json_files(paths: Mapping[str, str | Path]) -> dict[str, Any]:
    """Read several JSON results files into ``{name: content}``; bad files raise :class:`InputError`.

    A file that does not exist, is not UTF-8 or is not valid JSON is named in the error.
    """
    out: dict[str, Any] = {}
    for name, path in paths.items():
        p = Path(path)
        if not p.exists():
            raise InputError("results file not found", file=p)
        try:
            out[name] = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise InputError(f"not valid JSON: {err}", file=p) from None
    return out


def checksums_markdown(sums_file: str | Path, *, root: str = "data/raw") -> str:
    """A Markdown table (file, SHA-256) from a ``sha256sum``-format file such as ``data/raw/SHA256SUMS``.

    Each non-blank line must be ``<64 hex digits><two spaces><name>``; names are shown as
    ``root/name``. Any other line raises :class:`InputError`, as does a missing file.
    """
    p = Path(sums_file)
    if not p.exists():
        raise InputError("checksum file not found", file=p)
    rows = ["| File | SHA-256 |", "|:---|:---|"]
    for line in p.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if not re.fullmatch(r"[0-9a-f]{64}", digest) or not name:
            raise InputError(f"not a sha256sum line: {line!r}", file=p)
        rows.append(f"| `{root}/{name.strip()}` | `{digest}` |")
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- reproducibility


def sha256_file(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes (64 lowercase hex digits); InputError when the file is missing."""
    p = Path(path)
    if not p.exists():
        raise InputError("file not found", file=p)
    return hashlib.sha256(p.read_bytes()).hexdigest()


def reproducibility_info(
    *,
    config_path: str | Path,
    seed: int | None,
    run_seconds: float | None = None,
    started: str | None = None,
    packages: Sequence[str] = REPRO_PACKAGES,
) -> dict[str, Any]:
    """Facts a reader needs to reproduce the run.

    Installed versions (``importlib.metadata``) of ``packages``, the Python
    version and platform, the SHA-256 of the config file, the seed, and the run
    time (seconds) and start time if given.
    Keys: ``python``, ``platform``, ``packages`` (name -> version or "not installed"), ``config_file``,
    ``config_sha256``, ``seed``, ``run_seconds``, ``started``; a missing config file raises InputError.
    """
    versions: dict[str, str] = {}
    for name in packages:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "packages": versions,
        "config_file": str(config_path),
        "config_sha256": sha256_file(config_path),
        "seed": seed,
        "run_seconds": run_seconds,
        "started": started,
    }


def reproducibility_markdown(info: Mapping[str, Any]) -> str:
    """The reproducibility facts as a Markdown list and a package-version table.

    ``info`` is :func:`reproducibility_info`'s dict; run time and start lines are left out when unknown,
    and a seed of None is written "none (no random step)".
    """
    lines = [
        f"- Configuration: `{info['config_file']}`, SHA-256 `{info['config_sha256']}`",
        f"- Random seed: {info['seed'] if info.get('seed') is not None else 'none (no random step)'}",
        f"- Python {info['python']} on {info['platform']}",
    ]
    if info.get("run_seconds") is not None:
        lines.append(f"- Workflow run time: {float(info['run_seconds']):.1f} s")
    if info.get("started"):
        lines.append(f"- Run started: {info['started']}")
    lines += ["", "| Package | Version |", "|:---|:---|"]
    lines += [f"| {name} | {ver} |" for name, ver in info["packages"].items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- rendering


def template_fields(template_text: str) -> list[str]:
    """The placeholder names a template needs, in order of first use.

    ``$name`` and ``${name}`` both count; ``$$`` (a literal dollar) does not.
    """
    return list(dict.fromkeys(string.Template(template_text).get_identifiers()))


def _check_fields(template_text: str, mapping: Mapping[str, Any], source: str | None) -> None:
    """InputError unless ``template_text`` is valid ``string.Template`` text and ``mapping`` has every field.

    A stray ``$`` (write ``$$`` for a literal one) and the missing fields are each named in one message.
    """
    tpl = string.Template(template_text)
    if not tpl.is_valid():
        bad = [m.group(0) for m in tpl.pattern.finditer(template_text) if m.group("invalid") is not None]
        raise InputError(f"invalid placeholder syntax near {bad[:3]} (write $$ for a literal $)", file=source)
    missing = [f for f in template_fields(template_text) if f not in mapping]
    if missing:
        raise InputError(
            f"template needs value(s) not in the context: {', '.join(missing)}",
            file=source,
            hint="add them to the report context (from results files), or remove them from the template",
        )


def _figure_markdown(fig: FigureRef, base_dir: Path, number: int) -> str:
    """Image link (path relative to ``base_dir``, alt-text brackets made parentheses) and caption line."""
    rel = Path(os.path.relpath(Path(fig.path).resolve(), base_dir.resolve())).as_posix()
    alt = (fig.alt or fig.caption).replace("]", ")").replace("[", "(")
    return f"![{alt}]({rel})\n\n*Figure {number}: {fig.caption}*"


def _figure_html(fig: FigureRef, number: int, source: str | None, anchor: str | None = None) -> str:
    """A ``<figure>`` with the PNG or SVG embedded as a base64 ``data:`` URI, alt text and "Figure N" caption.

    Raises :class:`InputError` when the file is missing or is neither ``.png`` nor ``.svg``.
    """
    p = Path(fig.path)
    if not p.exists():
        raise InputError("figure file not found", file=p, hint="build the figures before the report")
    data = base64.b64encode(p.read_bytes()).decode("ascii")
    mime = (
        "image/png" if p.suffix.lower() == ".png" else "image/svg+xml" if p.suffix.lower() == ".svg" else None
    )
    if mime is None:
        raise InputError("report figures must be PNG or SVG", file=p)
    alt = html.escape(fig.alt or fig.caption, quote=True)
    cap = html.escape(fig.caption)
    ident = f' id="{anchor}"' if anchor else ""
    return f'<figure{ident}>\n<img src="data:{mime};base64,{data}" alt="{alt}">\n<figcaption>Figure {number}: {cap}</figcaption>\n</figure>'


def _mapping(
    template_text: str,
    context: Mapping[str, Any],
    tables: Mapping[str, Table],
    figures: Mapping[str, FigureRef],
    *,
    fmt: str,
    base_dir: Path,
    source: str | None,
) -> dict[str, str]:
    """The substitution mapping of one rendering (``fmt`` ``md`` or ``html``): ``context`` plus the floats.

    Each table gives ``$table_<name>`` (numbered by :func:`float_numbers`, title prefixed "Table N: ")
    and ``$ref_table_<name>``; each figure placed in the template gives ``$figure_<name>`` and
    ``$ref_figure_<name>``. A float no ``$ref_...`` refers to gets a lead-in sentence ("Table 3 reports
    ...") so that every float is referenced; then :func:`_check_fields` checks the template.
    """
    mapping: dict[str, str] = {str(k): str(v) for k, v in context.items()}
    fields = template_fields(template_text)
    t_numbers, f_numbers = float_numbers(template_text)
    for name, table in tables.items():
        key = f"table_{name}"
        n = t_numbers.get(name)
        shown = table if n is None else replace(table, title=f"Table {n}: {table.title}")
        if fmt == "md":
            block = to_markdown(shown).rstrip("\n")
        else:
            block = (
                f'<div class="{_table_class(table)}" id="table-{name}">\n'
                + to_html(shown, include_style=False).rstrip("\n")
                + "\n</div>"
            )
        if n is not None and f"ref_{key}" not in fields:  # a table no sentence refers to gets a lead-in
            block = (
                f"{_ref(f'Table {n}', f'table-{name}', fmt)} reports {_lower_first(table.title)}.\n\n{block}"
            )
        mapping[key] = block
        if n is not None:
            mapping[f"ref_{key}"] = _ref(f"Table {n}", f"table-{name}", fmt)
    for name, fig in figures.items():
        key = f"figure_{name}"
        n = f_numbers.get(name)
        if n is None:  # not placed in the template: no number, so no reference to a figure the page lacks
            continue
        block = (
            _figure_markdown(fig, base_dir, n)
            if fmt == "md"
            else _figure_html(fig, n, source, anchor=f"figure-{name}")
        )
        if f"ref_{key}" not in fields:
            block = (
                f"{_ref(f'Figure {n}', f'figure-{name}', fmt)} shows {_lower_first(fig.caption)}.\n\n{block}"
            )
        mapping[key] = block
        mapping[f"ref_{key}"] = _ref(f"Figure {n}", f"figure-{name}", fmt)
    _check_fields(template_text, mapping, source)
    return mapping


def float_numbers(template_text: str) -> tuple[dict[str, int], dict[str, int]]:
    """Table and figure numbers: 1, 2, ... in the order their ``$table_<name>`` / ``$figure_<name>`` first occur.

    The numbering is generated, never typed: a new ``$table_x`` anywhere in the template is numbered
    in place and every later one moves up by one; ``$ref_table_x`` / ``$ref_figure_x`` give the number
    in the text ("Table 3", a link to the table in HTML).
    """
    fields = [f for f in template_fields(template_text) if not f.startswith("ref_")]
    tables = [f[len("table_") :] for f in fields if f.startswith("table_")]
    figures = [f[len("figure_") :] for f in fields if f.startswith("figure_")]
    return {n: i + 1 for i, n in enumerate(tables)}, {n: i + 1 for i, n in enumerate(figures)}


def _ref(label: str, anchor: str, fmt: str) -> str:
    """``label`` as text (Markdown) or as a link to ``#anchor`` (HTML)."""
    return label if fmt == "md" else f'<a href="#{anchor}">{label}</a>'


def _lower_first(text: str) -> str:
    """``text`` without its final full stop, first word lowered (:func:`~.tables.lower_first`)."""
    return lower_first(text.strip().rstrip("."))


def _table_class(table: Table) -> str:
    """``tbl`` plus ``tbl-wide`` (many data columns) and ``tbl-text`` (prose cells) for the CSS."""
    classes = ["tbl"]
    if table.n_data_cols >= WIDE_TABLE_COLUMNS:
        classes.append("tbl-wide")
    cells = [len(c) for row in table.rows() for c in row[1:]]
    if cells and sorted(cells)[len(cells) // 2] >= TEXT_CELL_CHARS:
        classes.append("tbl-text")
    return " ".join(classes)


_HEADING_LINE = re.compile(r"^(#{2,3})\s+(?:\d+(?:\.\d+)*\.?\s+)?(.*\S)\s*$")
UNNUMBERED_SECTIONS: tuple[str, ...] = ("Abstract",)


def number_sections(markdown: str) -> str:
    """Number ``##`` sections 1, 2, ... and ``###`` subsections 1.1, ...; appendices (``## Appendix: X``) A, B, ...

    Typed numbers in the template's headings ("## 5. Results") are replaced, so sections added by
    anyone are numbered in place. Headings inside fenced code are left alone.
    """
    out: list[str] = []
    sec = sub = app = 0
    label = ""
    fenced = False
    for line in markdown.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        m = None if fenced else _HEADING_LINE.match(line)
        if not m:
            out.append(line)
            continue
        hashes, title = m.group(1), m.group(2)
        if len(hashes) == 2:
            sub = 0
            if title in UNNUMBERED_SECTIONS:
                label = ""
                out.append(f"## {title}")
                continue
            am = re.match(r"^Appendix\b[:.]?\s*(.*)$", title)
            if am:
                label = chr(ord("A") + app)
                app += 1
                out.append(f"## Appendix {label}: {am.group(1)}")
            else:
                sec += 1
                label = str(sec)
                out.append(f"## {label}. {title}")
        else:
            sub += 1
            out.append(f"### {label}.{sub} {title}" if label else f"### {title}")
    return "\n".join(out)


def render_markdown(
    template_text: str,
    context: Mapping[str, Any],
    *,
    tables: Mapping[str, Table] | None = None,
    figures: Mapping[str, FigureRef] | None = None,
    base_dir: str | Path = "reports",
    source: str | None = None,
) -> str:
    """The Markdown report: placeholders filled, tables as pipe tables, figures linked relative to ``base_dir``.

    Sections are numbered by :func:`number_sections`; a placeholder without a value raises InputError.
    """
    mapping = _mapping(
        template_text, context, tables or {}, figures or {}, fmt="md", base_dir=Path(base_dir), source=source
    )
    return number_sections(string.Template(template_text).substitute(mapping))


def render_html(
    template_text: str,
    context: Mapping[str, Any],
    *,
    tables: Mapping[str, Table] | None = None,
    figures: Mapping[str, FigureRef] | None = None,
    title: str = "Report",
    source: str | None = None,
) -> str:
    """A self-contained HTML page: inline CSS, journal-style tables, base64 PNG figures, no network.

    The filled, section-numbered Markdown is converted by ``multimark`` (tables, strikethrough, raw HTML
    kept); tables and figures carry ``id`` anchors (``table-<name>``, ``figure-<name>``) for the references.
    """
    mapping = _mapping(
        template_text, context, tables or {}, figures or {}, fmt="html", base_dir=Path("."), source=source
    )
    body_md = number_sections(string.Template(template_text).substitute(mapping))
    body = multimark.markdown_to_html(body_md, unsafe=True, extensions=["table", "strikethrough"])
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{REPORT_CSS}{TABLE_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n</body>\n</html>\n"
    )


# --------------------------------------------------------------------------- checks

_DATA_URI = re.compile(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+")
#: What a rendered report must not contain: problem -> pattern (base64 data removed first).
LEFTOVERS: dict[str, re.Pattern[str]] = {
    "unfilled placeholder": re.compile(r"(?<![\\$])\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)"),
    "template braces": re.compile(r"\{\{|\}\}|\{%|%\}"),
    "to-do marker": re.compile(r"\b(?:TODO|FIXME|XXX|TBD)\b"),
    "missing number": re.compile(
        r"(?<![A-Za-z_/.-])(?:-?nan|NaN|NAN|-?inf|-?Inf|Infinity)(?![A-Za-z_])|(?:[=(:|]\s*)None\b"
    ),
}


def check_report(text: str, *, source: str | None = None) -> None:
    """Raise :class:`InputError` if a rendered report still has holes.

    Flags leftover ``$placeholders`` (or ``${...}``), Jinja braces, ``TODO`` /
    ``FIXME`` / ``XXX`` / ``TBD`` markers, and missing numbers (``nan``, ``inf``,
    ``= None``). Embedded base64 data is ignored. For HTML, also requires that
    nothing is loaded from the network (no ``<script>``, ``<link>``, or
    ``src``/``url()`` pointing outside the page).
    The patterns are :data:`LEFTOVERS`; every kind found is reported in one message, with up to five hits.
    """
    body = _DATA_URI.sub("data:", text)
    problems: list[str] = []
    for label, pattern in LEFTOVERS.items():
        hits = sorted({m.group(0).strip() for m in pattern.finditer(body)})
        if hits:
            problems.append(f"{label}(s) {', '.join(repr(h) for h in hits[:5])}")
    if "<html" in body.lower():
        if re.search(r"<script\b|<link\b", body, re.IGNORECASE):
            problems.append("external resource tags (<script>/<link>)")
        if re.search(r"""\bsrc\s*=\s*["'](?!data:)""", body, re.IGNORECASE) or re.search(
            r"url\(\s*['\"]?(?!data:)", body
        ):
            problems.append("resources not embedded (src/url not a data: URI)")
    if problems:
        raise InputError(
            "report is incomplete: " + "; ".join(problems),
            file=source,
            hint="fill the values from the results files",
        )


def write_report(
    template_path: str | Path,
    context: Mapping[str, Any],
    *,
    md_path: str | Path,
    html_path: str | Path,
    tables: Mapping[str, Table] | None = None,
    figures: Mapping[str, FigureRef] | None = None,
    title: str = "Report",
) -> tuple[Path, Path]:
    """Render, check and atomically write ``report.md`` and ``report.html``.

    Both renderings are checked with :func:`check_report` before anything is
    written, so a failed check leaves any previous report untouched.
    ``template_path`` is read as UTF-8 (missing: InputError); ``context``, ``tables`` and ``figures`` are
    those of :func:`render_markdown`; figure links in the Markdown are relative to ``md_path``'s folder,
    and ``title`` is the HTML ``<title>``. Returns ``(md_path, html_path)``.
    """
    tpath = Path(template_path)
    if not tpath.exists():
        raise InputError("report template not found", file=tpath)
    text = tpath.read_text(encoding="utf-8")
    md = render_markdown(
        text, context, tables=tables, figures=figures, base_dir=Path(md_path).parent, source=str(tpath)
    )
    page = render_html(text, context, tables=tables, figures=figures, title=title, source=str(tpath))
    check_report(md, source=str(md_path))
    check_report(page, source=str(html_path))
    write_text(md, md_path)
    write_text(page, html_path)
    return Path(md_path), Path(html_path)
