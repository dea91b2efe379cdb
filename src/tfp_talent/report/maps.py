"""Province maps: a TopoJSON decoder, a choropleth and a geometry-free tile map.

TopoJSON (Bostock, *TopoJSON Format Specification* 1.0, 2013) stores each shared
border once as an *arc*; geometries list arc indices (a negative index ``i``
means arc ``~i`` reversed). With a ``transform``, arc positions are quantized
and delta-encoded: the absolute position of point k is the running sum of the
deltas, mapped to longitude/latitude by ``x * scale + translate``. When arcs
are joined into a ring the first point of every arc after the first is dropped
(it repeats the last point of the previous arc). :func:`decode_topology`
implements exactly this with numpy; no GIS stack is needed.

Features are keyed by the DataV ``adcode`` (6-digit GB/T 2260 code =
``province_code``). Features that are not one of the 31 provinces of
:mod:`tfp_talent.data.provinces` are drawn light grey if they are province-level
areas outside the sample (Hong Kong, Macao, Taiwan) and skipped otherwise
(the national outline, the South China Sea boundary line).

Maps use an Albers equal-area conic projection with standard parallels 25°N
and 47°N and central meridian 105°E, a common choice for maps of China
(Snyder 1987, *Map Projections: A Working Manual*, USGS PP 1395, eqs. 14-1 to
14-4, spherical form). Islands south of 17°N (South China Sea) are shown in an
inset, as is conventional.

:func:`tile_map` draws the same data on a fixed grid of equal squares (one per
province, placed roughly where the province lies); it needs no geometry and
gives small provinces (the municipalities) the same weight as large ones.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from tfp_talent.data.provinces import BY_CODE, CODES
from tfp_talent.errors import InputError
from tfp_talent.report.style import (
    FULL_WIDTH,
    MISSING_COLOR,
    OUTSIDE_COLOR,
    SEQUENTIAL_CMAP,
    add_note,
    figure_style,
)

#: Province-level areas that are not in the NBS provincial sample (drawn light grey).
OUTSIDE_SAMPLE: dict[int, str] = {710000: "Taiwan", 810000: "Hong Kong", 820000: "Macao"}

#: ISO 3166-2:CN letter codes, used as tile labels.
ISO_ABBR: dict[int, str] = {
    110000: "BJ", 120000: "TJ", 130000: "HE", 140000: "SX", 150000: "NM", 210000: "LN", 220000: "JL",
    230000: "HL", 310000: "SH", 320000: "JS", 330000: "ZJ", 340000: "AH", 350000: "FJ", 360000: "JX",
    370000: "SD", 410000: "HA", 420000: "HB", 430000: "HN", 440000: "GD", 450000: "GX", 460000: "HI",
    500000: "CQ", 510000: "SC", 520000: "GZ", 530000: "YN", 540000: "XZ", 610000: "SN", 620000: "GS",
    630000: "QH", 640000: "NX", 650000: "XJ",
}  # fmt: skip

#: Tile-map layout: province code -> (column west->east, row north->south).
TILE_GRID: dict[int, tuple[int, int]] = {
    230000: (7, 0),
    650000: (1, 1), 150000: (4, 1), 110000: (5, 1), 210000: (6, 1), 220000: (7, 1),
    620000: (2, 2), 640000: (3, 2), 140000: (4, 2), 130000: (5, 2), 120000: (6, 2),
    630000: (2, 3), 610000: (3, 3), 410000: (4, 3), 370000: (5, 3),
    540000: (1, 4), 510000: (2, 4), 500000: (3, 4), 420000: (4, 4), 340000: (5, 4), 320000: (6, 4), 310000: (7, 4),
    530000: (2, 5), 520000: (3, 5), 430000: (4, 5), 360000: (5, 5), 330000: (6, 5),
    450000: (3, 6), 440000: (4, 6), 350000: (5, 6),
    460000: (4, 7),
}  # fmt: skip

#: Latitude below which polygons go to the South China Sea inset.
INSET_LAT = 17.0


@dataclass(frozen=True)
class MapFeature:
    """One decoded TopoJSON geometry.

    ``polygons`` is a list of polygons, each a list of rings (exterior first,
    then holes), each ring an ``(n, 2)`` array of longitude/latitude.
    ``code`` is the integer adcode if it is one (else ``None``); ``key`` is the
    raw identifier as found in the file.
    """

    code: int | None
    key: str
    name: str
    level: str
    polygons: tuple[tuple[np.ndarray, ...], ...]


def _decode_arcs(topo: Mapping[str, Any]) -> list[np.ndarray]:
    """The arcs of a topology as (n, 2) coordinate arrays (extra coordinates dropped).

    Quantised topologies (with ``transform``) are delta-encoded: p_k = (Σ_{i≤k} Δ_i) · scale + translate.
    """
    arcs = topo.get("arcs")
    if not isinstance(arcs, list):
        raise InputError("TopoJSON has no 'arcs' list")
    transform = topo.get("transform")
    out = []
    for arc in arcs:
        pts = np.asarray(arc, dtype=float).reshape(-1, len(arc[0]) if arc else 2)[:, :2]
        if transform is not None:
            scale = np.asarray(transform["scale"], dtype=float)
            translate = np.asarray(transform["translate"], dtype=float)
            pts = np.cumsum(pts, axis=0) * scale + translate
        out.append(pts)
    return out


def _ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    """A ring from arc indices: arc i as stored, ~i (negative) reversed; later arcs' first points dropped."""
    parts = []
    for k, i in enumerate(indices):
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(pts if k == 0 else pts[1:])
    return np.concatenate(parts, axis=0)


