"""Benchmark: WCR bootstrap (tfp_talent.estimators.wild_bootstrap) against wildboottest 0.3.2.

Two problems, both simulated (seed 0), three regressors (constant included), H0: β_1 = 0:
  * provincial: N = 527 rows, G = 31 clusters, B = 9,999 Webb weights (target <= 1 s);
  * large: N = 10^6 rows, G = 1,000 clusters, B = 999 Webb weights (target <= 10 s).
Times are wall-clock medians over ``--repeats`` runs of the whole call (cluster blocks, bootstrap,
p-value; with and without the test-inversion confidence interval), after the imports. wildboottest runs
``WildboottestCL`` (type "11", null imposed, ``parallel=False``) from construction to
p-value; its numba kernel is compiled inside every ``get_denom`` call, so its times include
that compilation, as any user's call does.

    .venv/bin/python benchmarks/wild_bootstrap.py [--repeats 3] [--skip-large]

Prints a Markdown table for the "Wild cluster bootstrap" section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np


def simulate(n: int, n_clusters: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    cl = np.sort(rng.integers(0, n_clusters, n))
    cl_effect = rng.normal(size=n_clusters)
    x1 = rng.normal(size=n) + rng.normal(size=n_clusters)[cl]
    x2 = rng.normal(size=n)
    X = np.column_stack([np.ones(n), x1, x2])
    y = 1.0 + 0.5 * x2 + cl_effect[cl] + rng.normal(size=n)
    return y, X, cl


def ours(y: np.ndarray, X: np.ndarray, cl: np.ndarray, reps: int, conf_int: bool) -> float:
    from tfp_talent.estimators.wild_bootstrap import wild_cluster_bootstrap

    res = wild_cluster_bootstrap(
        y, X, cl, np.array([0.0, 1.0, 0.0]), seed=1, reps=reps, weights="webb", conf_int=conf_int
    )
    return res.p_value


def theirs(y: np.ndarray, X: np.ndarray, cl: np.ndarray, reps: int) -> float:
    from wildboottest.wildboottest import WildboottestCL

    wb = WildboottestCL(X=X, Y=y, cluster=cl, R=np.array([0.0, 1.0, 0.0]), B=reps, seed=1, parallel=False)
    wb.get_scores(bootstrap_type="11", impose_null=True)
    wb.get_weights(weights_type="webb")
    wb.get_numer()
    wb.get_denom()
    wb.get_tboot()
    wb.get_vcov()
    wb.get_tstat()
    wb.get_pvalue(pval_type="two-tailed")
    return float(wb.pvalue)


def median_time(fn: Callable[[], float], repeats: int) -> tuple[float, float]:
    times, value = [], float("nan")
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-large", action="store_true")
    args = ap.parse_args()
    problems = [("provincial", 527, 31, 9999)]
    if not args.skip_large:
        problems.append(("large", 1_000_000, 1000, 999))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}, numpy {np.__version__}")
    cols = ["problem", "N", "G", "B", "ours, p only (s)", "ours, p + 95 % CI (s)", "wildboottest (s)"]
    cols += ["ratio wildboottest / ours", "p ours", "p wildboottest"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    import wildboottest.wildboottest  # noqa: F401  (imports, numba included, are not timed)

    ours(*simulate(100, 5), reps=9, conf_int=True)
    for name, n, g, reps in problems:
        y, X, cl = simulate(n, g)
        t_p, p_ours = median_time(partial(ours, y, X, cl, reps, False), args.repeats)
        t_ci, _ = median_time(partial(ours, y, X, cl, reps, True), args.repeats)
        t_wb, p_wb = median_time(partial(theirs, y, X, cl, reps), args.repeats if n < 10**5 else 1)
        row = [name, f"{n:,}", f"{g:,}", f"{reps:,}", f"{t_p:.3f}", f"{t_ci:.3f}", f"{t_wb:.2f}"]
        row += [f"{t_wb / t_p:.0f}", f"{p_ours:.4f}", f"{p_wb:.4f}"]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
