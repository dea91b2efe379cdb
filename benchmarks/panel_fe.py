"""Benchmark: two-way FE with entity-clustered SEs, our wrapper (keyword and formula call) vs pyfixest vs linearmodels.

Simulated balanced panel (default 10,000 entities x 100 periods = 10^6 rows, two
regressors, seed 0). Times are wall-clock medians over ``--repeats`` runs, the three
calls interleaved so that load from other processes hits them alike; peak memory is
the tracemalloc peak of one call (NumPy and pandas buffers included), measured in a
separate pass so that tracing does not inflate the times.

    .venv/bin/python benchmarks/panel_fe.py [--entities 10000] [--periods 100] [--repeats 5]

Prints a Markdown table for the "Panel estimators" and "Formula interface" sections of
benchmarks/README.md. The formula call ``fit_panel("y ~ x1 + x2 | id + year", d, vcov={"CRV1": "id"})``
estimates the same model as the keyword call; its overhead is the ratio of the two medians, and the
time of parsing the formula alone (:func:`tfp_talent.estimators.formula.parse` and the term
expansion, no estimation) is measured separately.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import resource
import statistics
import time
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd


def simulate(n_entities: int, n_periods: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ent = np.repeat(np.arange(n_entities), n_periods)
    per = np.tile(np.arange(1900, 1900 + n_periods), n_entities)
    a = rng.normal(size=n_entities)[ent]
    lam = rng.normal(size=n_periods)[per - 1900]
    x1 = rng.normal(size=ent.size) + a
    x2 = rng.normal(size=ent.size) + lam
    y = 0.5 * x1 - 0.3 * x2 + a + lam + rng.normal(size=ent.size)
    return pd.DataFrame({"id": ent, "year": per, "y": y, "x1": x1, "x2": x2})


def run_ours(d: pd.DataFrame) -> np.ndarray:
    from tfp_talent.estimators.panel import fit_panel

    r = fit_panel(
        d,
        "y",
        ["x1", "x2"],
        entity="id",
        time="year",
        model="fe",
        effects="twoway",
        cov="clustered",
        cluster="entity",
    )
    return np.r_[r.params.to_numpy(), r.std_errors.to_numpy()]


def run_formula(d: pd.DataFrame) -> np.ndarray:
    from tfp_talent.estimators.panel import fit_panel

    r = fit_panel("y ~ x1 + x2 | id + year", d, vcov={"CRV1": "id"})
    return np.r_[r.params.to_numpy(), r.std_errors.to_numpy()]


def parse_only(d: pd.DataFrame, n: int = 1000) -> float:
    """Seconds per formula parse + term expansion (what the formula call adds before prepare_panel)."""
    from tfp_talent.estimators.formula import expand_terms, parse, resolve_panel

    t0 = time.perf_counter()
    for _ in range(n):
        f = parse("y ~ x1 + x2 | id + year")
        data, _, _ = resolve_panel(d, None, None, f.fixed_effects)
        expand_terms(data, [f.depvar, *f.terms])
    return (time.perf_counter() - t0) / n


def run_pyfixest(d: pd.DataFrame) -> np.ndarray:
    import pyfixest as pf

    m = pf.feols("y ~ x1 + x2 | id + year", data=d, vcov={"CRV1": "id"})
    return np.r_[m.coef().to_numpy(), m.se().to_numpy()]


def run_linearmodels(d: pd.DataFrame) -> np.ndarray:
    from linearmodels import PanelOLS

    p = d.set_index(["id", "year"])
    r = PanelOLS(p["y"], p[["x1", "x2"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True
    )
    return np.r_[r.params.to_numpy(), r.std_errors.to_numpy()]


def timed(fn: Callable[[pd.DataFrame], np.ndarray], d: pd.DataFrame) -> tuple[float, np.ndarray]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn(d)
    return time.perf_counter() - t0, out


def peak_mb(fn: Callable[[pd.DataFrame], np.ndarray], d: pd.DataFrame) -> float:
    gc.collect()
    tracemalloc.start()
    fn(d)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entities", type=int, default=10_000)
    ap.add_argument("--periods", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--lm-repeats", type=int, default=2, help="repeats for linearmodels (slow; 0 = skip it)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    d = simulate(args.entities, args.periods)
    # warm-up: imports, numba/Rust initialisation
    small = simulate(200, 10, seed=1)
    calls = {"ours": run_ours, "formula": run_formula, "pyfixest": run_pyfixest}
    if args.lm_repeats > 0:
        calls["linearmodels"] = run_linearmodels
    for fn in calls.values():
        fn(small)

    times: dict[str, list[float]] = {name: [] for name in calls}
    results: dict[str, np.ndarray] = {}
    for i in range(args.repeats):
        order = [("ours", run_ours), ("formula", run_formula), ("pyfixest", run_pyfixest)]
        order = order[i % 3 :] + order[: i % 3]  # rotate, so that load hits the three alike
        if i < args.lm_repeats:
            order.append(("linearmodels", run_linearmodels))
        for name, fn in order:
            t, out = timed(fn, d)
            times[name].append(t)
            results[name] = out

    assert np.array_equal(results["ours"], results["formula"]), "formula and keyword calls differ"
    others = [name for name in calls if name not in ("ours", "formula")]
    coef_diff = max(float(np.max(np.abs(results["ours"][:2] - results[o][:2]))) for o in others)
    se_rel = {o: float(np.max(np.abs(results["ours"][2:] / results[o][2:] - 1))) for o in others}
    peaks = {name: peak_mb(fn, d) for name, fn in calls.items()}
    data_mb = d.memory_usage(deep=True).sum() / 2**20
    med = {k: statistics.median(v) for k, v in times.items()}

    print(
        f"rows: {len(d):,} ({args.entities:,} entities x {args.periods} periods), data frame {data_mb:.0f} MiB"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print()
    print("| call | median s | runs | ratio to pyfixest | peak MiB (tracemalloc) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in calls:
        label = {
            "ours": "`fit_panel` (ours, keywords)",
            "formula": "`fit_panel` (ours, formula)",
            "pyfixest": "pyfixest `feols` directly",
            "linearmodels": "linearmodels `PanelOLS`",
        }[name]
        print(
            f"| {label} | {med[name]:.2f} | {len(times[name])} | {med[name] / med['pyfixest']:.2f} | {peaks[name]:.0f} |"
        )
    print()
    ratios = [f / k for f, k in zip(times["formula"], times["ours"], strict=True)]
    print(
        f"formula / keyword call: ratio of medians {med['formula'] / med['ours']:.3f}; "
        f"median of per-round ratios {statistics.median(ratios):.3f}; "
        f"formula parsing alone {parse_only(d) * 1e6:.0f} microseconds per call"
    )
    print(f"all runs (s): { {k: [round(x, 2) for x in v] for k, v in times.items()} }")
    print(
        f"max |coef ours - others| = {coef_diff:.1e}; SE rel. diff of ours vs pyfixest default ssc / "
        f"linearmodels debiased+group_debias: {se_rel}"
    )
    print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
