"""Solow residual with a constant capital elasticity.

    ln A_it = ln Y_it − α ln K_it − (1 − α) ln(h_it L_it)

Solow (1957), "Technical change and the aggregate production function", REStat 39(3);
Cobb–Douglas with constant returns, α = capital elasticity (config ``tfp.alpha``,
0.4 by default; 0.5 as robustness; the two-way FE production function in
:mod:`tfp_talent.tfp.prodfn` is a diagnostic of it). Growth is the change of
ln A between consecutive periods of the same entity.

Under Cobb–Douglas Y = A K^α (hL)^(1−α) the residual is exact in levels; the level of ln A
depends on the units of Y, K and L (only its changes and cross-entity differences in common
units are meaningful). :mod:`tfp_talent.tfp.pipeline` puts Y and K in constant prices of the
same base year (``years.start``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Unpack

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.tfp.checks import ProductionColumns, lag_within, production_logs
from tfp_talent.tfp.malmquist import DEA_KEYS

DEFAULT_ALPHA = 0.4


def solow_residual(
    frame: pd.DataFrame,
    *,
    alpha: float = DEFAULT_ALPHA,
    source: str | Path | None = None,
    **columns: Unpack[ProductionColumns],
) -> pd.DataFrame:
    """ln A = ln Y − α ln K − (1 − α) ln(hL), and its growth Δ ln A.

    Solow (1957). ``hc`` (human capital per worker h) multiplies ``labour`` when given.
    All of output, capital, labour (and hc) must be present and > 0.
    Returns ``entity, time, ln_tfp, tfp_growth``; tfp_growth is NaN in an entity's
    first period and after a skipped period (periods = distinct times of the panel).

    ``columns``: :class:`~tfp_talent.tfp.checks.ProductionColumns` (vocabulary in
    :mod:`tfp_talent.tfp.checks`); ``alpha`` must lie in (0, 1). Growth is Δ ln A_t =
    ln A_t − ln A_{t−1} with t − 1 the preceding period of the panel
    (:func:`~tfp_talent.tfp.checks.lag_within`). Raises :class:`InputError` for ``alpha``
    outside (0, 1) or invalid data (:func:`~tfp_talent.tfp.checks.production_logs`).
    """
    if not 0 < alpha < 1:
        raise InputError(
            f"alpha (capital elasticity) must lie strictly between 0 and 1, got {alpha}", column="alpha"
        )
    data, ln_y, ln_k, eff = production_logs(frame, columns, source=source)
    entity, time = columns["entity"], columns["time"]
    ln_a = ln_y - alpha * ln_k - (1.0 - alpha) * eff
    out = data[[entity, time]].copy()
    out["ln_tfp"] = ln_a
    out["tfp_growth"] = ln_a - lag_within(data, ln_a, entity=entity, time=time)
    return out


def measure_solow(
    frame: pd.DataFrame, *, alpha: float | None = None, labour_share: str | None = None, **common: Any
) -> pd.DataFrame:
    """Registry adapter (:data:`tfp_talent.tfp.methods.METHODS`): Solow residual on any panel.

    ``alpha`` None means :data:`DEFAULT_ALPHA` (0.4); the Malmquist options in ``common`` are
    dropped. A ``labour_share`` column raises :class:`InputError` (only Törnqvist uses one).
    """
    if labour_share is not None:
        raise InputError("a labour-share column is used by the tornqvist method only; give alpha for solow")
    common = {k: v for k, v in common.items() if k not in DEA_KEYS}
    return solow_residual(frame, **common, alpha=DEFAULT_ALPHA if alpha is None else alpha)


def solow_from_settings(data: pd.DataFrame, params: Mapping[str, Any], **common: Any) -> pd.DataFrame:
    """Registry adapter for the workflow: α from ``params``; growth only between consecutive calendar
    periods (the generic :func:`solow_residual` chains the periods present).

    tfp_growth is set to NaN in a year t whose year t − 1 is absent for the entity, so a gap in
    the province's complete years never yields a two-year change labelled as one year's.
    """
    entity, time = common["entity"], common["time"]
    res = solow_residual(data, **common, alpha=float(params["alpha"]))
    prev = set(zip(data[entity], data[time] + 1, strict=True))
    after_gap = [k not in prev for k in zip(res[entity], res[time], strict=True)]
    res.loc[after_gap, "tfp_growth"] = np.nan
    return res
