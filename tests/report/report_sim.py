"""Simulated inputs for report tests: panels, result dicts and a synthetic TopoJSON (imported by the tests and conftest)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tfp_talent.data.provinces import BY_CODE, CODES
from tfp_talent.report.maps import TILE_GRID

SCALE = (0.01, 0.01)
TRANSLATE = (70.0, 0.0)


def _quantize(points: list[tuple[float, float]]) -> list[list[int]]:
    """Quantize lon/lat to the integer grid and delta-encode (TopoJSON spec, 'Quantized positions')."""
    q = [(round((x - TRANSLATE[0]) / SCALE[0]), round((y - TRANSLATE[1]) / SCALE[1])) for x, y in points]
    out = [list(q[0])]
    for (x0, y0), (x1, y1) in zip(q[:-1], q[1:]):
        out.append([x1 - x0, y1 - y0])
    return out


def tile_box(code: int) -> tuple[float, float, float, float]:
    col, row = TILE_GRID[code]
    lon0, lat1 = 78.0 + 6.0 * col, 52.0 - 4.5 * row
    return lon0, lat1 - 4.5, lon0 + 6.0, lat1


def make_topology() -> tuple[dict, dict[int, list[list[tuple[float, float]]]]]:
    """A TopoJSON with the 31 provinces as tiles (lon/lat boxes) and extras.

    Hebei and Tianjin share one arc (used forward by Hebei, reversed by Tianjin);
    Inner Mongolia has a hole; Hainan is a MultiPolygon with islands near 10°N;
    Taiwan (710000, outside the sample), the national outline (100000, level
    country) and a LineString boundary (100000_JD) are included. Returns the
    topology and, per province, its expected rings (exterior first) in lon/lat.
    """
    arcs: list[list[list[int]]] = []
    expected: dict[int, list[list[tuple[float, float]]]] = {}
    geometries = []

    def add_arc(points):
        arcs.append(_quantize(points))
        return len(arcs) - 1

    he = tile_box(130000)
    tile_box(120000)
    shared = [(he[2], he[3]), (he[2], he[1])]  # Hebei's east edge, north -> south
    shared_id = add_arc(shared)
    for code in CODES:
        x0, y0, x1, y1 = tile_box(code)
        ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        if code == 130000:
            # counter-clockwise from SW: bottom, east edge (south->north, i.e. shared reversed), top, west
            rest = add_arc(
                [(x1, y0), (x0, y0), (x0, y1), (x1, y1)]
            )  # from SE going west along bottom... closed with shared
            # ring: SE -> SW -> NW -> NE (rest), then NE -> SE (shared forward)
            expected[code] = [[(x1, y0), (x0, y0), (x0, y1), (x1, y1), (x1, y0)]]
            geometries.append(
                {
                    "type": "Polygon",
                    "arcs": [[rest, shared_id]],
                    "properties": {"adcode": code, "name": BY_CODE[code].name_full, "level": "province"},
                }
            )
            continue
        if code == 120000:
            # Tianjin's west edge is Hebei's east edge, traversed south -> north (= shared reversed)
            rest = add_arc([(x0, y1), (x1, y1), (x1, y0), (x0, y0)])
            expected[code] = [[(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)]]
            geometries.append(
                {
                    "type": "Polygon",
                    "arcs": [[~shared_id, rest]],
                    "properties": {"adcode": code, "name": BY_CODE[code].name_full, "level": "province"},
                }
            )
            continue
        a = add_arc(ring)
        rings = [[a]]
        exp = [ring]
        if code == 150000:
            hole = [(x0 + 1, y0 + 1), (x0 + 1, y0 + 2), (x0 + 2, y0 + 2), (x0 + 2, y0 + 1), (x0 + 1, y0 + 1)]
            rings.append([add_arc(hole)])
            exp.append(hole)
        if code == 460000:
            island = [(112.0, 9.0), (113.0, 9.0), (113.0, 10.0), (112.0, 10.0), (112.0, 9.0)]
            geometries.append(
                {
                    "type": "MultiPolygon",
                    "arcs": [rings, [[add_arc(island)]]],
                    "properties": {"adcode": code, "name": "海南省", "level": "province"},
                }
            )
            expected[code] = exp
            continue
        expected[code] = exp
        geometries.append(
            {
                "type": "Polygon",
                "arcs": rings,
                "properties": {"adcode": code, "name": BY_CODE[code].name_full, "level": "province"},
            }
        )
    tw = [(127.0, 22.0), (129.0, 22.0), (129.0, 25.0), (127.0, 25.0), (127.0, 22.0)]
    geometries.append(
        {
            "type": "Polygon",
            "arcs": [[add_arc(tw)]],
            "properties": {"adcode": 710000, "name": "台湾省", "level": "province"},
        }
    )
    line = [(110.0, 5.0), (115.0, 6.0)]
    geometries.append(
        {"type": "LineString", "arcs": [add_arc(line)], "properties": {"adcode": "100000_JD", "name": ""}}
    )
    outline = [(75.0, 5.0), (135.0, 5.0), (135.0, 55.0), (75.0, 55.0), (75.0, 5.0)]
    country = {
        "type": "Polygon",
        "arcs": [[add_arc(outline)]],
        "properties": {"adcode": 100000, "name": "中华人民共和国", "level": "country"},
    }
    topo = {
        "type": "Topology",
        "transform": {"scale": list(SCALE), "translate": list(TRANSLATE)},
        "arcs": arcs,
        "objects": {
            "provinces": {"type": "GeometryCollection", "geometries": geometries},
            "country": {"type": "GeometryCollection", "geometries": [country]},
        },
    }
    return topo, expected


def simulate_panel(seed: int = 7, *, unbalanced: bool = True, beta: float = 0.4) -> pd.DataFrame:
    """31 provinces x 2000-2019 with province and year effects correlated with talent.

    y = beta * talent + 0.2 * control + a_i + g_t + e; talent depends on a_i and g_t so a
    pooled slope is biased and only the two-way within slope recovers beta.
    With ``unbalanced`` about 10 % of rows are dropped at random.
    """
    rng = np.random.default_rng(seed)
    years = np.arange(2000, 2020)
    rows = []
    a = rng.normal(0, 1, len(CODES))
    g = np.linspace(0, 1.5, len(years)) + rng.normal(0, 0.1, len(years))
    for i, code in enumerate(CODES):
        for t, year in enumerate(years):
            talent = 0.05 + 0.01 * t + 0.03 * a[i] + rng.normal(0, 0.02)
            control = rng.normal(0, 1) + 0.5 * a[i]
            y = beta * talent + 0.2 * control + a[i] + g[t] + rng.normal(0, 0.01)
            rows.append((code, year, BY_CODE[code].region3, talent, control, y))
    df = pd.DataFrame(rows, columns=["province_code", "year", "region3", "talent", "control", "ln_tfp"])
    if unbalanced:
        df = df[rng.random(len(df)) > 0.10].reset_index(drop=True)
    return df


def make_result(cov_type: str = "clustered", depvar: str = "ln_tfp_solow") -> dict:
    """A PanelResult.to_dict()-like dict with hand-chosen p-values around the star thresholds."""
    return {
        "params": {"tertiary_share": 0.5123, "avg_school_years": -0.0234, "trade_gdp": 0.0101, "const": 1.0},
        "std_errors": {"tertiary_share": 0.1, "avg_school_years": 0.0119, "trade_gdp": 0.3, "const": 0.2},
        "pvalues": {"tertiary_share": 0.0099, "avg_school_years": 0.05, "trade_gdp": 0.0999, "const": 0.0},
        "tstats": {"tertiary_share": 5.123, "avg_school_years": -1.97, "trade_gdp": 0.03, "const": 5.0},
        "nobs": 1234,
        "n_entities": 31,
        "rsquared_within": 0.45678,
        "model": "PanelOLS",
        "effects": "twoway",
        "cov_type": cov_type,
        "convention": "linearmodels",
        "depvar": depvar,
    }


def threshold_result_dict() -> dict:
    """ThresholdResult.to_dict() of a fast two-threshold fit on a simulated balanced panel (JSON round trip)."""
    import json

    from tfp_talent.estimators.threshold import threshold_fit
    from tfp_talent.io import to_json_text

    p = simulate_panel(seed=21, unbalanced=False)
    rng = np.random.default_rng(2)
    p["q"] = rng.uniform(6, 12, len(p))
    p["ln_tfp"] = p["ln_tfp"] + np.where(p["q"] > 9, 8.0, 0.0) * p["talent"] + rng.normal(0, 0.05, len(p))
    res = threshold_fit(
        p, "ln_tfp", ["control"], "talent", "q", "province_code", "year",
        n_thresholds=2, bootstrap=[20, 20], grid=50, trim=0.05, progress=False,
    )  # fmt: skip
    return json.loads(to_json_text(res.to_dict()))
