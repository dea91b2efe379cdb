"""Event-study plot: coefficients by year with confidence intervals and the omitted base year at zero."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from tfp_talent.errors import InputError
from tfp_talent.report.style import FULL_WIDTH, PALETTE, add_note, figure_style

#: characters per line of the note: the 7 pt note font is about 0.6 em (4.2 pt) a character on average,
#: so a 6.5 in (468 pt) wide figure holds about 110 (150 ran past the right edge and was cut off)
NOTE_CHARS = 110


def event_study_plot(
    rows: Sequence[Mapping[str, Any]],
    *,
    base_year: int,
    scale: float = 1.0,
    ylabel: str = "Coefficient",
    marker_year: int | None = None,
    marker_label: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """θ_t × ``scale`` with its interval [lo, hi] × ``scale`` against year t (``rows``: year, coef, ci_lower, ci_upper).

    The base year has coefficient 0 and no interval (drawn as an open marker); a dashed line marks 0,
    a dotted vertical line ``marker_year`` (e.g. the first year the expanded cohorts reach the labour
    market). Intervals are the ones stored in the result (t with G − 1 df when clustered).
    """
    if not rows:
        raise InputError("no event-study coefficients", file=source)
    years = [int(r["year"]) for r in rows]
    if base_year not in years:
        raise InputError(f"base year {base_year} not among the coefficients", file=source)
    with figure_style():
        fig, ax = plt.subplots(figsize=(FULL_WIDTH, 3.6))
        for r in rows:
            t, b = int(r["year"]), float(r["coef"]) * scale
            if t == base_year:
                ax.plot(t, b, "o", mfc="white", mec=PALETTE[0], markersize=5, zorder=3)
                continue
            lo, hi = r.get("ci_lower"), r.get("ci_upper")
            if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
                ax.plot(t, b, "o", color=PALETTE[0], markersize=4)
                continue
            lo, hi = sorted((float(lo) * scale, float(hi) * scale))
            ax.errorbar(t, b, yerr=[[b - lo], [hi - b]], fmt="o", color=PALETTE[0], ecolor=PALETTE[0],
                        capsize=2.5, markersize=4)  # fmt: skip
        ax.axhline(0.0, color="#555555", linewidth=0.8, linestyle="--")
        if marker_year is not None:
            ax.axvline(marker_year - 0.5, color="#888888", linewidth=0.8, linestyle=":")
            if marker_label:
                ax.annotate(marker_label, (marker_year - 0.4, 1.0), xycoords=("data", "axes fraction"),
                            va="top", fontsize=7, color="#555555")  # fmt: skip
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=90)
        ax.set_xlabel("Year")
        ax.set_ylabel(ylabel)
        ax.grid(axis="x", visible=False)
        if note:
            add_note(fig, "\n".join(textwrap.wrap(note, NOTE_CHARS)))
    return fig
