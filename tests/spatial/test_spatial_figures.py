"""Moran scatter plot and LISA / Gi* cluster maps on the shipped province polygons.

Reference: esda 2.9.0 ``Moran`` for the slope (I) and the class colours of the figure module;
determinism as in the other figures (two saves, identical bytes).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from spatial_sim import SHIPPED_MAP

from tfp_talent.data.provinces import CODES
from tfp_talent.errors import InputError
from tfp_talent.report.maps import read_topojson
from tfp_talent.report.spatial_figures import GI_COLORS, LISA_COLORS, cluster_map, moran_scatter
from tfp_talent.report.style import save_figure


@pytest.fixture(scope="module")
def features():
    return read_topojson(SHIPPED_MAP)


def test_moran_scatter_slope_is_moran_i(queen, geometry):
    from esda.moran import Moran

    lat = pd.Series(geometry.centroids[:, 1], index=geometry.ids)
    fig = moran_scatter(lat, queen, label="Centroid latitude", period=2010)
    ax = fig.axes[0]
    line = next(ln for ln in ax.get_lines() if "Moran" in str(ln.get_label()))
    x, y = line.get_data()
    ref = Moran(lat.to_numpy(), queen.to_libpysal(), permutations=0).I
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(ref, rel=1e-12)
    assert f"{ref:.3f}" in line.get_label()
    assert "standardised" in ax.get_xlabel() and "Spatial lag" in ax.get_ylabel()
    assert "Centroid latitude" in ax.get_title() and "2010" in ax.get_title()
    labels = {t.get_text() for t in ax.texts}
    assert "HI" in labels  # Hainan, the southernmost province, is an outlier
    plt.close(fig)
    with pytest.raises(InputError, match="no finite value"):
        moran_scatter(lat.drop(650000), queen, label="x")


def test_cluster_maps_colour_every_province(features, tmp_path):
    classes = dict.fromkeys(CODES, "ns")
    classes.update({650000: "LL", 630000: "LL", 310000: "HH", 110000: "HL", 120000: "LH"})
    fig = cluster_map(classes, features, kind="lisa", variable="tertiary_share", period="2002-2009")
    ax = fig.axes[0]
    patches = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    assert set(patches) == {f"province-{c}" for c in CODES}
    for code, cls in classes.items():
        assert np.allclose(patches[f"province-{code}"].get_facecolor()[:3], to_rgb(LISA_COLORS[cls][1]))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["High-high (1)", "Low-low (2)", "High-low (1)", "Low-high (1)", "Not significant (26)"]
    assert (
        "tertiary_share" in ax.get_title() and "2002-2009" in ax.get_title() and "p < 0.05" in ax.get_title()
    )
    a = save_figure(fig, tmp_path / "a", close=False)
    b = save_figure(fig, tmp_path / "b")
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b, strict=True))

    gi = cluster_map({650000: "cold", 310000: "hot"}, features, kind="gi", variable="x", rule="BH p < 0.1")
    patches = {p.get_gid(): p for p in gi.axes[0].patches if p.get_gid()}
    assert np.allclose(patches["province-650000"].get_facecolor()[:3], to_rgb(GI_COLORS["cold"][1]))
    assert patches["province-110000"].get_hatch() == "////"  # no class given
    assert "BH p < 0.1" in gi.axes[0].get_title()
    plt.close(gi)
    with pytest.raises(InputError, match="unknown cluster class"):
        cluster_map({650000: "LL"}, features, kind="gi", variable="x")
