"""Helpers of the reproducibility tests: project copies, Snakemake / CLI runs, digests, parallel batches.

Workflow runs use the project's Snakefile (``-s``) with a temporary working directory
(``-d``) that holds copies of ``data/raw``, ``config`` and ``reports/templates``: the rules,
scripts and ``src/`` are read from the checkout, every input and output lives in the copy,
and nothing is ever written under the checkout's ``data/raw``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
BIN = Path(sys.executable).parent
SNAKEMAKE = BIN / "snakemake"
TRACEBACK = "Traceback (most recent call last)"
#: Parallel subprocesses in a batch (the CI machine has 2 cores).
WORKERS = max(1, min(2, os.cpu_count() or 1))


def cli_command() -> list[str]:
    """The installed console script, or ``python -m tfp_talent.cli`` when it is not on disk."""
    script = BIN / "tfp-talent"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tfp_talent.cli"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digests(root: Path, suffixes: Iterable[str] | None = None) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative POSIX path -> digest), hidden files skipped."""
    wanted = None if suffixes is None else tuple(suffixes)
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if wanted is None or path.name.endswith(wanted):
            out[rel.as_posix()] = sha256(path)
    return out


def _writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR | (stat.S_IXUSR if path.is_dir() else 0))


def make_project(dest: Path, *, templates: bool = False) -> Path:
    """A working directory with copies of data/raw and config (and reports/templates): returns it.

    Raw files are copied, never linked: the tests break the copies in place.
    """
    work = dest / "work"
    (work / "data").mkdir(parents=True)
    shutil.copytree(RAW, work / "data" / "raw")
    _writable(work / "data" / "raw")  # data/raw is read-only in the checkout
    shutil.copytree(ROOT / "config", work / "config")
    if templates and (ROOT / "reports" / "templates").exists():
        shutil.copytree(ROOT / "reports" / "templates", work / "reports" / "templates")
    return work


def load_config(work: Path) -> dict[str, Any]:
    return yaml.safe_load((work / "config" / "config.yaml").read_text(encoding="utf-8"))


def save_config(work: Path, config: dict[str, Any]) -> None:
    """Write the copy's config (YAML anchors are expanded; values unchanged)."""
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    (work / "config" / "config.yaml").write_text(text, encoding="utf-8")


def update_checksum(work: Path, relative: str) -> None:
    """Record a deliberately changed raw file in the copy's SHA256SUMS (as a user replacing data would)."""
    sums = work / "data" / "raw" / "SHA256SUMS"
    digest = sha256(work / "data" / "raw" / relative)
    lines = sums.read_text(encoding="utf-8").splitlines()
    hit = [i for i, line in enumerate(lines) if line.endswith(f"  {relative}")]
    assert len(hit) == 1, f"{relative} not in SHA256SUMS"
    lines[hit[0]] = f"{digest}  {relative}"
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")


def snakemake(
    work: Path, *args: str, cores: int = 1, timeout: int = 900, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``snakemake -s <checkout>/Snakefile -d work -c<cores> --nolock ARGS`` (captured text).

    ``env`` adds variables to the environment (e.g. ``PYTHONHASHSEED``; jobs inherit it).
    """
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(work), f"-c{cores}", "--nolock", *args]
    full_env = None if env is None else {**os.environ, **env}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=full_env)


def run_cli(args: list[str], cwd: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*cli_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def error_lines(text: str) -> list[str]:
    """The package's one-line messages (``error: ...``) in a stream."""
    return [line for line in text.splitlines() if line.startswith("error: ")]


def leftovers(root: Path) -> list[str]:
    """Temporary files of atomic writes (``.<name>.*.tmp``) left under ``root``."""
    return sorted(str(p.relative_to(root)) for p in root.rglob(".*.tmp")) if root.exists() else []


@dataclass
class Batch:
    """Run many independent jobs (subprocesses) a few at a time, once, on first request.

    ``jobs`` maps an id to a zero-argument callable. :meth:`result` runs every job not
    yet run (in a thread pool of ``workers``) and returns the id's result, or re-raises
    the exception its job raised.
    """

    jobs: dict[str, Callable[[], Any]]
    workers: int = WORKERS

    def __post_init__(self) -> None:
        self._done: dict[str, tuple[bool, Any]] = {}

    def _run_all(self) -> None:
        pending = [k for k in self.jobs if k not in self._done]

        def one(key: str) -> tuple[str, tuple[bool, Any]]:
            try:
                return key, (True, self.jobs[key]())
            except BaseException as err:
                return key, (False, err)

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for key, outcome in pool.map(one, pending):
                self._done[key] = outcome

    def result(self, key: str) -> Any:
        if key not in self._done:
            self._run_all()
        ok, value = self._done[key]
        if not ok:
            raise value
        return value


def selected_params(request: Any, argname: str) -> list[Any]:
    """Values of parameter ``argname`` of the tests of the requesting module that this session runs."""
    values = []
    for item in request.session.items:
        spec = getattr(item, "callspec", None)
        if spec is not None and item.module is request.module and argname in spec.params:
            values.append(spec.params[argname])
    return values
