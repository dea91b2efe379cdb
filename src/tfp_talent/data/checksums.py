"""SHA-256 verification of the shipped raw data (``data/raw/SHA256SUMS``).

Every file of ``data/raw/`` is a byte-identical copy of a file in a public repository (commit
and path in ``data/raw/PROVENANCE.md``); ``SHA256SUMS`` records their digests in the format of
GNU ``sha256sum`` (``<64 hex digits>  <path relative to data/raw>``, one file a line), so
``sha256sum -c SHA256SUMS`` in ``data/raw`` gives the same verdict. The first workflow rule
(``verify_raw``) runs :func:`verify_checksums` before any raw file is read, and writes the
verified list to ``data/processed/raw_verified.txt``.

Adding a raw file: copy it unchanged into ``data/raw/``, append its line (``sha256sum <path>``
run in ``data/raw``) to ``SHA256SUMS`` and its source (repository, commit, path, licence) to
``PROVENANCE.md``. A changed digest is never "fixed" by updating the sum without a new source.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from tfp_talent.errors import InputError


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 digest of a file (lower case, 64 characters), read in blocks of ``chunk`` bytes.

    The default block of 1 MiB keeps memory constant for any file size; same digest as ``sha256sum``.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify_checksums(sums_file: str | Path) -> list[tuple[str, str]]:
    """Check every ``<digest>  <relative path>`` line of ``sums_file`` (sha256sum format).

    Returns ``(path, digest)`` pairs in file order. Raises :class:`InputError` naming every file
    that is missing or whose digest differs, so the workflow stops before using it.

    Paths are relative to the folder of ``sums_file``; blank lines are skipped, a leading ``*``
    (sha256sum's binary-mode mark) is dropped and digests compare case-insensitively. Rejected:
    a missing ``sums_file``; a line that is not two fields (named by its line number, at once);
    then, after every line is checked, all mismatched and all missing files in one error.
    Files present in the folder but not listed are not checked (and not rejected).

    ``sums_file``: the path of ``SHA256SUMS`` (``data/raw/SHA256SUMS`` in the workflow); every
    listed file is hashed in full, so the check costs one read of ``data/raw``.
    The error reads e.g. ``data/raw/SHA256SUMS: checksum mismatch for geo/x.json; missing raw
    file(s) hansen1999/invest.dat; data/raw must be byte-identical to its source ...``.
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
