"""Fixtures for the data-stage tests: one built panel and writable copies of data/raw."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from data_stage_helpers import RAW

from tfp_talent.data.build import PanelBuild, build_panel


@pytest.fixture(scope="session")
def built() -> PanelBuild:
    """The panel built once from the shipped raw data with the default config (2000-2019, no imputation)."""
    return build_panel(RAW, start=2000, end=2019)


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A writable copy of data/raw (tests break the copy, never the original)."""
    dest = tmp_path / "raw"
    shutil.copytree(RAW, dest)
    return dest
