"""Spec kind ``spatial``: the runner recovers a simulated SDM on the 31 provinces, region-origin effects.

References:
* simulated truth: y_t = (I − λW)⁻¹(X_t β + W X_t θ + μ + α_t + e_t) with the real queen W of
  data/raw/geo/china_provinces_full.topo.json (Hainan–Guangdong link), N = 31, T = 17, two-way effects,
  λ = 0.4, β = (1.0, −0.5), θ = (0.5, 0.3), e ~ N(0, 0.1²). Tolerance: every estimate within 4 of its
  own standard errors of the truth (a 4-SE miss has probability 6e-5 per parameter), and the SEs
  small enough for that to be informative (SE(λ) < 0.06, SE(β) < 0.02);
* LeSage & Pace (2009, §2.7) average effects of tfp_talent.estimators.spatial_effects (mean diagonal and
  mean row sum of S(λ)(βI + θW)): the region-origin effects with one region holding every province equal
  them to 1e-10; for the East alone they equal brute-force column sums of the 31 x 31 matrix.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from study_sim import province_frame

from tfp_talent.errors import InputError
from tfp_talent.estimators.spatial_effects import spatial_effects
from tfp_talent.estimators.spatial_logdet import SpatialOperator
from tfp_talent.spatial.weights import queen_from_topojson
from tfp_talent.study.run import run_spec
from tfp_talent.study.runners.spatial import DEFAULT_MAP
from tfp_talent.study.runners.spatial_regions import origin_effects
from tfp_talent.study.spec import normalise_spec

LAM, BETA, THETA = 0.4, np.array([1.0, -0.5]), np.array([0.5, 0.3])


@pytest.fixture(scope="module")
def queen():
    return queen_from_topojson(DEFAULT_MAP)


def simulate_sdm(w, *, seed: int = 7, years=range(2003, 2020)) -> pd.DataFrame:
    """31 provinces x 17 years of the SDM of the module docstring, with the registry's labels."""
    rng = np.random.default_rng(seed)
    frame = province_frame(years).sort_values(["year", "province_code"]).reset_index(drop=True)
    n, t = w.n, len(years)
    assert list(frame["province_code"].iloc[:n]) == list(w.ids)
    s = np.linalg.inv(np.eye(n) - LAM * w.matrix)
    mu = rng.normal(0, 1, n)
    x = rng.normal(0, 1, (t, n, 2))
    y = np.empty((t, n))
    for k in range(t):
        xb = x[k] @ BETA + (w.matrix @ x[k]) @ THETA
        y[k] = s @ (xb + mu + rng.normal(0, 1) + rng.normal(0, 0.1, n))
    frame["x1"], frame["x2"], frame["y"] = x[:, :, 0].ravel(), x[:, :, 1].ravel(), y.ravel()
    return frame


def _spec(**spatial):
    return {
        "kind": "spatial",
        "tfp": None,
        "y": "y",
        "talent": ["x1", "x2"],
        "spatial": {"weights": "queen", "draws": 300, **spatial},
    }


def test_runner_recovers_the_simulated_sdm(queen):
    panel = simulate_sdm(queen)
    out = run_spec("sim", _spec(), panel, None, seed=3)
    assert out["config"]["sample"]["balance"] == "restrict"  # the kind asks for a balanced panel
    fit = out["spatial"]["fit"]
    se = fit["std_errors"]
    truth = {"lambda": LAM, "x1": BETA[0], "x2": BETA[1], "W.x1": THETA[0], "W.x2": THETA[1]}
    for name, value in truth.items():
        assert abs(fit["params"][name] - value) < 4 * se[name], name
    assert se["lambda"] < 0.06 and se["x1"] < 0.02
    # effects at the truth (LeSage-Pace) inside 4 delta-method SEs of the estimated effects
    op = SpatialOperator(__import__("scipy").sparse.csr_matrix(queen.matrix))
    true_eff = spatial_effects(op, LAM, BETA, THETA, np.eye(5) * 1e-6, ["x1", "x2"], draws=0)
    for var in ("x1", "x2"):
        for kind in ("direct", "indirect", "total"):
            est = fit["effects_table"][var][kind]
            assert abs(est["estimate"] - true_eff[var][kind]["estimate"]) < 4 * est["se_delta"], (var, kind)
    assert out["spatial"]["weights"]["summary"]["island_links"] == [[460000, 440000]]
    assert fit["n_entities"] == 31 and fit["n_periods"] == 17


