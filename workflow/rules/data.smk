# Data stage: verify raw checksums, read raw NBS / yearbook files, build the clean panel.

rule verify_raw:
    input:
        sums=f"{RAW}/SHA256SUMS",
    output:
        f"{PROCESSED}/raw_verified.txt",
    log:
        f"{LOGS}/verify_raw.log",
    script:
        "../scripts/verify_raw.py"


ALL_TARGETS.append(f"{PROCESSED}/raw_verified.txt")
