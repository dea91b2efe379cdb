"""Spec kind ``panel``: one panel regression (:func:`~tfp_talent.estimators.panel.fit_panel`) per covariance type."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp_talent.study.common import cov_args, estimation_args

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame


def run_panel(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"results": {cov: PanelResult.to_dict()}}`` for every covariance type of the spec.

    With region interactions each result gets ``tests``: the Wald test of equal regional
    slopes of every interacted variable (:func:`wald_equal`).
    """
    from tfp_talent.estimators.panel import fit_panel

    common = estimation_args(spec, af.name)
    results = {}
    for cov in spec["cov"]:
        res = fit_panel(
            af.frame,
            af.design.y,
            af.regressors,
            model=spec["model"],
            effects=spec["effects"],
            **cov_args(spec, cov),
            **common,
        )
        results[cov] = _with_tests(res.to_dict(), res, af)
    return {"results": results}


def _with_tests(d: dict[str, Any], res: Any, af: AnalysisFrame) -> dict[str, Any]:
    """Add Wald tests of equal regional slopes (one per interacted variable)."""
    if not af.interactions:
        return d
    tests = {}
    for var, names in af.interactions.items():
        tests[f"equal_slopes[{var}]"] = wald_equal(res.params, res.cov, names, res.df_inference)
    d["tests"] = tests
    return d


def wald_equal(
    params: pd.Series, cov: pd.DataFrame, names: Sequence[str], df_inference: float
) -> dict[str, Any]:
    """Wald test of b_1 = b_2 = ... = b_m: W = (Rb)'(RVR')⁻¹(Rb), R the m−1 successive differences.

    χ²(m − 1) p-value and F = W/(m − 1) with F(m − 1, df) where the result uses a t
    distribution with df degrees of freedom (Wooldridge 2010, §4.2.3).
    """
    from scipy import stats

    names = list(names)
    m = len(names)
    b = params[names].to_numpy(dtype=float)
    v = cov.loc[names, names].to_numpy(dtype=float)
    r = np.zeros((m - 1, m))
    for i in range(m - 1):
        r[i, 0], r[i, i + 1] = 1.0, -1.0
    rb = r @ b
    w = float(rb @ np.linalg.solve(r @ v @ r.T, rb))
    q = m - 1
    f = w / q
    p_f = float(stats.chi2.sf(w, q)) if math.isinf(df_inference) else float(stats.f.sf(f, q, df_inference))
    return {
        "variables": names,
        "wald": w,
        "df": q,
        "p_chi2": float(stats.chi2.sf(w, q)),
        "f_stat": f,
        "p_value": p_f,
    }
