"""Adapter: panel (+ optional user CSV) -> data/processed/labour.parquet (config `labour:`)."""

import pandas as pd

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.labour import labour_input

with script_run(snakemake.log[0]) as log:  # noqa: F821
    params = dict(snakemake.params.items())  # noqa: F821
    labour = labour_input(pd.read_parquet(snakemake.input.panel), **params)  # noqa: F821
    write_frame(labour, snakemake.output[0])  # noqa: F821
