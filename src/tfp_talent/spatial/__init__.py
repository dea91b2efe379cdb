"""Spatial weights for the 31 provinces and exploratory spatial data analysis (libpysal, esda).

* :mod:`tfp_talent.spatial.weights`: queen / rook contiguity from the province TopoJSON (with the
  Hainan island rule), k-nearest neighbours and inverse great-circle distance on centroids,
  economic and nested geographic x economic weights, and a summary.
* :mod:`tfp_talent.spatial.weights_io`: a user's matrix from ``.csv``, ``.gal`` or R ``.rda``;
  writers to ``.gal`` and ``.csv``.
* :mod:`tfp_talent.spatial.explore`: global Moran's I and Geary's C by year, LISA clusters,
  Getis-Ord Gi* hot and cold spots, per-period versions and the western cold-spot finding.
* :mod:`tfp_talent.spatial.permutation`: the conditional permutation pseudo p-values of the local
  statistics (esda's randomisation in numpy, seeded).

Every matrix is a :class:`SpatialWeights` over its ids in sorted order (the built ones: the
6-digit NBS province codes), row-standardised by default; the study's spatial runners and the CLI
(``tfp-talent moran`` and ``tfp-talent spatial``, ``--weights`` as in
:func:`~tfp_talent.spatial.weights_io.weights_from_spec`) use the same objects. Example:
``w = queen_from_topojson("data/raw/geo/china_provinces_full.topo.json")``.
"""

from tfp_talent.spatial.weights import (
    DEFAULT_ISLAND_LINKS,
    SpatialWeights,
    WeightsSummary,
    as_dense,
    distance_from_topojson,
    economic_weights,
    knn_from_topojson,
    nested_weights,
    queen_from_topojson,
    rook_from_topojson,
    weights_summary,
)
from tfp_talent.spatial.weights_io import read_weights, write_csv, write_gal

__all__ = [
    "DEFAULT_ISLAND_LINKS",
    "SpatialWeights",
    "WeightsSummary",
    "as_dense",
    "distance_from_topojson",
    "economic_weights",
    "knn_from_topojson",
    "nested_weights",
    "queen_from_topojson",
    "read_weights",
    "rook_from_topojson",
    "weights_summary",
    "write_csv",
    "write_gal",
]
