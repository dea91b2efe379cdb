"""Benchmark of the Hansen (1999) panel threshold model (numbers go to benchmarks/README.md, "Threshold model").

Main case (issue 4 target <= 10 s on 2 cores): triple threshold on hansen1999.dta (565 x 14), grid 400,
trims 0.01 0.01 0.05, 300 bootstrap replications per test (900 in all), with 1 and 2 processes.
Each configuration runs in a fresh subprocess (wall time of the estimation call, median of --repeat runs;
peak resident memory of the process and of its bootstrap workers).

``--scale`` adds simulated balanced panels of 10^4, 10^5 and 10^6 rows (T = 10), single threshold,
grid 400, 100 replications, 2 processes (issue 6, item 6).

    .venv/bin/python benchmarks/threshold.py [--repeat 3] [--scale]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from tfp_talent.estimators.threshold import threshold_fit
cfg = json.loads(sys.argv[1])
if cfg["data"] == "hansen":
    data = pd.read_stata(cfg["path"])
    args = (data, "i", ["q1", "q2", "q3", "d1", "qd1"], "c1", "d1", "id", "year")
else:
    rng = np.random.default_rng(0)
    n, t = cfg["n"], cfg["t"]
    mu = rng.normal(size=(n, 1))
    x, r, q = rng.normal(size=(n, t)) + mu, rng.normal(size=(n, t)), rng.uniform(size=(n, t))
    y = mu + 0.5 * x + np.where(q <= 0.4, 1.0, 0.8) * r + rng.normal(size=(n, t))
    data = pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                         "y": y.ravel(), "x": x.ravel(), "r": r.ravel(), "q": q.ravel()})
    args = (data, "y", ["x"], "r", "q", "id", "t")
t0 = time.perf_counter()
res = threshold_fit(*args, n_thresholds=cfg["k"], trim=cfg["trim"], grid=400, bootstrap=cfg["boot"], seed=1,
                    transform="within", n_jobs=cfg["jobs"], progress=False)
wall = time.perf_counter() - t0
mib = lambda who: resource.getrusage(who).ru_maxrss / 1024
print(json.dumps({"wall": wall, "rss_mib": mib(resource.RUSAGE_SELF), "children_rss_mib": mib(resource.RUSAGE_CHILDREN),
                  "f_stat": res.f_stat, "p_value": res.p_value, "nobs": res.nobs}))
"""


def run(cfg: dict, repeat: int) -> dict:
    out = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(cfg)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    walls = [o["wall"] for o in out]
    return {**out[-1], "wall_median": statistics.median(walls), "walls": walls}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", action="store_true")
    a = ap.parse_args()
    import os

    import numpy

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {numpy.__version__}"
    )
    dta = str(ROOT / "data" / "raw" / "hansen1999" / "hansen1999.dta")
    print("\n| case | processes | wall s (median) | runs | peak RSS MiB (main / workers) | F1, F2, F3 |")
    print("|---|---|---|---|---|---|")
    for jobs in (1, 2):
        cfg = {"data": "hansen", "path": dta, "k": 3, "trim": [0.01, 0.01, 0.05], "boot": 300, "jobs": jobs}
        r = run(cfg, a.repeat)
        fs = ", ".join(f"{v:.2f}" for v in r["f_stat"].values())
        print(
            f"| hansen1999.dta triple threshold, grid 400, 3 x 300 reps | {jobs} | {r['wall_median']:.2f} | "
            f"{', '.join(f'{w:.2f}' for w in r['walls'])} | {r['rss_mib']:.0f} / {r['children_rss_mib']:.0f} | {fs} |"
        )
    if a.scale:
        print("\n| rows (N x T) | processes | wall s | peak RSS MiB (main / workers) |")
        print("|---|---|---|---|")
        for n in (1_000, 10_000, 100_000):
            cfg = {"data": "sim", "n": n, "t": 10, "k": 1, "trim": [0.01], "boot": 100, "jobs": 2}
            r = run(cfg, 1)
            print(
                f"| {n * 10:,} ({n:,} x 10) | 2 | {r['wall_median']:.2f} | {r['rss_mib']:.0f} / {r['children_rss_mib']:.0f} |"
            )


if __name__ == "__main__":
    main()
