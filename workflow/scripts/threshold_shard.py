"""Adapter: panel (+ TFP file), one threshold spec and shard i of config `bootstrap.shards` -> the shard's JSON."""

from tfp_talent.io import write_json
from tfp_talent.logs import script_run
from tfp_talent.study.jobs import read_spec_data
from tfp_talent.study.threshold_shards import threshold_shard

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    params = snakemake.params
    name, shard = snakemake.wildcards.spec, int(snakemake.wildcards.shard)
    panel, tfp = read_spec_data(dict(inp.items()))
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
