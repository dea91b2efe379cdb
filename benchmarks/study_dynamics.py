"""Benchmark of the issue-13 specs: dyn_fe, dyn_gmm and the three mechanism specs (999 bootstrap draws each).

Run after the workflow has built data/processed/:
    PYTHONPATH=src .venv/bin/python benchmarks/study_dynamics.py   (medians of 3 runs, seconds, in process)
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pandas as pd
import yaml

from tfp_talent.study.run import run_spec

ROOT = Path(__file__).resolve().parents[1]
SPECS = ("dyn_fe", "dyn_gmm", "mech_patents", "mech_rd", "mech_tertiary_va")


def main() -> None:
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    panel = pd.read_parquet(ROOT / "data" / "processed" / "panel.parquet")
    tfp = pd.read_parquet(ROOT / "data" / "processed" / "tfp.parquet")
    for name in SPECS:
        spec = cfg["specs"][name]
        run_spec(name, spec, panel, tfp, cfg["seed"])  # warm-up (imports)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            run_spec(name, spec, panel, tfp, cfg["seed"])
            times.append(time.perf_counter() - t0)
        print(f"{name:18s} {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
