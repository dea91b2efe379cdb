"""Checks on the workflow configuration that a JSON schema cannot express.

The schema (``config/schema.yaml``) fixes types, enums and bounds; this module
adds cross-field rules (start year <= end year, ...). Each stage adds its rules to
:func:`check_config`. Failures raise :class:`InputError` naming the config key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfp_talent.errors import InputError

CONFIG_FILE = "config/config.yaml"


def check_config(config: Mapping[str, Any], *, source: str = CONFIG_FILE) -> None:
    """Raise :class:`InputError` for the first cross-field inconsistency in ``config``."""
    years = config["years"]
    if years["start"] > years["end"]:
        raise InputError(
            f"years.start ({years['start']}) is after years.end ({years['end']})",
            file=source,
            column="years",
        )
