# tfp_talent workflow: raw NBS panels -> clean panel -> capital, labour, TFP -> estimates -> tables, figures, report.
# Run everything:   snakemake -c2          (or: python3 run.py workflow)
# Run one stage:    snakemake -c2 data/processed/panel.parquet
from snakemake.utils import min_version, validate

min_version("9.0")

configfile: "config/config.yaml"


validate(config, "config/schema.yaml")

report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/user_series.smk"
include: "workflow/rules/tfp.smk"
include: "workflow/rules/estimate.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        ALL_TARGETS,
    default_target: True
