"""Benchmark of dynamic-panel GMM (numbers go to benchmarks/README.md, "Dynamic panel GMM").

Cases (issue 13 targets): EmplUK two-step system GMM, Blundell-Bond (1998) specification, non-collapsed
(113 instruments; target <= 0.5 s); simulated 10,000 firms x 10 years two-step system GMM, collapsed
(target <= 20 s, <= 4 GiB); growth with N (2,500 / 5,000 / 10,000 at T = 10) and T (6 / 10 / 15 at
N = 10,000), and one non-collapsed 10,000 x 10 run. Each configuration runs in a fresh subprocess
(wall time of the ``fit_gmm`` call, median of --repeat runs; peak resident memory of the process).
``fit_gmm`` limits BLAS to one thread itself (threadpoolctl); ``--blas-threads N`` sets OPENBLAS_NUM_THREADS
for comparison (the limit inside fit_gmm still applies to the calls it wraps).

    .venv/bin/python benchmarks/gmm.py [--repeat 3] [--quick]
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
from tfp_talent.estimators.gmm import fit_gmm
cfg = json.loads(sys.argv[1])
if cfg["data"] == "empluk":
    import pyreadr
    d = pyreadr.read_r(cfg["path"])["EmplUK"]
    d = d.assign(n=np.log(d.emp), w=np.log(d.wage), k=np.log(d.capital))
    args = dict(formula="n ~ L.n + L(0:1).w + L(0:1).k", entity="firm", time="year",
                gmm="L(2:99).n + L(2:99).w + L(2:99).k")
else:
    n, t, burn = cfg["n"], cfg["t"], 30
    rng = np.random.default_rng(0)
    a = rng.normal(size=n)
    x1, x2, y = (np.zeros((n, t + burn)) for _ in range(3))
    for s in range(1, t + burn):
        x1[:, s] = 0.5 * x1[:, s - 1] + 0.5 * a + rng.normal(size=n)
        x2[:, s] = 0.3 * x2[:, s - 1] + rng.normal(size=n)
        y[:, s] = 0.5 * y[:, s - 1] + x1[:, s] - 0.5 * x2[:, s] + a + rng.normal(size=n)
    d = pd.DataFrame({"id": np.repeat(np.arange(n), t), "year": np.tile(np.arange(2000, 2000 + t), n),
                      "y": y[:, burn:].ravel(), "x1": x1[:, burn:].ravel(), "x2": x2[:, burn:].ravel()})
    args = dict(formula="y ~ L.y + x1 + x2", entity="id", time="year", gmm="L(2:99).y + L(1:99).x1 + L(1:99).x2", iv={})
import warnings
warnings.simplefilter("ignore")
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t0 = time.perf_counter()
res = fit_gmm(d, **args, transformation="ld", model="twostep", collapse=cfg["collapse"])
wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_before_fit_mib": rss0, "nobs": res.nobs, "nobs_levels": res.nobs_levels,
                  "n_instruments": res.n_instruments, "rho": float(res.params.iloc[0])}))
"""


def run(cfg: dict, repeat: int, threads: str | None) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = threads
    out = []
    for _ in range(repeat):
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(cfg)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=True,
        )
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    walls = [o["wall"] for o in out]
    return {
        **out[-1],
        "wall_median": statistics.median(walls),
        "walls": walls,
        "threads": threads or "default",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="EmplUK and 10,000 x 10 collapsed only")
    ap.add_argument("--blas-threads", default=None, help="OPENBLAS_NUM_THREADS for the child processes")
    opts = ap.parse_args()
    empl = {"data": "empluk", "path": str(ROOT / "data/raw/reference-panels/EmplUK.rda"), "collapse": False}
    cases = [("EmplUK 140 x 9, BB (1998) spec, not collapsed", empl, max(5, opts.repeat))]
    sims = [(10_000, 10, True)]
    if not opts.quick:
        sims += [
            (2_500, 10, True),
            (5_000, 10, True),
            (10_000, 6, True),
            (10_000, 15, True),
            (10_000, 10, False),
        ]
    for n, t, col in sims:
        cases.append(
            (
                f"simulated {n:,} x {t}, {'collapsed' if col else 'not collapsed'}",
                {"data": "sim", "n": n, "t": t, "collapse": col},
                opts.repeat,
            )
        )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    blas = opts.blas_threads or "fit_gmm's limit (1)"
    print(f"# {platform.machine()}, Python {platform.python_version()}, BLAS threads {blas}, load {load}")
    print(
        "| case | instruments | rows (diff + levels) | wall s (median) | peak RSS MiB | RSS before fit MiB |"
    )
    print("|---|---|---|---|---|---|")
    for label, cfg, rep in cases:
        r = run(cfg, rep, opts.blas_threads)
        print(
            f"| {label} | {r['n_instruments']} | {r['nobs']:,} + {r['nobs_levels']:,} | "
            f"{r['wall_median']:.2f} | {r['rss_mib']:.0f} | {r['rss_before_fit_mib']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