def _geometry_polygons(geom: Mapping[str, Any], arcs: list[np.ndarray]) -> list[tuple[np.ndarray, ...]]:
    """Polygons (rings as coordinate arrays) of a TopoJSON geometry; points and lines carry no area."""
    decode = _GEOMETRY_DECODERS.get(str(geom.get("type")))
    return decode(geom, arcs) if decode else []


def _collection_polygons(geom: Mapping[str, Any], arcs: list[np.ndarray]) -> list[tuple[np.ndarray, ...]]:
    """The polygons of every member of a ``GeometryCollection``, in order."""
    polys: list[tuple[np.ndarray, ...]] = []
    for g in geom.get("geometries", []):
        polys.extend(_geometry_polygons(g, arcs))
    return polys


# TopoJSON geometry type -> its polygons
_GEOMETRY_DECODERS = {
    "Polygon": lambda g, arcs: [tuple(_ring(r, arcs) for r in g["arcs"])],
    "MultiPolygon": lambda g, arcs: [tuple(_ring(r, arcs) for r in poly) for poly in g["arcs"]],
    "GeometryCollection": _collection_polygons,
}


def decode_topology(topo: Mapping[str, Any], *, source: str | Path | None = None) -> list[MapFeature]:
    """Every areal geometry of every object of a TopoJSON ``Topology``, in file order.

    A geometry's ``code`` is its ``properties.adcode`` (else its ``id``) when that is all digits;
    ``name`` and ``level`` come from its properties. Geometries without polygons (points, lines) are
    skipped. Raises :class:`InputError` naming ``source`` when ``topo`` is not a Topology with
    ``objects`` or an arc index, a transform or a coordinate is malformed.
    """
    if topo.get("type") != "Topology" or not isinstance(topo.get("objects"), Mapping):
        raise InputError("not a TopoJSON Topology (needs type 'Topology' and 'objects')", file=source)
    try:
        arcs = _decode_arcs(topo)
        features: list[MapFeature] = []
        for obj in topo["objects"].values():
            geoms = obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]
            for g in geoms:
                props = g.get("properties") or {}
                raw = props.get("adcode", g.get("id"))
                key = "" if raw is None else str(raw)
                code = int(key) if key.isdigit() else None
                polys = _geometry_polygons(g, arcs)
                if not polys:
                    continue
                features.append(
                    MapFeature(
                        code, key, str(props.get("name", "")), str(props.get("level", "")), tuple(polys)
                    )
                )
    except InputError as err:  # raised by the decoders without the file name (an InputError is a ValueError)
        raise InputError(err.problem, file=source) from None
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise InputError(f"malformed TopoJSON ({type(err).__name__}: {err})", file=source) from None
    return features


