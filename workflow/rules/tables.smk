# Tables stage: one wildcard rule over `tables:` in config/config.yaml.
#
#   table   results of the specs a table lists (+ panel / TFP file for descriptive and
#           correlation tables)  ->  reports/tables/<table>.{tex,html,md}
#
# `snakemake -c2 reports/tables/baseline.tex` builds only the panel, the TFP files and the
# specifications that table needs.


rule table:
    input:
        unpack(table_inputs),
    output:
        tex=f"{TABLES_DIR}/{{table}}.tex",
        html=report(f"{TABLES_DIR}/{{table}}.html", caption="../report/table.rst", category="Tables"),
        md=f"{TABLES_DIR}/{{table}}.md",
    wildcard_constraints:
        table=one_of(TABLES),
    params:
        entry=lambda w: table_entry_of(w.table),
        labels=LABELS,
    log:
        f"{STUDY_LOGS}/table_{{table}}.log",
    benchmark:
        f"{BENCH}/table_{{table}}.tsv"
    conda:
        ENV
    script:
        "../scripts/make_table.py"
