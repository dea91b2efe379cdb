# tfp_talent workflow: raw NBS panels -> clean panel -> capital, labour, TFP -> estimates -> tables, figures, report.
# Run everything:   snakemake --profile profiles/local        (or: python3 run.py workflow)
# Run one stage:    snakemake --profile profiles/local data/processed/panel.parquet
# On a cluster:     snakemake --profile profiles/slurm         (README, Cluster)
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/user_series.smk"
include: "workflow/rules/history.smk"
include: "workflow/rules/indices.smk"
include: "workflow/rules/tfp.smk"
include: "workflow/rules/estimate.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


# With a cluster executor (profiles/slurm) these jobs run on the submitting node: each takes a few
# seconds (mostly Python start-up), far less than a cluster job's scheduling and start-up latency.
# The cluster gets the heavy ones: tfp_method (DEA-Malmquist LPs) and threshold_shard (bootstrap).
# `estimate` is local because every shipped spec is a closed-form fit; remove it from this list when
# specs carry heavy inference (a spec with a large threshold bootstrap is sharded anyway).
localrules:
    all,
    verify_raw,
    panel,
    user_series,
    shift_share,
    indices,
    capital_stock,
    capital_gfcf_check,
    labour_input,
    tfp_combine,
    production_function,
    estimate,
    threshold_combine,
    table,
    figure,
    study_report,
    paper_pdf,


rule all:
    input:
        ALL_TARGETS,
    default_target: True
