"""Global and local spatial autocorrelation.

References: hand computations on 5 regions on a line (values 1..5; formulas of Moran 1950 and
Geary 1954 as in Cliff & Ord 1981), esda 2.9.0 called directly on the same weights and seeds
(the wrapper must add nothing), scipy 1.17's Benjamini-Hochberg against esda's ``fdr`` cut-off,
and a variable with a known spatial structure (centroid latitude of the 31 provinces).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from spatial_sim import SHIPPED_MAP, line_weights

from tfp_talent.errors import InputError
from tfp_talent.spatial.explore import (
    QUADRANT_LABELS,
    call_seed,
    cold_spot_finding,
    cold_spot_sentence,
    explore_periods,
    getis_ord,
    global_autocorrelation,
    local_moran,
    period_means,
)
from tfp_talent.spatial.weights import distance_from_topojson


def _line_frame(values, years=(2000,)):
    return pd.DataFrame([{"region": i + 1, "year": t, "y": v} for t in years for i, v in enumerate(values)])


def test_moran_and_geary_hand_computation_binary():
    """y = 1..5 on a line, binary w: z = (-2,-1,0,1,2), z'z = 10, z'Wz = 2(2+0+0+2) = 8, S0 = 8:
    I = (5/8)(8/10) = 0.5, E[I] = -1/4; Geary C = 4 * Σ w (y_i-y_j)² / (2 S0 z'z) = 4*8/160 = 0.2."""
    res = global_autocorrelation(
        _line_frame([1, 2, 3, 4, 5]), ["y"], line_weights(transform="none"), entity="region", permutations=0
    )
    row = res.iloc[0]
    assert row["I"] == pytest.approx(0.5, abs=1e-14)
    assert row["E[I]"] == pytest.approx(-0.25, abs=1e-15)
    assert row["C"] == pytest.approx(0.2, abs=1e-14)
    assert row["n"] == 5 and row["variable"] == "y" and row["year"] == 2000


def test_moran_and_geary_hand_computation_row_standardised():
    """Row-standardised line: S0 = 5, z'Wz = 2 + 1 + 0 + 1 + 2 = 6, so I = (5/5)(6/10) = 0.6;
    Σ w (y_i-y_j)² = 5 (each row's weights sum to 1, all gaps 1), C = 4*5/(2*5*10) = 0.2."""
    res = global_autocorrelation(
        _line_frame([1, 2, 3, 4, 5]), ["y"], line_weights(transform="r"), entity="region", permutations=0
    )
    assert res["I"].iloc[0] == pytest.approx(0.6, abs=1e-14)
    assert res["C"].iloc[0] == pytest.approx(0.2, abs=1e-14)
    # the general formula I = n/S0 z'Wz/z'z on arbitrary values
    y = np.array([3.0, -1.0, 4.0, 1.5, 9.0])
    w = line_weights(transform="r")
    z = y - y.mean()
    expected = 5 / w.matrix.sum() * (z @ w.matrix @ z) / (z @ z)
    got = global_autocorrelation(_line_frame(y), ["y"], w, entity="region", permutations=0)["I"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-13)


def test_global_identity_with_esda(queen, latitude_panel):
    """esda 2.9.0 Moran / Geary with numpy's global RNG seeded as documented (seed + year)."""
    from esda.geary import Geary
    from esda.moran import Moran

    res = global_autocorrelation(latitude_panel, ["lat", "noise"], queen, permutations=199, seed=7)
    assert len(res) == 2 * 18
    for _, row in res[res["year"].isin([2002, 2015])].iterrows():
        part = latitude_panel[latitude_panel["year"] == row["year"]].set_index("province_code")
        y = part.loc[list(queen.ids), row["variable"]].to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            np.random.seed(7 + row["year"])  # noqa: NPY002 - esda draws from the global RNG
            mi = Moran(y, queen.to_libpysal(), permutations=199)
            np.random.seed(7 + row["year"])  # noqa: NPY002 - esda draws from the global RNG
            gc = Geary(y, queen.to_libpysal(), permutations=199)
        assert row["I"] == pytest.approx(mi.I, rel=1e-12)
        assert row["z"] == pytest.approx(mi.z_norm, rel=1e-12)
        assert row["p_norm"] == pytest.approx(mi.p_norm, rel=1e-10)
        assert row["p_sim"] == mi.p_sim
        assert row["C"] == pytest.approx(gc.C, rel=1e-12)
        assert row["p_sim_geary"] == gc.p_sim


def test_latitude_is_strongly_autocorrelated(queen, latitude_panel):
    """Real-data smoke test: centroid latitude (+ N(0,1) noise) is strongly positively autocorrelated
    under queen weights; pure noise is not."""
    res = global_autocorrelation(latitude_panel, ["lat", "noise"], queen, permutations=99)
    lat = res[res["variable"] == "lat"]
    assert (lat["I"] > 0.6).all() and (lat["p_sim"] == 0.01).all() and (lat["C"] < 0.35).all()
    noise = res[res["variable"] == "noise"]
    assert abs(noise["I"].mean()) < 0.1


def test_determinism_and_row_order(queen, latitude_panel):
    state = np.random.get_state()  # noqa: NPY002
    a = global_autocorrelation(latitude_panel, ["noise"], queen, permutations=99, seed=3)
    after = np.random.get_state()  # noqa: NPY002
    assert state[0] == after[0] and np.array_equal(state[1], after[1])  # global RNG restored
    shuffled = latitude_panel.sample(frac=1.0, random_state=5).reset_index(drop=True)
    shuffled["province_code"] = shuffled["province_code"].astype(str)  # labels as text: same ids
    b = global_autocorrelation(shuffled, ["noise"], queen, permutations=99, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = global_autocorrelation(latitude_panel, ["noise"], queen, permutations=99, seed=4)
    assert not np.array_equal(a["p_sim"], c["p_sim"])
    la = local_moran(latitude_panel[latitude_panel.year <= 2003], ["noise"], queen, permutations=99, seed=3)
    lb = local_moran(shuffled[shuffled.year <= 2003], ["noise"], queen, permutations=99, seed=3)
    pd.testing.assert_frame_equal(la.drop(columns="province_code"), lb.drop(columns="province_code"))


def test_lisa_identity_with_esda(queen, latitude_panel):
    """esda 2.9.0 Moran_Local: same I_i, quadrants and cluster labels; the pseudo p is that of
    tfp_talent.spatial.permutation with the per-call seed (tested against esda's in test_permutation)."""
    from esda.moran import Moran_Local

    from tfp_talent.spatial.permutation import local_moran_pseudo_p

    part = latitude_panel[latitude_panel["year"] == 2010]
    res = local_moran(part, ["lat"], queen, permutations=199, seed=11)
    y = part.set_index("province_code").loc[list(queen.ids), "lat"].to_numpy()
    ref = Moran_Local(y, queen.to_libpysal(), permutations=0)
    ref.p_sim = local_moran_pseudo_p(ref.z, queen.matrix, ref.Is, 199, 11 + 2010)
    np.testing.assert_allclose(res["Ii"], ref.Is, rtol=1e-12)
    np.testing.assert_array_equal(res["p_sim"], ref.p_sim)
    np.testing.assert_allclose(res["lag"], queen.matrix @ ref.z, rtol=1e-12)
    esda_names = {
        "High-High": "HH",
        "Low-Low": "LL",
        "High-Low": "HL",
        "Low-High": "LH",
        "Insignificant": "ns",
    }
    assert list(res["cluster"]) == [esda_names[x] for x in ref.get_cluster_labels(0.05)]
    hand = (len(y) - 1) * ref.z * (queen.matrix @ ref.z) / (ref.z @ ref.z)  # I_i = (n-1) z_i lag_i / z'z
    np.testing.assert_allclose(res["Ii"], hand, rtol=1e-12)
    assert {"HH", "LL"} <= set(res["cluster"])
    assert set(QUADRANT_LABELS.values()) >= set(res["cluster"]) - {"ns"}


def test_lisa_fdr_matches_esda_cutoff(queen, latitude_panel):
    """BH (scipy.stats.false_discovery_control) rejects exactly the p below esda.fdr's cut-off."""
    from esda import fdr

    part = latitude_panel[latitude_panel["year"] == 2010]
    raw = local_moran(part, ["lat"], queen, permutations=999, seed=2, alpha=0.1)
    adj = local_moran(part, ["lat"], queen, permutations=999, seed=2, alpha=0.1, fdr=True)
    cut = fdr(raw["p_sim"].to_numpy(), 0.1)
    assert list(adj["cluster"] != "ns") == list(raw["p_sim"] < cut)
    assert (adj["cluster"] != "ns").sum() <= (raw["cluster"] != "ns").sum()


def test_gi_star_identity_with_esda(queen, latitude_panel):
    """esda 2.9.0 G_Local(star=True, transform 'B') on the binary queen neighbour sets built
    independently here: same Gi* and z; pseudo p from tfp_talent.spatial.permutation with the
    per-call seed; by hand Gi* = Σ_{j in N(i) ∪ {i}} y_j / Σ y."""
    from esda.getisord import G_Local
    from libpysal.weights import W

    from tfp_talent.spatial.permutation import gi_star_pseudo_p

    part = latitude_panel[latitude_panel["year"] == 2008]
    res = getis_ord(part, ["lat"], queen, permutations=199, seed=5)
    y = part.set_index("province_code").loc[list(queen.ids), "lat"].to_numpy()
    nb = {a: [queen.ids[j] for j in np.flatnonzero(queen.raw[i])] for i, a in enumerate(queen.ids)}
    wb = W(nb, id_order=list(queen.ids))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = G_Local(y, wb, transform="B", star=True, permutations=0)
    star = queen.raw + np.eye(31)
    np.testing.assert_allclose(res["z"], ref.Zs, rtol=1e-10)
    np.testing.assert_array_equal(res["p_sim"], gi_star_pseudo_p(y, star, ref.Gs, 199, 5 + 2008))
    np.testing.assert_allclose(res["G"], star @ y / y.sum(), rtol=1e-12)
    np.testing.assert_allclose(res["G"], ref.Gs, rtol=1e-12)
    hot = res["cluster"] == "hot"
    assert (res.loc[hot, "z"] > 0).all() and (res.loc[res["cluster"] == "cold", "z"] < 0).all()
    assert hot.any() and (res["cluster"] == "cold").any()


def test_periods_and_cold_spot_sentence(queen, latitude_panel):
    """Period means are means over the years; the finding reports what the table holds."""
    periods = [(2002, 2009), (2011, 2019)]
    means = period_means(latitude_panel, ["lat"], periods)
    bj = latitude_panel[(latitude_panel.province_code == 110000) & latitude_panel.year.between(2002, 2009)]
    got = means[(means.province_code == 110000) & (means.period == "2002-2009")]
    assert got["lat"].iloc[0] == pytest.approx(bj["lat"].mean(), rel=1e-14) and got["years"].iloc[0] == 8
    res = explore_periods(latitude_panel, ["lat", "lon"], queen, periods, permutations=199)
    assert list(res.global_stats["period"]) == ["2002-2009", "2011-2019"] * 2
    finding = cold_spot_finding(res)
    t = finding.table
    assert len(t) == 2 * 2 * 2 and set(t["province"]) == {650000, 630000}
    lon = t[t["variable"] == "lon"]
    # Xinjiang and Qinghai are the far west: low longitude among low-longitude neighbours
    assert (lon["lisa"] == "LL").all() and (lon["gi"] == "cold").all()
    assert "Xinjiang and Qinghai" in finding.sentence and "lon 2002-2009" in finding.sentence
    assert "tested in 4 variable-period cases" in finding.sentence
    n_ll = {c: int(((t["province"] == c) & (t["lisa"] == "LL")).sum()) for c in (650000, 630000)}
    assert f"Xinjiang is a low-low cluster in {n_ll[650000]} of 4 cases" in finding.sentence
    assert f"Qinghai is a low-low cluster in {n_ll[630000]} of 4 cases" in finding.sentence
    # labels replace variable names; a Gi*-only case (own value high) is not counted as low-low
    table = t.copy()
    table.loc[0, ["lisa", "gi"]] = ["HL", "cold"]
    text = cold_spot_sentence(table, [650000, 630000], time="period", rule="r", labels={"lon": "Longitude"})
    assert "Longitude" in text and "lon 2002" not in text
    assert "without being low-low in 1 (" in text and "LISA high-low, its own value high" in text


def test_gi_star_is_undefined_for_negative_values(queen, latitude_panel):
    """G = Σ w x / Σ x needs x ≥ 0 (Getis & Ord 1992): a variable with negative values gets no Gi* classes."""
    panel = latitude_panel.assign(neg=latitude_panel["lat"] - latitude_panel["lat"].mean())
    res = explore_periods(panel, ["neg", "lat"], queen, [(2002, 2009)], permutations=99)
    gi = res.gi
    assert (gi.loc[gi["variable"] == "neg", "cluster"] == "undefined").all()
    assert gi.loc[gi["variable"] == "neg", "z"].isna().all()
    assert (gi.loc[gi["variable"] == "lat", "cluster"] != "undefined").all()
    assert "Gi* is not defined for neg" in cold_spot_finding(res).sentence


def test_seed_rule():
    assert call_seed(1, 2005) == 2006 and call_seed(1, "2005") == 2006
    assert call_seed(1, "2002-2009") == call_seed(1, "2002-2009") != call_seed(1, "2011-2019")


def test_bad_inputs_one_line(queen, latitude_panel):
    gap = latitude_panel.drop(index=latitude_panel.index[(latitude_panel.year == 2004)][:2])
    with pytest.raises(InputError) as e:
        global_autocorrelation(gap, ["lat"], queen, file="panel.csv")
    msg = str(e.value)
    assert "\n" not in msg and "panel.csv" in msg and "'lat'" in msg and "(110000, 2004)" in msg
    extra = pd.concat([latitude_panel, pd.DataFrame([{"province_code": 710000, "year": 2002, "lat": 1.0}])])
    with pytest.raises(InputError, match=r"entities not in the weights.*710000"):
        global_autocorrelation(extra, ["lat"], queen)
    with pytest.raises(InputError, match="missing column"):
        global_autocorrelation(latitude_panel, ["gdp"], queen)
    const = latitude_panel.assign(c=1.0)
    with pytest.raises(InputError, match="constant"):
        global_autocorrelation(const, ["c"], queen)
    with pytest.raises(InputError, match="neighbour sets"):
        getis_ord(latitude_panel, ["lat"], distance_from_topojson(SHIPPED_MAP))
    with pytest.raises(InputError, match="alpha"):
        local_moran(latitude_panel, ["lat"], queen, alpha=5)
