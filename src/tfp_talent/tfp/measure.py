"""One entry point for the TFP measures on any panel (countries, provinces, cities, firms).

:func:`measure_tfp` names the entity and time columns, output Y, capital K, labour L,
optionally human capital per worker h (effective labour = h·L), and dispatches to

* ``solow``: ln A = ln Y − α ln K − (1 − α) ln(hL) (:mod:`tfp_talent.tfp.solow`);
* ``tornqvist``: Δln A = Δln Y − (1 − s̄_L) Δln K − s̄_L Δln(hL) with the labour share
  from a column, or constant s_L = 1 − α (:mod:`tfp_talent.tfp.tornqvist`);
* ``malmquist``: output-oriented CRS DEA-Malmquist index with inputs K and hL
  (:mod:`tfp_talent.tfp.malmquist`).

The result always has ``entity, time, tfp_growth, ln_tfp`` (log growth; ln M for
Malmquist; ln_tfp a level for Solow and a cumulated index, 0 in the first period,
otherwise) plus each method's own columns. Used by the CLI (``tfp-talent tfp``) and by
the workflow (:mod:`tfp_talent.tfp.pipeline`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import require_columns
from tfp_talent.tfp.checks import complete_panel
from tfp_talent.tfp.malmquist import Frontier, LPStats, malmquist_index
from tfp_talent.tfp.solow import DEFAULT_ALPHA, solow_residual
from tfp_talent.tfp.tornqvist import tornqvist_index

METHODS: tuple[str, ...] = ("solow", "tornqvist", "malmquist")
Method = Literal["solow", "tornqvist", "malmquist"]
_EFFECTIVE = "__effective_labour__"


def measure_tfp(
    frame: pd.DataFrame,
    *,
    method: Method,
    entity: str,
    time: str,
    output: str,
    capital: str,
    labour: str,
    hc: str | None = None,
    alpha: float | None = None,
    labour_share: str | None = None,
    frontier: Frontier = "contemporaneous",
    vrs: bool = False,
    source: str | Path | None = None,
    stats: LPStats | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """TFP of ``method`` on a panel; see the module docstring for formulas and sources.

    ``alpha`` (capital elasticity, default 0.4) is for ``solow``; ``tornqvist`` takes
    ``labour_share`` (a column, in (0, 1)) or ``alpha`` (constant s_L = 1 − α), not both;
    ``frontier``, ``vrs`` and ``workers`` (processes) are for ``malmquist``. Options that do not apply to the method
    raise :class:`InputError` rather than being silently ignored.
    """
    if method not in METHODS:
        raise InputError(f"unknown TFP method '{method}' (use {', '.join(METHODS)})", column="method")
    require_columns(frame, [c for c in (entity, time, output, capital, labour, hc, labour_share) if c], file=source)
    common = dict(entity=entity, time=time, output=output, capital=capital, labour=labour, hc=hc, source=source)
    if method == "solow":
        if labour_share is not None:
            raise InputError("a labour-share column is used by the tornqvist method only; give alpha for solow")
        return solow_residual(frame, **common, alpha=DEFAULT_ALPHA if alpha is None else alpha)
    if method == "tornqvist":
        if (labour_share is None) == (alpha is None):
            raise InputError("the tornqvist method needs either a labour-share column or a constant alpha (not both)")
        data = frame
        if labour_share is None:
            if not 0 < alpha < 1:  # type: ignore[operator]
                raise InputError(f"alpha must lie strictly between 0 and 1, got {alpha}", column="alpha")
            labour_share = "__labour_share__"
            data = frame.assign(**{labour_share: 1.0 - alpha})  # type: ignore[operator]
        return tornqvist_index(data, **common, labour_share=labour_share)
    if alpha is not None or labour_share is not None:
        raise InputError("the malmquist method uses no factor shares; drop alpha / the labour-share column")
    data = frame
    labour_input = labour
    if hc is not None:
        data = frame.assign(**{_EFFECTIVE: pd.to_numeric(frame[labour], errors="coerce") * pd.to_numeric(frame[hc], errors="coerce")})
        labour_input = _EFFECTIVE
        # report problems with the user's own columns, not with the product
        complete_panel(frame, entity=entity, time=time, columns=[labour, hc], positive=[labour, hc], file=source)
    return malmquist_index(
        data, entity=entity, time=time, outputs=output, inputs=[capital, labour_input], frontier=frontier, vrs=vrs,
        source=source, stats=stats, workers=workers,
    )
