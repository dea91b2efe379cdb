"""SHA-256 verification of the shipped raw data (``data/raw/SHA256SUMS``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tfp_talent.errors import InputError


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 digest of a file."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify_checksums(sums_file: str | Path) -> list[tuple[str, str]]:
    """Check every ``<digest>  <relative path>`` line of ``sums_file`` (sha256sum format).

    Returns ``(path, digest)`` pairs. Raises :class:`InputError` naming every file
    that is missing or whose digest differs, so the workflow stops before using it.
    """
    sums_file = Path(sums_file)
    if not sums_file.exists():
        raise InputError("checksum file not found", file=sums_file)
    root = sums_file.parent
    verified: list[tuple[str, str]] = []
    missing: list[str] = []
    mismatched: list[str] = []
    for lineno, line in enumerate(sums_file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            digest, name = line.split(maxsplit=1)
        except ValueError:
            raise InputError(f"line {lineno} is not '<sha256>  <path>'", file=sums_file) from None
        name = name.lstrip("*").strip()
        path = root / name
        if not path.exists():
            missing.append(name)
        elif sha256_file(path) != digest.lower():
            mismatched.append(name)
        else:
            verified.append((name, digest.lower()))
    problems = []
    if mismatched:
        problems.append(f"checksum mismatch for {', '.join(mismatched)}")
    if missing:
        problems.append(f"missing raw file(s) {', '.join(missing)}")
    if problems:
        raise InputError(
            "; ".join(problems),
            file=sums_file,
            hint="data/raw must be byte-identical to its source (see data/raw/PROVENANCE.md); restore it with git checkout",
        )
    return verified
