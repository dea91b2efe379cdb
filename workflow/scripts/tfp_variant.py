"""Adapter: one robustness variant (config `tfp.variants.<name>`) -> data/processed/tfp_<name>.parquet."""

import pandas as pd

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.capital import read_asset
from tfp_talent.tfp.pipeline import run_variant

with script_run(snakemake.log[0]) as log:  # noqa: F821
    settings = snakemake.params.settings  # noqa: F821
    log.info("variant %s: %s", snakemake.wildcards.variant, settings)  # noqa: F821
    result = run_variant(pd.read_parquet(snakemake.input.panel), read_asset(snakemake.input.asset), settings)  # noqa: F821
    write_frame(result, snakemake.output[0])  # noqa: F821
