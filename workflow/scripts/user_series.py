"""Adapter: config `user_series:` files -> data/processed/user_series.{parquet,json}."""

from tfp_talent.data.user_series import load_user_series
from tfp_talent.io import write_frame, write_json
from tfp_talent.logs import script_run

with script_run(snakemake.log[0]) as log:
    params = snakemake.params
    frame, info = load_user_series(params.series, years=range(params.start, params.end + 1))
    # everything is validated before the first write; each write is atomic
    write_frame(frame, snakemake.output.parquet)
    write_json(info, snakemake.output.meta)
    log.info("user series %s: %d rows", ", ".join(info) or "(none)", len(frame))
