"""The threshold model's SEs follow the inference module's conventions, as fit_panel does.

At given thresholds the threshold model is a linear FE regression on regime-interacted regressors, so
its unadjusted / robust / clustered SEs must equal fit_panel's (entity effects; pyfixest engine) on the
same design under every convention (tolerance 1e-9 relative: two least-squares paths).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp_talent.estimators.panel import fit_panel
from tfp_talent.estimators.threshold import fit_at_thresholds


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n, t = 40, 8
    f = pd.DataFrame({"id": np.repeat(np.arange(n), t), "year": np.tile(np.arange(2000, 2000 + t), n)})
    f["q"] = rng.normal(size=len(f))
    f["r"] = rng.normal(size=len(f))
    f["x"] = rng.normal(size=len(f))
    mu = np.repeat(rng.normal(size=n), t)
    f["y"] = (
        mu
        + 0.5 * f["x"]
        + np.where(f["q"] <= 0.2, 1.0, -1.0) * f["r"]
        + rng.normal(size=len(f)) * (1 + f["q"] ** 2)
    )
    f["r_r1"] = f["r"] * (f["q"] <= 0.2)
    f["r_r2"] = f["r"] * (f["q"] > 0.2)
    return f


@pytest.mark.parametrize("convention", ["stata", "areg", "cluster", "none"])
@pytest.mark.parametrize("cov", ["unadjusted", "robust", "clustered"])
def test_threshold_ses_equal_fit_panel(panel, cov, convention):
    thr = fit_at_thresholds(
        panel, "y", ["x"], "r", "q", "id", "year", thresholds=[0.2], convention=convention
    )
    fe = fit_panel(
        panel,
        "y",
        ["x", "r_r1", "r_r2"],
        entity="id",
        time="year",
        model="fe",
        effects="entity",
        cov=cov,
        convention=convention,
    )
    assert thr.params["x"] == pytest.approx(fe.params["x"], rel=1e-9)
    for name in ("x", "r_r1", "r_r2"):
        assert thr.std_errors[cov][name] == pytest.approx(fe.std_errors[name], rel=1e-9), (
            cov,
            convention,
            name,
        )
