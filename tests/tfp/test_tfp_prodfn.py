"""Production-function diagnostic: exact recovery of α without noise; coefficients = linearmodels PanelOLS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp_talent.errors import InputError
from tfp_talent.tfp.prodfn import production_function


def _panel(noise: float, seed: int = 0, alpha: float = 0.35, beta: float = 0.6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n, periods = 20, 12
    e = np.repeat(np.arange(n), periods)
    t = np.tile(np.arange(2000, 2000 + periods), n)
    k, lab = rng.lognormal(5, 1, e.size), rng.lognormal(3, 1, e.size)
    ln_y = (
        rng.normal(0, 0.5, n)[e]
        + 0.03 * (t - 2000)
        + alpha * np.log(k)
        + beta * np.log(lab)
        + rng.normal(0, noise, e.size)
    )
    return pd.DataFrame({"e": e, "t": t, "y": np.exp(ln_y), "k": k, "l": lab})


def test_noiseless_cobb_douglas_recovers_alpha():
    """Simulated truth α = 0.35, β = 0.6 with entity and year effects and no noise: exact (1e-8)."""
    res = production_function(_panel(0.0), entity="e", time="t", output="y", capital="k", labour="l")
    assert res["unrestricted"]["alpha"] == pytest.approx(0.35, abs=1e-8)
    assert res["unrestricted"]["beta"] == pytest.approx(0.6, abs=1e-8)
    assert res["unrestricted"]["returns_to_scale"] == pytest.approx(0.95, abs=1e-8)
    assert res["n_obs"] == 240 and res["n_entities"] == 20 and res["n_periods"] == 12


def test_coefficients_match_linearmodels():
    """Independent library: linearmodels PanelOLS with entity and time effects gives the same α, β (1e-8)."""
    from linearmodels.panel import PanelOLS

    df = _panel(0.1, seed=3)
    res = production_function(df, entity="e", time="t", output="y", capital="k", labour="l")
    p = df.set_index(["e", "t"])
    exog = pd.DataFrame({"ln_k": np.log(p["k"]), "ln_hl": np.log(p["l"])})
    lm = PanelOLS(np.log(p["y"]), exog, entity_effects=True, time_effects=True).fit()
    assert res["unrestricted"]["alpha"] == pytest.approx(lm.params["ln_k"], abs=1e-8)
    assert res["unrestricted"]["beta"] == pytest.approx(lm.params["ln_hl"], abs=1e-8)
    crs = PanelOLS(
        np.log(p["y"] / p["l"]),
        np.log(p["k"] / p["l"]).rename("ln_k_hl").to_frame(),
        entity_effects=True,
        time_effects=True,
    ).fit()
    assert res["crs_restricted"]["alpha"] == pytest.approx(crs.params["ln_k_hl"], abs=1e-8)


def test_bad_input():
    df = _panel(0.1)
    df.loc[4, "k"] = 0.0
    with pytest.raises(InputError, match=r"'k'.*> 0"):
        production_function(df, entity="e", time="t", output="y", capital="k", labour="l")
