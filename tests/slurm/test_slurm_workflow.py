"""The workflow on a real SLURM cluster: profiles/slurm gives the local profile's outputs, byte for byte (issue 14).

Reference: the same targets built with ``--profile profiles/local`` in a second copy of the project; every
file under data/processed/ and reports/ must have the same SHA-256 (.ci/output_digests.py). The targets are
representative of every stage: the data stage (panel), one TFP method (the DEA-Malmquist LPs, a cluster
job), the threshold spec whose bootstrap is sharded into cluster jobs (config ``bootstrap.shards``) and
combined, and the table built from it. Also checked: only the heavy rules (tfp_method, threshold_shard) go
to the cluster, and every sbatch command line carries memory, time limit, CPUs and the partition given
through the environment (TFP_SLURM_PARTITION; profiles/slurm). The README's other way, the whole
workflow as one job (`sbatch profiles/slurm/run_workflow.sbatch`), must give the same bytes too.

Needs a running cluster: ``.ci/slurm_cluster.sh start`` (root; installs Debian's slurm-wlm and munge when
missing) and ``SLURM_CONF`` pointing at its slurm.conf - ``.ci/run`` does both and stops the daemons by
PID afterwards. Without a reachable cluster the test is skipped with that message; with
``TFP_SLURM_REQUIRED=1`` (set by ``.ci/run``) a missing cluster is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
TARGETS = [
    "data/processed/panel.parquet",
    "data/processed/tfp_malmquist.parquet",
    "reports/results/threshold.json",
    "reports/tables/threshold.md",
]
CLUSTER_RULES = {"tfp_method", "threshold_shard"}
SBATCH = re.compile(r"^\s*sbatch call: (sbatch .*)$", re.MULTILINE)
RULE = re.compile(r"--comment '?rule_(\w+?)(?:_wildcards_|'|\s|$)")


def _load_digests():
    spec = importlib.util.spec_from_file_location("output_digests", ROOT / ".ci" / "output_digests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.output_digests


@pytest.fixture(scope="module")
def partition() -> str:
    """The default partition of the running cluster (skip, or fail under TFP_SLURM_REQUIRED, without one)."""
    why = None
    if not os.environ.get("SLURM_CONF"):
        why = "SLURM_CONF is not set"
    elif shutil.which("sinfo") is None:
        why = "sinfo is not installed"
    else:
        proc = subprocess.run(["sinfo", "-h", "-o", "%P %T"], capture_output=True, text=True, check=False)
        rows = [line.split() for line in proc.stdout.splitlines() if line.strip()]
        idle = [p.rstrip("*") for p, state in rows if p.endswith("*") and state in ("idle", "mixed")]
        if proc.returncode != 0 or not idle:
            why = f"no idle default partition (sinfo: {proc.stdout.strip() or proc.stderr.strip()})"
        else:
            return idle[0]
    message = f"no SLURM cluster ({why}); start one with `.ci/slurm_cluster.sh start` (root) as .ci/run does"
    if os.environ.get("TFP_SLURM_REQUIRED") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _project(dest: Path) -> Path:
    """A working directory: data/raw linked (read only), config and report templates copied."""
    (dest / "data").mkdir(parents=True)
    (dest / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    shutil.copytree(ROOT / "config", dest / "config")
    shutil.copytree(ROOT / "reports" / "templates", dest / "reports" / "templates")
    return dest


def _snakemake(
    work: Path, profile: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    cmd = [
        str(SNAKEMAKE),
        "-s",
        str(ROOT / "Snakefile"),
        "-d",
        str(work),
        "--profile",
        str(ROOT / "profiles" / profile),
    ]
    return subprocess.run(
        [*cmd, *args, *TARGETS],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def local_digests(tmp_path_factory, partition) -> dict[str, str]:
    """SHA-256 of the targets' outputs built with --profile profiles/local (the reference)."""
    local = _project(tmp_path_factory.mktemp("local"))
    run = _snakemake(local, "local")
    assert run.returncode == 0, run.stderr[-3000:]
    digests = _load_digests()(local)
    assert set(digests) >= {*TARGETS, "reports/tables/threshold.tex", "reports/tables/threshold.html"}
    return digests


@pytest.mark.slow
def test_slurm_profile_outputs_equal_local(tmp_path, partition, local_digests):
    cluster = _project(tmp_path / "slurm")
    run_slurm = _snakemake(cluster, "slurm", "--verbose", env={"TFP_SLURM_PARTITION": partition})
    log = run_slurm.stdout + run_slurm.stderr
    assert run_slurm.returncode == 0, log[-5000:]
    assert _load_digests()(cluster) == local_digests  # byte-identical outputs, file for file

    calls = SBATCH.findall(log)
    rules = [m.group(1) for m in map(RULE.search, calls) if m]
    assert len(rules) == len(calls), calls
    assert set(rules) == CLUSTER_RULES  # tables, the report, the data stage... stay local (localrules)
    assert rules.count("threshold_shard") == 4  # config bootstrap.shards
    assert rules.count("tfp_method") == 3  # solow, tornqvist, malmquist of the baseline
    for call in calls:
        assert re.search(r"--mem \d+", call), call
        assert re.search(r" -t \d+", call), call
        assert re.search(r"--cpus-per-task[= ]\d+", call), call
        assert re.search(rf" -p '?{re.escape(partition)}'?(\s|$)", call), call


@pytest.mark.slow
def test_sbatch_script_outputs_equal_local(tmp_path, partition, local_digests):
    """README, Cluster, way 1, followed literally: `sbatch profiles/slurm/run_workflow.sbatch` from the
    project root (here with the targets as arguments and --wait), in a full copy of the workflow files."""
    work = _project(tmp_path / "batch")
    shutil.copy(ROOT / "Snakefile", work / "Snakefile")
    for name in ("workflow", "profiles"):
        shutil.copytree(ROOT / name, work / name)
    (work / "src").symlink_to(ROOT / "src")
    env = {**os.environ, "PATH": f"{SNAKEMAKE.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    cmd = ["sbatch", "--wait", "-p", partition, "profiles/slurm/run_workflow.sbatch", *TARGETS]
    run = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=900, check=False, env=env)
    logs = "".join(p.read_text(errors="replace") for p in work.glob("tfp_talent-*.out"))
    assert run.returncode == 0, (run.stderr + logs)[-5000:]
    assert _load_digests()(work) == local_digests
