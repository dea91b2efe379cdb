"""Fixtures for the report tests (helpers live in report_sim.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_sim import make_topology


@pytest.fixture
def topojson_file(tmp_path: Path) -> Path:
    """The synthetic 31-province TopoJSON of report_sim.make_topology, written to a file."""
    topo, _ = make_topology()
    path = tmp_path / "provinces.topo.json"
    path.write_text(json.dumps(topo), encoding="utf-8")
    return path
