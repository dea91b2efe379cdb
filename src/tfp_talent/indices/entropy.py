"""Entropy-weight method (熵值法) over all unit-years of a panel (the "global" or panel entropy method).

For n rows (every unit-year pooled: 31 provinces x T years gives n = 31 T) and m indicators x_ij:

1. min-max normalisation over all n rows (range method, 极差法), direction by indicator:
   positive x'_ij = (x_ij - min_j) / (max_j - min_j), negative x'_ij = (max_j - x_ij) / (max_j - min_j);
2. shift z_ij = x'_ij + s with a small s > 0 (default 1e-4) so that ln p_ij is defined;
3. shares p_ij = z_ij / sum_i z_ij;
4. entropy e_j = -(1 / ln n) sum_i p_ij ln p_ij  (0 <= e_j <= 1; with s = 0 the limit 0 ln 0 = 0 is used);
5. redundancy (divergence) d_j = 1 - e_j and weight w_j = d_j / sum_k d_k;
6. score (composite index) S_i = sum_j w_j z_ij, i.e. the weighted *shifted normalised value* (not p_ij),
   so S_i lies in [s, 1 + s] and is comparable across years.

Pooling every unit-year in one normalisation and one entropy ("adding a time variable to the entropy
method") makes the scores of different years comparable, which the year-by-year method does not.

Sources: Shannon (1948), Bell Syst. Tech. J. 27: 379-423 (entropy); Zeleny (1982), *Multiple Criteria
Decision Making*, McGraw-Hill (entropy as the contrast intensity of a criterion); 杨丽 & 孙之淳 (2015),
基于熵值法的西部新型城镇化发展水平测评, 经济问题 (3) (entropy method with a time variable, i.e. pooled over
unit-years); 朱喜安 & 魏国栋 (2015), 熵值法中无量纲化方法优良标准的探讨, 统计与决策 (2) (normalisation in the
entropy method). The shift of 1e-4 (某些文献用
0.0001, others 0.01) is the common choice in the applied literature; it changes weights only slightly.

Min-max normalisation makes the weights and scores invariant to each indicator's unit and origin
(x -> a x + b with a > 0), and all sums are over rows, so results do not depend on row order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import key_label, numeric_column, require_columns

DEFAULT_SHIFT = 1e-4
INDEX_NAME = "entropy_index"


@dataclass
class EntropyResult:
    """Result of :func:`entropy_weights`.

    ``normalised`` holds z_ij = x'_ij + shift (the matrix the entropy and the score are computed from),
    with the input's row index; ``index`` is S_i = sum_j w_j z_ij on the same rows.

    ``weights``, ``entropy`` (e_j), ``redundancy`` (d_j), ``minimum`` and ``maximum`` (the range of
    each raw indicator over the n rows) are Series indexed by indicator; ``negative`` lists the
    reversed indicators, ``nobs`` = n. An indicator's weight is large when its normalised values
    are unevenly spread over the rows (low entropy), whatever its economic importance.
    """

    indicators: list[str]
    negative: list[str]
    shift: float
    nobs: int
    weights: pd.Series
    entropy: pd.Series
    redundancy: pd.Series
    minimum: pd.Series
    maximum: pd.Series
    normalised: pd.DataFrame
    index: pd.Series

    def summary(self) -> pd.DataFrame:
        """One row per indicator: direction, min, max, entropy e_j, redundancy d_j and weight w_j.

        Indexed by ``indicator`` in the order given; ``direction`` is ``positive`` or ``negative``;
        min and max are of the raw values.
        """
        direction = ["negative" if c in self.negative else "positive" for c in self.indicators]
        return pd.DataFrame(
            {
                "direction": direction,
                "min": self.minimum,
                "max": self.maximum,
                "entropy": self.entropy,
                "redundancy": self.redundancy,
                "weight": self.weights,
            },
            index=pd.Index(self.indicators, name="indicator"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Weights and diagnostics as plain JSON-ready values (the per-row index is not included).

        Adds the score formula as text and the index's min, max and mean over the rows; this is
        what ``tfp-talent entropy`` writes to its ``--weights-out`` JSON.
        """

        def series(s: pd.Series) -> dict[str, float]:
            """Indicator -> value as plain ``str`` -> ``float``."""
            return {str(k): float(v) for k, v in s.items()}

        return {
            "method": "entropy weight (global: pooled over all rows)",
            "indicators": list(self.indicators),
            "negative": list(self.negative),
            "shift": float(self.shift),
            "nobs": int(self.nobs),
            "score": "sum_j w_j (x'_ij + shift)",
            "weights": series(self.weights),
            "entropy": series(self.entropy),
            "redundancy": series(self.redundancy),
            "min": series(self.minimum),
            "max": series(self.maximum),
            "index_min": float(self.index.min()),
            "index_max": float(self.index.max()),
            "index_mean": float(self.index.mean()),
        }


