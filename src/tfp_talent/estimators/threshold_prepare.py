"""Input checks, the entity transform and the candidate grid of the Hansen (1999) threshold model.

See :mod:`tfp_talent.estimators.threshold` for the model and its conventions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import key_label, numeric_column, require_columns, require_unique_keys


@dataclass(frozen=True)
class ThresholdPanel:
    """A balanced panel as arrays shaped (N, T, ...), sorted by entity then time.

    ``x`` holds the kx regime-independent regressors, ``r`` the m regime-dependent ones (in the order
    given), ``q`` the threshold variable; ``entities`` (N) and ``periods`` (T) are the sorted keys.
    """

    y: np.ndarray  # (N, T)
    x: np.ndarray  # (N, T, kx)
    r: np.ndarray  # (N, T, m)
    q: np.ndarray  # (N, T)
    entities: np.ndarray
    periods: np.ndarray


def as_list(names: str | Sequence[str] | None) -> list[str]:
    """``names`` as a list of strings (a single string is one name; None is none)."""
    if names is None:
        return []
    if isinstance(names, str):
        return [names]
    return [str(n) for n in names]


def prepare_threshold_panel(
    data: pd.DataFrame,
    y: str,
    x: list[str],
    rx: list[str],
    qx: str,
    entity: str,
    time: str,
    transform: str,
    file: str | None,
) -> ThresholdPanel:
    """Validate the input frame and return the balanced panel arrays (raises :class:`InputError`).

    Parameters
    ----------
    data, y, x, rx, qx, entity, time
        As :func:`~tfp_talent.estimators.threshold.threshold_fit` (``x``, ``rx`` as lists).
    transform
        ``"within"`` or ``"hansen1999"``: the latter needs T >= 3 (one period is dropped).
    file
        File name quoted in the messages.

    Raises
    ------
    InputError
        One line for: data not a DataFrame; no ``rx``; y also a regressor or the threshold variable; a
        column in both ``x`` and ``rx`` or twice in one; entity = time; missing columns; no rows;
        duplicate (entity, time) keys; non-numeric, missing or infinite values (rows named); an
        unbalanced panel (missing entity-periods named); fewer than 2 (3) periods or 2 entities; a
        constant column; a regressor without variation within every entity; regressors that are
        zero or perfectly collinear after the transform.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", file=file)
    if not rx:
        raise InputError("at least one regime-dependent regressor (rx) is needed", file=file, column="rx")
    if y in x or y in rx or y == qx:
        raise InputError(
            "the dependent variable is also listed as a regressor or threshold variable", file=file, column=y
        )
    both = [c for c in rx if c in x]
    if both:
        raise InputError(
            "listed both as regime-independent (x) and regime-dependent (rx)", file=file, column=both
        )
    for group, label in ((x, "x"), (rx, "rx")):
        dup = sorted({c for c in group if group.count(c) > 1})
        if dup:
            raise InputError(f"listed twice in {label}", file=file, column=dup)
    if entity == time:
        raise InputError("entity and time must be different columns", file=file, column=entity)
    variables = list(dict.fromkeys([y, *x, *rx, qx]))
    require_columns(data, [entity, time, *variables], file=file)
    if data.empty:
        raise InputError("no rows", file=file)
    require_unique_keys(data, [entity, time], file=file)
    frame = data[[entity, time, *variables]].copy()
    for col in variables:
        frame[col] = numeric_column(frame, col, keys=[entity, time], file=file)
    values = frame[variables].to_numpy(dtype=np.float64)
    bad_rows = ~np.isfinite(values).all(axis=1)
    if bad_rows.any():
        cols = [c for c in variables if not np.isfinite(frame[c].to_numpy()).all()]
        rows = [
            (key_label(e), key_label(t))
            for e, t in frame.loc[bad_rows, [entity, time]].itertuples(index=False)
        ]
        raise InputError(
            "missing or infinite values; the threshold model needs complete data (entity, time)",
            file=file,
            column=cols,
            rows=rows,
            hint="drop or fill these entity-periods so that the panel stays balanced",
        )
    frame = frame.sort_values([entity, time], kind="mergesort").reset_index(drop=True)
    entities = pd.unique(frame[entity])
    periods = np.sort(pd.unique(frame[time]))
    n_ent, n_per = len(entities), len(periods)
    if n_ent * n_per != len(frame):
        present = set(zip(frame[entity].tolist(), frame[time].tolist()))
        missing = [(key_label(e), key_label(t)) for e in entities for t in periods if (e, t) not in present]
        raise InputError(
            f"unbalanced panel: the threshold model needs every entity in every period "
            f"({n_ent} entities x {n_per} periods), missing entity-periods",
            file=file,
            column=[entity, time],
            rows=missing,
            hint="balance the panel (xthreg and Hansen's program require it)",
        )
    min_periods = 3 if transform == "hansen1999" else 2
    if n_per < min_periods:
        raise InputError(
            f"needs at least {min_periods} periods per entity, found {n_per}", file=file, column=time
        )
    if n_ent < 2:
        raise InputError(f"needs at least 2 entities, found {n_ent}", file=file, column=entity)

    def block(cols: list[str]) -> np.ndarray:
        """Columns ``cols`` as an (N, T, len(cols)) array (rows sorted by entity, then time)."""
        if not cols:
            return np.zeros((n_ent, n_per, 0))
        return frame[cols].to_numpy(dtype=np.float64).reshape(n_ent, n_per, len(cols))

    panel = ThresholdPanel(
        y=frame[y].to_numpy(dtype=np.float64).reshape(n_ent, n_per),
        x=block(x),
        r=block(rx),
        q=frame[qx].to_numpy(dtype=np.float64).reshape(n_ent, n_per),
        entities=np.asarray(entities),
        periods=np.asarray(periods),
    )
    for col in list(dict.fromkeys([*x, *rx, qx])):
        v = frame[col].to_numpy(dtype=np.float64)
        if np.ptp(v) == 0:
            raise InputError(f"is constant ({v[0]:g} in every row)", file=file, column=col)
    for col in [*x, *rx]:
        v = frame[col].to_numpy(dtype=np.float64).reshape(n_ent, n_per)
        if np.all(np.ptp(v, axis=1) == 0):
            raise InputError(
                "does not vary within any entity, so the entity fixed effects absorb it",
                file=file,
                column=col,
            )
    w0 = entity_transform(np.concatenate([panel.x, panel.r], axis=2), transform)
    _check_collinear(w0, [*x, *rx], file)
    return panel


