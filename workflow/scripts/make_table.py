"""Adapter: results files (+ panel / TFP file) and one entry of config `tables:` -> reports/tables/<name>.{tex,html,md}."""

from pathlib import Path

from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.io import read_panel
from tfp_talent.logs import script_run
from tfp_talent.report.document import load_json_files
from tfp_talent.report.render import write_table
from tfp_talent.study.sample import merged_data
from tfp_talent.study.tables import build_table

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    name = snakemake.wildcards.table
    results = load_json_files({Path(p).stem: p for p in inp.results})
    data = None
    if hasattr(inp, "panel"):
        data = merged_data(
            read_panel_with_user_series(inp.panel, getattr(inp, "user_series", None)),
            read_panel(inp.tfp) if hasattr(inp, "tfp") else None,
        )
    table = build_table(
        name, snakemake.params.entry, results=results, data=data, labels=snakemake.params.labels
    )
    paths = write_table(table, Path(snakemake.output.tex).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, paths)))
