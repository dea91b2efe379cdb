"""Production-function check of the capital elasticity α (a diagnostic, not a TFP measure).

Two-way fixed effects (entity and time), standard errors clustered by entity:

    unrestricted:  ln Y_it = α ln K_it + β ln(h_it L_it) + μ_i + τ_t + ε_it
    CRS-restricted: ln(Y/hL)_it = α ln(K/hL)_it + μ_i + τ_t + ε_it

Estimated with pyfixest (``pf.feols``; Bergé 2018 / fixest). Reports α, β, α + β with a
Wald test of constant returns (α + β = 1) and the restricted α, to set against the
calibrated α of the Solow residual (``tfp.alpha``).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.tfp._panel import prepare_panel


def production_function(
    frame: pd.DataFrame,
    *,
    entity: str,
    time: str,
    output: str,
    capital: str,
    labour: str,
    hc: str | None = None,
    source: str | Path | None = None,
) -> dict[str, Any]:
    """Two-way FE estimates of ln Y on ln K and ln(hL), unrestricted and under CRS (see module docstring).

    Returns a JSON-ready dict: coefficients, clustered standard errors, 95 % intervals,
    α + β and the Wald χ² test of α + β = 1, the CRS-restricted α, N, entities, periods
    and the within R².
    """
    import pyfixest as pf

    cols = [output, capital, labour, *([hc] if hc else [])]
    data = prepare_panel(frame, entity=entity, time=time, columns=cols, positive=cols, file=source)
    if data[entity].nunique() < 2 or data[time].nunique() < 2:
        raise InputError("the two-way FE production function needs at least two entities and two periods", file=source)
    est = pd.DataFrame(
        {
            "fe_entity": data[entity].astype(str).to_numpy(),
            "fe_time": data[time].astype(str).to_numpy(),
            "ln_y": np.log(data[output].to_numpy()),
            "ln_k": np.log(data[capital].to_numpy()),
            "ln_hl": np.log(data[labour].to_numpy()) + (np.log(data[hc].to_numpy()) if hc else 0.0),
        }
    )
    est["ln_y_hl"] = est["ln_y"] - est["ln_hl"]
    est["ln_k_hl"] = est["ln_k"] - est["ln_hl"]
    vcov = {"CRV1": "fe_entity"}
    with warnings.catch_warnings():
        # pyfixest 0.60 under pandas 3 emits deprecation warnings about its own inplace calls
        warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", DeprecationWarning))
        fit = pf.feols("ln_y ~ ln_k + ln_hl | fe_entity + fe_time", data=est, vcov=vcov)
        crs = pf.feols("ln_y_hl ~ ln_k_hl | fe_entity + fe_time", data=est, vcov=vcov)
        warnings.simplefilter("ignore", category=UserWarning)  # "distribution changed to chi2"
        wald = fit.wald_test(R=np.array([[1.0, 1.0]]), q=np.array([1.0]), distribution="chi2")
    coef, se, ci = fit.coef(), fit.se(), fit.confint()
    vc = np.asarray(fit._vcov)  # noqa: SLF001 - pyfixest has no public accessor for the matrix
    sum_se = float(np.sqrt(vc[0, 0] + vc[1, 1] + 2 * vc[0, 1]))
    return {
        "model": "two-way fixed effects (entity, time), pyfixest feols, SE clustered by entity (CRV1)",
        "n_obs": int(fit._N),  # noqa: SLF001
        "n_entities": int(data[entity].nunique()),
        "n_periods": int(data[time].nunique()),
        "unrestricted": {
            "formula": "ln Y = alpha ln K + beta ln(hL) + entity FE + time FE",
            "alpha": float(coef["ln_k"]),
            "alpha_se": float(se["ln_k"]),
            "alpha_ci95": [float(ci.loc["ln_k"].iloc[0]), float(ci.loc["ln_k"].iloc[1])],
            "beta": float(coef["ln_hl"]),
            "beta_se": float(se["ln_hl"]),
            "beta_ci95": [float(ci.loc["ln_hl"].iloc[0]), float(ci.loc["ln_hl"].iloc[1])],
            "returns_to_scale": float(coef["ln_k"] + coef["ln_hl"]),
            "returns_to_scale_se": sum_se,
            "crs_wald_chi2": float(wald["statistic"]),
            "crs_wald_pvalue": float(wald["pvalue"]),
            "r2_within": float(fit._r2_within),  # noqa: SLF001
        },
        "crs_restricted": {
            "formula": "ln(Y/hL) = alpha ln(K/hL) + entity FE + time FE",
            "alpha": float(crs.coef()["ln_k_hl"]),
            "alpha_se": float(crs.se()["ln_k_hl"]),
            "alpha_ci95": [float(crs.confint().loc["ln_k_hl"].iloc[0]), float(crs.confint().loc["ln_k_hl"].iloc[1])],
        },
    }
