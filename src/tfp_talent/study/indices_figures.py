"""Figure kind ``region_series``: unweighted region means of one or more panel columns by year, one panel each.

Drawn from the panel (merged with the indices file for ``indices: true``); used for the talent–industry
coupling coordination degree D and the mismatch 1 − D of rule ``indices`` (issue 13). Means are over the
provinces of each region with data in that year (a year without data is left out, never filled).

For region r and year t the point is x̄_rt = (1/n_rt) Σ_{i ∈ r, x_it observed} x_it, n_rt the number of
provinces of r with a value in t (no population weights). Registered in
:data:`tfp_talent.study.figures.FIGURE_KINDS` (``needs_data``, no TFP file by default); in
``config/config.yaml``: ``figures.coordination_by_region``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from tfp_talent.errors import InputError
from tfp_talent.io import require_columns
from tfp_talent.report.figures import _color, _region_order
from tfp_talent.report.style import FULL_WIDTH, REGION_MARKERS, add_note, figure_style
from tfp_talent.study.common import ENTITY, TIME
from tfp_talent.study.labels import term_label


def region_series(
    panel: pd.DataFrame,
    variables: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    by: str = "region3",
    years: Sequence[int] | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """One panel per variable: the unweighted mean over the provinces of each region, by year.

    Parameters
    ----------
    panel
        Province-year rows: ``province_code``, ``year``, the region column ``by`` and ``variables``.
    variables
        Columns to plot, one panel each (side by side, shared year axis).
    labels
        Column → axis label (:func:`~tfp_talent.study.labels.term_label`).
    by
        Region column (default ``region3``, the NBS East / Central / West split; regions in the
        order of :mod:`tfp_talent.report.figures`, others alphabetically).
    years
        Optional closed range [first, last] of years.
    note, source
        Figure note; ``source`` names the config entry in errors.

    Returns
    -------
    matplotlib.figure.Figure
        One row of panels, full text width; a region's line skips years without data.

    Raises
    ------
    InputError
        Without variables, with a missing column, or when ``by`` has no region labels.
    """
    if not variables:
        raise InputError("a region series needs at least one variable", file=source)
    cols = [ENTITY, TIME, by, *variables]
    require_columns(panel, cols, file=source)
    df = panel[cols]
    if years:
        df = df[df[TIME].between(int(years[0]), int(years[1]))]
    regions = _region_order(df[by])
    if not regions:
        raise InputError("no region labels", file=source, column=by)
    with figure_style():
        fig, axes = plt.subplots(1, len(variables), figsize=(FULL_WIDTH, 3.2), sharex=True, squeeze=False)
        for ax, var in zip(axes[0], variables):
            for i, r in enumerate(regions):
                m = df[df[by].astype(str) == r].groupby(TIME)[var].mean().dropna()
                ax.plot(
                    m.index, m.to_numpy(), color=_color(r, i), marker=REGION_MARKERS.get(r, "o"),
                    markersize=3.5, label=r,
                )  # fmt: skip
            ax.set_xlabel("Year")
            ax.set_ylabel(term_label(var, dict(labels or {})))
            ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True, nbins=6))
        axes[0][0].legend(title=None, loc="best")
        if note:
            add_note(fig, note)
    return fig


def region_series_figure(where: str, entry: Mapping[str, Any], inp: Any, labels: Mapping[str, str]) -> Any:
    """Figure kind ``region_series``: ``variables`` (panel or index columns), optional ``years``, ``by``.

    Arguments as the drawers of :data:`tfp_talent.study.figures.FIGURE_KINDS`; draws
    :func:`region_series` of ``inp.data`` with the fixed note on unweighted means.
    """
    return region_series(
        inp.data,
        list(entry.get("variables") or []),
        labels=labels,
        by=entry.get("by", "region3"),
        years=entry.get("years"),
        note="Unweighted means over the provinces of each region (NBS three-region split); years with data only.",
        source=where,
    )
