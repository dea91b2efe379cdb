"""The provincial TFP stage of the workflow: settings, inputs, methods, variants.

A robustness variant runs the same workflow rules as the baseline with its own settings
(workflow/rules/tfp.smk); this module supplies the settings and the per-stage functions.

Settings come from three config sections (``capital:``, ``labour:``, ``tfp:``) and
:func:`resolve_settings` flattens them, applying a robustness variant's overrides
(``tfp.variants.<name>``: any of :data:`VARIANT_KEYS`) on top of the baseline. The rule
files pass only the settings a job depends on as Snakemake params, so a change of
``capital.delta`` re-runs the capital-dependent jobs and a change of ``tfp.alpha``
only the Solow job.

Provincial conventions: keys ``province_code, year``; output Y = ``gdp_real`` (亿元,
constant prices of ``years.start``); capital K from :mod:`tfp_talent.tfp.capital`
in the same base year; effective labour h·L from :mod:`tfp_talent.tfp.labour`; labour
share from the panel's ``labour_share`` (2000–2017), later years filled by
``tfp.share_rule`` and flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import require_columns, require_unique_keys
from tfp_talent.logs import get_logger
from tfp_talent.tfp.capital import ZHANG_DELTA, ZHANG_INITIAL_RATE
from tfp_talent.tfp.methods import METHODS
from tfp_talent.tfp.solow import DEFAULT_ALPHA

log = get_logger("tfp.pipeline")

KEYS = ["province_code", "year"]
OUTPUT = "gdp_real"

#: The Python defaults of the config sections (config/schema.yaml states the same; tests/test_defaults.py checks).
CAPITAL_DEFAULTS: dict[str, Any] = {
    "delta": ZHANG_DELTA,
    "initial": "zhang",
    "initial_rate": ZHANG_INITIAL_RATE,
    "hj_years": 10,
    "base_year": None,
    "chongqing_initial": "package",
}
LABOUR_DEFAULTS: dict[str, Any] = {
    "source": "working_age",
    "file": None,
    "human_capital": True,
    "fill_gaps": "inside",
}
TFP_DEFAULTS: dict[str, Any] = {
    "methods": list(METHODS),
    "alpha": DEFAULT_ALPHA,
    "share_rule": "carry_forward",
    "frontier": "contemporaneous",
    "vrs": True,
}
#: Variant key -> (config section, setting). A variant entry may override any of these.
VARIANT_KEYS: dict[str, tuple[str, str]] = {
    "delta": ("capital", "delta"),
    "initial": ("capital", "initial"),
    "chongqing_initial": ("capital", "chongqing_initial"),
    "labour": ("labour", "source"),
    "labour_file": ("labour", "file"),
    "human_capital": ("labour", "human_capital"),
    "fill_gaps": ("labour", "fill_gaps"),
    "alpha": ("tfp", "alpha"),
    "share_rule": ("tfp", "share_rule"),
    "frontier": ("tfp", "frontier"),
    "vrs": ("tfp", "vrs"),
    "methods": ("tfp", "methods"),  # a variant may compute fewer measures (only those its specs use)
}


def resolve_settings(config: Mapping[str, Any], variant: str | None = None) -> dict[str, dict[str, Any]]:
    """Baseline settings from ``config`` (defaults filled), with ``variant``'s overrides applied.

    ``capital.base_year`` null means ``years.start`` (the price base of real GDP).

    Returns ``{"capital": {...}, "labour": {...}, "tfp": {...}}``: :data:`CAPITAL_DEFAULTS`,
    :data:`LABOUR_DEFAULTS` and :data:`TFP_DEFAULTS` updated by the config sections (``tfp.variants``
    itself is not copied) and then by the variant's keys, each mapped to its section by
    :data:`VARIANT_KEYS` (``labour`` sets ``labour.source``, ``labour_file`` ``labour.file``).
    Values are not validated here (config/schema.yaml does that; the stage functions check their
    own arguments). Raises :class:`InputError` naming config/config.yaml for an unknown variant
    or variant key.
    """
    out = {
        "capital": {**CAPITAL_DEFAULTS, **dict(config.get("capital") or {})},
        "labour": {**LABOUR_DEFAULTS, **dict(config.get("labour") or {})},
        "tfp": {
            **TFP_DEFAULTS,
            **{k: v for k, v in dict(config.get("tfp") or {}).items() if k != "variants"},
        },
    }
    if out["capital"]["base_year"] is None:
        out["capital"]["base_year"] = int(config["years"]["start"])
    if variant is not None:
        variants = dict((config.get("tfp") or {}).get("variants") or {})
        if variant not in variants:
            raise InputError(
                f"unknown TFP variant '{variant}'", file="config/config.yaml", column="tfp.variants"
            )
        for key, value in dict(variants[variant] or {}).items():
            if key not in VARIANT_KEYS:
                raise InputError(
                    f"variant '{variant}': unknown key '{key}' (use {', '.join(VARIANT_KEYS)})",
                    file="config/config.yaml",
                    column="tfp.variants",
                )
            section, name = VARIANT_KEYS[key]
            out[section][name] = value
    return out


def capital_params(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`tfp_talent.tfp.capital.china_capital_stock` from the ``capital`` settings.

    delta, initial, initial_rate, hj_years, base_year and chongqing_initial, as resolved by
    :func:`resolve_settings` (the capital job's Snakemake params).
    """
    c = settings["capital"]
    return {
        k: c[k] for k in ("delta", "initial", "initial_rate", "hj_years", "base_year", "chongqing_initial")
    }


