# User-supplied series (config `user_series:`): tidy province,year,value CSVs with a '# unit:' line.
#
#   user_series   the files named in config  ->  data/processed/user_series.parquet (province_code,
#                 year, one column per series) + user_series.json (unit, header notes, SHA-256, coverage)
#
# Validated like the shipped raw files (tfp_talent.data.user_series); a bad file stops this job
# with one `error:` line naming file, column and rows. Consumers join the series to the panel
# with tfp_talent.data.user_series.merge_user_series (names never replace panel columns).


rule user_series:
    input:
        files=[entry["file"] for entry in USER_SERIES.values()],
    output:
        parquet=USER_SERIES_FILE,
        meta=f"{PROCESSED}/user_series.json",
    params:
        series=USER_SERIES,
        start=config["years"]["start"],
        end=config["years"]["end"],
    log:
        f"{LOGS}/user_series.log",
    conda:
        ENV
    script:
        "../scripts/user_series.py"
