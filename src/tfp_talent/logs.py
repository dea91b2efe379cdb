"""Logging for workflow scripts and the CLI: one format, one place for bad-input exits.

Every module logs to a child of the package logger ``tfp_talent`` (``tfp_talent.data``,
``tfp_talent.data.user_series``, ...), so one handler set on the parent catches all of them.
Records are written as ``LEVEL logger-name: message``, e.g.
``INFO tfp_talent.data: missing rd_fte: 2000:31, ...``. Nothing is configured on import:
a library user sees the records only if they configure logging themselves.
"""

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
    """The package logger (or a child of it): ``get_logger('data')`` is ``tfp_talent.data``."""
    return logging.getLogger(LOGGER_NAME if name is None else f"{LOGGER_NAME}.{name}")


def configure(log_file: str | Path | None = None, *, level: int = logging.INFO) -> logging.Logger:
    """Send package log records to stderr and, if given, to ``log_file`` (overwritten).

    Replaces the package logger's handlers (so calling it twice does not double the lines), sets
    ``level`` (INFO by default) and stops propagation to the root logger. ``log_file`` is UTF-8;
    its folder is created. Returns the package logger. :func:`script_run` calls it once per job.
    """
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

    On :class:`~tfp_talent.errors.InputError` the message is logged as an error, printed as
    ``error: <message>`` on stderr and the process exits with code 2
    (:data:`~tfp_talent.errors.EXIT_BAD_INPUT`); any other exception propagates with its traceback.
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