def test_region_origin_effects_equal_the_average_effects_for_all_provinces(queen):
    """One region with every province: LeSage-Pace averages; East alone: brute-force column sums."""
    op = SpatialOperator(__import__("scipy").sparse.csr_matrix(queen.matrix))
    ref = spatial_effects(op, LAM, BETA, THETA, np.eye(5) * 1e-6, ["x1", "x2"], draws=0)
    all_in = np.ones(queen.n, dtype=bool)
    for i, var in enumerate(("x1", "x2")):
        got = origin_effects(queen.matrix, np.array([LAM]), BETA[i : i + 1], THETA[i : i + 1], all_in)
        for kind in ("direct", "indirect", "total"):
            assert got[kind][0] == pytest.approx(ref[var][kind]["estimate"], abs=1e-10)
        assert got["outside"][0] == pytest.approx(0.0, abs=1e-12)
    regions = province_frame(range(2019, 2020)).set_index("province_code")["region3"].reindex(list(queen.ids))
    east = (regions == "East").to_numpy()
    m = np.linalg.inv(np.eye(queen.n) - LAM * queen.matrix) @ (
        BETA[0] * np.eye(queen.n) + THETA[0] * queen.matrix
    )
    cols = [j for j in range(queen.n) if east[j]]
    direct = np.mean([m[j, j] for j in cols])
    outside = np.mean([sum(m[i, j] for i in range(queen.n) if not east[i]) for j in cols])
    total = np.mean([m[:, j].sum() for j in cols])
    got = origin_effects(queen.matrix, np.array([LAM]), BETA[:1], THETA[:1], east)
    assert got["direct"][0] == pytest.approx(direct, abs=1e-12)
    assert got["outside"][0] == pytest.approx(outside, abs=1e-12)
    assert got["total"][0] == pytest.approx(total, abs=1e-12)
    assert got["inside"][0] == pytest.approx(total - direct - outside, abs=1e-12)


def test_region_slopes_spec_reports_effects_by_region_of_origin(queen):
    """With interact, every region gets its effects; simulation draws are seeded (same seed -> same numbers)."""
    panel = simulate_sdm(queen, seed=11)
    spec = {**_spec(draws=100), "interact": {"by": "region3", "levels": ["East", "Central", "West"]}}
    a = run_spec("sim_regions", spec, panel, None, seed=5)["spatial"]["region_effects"]
    b = run_spec("sim_regions", spec, panel.sample(frac=1.0, random_state=1), None, seed=5)["spatial"]
    assert set(a["effects"]["x1"]) == {"East", "Central", "West"}
    assert sorted(len(v) for v in a["regions"].values()) == [8, 11, 12]
    east = a["effects"]["x1"]["East"]
    assert east["indirect"]["ci_sim"][0] < east["indirect"]["estimate"] < east["indirect"]["ci_sim"][1]
    shuffled = b["region_effects"]["effects"]["x1"]["East"][
        "outside"
    ]  # rows shuffled: same draws, same numbers
    assert shuffled["estimate"] == pytest.approx(east["outside"]["estimate"], rel=1e-9)
    assert shuffled["ci_sim"] == pytest.approx(east["outside"]["ci_sim"], rel=1e-9)


def test_economic_weights_use_gdp_per_capita_over_the_base_period(queen):
    panel = simulate_sdm(queen, seed=2)
    rng = np.random.default_rng(0)
    level = pd.Series(rng.uniform(1, 10, 31), index=sorted(panel["province_code"].unique()))
    panel["pop_yearend"] = 1000.0
    panel["gdp_real"] = panel["province_code"].map(level) * 1000.0 * (1 + 0.01 * (panel["year"] - 2003))
    out = run_spec(
        "sim_econ", _spec(weights="economic", economic_base=[2003, 2005], draws=0), panel, None, seed=1
    )
    w = out["spatial"]["weights"]
    assert w["economic_base_years"] == [2003, 2004, 2005]
    g = (
        panel[panel["year"].between(2003, 2005)]
        .groupby("province_code")
        .apply(lambda d: (d["gdp_real"] / d["pop_yearend"]).mean())
    )
    raw = np.asarray(w["raw"])
    assert raw[0, 1] == pytest.approx(1.0 / abs(g.iloc[0] - g.iloc[1]), rel=1e-12)
    assert np.allclose(np.asarray(w["matrix"]).sum(axis=1), 1.0)


def test_bad_spatial_settings_stop_naming_the_spec():
    with pytest.raises(InputError, match=r"specs\.bad: .*unknown spatial\.weights 'rook'"):
        normalise_spec("bad", {"kind": "spatial", "y": "y", "talent": ["x"], "spatial": {"weights": "rook"}})
    with pytest.raises(InputError, match=r"'spatial' is only used by kind 'spatial'"):
        normalise_spec("bad", {"y": "y", "talent": ["x"], "spatial": {"weights": "queen"}})


def test_spillover_table_refuses_a_spec_without_effects():
    """A SEM result has no direct/indirect effects: the spillover table names the spec (no KeyError)."""
    from tfp_talent.errors import InputError
    from tfp_talent.study.spatial_tables import spillover_table_from_config

    sem = {"spatial": {"model": "sem", "fit": {"params": {}}, "weights": {}}, "roles": {"talent": ["x"]}}
    with pytest.raises(
        InputError, match=r"tables\.spill.*spec\(s\) sem_spec have no direct/indirect effects"
    ):
        spillover_table_from_config("spill", {"columns": [{"spec": "sem_spec"}]}, {"sem_spec": sem}, {})
