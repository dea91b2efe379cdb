"""Figures of the exploratory spatial analysis: Moran scatter plot and LISA / Gi* cluster maps.

:func:`moran_scatter` plots the standardised variable z against its spatial lag Wz; with
row-standardised weights the least-squares slope of Wz on z is Moran's I = z'Wz / z'z (Anselin
1996, "The Moran scatterplot as an ESDA tool", in Fischer, Scholten & Unwin (eds.), *Spatial
Analytical Perspectives on GIS*). :func:`cluster_map` colours the real province polygons by
their LISA class (HH red, LL blue, HL pink, LH light blue, not significant grey, the GeoDa
scheme) or Gi* class (hot red, cold blue), drawn with the projection, outside-sample areas and
South China Sea inset of :mod:`tfp_talent.report.maps`. Save with
:func:`tfp_talent.report.style.save_figure` (byte-stable PNG + PDF).

The classes themselves are computed elsewhere: LISA clusters by
:func:`tfp_talent.spatial.explore.local_moran` (local I_i, quadrant of (z_i, Wz_i) among units with
pseudo p < alpha) and Gi* classes by the same module (Getis & Ord 1992); this module only draws them.

Example, one year of a panel with ``province_code`` ids and queen weights ``w``::

    y = panel.loc[panel["year"] == 2019].set_index("province_code")["tertiary_share"]
    save_figure(moran_scatter(y, w, label="Tertiary share", period=2019), "figures/moran_2019")
    lisa = local.loc[local["year"] == 2019].set_index("province_code")["cluster"]
    save_figure(cluster_map(lisa, read_topojson(MAP), variable="Tertiary share", period=2019),
                "figures/lisa_2019")
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from tfp_talent.data.provinces import CODES
from tfp_talent.errors import InputError
from tfp_talent.report.maps import (
    ISO_ABBR,
    MapFeature,
    map_frame_notes,
    province_features,
    province_map,
)
from tfp_talent.report.style import FULL_WIDTH, PALETTE, add_note, figure_style
from tfp_talent.spatial.weights import SpatialWeights

#: LISA classes: label, fill colour (GeoDa's scheme).
LISA_COLORS: dict[str, tuple[str, str]] = {
    "HH": ("High-high", "#d7191c"),
    "LL": ("Low-low", "#2c7bb6"),
    "HL": ("High-low", "#f4a6b4"),
    "LH": ("Low-high", "#9ecae1"),
    "ns": ("Not significant", "#d9d9d9"),
}
#: Gi* classes: label, fill colour.
GI_COLORS: dict[str, tuple[str, str]] = {
    "hot": ("Hot spot", "#d7191c"),
    "cold": ("Cold spot", "#2c7bb6"),
    "ns": ("Not significant", "#d9d9d9"),
    "undefined": ("Not defined (negative values)", "#ffffff"),
}
# cluster-map kind -> (class colours, legend title, statistic named in the title)
CLUSTER_MAPS: dict[str, tuple[dict[str, tuple[str, str]], str, str]] = {
    "lisa": (LISA_COLORS, "LISA cluster", "LISA clusters"),
    "gi": (GI_COLORS, "Getis-Ord Gi*", "Gi* hot and cold spots"),
}


def moran_scatter(
    values: Mapping[int, float] | pd.Series,
    w: SpatialWeights,
    *,
    label: str,
    period: str | int | None = None,
    title: str | None = None,
    label_threshold: float = 1.5,
    note: str | None = None,
) -> Figure:
    """Moran scatter plot: z = (y - ȳ)/sd(y) (population sd) against the lag Wz, line of slope I.

    ``values`` holds one value per unit of ``w`` (keyed by its ids). I = (n/S0) z'Wz / z'z; with
    row-standardised ``w`` (S0 = n) it is the slope of the fitted line. Units with |z| or |Wz| at
    least ``label_threshold`` are labelled with their ISO 3166-2:CN letters.

    The line through the origin has slope z'Wz / z'z, the least-squares slope of Wz on z; when ``w`` is
    not row-standardised it differs from I and the note says so. Quadrants are named high-high (upper
    right), low-high, low-low and high-low (Anselin 1996).

    Parameters
    ----------
    values
        Mapping or Series id -> value; every id of ``w`` needs a finite value (other ids are ignored).
    w
        The spatial weights (its ``matrix``, ``ids``, ``n`` and ``kind`` are used).
    label
        Variable name for the axes; ``period`` is appended to the default title, ``title`` replaces it.
    label_threshold
        Labelling cut-off in standard deviations (default 1.5); ids that are not province codes are
        labelled with their own text.
    note
        Extra text under the figure, after the labelling note.

    Returns
    -------
    matplotlib.figure.Figure
        A square plot (4.9 × 4.4 in) with both axes on the same symmetric range, so the 45° diagonal
        would be I = 1; the legend gives I to three decimals.

    Raises
    ------
    InputError
        When a unit of ``w`` has no finite value (the units are listed) or the variable is constant.
    """
    s = pd.Series(values, dtype=float)
    missing = [a for a in w.ids if a not in s.index or not math.isfinite(s.get(a, float("nan")))]
    if missing:
        raise InputError("Moran scatter plot: no finite value for unit(s)", rows=missing)
    y = s.loc[list(w.ids)].to_numpy()
    sd = y.std()
    if sd == 0:
        raise InputError("Moran scatter plot: the variable is constant across units")
    z = (y - y.mean()) / sd
    lag = w.matrix @ z
    moran_i = float(w.n / w.matrix.sum() * (z @ lag) / (z @ z))
    slope = float((z @ lag) / (z @ z))
    with figure_style():
        fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.75, 4.4))
        ax.axhline(0, color="#777777", linewidth=0.7)
        ax.axvline(0, color="#777777", linewidth=0.7)
        ax.scatter(z, lag, s=22, color=PALETTE[0], edgecolor="white", linewidth=0.5, zorder=3)
        lim = max(float(np.abs(z).max()), float(np.abs(lag).max())) * 1.12
        xs = np.array([-lim, lim])
        ax.plot(xs, slope * xs, color=PALETTE[1], linewidth=1.4, label=f"slope = Moran's I = {moran_i:.3f}")
        for a, zi, li in zip(w.ids, z, lag, strict=True):
            if abs(zi) >= label_threshold or abs(li) >= label_threshold:
                text = ISO_ABBR.get(a, str(a)) if isinstance(a, int) else str(a)
                ax.annotate(text, (zi, li), xytext=(3, 3), textcoords="offset points", fontsize=7)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        for qx, qy, text in (
            (0.98, 0.98, "high-high"),
            (0.02, 0.90, "low-high"),
            (0.02, 0.02, "low-low"),
            (0.98, 0.02, "high-low"),
        ):
            ax.text(qx, qy, text, transform=ax.transAxes, ha="right" if qx > 0.5 else "left",
                    va="top" if qy > 0.5 else "bottom", fontsize=8, color="#777777")  # fmt: skip
        ax.set_xlabel(f"{label} (standardised, z)")
        ax.set_ylabel(f"Spatial lag of z (Wz, {w.kind} weights)")
        when = f", {period}" if period is not None else ""
        ax.set_title(title or f"Moran scatter plot: {label}{when}")
        ax.legend(loc="upper left", bbox_to_anchor=(0.04, 1.0))
        notes = [f"Labels: ISO 3166-2:CN codes of units with |z| or |Wz| >= {label_threshold:g}; n = {w.n}."]
        if not math.isclose(slope, moran_i, rel_tol=1e-9, abs_tol=1e-12):
            notes.append(f"Weights not row-standardised: line slope z'Wz/z'z = {slope:.3f}.")
        if note:
            notes.append(note)
        add_note(fig, "\n".join(notes))
    return fig


def _classes(
    clusters: Mapping[int, str] | pd.Series, scheme: Mapping[str, tuple[str, str]]
) -> dict[int, str]:
    """``clusters`` as {int code: class} with classes of ``scheme``; unknown ones: InputError (listed)."""
    out: dict[int, str] = {}
    bad = []
    for k, v in dict(clusters).items():
        if str(v) not in scheme:
            bad.append((k, v))
            continue
        out[int(k)] = str(v)
    if bad:
        raise InputError(f"unknown cluster class(es); use {', '.join(scheme)}", rows=bad)
    return out


def cluster_map(
    clusters: Mapping[int, str] | pd.Series,
    features: list[MapFeature],
    *,
    kind: str = "lisa",
    variable: str,
    period: str | int | None = None,
    rule: str = "pseudo p < 0.05",
    title: str | None = None,
    note: str | None = None,
    source: str | Path | None = None,
) -> Figure:
    """Categorical map of LISA (``kind="lisa"``) or Gi* (``kind="gi"``) classes by province code.

    ``clusters`` maps 6-digit province codes to a class (HH, LL, HL, LH, ns; or hot, cold, ns).
    Provinces without a class are white with grey hatching and named in the note; Hong Kong, Macao and
    Taiwan light grey. The title names the variable, the period and the significance ``rule``.

    Colours are those of :data:`LISA_COLORS` / :data:`GI_COLORS` (GeoDa's scheme); the legend counts the
    provinces in each class.

    Parameters
    ----------
    clusters
        Mapping or Series code -> class, e.g. one period of the ``cluster`` column of
        :func:`tfp_talent.spatial.explore.local_moran`; Gi* also has ``undefined`` (negative values).
    features
        The decoded TopoJSON features (:func:`~tfp_talent.report.maps.read_topojson`), drawn by
        :func:`~tfp_talent.report.maps.province_map` (Albers projection, South China Sea inset).
    variable, period, rule
        Parts of the default title "LISA clusters: variable, period (rule)"; ``title`` replaces it.
    note, source
        Text added under the figure before the map-frame notes; the map file named in errors.

    Raises
    ------
    InputError
        When ``kind`` is unknown, a class is not in the scheme, or the map has no province features.
    """
    if kind not in CLUSTER_MAPS:
        raise InputError(f"kind must be one of {', '.join(CLUSTER_MAPS)} (got {kind!r})")
    scheme, legend_title, stat = CLUSTER_MAPS[kind]
    classes = _classes(clusters, scheme)
    shapes = province_features(features, source=source)
    no_class = [c for c in CODES if c not in classes]

    def patch_of(code: int, path: MplPath) -> PathPatch:
        """The patch of province ``code``: its class colour, or white with grey hatching without a class."""
        cls = classes.get(code)
        if cls is None:
            return PathPatch(path, facecolor="#ffffff", edgecolor="#777777", hatch="////", linewidth=0.4)
        return PathPatch(path, facecolor=scheme[cls][1], edgecolor="white", linewidth=0.4)

    with figure_style():
        fig, ax, outside, has_south = province_map(features, shapes, patch_of)
        counts = {k: sum(1 for v in classes.values() if v == k) for k in scheme}
        handles = [
            Patch(facecolor=col, edgecolor="#777777", label=f"{name} ({counts[k]})")
            for k, (name, col) in scheme.items()
        ]
        ax.legend(handles=handles, loc="lower left", title=legend_title)
        when = f", {period}" if period is not None else ""
        ax.set_title(title or f"{stat}: {variable}{when} ({rule})")
        notes = []
        if no_class:
            notes.append("Hatched: no class (" + ", ".join(str(c) for c in no_class) + ").")
        if note:
            notes.append(note)
        notes += map_frame_notes(outside, has_south)
        add_note(fig, "\n".join(notes))
    return fig