def labour_params(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of :func:`tfp_talent.tfp.labour.labour_input` from the ``labour`` settings.

    ``labour.file`` becomes ``user_file`` (read only when ``labour.source`` is ``csv``).
    """
    lab = settings["labour"]
    return {
        "source": lab["source"],
        "human_capital": lab["human_capital"],
        "fill_gaps": lab["fill_gaps"],
        "user_file": lab["file"],
    }


def tfp_inputs(panel: pd.DataFrame, capital: pd.DataFrame, labour: pd.DataFrame) -> pd.DataFrame:
    """Merge Y (gdp_real), K, L, h, h·L and the labour share on the panel's province-years.

    ``capital`` is the output of :func:`tfp_talent.tfp.capital.china_capital_stock` and ``labour``
    of :func:`tfp_talent.tfp.labour.labour_input`, merged one-to-one onto the panel's keys (left
    join: province-years of the panel only, NaN where a stage has no value). Returns
    ``province_code, year, output, labour_share, capital, labour, hc, labour_eff, labour_filled,
    hc_filled`` sorted by the keys. Raises :class:`InputError` for missing columns or duplicate
    keys in ``panel``, and pandas' MergeError for duplicate keys in ``capital`` or ``labour``.
    """
    require_columns(panel, [*KEYS, OUTPUT, "labour_share"], file="panel")
    require_unique_keys(panel, KEYS, file="panel")
    base = panel[[*KEYS, OUTPUT, "labour_share"]].rename(columns={OUTPUT: "output"})
    out = base.merge(capital[[*KEYS, "capital"]], on=KEYS, how="left", validate="one_to_one")
    lab_cols = ["labour", "hc", "labour_eff", "labour_filled", "hc_filled"]
    out = out.merge(labour[[*KEYS, *lab_cols]], on=KEYS, how="left", validate="one_to_one")
    return out.sort_values(KEYS).reset_index(drop=True)


def provincial_tfp(inputs: pd.DataFrame, method: str, params: Mapping[str, Any]) -> pd.DataFrame:
    """TFP of ``method`` on the merged inputs of :func:`tfp_inputs`, keyed by province_code, year.

    Province-years without output, capital or effective labour are left out (logged) and
    come back as NaN rows. Solow growth is defined only between consecutive calendar years;
    the chained indices (Törnqvist, Malmquist) use each province's longest run of
    consecutive complete years (a warning lists what is left out, e.g. the isolated 2004
    of the non-farm employment proxy). Törnqvist fills missing labour shares by
    ``share_rule`` and flags them in ``share_filled``.

    ``params`` are the method's settings (:func:`tfp_talent.tfp.methods.method_params`). The
    inputs enter as output = ``output``, capital = ``capital`` and labour = ``labour_eff`` (h·L), so
    the measures of :mod:`tfp_talent.tfp.measure` get no separate ``hc``. Returns one row per row
    of ``inputs`` (same keys, same order) with the method's columns; ``share_filled`` is a
    nullable boolean. Raises :class:`InputError` for an unknown method or when no province-year
    is complete.
    """
    if method not in METHODS:
        raise InputError(f"unknown TFP method '{method}' (use {', '.join(METHODS)})", column="tfp.methods")
    need = ["output", "capital", "labour_eff"]
    complete = inputs[need].notna().all(axis=1)
    if not complete.all():
        dropped = inputs.loc[~complete]
        log.info(
            "%s: %d province-years without output, capital or effective labour left out (years %s)",
            method,
            len(dropped),
            ", ".join(str(y) for y in sorted(dropped["year"].unique())),
        )
    data = inputs.loc[complete].reset_index(drop=True)
    if data.empty:
        raise InputError(f"{method}: no province-year has output, capital and effective labour", file="panel")
    if METHODS[method].chained:
        keep = _longest_runs(data)
        if not keep.all():
            dropped = data.loc[~keep, KEYS]
            log.warning(
                "%s: chained index, so each province keeps its longest run of consecutive complete years; "
                "left out %d province-years before a gap: %s",
                method,
                len(dropped),
                ", ".join(f"({c}, {y})" for c, y in dropped.itertuples(index=False, name=None)),
            )
            data = data.loc[keep].reset_index(drop=True)
    res = METHODS[method].from_settings(
        data,
        params,
        entity="province_code",
        time="year",
        output="output",
        capital="capital",
        labour="labour_eff",
        source="TFP inputs",
    )
    out = inputs[KEYS].merge(res, on=KEYS, how="left", validate="one_to_one")
    if "share_filled" in out:
        out["share_filled"] = out["share_filled"].astype("boolean")
    return out


def _longest_runs(data: pd.DataFrame) -> np.ndarray:
    """Mask of each province's longest run of consecutive years in ``data`` (the latest on ties).

    ``data`` is sorted by province_code, year.
    A run breaks where the province changes or a year is skipped; runs are numbered in row
    order, so on equal length the later run (higher number) is kept.
    """
    years = data["year"].to_numpy()
    code = data["province_code"].to_numpy()
    new_run = np.ones(len(data), dtype=bool)
    new_run[1:] = (code[1:] != code[:-1]) | (years[1:] != years[:-1] + 1)
    run_id = np.cumsum(new_run)
    length = pd.Series(run_id).map(pd.Series(run_id).value_counts()).to_numpy()
    best = pd.DataFrame({"code": code, "run": run_id, "len": length}).sort_values(["code", "len", "run"])
    best_run = best.groupby("code")["run"].last()
    return run_id == pd.Series(code).map(best_run).to_numpy()


def combine_tfp(frames: Mapping[str, pd.DataFrame], labour: pd.DataFrame | None = None) -> pd.DataFrame:
    """One frame keyed by province_code, year with each method's columns prefixed ``<method>_``.

    With ``labour`` the flags ``labour_filled`` and ``hc_filled`` are added (they apply to
    every method that uses h·L).

    ``frames`` maps method names to :func:`provincial_tfp` results; methods are joined (outer,
    one-to-one on the keys) in the order of :data:`~tfp_talent.tfp.methods.METHODS`, e.g.
    ``solow_ln_tfp, solow_tfp_growth, tornqvist_ln_tfp, ...``. Raises :class:`InputError` when
    ``frames`` holds no known method.
    """
    out: pd.DataFrame | None = None
    for method in METHODS:
        if method not in frames:
            continue
        f = frames[method]
        renamed = f.rename(columns={c: f"{method}_{c}" for c in f.columns if c not in KEYS})
        out = renamed if out is None else out.merge(renamed, on=KEYS, how="outer", validate="one_to_one")
    if out is None:
        raise InputError("no TFP method to combine", column="tfp.methods")
    if labour is not None:
        out = out.merge(labour[[*KEYS, "labour_filled", "hc_filled"]], on=KEYS, how="left")
    return out.sort_values(KEYS).reset_index(drop=True)


def summarise(frame: pd.DataFrame, column: str) -> str:
    """One log line: mean, min and max of a column over its non-missing rows.

    Format ``<column>: n=<count>, mean=<m>, min=<lo>, max=<hi>`` (4 decimals) over the finite values;
    ``<column>: no values`` when none is finite.
    """
    v = frame[column].to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return f"{column}: no values"
    return f"{column}: n={v.size}, mean={v.mean():.4f}, min={v.min():.4f}, max={v.max():.4f}"
