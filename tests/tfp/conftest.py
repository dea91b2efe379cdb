"""Fixtures of the TFP tests: simulated panels with known truth and the shipped asset.rda."""

from __future__ import annotations

import pandas as pd
import pytest
from tfp_sim import ASSET_RDA, simulated_panel


@pytest.fixture(scope="session")
def asset() -> pd.DataFrame:
    from tfp_talent.tfp.capital import read_asset

    return read_asset(ASSET_RDA)


@pytest.fixture()
def sim_panel() -> pd.DataFrame:
    return simulated_panel()
