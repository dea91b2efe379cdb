"""Benchmark of the whole workflow: from clean data/processed and reports/ to the report, then a no-op rerun.

    .venv/bin/python benchmarks/workflow.py              # full run + no-op rerun (-c2)
    .venv/bin/python benchmarks/workflow.py --cores 1    # on one core
    .venv/bin/python benchmarks/workflow.py --repeat 3   # three clean runs (median and range)
    .venv/bin/python benchmarks/workflow.py --snakemake-args="--scheduler ilp"   # compare a setting

Snakemake runs with ``--profile profiles/local`` (what ``run.py workflow`` uses) unless ``--no-profile``.

Runs in a temporary copy of the workflow files (Snakefile, workflow/, config/, the report
template; src/ and data/raw/ linked), so the repository's outputs are not touched. Prints the
wall and CPU time of the full run (CPU = user + system seconds of Snakemake and all job
processes), the wall time of a second run that has nothing to do, the load average, and
per-stage sums of the Snakemake ``benchmark:`` records of the study rules (wall and CPU seconds
per job), which show where the time goes.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def tree(work: Path) -> None:
    shutil.copy(ROOT / "Snakefile", work / "Snakefile")
    shutil.copytree(ROOT / "workflow", work / "workflow")
    shutil.copytree(ROOT / "config", work / "config")
    shutil.copytree(ROOT / "profiles", work / "profiles")
    shutil.copytree(ROOT / "reports" / "templates", work / "reports" / "templates")
    (work / "src").symlink_to(ROOT / "src")
    (work / "data").mkdir()
    (work / "data" / "raw").symlink_to(ROOT / "data" / "raw")


def _children_cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def run(work: Path, cores: int, *extra: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system of Snakemake and every job process) and output of one run."""
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run([str(SNAKEMAKE), f"-c{cores}", *extra], cwd=work, capture_output=True, text=True)
    dt, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if proc.returncode != 0:
        sys.exit(f"snakemake failed:\n{proc.stderr[-3000:]}")
    return dt, cpu, proc.stderr + proc.stdout


def stage_sums(work: Path) -> dict[str, tuple[int, float, float]]:
    sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for f in sorted((work / "logs" / "benchmarks").glob("*.tsv")):
        rows = list(csv.DictReader(f.open(encoding="utf-8"), delimiter="\t"))
        if not rows:
            continue
        stage = f.stem.split("_", 1)[0]
        sums[stage][0] += 1
        sums[stage][1] += float(rows[-1]["s"])
        sums[stage][2] += float(rows[-1].get("cpu_time") or 0.0)
    return {k: (int(v[0]), v[1], v[2]) for k, v in sums.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="clean runs (each in a new directory)")
    ap.add_argument("--no-profile", action="store_true", help="plain snakemake -cN, without profiles/local")
    ap.add_argument("--snakemake-args", default="", help="extra Snakemake arguments, e.g. '--scheduler ilp'")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    extra = ([] if args.no_profile else ["--profile", "profiles/local"]) + args.snakemake_args.split()
    walls: list[float] = []
    for i in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="tfp_talent_bench_"))
        try:
            tree(work)
            load0 = os.getloadavg()
            full, full_cpu, _ = run(work, args.cores, *extra)
            load1 = os.getloadavg()
            walls.append(full)
            print(
                f"run {i + 1}: full run (-c{args.cores} {' '.join(extra)}, clean data/processed and reports/): "
                f"{full:.1f} s wall, {full_cpu:.1f} s CPU  (load avg before {load0[0]:.1f}, after {load1[0]:.1f})"
            )
            if i < args.repeat - 1:
                continue
            noop, _, out = run(work, args.cores, *extra)
            assert "Nothing to be done" in out, out[-500:]
            dry, _, _ = run(work, args.cores, *extra, "-n")
            print(f"no-op rerun:  {noop:.1f} s")
            print(f"dry run (-n): {dry:.1f} s")
            print(
                "study jobs (Snakemake benchmark records): stage, jobs, wall s (sum), cpu s (sum), cpu s per job"
            )
            for stage, (n, wall, cpu) in sorted(stage_sums(work).items()):
                print(f"  {stage:10s} {n:3d} {wall:8.1f} {cpu:8.1f} {cpu / n:6.2f}")
        finally:
            if args.keep:
                print(f"kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    if len(walls) > 1:
        ordered = sorted(walls)
        print(
            f"median of {len(walls)} runs: {ordered[len(ordered) // 2]:.1f} s (range {ordered[0]:.1f}-{ordered[-1]:.1f} s)"
        )


if __name__ == "__main__":
    main()
