"""Workflow level: the Solow target builds, and config changes re-run only what depends on them.

Snakemake's params trigger: each TFP rule gets only the settings it depends on, so after a
change of ``tfp.alpha`` only the Solow job is out of date, and after a change of
``capital.delta`` only capital and its consumers (labour is untouched).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from tfp_sim import simulated_panel

from tfp_talent.tfp.capital import china_capital_stock, read_asset
from tfp_talent.tfp.labour import labour_input
from tfp_talent.tfp.pipeline import provincial_tfp, tfp_inputs

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
TARGET = "data/processed/tfp_solow.parquet"


def _snakemake(work: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(work), "-c2", "--nolock", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


def _jobs(result: subprocess.CompletedProcess) -> set[str]:
    """Rule names in the dry run's 'Job stats' table."""
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return set()
    table = text.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {m.group(1) for m in re.finditer(r"^(\w+)\s+\d+\s*$", table, flags=re.M)} - {"total"}


def _set(work: Path, key: str, old: str, new: str) -> None:
    path = work / "config" / "config.yaml"
    text = path.read_text(encoding="utf-8")
    pattern = rf"^(\s+{key}:\s*){re.escape(old)}(\s)"
    assert re.search(pattern, text, flags=re.M), f"{key}: {old} not found in config.yaml"
    path.write_text(re.sub(pattern, rf"\g<1>{new}\2", text, count=1, flags=re.M), encoding="utf-8")


@pytest.mark.slow
@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
def test_solow_target_and_params_triggers(tmp_path):
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "data" / "raw").symlink_to(ROOT / "data" / "raw")  # read only
    shutil.copytree(ROOT / "config", work / "config")

    # the data stage's outputs are placed by hand (a simulated panel with the contract's columns), so
    # only this stage runs; files without Snakemake metadata are judged by modification time only
    processed = work / "data" / "processed"
    processed.mkdir()
    (processed / "raw_verified.txt").write_text("placed by the test\n", encoding="utf-8")
    simulated_panel().to_parquet(processed / "panel.parquet")
    first = _snakemake(work, TARGET)
    assert first.returncode == 0, first.stderr[-3000:]
    ran = set(re.findall(r"^(?:local)?rule (\w+):", first.stdout + first.stderr, flags=re.M))
    assert ran == {"capital_stock", "labour_input", "tfp_method"}, ran
    # the file equals the package functions applied to the same panel (same settings)
    panel = pd.read_parquet(processed / "panel.parquet")
    labour = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["labour"]
    inputs = tfp_inputs(
        panel,
        china_capital_stock(read_asset(ROOT / "data/raw/capital-stock-1952-2022/asset.rda")),
        labour_input(panel, fill_gaps=labour["fill_gaps"], human_capital=labour["human_capital"]),
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(work / TARGET), provincial_tfp(inputs, "solow", {"alpha": 0.4})
    )
    assert _jobs(_snakemake(work, TARGET, "--dry-run")) == set()

    _set(work, "alpha", "0.4", "0.5")
    assert _jobs(_snakemake(work, TARGET, "--dry-run")) == {"tfp_method"}
    _set(work, "alpha", "0.5", "0.4")
    _set(work, "delta", "0.096", "0.05")
    assert _jobs(_snakemake(work, TARGET, "--dry-run")) == {"capital_stock", "tfp_method"}


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
def test_variants_are_the_baseline_rules_with_their_settings(tmp_path):
    """A variant is planned as ordinary capital / labour / method / combine jobs; only the stages whose
    settings differ from the baseline get variant jobs (alpha05: the Solow job; delta005: capital and its
    methods; nonfarm: labour and its methods), the others read the baseline files."""
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    (work / "data" / "raw").symlink_to(ROOT / "data" / "raw")
    shutil.copytree(ROOT / "config", work / "config")
    targets = [f"data/processed/tfp_{v}.parquet" for v in ("alpha05", "delta005", "nonfarm")]
    plan = _snakemake(work, *targets, "--dry-run")
    assert plan.returncode == 0, plan.stderr[-3000:]
    text = plan.stdout + plan.stderr
    by_rule: dict[str, set[str]] = {}
    for block in re.split(r"^(?=(?:local)?rule \w+:$)", text, flags=re.M)[1:]:
        rule = re.match(r"(?:local)?rule (\w+):", block).group(1)
        wildcards = re.search(r"^\s+wildcards: (.*)$", block, flags=re.M)
        by_rule.setdefault(rule, set()).add(wildcards.group(1) if wildcards else "")
    assert by_rule["capital_stock"] == {"variant_dir=", "variant_dir=variants/delta005/"}
    assert by_rule["labour_input"] == {"variant_dir=", "variant_dir=variants/nonfarm/"}
    methods = {wc for wc in by_rule["tfp_method"] if "variants/" in wc}
    # each variant computes only the measures it lists (tfp.variants.<v>.methods: solow in the shipped config)
    assert methods == {f"variant_dir=variants/{v}/, method=solow" for v in ("alpha05", "delta005", "nonfarm")}
    assert by_rule["tfp_combine"] == {f"variant_suffix=_{v}" for v in ("alpha05", "delta005", "nonfarm")}
