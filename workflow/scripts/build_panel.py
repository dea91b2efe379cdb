"""Adapter: raw NBS / yearbook files -> data/processed/panel.{parquet,csv} and its codebook."""

from tfp_talent.data.build import build_panel
from tfp_talent.data.codebook import codebook_markdown
from tfp_talent.io import write_frame, write_text
from tfp_talent.logs import script_run

with script_run(snakemake.log[0]) as log:
    params = snakemake.params
    out = snakemake.output
    result = build_panel(
        params.raw_dir,
        start=params.start,
        end=params.end,
        impute_survey_gaps=params.impute_survey_gaps,
        missing_markers=params.missing_markers,
    )
    # everything is validated before the first write; each write is atomic
    write_frame(result.panel, out.parquet)
    write_frame(result.panel, out.csv)
    write_frame(result.codebook, out.codebook)
    write_text(codebook_markdown(result.codebook), out.codebook_md)
    log.info("wrote %s, %s, %s, %s", out.parquet, out.csv, out.codebook, out.codebook_md)
