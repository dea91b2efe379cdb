"""Adapter: reports/report.md (+ the figure PNGs it links) -> reports/paper.pdf (Typst, tfp_talent.report.pdf)."""

import time

from tfp_talent.logs import script_run
from tfp_talent.report.pdf import available_font_dirs, cjk_font, write_pdf

with script_run(snakemake.log[0]) as log:
    t0 = time.perf_counter()
    font_dirs = available_font_dirs(snakemake.params.font_paths)
    log.info("fonts from %s; CJK font: %s", ", ".join(font_dirs) or "(none)", cjk_font(font_dirs))
    out = write_pdf(snakemake.input.md, snakemake.output.pdf, font_paths=snakemake.params.font_paths)
    log.info("wrote %s (%d bytes) in %.2f s", out, out.stat().st_size, time.perf_counter() - t0)
