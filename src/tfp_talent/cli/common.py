"""Pieces every ``tfp-talent`` sub-command shares: the parser of a command, the panel input and output
options, the covariance options, the ``--out`` suffix check and passing parsed options to an estimator.

One place for each, so that an option means the same (name, default, help) in every command that has it.
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
    """A sub-command ``name`` whose examples (``epilog``) keep their line breaks; ``handler`` runs it."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=fmt)
    p.set_defaults(handler=handler)
    return p


def add_panel_input(
    p: argparse.ArgumentParser, entity: str, time: str, *, data: str = PANEL_FILE, required: bool = True
) -> None:
    """``--data FILE`` (the panel file), ``--entity COL`` and ``--time COL`` (its key columns) with the given helps."""
    p.add_argument("--data", required=True, metavar="FILE", help=data)
    for flag, help_text in (("--entity", entity), ("--time", time)):
        p.add_argument(flag, required=required, metavar="COL", help=help_text)


def add_out(p: argparse.ArgumentParser, help: str = "output JSON file", metavar: str | None = None) -> None:
    """The required ``--out`` file."""
    p.add_argument("--out", required=True, metavar=metavar, help=help)


def add_level(p: argparse.ArgumentParser, default: float = 0.95, help: str = "confidence level") -> None:
    """``--level`` of the confidence intervals; the help ends with the default."""
    p.add_argument("--level", type=float, default=default, help=f"{help} (default {default})")


def add_cov(p: argparse.ArgumentParser, *, default_cov: str | None, dk: bool = True) -> None:
    """``--cov`` and ``--cluster`` of :mod:`tfp_talent.estimators.inference`, and ``--bandwidth`` with ``dk``
    (Driscoll-Kraay allowed); ``default_cov`` None lets the estimator choose."""
    covs = COVS if dk else tuple(c for c in COVS if c != "driscoll-kraay")
    default_text = default_cov or "clustered; robust for the between model"
    p.add_argument("--cov", choices=covs, default=default_cov, help=f"covariance (default: {default_text})")
    cluster_help = "cluster variable(s) with --cov clustered (default: entity)"
    p.add_argument("--cluster", choices=CLUSTERS, default=None, help=cluster_help)
    if dk:
        dk_help = "Driscoll-Kraay lag (default floor(4(T/100)^(2/9)))"
        p.add_argument("--bandwidth", type=int, default=None, help=dk_help)


def cluster_of(args: argparse.Namespace) -> str | None:
    """``--cluster``, or ``entity`` when ``--cov clustered`` names none."""
    if args.cluster is not None:
        return args.cluster
    return "entity" if args.cov == "clustered" else None


def require_out_suffix(args: argparse.Namespace, suffix: str) -> None:
    """InputError unless ``--out`` ends in ``suffix`` (any case); checked before any work is done."""
    if not str(args.out).lower().endswith(suffix):
        raise InputError(f"--out must be a {suffix} file", file=args.out)


def options(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The parsed options ``names`` as keyword arguments of the same names for an estimator."""
    return {name: getattr(args, name) for name in names}
