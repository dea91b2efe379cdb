"""Input checks shared by the TFP measures: keys, missing values, positivity, periods.

Every check raises :class:`~tfp_talent.errors.InputError` naming the column and the
offending ``(entity, time)`` rows, so a user of the generic API or of the CLI sees
one line saying what to fix, never a pandas or numpy traceback.

*Periods* are the distinct values of the time column present in the data, in
sorted order (so a biennial panel is fine); an entity has a *gap* when its rows
skip a period that lies between its own first and last period.

Shared vocabulary of the TFP functions (the measures refer to it instead of repeating it):

``entity``, ``time``
    Column names of the panel keys; (entity, time) must be unique. ``time`` is any sortable
    value (years in the workflow).
``output``, ``capital``, ``labour``, ``hc``
    Column names of Y, K, L and h (:class:`ProductionColumns`); all must be present, numeric,
    finite and > 0 in every row used. Units are free: the measures use logs or ratios only.
``source`` / ``file``
    The file (or a label such as ``"TFP inputs"``) named in every :class:`InputError`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NotRequired, TypedDict

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.io import numeric_column, require_columns, require_unique_keys


class ProductionColumns(TypedDict):
    """The columns a production-based TFP measure names: keys, output Y, capital K, labour L and, optionally,
    human capital per worker h (effective labour h·L)."""

    entity: str
    time: str
    output: str
    capital: str
    labour: str
    hc: NotRequired[str | None]


PRODUCTION_KEYS = ("entity", "time", "output", "capital", "labour", "hc")


def check_production_columns(columns: Mapping[str, object]) -> None:
    """Raise TypeError (as a wrong keyword argument does) unless ``columns`` are :class:`ProductionColumns`.

    Every key of :data:`PRODUCTION_KEYS` but ``hc`` is required; any other key is refused. The
    message lists the missing and the unknown keys.
    """
    unknown = sorted(set(columns) - set(PRODUCTION_KEYS))
    missing = [k for k in PRODUCTION_KEYS[:-1] if k not in columns]
    if unknown or missing:
        raise TypeError(
            f"column arguments: missing {missing}, unknown {unknown} (use {', '.join(PRODUCTION_KEYS)})"
        )


def production_logs(
    frame: pd.DataFrame,
    columns: ProductionColumns,
    *,
    extra: Sequence[str] = (),
    source: str | Path | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`complete_panel` of Y, K, L (and h), all > 0, and of the ``extra`` columns; with ln Y, ln K and
    ln(h L) = ln L + ln h of its rows.

    Returns ``(data, ln_y, ln_k, ln_hl)``: the checked frame sorted by (entity, time) and three
    float arrays aligned with its rows (ln_hl = ln L when ``hc`` is None or absent). ``extra``
    columns must be present and numeric but may be <= 0. Raises TypeError for bad ``columns``
    (:func:`check_production_columns`) and :class:`InputError` as :func:`complete_panel`.
    """
    check_production_columns(columns)
    labour, hc = columns["labour"], columns.get("hc")
    cols = [columns["output"], columns["capital"], labour, *([hc] if hc else [])]
    data = complete_panel(
        frame,
        entity=columns["entity"],
        time=columns["time"],
        columns=[*cols, *extra],
        positive=cols,
        file=source,
    )
    ln_hl = np.log(data[labour].to_numpy()) + (np.log(data[hc].to_numpy()) if hc else 0.0)
    return (
        data,
        np.log(data[columns["output"]].to_numpy()),
        np.log(data[columns["capital"]].to_numpy()),
        ln_hl,
    )


