"""Adapter: panel + capital + labour -> data/processed/tfp_<method>.parquet (config `tfp:`)."""

import pandas as pd

from tfp_talent.io import write_frame
from tfp_talent.logs import script_run
from tfp_talent.tfp.pipeline import provincial_tfp, summarise, tfp_inputs

with script_run(snakemake.log[0]) as log:  # noqa: F821
    method = snakemake.wildcards.method  # noqa: F821
    inputs = tfp_inputs(
        pd.read_parquet(snakemake.input.panel),  # noqa: F821
        pd.read_parquet(snakemake.input.capital),  # noqa: F821
        pd.read_parquet(snakemake.input.labour),  # noqa: F821
    )
    result = provincial_tfp(inputs, method, snakemake.params.settings)  # noqa: F821
    log.info("%s %s; %s", method, dict(snakemake.params.settings), summarise(result, "tfp_growth"))  # noqa: F821
    write_frame(result, snakemake.output[0])  # noqa: F821
