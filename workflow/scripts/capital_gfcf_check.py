"""Adapter: compare asset.rda investment with the panel's NBS GFCF -> capital_gfcf_check.json (and the log)."""

import pandas as pd

from tfp_talent.io import write_json
from tfp_talent.logs import script_run
from tfp_talent.tfp.capital import compare_investment, read_asset

with script_run(snakemake.log[0]) as log:
    first, last = snakemake.params.years
    report = compare_investment(
        read_asset(snakemake.input.asset), pd.read_parquet(snakemake.input.panel), years=(first, last)
    )
    worst = report["max_rel_diff"]
    log.info(
        "asset.rda invest vs NBS GFCF %d–%d: %d province-years, %.1f %% identical (to 0.01 %%); largest deviation "
        "%s %d: %+.4f %% (largest absolute: %s %d, %+.2f 亿元)",
        first,
        last,
        report["n_compared"],
        100 * report["share_identical_1e-4"],
        worst["province"],
        worst["year"],
        100 * worst["value"],
        report["max_abs_diff"]["province"],
        report["max_abs_diff"]["year"],
        report["max_abs_diff"]["value"],
    )
    write_json(report, snakemake.output[0])
