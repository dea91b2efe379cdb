"""Benchmark: spatial weights and ESDA on the 31 provinces (shipped TopoJSON), 18 years x 2 variables.

Times (wall clock, one process, single-threaded esda calls) of: decoding the map and building
queen weights (first call, imports excluded), k-NN and distance weights (geometry cached),
global Moran + Geary with 999 permutations, LISA and Gi* with 999 permutations (the first LISA
and the first Gi* call include numba's compilation of esda's conditional randomisation, timed
separately), and the period versions. The panel: centroid latitude + N(0, 1) noise and pure
noise (seed 0).

    .venv/bin/python benchmarks/spatial_weights.py [--permutations 999]

Prints a Markdown table for the "Spatial weights and ESDA" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

MAP = Path(__file__).resolve().parents[1] / "data/raw/geo/china_provinces_full.topo.json"


def timed(label: str, fn, rows: list[tuple[str, float]]):
    t0 = time.perf_counter()
    out = fn()
    rows.append((label, time.perf_counter() - t0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--permutations", type=int, default=999)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import esda  # noqa: F401 - imports are excluded from the timings
    import libpysal  # noqa: F401

    from tfp_talent.spatial import distance_from_topojson, knn_from_topojson, queen_from_topojson
    from tfp_talent.spatial.explore import explore_periods, getis_ord, global_autocorrelation, local_moran
    from tfp_talent.spatial.weights import province_geometry

    rows: list[tuple[str, float]] = []
    q = timed("queen weights (decode map + libpysal Queen)", lambda: queen_from_topojson(MAP), rows)
    timed("knn6 weights (geometry cached)", lambda: knn_from_topojson(MAP, 6), rows)
    timed("inverse-distance weights (geometry cached)", lambda: distance_from_topojson(MAP), rows)
    geo = province_geometry(MAP)
    rng = np.random.default_rng(0)
    panel = pd.DataFrame(
        [
            {"province_code": c, "year": y, "lat": lat + rng.normal(), "noise": rng.normal()}
            for y in range(2002, 2020)
            for c, (_, lat) in zip(geo.ids, geo.centroids, strict=True)
        ]
    )
    p = args.permutations
    v = ["lat", "noise"]
    timed(
        f"global Moran + Geary, 2 vars x 18 years, {p} perms",
        lambda: global_autocorrelation(panel, v, q, permutations=p),
        rows,
    )
    one = panel[panel.year == 2002]
    timed(
        "LISA, first call (numba compilation), 1 cross-section",
        lambda: local_moran(one, ["lat"], q, permutations=p),
        rows,
    )
    timed(f"LISA, 2 vars x 18 years, {p} perms", lambda: local_moran(panel, v, q, permutations=p), rows)
    timed(
        "Gi*, first call (numba compilation), 1 cross-section",
        lambda: getis_ord(one, ["lat"], q, permutations=p),
        rows,
    )
    timed(f"Gi*, 2 vars x 18 years, {p} perms", lambda: getis_ord(panel, v, q, permutations=p), rows)
    periods = [(2002, 2009), (2011, 2019)]
    timed(
        f"explore_periods (global + LISA + Gi*), 2 vars x 2 periods, {p} perms",
        lambda: explore_periods(panel, v, q, periods, permutations=p),
        rows,
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; python {platform.python_version()}"
    )
    print("| step | seconds |\n|---|---|")
    for label, sec in rows:
        print(f"| {label} | {sec:.2f} |")


if __name__ == "__main__":
    main()
