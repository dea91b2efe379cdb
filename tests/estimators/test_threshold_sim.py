"""Threshold model on simulated panels: the fast SSR search against one explicit regression per candidate,
recovery of known thresholds and slopes, and the reproducibility of the seeded (sharded, parallel) bootstrap."""

from __future__ import annotations

import json

import numpy as np
import pytest
from threshold_data import simulated_panel

from tfp_talent.errors import InputError
from tfp_talent.estimators.threshold import bootstrap_shard, threshold_fit
from tfp_talent.estimators.threshold_bootstrap import replication_rng
from tfp_talent.estimators.threshold_results import combine_shard_dicts, combine_shards
from tfp_talent.io import to_json_text


def _brute_ssr(data, rx, gammas, fixed, transform):
    """SSR of y on [T x, T r, T(r 1{q below f}) for f in fixed, T(r 1{q below g})] by lstsq, for each g."""
    n, t = data["id"].nunique(), data["t"].nunique()

    def tr(v):
        v = v.reshape(n, t, -1)
        d = v - v.mean(axis=1, keepdims=True)
        if transform == "hansen1999":
            d = d[:, :-1]
        return d.reshape(-1, v.shape[2])

    q = data["q"].to_numpy()
    r = data[rx].to_numpy()
    below = (lambda g: q < g) if transform == "hansen1999" else (lambda g: q <= g)
    base = [tr(data[["x"] + rx].to_numpy())] + [tr(r * below(f)[:, None]) for f in fixed]
    y = tr(data["y"].to_numpy())[:, 0]
    out = []
    for g in gammas:
        z = np.column_stack(base + [tr(r * below(g)[:, None])])
        coef, *_ = np.linalg.lstsq(z, y, rcond=None)
        e = y - z @ coef
        out.append(e @ e)
    return np.array(out)


@pytest.mark.parametrize("transform", ["within", "hansen1999"])
@pytest.mark.parametrize("rx", [["r"], ["r", "r2"]])
def test_fast_search_equals_one_regression_per_candidate(transform, rx):
    """Reference: explicit least squares for every candidate of every search stage (1, 2, refinement, 3),
    recovered from the LR curves as S(g) = S_min (1 + LR(g) / n). Tolerance 1e-9 relative."""
    data = simulated_panel(n=40, t=6, thresholds=(0.3, 0.7), slopes=(1.0, -1.0, 1.0), seed=3)
    res = threshold_fit(
        data,
        "y",
        "x",
        rx,
        "q",
        "id",
        "t",
        n_thresholds=3,
        trim=[0.05, 0.05, 0.05],
        grid="all",
        bootstrap=0,
        transform=transform,
        min_regime_obs=5,
        progress=False,
    )
    n = res.nobs
    assert n == 40 * (5 if transform == "hansen1999" else 6)
    mins = {"1": res.ssr[1], "2": None, "2r": res.ssr[2], "3": res.ssr[3]}
    for name, curve in res.lr_curves.items():
        brute = _brute_ssr(data, rx, curve.gamma, curve.fixed, transform)
        smin = brute.min() if mins[name] is None else mins[name]
        fast = smin * (1.0 + curve.lr / n)
        np.testing.assert_allclose(fast, brute, rtol=1e-9, err_msg=name)
        assert curve.estimate == curve.gamma[int(np.argmin(brute))]


@pytest.mark.parametrize("transform", ["within", "hansen1999"])
def test_recovers_known_single_threshold(transform):
    """Simulated truth: gamma = 0.4, slopes 1 and -1 on r, beta = 0.5 on x (N = 150, T = 8, sigma 0.5).
    The threshold must be within 0.02 of 0.4 and inside its LR interval, slopes within 4 SEs, and the
    bootstrap must reject linearity (p < 0.05 with 99 replications)."""
    data = simulated_panel()
    res = threshold_fit(
        data,
        "y",
        "x",
        "r",
        "q",
        "id",
        "t",
        n_thresholds=1,
        grid="all",
        bootstrap=99,
        seed=11,
        transform=transform,
        progress=False,
    )
    (g,) = res.thresholds[1]
    ((lo, hi),) = res.ci[1]
    q = data["q"].to_numpy()
    # the split at 0.4 is the split at the data value next to it (largest q <= 0.4 for the q <= gamma
    # rule of "within", smallest q >= 0.4 for the q < gamma rule of "hansen1999"): it must be in the CI
    equivalent = q[q <= 0.4].max() if transform == "within" else q[q >= 0.4].min()
    assert abs(g - 0.4) < 0.02 and lo <= equivalent <= hi
    fit = res.models[1]
    for name, truth in {"x": 0.5, "r_r1": 1.0, "r_r2": -1.0}.items():
        assert abs(fit.params[name] - truth) < 4 * fit.std_errors["unadjusted"][name], name
    assert res.p_value[1] < 0.05


def test_recovers_known_double_threshold():
    """Simulated truth: gamma = (0.3, 0.7), slopes 1, -1, 1 (N = 200, T = 8): both thresholds within 0.03."""
    data = simulated_panel(n=200, thresholds=(0.3, 0.7), slopes=(1.0, -1.0, 1.0), seed=5)
    res = threshold_fit(
        data, "y", "x", "r", "q", "id", "t", n_thresholds=2, grid=400, bootstrap=0, progress=False
    )
    assert res.thresholds[2] == pytest.approx([0.3, 0.7], abs=0.03)
    assert res.models[2].params["r_r2"] == pytest.approx(-1.0, abs=0.1)


