"""SLURM benchmarks (issue 14) on a running cluster, e.g. the single node of `.ci/slurm_cluster.sh start`.

    eval "$(.ci/slurm_cluster.sh env)"                 # SLURM_CONF of the test cluster
    .venv/bin/python benchmarks/slurm.py                # workflow, sbatch and shards
    .venv/bin/python benchmarks/slurm.py --only shards

workflow  the whole workflow from clean, in two copies of the project (workflow files, config and the
          report template copied; src/ and data/raw/ linked): `--profile profiles/local` and
          `--profile profiles/slurm`; wall seconds of each; the outputs compared file by file (SHA-256 of
          everything under data/processed/ and reports/, the report without its run-time lines:
          .ci/output_digests.py).
sbatch    profiles/slurm/run_workflow.sbatch submitted with `sbatch --wait -c 2` in a third copy: wall
          seconds from submission to the job's end, against the local run; outputs compared too.
shards    triple threshold on data/raw/hansen1999/hansen1999.dta (grid 400, 3 x 3,000 replications):
          one 1-CPU job running every replication, against a 16-task job array (`tfp-talent threshold
          --shard i/16`, 1 CPU each) followed by `threshold-combine`; speed-up = one job's wall / the
          sharded wall (submission to the last task's end, plus the combine step; `sbatch --wait`'s own
          polling delay is not counted); overhead per shard = (sum of the 16 task walls - the one job's
          task wall) / 16, i.e. the start-up and point estimation each shard repeats.
          The combined file must equal the one job's, byte for byte.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HANSEN = ROOT / "data" / "raw" / "hansen1999" / "hansen1999.dta"
THRESHOLD = [
    "--data", str(HANSEN), "--entity", "id", "--time", "year", "--y", "i", "--x", "q1", "q2", "q3", "d1", "qd1",
    "--rx", "c1", "--qx", "d1", "--thresholds", "3", "--trim", "0.01", "0.01", "0.05", "--grid", "400",
    "--bootstrap", "3000", "3000", "3000", "--seed", "1", "--quiet",
]  # fmt: skip
N_SHARDS = 16


def _digests(work: Path) -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("output_digests", ROOT / ".ci" / "output_digests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.output_digests(work)


def _tree(work: Path) -> Path:
    work.mkdir(parents=True)
    shutil.copy(ROOT / "Snakefile", work / "Snakefile")
    for name in ("workflow", "config", "profiles"):
        shutil.copytree(ROOT / name, work / name)
    shutil.copytree(ROOT / "reports" / "templates", work / "reports" / "templates")
    (work / "src").symlink_to(ROOT / "src")
    (work / "data").mkdir()
    (work / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    return work


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_env(), check=False)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{(proc.stdout + proc.stderr)[-3000:]}")
    return time.perf_counter() - t0


def bench_workflow(tmp: Path, with_sbatch: bool) -> None:
    local = _tree(tmp / "local")
    t_local = _timed([str(BIN / "snakemake"), "--profile", "profiles/local"], local)
    want = _digests(local)
    cluster = _tree(tmp / "slurm")
    t_slurm = _timed([str(BIN / "snakemake"), "--profile", "profiles/slurm"], cluster)
    same = _digests(cluster) == want
    print(
        f"| whole workflow, --profile profiles/local (2 cores) | {t_local:.1f} | reference ({len(want)} files) |"
    )
    print(
        f"| whole workflow, --profile profiles/slurm | {t_slurm:.1f} | {'identical' if same else 'DIFFERENT'} |"
    )
    if with_sbatch:
        batch = _tree(tmp / "sbatch")
        script = batch / "profiles" / "slurm" / "run_workflow.sbatch"
        t_batch = _timed(["sbatch", "--wait", "-c", "2", str(script)], batch)
        same = _digests(batch) == want
        print(
            f"| whole workflow as one job, `sbatch --wait -c 2 run_workflow.sbatch` | {t_batch:.1f} "
            f"| {'identical' if same else 'DIFFERENT'}; {t_batch / t_local:.2f}x the local run |"
        )


def _script(path: Path, cmd: list[str], stamp: str) -> Path:
    """A batch script running ``cmd`` and writing its start and end time (epoch seconds) to ``stamp``."""
    body = " ".join(shlex.quote(c) if "$" not in c else f'"{c}"' for c in cmd)
    path.write_text(f'#!/bin/bash\nset -e\ns=$(date +%s.%N)\n{body}\necho "$s $(date +%s.%N)" > "{stamp}"\n')
    return path


def _stamps(files: list[Path]) -> list[tuple[float, float]]:
    return [tuple(map(float, f.read_text().split())) for f in files]


def bench_shards(tmp: Path) -> None:
    cli = str(BIN / "tfp-talent")
    sbatch = ["sbatch", "--wait", "-c", "1", "--mem", "2000", "-t", "30"]
    one = tmp / "one.json"
    script = _script(tmp / "one.sh", [cli, "threshold", *THRESHOLD, "--out", str(one)], str(tmp / "t_one"))
    t0 = time.time()
    _timed([*sbatch, "-o", str(tmp / "one.log"), str(script)], tmp)
    ((s_one, e_one),) = _stamps([tmp / "t_one"])

    task = "${SLURM_ARRAY_TASK_ID}"
    cmd = [cli, "threshold", *THRESHOLD, "--shard", f"{task}/{N_SHARDS}", "--out", f"{tmp}/shard_{task}.json"]
    script = _script(tmp / "shard.sh", cmd, f"{tmp}/t_{task}")
    t1 = time.time()
    _timed([*sbatch, f"--array=1-{N_SHARDS}", "-o", str(tmp / "shard_%a.log"), str(script)], tmp)
    stamps = _stamps([tmp / f"t_{i}" for i in range(1, N_SHARDS + 1)])
    shards = [str(tmp / f"shard_{i}.json") for i in range(1, N_SHARDS + 1)]
    combined = tmp / "combined.json"
    t2 = time.time()
    _timed([cli, "threshold-combine", *shards, "--out", str(combined)], tmp)
    t_combine = time.time() - t2
    same = combined.read_bytes() == one.read_bytes()
    # submission -> last task end (+ combine): sbatch --wait's own polling delay is not counted
    span_one = e_one - t0
    span_sharded = max(e for _, e in stamps) - t1 + t_combine
    tasks = [e - s for s, e in stamps]
    per_shard = (sum(tasks) - (e_one - s_one)) / N_SHARDS
    print(f"| threshold 3 x 3,000 reps, one 1-CPU job | {span_one:.1f} | task {e_one - s_one:.1f} s |")
    print(
        f"| threshold 3 x 3,000 reps, {N_SHARDS}-task array (1 CPU each) + combine | {span_sharded:.1f} "
        f"| speed-up {span_one / span_sharded:.2f}x; tasks {min(tasks):.1f}-{max(tasks):.1f} s (sum {sum(tasks):.1f}); "
        f"overhead {per_shard:.2f} s per shard; combine {t_combine:.1f} s; combined file {'identical' if same else 'DIFFERENT'} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=("workflow", "sbatch", "shards"))
    a = ap.parse_args()
    if not os.environ.get("SLURM_CONF") and shutil.which("sinfo") is None:
        sys.exit(
            'no SLURM cluster: start one with .ci/slurm_cluster.sh start and eval "$(.ci/slurm_cluster.sh env)"'
        )
    nodes = subprocess.run(
        ["sinfo", "-h", "-o", "%P %c %m %T"], capture_output=True, text=True
    ).stdout.strip()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"sinfo (partition CPUs MB state): {nodes}; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("\n| case | wall s | outputs / notes |\n|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="tfp_slurm_bench_", dir="/tmp") as tmp:
        if a.only in (None, "workflow", "sbatch"):
            bench_workflow(Path(tmp) / "wf", with_sbatch=a.only != "workflow")
        if a.only in (None, "shards"):
            (Path(tmp) / "thr").mkdir()
            bench_shards(Path(tmp) / "thr")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
