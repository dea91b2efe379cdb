"""Adapter: results, figures, panel, TFP file(s) and the template -> reports/report.md and reports/report.html."""

import time
from datetime import UTC, datetime
from pathlib import Path

from tfp_talent.io import read_panel
from tfp_talent.logs import script_run
from tfp_talent.report.appendix import codebook_table, details_block
from tfp_talent.report.document import (
    FigureRef,
    checksums_markdown,
    load_json_files,
    reproducibility_info,
    reproducibility_markdown,
    write_report,
)
from tfp_talent.study.report_context import report_context
from tfp_talent.study.tables import build_tables

with script_run(snakemake.log[0]) as log:
    inp = snakemake.input
    out = snakemake.output
    params = snakemake.params
    cfg = params.study
    results = load_json_files({Path(p).stem: p for p in inp.results})
    panel = read_panel(inp.panel)
    tfp_frames = {v: read_panel(path) for v, path in params.tfp_files.items()}
    tables = build_tables(cfg, results=results, panel=panel, tfp_frames=tfp_frames)
    tables["codebook"] = codebook_table(inp.codebook)
    figures = {
        name: FigureRef(path=Path(p), caption=cfg["figures"][name]["caption"])
        for name, p in zip(cfg["figures"], inp.figures)
    }
    started = run_seconds = None
    stamp = Path(params.run_stamp)
    if stamp.exists():  # written by the workflow's onstart handler: wall time of this run up to here
        t0 = float(stamp.read_text(encoding="utf-8").strip())
        run_seconds = time.time() - t0
        started = datetime.fromtimestamp(t0, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    info = reproducibility_info(
        config_path=inp.config, seed=cfg["seed"], run_seconds=run_seconds, started=started
    )
    ctx = report_context(
        cfg,
        panel,
        results,
        raw_checksums=details_block("SHA-256 of every raw file", checksums_markdown(inp.sums)),
        reproducibility=reproducibility_markdown(info),
    )
    write_report(
        inp.template,
        ctx,
        md_path=out.md,
        html_path=out.html,
        tables=tables,
        figures=figures,
        title=cfg["report"]["title"],
    )
    log.info("wrote %s and %s (%d tables, %d figures)", out.md, out.html, len(tables), len(figures))
