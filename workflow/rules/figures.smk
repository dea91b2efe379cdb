# Figures stage: one wildcard rule over `figures:` in config/config.yaml.
#
#   figure   panel + TFP file (TFP by region, maps, Malmquist EC/TC), the spec's estimation
#            sample (partial scatter) or results files (coefficient plot, threshold LR)
#            ->  reports/figures/<figure>.{png,pdf}


rule figure:
    input:
        unpack(figure_inputs),
    output:
        png=report(f"{FIGURES_DIR}/{{figure}}.png", caption="../report/figure.rst", category="Figures"),
        pdf=f"{FIGURES_DIR}/{{figure}}.pdf",
    wildcard_constraints:
        figure=one_of(FIGURES),
    params:
        entry=lambda w: config["figures"][w.figure],
        spec=figure_spec,
        labels=LABELS,
    log:
        f"{STUDY_LOGS}/figure_{{figure}}.log",
    benchmark:
        f"{BENCH}/figure_{{figure}}.tsv"
    conda:
        ENV
    script:
        "../scripts/make_figure.py"
