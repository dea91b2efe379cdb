# Report stage: the study report from the results files, tables and figures.
#
#   study_report   results of every spec + figures (PNG, embedded) + panel + checksums + template
#                  ->  reports/report.md, reports/report.html (self-contained)
#   paper_pdf      reports/report.md + the figure PNGs it links  ->  reports/paper.pdf (Typst, A4)
#
# Every number in the report is read from reports/results/*.json (or the panel / config);
# the report check refuses leftover placeholders or missing numbers. `snakemake --report`
# collects the outputs flagged with report(...) (captions in workflow/report/).


onstart:
    Path(LOGS).mkdir(parents=True, exist_ok=True)
    Path(RUN_STAMP).write_text(f"{time.time():.3f}\n", encoding="utf-8")


rule study_report:
    input:
        template=REPORT_TEMPLATE,
        config="config/config.yaml",
        sums=f"{RAW}/SHA256SUMS",
        panel=f"{PROCESSED}/panel.parquet",
        codebook=f"{PROCESSED}/codebook.csv",
        tfp=list(report_tfp_files().values()),
        results=[result_file(s) for s in SPECS],
        figures=[f"{FIGURES_DIR}/{f}.png" for f in FIGURES],
        tables=[f"{TABLES_DIR}/{t}.md" for t in TABLES],
    output:
        md=f"{REPORTS}/report.md",
        html=report(f"{REPORTS}/report.html", caption="../report/report.rst", category="Report"),
    params:
        study={k: config.get(k) for k in ("seed", "years", "capital", "labour", "tfp", "specs", "tables", "figures", "report", "verdicts", "measurement", "hypotheses")},
        tfp_files=report_tfp_files(),
        run_stamp=RUN_STAMP,
    log:
        f"{STUDY_LOGS}/report.log",
    conda:
        ENV
    script:
        "../scripts/make_report.py"


rule paper_pdf:
    input:
        md=f"{REPORTS}/report.md",
        figures=[f"{FIGURES_DIR}/{f}.png" for f in FIGURES],
    output:
        pdf=report(f"{REPORTS}/paper.pdf", caption="../report/paper.rst", category="Report"),
    params:
        font_paths=PDF_FONT_PATHS,
    log:
        f"{STUDY_LOGS}/paper_pdf.log",
    benchmark:
        f"{BENCH}/paper_pdf.tsv"
    conda:
        ENV
    script:
        "../scripts/make_pdf.py"