OPTIONS = dict(
    n_thresholds=3, trim=[0.05, 0.05, 0.1], grid=100, bootstrap=[13, 11, 7], seed=2024, progress=False
)


@pytest.fixture(scope="module")
def sim3():
    return simulated_panel(n=60, t=6, thresholds=(0.3, 0.7), slopes=(1.0, -1.0, 1.0), seed=9)


@pytest.fixture(scope="module")
def single_job(sim3):
    return threshold_fit(sim3, "y", "x", "r", "q", "id", "t", **OPTIONS)


def test_sharded_bootstrap_equals_single_job(sim3, single_job):
    """Reference: the single-job bootstrap with the same seed. 3 shards (uneven blocks of 13, 11 and 7
    replications) combined - as objects and through their JSON files - give identical results, bytes included."""
    shards = [
        bootstrap_shard(sim3, "y", "x", "r", "q", "id", "t", shard_index=i, n_shards=3, **OPTIONS)
        for i in (2, 0, 1)
    ]
    combined = combine_shards(shards)
    for k in (1, 2, 3):
        np.testing.assert_array_equal(combined.boot_stats[k], single_job.boot_stats[k])
    assert combined.p_value == single_job.p_value and combined.crit_values == single_job.crit_values
    single_text = to_json_text(single_job.to_dict())
    assert to_json_text(combined.to_dict()) == single_text
    docs = [json.loads(to_json_text(s.to_dict())) for s in shards]
    assert to_json_text(combine_shard_dicts(docs)) == single_text


def test_shards_must_match_and_be_complete(sim3):
    a = bootstrap_shard(sim3, "y", "x", "r", "q", "id", "t", shard_index=0, n_shards=2, **OPTIONS)
    b = bootstrap_shard(
        sim3, "y", "x", "r", "q", "id", "t", shard_index=1, n_shards=2, **{**OPTIONS, "seed": 1}
    )
    with pytest.raises(InputError, match="fingerprints differ"):
        combine_shards([a, b])
    with pytest.raises(InputError, match="exactly once"):
        combine_shards([a])


def test_parallel_bootstrap_equals_serial(sim3, single_job):
    """Reference: n_jobs=1. Two worker processes give bit-identical replicate statistics."""
    par = threshold_fit(sim3, "y", "x", "r", "q", "id", "t", n_jobs=2, **OPTIONS)
    for k in (1, 2, 3):
        np.testing.assert_array_equal(par.boot_stats[k], single_job.boot_stats[k])


def test_same_seed_same_result_other_seed_differs(sim3, single_job):
    again = threshold_fit(sim3, "y", "x", "r", "q", "id", "t", **OPTIONS)
    assert to_json_text(again.to_dict()) == to_json_text(single_job.to_dict())
    other = threshold_fit(sim3, "y", "x", "r", "q", "id", "t", **{**OPTIONS, "seed": 7})
    assert not np.array_equal(other.boot_stats[1], single_job.boot_stats[1])


def test_replication_seed_is_seedsequence_spawn():
    """Documented identity: replication r of test k uses SeedSequence(seed).spawn(3)[k-1].spawn(B)[r]."""
    child = np.random.SeedSequence(2024).spawn(3)[1].spawn(20)[17]
    expected = np.random.default_rng(child).integers(0, 10**9, size=5)
    np.testing.assert_array_equal(replication_rng(2024, 2, 17).integers(0, 10**9, size=5), expected)


def test_p_value_and_critical_values_follow_hansen(single_job):
    """Hansen's program: p = mean(F* > F); critical values = sorted F*[ceil(p B)] (1-based), p = .90 .95 .99."""
    for k in (1, 2, 3):
        stats = single_job.boot_stats[k]
        srt = np.sort(stats)
        b = len(stats)
        assert single_job.p_value[k] == np.mean(stats > single_job.f_stat[k])
        assert single_job.crit_values[k] == {
            "10%": srt[int(np.ceil(0.9 * b)) - 1],
            "5%": srt[int(np.ceil(0.95 * b)) - 1],
            "1%": srt[int(np.ceil(0.99 * b)) - 1],
        }


def test_discrete_threshold_variable_has_distinct_candidates():
    """q with 31 distinct values (multiples of 1/30) and grid 400: the candidates are distinct data values
    (no repeated positions) and the known threshold 0.4 = 12/30 is found (simulated truth)."""
    data = simulated_panel(n=80, t=6)
    data["q"] = np.round(data["q"] * 30) / 30
    res = threshold_fit(
        data, "y", "x", "r", "q", "id", "t", n_thresholds=2, trim=[0.1, 0.05], bootstrap=0, progress=False
    )
    gamma = res.lr_curves["1"].gamma
    assert len(gamma) == res.spec["grid_points"] == len(np.unique(gamma)) <= 31
    assert res.thresholds[1] == pytest.approx([0.4])
    assert len(set(res.thresholds[2])) == 2
