"""Fixtures for the spatial tests: the shipped province map, its weights, a panel built from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from spatial_sim import SHIPPED_MAP

from tfp_talent.spatial.weights import province_geometry, queen_from_topojson


@pytest.fixture(scope="session")
def queen():
    return queen_from_topojson(SHIPPED_MAP)


@pytest.fixture(scope="session")
def geometry():
    return province_geometry(SHIPPED_MAP)


@pytest.fixture(scope="session")
def latitude_panel(geometry) -> pd.DataFrame:
    """Province-years 2002-2019: ``lat`` = centroid latitude + N(0, 1) noise, ``noise`` = N(0, 1)."""
    rng = np.random.default_rng(20240612)
    rows = []
    for year in range(2002, 2020):
        for code, (lon, lat) in zip(geometry.ids, geometry.centroids, strict=True):
            rows.append(
                {
                    "province_code": code,
                    "year": year,
                    "lat": lat + rng.normal(),
                    "lon": lon,
                    "noise": rng.normal(),
                }
            )
    return pd.DataFrame(rows)
