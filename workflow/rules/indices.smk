# Indices stage: talent-industry coupling coordination and the NQPF index (issue 13, items 3-4).
#
#   indices   panel.parquet (+ tfp.parquet, for the NQPF-ln TFP correlation of the summary)
#             ->  data/processed/indices.parquet (province_code, year, u_talent, u_industry, coupling_c,
#                 coupling_t, coordination_d, coordination_band, mismatch, talent_gap, nqpf, nqpf_<dimension>),
#                 indices.json (entropy weights per indicator and subsystem, indicators, years covered,
#                 incomplete rows by year)
#
# Indicators, negative indicators, years, coupling form and shift are config `indices:`; nothing is
# imputed (a row with a missing indicator has a missing index). A spec reads the file with
# `indices: true` (merged into its panel by the estimate job), a figure with `indices: true`.


rule indices:
    input:
        panel=f"{PROCESSED}/panel.parquet",
        tfp=f"{PROCESSED}/tfp.parquet",
    output:
        parquet=INDICES_FILE,
        summary=INDICES_SUMMARY,
    params:
        settings=config.get("indices") or {},
    log:
        f"{LOGS}/indices.log",
    benchmark:
        f"{BENCH}/indices.tsv"
    conda:
        ENV
    script:
        "../scripts/indices.py"
