"""System GMM on simulated dynamic panels with a known truth, beside the within (FE) estimator.

DGP (seed s = 0, 1, ...; numpy default_rng(s), draws in entity order): N = 200, T = 8 kept after a
50-period burn-in (mean-stationary, so the Blundell-Bond level moments hold),
    x_it = 0.5 x_i,t-1 + 0.5 a_i + ξ_it,   y_it = ρ y_i,t-1 + β x_it + a_i + e_it,   ρ = 0.5, β = 1,
a_i, ξ_it, e_it iid N(0, 1): x is correlated with the effect and exogenous (hence predetermined).
Estimator: two-step system GMM, collapsed GMM instruments L(2:.).y and L(1:.).x (22 instruments with
the constant and time dummies), Windmeijer SEs, 95 % normal intervals.

Measured (200 seeds, 0-199): GMM bias of ρ̂ +0.0012, of β̂ +0.0083; coverage 96.5 % (ρ) and 93.0 % (β);
within-FE bias of ρ̂ −0.0961 (Nickell 1981: O(1/T), downward). 400 seeds (slow test): ρ bias +0.0034,
β bias +0.0104, coverage 95.5 % / 93.2 %, FE bias −0.0951. Monte Carlo SE of a coverage rate at 200 seeds
≈ 1.5 points. About 5-10 s on the shared 2-core machine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp_talent.estimators.gmm import fit_gmm

RHO, BETA = 0.5, 1.0


def simulate(seed: int, n: int = 200, t: int = 8, burn: int = 50) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    x = np.zeros((n, t + burn))
    y = np.zeros((n, t + burn))
    for s in range(1, t + burn):
        x[:, s] = 0.5 * x[:, s - 1] + 0.5 * a + rng.normal(size=n)
        y[:, s] = RHO * y[:, s - 1] + BETA * x[:, s] + a + rng.normal(size=n)
    x, y = x[:, burn:], y[:, burn:]
    return pd.DataFrame(
        {"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n), "y": y.ravel(), "x": x.ravel()}
    )


def within_fe(d: pd.DataFrame) -> np.ndarray:
    """OLS of y on (L.y, x) after removing entity means (the FE estimator with Nickell bias)."""
    d = d.assign(ly=d.groupby("id")["y"].shift(1)).dropna()
    dm = d[["y", "ly", "x"]] - d.groupby("id")[["y", "ly", "x"]].transform("mean")
    return np.linalg.lstsq(dm[["ly", "x"]].to_numpy(), dm["y"].to_numpy(), rcond=None)[0]


def monte_carlo(seeds: range) -> dict[str, float]:
    rows = []
    for s in seeds:
        d = simulate(s)
        r = fit_gmm(
            d,
            "y ~ L.y + x",
            entity="id",
            time="t",
            gmm={"y": (2, 99), "x": (1, 99)},
            iv={},
            transformation="ld",
            collapse=True,
            model="twostep",
        )
        ci = r.conf_int(0.95)
        rows.append(
            [
                r.params["L1.y"],
                r.params["x"],
                ci.loc["L1.y", "lower"] <= RHO <= ci.loc["L1.y", "upper"],
                ci.loc["x", "lower"] <= BETA <= ci.loc["x", "upper"],
                *within_fe(d),
            ]
        )
    a = np.asarray(rows, dtype=float)
    return {
        "bias_rho": a[:, 0].mean() - RHO,
        "bias_beta": a[:, 1].mean() - BETA,
        "cover_rho": a[:, 2].mean(),
        "cover_beta": a[:, 3].mean(),
        "fe_bias_rho": a[:, 4].mean() - RHO,
    }


def check(mc: dict[str, float]) -> None:
    assert abs(mc["bias_rho"]) < 0.01 and abs(mc["bias_beta"]) < 0.03
    assert 0.91 <= mc["cover_rho"] <= 0.99 and 0.90 <= mc["cover_beta"] <= 0.99
    assert mc["fe_bias_rho"] < -0.05
    assert mc["fe_bias_rho"] < -5 * abs(mc["bias_rho"])  # FE biased downward by far more than GMM


def test_system_gmm_recovers_rho_and_covers():
    """200 seeds (about 10 s): small bias, near-nominal coverage; FE's Nickell bias much larger."""
    check(monte_carlo(range(200)))


@pytest.mark.slow
def test_system_gmm_monte_carlo_400():
    check(monte_carlo(range(400)))
