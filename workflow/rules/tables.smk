# Tables stage: one wildcard rule over `tables:` in config/config.yaml.
#
#   table   results of the specs a table lists (+ panel / TFP file for descriptive and
#           correlation tables)  ->  reports/tables/<table>.{tex,html,md}
#
# `snakemake -c2 reports/tables/baseline.tex` builds only the panel, the TFP files and the
# specifications that table needs.
TABLES_DIR = "reports/tables"
TABLES = list(config.get("tables") or {})
LABELS = (config.get("report") or {}).get("labels") or {}


def _table_inputs(wildcards):
    entry = config["tables"][wildcards.table]
    inputs = {"results": [result_file(s) for s in spec_names_of(entry)]}
    if entry["kind"] in ("descriptive", "correlation"):
        inputs.update(panel=f"{PROCESSED}/panel.parquet", **user_series_inputs())
        tfp = tfp_file(entry.get("tfp"))
        if tfp:
            inputs["tfp"] = tfp
    return inputs


rule table:
    input:
        unpack(_table_inputs),
    output:
        tex=f"{TABLES_DIR}/{{table}}.tex",
        html=report(f"{TABLES_DIR}/{{table}}.html", caption="../report/table.rst", category="Tables"),
        md=f"{TABLES_DIR}/{{table}}.md",
    wildcard_constraints:
        table="|".join(TABLES) or "(?!x)x",
    params:
        entry=lambda w: config["tables"][w.table],
        labels=LABELS,
    log:
        f"{STUDY_LOGS}/table_{{table}}.log",
    benchmark:
        f"{BENCH}/table_{{table}}.tsv"
    script:
        "../scripts/make_table.py"


ALL_TARGETS.extend(f"{TABLES_DIR}/{t}.{ext}" for t in TABLES for ext in ("tex", "html", "md"))
