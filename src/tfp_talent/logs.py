"""Logging for workflow scripts and the CLI: one format, one place for bad-input exits."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tfp_talent.errors import EXIT_BAD_INPUT, InputError

LOGGER_NAME = "tfp_talent"


def get_logger(name: str | None = None) -> logging.Logger:
    """The package logger (or a child of it)."""
    return logging.getLogger(LOGGER_NAME if name is None else f"{LOGGER_NAME}.{name}")


def configure(log_file: str | Path | None = None, *, level: int = logging.INFO) -> logging.Logger:
    """Send package log records to stderr and, if given, to ``log_file`` (overwritten)."""
    logger = get_logger()
    logger.handlers.clear()
    logger.setLevel(level)
    logger.propagate = False
    fmt = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(fmt)
    logger.addHandler(stream)
    if log_file is not None:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, mode="w", encoding="utf-8")
        handler.setFormatter(fmt)
        logger.addHandler(handler)
    return logger


@contextmanager
def script_run(log_file: str | Path | None) -> Iterator[logging.Logger]:
    """Context for a workflow script: logs to ``log_file``; bad input exits 2 with one line.

    Used by every ``workflow/scripts/*.py`` adapter as ``with script_run(snakemake.log[0]) as log:``.

    Start-up cost: a rule job is a short Python process that imports pandas, SciPy,
    pyfixest or matplotlib for well under a second of work. The objects that exist on
    entry (mostly those imported modules) are moved to the garbage collector's
    permanent generation (``gc.freeze()``), and so are all objects left on success, so
    neither the collections during the job nor the ones at interpreter shutdown walk
    them again (about 0.5 CPU seconds less per estimation job; measured in
    benchmarks/README.md, "Workflow"). Nothing else changes: objects are still freed
    by reference counting, the job's outputs are already written and closed.
    """
    gc.freeze()
    logger = configure(log_file)
    try:
        yield logger
        gc.freeze()
    except InputError as err:
        logger.error(str(err))
        print(f"error: {err}", file=sys.stderr)
        logging.shutdown()
        sys.exit(EXIT_BAD_INPUT)
