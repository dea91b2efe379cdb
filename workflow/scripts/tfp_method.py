"""Adapter: panel + capital + labour -> data/processed/[variants/<v>/]tfp_<method>.parquet (config `tfp:`)."""

import pandas as pd

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.pipeline import provincial_tfp, summarise, tfp_inputs

with script_run(snakemake.log[0]) as log:
    method = snakemake.wildcards.method
    inputs = tfp_inputs(
        pd.read_parquet(snakemake.input.panel),
        pd.read_parquet(snakemake.input.capital),
        pd.read_parquet(snakemake.input.labour),
    )
    result = provincial_tfp(inputs, method, snakemake.params.settings)
    log.info("%s %s; %s", method, dict(snakemake.params.settings), summarise(result, "tfp_growth"))
    write_frame(result, snakemake.output[0])