def complete_panel(
    frame: pd.DataFrame,
    *,
    entity: str,
    time: str,
    columns: Sequence[str],
    positive: Sequence[str] = (),
    file: str | Path | None = None,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with ``entity, time, *columns``, sorted by (entity, time).

    The TFP measures need every value: unlike the estimators' listwise
    :func:`tfp_talent.estimators.design.prepare_panel`, a missing value is an error here.

    Raises :class:`InputError` for missing columns, missing or duplicate keys,
    non-numeric or missing values in ``columns`` and values <= 0 in ``positive``.
    """
    columns = list(dict.fromkeys(columns))
    require_columns(frame, [entity, time, *columns], file=file)
    require_unique_keys(frame, [entity, time], file=file)
    out = frame[[entity, time, *columns]].copy()
    for col in columns:
        values = pd.Series(numeric_column(out, col, keys=[entity, time], file=file), index=out.index)
        where = {"column": col, "entity": entity, "time": time, "file": file}
        _reject_rows(out, values.isna(), "missing values", **where, hint="drop or fill these rows first")
        _reject_rows(out, ~np.isfinite(values.to_numpy(dtype=float)), "infinite values", **where)
        out[col] = values.astype(float)
    for col in positive:
        message = "values must be > 0 (logs / linear programs need positive output and inputs)"
        _reject_rows(out, out[col] <= 0, message, column=col, entity=entity, time=time, file=file)
    return out.sort_values([entity, time], kind="mergesort").reset_index(drop=True)


def require_share(
    frame: pd.DataFrame, column: str, *, entity: str, time: str, file: str | Path | None = None
) -> None:
    """Raise :class:`InputError` unless every value of ``column`` lies strictly inside (0, 1)."""
    bad = ~((frame[column] > 0) & (frame[column] < 1))
    message = "labour share must lie strictly between 0 and 1"
    _reject_rows(frame, bad, message, column=column, entity=entity, time=time, file=file)


def period_index(frame: pd.DataFrame, time: str) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct periods and, for every row, the position of its period among them.

    Returns ``(periods, pos)`` with ``periods[pos[r]] == frame[time].iloc[r]``; consecutive periods
    have positions that differ by 1 whatever their spacing in calendar time.
    """
    periods = np.sort(frame[time].unique())
    return periods, np.searchsorted(periods, frame[time].to_numpy())


def require_no_gaps(
    frame: pd.DataFrame, *, entity: str, time: str, method: str, file: str | Path | None = None
) -> None:
    """Raise :class:`InputError` naming each entity that skips a period inside its own span.

    ``frame`` must be sorted by (entity, time) (as returned by :func:`complete_panel`).
    ``method`` is the measure's name for the message (e.g. ``"the Törnqvist index"``); the error
    lists every missing (entity, period), where periods are those of the whole panel
    (:func:`period_index`), and suggests filling them or splitting the entity.
    """
    periods, pos = period_index(frame, time)
    step = np.diff(pos)
    same = frame[entity].to_numpy()[1:] == frame[entity].to_numpy()[:-1]
    gap = same & (step > 1)
    if gap.any():
        rows = []
        ents = frame[entity].to_numpy()[1:][gap]
        for ent, lo, hi in zip(ents, pos[:-1][gap], pos[1:][gap], strict=True):
            for p in periods[lo + 1 : hi]:
                rows.append((ent, p))
        raise InputError(
            f"{method} needs every period between an entity's first and last one; missing (entity, time)",
            file=file,
            column=[entity, time],
            rows=rows,
            hint="fill the missing periods or split the entity",
        )


def lag_within(frame: pd.DataFrame, values: np.ndarray, *, entity: str, time: str) -> np.ndarray:
    """Value of the previous period for the same entity (NaN where that period is absent).

    "Previous" means the preceding period in the sorted set of all periods of the panel
    (:func:`tfp_talent.within.lag` on the period positions).
    ``values`` is aligned with the rows of ``frame``; returns a float array of the same length,
    lag_r = values_s for the row s of the same entity one period earlier, NaN if there is none.
    """
    _, pos = period_index(frame, time)
    return within.lag(frame[entity].to_numpy(), pos, values, 1)


def cumulate_within(frame: pd.DataFrame, growth: np.ndarray, *, entity: str, time: str) -> np.ndarray:
    """Cumulated level index: 0 in each entity's first period, then the running sum of ``growth``.

    :func:`tfp_talent.within.cumulate` with ``base="first_row"`` on the period positions.
    ln A_e,first = 0 and ln A_e,t = Σ_{s ≤ t, s after first} g_e,s: the chained level of the
    Törnqvist and Malmquist indices, so levels compare periods of one entity, not entities.
    """
    _, pos = period_index(frame, time)
    return within.cumulate(frame[entity].to_numpy(), pos, growth, base="first_row")


def _reject_rows(
    frame: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    message: str,
    *,
    column: str,
    entity: str,
    time: str,
    file: str | Path | None,
    hint: str | None = None,
) -> None:
    """Raise :class:`InputError` naming the ``(entity, time)`` rows where ``mask`` holds, if any does."""
    if np.asarray(mask, dtype=bool).any():
        raise InputError(message, file=file, column=column, rows=_keys(frame, mask, entity, time), hint=hint)


def _keys(
    frame: pd.DataFrame, mask: pd.Series | np.ndarray, entity: str, time: str
) -> list[tuple[object, object]]:
    """The ``(entity, time)`` pairs of the rows where ``mask`` holds, in row order."""
    sub = frame.loc[np.asarray(mask, dtype=bool), [entity, time]]
    return [tuple(r) for r in sub.itertuples(index=False, name=None)]
