"""Production-function check of the capital elasticity α (a diagnostic, not a TFP measure).

Two-way fixed effects (entity and time), standard errors clustered by entity:

    unrestricted:  ln Y_it = α ln K_it + β ln(h_it L_it) + μ_i + τ_t + ε_it
    CRS-restricted: ln(Y/hL)_it = α ln(K/hL)_it + μ_i + τ_t + ε_it

Estimated with :func:`tfp_talent.estimators.panel.fit_panel` (pyfixest engine; Bergé 2018 / fixest),
which fixes the order of the absorbed effects so the output is byte-identical across processes.
Reports α, β, α + β with a Wald test of constant returns (α + β = 1) and the restricted α, to set
against the calibrated α of the Solow residual (``tfp.alpha``).

Wald test of constant returns: with b = (α̂, β̂) and V̂ its clustered covariance,
se(α̂ + β̂) = sqrt(V̂_αα + V̂_ββ + 2 V̂_αβ) and W = (α̂ + β̂ − 1)² / se² ~ χ²(1) under H0. The
covariance follows the ``stata`` small-sample convention of :mod:`tfp_talent.estimators.inference`
(as ``xtreg ln_y ln_k ln_hl i.year, fe vce(cluster entity)``); W is referred to χ²(1), not to
F(1, G − 1), so its p-value is slightly smaller than Stata's ``test`` gives with few clusters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Unpack

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.tfp.checks import ProductionColumns, production_logs


def production_function(
    frame: pd.DataFrame, *, source: str | Path | None = None, **columns: Unpack[ProductionColumns]
) -> dict[str, Any]:
    """Two-way FE estimates of ln Y on ln K and ln(hL), unrestricted and under CRS (see module docstring).

    Returns a JSON-ready dict: coefficients, clustered standard errors, 95 % intervals,
    α + β and the Wald χ² test of α + β = 1, the CRS-restricted α, N, entities, periods
    and the within R².

    ``columns``: :class:`~tfp_talent.tfp.checks.ProductionColumns` (Y, K, L > 0; ``hc`` multiplies L).
    Keys: ``model, n_obs, n_entities, n_periods``, ``unrestricted`` (``formula, alpha, alpha_se,
    alpha_ci95, beta, beta_se, beta_ci95, returns_to_scale, returns_to_scale_se, crs_wald_chi2,
    crs_wald_pvalue, r2_within``) and ``crs_restricted`` (``formula, alpha, alpha_se, alpha_ci95``).
    The intervals are those of the fit (t with G − 1 df under the ``stata`` convention). Raises
    :class:`InputError` for invalid data (:func:`~tfp_talent.tfp.checks.production_logs`) or fewer
    than two entities or periods.
    """
    from tfp_talent.estimators.inference import chi2_sf
    from tfp_talent.estimators.panel import fit_panel

    data, ln_y, ln_k, ln_hl = production_logs(frame, columns, source=source)
    entity, time = columns["entity"], columns["time"]
    if data[entity].nunique() < 2 or data[time].nunique() < 2:
        raise InputError(
            "the two-way FE production function needs at least two entities and two periods", file=source
        )
    est = pd.DataFrame(
        {
            "entity": data[entity].to_numpy(),
            "time": data[time].to_numpy(),
            "ln_y": ln_y,
            "ln_k": ln_k,
            "ln_hl": ln_hl,
        }
    )
    est["ln_y_hl"] = est["ln_y"] - est["ln_hl"]
    est["ln_k_hl"] = est["ln_k"] - est["ln_hl"]
    options = {
        "entity": "entity",
        "time": "time",
        "model": "fe",
        "effects": "twoway",
        "cov": "clustered",
        "cluster": "entity",
    }
    fit = fit_panel(est, "ln_y", ["ln_k", "ln_hl"], **options)
    crs = fit_panel(est, "ln_y_hl", ["ln_k_hl"], **options)
    coef, se, ci, vc = fit.params, fit.std_errors, fit.conf_int, fit.cov.to_numpy()
    sum_se = float(np.sqrt(vc[0, 0] + vc[1, 1] + 2 * vc[0, 1]))
    wald_chi2 = float((coef["ln_k"] + coef["ln_hl"] - 1.0) ** 2 / sum_se**2)
    return {
        "model": "two-way fixed effects (entity, time), tfp_talent fit_panel (pyfixest), SE clustered by entity "
        f"({fit.convention} small-sample convention)",
        "n_obs": int(fit.nobs),
        "n_entities": int(data[entity].nunique()),
        "n_periods": int(data[time].nunique()),
        "unrestricted": {
            "formula": "ln Y = alpha ln K + beta ln(hL) + entity FE + time FE",
            "alpha": float(coef["ln_k"]),
            "alpha_se": float(se["ln_k"]),
            "alpha_ci95": [float(ci.loc["ln_k", "lower"]), float(ci.loc["ln_k", "upper"])],
            "beta": float(coef["ln_hl"]),
            "beta_se": float(se["ln_hl"]),
            "beta_ci95": [float(ci.loc["ln_hl", "lower"]), float(ci.loc["ln_hl", "upper"])],
            "returns_to_scale": float(coef["ln_k"] + coef["ln_hl"]),
            "returns_to_scale_se": sum_se,
            "crs_wald_chi2": wald_chi2,
            "crs_wald_pvalue": float(chi2_sf(wald_chi2, 1)),
            "r2_within": float(fit.rsquared_within),
        },
        "crs_restricted": {
            "formula": "ln(Y/hL) = alpha ln(K/hL) + entity FE + time FE",
            "alpha": float(crs.params["ln_k_hl"]),
            "alpha_se": float(crs.std_errors["ln_k_hl"]),
            "alpha_ci95": [
                float(crs.conf_int.loc["ln_k_hl", "lower"]),
                float(crs.conf_int.loc["ln_k_hl", "upper"]),
            ],
        },
    }
