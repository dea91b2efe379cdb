"""Scale benchmark of the estimator CLI (issue 6, item 6); numbers go to benchmarks/README.md, "Scale (CLI)".

Each case writes a simulated balanced panel to a temporary Parquet file and times one
``tfp-talent`` command on it in a fresh process, as a user would run it:

* ``panel``: two-way fixed effects, SEs clustered by entity
  (``tfp-talent panel --model fe --effects twoway --cov clustered``), T = 10;
* ``threshold``: Hansen (1999) single threshold, grid 400, 100 bootstrap replications,
  2 processes (``tfp-talent threshold --bootstrap 100 --jobs 2``), T = 10;
* ``malmquist``: output-oriented CRS DEA-Malmquist, contemporaneous frontier, no VRS split
  (``tfp-talent tfp --method malmquist``), T = 10 (LP-bound: smaller sizes).

Time = wall clock of the whole command (interpreter start-up, reading the file, estimating,
writing the result); ``start-up`` is the same for ``tfp-talent <cmd> --help`` and is
reported once. Peak memory = the maximum resident set size of the command's process tree
as reported by ``/usr/bin/time -v`` (the largest single process: for ``--jobs 2`` the main
process or a worker, whichever is larger), or ``getrusage(RUSAGE_CHILDREN)`` without it.
The simulated data are seeded (numpy default_rng(0)). The machine is shared: the 1-minute
load average before each run is printed with it.

    .venv/bin/python benchmarks/scale.py                 # default sizes (about 5-8 minutes)
    .venv/bin/python benchmarks/scale.py --quick         # 10^4 rows only
    .venv/bin/python benchmarks/scale.py --only panel --rows 1e7
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = [str(BIN / "tfp-talent")] if (BIN / "tfp-talent").exists() else [sys.executable, "-m", "tfp_talent.cli"]
TIME_V = Path("/usr/bin/time").exists()
T = 10

#: rows per method (default run); 10^7 for panel and threshold is the "one bigger size"
DEFAULT_ROWS = {
    "panel": [10**4, 10**5, 10**6, 10**7],
    "threshold": [10**4, 10**5, 10**6, 10**7],
    "malmquist": [10**3, 10**4, 3 * 10**4],
}


def simulate(kind: str, rows: int, seed: int = 0) -> pd.DataFrame:
    """Balanced N x T panel (N = rows / T) with known structure for each estimator."""
    rng = np.random.default_rng(seed)
    n = rows // T
    ids = np.repeat(np.arange(n, dtype=np.int64), T)
    year = np.tile(np.arange(2000, 2000 + T, dtype=np.int64), n)
    mu = np.repeat(rng.normal(size=n), T)
    if kind == "panel":
        x1, x2 = rng.normal(size=rows) + mu, rng.normal(size=rows)
        y = mu + 0.1 * (year - 2000) + 0.5 * x1 - 0.3 * x2 + rng.normal(size=rows)
        return pd.DataFrame({"id": ids, "year": year, "y": y, "x1": x1, "x2": x2})
    if kind == "threshold":
        x, r, q = rng.normal(size=rows) + mu, rng.normal(size=rows), rng.uniform(size=rows)
        y = mu + 0.5 * x + np.where(q <= 0.4, 1.0, 0.8) * r + rng.normal(size=rows)
        return pd.DataFrame({"id": ids, "year": year, "y": y, "x": x, "r": r, "q": q})
    # malmquist: Cobb-Douglas frontier with technical progress and inefficiency
    k = np.exp(rng.normal(2.0, 0.5, size=rows))
    lab = np.exp(rng.normal(1.0, 0.5, size=rows))
    ineff = np.exp(-np.abs(rng.normal(0.0, 0.2, size=rows)))
    out = np.exp(0.02 * (year - 2000)) * k**0.4 * lab**0.6 * ineff
    return pd.DataFrame({"id": ids, "year": year, "Y": out, "K": k, "L": lab})


def command(kind: str, data: Path, out: Path) -> list[str]:
    common = ["--data", str(data), "--entity", "id", "--time", "year"]
    if kind == "panel":
        return [*CLI, "panel", *common, "--y", "y", "--x", "x1", "x2", "--model", "fe", "--effects", "twoway",
                "--cov", "clustered", "--cluster", "entity", "--out", str(out)]  # fmt: skip
    if kind == "threshold":
        return [*CLI, "threshold", *common, "--y", "y", "--x", "x", "--rx", "r", "--qx", "q", "--thresholds", "1",
                "--grid", "400", "--bootstrap", "100", "--seed", "1", "--jobs", "2", "--quiet", "--out", str(out)]  # fmt: skip
    return [*CLI, "tfp", "--method", "malmquist", *common, "--output", "Y", "--capital", "K", "--labor", "L",
            "--out", str(out)]  # fmt: skip


def timed(cmd: list[str]) -> dict:
    """Run ``cmd``; wall seconds and peak RSS (MiB) of its process tree."""
    load = os.getloadavg()[0]
    full = ["/usr/bin/time", "-v", *cmd] if TIME_V else cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(full, capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if m:
        rss = int(m.group(1)) / 1024
    else:
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rss = after / 1024 if after > before else float("nan")
    return {"wall_s": wall, "peak_rss_mib": rss, "load_1min": load}


def startup(kind: str) -> float:
    sub = "tfp" if kind == "malmquist" else kind
    t0 = time.perf_counter()
    subprocess.run([*CLI, sub, "--help"], capture_output=True, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=sorted(DEFAULT_ROWS), action="append", help="run only these estimators")
    ap.add_argument("--rows", type=float, nargs="+", help="row counts (override the defaults)")
    ap.add_argument("--quick", action="store_true", help="10^4 rows only")
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args()

    kinds = args.only or list(DEFAULT_ROWS)
    mem = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    print(f"# machine: {platform.machine()}, {os.cpu_count()} cores, {mem / 2**20:.1f} GiB, Python {platform.python_version()}, "
          f"{platform.platform()}; peak memory via {'/usr/bin/time -v' if TIME_V else 'getrusage'}")  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory(prefix="tfp_scale_") as tmp:
        for kind in kinds:
            sizes = (
                [10**4] if args.quick else [int(r) for r in args.rows] if args.rows else DEFAULT_ROWS[kind]
            )
            print(f"\n## {kind} (start-up, `--help`: {startup(kind):.2f} s)")
            print("| rows | N x T | file MiB | wall s | peak RSS MiB | load |")
            print("|---|---|---|---|---|---|")
            for rows in sizes:
                frame = simulate(kind, rows)
                data = Path(tmp) / f"{kind}_{rows}.parquet"
                frame.to_parquet(data, index=False)
                del frame
                out = Path(tmp) / f"{kind}_{rows}.{'csv' if kind == 'malmquist' else 'json'}"
                r = timed(command(kind, data, out))
                r |= {
                    "kind": kind,
                    "rows": rows,
                    "n": rows // T,
                    "t": T,
                    "file_mib": data.stat().st_size / 2**20,
                }
                results.append(r)
                print(f"| {rows:,} | {rows // T:,} x {T} | {r['file_mib']:.1f} | {r['wall_s']:.2f} | {r['peak_rss_mib']:.0f} | "
                      f"{r['load_1min']:.1f} |", flush=True)  # fmt: skip
                data.unlink()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
