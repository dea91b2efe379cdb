"""One figure style for the study, and deterministic saving of PNG + PDF.

All figure functions draw inside :func:`figure_style` (an ``rcParams`` context),
so every figure shares fonts, sizes, colours and grid. Sizes are set for print:
a full-width figure is 6.5 in wide (a US-letter/A4 text block), 9 pt text,
saved at :data:`DPI` dots per inch. Labels are English only (the default
DejaVu Sans font has no Chinese glyphs).

:func:`save_figure` strips the metadata that would make files differ between
runs (PDF ``CreationDate``/``Producer``/``Creator``, PNG ``Software``), so the
same figure gives byte-identical files.

Colours: :data:`PALETTE` is the colour-blind-safe palette of Okabe & Ito (2008), the default colour
cycle; :data:`REGION_COLORS` and :data:`REGION_MARKERS` give each region the same colour and marker in
every figure; maps use :data:`SEQUENTIAL_CMAP` (viridis, perceptually uniform and legible in grey),
:data:`MISSING_COLOR` with a hatch for provinces without data and :data:`OUTSIDE_COLOR` for areas
outside the sample. Fonts are embedded as TrueType in PDFs (``pdf.fonttype`` 42).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from cycler import cycler
from matplotlib.figure import Figure

from tfp_talent.io import write_bytes

#: Resolution of saved PNGs (dots per inch).
DPI = 200
#: Width of a full-width figure, inches.
FULL_WIDTH = 6.5

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: One colour per region, used by every figure.
REGION_COLORS: dict[str, str] = {
    "East": "#0072B2",
    "Central": "#E69F00",
    "West": "#009E73",
    "Northeast": "#CC79A7",
    "All": "#000000",
}
REGION_MARKERS: dict[str, str] = {"East": "o", "Central": "s", "West": "^", "Northeast": "D", "All": "x"}
#: Fill of provinces without data on maps (plus a hatch).
MISSING_COLOR = "#d9d9d9"
#: Fill of map areas outside the sample.
OUTSIDE_COLOR = "#f2f2f2"
#: Sequential colour map for choropleths.
SEQUENTIAL_CMAP = "viridis"

STYLE: dict[str, Any] = {
    "figure.figsize": (FULL_WIDTH, 4.0),
    "figure.dpi": 100,
    "figure.constrained_layout.use": True,
    "savefig.dpi": DPI,
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "grid.color": "#cccccc",
    "grid.linewidth": 0.5,
    "grid.alpha": 0.8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "hatch.linewidth": 0.6,
    "pdf.fonttype": 42,
    "svg.hashsalt": "tfp_talent",
    "path.simplify": True,
}


@contextmanager
def figure_style() -> Iterator[None]:
    """``with figure_style(): ...`` applies :data:`STYLE` (and restores the previous one).

    Figures must be created *and* saved inside the context for sizes and fonts to apply; figure
    functions of the report create theirs inside it and :func:`figure_bytes` saves inside it again.
    The context is matplotlib's ``rc_context``: nothing of the style leaks into figures drawn
    afterwards, and the Agg backend is selected at import so no display is needed.
    """
    with plt.rc_context(STYLE):
        yield


PNG_METADATA = {"Software": None}
PDF_METADATA = {"CreationDate": None, "Producer": None, "Creator": None}


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """Render ``fig`` as ``png`` or ``pdf`` bytes without run-dependent metadata.

    PNG at :data:`DPI` without the ``Software`` entry; PDF without ``CreationDate``, ``Producer`` and
    ``Creator`` (:data:`PNG_METADATA`, :data:`PDF_METADATA`). Any other ``fmt`` matplotlib knows is
    rendered with the PDF metadata dictionary.

    Saving happens inside :func:`figure_style`, so the saved file has the study's DPI and fonts even when
    the figure was created elsewhere; two calls on the same figure return identical bytes.
    """
    buf = io.BytesIO()
    meta = PNG_METADATA if fmt == "png" else PDF_METADATA
    with figure_style():
        fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta)
    return buf.getvalue()


def save_figure(
    fig: Figure, stem: str | Path, *, formats: tuple[str, ...] = ("png", "pdf"), close: bool = True
) -> list[Path]:
    """Write ``stem.png`` and ``stem.pdf`` atomically and deterministically; return the paths.

    Parameters
    ----------
    fig
        The figure (closed afterwards unless ``close=False``, so loops over many figures do not leak memory).
    stem
        Path without suffix; a ``.png`` or ``.pdf`` suffix is dropped first.
    formats
        The formats written, in order (default PNG then PDF), each by :func:`figure_bytes` and
        :func:`tfp_talent.io.write_bytes`.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Examples
    --------
    Draw inside the style, save after::

        with figure_style():
            fig, ax = plt.subplots()
            ax.plot(years, values)
        save_figure(fig, "reports/figures/tfp_by_region")   # tfp_by_region.png and .pdf
    """
    base = Path(stem)
    if base.suffix.lower() in (".png", ".pdf"):
        base = base.with_suffix("")
    paths = []
    for fmt in formats:
        path = base.with_suffix(f".{fmt}")
        write_bytes(figure_bytes(fig, fmt), path)
        paths.append(path)
    if close:
        plt.close(fig)
    return paths


def add_note(fig: Figure, text: str, *, fontsize: float = 7.0) -> None:
    """A small left-aligned note at the bottom of the figure (sources, missing data).

    Drawn as the figure's ``supxlabel``, so the constrained layout reserves room
    for it below all axes (and their legends). Figure-level legends therefore go
    at the top (``loc="outside upper center"``). Lines longer than the figure is wide are wrapped
    (about 0.55 em per character of the note's font); ``\\n`` breaks a line where wanted.

    The wrap width is max(20, ⌊72 w / (0.55 f)⌋ − 2) characters for a figure w inches wide and a font of
    f points (default 7 pt, grey ``#444444``): about 119 characters on a full-width (6.5 in) figure.
    A second call replaces the first note (one ``supxlabel`` per figure); join the lines instead, as
    the map and scatter functions do.
    """
    import textwrap

    width = max(20, int(fig.get_figwidth() * 72.0 / (0.55 * fontsize)) - 2)
    wrapped = "\n".join(textwrap.fill(line, width) if line else line for line in text.split("\n"))
    fig.supxlabel(wrapped, x=0.01, ha="left", fontsize=fontsize, color="#444444", fontweight="normal")
