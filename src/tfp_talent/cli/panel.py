"""`tfp-talent panel` sub-command (to be filled in by its issue)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `panel` sub-command to the CLI."""
    # TODO(issue): not yet implemented; the sub-command is registered by its owner.
    return None
