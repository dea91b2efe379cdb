"""Adapter: panel (+ TFP file), one threshold spec and shard i of config `bootstrap.shards` -> the shard's JSON."""

from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.io import read_panel, write_json
from tfp_talent.logs import script_run
from tfp_talent.study.threshold_shards import threshold_shard

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    params = snakemake.params
    name, shard = snakemake.wildcards.spec, int(snakemake.wildcards.shard)
    panel = read_panel_with_user_series(inp.panel, getattr(inp, "user_series", None))
    tfp = read_panel(inp.tfp) if hasattr(inp, "tfp") else None
    doc = threshold_shard(
        name,
        params.spec,
        panel,
        tfp,
        shard=(shard, params.n_shards),
        seed=params.seed,
        workers=snakemake.threads,
    )
    write_json(doc, snakemake.output[0])
    reps = {k: len(v["index"]) for k, v in doc["replications"].items()}
    log.info("%s: bootstrap shard %d of %d, replications per test %s", name, shard, params.n_shards, reps)
