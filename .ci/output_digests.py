"""SHA-256 of every workflow output under data/processed/ and reports/ of a project directory.

    python .ci/output_digests.py DIR > digests.txt      # one "<sha256>  <path>" line per file

The report's two run-time lines ("Workflow run time", "Run started") are the only bytes that
differ between two runs of the same workflow; they are dropped from reports/report.{md,html}
before hashing. reports/templates/ (inputs, in git) and hidden files are skipped. Two runs
are byte-identical when their digest lists are equal (`diff` prints nothing).
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

ROOTS = ("data/processed", "reports")
SKIP = ("reports/templates/",)
RUN_TIME = re.compile(rb"^.*(Workflow run time|Run started):.*$\n?", re.MULTILINE)
REPORTS = ("reports/report.md", "reports/report.html")


def output_digests(project: Path) -> dict[str, str]:
    """Relative POSIX path -> SHA-256 of each output file (the report without its run-time lines)."""
    out: dict[str, str] = {}
    for root in ROOTS:
        base = project / root
        if not base.exists():
            continue
        for path in sorted(base.rglob("*")):
            rel = path.relative_to(project).as_posix()
            if not path.is_file() or rel.startswith(SKIP) or any(p.startswith(".") for p in path.parts[-3:]):
                continue
            data = path.read_bytes()
            if rel in REPORTS:
                data = RUN_TIME.sub(b"", data)
            out[rel] = hashlib.sha256(data).hexdigest()
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    for rel, digest in output_digests(Path(argv[0])).items():
        print(f"{digest}  {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
