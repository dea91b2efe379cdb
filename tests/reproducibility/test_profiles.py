"""The SLURM profile plans the same jobs as the local default profile (issue 6 acceptance).

Reference: Snakemake's own dry run (`snakemake -n --quiet rules`) on a clean working copy, once
with profiles/default and once with profiles/slurm (executor plugin snakemake-executor-plugin-slurm,
pinned in requirements.lock; a dry run submits nothing). The per-rule job counts must be equal.
"""

from __future__ import annotations

import re

from repro_helpers import ROOT, make_project, snakemake


def _job_counts(text: str) -> dict[str, int]:
    counts = {}
    for line in text.splitlines():
        m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+(\d+)\s*", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
    return counts


def test_slurm_profile_plans_the_same_jobs_as_local(tmp_path):
    work = make_project(tmp_path, templates=True)
    plans = {}
    for profile in ("default", "slurm"):
        proc = snakemake(work, "-n", "--quiet", "rules", "--profile", str(ROOT / "profiles" / profile))
        assert proc.returncode == 0, proc.stderr[-2000:]
        plans[profile] = _job_counts(proc.stdout + proc.stderr)
    assert plans["default"]["total"] > 40  # the whole workflow from a clean state
    assert plans["slurm"] == plans["default"]
