"""Adapter: the bootstrap shards of one threshold spec (+ panel, TFP file) -> reports/results/<spec>.json."""

import json
from pathlib import Path

from tfp_talent.io import write_json
from tfp_talent.logs import script_run
from tfp_talent.study.jobs import read_spec_data
from tfp_talent.study.threshold_shards import combine_threshold_shards

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    params = snakemake.params
    name = snakemake.wildcards.spec
    panel, tfp = read_spec_data(dict(inp.items()))
    shards = [json.loads(Path(p).read_text(encoding="utf-8")) for p in inp.shards]
    result = combine_threshold_shards(
        name, params.spec, panel, tfp, shards, seed=params.seed, source=", ".join(inp.shards)
    )
    write_json(result, snakemake.output[0])
    log.info(
        "%s: combined %d bootstrap shards (replications %s)",
        name,
        len(shards),
        result["threshold"]["bootstrap"]["replications"],
    )
