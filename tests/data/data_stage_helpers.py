"""Paths and small file-editing helpers shared by the data-stage tests (imported by name)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
PROV = RAW / "nbs-provincial-2000-2019"
EXPORTS = RAW / "nbs-exports"
YEARBOOK = RAW / "science-tech-yearbook-2010-2023"


def copy_file(src: Path, tmp_path: Path, name: str | None = None) -> Path:
    """Copy one raw file into tmp_path (keeping its name unless ``name`` is given)."""
    dest = tmp_path / (name or src.name)
    shutil.copyfile(src, dest)
    return dest


def edit_text(path: Path, old: str, new: str, *, encoding: str = "utf-8", count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a text file (asserting it was there)."""
    text = path.read_bytes().decode(encoding)
    assert old in text, f"{old!r} not in {path}"
    path.write_bytes(text.replace(old, new, count).encode(encoding))
