"""Adapter: panel (+ optional user CSV) -> data/processed/[variants/<v>/]labour.parquet (config `labour:`)."""

import pandas as pd

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.labour import labour_input

with script_run(snakemake.log[0]) as log:
    params = dict(snakemake.params.settings)
    labour = labour_input(pd.read_parquet(snakemake.input.panel), **params)
    write_frame(labour, snakemake.output[0])
