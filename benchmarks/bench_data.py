"""Benchmark of the data stage: reading every raw source and building the validated panel.

Run: .venv/bin/python benchmarks/bench_data.py   (prints medians of 5 runs, seconds)
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from tfp_talent.data.build import build_panel, read_sources

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def _median(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    build_panel(RAW)  # warm-up (imports, file cache)
    read = _median(lambda: read_sources(RAW))
    build = _median(lambda: build_panel(RAW))
    build_lin = _median(lambda: build_panel(RAW, impute_survey_gaps="linear"))
    print(f"read_sources (21 raw files):             {read:.2f} s")
    print(f"build_panel (2000-2019, validated):      {build:.2f} s")
    print(f"build_panel impute_survey_gaps=linear:   {build_lin:.2f} s")


if __name__ == "__main__":
    main()
