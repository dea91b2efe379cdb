#!/usr/bin/env python3
"""The two set-up commands of the README, with nothing but Python >= 3.11 installed.

    python3 run.py workflow [snakemake args...]   # create .venv if missing, run the whole workflow
    python3 run.py test [pytest args...]          # create .venv if missing, run the test suite

The environment is built from ``requirements.lock`` (exact versions) plus this
package in editable mode; it is rebuilt when the lock or pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("TFP_TALENT_VENV", ROOT / ".venv"))
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".tfp_talent_stamp"


def _bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _fingerprint() -> str:
    h = hashlib.sha256()
    for f in (LOCK, ROOT / "pyproject.toml"):
        h.update(f.read_bytes())
    return h.hexdigest()


def ensure_env() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"error: Python >= 3.11 is required (this is {sys.version.split()[0]})")
    if STAMP.exists() and STAMP.read_text().strip() == _fingerprint():
        return
    if not _bin("python").exists():
        print(f"[run.py] creating virtual environment {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(_bin("python")), "-m", "pip", "--disable-pip-version-check"]
    print("[run.py] installing pinned dependencies from requirements.lock", flush=True)
    subprocess.run([*pip, "install", "-q", "-r", str(LOCK)], check=True, cwd=ROOT)
    subprocess.run([*pip, "install", "-q", "--no-deps", "-e", str(ROOT)], check=True, cwd=ROOT)
    STAMP.write_text(_fingerprint())


def compile_sources() -> None:
    """Byte-compile ``src/`` (fast when up to date). The package is installed in editable mode, so
    nothing compiles it, and with PYTHONDONTWRITEBYTECODE set (as on the CI machines) every workflow
    job would otherwise compile the modules it imports again (about 0.2 s a job)."""
    subprocess.run([str(_bin("python")), "-m", "compileall", "-q", str(ROOT / "src")], check=True, cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"workflow", "test"}:
        print(__doc__)
        return 2
    ensure_env()
    compile_sources()
    if argv[0] == "workflow":
        cmd = [str(_bin("snakemake")), "--profile", "profiles/local", *argv[1:]]
    else:
        cmd = [str(_bin("python")), "-m", "pytest", *argv[1:]]
    print("[run.py] " + " ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
