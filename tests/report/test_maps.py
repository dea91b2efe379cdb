"""Maps: TopoJSON decoding, province coverage, missing-data hatching, projection.

References: the TopoJSON 1.0 specification (quantized, delta-encoded arcs;
negative index = reversed arc) on a synthetic topology whose coordinates are
known exactly; Snyder (1987), *Map Projections: A Working Manual*, p. 291,
numerical example for the spherical Albers projection (7 decimals).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from report_sim import make_topology

from tfp_talent.data.provinces import CODES
from tfp_talent.errors import InputError
from tfp_talent.report.maps import (
    albers,
    choropleth,
    colour_norm,
    decode_topology,
    province_features,
    read_topojson,
    tile_map,
)
from tfp_talent.report.style import MISSING_COLOR

SHIPPED_MAP = Path(__file__).resolve().parents[2] / "data/raw/geo/china_provinces_full.topo.json"


def test_decode_matches_known_coordinates():
    """Every province ring decodes to its known lon/lat, incl. a shared reversed arc and a hole."""
    topo, expected = make_topology()
    feats = {f.code: f for f in decode_topology(topo) if f.code is not None}
    for code, rings in expected.items():
        got = feats[code].polygons[0]
        assert len(got) == len(rings)
        for g, e in zip(got, rings, strict=True):
            np.testing.assert_allclose(g, np.array(e), atol=1e-9)
    assert len(feats[460000].polygons) == 2  # Hainan: island + South China Sea islet
    assert "100000_JD" not in {f.key for f in decode_topology(topo)}  # a line has no area


def test_all_31_provinces_found_and_drawn(topojson_file):
    feats = read_topojson(topojson_file)
    shapes = province_features(feats)
    assert set(shapes) == set(CODES)
    values = {c: float(i) for i, c in enumerate(CODES)}
    values[540000] = float("nan")
    del values[650000]
    fig = choropleth(values, feats, label="Tertiary share of population 6+ (%)")
    main = fig.axes[0]
    drawn = {p.get_gid() for p in main.patches if p.get_gid()}
    assert drawn == {f"province-{c}" for c in CODES}
    missing = [p for p in main.patches if p.get_gid() in ("province-540000", "province-650000")]
    assert all(p.get_hatch() == "////" for p in missing)
    assert all(
        np.allclose(p.get_facecolor()[:3], plt.matplotlib.colors.to_rgb(MISSING_COLOR)) for p in missing
    )
    note = fig.get_supxlabel()  # the note is drawn as the figure's supxlabel
    assert "Tibet" in note and "Xinjiang" in note and "Taiwan" in note
    cbar = [a for a in fig.axes if a.get_label() == "<colorbar>"]
    assert cbar and cbar[0].get_xlabel() == "Tertiary share of population 6+ (%)"
    plt.close(fig)


def test_one_object_per_province_layout_is_read():
    """The layout of DataV's province_full.json (YipChunKit/China_map_topojson): one object
    ``<adcode>_full`` per province, each a GeometryCollection of one geometry. Same features and
    same drawn provinces as the single-collection layout."""
    topo, _ = make_topology()
    per_province = {
        f"{g['properties']['adcode']}_full": {"type": "GeometryCollection", "geometries": [g]}
        for g in topo["objects"]["provinces"]["geometries"]
    }
    split = dict(topo, objects=per_province)
    shapes = province_features(decode_topology(split))
    assert set(shapes) == set(CODES)
    reference = province_features(decode_topology(topo))
    for code in CODES:
        for a, b in zip(shapes[code].polygons, reference[code].polygons, strict=True):
            for ra, rb in zip(a, b, strict=True):
                np.testing.assert_array_equal(ra, rb)
    fig = choropleth(dict.fromkeys(CODES, 1.0), decode_topology(split), label="x")
    assert {p.get_gid() for p in fig.axes[0].patches if p.get_gid()} == {f"province-{c}" for c in CODES}
    plt.close(fig)


def test_map_errors(tmp_path):
    topo, _ = make_topology()
    country_only = dict(topo, objects={"country": topo["objects"]["country"]})
    path = tmp_path / "country.json"
    path.write_text(json.dumps(country_only), encoding="utf-8")
    with pytest.raises(InputError, match="no province features") as err:
        province_features(read_topojson(path), source=path)
    assert str(path) in str(err.value)
    with pytest.raises(InputError, match="unknown province code"):
        tile_map({999999: 1.0}, label="x")
    with pytest.raises(InputError, match="not a TopoJSON"):
        decode_topology({"type": "FeatureCollection"})
    # the decoder's own message, with the file named (not wrapped as "malformed TopoJSON (InputError: ...)")
    no_arcs = {k: v for k, v in topo.items() if k != "arcs"}
    with pytest.raises(InputError, match=r"^x\.json: TopoJSON has no 'arcs' list"):
        decode_topology(no_arcs, source="x.json")


def test_shipped_map_decodes_inside_china():
    """The shipped file's quantized arcs decode to coordinates inside China's bounding box."""
    feats = read_topojson(SHIPPED_MAP)
    pts = np.concatenate([ring for f in feats for poly in f.polygons for ring in poly])
    assert pts[:, 0].min() > 73 and pts[:, 0].max() < 136 and pts[:, 1].min() > 3 and pts[:, 1].max() < 54


def test_shipped_map_has_all_31_provinces():
    """The full DataV province file: every sample province has polygons, and a choropleth draws all 31."""
    feats = read_topojson(SHIPPED_MAP)
    shapes = province_features(feats)
    assert set(shapes) == set(CODES)
    assert all(len(shapes[c].polygons) >= 1 for c in CODES)
    fig = choropleth({c: float(i) for i, c in enumerate(CODES)}, feats, label="x", colour_scale="quantile")
    assert {p.get_gid() for p in fig.axes[0].patches if p.get_gid()} == {f"province-{c}" for c in CODES}
    plt.close(fig)


def test_quantile_colour_scale_gives_equal_count_classes():
    """Quantile breaks at k/5 (numpy.quantile, linear): with one extreme value (a Beijing-like outlier) the
    linear scale puts 30 of 31 provinces into the lowest fifth of the colour range, the quantile scale puts
    5 to 7 provinces into each of its 5 classes (31 / 5 = 6.2; ties at the breaks go up)."""
    values = {c: float(i) for i, c in enumerate(CODES)}
    values[110000] = 1000.0
    lin, _ = colour_norm(values, "linear")
    assert sum(lin(v) < 0.2 for v in values.values()) == 30
    norm, note = colour_norm(values, "quantile", n_classes=5)
    finite = np.array(list(values.values()))
    np.testing.assert_allclose(norm.boundaries, np.quantile(finite, np.linspace(0, 1, 6)))
    classes = np.digitize(finite, norm.boundaries[1:-1])
    counts = np.bincount(classes, minlength=5)
    assert counts.sum() == 31 and counts.min() >= 5 and counts.max() <= 7
    assert "quantile" in note
    log, _ = colour_norm(values, "log")
    assert log.vmin == pytest.approx(1.0) and log.vmax == pytest.approx(1000.0)
    with pytest.raises(InputError, match="unknown colour scale"):
        colour_norm(values, "jenks")
    with pytest.raises(InputError, match="positive"):
        colour_norm({110000: -1.0, 120000: 2.0}, "log")


def test_albers_matches_snyder_example():
    """Snyder (1987) p. 291: φ1 = 29.5°, φ2 = 45.5°, φ0 = 23°, λ0 = −96°; (35°N, 75°W) -> x = 0.2952720, y = 0.2416774."""
    x, y = albers(np.array([-75.0]), np.array([35.0]), lon0=-96.0, lat1=29.5, lat2=45.5, lat0=23.0)
    assert x[0] == pytest.approx(0.2952720, abs=5e-7)
    assert y[0] == pytest.approx(0.2416774, abs=5e-7)


def test_tile_map_covers_31_provinces():
    values = {c: float(i) for i, c in enumerate(CODES)}
    fig = tile_map(values, label="Average years of schooling (years)")
    gids = {p.get_gid() for p in fig.axes[0].patches}
    assert gids == {f"province-{c}" for c in CODES}
    plt.close(fig)
