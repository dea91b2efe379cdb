"""Time the report rendering layer on simulated inputs: tables (3 formats), figures (PNG + PDF), report.

Usage: .venv/bin/python benchmarks/report_render.py [--repeat 3]
Prints the median wall-clock time of each step. Inputs are simulated (31 provinces x 20 years), so the
numbers do not depend on the rest of the workflow.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tfp_talent.data.provinces import BY_CODE, CODES
from tfp_talent.report import document, figures, maps, style, tables


def simulate(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for _i, code in enumerate(CODES):
        a = rng.normal()
        for t, year in enumerate(range(2000, 2020)):
            talent = 0.05 + 0.01 * t + 0.02 * a + rng.normal(0, 0.01)
            rows.append((code, year, BY_CODE[code].region3, talent, 8 + 0.1 * t + rng.normal(0, 0.3),
                         0.4 * talent + a + 0.03 * t + rng.normal(0, 0.02), np.exp(rng.normal(0, 0.02)),
                         np.exp(rng.normal(0.01, 0.02))))  # fmt: skip
    return pd.DataFrame(rows, columns=["province_code", "year", "region3", "tertiary_share", "avg_school_years",
                                       "solow_ln_tfp", "malmquist_efficiency_change", "malmquist_technical_change"])  # fmt: skip


def result(cov: str) -> dict:
    names = ["tertiary_share", "avg_school_years", "trade_gdp", "fiscal_exp_gdp", "tertiary_va_share"]
    rng = np.random.default_rng(len(cov))
    return {
        "params": {n: float(rng.normal()) for n in names},
        "std_errors": {n: float(abs(rng.normal(0.2, 0.05))) for n in names},
        "pvalues": {n: float(rng.uniform()) for n in names},
        "nobs": 620, "n_entities": 31, "rsquared_within": 0.4, "effects": "twoway", "cov_type": cov, "depvar": "solow_ln_tfp",
    }  # fmt: skip


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    panel = simulate()
    res = [result("clustered"), result("driscoll-kraay")] * 3
    out = Path(tempfile.mkdtemp())
    values = panel[panel.year == 2019].set_index("province_code")["tertiary_share"]
    g = np.linspace(7, 11, 400)
    steps = {
        "regression table (6 columns) -> .tex/.html/.md": lambda: tables.write_table(
            tables.regression_table(res), out / "reg"
        ),
        "descriptive + correlation tables -> 3 formats each": lambda: (
            tables.write_table(
                tables.descriptive_table(panel, ["tertiary_share", "avg_school_years", "solow_ln_tfp"]),
                out / "desc",
            ),
            tables.write_table(
                tables.correlation_table(panel, ["tertiary_share", "avg_school_years", "solow_ln_tfp"]),
                out / "corr",
            ),
        ),
        "figure: TFP by region (PNG + PDF)": lambda: style.save_figure(
            figures.tfp_by_region(panel), out / "region"
        ),
        "figure: FWL partial scatter (PNG + PDF)": lambda: style.save_figure(
            figures.partial_scatter(panel, "solow_ln_tfp", "tertiary_share", xlabel="x", ylabel="y"),
            out / "fwl",
        ),
        "figure: coefficient plot, 6 specs x 2 vars (PNG + PDF)": lambda: style.save_figure(
            figures.coef_plot(
                res, ["tertiary_share", "avg_school_years"], labels=[f"spec {i}" for i in range(6)]
            ),
            out / "coef",
        ),
        "figure: LR curve (PNG + PDF)": lambda: style.save_figure(
            figures.lr_plot([(g, (g - 9) ** 2 * 30)], thresholds=[9.0], xlabel="x"), out / "lr"
        ),
        "figure: Malmquist EC vs TC (PNG + PDF)": lambda: style.save_figure(
            figures.malmquist_plot(panel), out / "malm"
        ),
        "figure: tile map (PNG + PDF)": lambda: style.save_figure(
            maps.tile_map(values, label="x"), out / "tile"
        ),
    }
    for name, fn in steps.items():
        print(f"| {name} | {timed(fn, args.repeat):.2f} s |")
    tmpl = "# R\n\n$coef\n\n$table_reg\n\n$figure_region\n\n$figure_fwl\n"
    ctx = {"coef": document.describe_coef(res[0], "tertiary_share")}
    tabs = {"reg": tables.regression_table(res)}
    figs = {
        "region": document.FigureRef(out / "region.png", "r"),
        "fwl": document.FigureRef(out / "fwl.png", "f"),
    }
    (out / "t.md.tmpl").write_text(tmpl, encoding="utf-8")
    t = timed(
        lambda: document.write_report(
            out / "t.md.tmpl", ctx, md_path=out / "r.md", html_path=out / "r.html", tables=tabs, figures=figs
        ),
        args.repeat,
    )
    print(f"| report .md + self-contained .html (1 table, 2 embedded figures) | {t:.2f} s |")


if __name__ == "__main__":
    main()
