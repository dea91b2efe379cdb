# Data stage: verify raw checksums, read raw NBS / yearbook files, build the clean panel.
from tfp_talent.data.definitions import panel_source_paths


def _checksummed_files():
    """Every file listed in data/raw/SHA256SUMS (so editing one re-runs verify_raw)."""
    sums = Path(RAW) / "SHA256SUMS"
    if not sums.exists():
        return []
    names = [line.split(maxsplit=1)[1].lstrip("*").strip() for line in sums.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [f"{RAW}/{name}" for name in names]


rule verify_raw:
    input:
        sums=f"{RAW}/SHA256SUMS",
        raw=_checksummed_files(),
    output:
        f"{PROCESSED}/raw_verified.txt",
    log:
        f"{LOGS}/verify_raw.log",
    script:
        "../scripts/verify_raw.py"


rule panel:
    input:
        verified=f"{PROCESSED}/raw_verified.txt",  # checksums are verified before any raw file is read
        raw=[f"{RAW}/{path}" for path in panel_source_paths()],
    output:
        parquet=f"{PROCESSED}/panel.parquet",
        csv=f"{PROCESSED}/panel.csv",
        codebook=f"{PROCESSED}/codebook.csv",
        codebook_md=f"{PROCESSED}/codebook.md",
    params:
        raw_dir=RAW,
        start=config["years"]["start"],
        end=config["years"]["end"],
        impute_survey_gaps=config["data"].get("impute_survey_gaps", "none"),
        missing_markers=config["data"].get("missing_markers", "nan"),
    log:
        f"{LOGS}/panel.log",
    script:
        "../scripts/build_panel.py"


ALL_TARGETS.append(f"{PROCESSED}/raw_verified.txt")
ALL_TARGETS.extend(
    [
        f"{PROCESSED}/panel.parquet",
        f"{PROCESSED}/panel.csv",
        f"{PROCESSED}/codebook.csv",
        f"{PROCESSED}/codebook.md",
    ]
)