def entity_transform(v: np.ndarray, transform: str) -> np.ndarray:
    """Apply the entity transform to an (N, T, ...) array; return it flattened to (N*T_out, ...).

    v_it − v̄_i (mean over all T periods), then for ``hansen1999`` the last period dropped
    (T_out = T − 1, as Hansen's ``thresh_p.prg``); ``within`` keeps all (T_out = T).
    """
    d = v - v.mean(axis=1, keepdims=True)
    if transform == "hansen1999":
        d = d[:, :-1]
    return d.reshape(d.shape[0] * d.shape[1], *v.shape[2:])


def entity_transform_adjoint(u: np.ndarray, n_ent: int, n_per: int, transform: str) -> np.ndarray:
    """Adjoint T' of :func:`entity_transform`: (N*T_out, ...) -> (N*T, ...), zero-padded, then demeaned.

    ⟨T v, u⟩ = ⟨v, T' u⟩, so a cross-product (T a)'u of a transformed vector u is a'(T' u), a sum
    over untransformed observations that the search engine cumulates over the sorted candidates.
    """
    t_out = n_per - 1 if transform == "hansen1999" else n_per
    u = u.reshape(n_ent, t_out, *u.shape[1:])
    if transform == "hansen1999":
        u = np.concatenate([u, np.zeros((n_ent, 1, *u.shape[2:]))], axis=1)
    d = u - u.mean(axis=1, keepdims=True)
    return d.reshape(n_ent * n_per, *u.shape[2:])


def _check_collinear(w: np.ndarray, names: list[str], file: str | None) -> None:
    """Raise :class:`InputError` naming the first regressor that is a linear combination of the others.

    Columns of the transformed ``w`` are scaled to unit length and added one at a time; the first j
    whose smallest singular value falls below 1e-10 of the largest is reported with the earlier
    columns that enter its least-squares fit (|coefficient| > 1e-8). A zero column is reported alone.
    """
    if w.shape[1] == 0:
        return
    scale = np.sqrt((w**2).sum(axis=0))
    for j, name in enumerate(names):
        if scale[j] == 0:
            raise InputError("is zero after the within transform", file=file, column=name)
    ws = w / scale
    for j in range(1, ws.shape[1] + 1):
        sv = np.linalg.svd(ws[:, :j], compute_uv=False)
        if sv[-1] <= 1e-10 * sv[0]:
            coef, *_ = np.linalg.lstsq(ws[:, : j - 1], ws[:, j - 1], rcond=None)
            involved = [names[i] for i in range(j - 1) if abs(coef[i]) > 1e-8] + [names[j - 1]]
            raise InputError(
                "are perfectly collinear (after the within transform)"
                if len(involved) > 1
                else "is zero after the within transform",
                file=file,
                column=involved,
                hint="drop one of the collinear regressors",
            )


# --------------------------------------------------------------------------------------------------
# Grid
# --------------------------------------------------------------------------------------------------


def grid_values(q: np.ndarray, grid: int | str, trim: float) -> tuple[np.ndarray, float]:
    """Candidate thresholds and qn (grid positions per unit of trim), as in Hansen's program.

    sq = trim, trim + 1/qn, ..., 1 - trim (qn - 2 qn trim + 1 points); candidates are
    dd[floor(sq * rows(dd))] (1-based) with dd the sorted distinct values of q (duplicates dropped).
    ``grid="all"`` (qn = rows(dd)) takes every distinct value from position floor(trim rows(dd)) on.

    Returns the sorted distinct candidates and the qn of the exclusion rule, rescaled by
    (distinct candidates / grid points) when repeated values were dropped. Raises :class:`InputError`
    for a string grid other than ``"all"`` and for a trim that leaves no grid point.
    """
    dd = np.unique(q)
    n_d = len(dd)
    if isinstance(grid, str):
        if grid != "all":
            raise InputError(f"grid must be a positive integer or 'all', got {grid!r}", column="grid")
        qn = float(n_d)
    else:
        qn = float(grid)
    count = int(math.floor(qn - 2.0 * qn * trim + 1.0 + 1e-9))
    if count < 1:
        raise InputError(f"trim {trim} leaves no candidate thresholds on a grid of {grid}", column="trim")
    if isinstance(grid, str):
        # every distinct value: floor((trim + i/n_d) n_d) = floor(trim n_d) + i, computed in integers so
        # that floating-point rounding cannot repeat one value and skip the next
        idx = int(math.floor(trim * n_d + 1e-9)) - 1 + np.arange(count, dtype=np.int64)
    else:
        sq = trim + np.arange(count) * (1.0 / qn)
        idx = np.floor(sq * n_d).astype(np.int64) - 1
    idx = np.clip(idx, 0, n_d - 1)
    # with fewer distinct values than grid points, duplicates are dropped and the exclusion radius
    # (qn * trim positions) shrinks in proportion; no change when the candidates are distinct (Hansen's data)
    values = np.unique(dd[idx])
    return values, qn * len(values) / len(idx)
