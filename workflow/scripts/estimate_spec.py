"""Adapter: panel (+ TFP file) and one spec of config `specs:` -> reports/results/<spec>.json."""

from tfp_talent.logs import script_run
from tfp_talent.study.jobs import estimate_job, sample_line

with script_run(snakemake.log[0]) as log:
    result = estimate_job(
        snakemake.wildcards.spec,
        snakemake.params.spec,
        dict(snakemake.input.items()),
        snakemake.output[0],
        seed=snakemake.params.seed,
        inference=snakemake.params.inference,
        workers=snakemake.threads,
    )
    log.info("%s", sample_line(snakemake.wildcards.spec, result))
