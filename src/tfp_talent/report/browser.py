"""Check the HTML report as a reader sees it: rendered in headless Chromium at a fixed window width.

:func:`check_report_page` loads the page with Playwright driving the system's Chromium (Debian's
``chromium`` package; Playwright's own browser download is never used) and reports what a reviewer would
notice: console errors, horizontal overflow (``document.documentElement.scrollWidth`` wider than the
window), tables, figures, images or code blocks wider than the text column (``<main>``'s content box, or
the body's) even when a scroll container hides that from the page width, images that do not decode, and
numbered tables or figures that the text never refers to. It can save a full-page screenshot. The caller
decides what to assert (:meth:`PageCheck.problems` lists every defect, one line each).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tfp_talent.errors import InputError

CHROMIUM_CANDIDATES: tuple[str, ...] = (
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
)
# as the probe of this machine kind starts it: no network, no first-run, no GPU
CHROMIUM_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_LABEL = re.compile(r"^(Table|Figure)\s+(\d+)\b")


@dataclass
class PageCheck:
    """What the browser saw: console errors, widths, wide or undecoded elements, unreferenced labels.

    Attributes
    ----------
    width, scroll_width
        ``window.innerWidth`` and ``document.documentElement.scrollWidth`` in CSS px; the page overflows
        when the second exceeds the first.
    column_width
        Width of the text column (``<main>``'s content box, or the body's), px.
    console_errors
        Console messages of type ``error`` and uncaught page errors, in order.
    broken_images
        ``src`` of every image whose ``decode()`` failed or that has no natural width.
    wide_elements
        ``caption (N px)`` (or the tag name) of every table, figure, image or code block wider than the
        column or clipped by its own scroll container.
    labels, unreferenced
        The "Table N" / "Figure N" labels of the captions, and those the text never mentions
        (:func:`float_references`).
    """

    width: int
    scroll_width: int
    column_width: float = 0.0
    console_errors: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    wide_elements: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)

    @property
    def overflows(self) -> bool:
        """True when the page is wider than the window (a horizontal scroll bar).

        Elements clipped inside their own scroll container do not make the page overflow; they are in
        ``wide_elements`` instead.
        """
        return self.scroll_width > self.width

    def problems(self) -> list[str]:
        """Every defect as one line (empty when the page is clean).

        Order: console errors, page overflow, elements wider than the text column, undecoded images (their
        ``src`` cut to 80 characters, data URIs being long), then unreferenced table and figure labels.
        """
        out = [f"console error: {e}" for e in self.console_errors]
        if self.overflows:
            out.append(f"page overflows: scrollWidth {self.scroll_width} px > window {self.width} px")
        out += [f"wider than the {self.column_width:.0f} px text column: {w}" for w in self.wide_elements]
        out += [f"image not decoded: {src[:80]}" for src in self.broken_images]
        out += [f"{lab} is never referenced in the text" for lab in self.unreferenced]
        return out


def chromium_path() -> str | None:
    """The system Chromium, or None when it is not installed.

    Tries :data:`CHROMIUM_CANDIDATES` in order, then ``chromium`` on ``PATH``. Chromium is started with
    :data:`CHROMIUM_ARGS` (no sandbox, GPU, network services or first-run dialogs), as in a container.
    """
    for c in CHROMIUM_CANDIDATES:
        if Path(c).exists():
            return c
    found = shutil.which("chromium")
    return found


def _mention(label: str) -> re.Pattern[str]:
    """Pattern of a mention of ``label``: "Table 3" as whole words, no digit after ("Table 31", "3.1")."""
    kind, _, number = label.partition(" ")
    return re.compile(rf"\b{kind}\s+{number}(?![\d.]*\d)")


def float_references(captions: Sequence[str], body: str) -> tuple[list[str], list[str]]:
    """The labels ("Table 3", "Figure 1") of ``captions`` in order, and those ``body`` never mentions outside their caption.

    A caption starting with "Table N" / "Figure N" labels a float. A mention is the whole label: "Table 1"
    is not mentioned by "Table 12" nor by "Table 1.2" (word boundary before, no digit after N; a panel
    letter, "Figure 2a", does refer to Figure 2). The
    float's own caption is part of ``body`` (the page text), so its mentions there are subtracted.

    Parameters
    ----------
    captions
        Caption texts as found on the page (``caption``, ``figcaption``, emphasised paragraphs, ``.caption``);
        texts that do not start with a label are ignored, repeated labels are counted once.
    body
        The whole page text (``document.body.innerText``), captions included.

    Returns
    -------
    tuple of two lists
        ``(labels, unreferenced)``: the distinct labels in caption order, and those with no mention in
        ``body`` beyond the mentions in their own captions.

    Examples
    --------
    ``float_references(["Table 1: Data", "Figure 1: Map"], "Table 1: Data. As Table 1 shows ...
    Figure 1: Map")`` is ``(["Table 1", "Figure 1"], ["Figure 1"])``: Table 1 is mentioned once outside
    its caption, Figure 1 only in its own.
    """
    labels = list(dict.fromkeys(lab for lab in map(_label_of, captions) if lab))
    unreferenced = []
    for lab in labels:
        pattern = _mention(lab)
        own = sum(len(pattern.findall(cap)) for cap in captions if _label_of(cap) == lab)
        if len(pattern.findall(body)) - own < 1:
            unreferenced.append(lab)
    return labels, unreferenced


def _label_of(caption: str) -> str | None:
    """The "Table N" / "Figure N" label a caption starts with, or None."""
    m = _LABEL.match(caption)
    return f"{m.group(1)} {m.group(2)}" if m else None


# an image counts as decoded when HTMLImageElement.decode() resolves and it has a natural size
_JS_IMAGES = """() => Promise.all(Array.from(document.images).map(img => img.decode()
  .then(() => img.naturalWidth > 0 ? null : img.getAttribute('src') || '', () => img.getAttribute('src') || '')))
  .then(srcs => srcs.filter(s => s !== null))"""
_JS_COLUMN = """() => { const col = document.querySelector('main') || document.body; const cs = getComputedStyle(col);
  const box = col.getBoundingClientRect();
  return [box.left + parseFloat(cs.paddingLeft), box.right - parseFloat(cs.paddingRight)]; }"""
# rendered tables, figures, images and code blocks that stick out of the column [left, right], or whose
# content is wider than themselves inside a scroll container (overflow-x auto / scroll / hidden)
_JS_WIDE = """([left, right]) => Array.from(document.querySelectorAll('table, figure, img, pre')).map(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0) return null;
    const hidden = getComputedStyle(el).overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1;
    if (r.left >= left - 1 && r.right <= right + 1 && !hidden) return null;
    const cap = el.querySelector('caption, figcaption') || (el.closest('figure') || el).querySelector('figcaption');
    const name = cap ? cap.textContent.trim().slice(0, 60) : el.tagName.toLowerCase();
    return name + ' (' + Math.round(hidden ? el.scrollWidth : r.width) + ' px)';
  }).filter(x => x !== null)"""
_JS_CAPTIONS = """() => Array.from(document.querySelectorAll('caption, figcaption, p > em, p > strong, .caption'))
  .map(el => el.textContent.trim())"""


def check_report_page(
    html: str | Path, *, width: int = 1280, height: int = 900, screenshot: str | Path | None = None
) -> PageCheck:
    """Render ``html`` in headless Chromium at ``width`` px and return a :class:`PageCheck`.

    A table or figure is *labelled* when a caption starts with "Table N" / "Figure N"; it is
    *referenced* when "Table N" / "Figure N" also occurs, as whole words, in the page text outside its
    caption (:func:`float_references`).

    Parameters
    ----------
    html
        Path of the HTML file (opened as a ``file://`` URI, after the ``load`` and ``networkidle`` events).
    width, height
        Viewport in CSS px; the overflow and column checks are made at this width.
    screenshot
        If given, a full-page PNG is written there (parent folders created).

    Returns
    -------
    PageCheck
        The findings; :meth:`PageCheck.problems` lists the defects one line each.

    Raises
    ------
    InputError
        When ``html`` does not exist or no system Chromium is found (:func:`chromium_path`). Playwright
        itself must be importable (the ``playwright`` package, without its browser download).

    Examples
    --------
    A test of the rendered report at a laptop width::

        check = check_report_page("reports/report.html", width=1280, screenshot="build/report.png")
        assert check.problems() == []
    """
    from playwright.sync_api import sync_playwright

    path = Path(html).resolve()
    if not path.is_file():
        raise InputError("the HTML report does not exist", file=path)
    exe = chromium_path()
    if exe is None:
        raise InputError("Chromium is not installed (Debian package 'chromium'); the page cannot be checked")
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=list(CHROMIUM_ARGS))
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            scroll = int(page.evaluate("() => document.documentElement.scrollWidth"))
            inner = int(page.evaluate("() => window.innerWidth"))
            broken = list(page.evaluate(_JS_IMAGES))
            left, right = page.evaluate(_JS_COLUMN)
            wide = list(page.evaluate(_JS_WIDE, [left, right]))
            captions = list(page.evaluate(_JS_CAPTIONS))
            body = str(page.evaluate("() => document.body.innerText"))
            if screenshot is not None:
                Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    labels, unreferenced = float_references(captions, body)
    return PageCheck(
        width=inner,
        scroll_width=scroll,
        column_width=round(right - left, 1),
        console_errors=errors,
        broken_images=broken,
        wide_elements=wide,
        labels=labels,
        unreferenced=unreferenced,
    )
