"""Benchmark of the fixed-effects spatial panel models (numbers: benchmarks/README.md, spatial section).

Cases (issue 12 targets on 2 cores):
* ``small``: 31 units x 17 periods, SDM, two-way effects, effects with 1,000 draws, all tests (<= 1 s);
* ``large``: N = 3,000 (k-NN, k = 6, row-standardised, random points), T = 20, SDM two-way, 1,000 draws,
  all tests (<= 15 s, <= 4 GiB);
* ``--scale``: SDM two-way, T = 20, N = 250 ... 3,000 with both log-det methods where feasible, to show how
  cost grows with N (dense eigenvalues O(N^3) vs sparse LU per likelihood evaluation plus the dense
  G = W (I - lambda W)^{-1} for the SEs, O(N^2) memory).
Each case runs in a fresh subprocess: wall time of ``fit_spatial_panel`` (median of --repeat runs) and the
peak resident memory of the process.

    .venv/bin/python benchmarks/spatial.py [--repeat 3] [--scale]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree
from tfp_talent.estimators.spatial import fit_spatial_panel
cfg = json.loads(sys.argv[1])
n, t, k = cfg["n"], cfg["t"], 6
rng = np.random.default_rng(0)
pts = rng.uniform(size=(n, 2))
_, idx = cKDTree(pts).query(pts, k=k + 1)
rows = np.repeat(np.arange(n), k)
w = sparse.csr_matrix((np.full(n * k, 1.0 / k), (rows, idx[:, 1:].ravel())), shape=(n, n))
mu = rng.normal(size=n)
x = rng.normal(size=(t, n, 2)) + 0.5 * mu[None, :, None]
wx = np.stack([w @ x[s] for s in range(t)])
rhs = x @ [1.0, -0.5] + wx @ [0.4, 0.2] + mu[None, :] + rng.normal(size=(t, 1))
rhs += rng.normal(scale=0.5, size=(t, n))
lu = sparse.linalg.splu((sparse.identity(n) - 0.4 * w).tocsc())
y = np.stack([lu.solve(rhs[s]) for s in range(t)])
data = pd.DataFrame({"id": np.tile(np.arange(n), t), "t": np.repeat(np.arange(t), n), "y": y.ravel(),
                     "x1": x[..., 0].ravel(), "x2": x[..., 1].ravel()})
t0, c0 = time.perf_counter(), time.process_time()
res = fit_spatial_panel(data, "y", ["x1", "x2"], entity="id", time="t", w=w, w_ids=list(range(n)),
                        model="sdm", effects="twoways", logdet=cfg["logdet"], draws=cfg["draws"], seed=1,
                        tests=cfg["tests"])
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"wall": wall, "cpu": cpu, "rss_mib": rss,
                  "lambda": res.spatial, "method": res.logdet_method}))
"""


def run(cfg: dict, repeat: int) -> dict:
    out = []
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(cfg)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            env=env,
        )
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    walls = [o["wall"] for o in out]
    return {**cfg, **out[-1], "wall_median": statistics.median(walls), "walls": walls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", action="store_true")
    args = parser.parse_args()
    cases = [
        {"case": "small", "n": 31, "t": 17, "logdet": "auto", "draws": 1000, "tests": True},
        {"case": "large", "n": 3000, "t": 20, "logdet": "auto", "draws": 1000, "tests": True},
    ]
    if args.scale:
        for n in (250, 500, 1000, 2000):
            cases.append(
                {
                    "case": f"scale-eigen-{n}",
                    "n": n,
                    "t": 20,
                    "logdet": "eigen",
                    "draws": 1000,
                    "tests": False,
                }
            )
        for n in (250, 500, 1000, 2000, 3000):
            cases.append(
                {"case": f"scale-lu-{n}", "n": n, "t": 20, "logdet": "lu", "draws": 1000, "tests": False}
            )
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    for cfg in cases:
        res = run(cfg, args.repeat)
        print(
            f"{res['case']:<18} N={res['n']:>5} T={res['t']:>3} {res['method']:<6} tests={res['tests']!s:<5} "
            f"wall {res['wall_median']:7.2f} s (runs {', '.join(f'{w:.2f}' for w in res['walls'])}) "
            f"cpu {res['cpu']:7.2f} s "
            f"load {os.getloadavg()[0]:.1f} "
            f"peak RSS {res['rss_mib']:7.0f} MiB  lambda {res['lambda']:.4f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
