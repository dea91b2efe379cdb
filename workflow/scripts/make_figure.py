"""Adapter: panel / TFP file / results and one entry of config `figures:` -> reports/figures/<name>.{png,pdf}."""

from pathlib import Path

from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.indices.build import merge_indices
from tfp_talent.io import read_panel
from tfp_talent.logs import script_run
from tfp_talent.report.document import load_json_files
from tfp_talent.report.style import save_figure
from tfp_talent.study.figures import FIGURE_KINDS, build_figure
from tfp_talent.study.sample import build_analysis_frame, merged_data

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    params = snakemake.params
    name = snakemake.wildcards.figure
    entry = params.entry
    results = load_json_files({Path(p).stem: p for p in inp.results})
    panel = (
        read_panel_with_user_series(inp.panel, getattr(inp, "user_series", None))
        if hasattr(inp, "panel")
        else None
    )
    if panel is not None and hasattr(inp, "indices"):  # figure key indices (rule indices)
        panel = merge_indices(panel, read_panel(inp.indices), source=inp.indices)
    tfp = read_panel(inp.tfp) if hasattr(inp, "tfp") else None
    data = analysis = None
    if FIGURE_KINDS[entry["kind"]].needs_analysis:
        analysis = build_analysis_frame(panel, tfp, params.spec, name=entry["spec"]).frame
    elif panel is not None:
        data = merged_data(panel, tfp)
    fig = build_figure(
        name, entry, results=results, data=data, analysis=analysis,
        topo_path=inp.topo if hasattr(inp, "topo") else None, labels=params.labels,
    )  # fmt: skip
    paths = save_figure(fig, Path(snakemake.output.png).with_suffix(""))
    log.info("wrote %s", ", ".join(map(str, paths)))
