"""Spatial weights for the 31 provinces: contiguity, k-nearest neighbours, distance, economic, nested.

Every builder returns a :class:`SpatialWeights`: the entity ids in one fixed sorted order, the
weights ``raw`` before standardisation and the ``matrix`` actually used (row-standardised by
default, ``w_ij / sum_j w_ij``; Anselin 1988, *Spatial Econometrics*, ch. 3). Ids are the 6-digit
NBS / GB/T 2260 province codes of :mod:`tfp_talent.data.provinces`.

Geometry comes from the province TopoJSON (DataV ``adcode`` = NBS code) decoded by
:func:`tfp_talent.report.maps.read_topojson`; Taiwan, Hong Kong and Macao are not in the sample and
are dropped. Contiguity is computed by libpysal (``Queen`` / ``Rook`` from shapely geometries):
queen = any shared boundary point, rook = a shared boundary segment. TopoJSON stores each shared
border once, so neighbours share exact vertices and no snapping tolerance is needed.

Hainan (460000) is an island province with no land neighbour. By default it is linked to Guangdong
(440000), across the Qiongzhou Strait (``island_links={460000: [440000]}``); links are made in
both directions. ``island_links="nearest"`` links every island instead to the province with the
nearest centroid (great-circle), and ``island_links=None`` leaves islands, which then stop the
builder with an :class:`~tfp_talent.errors.InputError` naming them (an all-zero row cannot be
row-standardised and drops the unit from every spatial lag).

Centroids are the planar (longitude/latitude) centroid of each province's largest polygon, its
main landmass, so offshore islands (Hainan's South China Sea islands) do not pull it away. They
agree with the ``centroid`` property DataV ships (29 provinces have one) to within 0.37 degrees
(Inner Mongolia; 0.25 Xinjiang, under 0.2 elsewhere).
Distances are great-circle distances by the haversine formula on a sphere of radius 6371.0088 km
(the IUGG mean Earth radius; Sinnott 1984, *Sky & Telescope* 68(2), p. 159).

Arguments shared by the builders (each refers here):

``path``
    The province TopoJSON (``data/raw/geo/china_provinces_full.topo.json``); decoded once per
    file version (:func:`province_geometry`).
``transform``
    ``"r"`` (row-standardised, default; libpysal's ``transform="r"``) or ``"none"`` (``raw``
    as is; libpysal ``"O"``). Any other value raises :class:`~tfp_talent.errors.InputError`.
``island_links``
    The island rule above (contiguity builders only).

Row standardisation makes W y the neighbours' mean and the largest eigenvalue of W equal to 1
(so a spatial autoregressive ρ is bounded by 1 from above), but in general it makes W
non-symmetric even when ``raw`` is symmetric.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from tfp_talent.errors import InputError

#: Default island rule: Hainan linked to Guangdong across the Qiongzhou Strait.
DEFAULT_ISLAND_LINKS: dict[int, list[int]] = {460000: [440000]}
#: IUGG mean Earth radius, km.
EARTH_RADIUS_KM = 6371.0088
TRANSFORMS = ("r", "none")
_INT = re.compile(r"[+-]?\d+")

IslandRule = Mapping[int, Sequence[int]] | Literal["nearest"] | None


@dataclass(frozen=True, eq=False)
class SpatialWeights:
    """A spatial weights matrix over ``ids`` (fixed sorted order).

    ``raw`` holds the weights before standardisation (0/1 for contiguity and k-NN, ``d^-power``
    for distance, ``1/|g_i - g_j|`` for economic weights); ``matrix`` is the matrix used by the
    statistics (``raw`` row-standardised when ``transform == "r"``, else ``raw`` itself).
    ``island_links`` lists the ``(island, neighbour)`` pairs added by the island rule.
    ``kind`` names the builder (``queen``, ``rook``, ``knn6``, ``distance^1``, ``economic``,
    ``nested(queen x economic)``, ``file:<name>``); ``source`` is the file it was built from.
    Create with the builders (or :func:`finish_weights`), not directly: they check ``raw``.
    """

    ids: tuple[Hashable, ...]
    matrix: np.ndarray
    raw: np.ndarray
    kind: str
    transform: str = "r"
    source: str | None = None
    island_links: tuple[tuple[Hashable, Hashable], ...] = field(default=())

    @property
    def n(self) -> int:
        """Number of units (rows of ``matrix``)."""
        return len(self.ids)

    def to_libpysal(self, *, raw: bool = False) -> Any:
        """The weights as a libpysal ``W`` (ids in :attr:`ids` order), from ``matrix`` or ``raw``.

        Only non-zero entries become neighbours. The ``W`` carries the values as they are (its
        ``transform`` is libpysal's ``"O"``); esda and spreg then see the same matrix as here.
        """
        from libpysal.weights import W

        m = self.raw if raw else self.matrix
        neighbors: dict[Hashable, list[Hashable]] = {}
        weights: dict[Hashable, list[float]] = {}
        for i, a in enumerate(self.ids):
            cols = np.flatnonzero(m[i])
            neighbors[a] = [self.ids[j] for j in cols]
            weights[a] = [float(m[i, j]) for j in cols]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # libpysal warns about islands / disconnected graphs
            return W(neighbors, weights, id_order=list(self.ids), silence_warnings=True)

    def lag(self, values: np.ndarray) -> np.ndarray:
        """Spatial lag ``W y`` of a vector ordered like :attr:`ids`.

        (W y)_i = Σ_j w_ij y_j; with row standardisation the mean of i's neighbours' values.
        """
        return self.matrix @ np.asarray(values, dtype=float)


def as_dense(w: SpatialWeights | Any, ids: Sequence[Hashable] | None = None) -> np.ndarray:
    """Dense ``n x n`` array of ``w`` (a :class:`SpatialWeights` or libpysal ``W``) in the order ``ids``.

    Raises :class:`InputError` if ``ids`` are not exactly the ids of ``w``.
    Uses ``w.matrix`` for a :class:`SpatialWeights` and ``W.full()`` (the current transform)
    for a libpysal ``W``; ``ids=None`` keeps the weights' own order. Always a copy.
    """
    if isinstance(w, SpatialWeights):
        own, m = list(w.ids), w.matrix
    else:
        own = list(w.id_order)
        m = np.asarray(w.full()[0], dtype=float)
    if ids is None:
        return m.copy()
    pos = {a: i for i, a in enumerate(own)}
    order = list(ids)
    missing = [a for a in order if a not in pos]
    extra = sorted(set(own) - set(order), key=str)
    if missing or extra or len(order) != len(own):
        raise InputError(
            "ids do not match the weights' ids",
            rows=[f"not in weights: {a}" for a in missing] + [f"not requested: {a}" for a in extra],
        )
    idx = np.array([pos[a] for a in order])
    return m[np.ix_(idx, idx)].copy()


# --------------------------------------------------------------------------- standardisation and checks


def normal_id(value: object) -> Hashable:
    """An id as compared between files and data: whole numbers as ``int``, else stripped text.

    ``110000``, ``"110000"``, ``" 110000 "``, ``110000.0`` and ``"110000.00"`` all give 110000;
    ``"Beijing "`` gives ``"Beijing"``; booleans are kept as text (``"True"``), not 1.
    """
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    text = str(value).strip()
    if _INT.fullmatch(text):
        return int(text)
    if re.fullmatch(r"[+-]?\d+\.0+", text):
        return int(float(text))
    return text


def sort_ids(ids: Sequence[Hashable]) -> list[Hashable]:
    """Ids in the fixed order used everywhere: numeric order for numbers, else by text.

    Ids that mix numbers and text are ordered by their text (``"110000" < "Guangdong"``).
    """
    if all(isinstance(a, (int, np.integer)) for a in ids):
        return sorted(ids)
    return sorted(ids, key=str)


def finish_weights(
    raw: np.ndarray,
    ids: Sequence[Hashable],
    *,
    kind: str,
    transform: str = "r",
    source: str | Path | None = None,
    island_links: Sequence[tuple[Hashable, Hashable]] = (),
    hint: str | None = None,
) -> SpatialWeights:
    """Check ``raw`` (square, finite, non-negative, zero diagonal, no all-zero row) and standardise it.

    Row standardisation: ``w_ij = raw_ij / sum_k raw_ik``. Raises :class:`InputError` naming the
    file and the offending rows.

    ``raw`` is (n, n) in the order of ``ids``; ``kind``, ``source`` and ``island_links`` are
    recorded in the result; ``transform`` as in the module docstring. ``hint`` replaces the
    default advice for an all-zero row (e.g. "raise cutoff_km" for distance weights). The checks,
    in order: shape, transform name, finite, >= 0, zero diagonal, no all-zero row.
    """
    src = None if source is None else str(source)
    raw = np.asarray(raw, dtype=float)
    n = len(ids)
    if raw.ndim != 2 or raw.shape[0] != raw.shape[1]:
        raise InputError(f"weights matrix is not square (shape {raw.shape})", file=src)
    if raw.shape[0] != n:
        raise InputError(f"weights matrix is {raw.shape[0]} x {raw.shape[1]} but there are {n} ids", file=src)
    if transform not in TRANSFORMS:
        raise InputError(f"unknown transform {transform!r}; use one of {', '.join(TRANSFORMS)}", file=src)
    bad = ~np.isfinite(raw).all(axis=1)
    if bad.any():
        raise InputError(
            "weights are missing or not finite", file=src, rows=[ids[i] for i in np.flatnonzero(bad)]
        )
    neg = (raw < 0).any(axis=1)
    if neg.any():
        raise InputError("negative weights", file=src, rows=[ids[i] for i in np.flatnonzero(neg)])
    diag = np.diag(raw) != 0
    if diag.any():
        raise InputError(
            "non-zero diagonal (a unit cannot be its own neighbour)",
            file=src,
            rows=[ids[i] for i in np.flatnonzero(diag)],
            hint="set w_ii = 0",
        )
    zero = raw.sum(axis=1) == 0
    if zero.any():
        raise InputError(
            "all-zero row: unit(s) without neighbours (islands)",
            file=src,
            rows=[ids[i] for i in np.flatnonzero(zero)],
            hint=hint
            or "give each island a neighbour (the island rule of tfp_talent.spatial.weights: "
            "island_links={460000: [440000]} or island_links='nearest')",
        )
    matrix = raw / raw.sum(axis=1, keepdims=True) if transform == "r" else raw.copy()
    return SpatialWeights(tuple(ids), matrix, raw.copy(), kind, transform, src, tuple(island_links))


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True, eq=False)
class ProvinceGeometry:
    """Shapely (Multi)Polygons and main-landmass centroids (lon, lat) of the sample provinces.

    ``ids`` are the 31 NBS codes in ascending order; ``centroids`` is (31, 2), degrees, in that
    order; ``source`` the TopoJSON path.
    """

    ids: tuple[int, ...]
    geometries: tuple[Any, ...]
    centroids: np.ndarray
    source: str


def province_geometry(path: str | Path) -> ProvinceGeometry:
    """The 31 provinces' polygons from a DataV TopoJSON, decoded by :mod:`tfp_talent.report.maps`.

    Features outside the sample (Taiwan 710000, Hong Kong 810000, Macao 820000, the national
    outline) are dropped. Raises :class:`InputError` naming the provinces the file lacks.
    Decoded once per file version (path, size, modification time).
    """
    p = Path(path)
    if not p.exists():
        raise InputError("map file not found", file=p)
    st = p.stat()
    return _province_geometry(str(p.resolve()), st.st_size, st.st_mtime_ns, str(path))


@functools.lru_cache(maxsize=4)
def _province_geometry(resolved: str, size: int, mtime_ns: int, path: str) -> ProvinceGeometry:
    """Decode the TopoJSON; cached on (resolved path, size, mtime) so a changed file is re-read.

    Polygons whose outer ring has fewer than 4 points are skipped; each province is one MultiPolygon and its
    centroid that of its largest polygon (module docstring).
    """
    from shapely.geometry import MultiPolygon, Polygon

    from tfp_talent.data.provinces import BY_CODE, CODES
    from tfp_talent.report.maps import province_features, read_topojson

    features = province_features(read_topojson(path), source=path)
    missing = [c for c in CODES if c not in features]
    if missing:
        raise InputError(
            "map lacks province(s)",
            file=path,
            rows=[f"{c} {BY_CODE[c].name_en}" for c in missing],
            hint="use the full province-level TopoJSON (data/raw/geo/china_provinces_full.topo.json)",
        )
    ids = tuple(sorted(features))
    geoms, cents = [], []
    for code in ids:
        polys = [Polygon(p[0], list(p[1:])) for p in features[code].polygons if len(p[0]) >= 4]
        geoms.append(MultiPolygon(polys))
        main = max(polys, key=lambda g: g.area)
        cents.append((main.centroid.x, main.centroid.y))
    return ProvinceGeometry(ids, tuple(geoms), np.array(cents, dtype=float), str(path))


def great_circle_km(lonlat: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances (km) between ``(lon, lat)`` points, by the haversine formula.

    d = 2 R asin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) ), R = 6371.0088 km (Sinnott 1984).
    φ = latitude, λ = longitude (radians). ``lonlat`` is (n, 2) in degrees; returns the symmetric
    (n, n) matrix with a zero diagonal. The spherical model errs by up to about 0.5 % against
    the ellipsoid, negligible for inverse-distance weights.
    """
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _apply_island_rule(
    raw: np.ndarray, geo: ProvinceGeometry, island_links: IslandRule
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Link each island (row without neighbours) by the rule; links are symmetric (0/1).

    Returns the new raw matrix and the ``(island, neighbour)`` pairs added. Islands not named
    in a mapping stay islands (and :func:`finish_weights` then stops); a mapping that names an
    unknown code, or a rule that is neither a mapping, ``"nearest"`` nor None, raises
    :class:`InputError`.
    """
    raw = raw.copy()
    pos = {c: i for i, c in enumerate(geo.ids)}
    islands = [geo.ids[i] for i in np.flatnonzero(raw.sum(axis=1) == 0)]
    added: list[tuple[int, int]] = []
    if island_links is None or not islands:
        return raw, added
    if island_links == "nearest":
        dist = great_circle_km(geo.centroids)
        np.fill_diagonal(dist, np.inf)
        links = {c: [geo.ids[int(np.argmin(dist[pos[c]]))]] for c in islands}
    elif isinstance(island_links, Mapping):
        links = {int(k): [int(v) for v in vs] for k, vs in island_links.items()}
        unknown = [c for c in [*links, *(v for vs in links.values() for v in vs)] if c not in pos]
        if unknown:
            raise InputError("island_links names unknown province code(s)", file=geo.source, rows=unknown)
    else:
        raise InputError(f"island_links must be a mapping, 'nearest' or None (got {island_links!r})")
    for island in islands:
        for other in links.get(island, []):
            i, j = pos[island], pos[other]
            raw[i, j] = raw[j, i] = 1.0
            added.append((island, other))
    return raw, added


def _contiguity(
    path: str | Path, kind: Literal["queen", "rook"], island_links: IslandRule, transform: str
) -> SpatialWeights:
    """Binary queen or rook contiguity from libpysal, island rule applied, then :func:`finish_weights`."""
    from libpysal.weights import Queen, Rook

    geo = province_geometry(path)
    builder = {"queen": Queen, "rook": Rook}[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns that Hainan is an island; the rule handles it
        w = builder.from_iterable(list(geo.geometries), ids=list(geo.ids))
    pos = {c: i for i, c in enumerate(geo.ids)}
    raw = np.zeros((len(geo.ids), len(geo.ids)))
    for a, nbrs in w.neighbors.items():
        for b in nbrs:
            raw[pos[a], pos[b]] = 1.0
    raw, added = _apply_island_rule(raw, geo, island_links)
    return finish_weights(raw, geo.ids, kind=kind, transform=transform, source=path, island_links=added)


def queen_from_topojson(
    path: str | Path, *, island_links: IslandRule = DEFAULT_ISLAND_LINKS, transform: str = "r"
) -> SpatialWeights:
    """Queen contiguity: w_ij = 1 if provinces i and j share at least one boundary point.

    libpysal ``Queen.from_iterable`` on the TopoJSON polygons; islands linked by ``island_links``
    (module docstring); row-standardised unless ``transform="none"``.
    """
    return _contiguity(path, "queen", island_links, transform)


def rook_from_topojson(
    path: str | Path, *, island_links: IslandRule = DEFAULT_ISLAND_LINKS, transform: str = "r"
) -> SpatialWeights:
    """Rook contiguity: w_ij = 1 if provinces i and j share a boundary segment (libpysal ``Rook``).

    Arguments as :func:`queen_from_topojson`. Provinces that touch at a single point are queen
    but not rook neighbours, so rook has at most as many links as queen.
    """
    return _contiguity(path, "rook", island_links, transform)


def knn_from_topojson(path: str | Path, k: int, *, transform: str = "r") -> SpatialWeights:
    """k nearest neighbours: w_ij = 1 for the k provinces with the nearest centroids (great-circle).

    Not symmetric in general. Ties in distance go to the lower province code (stable sort over the
    sorted ids), so the result does not depend on input order.
    Every row has exactly k neighbours (no islands). ``path`` and ``transform``: module
    docstring. Raises :class:`InputError` unless k is a whole number in 1..n − 1.
    """
    geo = province_geometry(path)
    n = len(geo.ids)
    if not isinstance(k, (int, np.integer)) or not 1 <= k < n:
        raise InputError(f"k must be a whole number from 1 to {n - 1} (got {k!r})", file=path)
    dist = great_circle_km(geo.centroids)
    np.fill_diagonal(dist, np.inf)
    raw = np.zeros((n, n))
    for i in range(n):
        raw[i, np.argsort(dist[i], kind="stable")[:k]] = 1.0
    return finish_weights(raw, geo.ids, kind=f"knn{k}", transform=transform, source=path)


def distance_from_topojson(
    path: str | Path, power: float = 1, cutoff_km: float | None = None, *, transform: str = "r"
) -> SpatialWeights:
    """Inverse great-circle distance: w_ij = d_ij^-power for i != j (and d_ij <= cutoff_km if given).

    d_ij between main-landmass centroids (haversine, km). A cutoff that leaves a province without
    neighbours raises :class:`InputError` naming it.

    ``power`` > 0 (1: inverse distance, 2: gravity-type inverse squared distance); ``cutoff_km``
    None keeps every pair (a dense matrix). ``path``, ``transform``: module docstring. Raw
    weights are symmetric; ``kind`` records power and cutoff (``distance^2<= 1000 km``).
    """
    geo = province_geometry(path)
    if not power > 0:
        raise InputError(f"power must be positive (got {power!r})", file=path)
    dist = great_circle_km(geo.centroids)
    with np.errstate(divide="ignore"):
        raw = np.where(np.eye(len(geo.ids), dtype=bool), 0.0, dist ** (-float(power)))
    if cutoff_km is not None:
        raw[dist > float(cutoff_km)] = 0.0
    kind = f"distance^{power:g}" + ("" if cutoff_km is None else f"<= {cutoff_km:g} km")
    return finish_weights(
        raw, geo.ids, kind=kind, transform=transform, source=path, hint=f"raise cutoff_km (now {cutoff_km})"
    )


def economic_weights(values: pd.Series, *, transform: str = "r") -> SpatialWeights:
    """Economic-distance weights w_ij = 1 / |g_i - g_j| (i != j), g = GDP per capita over a base period.

    ``values`` is indexed by province code (e.g. the 2000-2019 mean of real GDP per capita; see
    :func:`tfp_talent.spatial.explore.period_means`); the economic-distance matrix of Lin, Long & Wu
    (2005), *China Economic Quarterly* (经济学季刊), common in provincial studies. Symmetric before
    standardisation.
    Two provinces with equal values (infinite weight) raise :class:`InputError` naming them.

    The weights depend only on the ordering distance |g_i − g_j| (not on geography), so every
    pair is linked; ``values`` should be fixed over the sample (a base-period mean, not the
    current year) so that W is exogenous to the outcome. Ids are normalised by
    :func:`normal_id`; duplicate or non-finite values raise :class:`InputError`.
    """
    s = pd.Series(values, dtype=float)
    s.index = pd.Index([normal_id(a) for a in s.index], dtype=object)
    if s.index.has_duplicates:
        raise InputError(
            "economic weights: duplicate province codes",
            rows=sorted(set(s.index[s.index.duplicated()]), key=str),
        )
    bad = s.index[~np.isfinite(s.to_numpy())]
    if len(bad):
        raise InputError("economic weights: missing or non-finite values", rows=list(bad))
    ids = sort_ids(list(s.index))
    g = s.loc[ids].to_numpy()
    diff = np.abs(g[:, None] - g[None, :])
    off = ~np.eye(len(ids), dtype=bool)
    ties = np.argwhere((diff == 0) & off)
    if len(ties):
        pairs = sorted({(ids[min(i, j)], ids[max(i, j)]) for i, j in ties}, key=str)
        raise InputError("economic weights: equal values give an infinite weight 1/|g_i - g_j|", rows=pairs)
    with np.errstate(divide="ignore"):
        raw = np.where(off, 1.0 / diff, 0.0)
    return finish_weights(raw, ids, kind="economic", transform=transform)


def nested_weights(geo: SpatialWeights, econ: SpatialWeights, *, transform: str = "r") -> SpatialWeights:
    """Nested geographic x economic weights: w_ij = geo.raw_ij * econ.raw_ij, then standardised.

    The elementwise (Hadamard) product of the two matrices before standardisation, so a pair is
    linked only if it is linked geographically, with weight rising in economic similarity.
    ``geo`` and ``econ`` must have the same ids (any order; the result follows ``geo``'s); the
    island links of ``geo`` are carried over. Raises :class:`InputError` for different ids.
    """
    if set(geo.ids) != set(econ.ids):
        missing = sorted(set(geo.ids) - set(econ.ids), key=str)
        extra = sorted(set(econ.ids) - set(geo.ids), key=str)
        raise InputError(
            "nested weights: the two matrices have different ids",
            rows=[f"only geographic: {a}" for a in missing] + [f"only economic: {a}" for a in extra],
        )
    pos = {a: i for i, a in enumerate(econ.ids)}
    idx = np.array([pos[a] for a in geo.ids])
    raw = geo.raw * econ.raw[np.ix_(idx, idx)]
    return finish_weights(
        raw,
        geo.ids,
        kind=f"nested({geo.kind} x {econ.kind})",
        transform=transform,
        island_links=geo.island_links,
    )


# --------------------------------------------------------------------------- summary


@dataclass(frozen=True, eq=False)
class WeightsSummary:
    """Neighbour counts and connectivity of a weights matrix.

    Counts are of non-zero entries of ``raw`` per row; ``n_components`` counts weakly connected
    components (1: every unit reaches every other); ``pct_nonzero`` is the share of non-zero
    cells in percent; ``symmetric`` refers to ``raw``.
    """

    kind: str
    n: int
    neighbours: pd.Series
    islands: tuple[Hashable, ...]
    island_links: tuple[tuple[Hashable, Hashable], ...]
    n_components: int
    min_neighbours: int
    mean_neighbours: float
    max_neighbours: int
    symmetric: bool
    pct_nonzero: float

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values (neighbour counts keyed by the id as text)."""
        return {
            "kind": self.kind,
            "n": self.n,
            "neighbours": {str(k): int(v) for k, v in self.neighbours.items()},
            "islands": list(self.islands),
            "island_links": [list(p) for p in self.island_links],
            "n_components": self.n_components,
            "min_neighbours": self.min_neighbours,
            "mean_neighbours": self.mean_neighbours,
            "max_neighbours": self.max_neighbours,
            "symmetric": self.symmetric,
            "pct_nonzero": self.pct_nonzero,
        }


def weights_summary(w: SpatialWeights) -> WeightsSummary:
    """Neighbours per unit (non-zero entries per row), islands, connected components (weak), symmetry."""
    nz = w.raw != 0
    counts = pd.Series(nz.sum(axis=1).astype(int), index=pd.Index(w.ids, name="id"), name="neighbours")
    n_comp, _ = connected_components(csr_matrix(nz), directed=True, connection="weak")
    return WeightsSummary(
        kind=w.kind,
        n=w.n,
        neighbours=counts,
        islands=tuple(a for a, c in counts.items() if c == 0),
        island_links=w.island_links,
        n_components=int(n_comp),
        min_neighbours=int(counts.min()),
        mean_neighbours=float(counts.mean()),
        max_neighbours=int(counts.max()),
        symmetric=bool(np.allclose(w.raw, w.raw.T)),
        pct_nonzero=float(100.0 * nz.mean()),
    )
