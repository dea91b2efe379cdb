# Data stage: verify raw checksums, read raw NBS / yearbook files, build the clean panel.
#
#   verify_raw   data/raw/SHA256SUMS + every file it lists  ->  data/processed/raw_verified.txt
#   panel        the raw files of the panel (after verify_raw) ->  data/processed/panel.{parquet,csv}, codebook.{csv,md}


rule verify_raw:
    input:
        sums=f"{RAW}/SHA256SUMS",
        raw=checksummed_files(),
    output:
        f"{PROCESSED}/raw_verified.txt",
    log:
        f"{LOGS}/verify_raw.log",
    conda:
        ENV
    script:
        "../scripts/verify_raw.py"


rule panel:
    input:
        verified=f"{PROCESSED}/raw_verified.txt",  # checksums are verified before any raw file is read
        sums=f"{RAW}/SHA256SUMS",
        raw=panel_raw_files(),
    output:
        parquet=f"{PROCESSED}/panel.parquet",
        csv=f"{PROCESSED}/panel.csv",
        codebook=f"{PROCESSED}/codebook.csv",
        codebook_md=f"{PROCESSED}/codebook.md",
    params:
        raw_dir=lambda wildcards, input: str(Path(input.sums).parent),
        start=config["years"]["start"],
        end=config["years"]["end"],
        impute_survey_gaps=config["data"]["impute_survey_gaps"],
        missing_markers=config["data"]["missing_markers"],
    log:
        f"{LOGS}/panel.log",
    conda:
        ENV
    script:
        "../scripts/build_panel.py"
