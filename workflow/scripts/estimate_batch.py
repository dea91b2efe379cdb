"""Adapter: panel (+ TFP files) and a batch of specs of config `specs:` -> reports/results/<spec>.json each."""

from tfp_talent.logs import script_run
from tfp_talent.study.jobs import estimate_job, sample_line

with script_run(snakemake.log[0]) as log:
    params = snakemake.params
    for name, path in zip(params.specs, snakemake.output, strict=True):
        result = estimate_job(
            name,
            params.specs[name],
            params.inputs[name],
            path,
            seed=params.seed,
            inference=params.inference,
            workers=snakemake.threads,
        )
        log.info("%s", sample_line(name, result))
