"""Benchmark: DEA-Malmquist on the provincial panel (31 × 20) and on 1,000 simulated DMUs × 10 periods.

    .venv/bin/python benchmarks/malmquist.py            # all cases (about a minute)
    .venv/bin/python benchmarks/malmquist.py --quick    # provincial panel only

Reports wall time (median of repeats), the number of distance-function LPs, the batched
HiGHS calls they were solved in, columns added by column generation, time per distance
LP (wall time / LPs), and, for comparison, the time of one plain per-DMU ``linprog`` call with the full
reference set (what an unbatched implementation would pay per LP).
Inputs: data/processed/panel.parquet + asset.rda when the panel exists (baseline
settings of config/config.yaml), otherwise a simulated 31 × 20 panel.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linprog

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tfp_talent.tfp.malmquist import LPStats, malmquist_index  # noqa: E402


def simulated(n: int, periods: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ent = np.repeat(np.arange(n), periods)
    t = np.tile(np.arange(2000, 2000 + periods), n)
    k = rng.lognormal(3, 1, ent.size)
    lab = rng.lognormal(2, 1, ent.size)
    y = np.exp(0.02 * (t - 2000) + rng.normal(0, 0.3, ent.size)) * k**0.4 * lab**0.6
    return pd.DataFrame({"id": ent, "year": t, "y": y, "k": k, "l": lab})


def provincial() -> tuple[pd.DataFrame, str]:
    panel_path = ROOT / "data" / "processed" / "panel.parquet"
    if not panel_path.exists():
        return simulated(31, 20), "simulated 31 × 20 (data/processed/panel.parquet not built)"
    import yaml

    from tfp_talent.tfp.capital import china_capital_stock, read_asset
    from tfp_talent.tfp.labour import labour_input
    from tfp_talent.tfp.pipeline import capital_params, labour_params, resolve_settings, tfp_inputs

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    settings = resolve_settings(config)
    panel = pd.read_parquet(panel_path)
    capital = china_capital_stock(
        read_asset(ROOT / "data/raw/capital-stock-1952-2022/asset.rda"), **capital_params(settings)
    )
    inputs = tfp_inputs(panel, capital, labour_input(panel, **labour_params(settings))).dropna(
        subset=["output", "capital", "labour_eff"]
    )
    frame = inputs.rename(columns={"province_code": "id", "output": "y", "capital": "k", "labour_eff": "l"})
    return frame[
        ["id", "year", "y", "k", "l"]
    ], f"provincial panel {frame['id'].nunique()} × {frame['year'].nunique()}"


def run(frame: pd.DataFrame, frontier: str, vrs: bool, repeats: int, workers: int) -> tuple[float, LPStats]:
    times, stats = [], LPStats()
    for _ in range(repeats):
        stats = LPStats()
        start = time.perf_counter()
        malmquist_index(
            frame,
            entity="id",
            time="year",
            outputs="y",
            inputs=["k", "l"],
            frontier=frontier,
            vrs=vrs,
            stats=stats,
            workers=workers,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times), stats


def plain_lp_seconds(n_ref: int, samples: int = 30) -> float:
    """Seconds of one unbatched linprog(method='highs') call: 1 output, 2 inputs, n_ref reference columns."""
    rng = np.random.default_rng(1)
    x, y = rng.lognormal(0, 1, (n_ref, 2)), rng.lognormal(0, 1, (n_ref, 1))
    c = np.r_[-1.0, np.zeros(n_ref)]
    start = time.perf_counter()
    for o in range(samples):
        a_ub = np.vstack([np.r_[y[o], -y[:, 0]], np.c_[np.zeros((2, 1)), x.T]])
        linprog(c, A_ub=a_ub, b_ub=np.r_[0.0, x[o]], bounds=(0, None), method="highs")
    return (time.perf_counter() - start) / samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="provincial panel only")
    args = parser.parse_args()
    prov, label = provincial()
    cases = [(label, prov, 5, (1,))]
    if not args.quick:
        cases.append(("simulated 1,000 × 10", simulated(1000, 10), 1, (1, 2)))
    print(
        "| data | frontier | VRS split | processes | wall s | distance LPs | HiGHS calls | columns added "
        "| ms per distance LP | s in linprog |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, frame, repeats, pools in cases:
        for frontier in ("contemporaneous", "sequential"):
            for vrs in (False, True):
                for workers in pools:
                    wall, st = run(frame, frontier, vrs, repeats, workers)
                    print(
                        f"| {name} | {frontier} | {'yes' if vrs else 'no'} | {workers} | {wall:.2f} | {st.distances:,} "
                        f"| {st.highs_calls} | {st.columns_added} | {1000 * wall / st.distances:.3f} "
                        f"| {st.solver_seconds:.2f} |"
                    )
    for n_ref in (31, 1000):
        print(
            f"plain per-DMU linprog, {n_ref} reference columns: {1000 * plain_lp_seconds(n_ref):.2f} ms per LP"
        )


if __name__ == "__main__":
    main()
