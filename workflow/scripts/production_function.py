"""Adapter: two-way FE production function (diagnostic of alpha) -> data/processed/prodfn.json."""

import pandas as pd

from tfp_talent.io import write_json
from tfp_talent.logs import script_run
from tfp_talent.tfp.pipeline import tfp_inputs
from tfp_talent.tfp.prodfn import production_function

with script_run(snakemake.log[0]) as log:
    inputs = tfp_inputs(
        pd.read_parquet(snakemake.input.panel),
        pd.read_parquet(snakemake.input.capital),
        pd.read_parquet(snakemake.input.labour),
    )
    complete = inputs.dropna(subset=["output", "capital", "labour_eff"])
    log.info("production function on %d of %d province-years", len(complete), len(inputs))
    result = production_function(
        complete,
        entity="province_code",
        time="year",
        output="output",
        capital="capital",
        labour="labour_eff",
        source="TFP inputs",
    )
    result["output"] = snakemake.params.output
    log.info(
        "alpha (unrestricted) = %.4f (se %.4f); alpha (CRS) = %.4f",
        result["unrestricted"]["alpha"],
        result["unrestricted"]["alpha_se"],
        result["crs_restricted"]["alpha"],
    )
    write_json(result, snakemake.output[0])
