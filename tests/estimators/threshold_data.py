"""Data for the threshold-model tests: Hansen's invest.dat as a lagged panel, xthreg's hansen1999.dta,
and simulated panels with known thresholds."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

RAW = Path(__file__).resolve().parents[2] / "data" / "raw" / "hansen1999"
X = ["q1", "q2", "q3", "d1", "qd1"]


@lru_cache(maxsize=1)
def hansen_invest_panel() -> pd.DataFrame:
    """invest.dat (565 firms x 1973-1987, firm by firm) with regressors lagged one year, as in Hansen's
    THRESH_P.PRG: y = investment/assets in 1974-1987; q1, q1^2, q1^3, d1, q1*d1 and c1 lagged (14 years)."""
    raw = np.loadtxt(RAW / "invest.dat").reshape(565, 15, 4)
    inv, q, c, d = (raw[:, :, j] for j in range(4))
    n, t = 565, 14
    q1, d1, c1 = q[:, :-1], d[:, :-1], c[:, :-1]
    frame = pd.DataFrame(
        {
            "firm": np.repeat(np.arange(1, n + 1), t),
            "year": np.tile(np.arange(1974, 1988), n),
            "i": inv[:, 1:].ravel(),
            "q1": q1.ravel(),
            "q2": (q1**2).ravel(),
            "q3": (q1**3).ravel(),
            "d1": d1.ravel(),
            "qd1": (q1 * d1).ravel(),
            "c1": c1.ravel(),
        }
    )
    return frame


@lru_cache(maxsize=1)
def xthreg_panel() -> pd.DataFrame:
    """hansen1999.dta as shipped with Stata's xthreg (7,910 rows; lagged regressors stored as float32)."""
    return pd.read_stata(RAW / "hansen1999.dta")


def simulated_panel(
    n: int = 150,
    t: int = 8,
    thresholds: tuple[float, ...] = (0.4,),
    slopes: tuple[float, ...] = (1.0, -1.0),
    beta: float = 0.5,
    sigma: float = 0.5,
    seed: int = 7,
) -> pd.DataFrame:
    """y = mu_i + beta x + sum_j slopes[j] r 1{regime j} + e, q ~ U(0, 1), regime 1 is q <= thresholds[0]."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=n)[:, None]
    x = rng.normal(size=(n, t)) + 0.3 * mu
    r = rng.normal(size=(n, t)) + 0.3 * mu
    q = rng.uniform(size=(n, t))
    regime = np.searchsorted(np.asarray(thresholds), q, side="left")
    y = mu + beta * x + np.asarray(slopes)[regime] * r + sigma * rng.normal(size=(n, t))
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), t),
            "t": np.tile(np.arange(2000, 2000 + t), n),
            "y": y.ravel(),
            "x": x.ravel(),
            "r": r.ravel(),
            "r2": (r * rng.uniform(0.5, 1.5, size=(n, t))).ravel(),
            "q": q.ravel(),
        }
    )
