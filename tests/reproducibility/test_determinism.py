"""Determinism (issue 6, item 2): two runs from a clean state give byte-identical outputs.

Two fresh copies of the project (``repro_helpers.make_project``) run the same Snakemake
targets, at the same time, and every file they write under ``data/processed`` and
``reports`` is compared by SHA-256: processed Parquet/CSV, JSON results, tables
(``.tex/.html/.md``) and figures (PNG and PDF; the figure helper fixes their metadata, so
their bytes are compared too). The reference is the other run: nothing is hard-coded.

By default the targets are the whole data and TFP stages (panel, codebook, capital stock,
GFCF check, labour, the three TFP methods, the production-function check, one robustness
variant) and a slice of the study that exercises every kind of random or rendered output:
a regression specification with clustered and Driscoll-Kraay SEs, the threshold
specification with its seeded bootstrap (as configured), their tables and the LR figure.
Set ``TFP_TALENT_DETERMINISM=full`` to compare the whole workflow, including
``reports/report.{md,html}``, whose only run-dependent lines (workflow run time and start
time) are masked before comparing.
"""

from __future__ import annotations

import os
import re

import pytest
from repro_helpers import SNAKEMAKE, TRACEBACK, Batch, load_config, make_project, snakemake, tree_digests

FULL = os.environ.get("TFP_TALENT_DETERMINISM", "").lower() == "full"
DATA_TFP = [
    "data/processed/panel.parquet",  # + panel.csv, codebook.csv, codebook.md
    "data/processed/tfp.parquet",
    "data/processed/prodfn.json",
    "data/processed/capital_gfcf_check.json",
]
#: The run-dependent lines of the report (issue 5 asks it to state the run time).
REPORT_VOLATILE = re.compile(r"^.*(Workflow run time|Run started):.*$", re.MULTILINE)


def _targets(config: dict) -> list[str]:
    """Data + TFP stage and the study slice that this config defines."""
    if FULL:
        return ["all"]
    targets = list(DATA_TFP)
    variants = sorted((config.get("tfp") or {}).get("variants") or {})
    if variants:
        targets.append(f"data/processed/tfp_{variants[0]}.parquet")
    tables, figures, specs = (config.get(k) or {} for k in ("tables", "figures", "specs"))
    for name in ("rd_talent", "threshold"):
        if name in tables:
            targets += [f"reports/tables/{name}.{ext}" for ext in ("tex", "html", "md")]
        elif name in specs:
            targets.append(f"reports/results/{name}.json")
    if "threshold_lr" in figures:
        targets += ["reports/figures/threshold_lr.png", "reports/figures/threshold_lr.pdf"]
    return targets


def _digests(work) -> dict[str, str]:
    out = {f"data/processed/{k}": v for k, v in tree_digests(work / "data" / "processed").items()}
    out |= {f"reports/{k}": v for k, v in tree_digests(work / "reports").items() if not k.startswith("templates/")}
    return out


@pytest.mark.slow
@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
def test_two_clean_runs_are_byte_identical(tmp_path):
    works = [make_project(tmp_path / f"run{i}", templates=True) for i in (1, 2)]
    targets = _targets(load_config(works[0]))
    batch = Batch({str(i): (lambda w=w: snakemake(w, *targets)) for i, w in enumerate(works)}, workers=2)
    runs = [batch.result(str(i)) for i in range(2)]
    for run in runs:
        assert run.returncode == 0 and TRACEBACK not in run.stderr, run.stderr[-4000:]

    first, second = (_digests(w) for w in works)
    assert sorted(first) == sorted(second)
    kinds = {name.rsplit(".", 1)[-1] for name in first}
    assert {"parquet", "csv", "json"} <= kinds  # processed data and JSON results are compared
    if not FULL:
        assert {"tex", "html", "md", "png", "pdf"} <= kinds or not (load_config(works[0]).get("tables"))
    differ = sorted(name for name in first if first[name] != second[name])
    reports = [n for n in differ if n in ("reports/report.md", "reports/report.html")]
    assert [n for n in differ if n not in reports] == [], f"outputs differ between two clean runs: {differ}"
    for name in reports:  # only the run time / start lines may differ
        a, b = ((w / name).read_text(encoding="utf-8") for w in works)
        assert REPORT_VOLATILE.sub("", a) == REPORT_VOLATILE.sub("", b), f"{name} differs beyond its run-time lines"
