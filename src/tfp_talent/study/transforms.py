"""Building blocks of the study's specifications, as pure functions on a long panel.

All functions take the entity and time column names, so they work on any panel
(provinces, cities, firms). Lags never cross a gap in the time index: the lag of
``x`` at ``t`` is ``x`` at ``t - k`` of the same entity, else missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.io import numeric_column, require_columns, require_unique_keys


def lag_name(column: str, k: int) -> str:
    """Name of the k-th lag of ``column`` (``L1.x`` style, as in Stata)."""
    return f"L{k}.{column}"


def add_lags(
    panel: pd.DataFrame, columns: Iterable[str], lags: Iterable[int], *, entity: str, time: str
) -> pd.DataFrame:
    """Return ``panel`` with lag columns ``L{k}.{col}``: x_{i,t-k}, missing when t-k is absent.

    The time column must hold whole numbers (years); (entity, time) must be unique.
    """
    columns, lags = list(columns), list(lags)
    require_unique_keys(panel, [entity, time])
    require_columns(panel, columns)
    bad = [k for k in lags if k < 1]
    if bad:
        raise InputError(f"lag order must be >= 1, got {bad[0]}", column=columns)
    t = within.integer_time(panel[time], column=[lag_name(c, k) for k in lags for c in columns])
    out = panel.copy()
    ent = panel[entity].to_numpy()
    values = {c: numeric_column(panel, c, keys=[entity, time]) for c in columns}
    for k in lags:
        for c in columns:
            out[lag_name(c, k)] = within.lag(ent, t, values[c], k)
    return out


def add_growth(
    panel: pd.DataFrame, column: str, *, entity: str, time: str, name: str | None = None
) -> pd.DataFrame:
    """Add the first difference Δx_{it} = x_{it} - x_{i,t-1} (missing across gaps)."""
    lagged = add_lags(panel[[entity, time, column]], [column], [1], entity=entity, time=time)
    out = panel.copy()
    out[name or f"D.{column}"] = (lagged[column] - lagged[lag_name(column, 1)]).to_numpy()
    return out


def frontier_distance(panel: pd.DataFrame, column: str, *, time: str) -> pd.Series:
    """Distance to the frontier: max_j x_{jt} - x_{it} (>= 0; 0 for the frontier entity).

    The technology-gap term of Nelson & Phelps (1966) and Benhabib & Spiegel (1994),
    measured in logs when ``column`` is ln TFP.
    """
    require_columns(panel, [time, column])
    return panel.groupby(time)[column].transform("max") - panel[column]


def winsorise(
    panel: pd.DataFrame, columns: Iterable[str], lower: float = 0.01, upper: float = 0.99
) -> pd.DataFrame:
    """Clip each column at its pooled ``lower`` and ``upper`` quantiles (linear interpolation)."""
    if not 0.0 <= lower < upper <= 1.0:
        raise InputError(f"winsorising needs 0 <= lower < upper <= 1, got {lower}, {upper}")
    out = panel.copy()
    for c in columns:
        lo, hi = out[c].quantile([lower, upper]).to_numpy()
        out[c] = out[c].clip(lo, hi)
    return out


def region_interactions(
    panel: pd.DataFrame, columns: Sequence[str], *, region: str, levels: Sequence[str]
) -> tuple[pd.DataFrame, list[str]]:
    """Add ``x × 1[region = r]`` for every x in ``columns`` and r in ``levels``.

    With all levels included (and no un-interacted x), the coefficient on
    ``x:r`` is the slope of x in region r. Returns the frame and the new names.
    """
    require_columns(panel, [region, *columns])
    unknown = sorted(set(levels) - set(panel[region].dropna().unique()))
    if unknown:
        raise InputError(f"region level(s) not in the data: {', '.join(unknown)}", column=region)
    out = panel.copy()
    names: list[str] = []
    for c in columns:
        for r in levels:
            name = f"{c}:{r}"
            out[name] = out[c] * (out[region] == r).astype(float)
            names.append(name)
    return out, names


def interaction(panel: pd.DataFrame, a: str, b: str) -> tuple[pd.DataFrame, str]:
    """Add the product column ``a×b`` and return its name."""
    require_columns(panel, [a, b])
    name = f"{a}×{b}"
    out = panel.copy()
    out[name] = out[a] * out[b]
    return out, name


def select_sample(
    panel: pd.DataFrame,
    *,
    entity: str,
    time: str,
    years: Sequence[int] | None = None,
    drop_entities: Iterable[object] = (),
    keep_values: dict[str, Sequence[object]] | None = None,
) -> pd.DataFrame:
    """Restrict the panel: a closed year range, entities to drop, and column == value filters."""
    out = panel
    if years is not None:
        lo, hi = years
        out = out[(out[time] >= lo) & (out[time] <= hi)]
    drop = list(drop_entities)
    if drop:
        out = out[~out[entity].isin(drop)]
    for col, values in (keep_values or {}).items():
        require_columns(out, [col])
        out = out[out[col].isin(list(values))]
    return out.copy()


def complete_cases(panel: pd.DataFrame, columns: Iterable[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Rows with all ``columns`` non-missing and finite, plus the count of dropped rows per column."""
    cols = list(columns)
    values = panel[cols].apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=float))
    dropped = pd.Series(bad.sum(axis=0), index=cols)
    return panel.loc[~bad.any(axis=1)].copy(), dropped
