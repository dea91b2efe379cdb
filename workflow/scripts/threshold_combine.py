"""Adapter: the bootstrap shards of one threshold spec (+ panel, TFP file) -> reports/results/<spec>.json."""

import json
from pathlib import Path

from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.io import read_panel, write_json
from tfp_talent.logs import script_run
from tfp_talent.study.threshold_shards import combine_threshold_shards

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    params = snakemake.params
    name = snakemake.wildcards.spec
    panel = read_panel_with_user_series(inp.panel, getattr(inp, "user_series", None))
    tfp = read_panel(inp.tfp) if hasattr(inp, "tfp") else None
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
