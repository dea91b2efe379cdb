"""Weights built from the shipped province TopoJSON (DataV adcodes).

References: the map itself (known land borders of Chinese provinces), libpysal 4.14.1's ``KNN``
with arc distance and ``cg.arcdist`` as independent implementations of k-NN and great-circle
distance, and the definitions of row standardisation and the nested product.
"""

from __future__ import annotations

import numpy as np
import pytest
from spatial_sim import SHIPPED_MAP

from tfp_talent.data.provinces import CODES
from tfp_talent.errors import InputError
from tfp_talent.spatial import (
    as_dense,
    distance_from_topojson,
    economic_weights,
    knn_from_topojson,
    nested_weights,
    queen_from_topojson,
    rook_from_topojson,
    weights_summary,
)
from tfp_talent.spatial.weights import great_circle_km

KNOWN_PAIRS = [
    (110000, 120000),  # Beijing - Tianjin
    (110000, 130000),  # Beijing - Hebei
    (650000, 540000),  # Xinjiang - Tibet
    (650000, 620000),  # Xinjiang - Gansu
    (650000, 630000),  # Xinjiang - Qinghai
    (320000, 370000),  # Jiangsu - Shandong
    (510000, 500000),  # Sichuan - Chongqing
]


def neighbours(w, code):
    i = w.ids.index(code)
    return {w.ids[j] for j in np.flatnonzero(w.raw[i])}


def test_queen_31_provinces_known_pairs_symmetric(queen):
    assert queen.ids == tuple(sorted(CODES)) and queen.n == 31
    for a, b in KNOWN_PAIRS:
        assert b in neighbours(queen, a) and a in neighbours(queen, b)
    assert neighbours(queen, 310000) == {320000, 330000}  # Shanghai: Jiangsu and Zhejiang only
    assert 650000 not in neighbours(queen, 110000)
    np.testing.assert_array_equal(queen.raw, queen.raw.T)
    assert set(np.unique(queen.raw)) == {0.0, 1.0}


def test_hainan_only_via_island_rule(queen):
    assert neighbours(queen, 460000) == {440000}
    assert queen.island_links == ((460000, 440000),)
    s = weights_summary(queen)
    assert s.islands == () and s.n_components == 1 and s.symmetric
    assert s.min_neighbours == 1 and s.max_neighbours == 8
    assert s.neighbours[460000] == 1 and s.neighbours[310000] == 2
    assert s.mean_neighbours == pytest.approx(queen.raw.sum() / 31, abs=1e-12)
    with pytest.raises(InputError, match=r"islands.*460000.*island_links"):
        queen_from_topojson(SHIPPED_MAP, island_links=None)


def test_island_rule_nearest_centroid(geometry):
    """Nearest main-landmass centroid of Hainan (great-circle) decides its link."""
    w = queen_from_topojson(SHIPPED_MAP, island_links="nearest")
    d = great_circle_km(geometry.centroids)[geometry.ids.index(460000)]
    d[geometry.ids.index(460000)] = np.inf
    nearest = geometry.ids[int(np.argmin(d))]
    assert w.island_links == ((460000, nearest),)
    assert neighbours(w, 460000) == {nearest}
    with pytest.raises(InputError, match="unknown province code"):
        queen_from_topojson(SHIPPED_MAP, island_links={460000: [999999]})


def test_row_standardised_by_default(queen):
    np.testing.assert_allclose(queen.matrix.sum(axis=1), 1.0, atol=1e-15)
    np.testing.assert_allclose(queen.matrix, queen.raw / queen.raw.sum(axis=1, keepdims=True))
    raw = queen_from_topojson(SHIPPED_MAP, transform="none")
    np.testing.assert_array_equal(raw.matrix, queen.raw)


def test_rook_is_subset_of_queen(queen):
    rook = rook_from_topojson(SHIPPED_MAP)
    assert np.all(rook.raw <= queen.raw)
    assert weights_summary(rook).n_components == 1


def test_knn_exactly_k_and_matches_libpysal(geometry):
    """libpysal 4.14.1 KNN (arc distance on the same centroids) gives the same neighbour sets."""
    from libpysal.cg import RADIUS_EARTH_KM
    from libpysal.weights import KNN

    for k in (1, 4, 6):
        w = knn_from_topojson(SHIPPED_MAP, k)
        np.testing.assert_array_equal(w.raw.sum(axis=1), k)
        np.testing.assert_allclose(w.matrix.sum(axis=1), 1.0, atol=1e-15)
        ref = KNN.from_array(
            geometry.centroids, k=k, ids=list(geometry.ids), distance_metric="arc", radius=RADIUS_EARTH_KM
        )
        for code in w.ids:
            assert neighbours(w, code) == {int(x) for x in ref.neighbors[code]}
    with pytest.raises(InputError, match="k must be"):
        knn_from_topojson(SHIPPED_MAP, 31)


