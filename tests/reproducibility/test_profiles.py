"""The profiles and the declared software environment (issues 6, 10 and 14).

Reference: Snakemake's own dry run (`snakemake -n`) on a clean working copy, once with profiles/local
and once with profiles/slurm (executor plugin snakemake-executor-plugin-slurm, pinned in
requirements.lock; a dry run submits nothing). The per-rule job counts must be equal, and with the
account and partition given the documented way (environment variables read by the profile) every
job keeps its memory, runtime and CPUs (passing --default-resources on the command line would
replace them). The real submission is tested in tests/slurm/.
"""

from __future__ import annotations

import re

import yaml
from repro_helpers import ROOT, make_project, snakemake

RESOURCES = re.compile(r"^\s*resources: (.*)$", re.MULTILINE)


def _job_counts(text: str) -> dict[str, int]:
    counts = {}
    for line in text.splitlines():
        m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+(\d+)\s*", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
    return counts


def test_no_implicit_default_profile():
    """Snakemake loads profiles/default beside any --profile; the local profile is named local instead."""
    assert not (ROOT / "profiles" / "default").exists()
    assert (ROOT / "profiles" / "local" / "config.yaml").is_file()


def test_slurm_profile_plans_the_same_jobs_as_local(tmp_path):
    work = make_project(tmp_path, templates=True)
    plans = {}
    for profile in ("local", "slurm"):
        proc = snakemake(work, "-n", "--quiet", "rules", "--profile", str(ROOT / "profiles" / profile))
        assert proc.returncode == 0, proc.stderr[-2000:]
        plans[profile] = _job_counts(proc.stdout + proc.stderr)
    assert plans["local"]["total"] > 40  # the whole workflow from a clean state
    assert plans["slurm"] == plans["local"]


def test_account_and_partition_keep_the_other_resources(tmp_path):
    """TFP_SLURM_ACCOUNT / TFP_SLURM_PARTITION add to each job's resources; mem, runtime and CPUs stay."""
    work = make_project(tmp_path, templates=True)
    env = {"TFP_SLURM_ACCOUNT": "abc", "TFP_SLURM_PARTITION": "short"}
    proc = snakemake(work, "-n", "--profile", str(ROOT / "profiles" / "slurm"), env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = RESOURCES.findall(proc.stdout + proc.stderr)
    assert len(lines) == _job_counts(proc.stdout + proc.stderr)["total"]
    profile = yaml.safe_load((ROOT / "profiles" / "slurm" / "config.yaml").read_text(encoding="utf-8"))
    heavy = {r["mem_mb"] for r in profile["set-resources"].values()}
    for line in lines:
        res = dict(item.split("=", 1) for item in line.split(", "))
        assert res["slurm_account"] == "abc" and res["slurm_partition"] == "short", line
        assert int(res["mem_mb"]) in {profile["default-resources"]["mem_mb"], *heavy}, line
        assert int(res["runtime"]) > 0 and int(res["cpus_per_task"]) >= 1, line


def test_conda_environment_lists_the_locked_requirements():
    """workflow/envs/tfp_talent.yaml pins exactly requirements.lock (plus Python 3.11 and this package)."""
    env = yaml.safe_load((ROOT / "workflow" / "envs" / "tfp_talent.yaml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    lock = [line.strip() for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()]
    assert pip == [line for line in lock if line and not line.startswith("#")] + ["-e ../.."]
    assert "python=3.11" in env["dependencies"]
    for rules in (ROOT / "workflow" / "rules").glob("*.smk"):
        text = rules.read_text(encoding="utf-8")
        assert text.count("\nrule ") == text.count("    conda:\n        ENV\n"), rules.name
