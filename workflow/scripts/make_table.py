"""Adapter: results files (+ panel / TFP file) and one entry of config `tables:` -> reports/tables/<name>.{tex,html,md}."""

from pathlib import Path

from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.io import read_panel
from tfp_talent.logs import script_run
from tfp_talent.report.document import load_json_files
from tfp_talent.report.render import write_table
from tfp_talent.study.sample import merged_data
from tfp_talent.study.tables import build_table

with script_run(snakemake.log[0]) as log:  # noqa: F821
    inp = snakemake.input  # noqa: F821
    name = snakemake.wildcards.table  # noqa: F821
    results = load_json_files({Path(p).stem: p for p in inp.results})
    data = None
    if "panel" in inp.keys():
        data = merged_data(read_panel_with_user_series(inp.panel, getattr(inp, "user_series", None)), read_panel(inp.tfp) if "tfp" in inp.keys() else None)
    table = build_table(name, snakemake.params.entry, results=results, data=data, labels=snakemake.params.labels)  # noqa: F821
    paths = write_table(table, Path(snakemake.output.tex).with_suffix(""))  # noqa: F821
    log.info("wrote %s", ", ".join(map(str, paths)))
