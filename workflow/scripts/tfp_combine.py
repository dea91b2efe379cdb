"""Adapter: tfp_<method>.parquet files + labour -> data/processed/tfp.parquet or tfp_<variant>.parquet (one column set per method)."""

import pandas as pd

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.pipeline import combine_tfp

with script_run(snakemake.log[0]) as log:
    methods = snakemake.params.methods
    frames = {m: pd.read_parquet(p) for m, p in zip(methods, snakemake.input.methods, strict=True)}
    combined = combine_tfp(frames, pd.read_parquet(snakemake.input.labour))
    log.info("tfp.parquet: %d rows, columns %s", len(combined), ", ".join(combined.columns))
    write_frame(combined, snakemake.output[0])
