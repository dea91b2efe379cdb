"""Adapter: tfp_<method>.parquet files -> data/processed/tfp.parquet (one column set per method)."""

import pandas as pd

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.pipeline import combine_tfp

with script_run(snakemake.log[0]) as log:  # noqa: F821
    methods = snakemake.params.methods  # noqa: F821
    frames = {m: pd.read_parquet(p) for m, p in zip(methods, snakemake.input.methods, strict=True)}  # noqa: F821
    combined = combine_tfp(frames, pd.read_parquet(snakemake.input.labour))  # noqa: F821
    log.info("tfp.parquet: %d rows, columns %s", len(combined), ", ".join(combined.columns))
    write_frame(combined, snakemake.output[0])  # noqa: F821