def read_topojson(path: str | Path) -> list[MapFeature]:
    """Read and decode a TopoJSON file (see :func:`decode_topology`).

    Raises :class:`InputError` when the file is missing, is not UTF-8 JSON or is not a valid Topology.
    """
    p = Path(path)
    if not p.exists():
        raise InputError("map file not found", file=p)
    try:
        topo = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"not valid JSON: {err}", file=p) from None
    return decode_topology(topo, source=p)


def province_features(
    features: list[MapFeature], *, source: str | Path | None = None
) -> dict[int, MapFeature]:
    """The features of the 31 sample provinces, by code; raise if the file has none.

    A province split over several features (several objects) is merged.
    Features whose code is not one of the 31 (Hong Kong, Macao, Taiwan, the national outline, lines)
    are left out here; :func:`province_map` draws the out-of-sample areas from the full feature list.
    """
    found: dict[int, MapFeature] = {}
    for f in features:
        if f.code in BY_CODE:
            if f.code in found:
                prev = found[f.code]
                found[f.code] = MapFeature(f.code, f.key, prev.name, prev.level, prev.polygons + f.polygons)
            else:
                found[f.code] = f
    if not found:
        listed = "; ".join(f"{f.key} {f.name} ({f.level or 'no level'})" for f in features[:5])
        raise InputError(
            f"map has no province features (adcode 110000..650000); found {len(features)} feature(s): {listed}",
            file=source,
            hint="use a province-level TopoJSON (DataV adcodes), e.g. province_full.json of "
            "YipChunKit/China_map_topojson, or draw tile_map() instead",
        )
    return found


# --------------------------------------------------------------------------- projection


