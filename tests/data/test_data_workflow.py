"""Workflow level: `snakemake data/processed/panel.parquet` on a copy of the project data.

Checks the acceptance criteria of the data stage: the target builds just that stage,
a second run is a no-op, the outputs are byte-identical to the package build, and a
bad raw file stops the run with one `error:` line and no partial output. (A checksum
mismatch is tested on verify_checksums in test_data_bad_input.py; the panel rule takes
verify_raw's output as input, so it never reads unverified files.)
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from data_stage_helpers import RAW, ROOT

from tfp_talent.io import write_frame

SNAKEMAKE = Path(sys.executable).parent / "snakemake"
OUTPUTS = ("panel.parquet", "panel.csv", "codebook.csv", "codebook.md")


def _project(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    shutil.copytree(RAW, work / "data" / "raw")
    shutil.copytree(ROOT / "config", work / "config")
    return work


def _snakemake(work: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(work), "-c1", "--nolock", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def _update_sum(work: Path, relative: str) -> None:
    """Make SHA256SUMS agree with a deliberately broken raw file (so the panel rule sees it)."""
    sums = work / "data" / "raw" / "SHA256SUMS"
    digest = hashlib.sha256((work / "data" / "raw" / relative).read_bytes()).hexdigest()
    lines = [
        f"{digest}  {relative}" if line.endswith(f"  {relative}") else line
        for line in sums.read_text(encoding="utf-8").splitlines()
    ]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
def test_panel_target_builds_once_then_no_op(tmp_path, built):
    work = _project(tmp_path)
    first = _snakemake(work, "data/processed/panel.parquet")
    assert first.returncode == 0, first.stderr[-3000:]
    processed = work / "data" / "processed"
    assert sorted(p.name for p in processed.iterdir() if not p.name.startswith(".")) == sorted(
        [*OUTPUTS, "raw_verified.txt"]
    )
    # just this stage: only verify_raw and panel ran
    assert "Rule: verify_raw" in first.stderr and "Rule: panel" in first.stderr
    assert "Rule: " not in first.stderr.replace("Rule: verify_raw", "").replace("Rule: panel", "")
    second = _snakemake(work, "data/processed/panel.parquet", "--dry-run")
    assert second.returncode == 0 and "Nothing to be done" in second.stdout + second.stderr
    # deterministic: the rule's files equal the package build written in this process
    write_frame(built.panel, tmp_path / "panel.csv")
    write_frame(built.codebook, tmp_path / "codebook.csv")
    assert (processed / "panel.csv").read_bytes() == (tmp_path / "panel.csv").read_bytes()
    assert (processed / "codebook.csv").read_bytes() == (tmp_path / "codebook.csv").read_bytes()


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
def test_bad_raw_file_stops_with_one_line_and_no_output(tmp_path):
    work = _project(tmp_path)
    relative = "nbs-provincial-2000-2019/国民经济核算/地区生产总值指数.csv"
    path = work / "data" / "raw" / relative
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    path.write_bytes("\n".join(lines[:2] + [lines[1]] + lines[2:]).encode("utf-8"))  # Beijing 2019 twice
    _update_sum(work, relative)
    before = path.read_bytes()
    run = _snakemake(work, "data/processed/panel.parquet")
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "duplicated province-year rows" in errors[0] and relative in errors[0]
    assert "(110000, 2019)" in errors[0]
    assert not any((work / "data" / "processed" / name).exists() for name in OUTPUTS)
    assert not list((work / "data" / "processed").glob(".*.tmp"))
    assert path.read_bytes() == before  # raw data untouched
