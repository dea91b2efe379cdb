"""Paths of the shipped reference files and small known-answer examples for the spatial tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tfp_talent.spatial.weights import SpatialWeights, finish_weights

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_MAP = ROOT / "data/raw/geo/china_provinces_full.topo.json"
USAWW = ROOT / "data/raw/reference-panels/usaww.rda"
PRODUC = ROOT / "data/raw/reference-panels/Produc.rda"


def line_weights(n: int = 5, transform: str = "none") -> SpatialWeights:
    """Regions 1..n on a line, each a neighbour of the next (binary rook contiguity)."""
    raw = np.zeros((n, n))
    for i in range(n - 1):
        raw[i, i + 1] = raw[i + 1, i] = 1.0
    return finish_weights(raw, list(range(1, n + 1)), kind="line", transform=transform)
