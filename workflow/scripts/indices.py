"""Adapter: panel (+ TFP file) -> data/processed/indices.{parquet,json}."""

from tfp_talent.indices.build import build_indices
from tfp_talent.io import read_panel, write_frame, write_json
from tfp_talent.logs import script_run

with script_run(snakemake.log[0]) as log:
    inp, out = snakemake.input, snakemake.output
    frame, summary = build_indices(
        read_panel(inp.panel), snakemake.params.settings, read_panel(inp.tfp), source=inp.panel
    )
    # everything is validated before the first write; each write is atomic
    write_frame(frame, out.parquet)
    write_json(summary, out.summary)
    c, n = summary["coupling"], summary["nqpf"]
    log.info(
        "indices: coupling %d rows (years %s), NQPF %d rows (years %s); years without an index: %s",
        c["nobs"],
        ", ".join(map(str, c["years"])),
        n["nobs"],
        ", ".join(map(str, n["years"])),
        ", ".join(map(str, c["years_missing"])) or "none",
    )
