"""A balanced spatial panel as arrays (T, N) and (T, N, k), and the fixed-effects demeaning.

Entities are ordered by their sorted keys and periods by sorted time, so results do not depend
on the row order of the input; W is aligned to that entity order (``spatial_alignment``).

Arrays are period-major, y[t, i] and X[t, i, j], so that the spatial lag of period t is W y[t]
(``SpatialOperator.lag``) and the stacked NT vector is y_1, …, y_T, the order of (I_T ⊗ W).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import key_label, numeric_column, require_columns, require_unique_keys

EFFECTS = ("individual", "twoways")


@dataclass(frozen=True)
class SpatialPanel:
    """y (T, N), X (T, N, k) with entity and time labels in array order.

    ``y_name`` and ``x_names`` are the column names (regressors deduplicated, in the order given);
    ``entities`` (N) and ``periods`` (T) are the sorted key labels (:func:`tfp_talent.io.key_label`).
    """

    y: np.ndarray
    x: np.ndarray
    y_name: str
    x_names: list[str]
    entities: list[object]
    periods: list[object]

    @property
    def n(self) -> int:
        """Number of units N."""
        return self.y.shape[1]

    @property
    def t(self) -> int:
        """Number of periods T."""
        return self.y.shape[0]


def spatial_panel(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    *,
    entity: str,
    time: str,
    file: str | Path | None = None,
) -> SpatialPanel:
    """Check ``data`` and reshape it to a balanced (T, N) panel.

    Raises :class:`InputError` for missing columns, missing or duplicate keys, non-numeric or
    non-finite values (naming the entity-time rows), and an unbalanced panel (naming the missing
    entity-time rows): the spatial likelihood needs every unit in every period.

    Also raises for data that are not a DataFrame, no regressor, y among the regressors and fewer than
    2 periods (the within transformation needs T >= 2). ``x`` is deduplicated keeping its order;
    ``file`` is the file name quoted in the messages. Returns a :class:`SpatialPanel`.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", file=file)
    x = list(dict.fromkeys(x))
    if not x:
        raise InputError("at least one regressor is needed", file=file)
    if y in x:
        raise InputError("the dependent variable is also a regressor", file=file, column=y)
    keys = [entity, time]
    require_columns(data, [*keys, y, *x], file=file)
    require_unique_keys(data, keys, file=file)
    frame = data[[*keys, y, *x]].copy()
    for col in [y, *x]:
        vals = numeric_column(frame, col, keys=keys, file=file)
        bad = ~np.isfinite(vals)
        if bad.any():
            rows = [
                tuple(key_label(v) for v in r)
                for r in frame.loc[bad, keys].itertuples(index=False, name=None)
            ]
            raise InputError(
                "has missing or non-finite values (spatial models need every value)",
                file=file,
                column=col,
                rows=rows,
                hint="drop those units or periods from the panel and the weights",
            )
        frame[col] = vals
    entities = sorted(frame[entity].unique(), key=_sort_key)
    periods = sorted(frame[time].unique(), key=_sort_key)
    n, t = len(entities), len(periods)
    if len(frame) != n * t:
        have = set(zip(frame[entity], frame[time], strict=True))
        missing = [(key_label(e), key_label(p)) for e in entities for p in periods if (e, p) not in have]
        raise InputError(
            f"unbalanced panel: {len(missing)} entity-time rows missing of {n} x {t}",
            file=file,
            column=keys,
            rows=missing,
            hint="spatial panels need balance; balance the sample first (sample: balance: restrict)",
        )
    if t < 2:
        raise InputError(
            f"fixed-effects spatial panels need at least 2 periods (found {t})", file=file, column=time
        )
    e_pos = {e: i for i, e in enumerate(entities)}
    p_pos = {p: i for i, p in enumerate(periods)}
    ei = frame[entity].map(e_pos).to_numpy()
    ti = frame[time].map(p_pos).to_numpy()
    y_arr = np.empty((t, n))
    y_arr[ti, ei] = frame[y].to_numpy(dtype=float)
    x_arr = np.empty((t, n, len(x)))
    x_arr[ti, ei, :] = frame[x].to_numpy(dtype=float)
    return SpatialPanel(
        y=y_arr,
        x=x_arr,
        y_name=y,
        x_names=x,
        entities=[key_label(e) for e in entities],
        periods=[key_label(p) for p in periods],
    )


def _sort_key(v: object) -> tuple[int, object]:
    """Sort key: numbers first by value, then anything else by its text (mixed key types sort)."""
    return (0, v) if isinstance(v, (int, float, np.integer, np.floating)) else (1, str(v))


def demean(values: np.ndarray, effects: str) -> np.ndarray:
    """Within transformation of a (T, N[, k]) array.

    ``individual``: subtract each unit's time mean. ``twoways``: y_it - ybar_i. - ybar_.t + ybar_..
    (the plain two-way demeaning splm's ``spfeml`` applies before its Lee-Yu bias correction).

    Axis 0 is time, axis 1 units (:class:`SpatialPanel` order). On a balanced panel the two-way
    formula is exact; the result has the shape of ``values``. Raises :class:`InputError` for an
    ``effects`` not in :data:`EFFECTS`.
    """
    out = values - values.mean(axis=0, keepdims=True)
    if effects == "twoways":
        out = out - out.mean(axis=1, keepdims=True)
    elif effects != "individual":
        raise InputError(f"unknown effects '{effects}'; use one of {', '.join(EFFECTS)}")
    return out
