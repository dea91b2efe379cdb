"""Figures of the ESDA stored by a spatial spec: the Moran scatter plot and LISA cluster maps.

Both read the ``spatial.esda`` block of one results file (period means, LISA classes, the weights
matrix), so no figure job recomputes a permutation test; drawing is
:mod:`tfp_talent.report.spatial_figures`. Figure entries name ``spec``, ``variable`` and the
period as ``years: [first, last]`` (one of the spec's ``spatial.esda.periods``).

Registered in :data:`tfp_talent.study.figures.FIGURE_KINDS` as ``moran_scatter`` and ``lisa_map``; the
drawing functions take the arguments described there (``where``, ``entry``, ``inp``, ``labels``).
Statistics (computed by the spatial runner with esda, :mod:`tfp_talent.spatial.explore`):

* Moran scatter: z_i = (y_i − ȳ)/sd(y) of the period means against the spatial lag (Wz)_i; with a
  row-standardised W the least-squares slope is global Moran's I = (n/S0) z'Wz / z'z;
* LISA map: local Moran I_i = (n − 1) z_i Σ_j w_ij z_j / Σ_k z_k² (Anselin 1995), a province
  classed HH / LL / HL / LH by the quadrant of (z_i, (Wz)_i) when its conditional-permutation pseudo
  p is below the ESDA's alpha (else ``ns``).

In ``config/config.yaml``: ``moran_scatter_stock`` and the four ``lisa_*`` maps (early / late periods).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.study.common import ENTITY
from tfp_talent.study.labels import term_label
from tfp_talent.study.spatial_tables import spatial_block

if TYPE_CHECKING:
    from tfp_talent.spatial.weights import SpatialWeights
    from tfp_talent.study.figures import FigureInputs


def _esda_of(where: str, entry: Mapping[str, Any], inp: FigureInputs) -> tuple[Mapping[str, Any], str, str]:
    """(spatial block, variable, period label) of a figure entry, checked against the stored ESDA.

    The period label is ``"<first>-<last>"`` from ``entry.years``. Raises :class:`InputError` when the
    spec is not spatial, has no ESDA, the variable is not in it, ``years`` is missing or the period
    is not one of the stored LISA periods (the message lists the valid ones).
    ``inp`` is the :class:`~tfp_talent.study.figures.FigureInputs` of the figure (``results`` only).
    """
    block = spatial_block(inp.results, entry["spec"], where=where)
    esda = block.get("esda")
    if not esda:
        raise InputError(f"spec '{entry['spec']}' has no ESDA (set spatial.esda)", file=where)
    var = entry["variable"]
    if var not in esda["variables"]:
        raise InputError(
            f"'{var}' is not in the ESDA of '{entry['spec']}' ({', '.join(esda['variables'])})", file=where
        )
    periods = list(dict.fromkeys(r["period"] for r in esda["lisa"]))
    if not entry.get("years"):
        raise InputError(f"needs years: [first, last], one of the periods {', '.join(periods)}", file=where)
    period = f"{int(entry['years'][0])}-{int(entry['years'][1])}"
    if period not in periods:
        raise InputError(f"period {period} is not in the ESDA (periods {', '.join(periods)})", file=where)
    return block, var, period


def stored_weights(block: Mapping[str, Any]) -> SpatialWeights:
    """The weights matrix saved in a spatial result (ids, row-standardised matrix, raw weights).

    Rebuilt from ``weights.ids``, ``weights.matrix`` (the row-standardised W used in estimation),
    ``weights.raw`` and ``weights.kind``, so a figure uses exactly the W of the estimate.
    Ids are the 6-digit province codes in the weights' sorted order, the order of the rows of W.
    """
    from tfp_talent.spatial.weights import SpatialWeights

    w = block["weights"]
    ids = tuple(int(a) for a in w["ids"])
    return SpatialWeights(
        ids, np.asarray(w["matrix"], dtype=float), np.asarray(w["raw"], dtype=float), w["kind"]
    )


def _moran_scatter(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """z of the period mean of ``variable`` against its spatial lag Wz; the slope is Moran's I.

    Values: ``esda.period_means`` of the period; the note gives the stored pseudo p of the period's
    global I (``global_by_period``) and the number of permutations
    (:func:`tfp_talent.report.spatial_figures.moran_scatter`). Provinces with |z| or |Wz| ≥ 1.5 are
    labelled. ``entry.label`` overrides the variable's report label.
    """
    from tfp_talent.report.spatial_figures import moran_scatter

    block, var, period = _esda_of(where, entry, inp)
    esda = block["esda"]
    means = pd.DataFrame(esda["period_means"])
    means = means[means["period"] == period].set_index(ENTITY)[var]
    stats = next(r for r in esda["global_by_period"] if r["variable"] == var and r["period"] == period)
    return moran_scatter(
        means, stored_weights(block), label=entry.get("label", term_label(var, labels)), period=period,
        note=f"Pseudo p = {stats['p_sim']:.3f} ({esda['permutations']} permutations). Source: {where}.",
    )  # fmt: skip


def _lisa_map(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """LISA clusters of the period mean of ``variable`` (significant at the ESDA's alpha) on the map.

    Classes from the stored ``esda.lisa`` rows of the variable and period, drawn on the TopoJSON
    polygons (:func:`tfp_talent.report.spatial_figures.cluster_map`); the title states the ESDA's
    significance rule, the note its W. Raises :class:`InputError` without ``inp.topo_path``.
    """
    from tfp_talent.report.maps import read_topojson
    from tfp_talent.report.spatial_figures import cluster_map

    block, var, period = _esda_of(where, entry, inp)
    if inp.topo_path is None:
        raise InputError("a LISA map needs the TopoJSON file", file=where)
    esda = block["esda"]
    rows = [r for r in esda["lisa"] if r["variable"] == var and r["period"] == period]
    clusters = {int(r[ENTITY]): r["cluster"] for r in rows}
    return cluster_map(
        clusters, read_topojson(inp.topo_path), kind="lisa", variable=entry.get("label", term_label(var, labels)),
        period=period, rule=esda["rule"], note=f"Weights: {block['weights']['text']}. Source: {where}.",
        source=inp.topo_path,
    )  # fmt: skip