def _row_labels(frame: pd.DataFrame, mask: np.ndarray, keys: Sequence[str] | None) -> list[object]:
    """Labels of the rows where ``mask`` holds: key values (a tuple for several keys) or the index."""
    if keys:
        return [
            tuple(key_label(v) for v in r) if len(keys) > 1 else key_label(r[0])
            for r in frame.loc[mask, list(keys)].itertuples(index=False, name=None)
        ]
    return [key_label(v) for v in frame.index[mask]]


def check_indicators(
    frame: pd.DataFrame, indicators: Sequence[str], negative: Sequence[str], *, file: str | Path | None = None
) -> tuple[list[str], list[str]]:
    """Validate the indicator lists: at least one, no repeats, ``negative`` a subset, columns present.

    Returns ``(indicators, negative)`` as lists (repeats in ``negative`` dropped, order kept);
    each failure raises :class:`InputError` naming the columns.
    """
    cols = list(indicators)
    if not cols:
        raise InputError("at least one indicator is needed", file=file)
    repeated = sorted({c for c in cols if cols.count(c) > 1})
    if repeated:
        raise InputError("listed more than once among the indicators", file=file, column=repeated)
    neg = list(dict.fromkeys(negative))
    stray = [c for c in neg if c not in cols]
    if stray:
        raise InputError("marked negative but not among the indicators", file=file, column=stray)
    require_columns(frame, cols, file=file)
    return cols, neg


def indicator_matrix(
    frame: pd.DataFrame,
    indicators: Sequence[str],
    *,
    keys: Sequence[str] | None = None,
    file: str | Path | None = None,
) -> np.ndarray:
    """The indicators as an (n, m) float array; a missing or infinite value stops with the rows named.

    No imputation: the entropy method needs every value, and filling gaps would change every weight.
    ``keys`` label the rows of a missing-value error (default: the index); non-float columns are
    converted by :func:`tfp_talent.io.numeric_column`, which rejects text that is not a number.
    The array is a new Fortran-ordered copy, so :func:`entropy_weights` may normalise it in place.
    """
    key_list = list(keys) if keys else []
    if key_list:
        require_columns(frame, key_list, file=file)
    out = np.empty((len(frame), len(indicators)), dtype=float, order="F")  # columns contiguous
    for j, col in enumerate(indicators):
        s = frame[col]
        if s.dtype == np.float64:
            out[:, j] = s.to_numpy()
        else:
            out[:, j] = numeric_column(frame, col, keys=key_list or [col], file=file)
        values = out[:, j]
        bad = ~np.isfinite(values)
        if bad.any():
            what = "missing values" if np.isnan(values[bad]).all() else "missing or infinite values"
            raise InputError(
                f"{what}: the entropy method needs every value (nothing is imputed)",
                file=file,
                column=col,
                rows=_row_labels(frame, bad, key_list),
                hint="drop or fill those rows first (e.g. restrict the years)",
            )
    return out


