"""Adapter: history raw files + panel -> data/processed/shift_share.{parquet,json,md}."""

from tfp_talent.data.history import read_college_counts, read_national_education
from tfp_talent.data.shift_share import build_shift_share, summary_markdown
from tfp_talent.io import read_panel, write_frame, write_json, write_text
from tfp_talent.logs import script_run

with script_run(snakemake.log[0]) as log:
    inp, out = snakemake.input, snakemake.output
    frame, summary = build_shift_share(
        read_college_counts(inp.colleges),
        read_national_education(inp.national),
        read_panel(inp.panel),
        snakemake.params.settings,
    )
    # everything is validated before the first write; each write is atomic
    write_frame(frame, out.parquet)
    write_json(summary, out.summary)
    write_text(summary_markdown(summary), out.summary_md)
    log.info(
        "shift-share: %d rows; capacity year %s; provinces with missing exposure: %s; years with missing shift: %s",
        len(frame),
        summary["capacity_year"],
        ", ".join(summary["provinces_missing_exposure"]) or "none",
        ", ".join(map(str, summary["years_missing_shift"])) or "none",
    )
