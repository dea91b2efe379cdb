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
    _check_tfp(config, source)
    _check_user_series(config, source)
    _check_study(config, source)


def _check_tfp(config: Mapping[str, Any], source: str) -> None:
    """TFP stage: a csv labour source needs a file, in the baseline and in every variant."""
    labour = dict(config.get("labour") or {})
    variants = dict((config.get("tfp") or {}).get("variants") or {})
    if labour.get("source") == "csv" and not labour.get("file"):
        raise InputError("labour.source is csv but labour.file is not set", file=source, column="labour.file")
    for name, over in variants.items():
        over = dict(over or {})
        if over.get("labour", labour.get("source")) == "csv" and not over.get("labour_file", labour.get("file")):
            raise InputError(
                f"variant '{name}' uses labour csv but neither labour_file nor labour.file is set",
                file=source,
                column="tfp.variants",
            )


def _check_study(config: Mapping[str, Any], source: str) -> None:
    """Study: specs (kind/estimator/cov combinations, TFP variants) and what tables and figures reference."""
    from tfp_talent.talent.specs import check_study_config  # imported here: only the workflow needs it

    check_study_config(config, source=source)


def _check_user_series(config: Mapping[str, Any], source: str) -> None:
    """User series: each file exists, its years lie inside years, its name is not a panel or TFP column."""
    from pathlib import Path

    from tfp_talent.data.definitions import PANEL_COLUMNS

    reserved = {*PANEL_COLUMNS, "province_code", "year", "province", "province_en", "region3", "region4"}
    reserved |= {"dist_frontier", "labour_filled", "hc_filled"}
    years = config["years"]
    for name, entry in dict(config.get("user_series") or {}).items():
        entry = dict(entry or {})
        key = f"user_series.{name}"
        if name in reserved or name.split("_", 1)[0] in ("solow", "tornqvist", "malmquist"):
            raise InputError(
                f"'{name}' is already a panel or TFP variable; a user series never replaces shipped data",
                file=source,
                column=key,
                hint="give the series another name",
            )
        if not Path(str(entry.get("file", ""))).is_file():
            raise InputError(f"file not found: {entry.get('file')!r}", file=source, column=f"{key}.file")
        own = entry.get("years")
        if own is not None and not (years["start"] <= own[0] <= own[1] <= years["end"]):
            raise InputError(
                f"years {own} must satisfy {years['start']} <= first <= last <= {years['end']} (years.start/end)",
                file=source,
                column=f"{key}.years",
            )
