"""Adapter: verify data/raw/ against SHA256SUMS; write the verified list."""

from pathlib import Path

from tfp_talent.data.checksums import verify_checksums
from tfp_talent.io import write_text
from tfp_talent.logs import script_run

with script_run(snakemake.log[0]) as log:
    sums = Path(snakemake.input.sums)
    verified = verify_checksums(sums)
    log.info("verified %d files in %s", len(verified), sums.parent)
    write_text("".join(f"{digest}  {name}\n" for name, digest in verified), snakemake.output[0])