def test_great_circle_matches_libpysal_arcdist(geometry):
    """Haversine distances against libpysal.cg.arcdist (R = 6371 km there, 6371.0088 here: rel 1.4e-6)."""
    from libpysal.cg import RADIUS_EARTH_KM, arcdist

    d = great_circle_km(geometry.centroids)
    for i, j in ((0, 8), (30, 20), (3, 25)):
        ref = arcdist(tuple(geometry.centroids[i]), tuple(geometry.centroids[j]), RADIUS_EARTH_KM)
        assert d[i, j] == pytest.approx(ref, rel=5e-6)
    np.testing.assert_allclose(d, d.T)


def test_distance_weights_decline_with_distance(geometry):
    d = great_circle_km(geometry.centroids)
    for power in (1, 2):
        w = distance_from_topojson(SHIPPED_MAP, power=power)
        off = ~np.eye(31, dtype=bool)
        np.testing.assert_allclose(w.raw[off], d[off] ** -power, rtol=1e-12)
        for i in range(31):  # within a row, a farther province never weighs more
            order = np.argsort(d[i][off[i]])
            assert np.all(np.diff(w.matrix[i][off[i]][order]) <= 0)
    cut = distance_from_topojson(SHIPPED_MAP, cutoff_km=1500)
    assert np.all(cut.raw[d > 1500] == 0)
    with pytest.raises(InputError, match=r"650000.*cutoff_km"):
        distance_from_topojson(SHIPPED_MAP, cutoff_km=600)


def test_economic_weights_symmetric_before_standardisation():
    rng = np.random.default_rng(3)
    import pandas as pd

    g = pd.Series(rng.uniform(1e4, 9e4, 31), index=list(reversed(CODES)))
    w = economic_weights(g)
    assert w.ids == tuple(sorted(CODES))
    np.testing.assert_array_equal(w.raw, w.raw.T)
    i, j = w.ids.index(110000), w.ids.index(650000)
    assert w.raw[i, j] == pytest.approx(1 / abs(g[110000] - g[650000]), rel=1e-15)
    np.testing.assert_allclose(w.matrix.sum(axis=1), 1.0)
    g[120000] = g[110000]
    with pytest.raises(InputError, match=r"equal values.*\(110000, 120000\)"):
        economic_weights(g)


def test_nested_is_product_before_standardisation(queen):
    import pandas as pd

    g = pd.Series(np.linspace(1e4, 4e4, 31) ** 1.1, index=sorted(CODES))
    econ = economic_weights(g)
    nested = nested_weights(queen, econ)
    prod = queen.raw * econ.raw
    np.testing.assert_allclose(nested.raw, prod)
    np.testing.assert_allclose(nested.matrix, prod / prod.sum(axis=1, keepdims=True))
    assert set(np.flatnonzero(nested.raw[nested.ids.index(460000)])) == {nested.ids.index(440000)}


def test_as_dense_reorders_and_checks(queen):
    order = list(reversed(queen.ids))
    m = as_dense(queen, order)
    assert m[0, order.index(630000)] == queen.matrix[queen.ids.index(650000), queen.ids.index(630000)]
    np.testing.assert_array_equal(as_dense(queen.to_libpysal(), list(queen.ids)), queen.matrix)
    with pytest.raises(InputError, match="not requested: 650000"):
        as_dense(queen, list(queen.ids)[:-1])


def test_centroids_agree_with_datav_property(geometry):
    """The main-landmass centroids against the ``centroid`` property DataV ships (29 provinces):
    within 0.4 degrees (Inner Mongolia 0.37); Hainan's sits on Hainan Island, not in the South China Sea."""
    import json

    topo = json.loads(SHIPPED_MAP.read_text(encoding="utf-8"))
    ours = dict(zip(geometry.ids, geometry.centroids, strict=True))
    props = [o["geometries"][0]["properties"] for o in topo["objects"].values()]
    shipped = {p["adcode"]: p["centroid"] for p in props if p.get("adcode") in ours and p.get("centroid")}
    assert len(shipped) == 29
    for code, c in shipped.items():
        np.testing.assert_allclose(ours[code], c, atol=0.4)
    assert 18.1 < ours[460000][1] < 20.2 and 108.6 < ours[460000][0] < 111.1
