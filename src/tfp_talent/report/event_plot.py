"""Event-study plot: coefficients by year with confidence intervals and the omitted base year at zero.

The coefficients θ_t come from the reduced-form event study
y_it = Σ_{t ≠ b} θ_t E_i 1[year = t] + w_it'δ + a_i + λ_t + e_it of
:mod:`tfp_talent.study.runners.event_study`
(E_i a time-invariant exposure, b the omitted base year). This module only draws them, in the study's
figure style (:mod:`tfp_talent.report.style`), and saves nothing: pass the figure to
:func:`~tfp_talent.report.style.save_figure`.

Example, with the per-year rows of one covariance of an event-study result::

    fig = event_study_plot(rows, base_year=2000, scale=sd_exposure, ylabel="Effect on ln TFP",
                           marker_year=2003, marker_label="marker")
    save_figure(fig, "reports/figures/event_study")
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from tfp_talent.errors import InputError
from tfp_talent.report.style import FULL_WIDTH, PALETTE, add_note, figure_style


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
    a dotted vertical line at ``marker_year`` − 0.5 separates the years before ``marker_year`` (e.g. the
    first year the expanded cohorts reach the labour market) from the rest. Intervals are the ones stored
    in the result (t with G − 1 df when clustered); a row without finite bounds is drawn as a point.

    Parameters
    ----------
    rows
        One mapping per year with ``year``, ``coef`` and optionally ``ci_lower`` / ``ci_upper``; the bounds
        are sorted after scaling, so a negative ``scale`` keeps lo <= hi.
    base_year
        The omitted year; it must be one of the rows' years.
    scale
        Multiplies coefficients and bounds (e.g. a standard deviation of the regressor, or 100 for percent).
    ylabel, marker_label, note
        Axis label, text beside the marker line, and a note under the figure
    (:func:`~tfp_talent.report.style.add_note`).
    source
        File named in the error messages.

    Returns
    -------
    matplotlib.figure.Figure
        Full-width figure (6.5 × 3.6 in), years as vertical tick labels.

    Raises
    ------
    InputError
        When ``rows`` is empty or ``base_year`` is not among its years.
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
            add_note(fig, note)  # wrapped to the figure width by add_note
    return fig
