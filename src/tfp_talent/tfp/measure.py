"""One entry point for the TFP measures on any panel (countries, provinces, cities, firms).

:func:`measure_tfp` names the entity and time columns, output Y, capital K, labour L,
optionally human capital per worker h (effective labour = h·L), and looks the method up in
:data:`tfp_talent.tfp.methods.METHODS`:

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
from typing import Unpack

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import require_columns
from tfp_talent.tfp.checks import PRODUCTION_KEYS, ProductionColumns, check_production_columns
from tfp_talent.tfp.malmquist import DEA_DEFAULTS, DEA_KEYS, DEAOptions
from tfp_talent.tfp.methods import METHODS


class MeasureOptions(ProductionColumns, DEAOptions):
    """The column names and the Malmquist options of :func:`measure_tfp`.

    Keys of :class:`~tfp_talent.tfp.checks.ProductionColumns` (entity, time, output, capital,
    labour, optional hc) and of :class:`~tfp_talent.tfp.malmquist.DEAOptions`.
    """


def measure_tfp(
    frame: pd.DataFrame,
    *,
    method: str,
    alpha: float | None = None,
    labour_share: str | None = None,
    source: str | Path | None = None,
    **options: Unpack[MeasureOptions],
) -> pd.DataFrame:
    """TFP of ``method`` (a key of :data:`tfp_talent.tfp.methods.METHODS`) on a panel; formulas and
    sources in the module docstring.

    ``alpha`` (capital elasticity, default 0.4) is for ``solow``; ``tornqvist`` takes
    ``labour_share`` (a column, in (0, 1)) or ``alpha`` (constant s_L = 1 − α), not both;
    ``frontier`` (default contemporaneous), ``vrs``, ``stats`` and ``workers`` (processes) are for
    ``malmquist`` (:class:`~tfp_talent.tfp.malmquist.DEAOptions`, with the defaults of
    :func:`~tfp_talent.tfp.malmquist.malmquist_index`). Options that do not apply to the method
    raise :class:`InputError` rather than being silently ignored (a DEA option only when it is set to
    anything but its default, :data:`~tfp_talent.tfp.malmquist.DEA_DEFAULTS`; which method takes which
    is the registry's ``options``).

    Example: ``measure_tfp(pwt, method="solow", entity="country", time="year", output="rgdpna",
    capital="rnna", labour="emp", hc="hc", alpha=0.33)``. Returns the method's frame (module
    docstring) sorted by entity and time; raises :class:`InputError` for an unknown method or a
    column not in ``frame``, TypeError for a missing or unknown column argument.
    """
    if method not in METHODS:
        raise InputError(f"unknown TFP method '{method}' (use {', '.join(METHODS)})", column="method")
    own = METHODS[method].options
    foreign = [k for k in DEA_KEYS if k in options and k not in own and options[k] != DEA_DEFAULTS[k]]
    if foreign:
        takers = [m for m, entry in METHODS.items() if set(foreign) <= set(entry.options)]
        raise InputError(
            f"option(s) {', '.join(foreign)} apply to method {' / '.join(takers)} only, not {method}",
            column=foreign[0],
        )
    columns = {k: v for k, v in options.items() if k not in DEA_KEYS}
    check_production_columns(columns)
    names = [columns.get(k) for k in PRODUCTION_KEYS]
    require_columns(frame, [c for c in (*names, labour_share) if c], file=source)
    return METHODS[method].measure(
        frame, **{"hc": None, **options}, alpha=alpha, labour_share=labour_share, source=source
    )
