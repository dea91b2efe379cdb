"""Within-entity operations on a long panel: lags, cumulated changes and the lag grammar.

The one implementation behind the TFP measures (:mod:`tfp_talent.tfp.checks`), the
estimators' lag terms ``L2.x`` (:mod:`tfp_talent.estimators.design`) and the study's
derived variables ``L<k>.x``, ``D.x``, ``cum.x``, ``ma3.x`` (:mod:`tfp_talent.study.transforms`,
:mod:`tfp_talent.study.terms`). The lag grammar (:data:`LAG_RE`, :data:`MAX_LAG`,
:func:`parse_lag`) is defined here once for both.

The functions :func:`lag`, :func:`lead`, :func:`moving_average` and :func:`cumulate` take
the entity of every row (any labels), an integer time index ``t`` and the values, in any row
order, and return a float array in the same order. ``t`` is what
"previous period" means to the caller: calendar years for the regressions (the lag of
2004 is 2003, missing if 2003 is absent, so lags never cross a gap), or the position of
each period among the panel's sorted periods for the TFP measures (so the previous
period of a biennial panel is two years earlier). (entity, t) pairs must be unique.

Arguments shared by these functions: ``entity`` (one label per row: province code, name, any
hashable), ``t`` (integers; :func:`integer_time` for a user column), ``values`` or ``changes``
(numbers, NaN for missing; converted to float) and ``k`` (the order, >= 0). All three arrays
have the same length N; the result is a float array of length N in the input row order.

Example, entity a observed 2000, 2001, 2002, 2004 with x = 1, 2, 3, 4: the lag is NaN, 1, 2,
NaN (2003 is absent), the lead 2, 3, NaN, NaN. :func:`integer_time` turns a user's time column
into the integer ``t`` (or refuses it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError

#: A lag written as in Stata: ``L.x`` (= ``L1.x``) or ``L<k>.x``; group 1 is k (may be empty), group 2 is x.
LAG_RE = re.compile(r"^L(\d*)\.(.+)$")
#: The largest lag order accepted by the estimators and the study's derived variables.
MAX_LAG = 50
#: A lead (placebo, issue 15): ``F.x`` (= ``F1.x``) or ``F<k>.x`` is x_{i,t+k}; same groups and bound as a lag.
LEAD_RE = re.compile(r"^F(\d*)\.(.+)$")


def parse_lag(token: str) -> tuple[int, str] | None:
    """``(k, x)`` of a lag term ``L<k>.x`` (``L.x`` is k = 1), or None if ``token`` is not a lag.

    Raises :class:`InputError` (column = the token) unless 1 <= k <= :data:`MAX_LAG`.

    ``'L.x'`` -> (1, 'x'); ``'L3.tertiary_share'`` -> (3, 'tertiary_share'); ``'x'`` -> None;
    ``'L0.x'`` and ``'L51.x'`` raise. The variable part is returned as written (not checked).
    """
    return _parse_order(LAG_RE, token, "lag")


def parse_lead(token: str) -> tuple[int, str] | None:
    """``(k, x)`` of a lead term ``F<k>.x`` (``F.x`` is k = 1), or None.

    1 <= k <= :data:`MAX_LAG` as for lags (:class:`InputError` otherwise); F<k>.x is x_{i,t+k}.
    """
    return _parse_order(LEAD_RE, token, "lead")


def _parse_order(pattern: re.Pattern[str], token: str, what: str) -> tuple[int, str] | None:
    """``(k, x)`` if ``pattern`` matches ``token`` (empty k means 1), None otherwise; k checked."""
    m = pattern.match(token)
    if m is None:
        return None
    k = int(m.group(1)) if m.group(1) else 1
    if not 1 <= k <= MAX_LAG:
        raise InputError(f"{what} order must be between 1 and {MAX_LAG}, got {k} in '{token}'", column=token)
    return k, m.group(2)


def lead(
    entity: np.ndarray | pd.Series, t: np.ndarray | pd.Series, values: np.ndarray | pd.Series, k: int = 1
) -> np.ndarray:
    """x_{i,t+k}: the value of the same entity ``k`` steps of ``t`` later, NaN where that row is absent.

    The lag of the time-reversed panel (s = −t, so s − k = −(t + k)): gaps give missing values
    exactly as for lags. Used for leads ``F<k>.x`` (placebo tests) and :func:`moving_average`.
    """
    return lag(entity, -np.asarray(t, dtype=np.int64), values, k)


def lag(
    entity: np.ndarray | pd.Series, t: np.ndarray | pd.Series, values: np.ndarray | pd.Series, k: int = 1
) -> np.ndarray:
    """x_{i,t-k}: the value of the same entity ``k`` steps of ``t`` earlier, NaN where that row is absent.

    The row of (i, t − k) is found by exact match of t − k, never by position, so a gap in ``t``
    makes the lag missing instead of reaching further back. ``k`` >= 0 (k = 0 returns the values);
    ``t`` must be integral. Each (entity, t) is encoded as one integer key
    entity_code x span + (t − t_min + k), span = t_max − t_min + 1 + k, and looked up in a hash
    index: O(N), any row order. A missing x gives a missing lag, as an absent row does.
    """
    e = pd.factorize(np.asarray(entity))[0].astype(np.int64)
    tt = np.asarray(t, dtype=np.int64)
    x = np.asarray(values, dtype=float)
    out = np.full(len(x), np.nan)
    if len(x) == 0:
        return out
    tmin = int(tt.min())
    span = int(tt.max()) - tmin + 1 + k
    key = pd.Index(e * span + (tt - tmin + k))  # where each row's value is needed k steps later
    pos = key.get_indexer(e * span + (tt - tmin))
    hit = pos >= 0
    out[hit] = x[pos[hit]]
    return out


def moving_average(
    entity: np.ndarray | pd.Series,
    t: np.ndarray | pd.Series,
    values: np.ndarray | pd.Series,
    window: int = 3,
) -> np.ndarray:
    """Centred moving average of ``window`` (odd) periods: (1/w) Σ_{|j| <= (w-1)/2} x_{i,t+j}.

    Strict: the value is missing unless the entity has a finite value in *every* period of the
    window (t - m, ..., t + m, m = (w - 1)/2, consecutive values of ``t``). Nothing is
    interpolated: at a gap (a missing or absent period) the windows that contain it are missing,
    and so are the first and last m periods of each entity. Used for noisy survey shares
    (e.g. ``ma3.tertiary_share``: 3-year centred means, missing in the years next to a survey gap).
    E.g. x = 1, 2, 3, NaN in 2000-2003, window 3: NaN, 2, NaN, NaN (2002's window holds the NaN).
    ``window=1`` returns the values. Raises ValueError for an even or non-positive ``window``
    (the study's term grammar only writes ``ma3``).
    """
    w = int(window)
    if w < 1 or w % 2 == 0:
        raise ValueError(f"window must be a positive odd number, got {window!r}")
    x = np.asarray(values, dtype=float)
    m = (w - 1) // 2
    total = x.copy()
    for j in range(1, m + 1):
        total = total + lag(entity, t, x, j) + lead(entity, t, x, j)
    return total / w


def cumulate(
    entity: np.ndarray | pd.Series,
    t: np.ndarray | pd.Series,
    changes: np.ndarray | pd.Series,
    *,
    base: Literal["first_change", "first_row"] = "first_change",
) -> np.ndarray:
    """Level index from changes: 0 in each entity's base period, then the running sum of ``changes``.

    ``changes[t]`` is the change from the previous period to ``t`` (a growth rate, or a
    Malmquist log change). The base period is

    * ``first_change``: the period before the entity's first non-missing change, so
      leading missing periods (e.g. years without labour data) are skipped; an entity
      without any change is missing throughout;
    * ``first_row``: the entity's first period (used by the TFP measures, whose inputs are
      complete; an entity observed once gets 0).

    From the first later gap in ``t`` or missing change on, the index is missing.

    Example, changes NaN, 0.1, 0.2 in 2000-2002 and 0.3 in 2004 (2003 absent): ``first_change``
    gives 0, 0.1, 0.3, NaN. With log changes Δ ln X the index is ln X_t − ln X_base; with simple
    growth rates it is their sum (not their compound product). Raises ValueError for another ``base``.
    """
    codes = pd.factorize(np.asarray(entity))[0]
    tt = np.asarray(t, dtype=np.int64)
    x = np.asarray(changes, dtype=float)
    n = len(x)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    order = np.lexsort((tt, codes))
    e, ts, xs = codes[order], tt[order], x[order]
    first = np.ones(n, dtype=bool)
    first[1:] = e[1:] != e[:-1]
    step = ~first
    step[1:] &= ts[1:] == ts[:-1] + 1
    ok = step & np.isfinite(xs)  # a usable change: same entity, consecutive period, finite
    if base == "first_row":
        started = ~first
        base_row = first
    elif base == "first_change":
        n_ok = pd.Series(ok).groupby(e, sort=False).cumsum().to_numpy()
        started = n_ok > 0
        base_row = np.zeros(n, dtype=bool)
        base_row[:-1] = ok[1:] & (n_ok[1:] == 1)
    else:
        raise ValueError(f"base must be 'first_change' or 'first_row', got {base!r}")
    broken = pd.Series(started & ~ok).groupby(e, sort=False).cummax().to_numpy()
    active = started & ~broken
    running = pd.Series(np.where(active, xs, 0.0)).groupby(e, sort=False).cumsum().to_numpy()
    res = np.where(active, running, np.nan)
    res[base_row] = 0.0
    out[order] = res
    return out


def integer_time(
    time: pd.Series, *, column: str | list[str] | None = None, file: str | Path | None = None
) -> np.ndarray:
    """The time column as int64; :class:`InputError` unless every value is a whole number (e.g. a year).

    Integer columns pass as they are; others are parsed with ``pd.to_numeric``, and a missing,
    non-numeric or fractional value (``2005.5``) is refused. ``column`` and ``file`` only name
    the column and file in the error (default: the Series name).
    """
    if pd.api.types.is_integer_dtype(time):
        return time.to_numpy(dtype=np.int64)
    as_float = pd.to_numeric(time, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if not (np.isfinite(as_float).all() and np.all(as_float == np.round(as_float))):
        raise InputError(
            f"lags need a time column of whole numbers (e.g. years); '{time.name}' is not",
            file=file,
            column=column if column is not None else str(time.name),
        )
    return as_float.astype(np.int64)