def entropy_weights(
    frame: pd.DataFrame,
    indicators: Sequence[str],
    negative: Sequence[str] = (),
    *,
    shift: float = DEFAULT_SHIFT,
    keys: Sequence[str] | None = None,
    file: str | Path | None = None,
    name: str = INDEX_NAME,
) -> EntropyResult:
    """Global entropy weights w_j and composite index S_i = sum_j w_j (x'_ij + shift) over all rows.

    Formulas (module docstring): range normalisation per indicator over all n rows (``negative``
    indicators reversed: x' = (max - x) / (max - min)), shift ``shift`` (default 1e-4),
    p_ij = z_ij / sum_i z_ij, e_j = -(1/ln n) sum_i p_ij ln p_ij, d_j = 1 - e_j, w_j = d_j / sum d.
    Shannon (1948); Zeleny (1982); 杨丽 & 孙之淳 (2015) 经济问题; 朱喜安 & 魏国栋 (2015) 统计与决策.

    ``keys`` (e.g. ``["province", "year"]``) only label rows in error messages. Stops with one-line
    :class:`InputError` on a missing or non-numeric value (naming column and rows), an indicator with
    the same value in every row (zero variance carries no information and would divide by zero),
    fewer than two rows, or a negative ``shift``.

    Parameters
    ----------
    frame
        One row per unit-year (all rows are pooled); any index, kept in the result.
    indicators, negative
        Indicator columns, and the subset where a larger value is worse (reversed).
    shift
        s >= 0 added after normalisation; with s = 0 the row(s) with x' = 0 get p = 0 and
        contribute 0 ln 0 = 0 to e_j.
    name
        Name of the ``index`` Series (e.g. ``U_talent``).

    Returns
    -------
    EntropyResult
        Weights summing to 1, diagnostics and the per-row index (see :class:`EntropyResult`).

    Notes
    -----
    e_j is computed as −[(Σ_i z_ij ln z_ij) / Z_j − ln Z_j] / ln n with Z_j = Σ_i z_ij, which
    equals −Σ_i p_ij ln p_ij / ln n without forming p. e_j = 1 only if the z_ij are all equal
    (impossible after min-max with variance), so in exact arithmetic d_j > 0 for every indicator.
    """
    cols, neg = check_indicators(frame, indicators, negative, file=file)
    if not (isinstance(shift, (int, float)) and math.isfinite(shift) and shift >= 0):
        raise InputError(f"shift must be a finite number >= 0, got {shift!r}", file=file)
    n = len(frame)
    if n < 2:
        raise InputError(f"the entropy method needs at least 2 rows, got {n}", file=file)
    x = indicator_matrix(frame, cols, keys=keys, file=file)
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    flat = [c for c, s in zip(cols, span) if not s > 0]
    if flat:
        raise InputError(
            "has the same value in every row (zero variance), so it carries no information for entropy weights",
            file=file,
            column=flat,
            hint="drop it from the indicators",
        )
    z = x  # normalised in place, column by column (x is our own copy)
    e = np.empty(len(cols))
    log_z = np.zeros(n)
    for j, col in enumerate(cols):
        zj = z[:, j]
        if col in neg:
            np.subtract(hi[j], zj, out=zj)
        else:
            zj -= lo[j]
        zj /= span[j]
        zj += shift
        # sum_i p ln p with p = z / S equals (sum_i z ln z) / S - ln S; z ln z = 0 at z = 0
        total = zj.sum()
        if shift > 0:
            np.log(zj, out=log_z)
        else:
            log_z[:] = 0.0
            np.log(zj, out=log_z, where=zj > 0)
        zlogz = zj @ log_z
        e[j] = -(zlogz / total - math.log(total)) / math.log(n)
    d = np.maximum(1.0 - e, 0.0)  # e_j <= 1 in exact arithmetic; guard against rounding
    if not d.sum() > 0:
        raise InputError(
            "all indicators have entropy 1 (no dispersion): weights are undefined", file=file, column=cols
        )
    w = d / d.sum()
    idx = pd.Index(cols, name="indicator")
    return EntropyResult(
        indicators=cols,
        negative=neg,
        shift=float(shift),
        nobs=n,
        weights=pd.Series(w, index=idx, name="weight"),
        entropy=pd.Series(e, index=idx, name="entropy"),
        redundancy=pd.Series(d, index=idx, name="redundancy"),
        minimum=pd.Series(lo, index=idx, name="min"),
        maximum=pd.Series(hi, index=idx, name="max"),
        normalised=pd.DataFrame(z, index=frame.index, columns=cols, copy=False),
        index=pd.Series(z @ w, index=frame.index, name=name),
    )
