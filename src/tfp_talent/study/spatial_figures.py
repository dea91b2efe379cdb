"""Figures of the ESDA stored by a spatial spec: the Moran scatter plot and LISA cluster maps.

Both read the ``spatial.esda`` block of one results file (period means, LISA classes, the weights
matrix), so no figure job recomputes a permutation test; drawing is
:mod:`tfp_talent.report.spatial_figures`. Figure entries name ``spec``, ``variable`` and the
period as ``years: [first, last]`` (one of the spec's ``spatial.esda.periods``).
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
    """(spatial block, variable, period label) of a figure entry, checked against the stored ESDA."""
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
    """The weights matrix saved in a spatial result (ids, row-standardised matrix, raw weights)."""
    from tfp_talent.spatial.weights import SpatialWeights

    w = block["weights"]
    ids = tuple(int(a) for a in w["ids"])
    return SpatialWeights(
        ids, np.asarray(w["matrix"], dtype=float), np.asarray(w["raw"], dtype=float), w["kind"]
    )


def _moran_scatter(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """z of the period mean of ``variable`` against its spatial lag Wz; the slope is Moran's I."""
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
    """LISA clusters of the period mean of ``variable`` (significant at the ESDA's alpha) on the map."""
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
