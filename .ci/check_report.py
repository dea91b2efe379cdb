"""CI check of the report as readers get it: reports/paper.pdf and reports/report.html after the workflow ran.

PDF (pypdf): at least ``--min-pages`` pages; every "Table n: title" and "Figure n: caption" of
reports/report.md (the bold table titles and the italic figure captions the report writer sets) occurs
in the PDF's extracted text; the first Chinese strings of report.md occur too (a missing CJK font
leaves empty boxes, which extract as nothing). Text is compared without white space and hyphens, so
line breaks and Typst's hyphenation do not matter.

HTML (headless Chromium at ``--width`` px, tfp_talent.report.browser): no console errors, no horizontal
overflow of the page, no table / figure / image / code block wider than the text column, every <img>
decoded, every numbered table and figure referenced in the text. A full-page screenshot is saved as
reports/report_screenshot.png for reviewers.

One line per failure on stdout, exit 1 when there is any; the measured numbers on the last line.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIN_PAGES = 25  # the shipped report typesets to about 40 A4 pages; far fewer means content went missing
TABLE_TITLE = re.compile(r"^\*\*((Table \d+): .+)\*\*\s*$")
FIGURE_CAPTION = re.compile(r"^\*((Figure \d+): .+)\*\s*$")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
N_CJK = 5


def plain(markdown: str) -> str:
    """A line of Markdown as a reader sees it: backslash escapes resolved, emphasis, code marks and tags dropped."""
    text = re.sub(r"<[^>]+>", "", markdown)
    text = re.sub(r"\\([!-/:-@\[-`{-~])", lambda m: "\x00" + m.group(1), text)  # protect escaped marks
    text = re.sub(r"\*\*|(?<!\x00)[*`]", "", text)
    return html.unescape(text.replace("\x00", ""))


def squeeze(text: str) -> str:
    """``text`` without white space, hyphens and dashes, with typographic quotes made straight."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"[\s\-\u00ad\u2010\u2011]+", "", text)


def captions(markdown: str) -> list[tuple[str, str]]:
    """(label, full title) of every table title and figure caption of the report Markdown, in order."""
    out = []
    for line in markdown.splitlines():
        m = TABLE_TITLE.match(line) or FIGURE_CAPTION.match(line)
        if m:
            out.append((m.group(2), plain(m.group(1))))
    return out


def shown(path: Path) -> str:
    """``path`` relative to the project when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check_pdf(pdf: Path, md: Path, min_pages: int) -> tuple[list[str], int]:
    """Failures of the PDF and its page count."""
    import pypdf

    if not pdf.is_file():
        return [f"{shown(pdf)} does not exist (rule paper_pdf)"], 0
    if not md.is_file():
        return [f"{shown(md)} does not exist (rule study_report)"], 0
    reader = pypdf.PdfReader(str(pdf))
    pages = len(reader.pages)
    text = squeeze("\n".join(page.extract_text() or "" for page in reader.pages))
    source = md.read_text(encoding="utf-8")
    failures = []
    if pages < min_pages:
        failures.append(f"paper.pdf has {pages} pages, fewer than {min_pages}")
    found = captions(source)
    if not found:
        failures.append("report.md has no 'Table n:' titles or 'Figure n:' captions")
    for label, title in found:
        if squeeze(label + ":") not in text:
            failures.append(f"paper.pdf lacks {label}")
        elif squeeze(title) not in text:
            failures.append(f"paper.pdf lacks the title of {label}: {title[:80]}")
    for run in list(dict.fromkeys(CJK_RUN.findall(source)))[:N_CJK]:
        if run not in text:
            failures.append(f"paper.pdf lacks the Chinese text {run} (CJK font missing?)")
    return failures, pages


def check_html(page: Path, shot: Path, width: int) -> tuple[list[str], str]:
    """Failures of the HTML report in Chromium at ``width`` px, and what was measured (one line)."""
    from tfp_talent.errors import InputError
    from tfp_talent.report.browser import check_report_page, chromium_path

    if chromium_path() is None:
        return ["Chromium is not installed (Debian package chromium; .ci/system_packages.sh installs it)"], ""
    if not page.is_file():
        return [f"{shown(page)} does not exist (rule study_report)"], ""
    t0 = time.perf_counter()
    try:
        c = check_report_page(page, width=width, screenshot=shot)
    except InputError as err:
        return [f"report.html: {err}"], ""
    seen = (
        f"report.html at {c.width} px: scrollWidth {c.scroll_width}, text column {c.column_width:.0f} px, "
        f"{len(c.labels)} numbered tables/figures ({time.perf_counter() - t0:.1f} s); screenshot {shot.name}"
    )
    return [f"report.html at {width} px: {p}" for p in c.problems()], seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=ROOT / "reports")
    parser.add_argument("--min-pages", type=int, default=MIN_PAGES)
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args(argv)
    reports = args.reports.resolve()
    failures, pages = check_pdf(reports / "paper.pdf", reports / "report.md", args.min_pages)
    html_failures, seen = check_html(reports / "report.html", reports / "report_screenshot.png", args.width)
    failures += html_failures
    for line in failures:
        print(line)
    print(
        f"check_report: {len(failures)} failures; paper.pdf {pages} pages; {seen or 'report.html not checked'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
