"""Building blocks of the study's specifications, as pure functions on a long panel.

All functions take the entity and time column names, so they work on any panel
(provinces, cities, firms). Lags never cross a gap in the time index: the lag of
``x`` at ``t`` is ``x`` at ``t - k`` of the same entity, else missing.

Shared arguments: ``panel`` is a long frame, one row per (entity, time); ``entity`` and ``time``
name its key columns (the study passes ``province_code`` and ``year``); ``time`` holds whole
numbers where calendar distance matters (lags, trends). Every function returns a new frame (or a
dict / series) and leaves ``panel`` unchanged. A missing column raises :class:`InputError`
(:func:`tfp_talent.io.require_columns`).

Notation: x_it the value of entity i in period t, x̄_i its mean over the entity's rows, N the
number of rows.
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

    The lag is in calendar periods, not rows: with years 2009 and 2011 present and 2010 absent,
    ``L1.x`` in 2011 is missing (:func:`tfp_talent.within.lag`). Raises :class:`InputError` for a
    lag order < 1, duplicate keys, a non-integer time or a non-numeric column.
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
    """Add the first difference Δx_{it} = x_{it} - x_{i,t-1} (missing across gaps).

    The new column is ``name`` (default ``D.<column>``, as the term grammar writes it); built from
    :func:`add_lags`, so the same key and time requirements apply.
    """
    lagged = add_lags(panel[[entity, time, column]], [column], [1], entity=entity, time=time)
    out = panel.copy()
    out[name or f"D.{column}"] = (lagged[column] - lagged[lag_name(column, 1)]).to_numpy()
    return out


def frontier_distance(panel: pd.DataFrame, column: str, *, time: str) -> pd.Series:
    """Distance to the frontier: max_j x_{jt} - x_{it} (>= 0; 0 for the frontier entity).

    The technology-gap term of Nelson & Phelps (1966) and Benhabib & Spiegel (1994),
    measured in logs when ``column`` is ln TFP.

    The maximum is over the rows of each period that have a value (a missing x_it gives a missing
    distance but does not move the frontier). Returns a series aligned with ``panel``'s index.
    Nelson, R. R. & Phelps, E. S. (1966), "Investment in humans, technological diffusion, and economic
    growth", AER 56(1/2), 69-75; Benhabib, J. & Spiegel, M. M. (1994), "The role of human capital in
    economic development", J. Monetary Econ. 34(2), 143-173.
    """
    require_columns(panel, [time, column])
    return panel.groupby(time)[column].transform("max") - panel[column]


def winsorise(
    panel: pd.DataFrame, columns: Iterable[str], lower: float = 0.01, upper: float = 0.99
) -> pd.DataFrame:
    """Clip each column at its pooled ``lower`` and ``upper`` quantiles (linear interpolation).

    x ↦ min(max(x, Q(lower)), Q(upper)), Q the quantile of the column over all rows of ``panel``
    (pandas ``Series.quantile``, missing values ignored, which stay missing). Requires
    0 <= lower < upper <= 1 (else :class:`InputError`); ``lower = 0, upper = 1`` changes nothing.
    """
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

    New columns are named ``<x>:<r>`` (x first, levels in the given order); a row with a missing
    region gets 0. Raises :class:`InputError` when a level does not occur in ``region``.
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
    """Add the product column ``a×b`` = a_it · b_it and return its name (the frame and the name)."""
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
    """Restrict the panel: a closed year range, entities to drop, and column == value filters.

    ``years = (first, last)`` keeps first <= t <= last; ``drop_entities`` are entity values to leave
    out; ``keep_values = {column: values}`` keeps the rows whose column is among ``values`` (all
    filters combined with AND). Returns a copy.
    """
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
    """Rows with all ``columns`` non-missing and finite, plus the count of dropped rows per column.

    Values are coerced to numbers first (text that is not a number counts as missing); ±inf counts
    as missing. The series is indexed by column and counts every row missing that column, so a row
    missing two columns counts twice.
    """
    cols = list(columns)
    values = panel[cols].apply(pd.to_numeric, errors="coerce")
    bad = ~np.isfinite(values.to_numpy(dtype=float))
    dropped = pd.Series(bad.sum(axis=0), index=cols)
    return panel.loc[~bad.any(axis=1)].copy(), dropped


# --------------------------------------------------------------------------- identification checks (issue 15)

TREND_PREFIX = "trend:"


def entity_trends(
    panel: pd.DataFrame, *, entity: str, time: str, drop_first: bool
) -> tuple[pd.DataFrame, list[str]]:
    """Add entity-specific linear trends ``trend:<i>`` = 1[entity = i] × (t − t̄) (t̄ = mean period of ``panel``).

    With entity effects these columns give every entity its own intercept and slope in t (Wooldridge 2010,
    §11.7.1, "random trend" model estimated by FE with explicit trends). With period effects as well
    (``drop_first``), Σ_i 1[entity = i]·t = t lies in the span of the period dummies, so the first entity's
    trend is left out: the others are trends relative to it, and the other coefficients are unchanged
    (Frisch–Waugh–Lovell). Returns the frame and the new column names (entities in sorted order).

    t̄ is the mean of ``time`` over all rows of ``panel``, so centring changes only the intercepts.
    The spec key is ``trends: entity`` (:mod:`tfp_talent.study.runners.panel`); with 31 provinces
    clustered by province, the trend terms and the slopes together can outnumber the G − 1 = 30 ranks
    of the cluster-robust V, and a joint Wald test is then undefined
    (:func:`tfp_talent.estimators.inference.wald_test`).
    """
    require_columns(panel, [entity, time])
    t = within.integer_time(panel[time], column=time).astype(float)
    centred = t - t.mean()
    out = panel.copy()
    codes = sorted(panel[entity].unique())
    if drop_first:
        codes = codes[1:]
    ent = panel[entity].to_numpy()
    names = []
    for c in codes:
        name = f"{TREND_PREFIX}{c}"
        out[name] = np.where(ent == c, centred, 0.0)
        names.append(name)
    return out, names


def long_differences(
    panel: pd.DataFrame,
    columns: Sequence[str],
    periods: Sequence[Sequence[int]],
    *,
    entity: str,
    time: str,
    keep: Sequence[str] = (),
) -> tuple[pd.DataFrame, dict[str, object]]:
    """One row per entity: x̄_i(late) − x̄_i(early), the means over the rows of each closed period.

    ``periods = [[a0, a1], [b0, b1]]`` (early, late). An entity without a row in either period is dropped
    (listed in the returned info). The long-difference regression of Δȳ on Δx̄ with a constant removes the
    entity effects and, through the constant, the common change (Griliches & Hausman 1986, J. Econometrics
    31; Acemoglu, Johnson, Robinson & Yared 2008, AER 98(3), section on long differences). The time
    column of the result holds the first year of the late period; ``keep`` columns (labels) take the
    entity's first value. Info: ``periods``, ``rows`` per entity and period, ``dropped`` entities.

    Δx̄_i = (1/|B_i|) Σ_{t ∈ B_i} x_it − (1/|A_i|) Σ_{t ∈ A_i} x_it, A_i and B_i the rows of entity i
    in [a0, a1] and [b0, b1]; missing values are skipped in the means (pandas ``mean``). Raises
    :class:`InputError` unless there are two periods with a0 <= a1 < b0 <= b1.
    """
    require_columns(panel, [entity, time, *columns, *keep])
    if len(periods) != 2:
        raise InputError(f"long differences need two periods, got {len(periods)}", column="long_difference")
    (a0, a1), (b0, b1) = (tuple(int(v) for v in p) for p in periods)
    if not (a0 <= a1 < b0 <= b1):
        raise InputError(
            f"long-difference periods must be ordered and disjoint, got {a0}-{a1} and {b0}-{b1}",
            column="long_difference.periods",
        )
    cols = list(dict.fromkeys(columns))
    t = panel[time]
    early = panel[t.between(a0, a1)].groupby(entity)[cols]
    late = panel[t.between(b0, b1)].groupby(entity)[cols]
    both = sorted(set(early.groups) & set(late.groups))
    dropped = sorted(set(panel[entity].unique()) - set(both))
    diff = (late.mean().loc[both] - early.mean().loc[both]).reset_index()
    diff.insert(1, time, b0)
    if keep:
        labels = panel.groupby(entity)[list(keep)].first().loc[both].reset_index(drop=True)
        for c in keep:
            diff[c] = labels[c].to_numpy()
    rows = {
        str(e): [int(early.size().get(e, 0)), int(late.size().get(e, 0))]
        for e in sorted(panel[entity].unique())
    }
    info: dict[str, object] = {
        "periods": [[a0, a1], [b0, b1]],
        "rows": rows,
        "dropped": [int(d) for d in dropped],
    }
    return diff, info


def within_sd(panel: pd.DataFrame, columns: Iterable[str], *, entity: str) -> dict[str, float]:
    """Within-entity standard deviation of each column: sqrt(Σ_it (x_it − x̄_i)² / (N − 1)).

    The "within" SD of Stata's ``xtsum`` (the SD of x_it − x̄_i + x̄ over all N rows). Used to turn a
    fixed-effects slope into the effect of a typical within-province change (issue 15).

    Returns ``{column: sd}``; NaN with fewer than two rows. Missing values propagate (the study
    calls it on complete-case samples).
    """
    out: dict[str, float] = {}
    n = len(panel)
    for c in columns:
        x = panel[c].to_numpy(dtype=float)
        dev = x - panel.groupby(entity)[c].transform("mean").to_numpy(dtype=float)
        out[c] = float(np.sqrt(np.sum(dev**2) / (n - 1))) if n > 1 else float("nan")
    return out


def twoway_within_sd(
    panel: pd.DataFrame, columns: Iterable[str], *, entity: str, time: str
) -> dict[str, float]:
    """SD of x net of entity and period effects: sqrt(Σ_it r_it² / (N − 1)), r the two-way within residual.

    The variation a two-way fixed-effects slope is identified from (alternating projections,
    :func:`tfp_talent.estimators.design.demean`).

    r_it = x_it − x̄_i − x̄_t + x̄ in a balanced panel; in an unbalanced one the residual of x on
    entity and period dummies. The divisor is N − 1, as in :func:`within_sd` (no correction for the
    absorbed levels). Returns ``{column: sd}``, NaN for every column with fewer than two rows.
    """
    from tfp_talent.estimators.design import demean

    cols = list(columns)
    n = len(panel)
    if n < 2 or not cols:
        return {c: float("nan") for c in cols}
    e = pd.factorize(panel[entity])[0]
    t = pd.factorize(panel[time])[0]
    r = demean(panel[cols].to_numpy(dtype=float), e, t, "twoway")
    return {c: float(np.sqrt(np.sum(r[:, j] ** 2) / (n - 1))) for j, c in enumerate(cols)}
