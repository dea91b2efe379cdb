"""Scales of the regressors in an estimation sample, for economic magnitudes ("a one within-SD change").

The within-province standard deviation of x is the standard deviation of the deviations from the
province means, re-centred on the grand mean: s_w = sd(x_it − x̄_i + x̄), with N − 1 in the
denominator (Stata's ``xtsum``, "within" row; StataCorp, *Stata Longitudinal-Data/Panel-Data
Reference Manual*, ``xtsum``). The effect of a one within-SD change of x is then b · s_w, the
usual way to put coefficients on variables of different units on one scale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tfp_talent.study.common import ENTITY


def within_sd(frame: pd.DataFrame, columns: Sequence[str], *, entity: str = ENTITY) -> dict[str, float]:
    """``{column: s_w}`` with s_w = sd(x_it − x̄_i + x̄) (ddof 1) over the rows of ``frame`` (xtsum "within")."""
    out: dict[str, float] = {}
    for col in dict.fromkeys(columns):
        if col not in frame.columns:
            continue
        x = pd.to_numeric(frame[col], errors="coerce").astype(float)
        ok = x.notna()
        if ok.sum() < 2:
            continue
        dev = x[ok] - x[ok].groupby(frame.loc[ok, entity]).transform("mean") + float(x[ok].mean())
        out[str(col)] = float(np.std(dev.to_numpy(), ddof=1))
    return out
