"""Pieces every ``tfp-talent`` sub-command shares: the parser of a command, the panel input and output
options, the covariance options, the ``--out`` suffix check and passing parsed options to an estimator.

One place for each, so that an option means the same (name, default, help) in every command that has it.

The covariance words (``--cov`` unadjusted / robust / clustered / driscoll-kraay, ``--cluster`` entity /
time / both, ``--convention``, ``--level``) are those of :mod:`tfp_talent.estimators.inference`, which
defines them and their formulas; the commands pass them through unchanged.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import CLUSTERS, COVS

PANEL_FILE = "panel file: .csv, .parquet or .dta"
Handler = Callable[[argparse.Namespace], int]


def add_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    handler: Handler,
    help: str,
    description: str,
    epilog: str,
) -> argparse.ArgumentParser:
    """A sub-command ``name`` whose examples (``epilog``) keep their line breaks; ``handler`` runs it.

    ``help`` is the one-line summary in ``tfp-talent --help``; ``description`` and ``epilog`` head and end
    ``tfp-talent NAME --help`` (raw text: formulas and example commands are shown as written). The handler
    is stored as the parser default ``handler``, which :func:`tfp_talent.cli.main` calls with the parsed
    namespace and whose return value is the exit code.
    """
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=fmt)
    p.set_defaults(handler=handler)
    return p


def add_panel_input(
    p: argparse.ArgumentParser, entity: str, time: str, *, data: str = PANEL_FILE, required: bool = True
) -> None:
    """``--data FILE`` (the panel file), ``--entity COL`` and ``--time COL`` (its key columns) with the given helps.

    ``data`` is the help of ``--data`` (default: CSV, Parquet or Stata ``.dta``, the suffixes
    :func:`tfp_talent.io.read_panel` accepts); ``required=False`` makes ``--entity`` and ``--time``
    optional, for commands that can take them from a formula instead.
    """
    p.add_argument("--data", required=True, metavar="FILE", help=data)
    for flag, help_text in (("--entity", entity), ("--time", time)):
        p.add_argument(flag, required=required, metavar="COL", help=help_text)


def add_out(p: argparse.ArgumentParser, help: str = "output JSON file", metavar: str | None = None) -> None:
    """The required ``--out`` file; ``help`` and ``metavar`` of ``--help`` (handlers check the suffix)."""
    p.add_argument("--out", required=True, metavar=metavar, help=help)


def add_level(p: argparse.ArgumentParser, default: float = 0.95, help: str = "confidence level") -> None:
    """``--level`` of the confidence intervals; the help ends with the default.

    A level of 0.95 gives 95 % intervals; commands pass it to the estimator unchanged, which checks
    that it lies in (0, 1).
    """
    p.add_argument("--level", type=float, default=default, help=f"{help} (default {default})")


def add_cov(p: argparse.ArgumentParser, *, default_cov: str | None, dk: bool = True) -> None:
    """``--cov`` and ``--cluster`` of :mod:`tfp_talent.estimators.inference`, and ``--bandwidth`` with ``dk``
    (Driscoll-Kraay allowed); ``default_cov`` None lets the estimator choose.

    ``--bandwidth`` is the Bartlett-kernel lag of the Driscoll & Kraay (1998) covariance; None gives the
    estimator's automatic lag floor(4 (T/100)^(2/9)) with T the number of periods. Without ``dk`` the
    Driscoll-Kraay choice and ``--bandwidth`` are not offered (e.g. for FE-2SLS).
    """
    covs = COVS if dk else tuple(c for c in COVS if c != "driscoll-kraay")
    default_text = default_cov or "clustered; robust for the between model"
    p.add_argument("--cov", choices=covs, default=default_cov, help=f"covariance (default: {default_text})")
    cluster_help = "cluster variable(s) with --cov clustered (default: entity)"
    p.add_argument("--cluster", choices=CLUSTERS, default=None, help=cluster_help)
    if dk:
        dk_help = "Driscoll-Kraay lag (default floor(4(T/100)^(2/9)))"
        p.add_argument("--bandwidth", type=int, default=None, help=dk_help)


def cluster_of(args: argparse.Namespace) -> str | None:
    """``--cluster``, or ``entity`` when ``--cov clustered`` names none.

    Returns None for the other covariance types, so that no cluster variable reaches an estimator that does
    not cluster. ``--cov clustered --cluster both`` gives ``both`` (two-way clustering by entity and time).
    """
    if args.cluster is not None:
        return args.cluster
    return "entity" if args.cov == "clustered" else None


def require_out_suffix(args: argparse.Namespace, suffix: str) -> None:
    """InputError unless ``--out`` ends in ``suffix`` (any case); checked before any work is done.

    So a long estimation never ends in a file that cannot be written (``--out fe.csv`` for a JSON result).
    """
    if not str(args.out).lower().endswith(suffix):
        raise InputError(f"--out must be a {suffix} file", file=args.out)


def options(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The parsed options ``names`` as keyword arguments of the same names for an estimator.

    ``options(args, "cov", "level")`` is ``{"cov": args.cov, "level": args.level}``; argparse's dest names
    (``--first-step`` -> ``first_step``) must therefore equal the estimator's keyword names.
    """
    return {name: getattr(args, name) for name in names}
