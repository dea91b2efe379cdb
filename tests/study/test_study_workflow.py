"""The study's rules: `snakemake -n` builds only what a target needs; a bad spec stops with its name.

Runs Snakemake dry-runs on a copy of the workflow files (Snakefile, workflow/, config/) with
data/raw and src linked, so nothing in the repository is touched. The full run on the real
data is measured in benchmarks/ (it takes longer than a test should).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def _tree(tmp_path: Path, edit=None) -> Path:
    work = tmp_path / "wf"
    work.mkdir()
    shutil.copy(ROOT / "Snakefile", work / "Snakefile")
    shutil.copytree(ROOT / "workflow", work / "workflow")
    shutil.copytree(ROOT / "config", work / "config")
    if (ROOT / "reports" / "templates").exists():
        shutil.copytree(ROOT / "reports" / "templates", work / "reports" / "templates")
    (work / "src").symlink_to(ROOT / "src")
    (work / "data").mkdir()
    (work / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    if edit is not None:
        path = work / "config" / "config.yaml"
        cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(cfg)
        path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return work


def _dry(work: Path, *targets: str) -> subprocess.CompletedProcess:
    if not SNAKEMAKE.exists():
        pytest.skip("snakemake is not installed next to this Python")
    return subprocess.run(
        [str(SNAKEMAKE), "-n", "-c2", "--nolock", *targets],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _job_counts(stdout: str) -> dict[str, int]:
    block = stdout.split("Job stats:", 1)[1] if "Job stats:" in stdout else ""
    return {
        m.group(1): int(m.group(2))
        for m in re.finditer(r"^(\w+)\s+(\d+)$", block, re.MULTILINE)
        if m.group(1) != "total"
    }


def test_one_table_builds_only_its_specifications(tmp_path):
    work = _tree(tmp_path)
    run = _dry(work, "reports/tables/baseline.tex")
    assert run.returncode == 0, run.stderr[-2000:]
    counts = _job_counts(run.stdout)
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    needed = {c["spec"] for c in cfg["tables"]["baseline"]["columns"]} | {
        t["spec"] for t in cfg["tables"]["baseline"].get("tests", [])
    }
    assert counts["table"] == 1
    assert (
        "figure" not in counts and "study_report" not in counts and counts["tfp_combine"] == 1
    )  # no TFP variant
    # each estimation job (one spec, or a batch of quick specs: config batching.estimates) writes at
    # least one result the table needs, and together they write all of them
    jobs = [
        set(re.findall(r"reports/results/(\w+)\.json", block.split("\n    log:")[0]))
        for block in re.split(r"^rule ", run.stdout, flags=re.MULTILINE)[1:]
        if block.startswith("estimate")
    ]
    assert jobs and all(job & needed for job in jobs)
    assert set().union(*jobs) >= needed
    assert sum(len(job) for job in jobs) <= len(needed) + cfg["batching"]["estimates"] - 1


def test_full_dry_run_has_every_table_figure_the_report_and_the_pdf(tmp_path):
    work = _tree(tmp_path)
    run = _dry(work)
    assert run.returncode == 0, run.stderr[-2000:]
    counts = _job_counts(run.stdout)
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    batches = [k for k in counts if k.startswith("estimate_batch_")]
    assert all(counts[k] == 1 for k in batches)
    outputs = re.findall(r"^    output: (.*)$", run.stdout, flags=re.MULTILINE)
    results = {r for line in outputs for r in re.findall(r"reports/results/(\w+)\.json", line)}
    assert results == set(cfg["specs"])  # every spec once: estimate, a batch or threshold_combine
    assert counts.get("estimate", 0) + counts.get("threshold_combine", 0) + len(batches) < len(cfg["specs"])
    assert counts["table"] == len(cfg["tables"])
    assert counts["figure"] == len(cfg["figures"])
    assert counts["study_report"] == 1 and counts["paper_pdf"] == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda c: c["specs"].__setitem__(
                "bad_cov", {"y": "solow_ln_tfp", "talent": ["tertiary_share"], "cov": ["hac"]}
            ),
            r"bad_cov",
        ),
        (
            lambda c: c["specs"].__setitem__(
                "bad_model", {"y": "solow_ln_tfp", "talent": ["tertiary_share"], "model": "gmm"}
            ),
            r"bad_model",
        ),
        (
            lambda c: c["specs"].__setitem__(
                "bad_iv",
                {
                    "kind": "iv",
                    "y": "solow_ln_tfp",
                    "talent": ["tertiary_share"],
                    "instruments": {"tertiary_share": ["L2.tertiary_share"]},
                },
            ),
            r"specs\.bad_iv: .*driscoll-kraay is not available for IV",
        ),
        (
            lambda c: c["specs"]["baseline"].__setitem__("tfp", "alpha07"),
            r"specs\.baseline: .*unknown TFP variant 'alpha07'",
        ),
    ],
)
def test_bad_spec_stops_before_any_job_with_its_name(tmp_path, edit, message):
    work = _tree(tmp_path, edit)
    run = _dry(work)
    assert run.returncode != 0
    assert re.search(message, run.stdout + run.stderr), (run.stdout + run.stderr)[-1500:]
