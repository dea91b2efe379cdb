"""Adapter: panel (+ TFP file) and one spec of config `specs:` -> reports/results/<spec>.json."""

import json

from tfp_talent.data.shift_share import merge_shift_share, shift_share_record
from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.indices.build import indices_record, merge_indices
from tfp_talent.io import read_panel, write_json
from tfp_talent.logs import script_run
from tfp_talent.study.run import run_spec

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    name = snakemake.wildcards.spec
    panel = read_panel_with_user_series(inp.panel, getattr(inp, "user_series", None))
    if hasattr(inp, "shift_share"):  # spec key shift_share: the instrument columns (rule shift_share)
        panel = merge_shift_share(panel, read_panel(inp.shift_share), source=inp.shift_share)
    if hasattr(inp, "indices"):  # spec key indices: coupling coordination and NQPF columns (rule indices)
        panel = merge_indices(panel, read_panel(inp.indices), source=inp.indices)
    tfp = read_panel(inp.tfp) if hasattr(inp, "tfp") else None
    result = run_spec(
        name,
        snakemake.params.spec,
        panel,
        tfp,
        snakemake.params.seed,
        workers=snakemake.threads,
        inference=snakemake.params.inference,
    )
    if hasattr(inp, "shift_share_summary"):  # the result documents the instrument it used
        with open(inp.shift_share_summary, encoding="utf-8") as fh:
            result["shift_share"] = shift_share_record(json.load(fh))
    if hasattr(inp, "indices_summary"):  # the result documents the weights and coverage of the indices
        with open(inp.indices_summary, encoding="utf-8") as fh:
            result["indices"] = indices_record(json.load(fh))
    write_json(result, snakemake.output[0])
    s = result["sample"]
    log.info(
        "%s: N = %d, %d provinces, years %s; dropped for missing data: %s",
        name,
        s["nobs"],
        s["n_provinces"],
        s["years_text"],
        s["dropped_missing"] or "none",
    )
