"""Simulated panels with known truth for the TFP tests (imported by conftest and the tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tfp_talent.data.provinces import CODES

ROOT = Path(__file__).resolve().parents[2]
ASSET_RDA = ROOT / "data" / "raw" / "capital-stock-1952-2022" / "asset.rda"
SURVEY_GAPS = (2000, 2001, 2010)


def cobb_douglas_panel(
    n: int = 6, years: range = range(2000, 2010), alpha: float = 0.4, seed: int = 0
) -> pd.DataFrame:
    """Y = A K^alpha (hL)^(1-alpha) with known ln A (column ``ln_a``)."""
    rng = np.random.default_rng(seed)
    ent = np.repeat([f"e{i}" for i in range(n)], len(years))
    yr = np.tile(np.asarray(years), n)
    k = rng.lognormal(5, 1, ent.size)
    lab = rng.lognormal(3, 0.5, ent.size)
    h = rng.uniform(1.5, 3.0, ent.size)
    ln_a = rng.normal(0, 0.3, ent.size)
    y = np.exp(ln_a) * k**alpha * (h * lab) ** (1 - alpha)
    return pd.DataFrame({"id": ent, "year": yr, "y": y, "k": k, "l": lab, "h": h, "ln_a": ln_a})


def simulated_panel(seed: int = 0, years: range = range(2000, 2020)) -> pd.DataFrame:
    """A panel with the columns of the data-stage contract (briefs/panel_columns.md) used by the TFP stage.

    Survey variables are missing in 2000, 2001 and 2010; labour_share and gfcf stop in 2017;
    emp_nonfarm starts in 2008 -- as in the real data.
    """
    rng = np.random.default_rng(seed)
    codes = np.repeat(CODES, len(years))
    yr = np.tile(np.asarray(years), len(CODES))
    n = codes.size
    t = yr - years.start
    pop = rng.uniform(300, 10000, len(CODES)).repeat(len(years)) * (1.005**t)
    wa_share = np.clip(0.70 + 0.002 * t + rng.normal(0, 0.01, n), 0.5, 0.85)
    school = 7.0 + 0.12 * t + rng.normal(0, 0.3, n)
    frame = pd.DataFrame(
        {
            "province_code": codes.astype("int64"),
            "year": yr.astype("int64"),
            "gdp_real": rng.uniform(100, 5000, len(CODES)).repeat(len(years))
            * np.exp(0.09 * t + rng.normal(0, 0.02, n)),
            "pop_yearend": pop,
            "working_age_share": wa_share,
            "working_age_pop": wa_share * pop,
            "emp_nonfarm": pop * rng.uniform(0.1, 0.4, n),
            "labour_share": rng.uniform(0.35, 0.6, n),
            "avg_school_years": school,
            "gfcf": rng.uniform(50, 3000, n),
        }
    )
    gap = frame["year"].isin(SURVEY_GAPS)
    frame.loc[gap, ["working_age_share", "working_age_pop", "avg_school_years"]] = np.nan
    frame.loc[frame["year"] > 2017, ["labour_share", "gfcf"]] = np.nan
    frame.loc[frame["year"] < 2008, "emp_nonfarm"] = np.nan
    return frame
