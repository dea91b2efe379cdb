"""Benchmark of the entropy-weight index and the coupling coordination degree (benchmarks/README.md,
"Entropy and coupling indices").

Main case (issue 13 target <= 2 s): 10^6 unit-years, 20 indicators (3 of them negative);
``entropy_weights`` on all 20, and ``coupling_coordination`` with 10 talent and 10 industry indicators.
Each run is a fresh subprocess; wall and CPU time of the call (data already in memory), medians of
--repeat runs, and the process's peak resident memory (CPU time is the steadier number on a shared machine). Also the CLI end to end (`tfp-talent coupling` on a Parquet
file of the same data: read, compute, write).

    .venv/bin/python benchmarks/indices.py [--repeat 5] [--rows 1000000] [--cli]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from tfp_talent.indices import coupling_coordination, entropy_weights
cfg = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
n, m = cfg["rows"], 20
cols = [f"x{j}" for j in range(m)]
data = pd.DataFrame(rng.lognormal(size=(n, m)), columns=cols)
neg = ["x3", "x12", "x17"]
t0, c0 = time.perf_counter(), time.process_time()
if cfg["case"] == "entropy":
    res = entropy_weights(data, cols, neg)
    check = float(res.weights.sum())
else:
    res = coupling_coordination(data, cols[:10], cols[10:], neg)
    check = float(res.table["D"].mean())
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "check": check}))
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
    cpu = statistics.median(o["cpu"] for o in out)
    return {**out[-1], "wall_median": statistics.median(walls), "walls": walls, "cpu_median": cpu}


def run_cli(rows: int, repeat: int) -> list[float]:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    cols = [f"x{j}" for j in range(20)]
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "panel.parquet"
        pd.DataFrame(rng.lognormal(size=(rows, 20)), columns=cols).to_parquet(data)
        cmd = [sys.executable, "-m", "tfp_talent.cli", "coupling", "--data", str(data), "--talent", *cols[:10],
               "--industry", *cols[10:], "--negative", "x3", "x12", "--out", str(Path(tmp) / "cc.parquet")]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        for _ in range(repeat):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT, env=env)
            walls.append(time.perf_counter() - t0)
    return walls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cli", action="store_true", help="also time `tfp-talent coupling` end to end")
    a = ap.parse_args()
    import numpy
    import pandas

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, pandas {pandas.__version__}, load {os.getloadavg()[0]:.1f}"
    )
    print("\n| case | rows x indicators | wall s (median) | runs | CPU s (median) | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for case, label in (
        ("entropy", "entropy_weights, 20 indicators"),
        ("coupling", "coupling_coordination, 10 + 10"),
    ):
        r = run({"case": case, "rows": a.rows}, a.repeat)
        runs = ", ".join(f"{w:.2f}" for w in r["walls"])
        print(
            f"| {label} | {a.rows:,} x 20 | {r['wall_median']:.2f} | {runs} | {r['cpu_median']:.2f} | {r['rss_mib']:.0f} |"
        )
    if a.cli:
        walls = run_cli(a.rows, a.repeat)
        runs = ", ".join(f"{w:.2f}" for w in walls)
        print(f"| `tfp-talent coupling` (Parquet in and out, incl. start-up) | {a.rows:,} x 20 | "
              f"{statistics.median(walls):.2f} | {runs} | | |")  # fmt: skip
    print(f"\nload after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
