"""Data builders shared by the panel-estimator tests (imported, not a conftest)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def grunfeld10() -> pd.DataFrame:
    """R's Grunfeld data (plm::Grunfeld, 10 firms x 20 years 1935-1954).

    statsmodels ships the 11-firm version of AER::Grunfeld; plm's 10-firm version is
    it without 'American Steel'. It reproduces both numbers measured in issue 4:
    CRV1 SE of `value` 0.010824 (Stata, xtreg, fe vce(cluster) with year dummies) and
    0.010565 (linearmodels' default).
    """
    import statsmodels.datasets.grunfeld as g

    d = g.load_pandas().data
    d = d[d["firm"] != "American Steel"].copy()
    d["year"] = d["year"].astype(int)
    return d.reset_index(drop=True)


def wage_panel() -> pd.DataFrame:
    """Vella & Verbeek (1998) wage panel, 545 men x 8 years (linearmodels.datasets)."""
    from linearmodels.datasets import wage_panel as wp

    return wp.load()


def simulated(
    n_entities: int = 60,
    n_periods: int = 9,
    *,
    seed: int = 0,
    unbalanced: bool = True,
    corr_effects: float = 1.0,
    beta: tuple[float, float] = (0.5, -0.3),
) -> pd.DataFrame:
    """y = beta1 x1 + beta2 x2 + a_i + l_t + e, with a_i correlated with x1 (corr_effects).

    When ``unbalanced``, about 15 % of the entity-periods are dropped at random.
    """
    rng = np.random.default_rng(seed)
    ent = np.repeat(np.arange(n_entities), n_periods)
    per = np.tile(np.arange(2000, 2000 + n_periods), n_entities)
    a = rng.normal(size=n_entities)[ent]
    lam = rng.normal(size=n_periods)[per - 2000]
    x1 = rng.normal(size=ent.size) + corr_effects * a
    x2 = rng.normal(size=ent.size) + 0.5 * lam
    e = rng.normal(size=ent.size) * (1 + 0.5 * np.abs(x2))
    y = beta[0] * x1 + beta[1] * x2 + a + lam + e
    d = pd.DataFrame({"id": ent, "year": per, "y": y, "x1": x1, "x2": x2})
    if unbalanced:
        d = d[rng.random(len(d)) > 0.15].reset_index(drop=True)
    return d


def within(d: pd.DataFrame, cols: list[str], entity: str = "id", time: str | None = "year") -> np.ndarray:
    """Demeaned columns by LSDV residualisation (exact for unbalanced two-way panels)."""
    import statsmodels.api as sm

    dummies = [pd.get_dummies(d[entity], prefix="e", drop_first=False, dtype=float)]
    if time is not None:
        dummies.append(pd.get_dummies(d[time], prefix="t", drop_first=True, dtype=float))
    D = pd.concat(dummies, axis=1).to_numpy()
    out = []
    for c in cols:
        out.append(sm.OLS(d[c].to_numpy(dtype=float), D).fit().resid)
    return np.column_stack(out)