def albers(
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    lon0: float = 105.0,
    lat1: float = 25.0,
    lat2: float = 47.0,
    lat0: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Albers equal-area conic on the unit sphere (Snyder 1987, eqs. 14-1 to 14-4).

    n = (sin φ1 + sin φ2) / 2, C = cos² φ1 + 2 n sin φ1, ρ = √(C − 2 n sin φ) / n,
    θ = n (λ − λ0), x = ρ sin θ, y = ρ0 − ρ cos θ with ρ0 = ρ(φ0).

    ``lon`` / ``lat`` are in degrees (arrays of equal shape); ``lon0`` is the central meridian λ0,
    ``lat1`` / ``lat2`` the standard parallels φ1, φ2 and ``lat0`` the latitude of origin φ0. Returns
    ``(x, y)`` in units of the sphere's radius; areas are preserved, shapes only near the parallels.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    n = (math.sin(phi1) + math.sin(phi2)) / 2.0
    c = math.cos(phi1) ** 2 + 2.0 * n * math.sin(phi1)
    rho0 = math.sqrt(c - 2.0 * n * math.sin(math.radians(lat0))) / n
    rho = np.sqrt(c - 2.0 * n * np.sin(np.radians(lat))) / n
    theta = n * np.radians(np.asarray(lon) - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


def _signed_area(xy: np.ndarray) -> float:
    """Shoelace signed area A = ½ Σ (x_i y_{i+1} − x_{i+1} y_i): positive for a counter-clockwise ring."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def feature_path(polygons: tuple[tuple[np.ndarray, ...], ...], keep: Any = None) -> MplPath | None:
    """One compound path (exteriors counter-clockwise, holes clockwise) in projected units.

    Rings are projected by :func:`albers`, reoriented by the sign of their shoelace area
    (:func:`_signed_area`) and closed; rings with fewer than three points are skipped. ``keep`` (a test
    on a polygon's exterior ring) selects polygons, e.g. those south of :data:`INSET_LAT` for the inset.
    Returns None when nothing is left to draw.
    """
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in polygons:
        if keep is not None and not keep(poly[0]):
            continue
        for r, ring in enumerate(poly):
            if len(ring) < 3:
                continue
            x, y = albers(ring[:, 0], ring[:, 1])
            xy = np.column_stack([x, y])
            area = _signed_area(xy)
            if (r == 0 and area < 0) or (r > 0 and area > 0):
                xy = xy[::-1]
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0] = MplPath.MOVETO
            verts.append(np.vstack([xy, xy[:1]]))
            codes.append(np.append(c, MplPath.CLOSEPOLY))
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _values_by_code(values: Mapping[int, float] | pd.Series, source: str | Path | None) -> dict[int, float]:
    """``values`` as {6-digit province code: float}, None -> NaN; unknown codes raise InputError (listed)."""
    items = values.items()
    out: dict[int, float] = {}
    unknown = []
    for k, v in items:
        try:
            code = int(k)
        except (TypeError, ValueError):
            unknown.append(k)
            continue
        if code not in BY_CODE:
            unknown.append(k)
            continue
        fv = float(v) if v is not None else float("nan")
        out[code] = fv
    if unknown:
        raise InputError(
            "unknown province code(s) in map values", file=source, rows=unknown, hint="use 6-digit codes"
        )
    return out


def _norm(
    vals: dict[int, float], vmin: float | None, vmax: float | None, source: str | Path | None
) -> mcolors.Normalize:
    """Linear normalisation from ``vmin`` (default: min) to ``vmax`` (default: max) of the finite values.

    A range hi <= lo is widened to [lo, lo + 1]; InputError when no value is finite.
    """
    finite = [v for v in vals.values() if math.isfinite(v)]
    if not finite:
        raise InputError("no finite values to map", file=source)
    lo = min(finite) if vmin is None else vmin
    hi = max(finite) if vmax is None else vmax
    if hi <= lo:
        hi = lo + 1.0
    return mcolors.Normalize(vmin=lo, vmax=hi)


#: Colour scales of :func:`choropleth`.
COLOUR_SCALES = ("linear", "quantile", "log")


def colour_norm(
    vals: dict[int, float], scale: str = "linear", *, n_classes: int = 5, source: str | Path | None = None
) -> tuple[mcolors.Normalize, str]:
    """The colour normalisation of a map and a note saying what the colours mean.

    ``linear``: min to max; ``quantile``: ``n_classes`` classes with equal numbers of provinces,
    breaks at the empirical quantiles k/n_classes (numpy ``quantile``, linear interpolation), so one
    extreme province (Beijing) takes one class instead of stretching the whole scale; ``log``:
    logarithmic from min to max (values must be positive).

    Returns ``(norm, note)``: a ``Normalize``, ``BoundaryNorm`` (tied breaks merged; fewer than two
    distinct breaks fall back to linear) or ``LogNorm``, and the note text ('' for linear). Raises
    :class:`InputError` for an unknown scale, no finite value, or a log scale with values <= 0.
    """
    if scale not in COLOUR_SCALES:
        raise InputError(
            f"unknown colour scale {scale!r}; use one of {', '.join(COLOUR_SCALES)}", file=source
        )
    finite = np.array([v for v in vals.values() if math.isfinite(v)])
    if scale == "linear":
        return _norm(vals, None, None, source), ""
    if finite.size == 0:
        raise InputError("no finite values to map", file=source)
    if scale == "log":
        if (finite <= 0).any():
            raise InputError("a log colour scale needs positive values; use quantile", file=source)
        return mcolors.LogNorm(
            vmin=float(finite.min()), vmax=float(finite.max())
        ), "Logarithmic colour scale."
    breaks = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, int(n_classes) + 1)))
    if breaks.size < 2:
        return _norm(vals, None, None, source), ""
    norm = mcolors.BoundaryNorm(breaks, plt.get_cmap(SEQUENTIAL_CMAP).N)
    return norm, f"Colours: {breaks.size - 1} quantile classes (about equal numbers of provinces)."


def _missing_note(vals: dict[int, float]) -> str:
    """The note "Grey hatched: no data (...)" naming the provinces without a finite value, or ``''``."""
    missing = [c for c in CODES if not math.isfinite(vals.get(c, float("nan")))]
    if not missing:
        return ""
    names = ", ".join(BY_CODE[c].name_en for c in missing)
    return f"Grey hatched: no data ({names})."


def choropleth(
    values: Mapping[int, float] | pd.Series,
    features: list[MapFeature],
    *,
    label: str,
    title: str | None = None,
    cmap: str = SEQUENTIAL_CMAP,
    vmin: float | None = None,
    vmax: float | None = None,
    note: str | None = None,
    source: str | Path | None = None,
    colour_scale: str = "linear",
    n_classes: int = 5,
) -> Figure:
    """Choropleth of one value per province (keyed by 6-digit ``province_code``).

    ``colour_scale``: ``linear`` (``vmin``..``vmax``), ``quantile`` (``n_classes`` equal-count
    classes) or ``log`` (:func:`colour_norm`).

    Provinces without a finite value are grey and hatched and named in a note;
    province-level areas outside the sample (Hong Kong, Macao, Taiwan) are light
    grey; non-province features are skipped. ``label`` titles the colour bar
    (give units). Raises :class:`InputError` if ``features`` hold no province.

    ``vmin`` / ``vmax`` apply to the linear scale only; ``cmap`` is any matplotlib colour map (default
    :data:`~tfp_talent.report.style.SEQUENTIAL_CMAP`). The note lists the missing provinces, the scale,
    ``note`` and the map-frame notes (:func:`map_frame_notes`), in that order. Unknown province codes
    in ``values`` raise :class:`InputError` too.
    """
    vals = _values_by_code(values, source)
    shapes = province_features(features, source=source)
    if colour_scale == "linear":
        norm, scale_note = _norm(vals, vmin, vmax, source), ""
    else:
        norm, scale_note = colour_norm(vals, colour_scale, n_classes=n_classes, source=source)
    cm = plt.get_cmap(cmap)
    miss_note = _missing_note(vals)

    def patch_of(code: int, path: MplPath) -> PathPatch:
        """The patch of province ``code``: its value's colour, or the hatched :data:`MISSING_COLOR`."""
        v = vals.get(code, float("nan"))
        if math.isfinite(v):
            return PathPatch(path, facecolor=cm(norm(v)), edgecolor="white", linewidth=0.4)
        return PathPatch(path, facecolor=MISSING_COLOR, edgecolor="white", hatch="////", linewidth=0.4)

    with figure_style():
        fig, ax, outside, has_south = province_map(features, shapes, patch_of)
        if title:
            ax.set_title(title)
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
        cbar = fig.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02, shrink=0.6)
        cbar.set_label(label)
        notes = [n for n in (miss_note, scale_note, note) if n]
        notes += map_frame_notes(outside, has_south)
        add_note(fig, "\n".join(notes))
    return fig


def tile_map(
    values: Mapping[int, float] | pd.Series,
    *,
    label: str,
    title: str | None = None,
    cmap: str = SEQUENTIAL_CMAP,
    vmin: float | None = None,
    vmax: float | None = None,
    digits: int = 2,
    note: str | None = None,
    source: str | Path | None = None,
) -> Figure:
    """Tile-grid map: one equal square per province at :data:`TILE_GRID`, coloured by value.

    Each tile shows the ISO 3166-2:CN code and the value; provinces without a
    finite value are grey and hatched and named in a note.
    Text is black on light tiles and white on dark ones (luma 0.299 R + 0.587 G + 0.114 B > 0.55);
    the scale is linear from ``vmin`` to ``vmax`` (:func:`_norm`), values shown with ``digits`` decimals.
    """
    vals = _values_by_code(values, source)
    norm = _norm(vals, vmin, vmax, source)
    cm = plt.get_cmap(cmap)
    miss_note = _missing_note(vals)
    with figure_style():
        fig = plt.figure(figsize=(FULL_WIDTH, 5.6))
        ax = fig.add_subplot()
        for code, (col, row) in TILE_GRID.items():
            v = vals.get(code, float("nan"))
            if math.isfinite(v):
                face = cm(norm(v))
                rect = Rectangle((col, -row), 0.94, 0.94, facecolor=face, edgecolor="white")
                r, g, b, _ = face
                text_color = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"
                value_text = f"{v:.{digits}f}"
            else:
                rect = Rectangle(
                    (col, -row), 0.94, 0.94, facecolor=MISSING_COLOR, edgecolor="white", hatch="////"
                )
                text_color, value_text = "black", "n/a"
            rect.set_gid(f"province-{code}")
            ax.add_patch(rect)
            ax.text(
                col + 0.47,
                -row + 0.60,
                ISO_ABBR[code],
                ha="center",
                va="center",
                fontsize=9,
                fontweight="bold",
                color=text_color,
            )
            ax.text(
                col + 0.47, -row + 0.30, value_text, ha="center", va="center", fontsize=7, color=text_color
            )
        ax.set_xlim(-0.1, 8.1)
        ax.set_ylim(-7.1, 1.0)
        ax.set_aspect("equal")
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        sm = plt.cm.ScalarMappable(norm=norm, cmap=cm)
        cbar = fig.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02, shrink=0.6)
        cbar.set_label(label)
        notes = [n for n in (miss_note, note) if n]
        notes.append(
            "Tile map: one equal square per province, placed by approximate location; labels are ISO 3166-2:CN codes."
        )
        add_note(fig, "\n".join(notes))
    return fig


def finish_map_axis(axis: Any) -> None:
    """Equal aspect, autoscaled, no ticks or grid: the look of every province map axis."""
    axis.set_aspect("equal")
    axis.autoscale_view()
    axis.set_xticks([])
    axis.set_yticks([])
    axis.grid(False)


def map_frame_notes(outside: Sequence[Any], has_south: bool) -> list[str]:
    """The note lines every province map carries: units drawn outside the sample, and the projection."""
    notes = []
    if outside:
        names = ", ".join(OUTSIDE_SAMPLE[f.code] for f in outside if f.code)
        notes.append(f"Light grey: outside the sample ({names}).")
    notes.append(
        "Albers equal-area projection; South China Sea islands in the inset."
        if has_south
        else "Albers equal-area projection."
    )
    return notes


def finish_map_frame(ax: Any, inset: Any | None) -> None:
    """Hide the main axis frame; frame the South China Sea inset (106-123°E, 2.5-24.5°N) when drawn."""
    ax.set_axis_off()
    if inset is not None:
        lo_x, lo_y = albers(np.array([106.0, 123.0]), np.array([2.5, 24.5]))
        inset.set_xlim(float(lo_x.min()), float(lo_x.max()))
        inset.set_ylim(float(lo_y.min()), float(lo_y.max()))
        for side in inset.spines.values():
            side.set_visible(True)
            side.set_linewidth(0.6)


def add_shape(axis: Any, patch: PathPatch) -> None:
    """``axis.add_patch(patch)`` without its per-segment limit update, which walks every border segment
    as a Bézier curve (about 1 s per map); the data limits come from the path's vertices instead (its
    segments are straight and its CLOSEPOLY vertex repeats the first, so they span the same box)."""
    axis.add_artist(patch)
    axis.update_datalim(patch.get_path().vertices)


def province_map(
    features: Sequence[MapFeature],
    shapes: Mapping[int, MapFeature],
    patch_of: Callable[[int, MplPath], PathPatch],
) -> tuple[Figure, Any, list[MapFeature], bool]:
    """The province polygons in the Albers projection on a new figure (call inside ``figure_style()``).

    Each province of :data:`CODES` with a shape is drawn as ``patch_of(code, path)`` (gid
    ``province-<code>``); areas outside the sample light grey; when any shape lies south of
    :data:`INSET_LAT`, the South China Sea islands go to an inset. Returns ``(fig, ax, outside,
    has_south)``, the last two for :func:`map_frame_notes`.
    """
    outside = [f for f in features if f.code in OUTSIDE_SAMPLE]
    has_south = any(float(np.mean(poly[0][:, 1])) < INSET_LAT for f in shapes.values() for poly in f.polygons)
    fig = plt.figure(figsize=(FULL_WIDTH, 5.4))
    ax = fig.add_subplot()
    targets = [(ax, (lambda ring: float(np.mean(ring[:, 1])) >= INSET_LAT) if has_south else None)]
    inset = None
    if has_south:
        inset = ax.inset_axes((0.80, 0.0, 0.20, 0.30))
        targets.append(
            (inset, lambda ring: float(np.mean(ring[:, 1])) < 25.0 and float(np.mean(ring[:, 0])) > 105.0)
        )
    for axis, keep in targets:
        for f in outside:
            path = feature_path(f.polygons, keep)
            if path is not None:
                add_shape(axis, PathPatch(path, facecolor=OUTSIDE_COLOR, edgecolor="#9a9a9a", linewidth=0.3))
        for code in CODES:
            f = shapes.get(code)
            path = None if f is None else feature_path(f.polygons, keep)
            if path is None:
                continue
            patch = patch_of(code, path)
            patch.set_gid(f"province-{code}")
            add_shape(axis, patch)
        finish_map_axis(axis)
    finish_map_frame(ax, inset)
    return fig, ax, outside, has_south
