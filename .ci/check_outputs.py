"""CI check: every output file named in the README's stage/table/figure map exists after the workflow ran.

Paths are taken from README.md table rows (backticked, under data/processed/ or reports/); brace
lists like `x.{tex,html,md}` are expanded; patterns with <placeholders> are skipped.
"""

import itertools
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = re.compile(r"`((?:data/processed|reports)/[^`<>*]+)`")


def expand(pattern: str) -> list[str]:
    parts = re.split(r"\{([^{}]*)\}", pattern)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def main() -> int:
    names = set()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            for m in PATH.finditer(line):
                names.update(expand(m.group(1)))
    names = {n for n in names if not n.endswith("/") and "user_series" not in n and "templates" not in n}
    missing = sorted(n for n in names if not (ROOT / n).is_file())
    print(f"README output map: {len(names)} files named, {len(missing)} missing")
    for n in missing:
        print(f"  missing: {n}")
    return 1 if missing or not names else 0


if __name__ == "__main__":
    sys.exit(main())
