# History stage: the shift-share instrument of the 1999 higher-education expansion (issue 15, identification).
#
#   shift_share   municipal college counts 1985-2012 (summed to provinces, validated against the NBS
#                 national HEI count) + the NBS national higher-education series + the panel (2000
#                 population, 2000 enrolment per 10,000)
#                 ->  data/processed/shift_share.parquet (province_code, year, ss_exposure, ss_shift,
#                     ss_instrument, ss_exposure_alt, ss_instrument_alt), shift_share.{json,md}
#
# Choices (capacity year, exposure measure, national series, lag, base year) are config `shift_share:`;
# a spec reads the file with `shift_share: true` (merged into its panel by the estimate job).


rule shift_share:
    input:
        verified=f"{PROCESSED}/raw_verified.txt",  # checksums are verified before any raw file is read
        colleges=COLLEGES_DTA,
        national=NATIONAL_EDUCATION_CSV,
        panel=f"{PROCESSED}/panel.parquet",
    output:
        parquet=SHIFT_SHARE_FILE,
        summary=f"{PROCESSED}/shift_share.json",
        summary_md=f"{PROCESSED}/shift_share.md",
    params:
        settings=config["shift_share"],
    log:
        f"{LOGS}/shift_share.log",
    benchmark:
        f"{BENCH}/shift_share.tsv"
    conda:
        ENV
    script:
        "../scripts/shift_share.py"
