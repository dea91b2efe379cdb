"""Spec kind ``panel``: one panel regression (:func:`~tfp_talent.estimators.panel.fit_panel`) per covariance type.

Identification checks (issue 15) owned by this kind: ``trends: entity`` adds province-specific linear
trends (explicit columns, :func:`tfp_talent.study.transforms.entity_trends`; needs model ``fe`` with
province effects); ``long_difference: {periods}`` estimates one cross-section of changes in period means
(:func:`tfp_talent.study.transforms.long_differences`; needs model ``pooled``, which keeps the constant,
and a covariance without a time dimension). Lead terms ``F<k>.x`` among the regressors get a joint Wald
test that their coefficients are zero (``joint_tests.leads`` of each result).

The estimator is :func:`tfp_talent.estimators.panel.fit_panel` with the spec's ``model`` (pooled,
fe, re, fd, between) and ``effects``; for ``model: fe, effects: twoway, cov: clustered`` it
reproduces Stata's ``xtreg y x i.year, fe vce(cluster province)`` under ``convention: stata``
(covariance names and conventions: :mod:`tfp_talent.estimators.inference`). Kinds ``hausman`` and
``mechanism`` reuse this runner's conventions. Functions follow the runner protocol of
:mod:`tfp_talent.study.runners`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import chi2_sf, f_sf
from tfp_talent.study.common import cov_args, estimation_args

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame


TRENDS = ("entity",)
LONG_DIFFERENCE_COVS = ("robust", "unadjusted", "clustered")


def normalise_panel(spec: dict[str, Any], where: str) -> None:
    """Check ``trends`` and ``long_difference`` (the schema types them; this checks how they combine).

    ``trends`` must be ``entity`` (:data:`TRENDS`) with model ``fe`` and entity or two-way effects.
    ``long_difference.periods`` must be two ordered, disjoint [first, last] ranges, with model
    ``pooled``, no ``trends``, no ``interact``, and only covariances without a time dimension
    (:data:`LONG_DIFFERENCE_COVS`). Raises :class:`InputError` at ``where`` otherwise.
    """
    model = spec["model"]
    effects = spec["effects"] or {"fe": "twoway"}.get(model, "none")
    if spec["trends"] is not None:
        if spec["trends"] not in TRENDS:
            raise InputError(
                f"unknown trends {spec['trends']!r}; use one of {', '.join(TRENDS)} or null",
                file=where,
                column="trends",
            )
        if model != "fe" or effects not in ("entity", "twoway"):
            raise InputError(
                "province-specific trends need model 'fe' with effects 'entity' or 'twoway'",
                file=where,
                column="trends",
            )
    ld = spec["long_difference"]
    if ld is not None:
        periods = (ld or {}).get("periods")
        if not periods or len(periods) != 2 or any(len(p) != 2 for p in periods):
            raise InputError(
                "long_difference needs periods: [[first, last], [first, last]]",
                file=where,
                column="long_difference.periods",
            )
        (a0, a1), (b0, b1) = periods
        if not (int(a0) <= int(a1) < int(b0) <= int(b1)):
            raise InputError(
                f"long_difference periods must be ordered and disjoint, got {periods}",
                file=where,
                column="long_difference.periods",
            )
        if model != "pooled" or spec["trends"] is not None or spec["interact"]:
            raise InputError(
                "long differences are one cross-section: use model 'pooled' (the constant is the common change), "
                "without trends or interactions",
                file=where,
                column="long_difference",
            )
        bad = [c for c in spec["cov"] if c not in LONG_DIFFERENCE_COVS]
        if bad:
            raise InputError(
                f"covariance {', '.join(bad)} needs a time dimension; long differences have one row per province "
                f"(use one of {', '.join(LONG_DIFFERENCE_COVS)})",
                file=where,
                column="cov",
            )


def run_panel(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"results": {cov: PanelResult.to_dict()}}`` for every covariance type of the spec.

    With region interactions each result gets ``tests``: the Wald test of equal regional
    slopes of every interacted variable (:func:`wald_equal`). The clustered result of a
    fixed-effects spec gets ``extra.wild_bootstrap`` (:mod:`tfp_talent.study.wild_bootstrap`;
    settings from ``spec["inference"]``, the config's ``inference:`` block, seed ``seed``).

    Each value is ``PanelResult.to_dict()`` (params, std_errors, pvalues, conf_int, cov, nobs,
    df_inference, ...) of the fit of y on ``af.regressors`` with that ``cov``; leads add
    ``joint_tests.leads`` (:func:`_with_lead_test`). A standardised contrast pair of
    ``inference.wild_bootstrap.contrasts`` adds ``extra.wild_bootstrap_contrasts``. ``workers`` is
    unused (closed-form fits).
    """
    from tfp_talent.estimators.panel import fit_panel
    from tfp_talent.study import wild_bootstrap as wild

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
        results[cov] = _with_lead_test(_with_tests(res.to_dict(), res, af), res, af)
        if wild.applies(spec, cov):
            settings = wild.wild_bootstrap_settings(spec.get("inference"))
            terms = wild.tested_terms(af, settings["terms"])
            results[cov]["extra"]["wild_bootstrap"] = wild.wild_bootstrap_block(res, terms, settings, seed)
            contrasts = wild.wild_bootstrap_contrasts(res, af, settings, seed)
            if contrasts:
                results[cov]["extra"]["wild_bootstrap_contrasts"] = contrasts
    return {"results": results}


def _with_lead_test(d: dict[str, Any], res: Any, af: AnalysisFrame) -> dict[str, Any]:
    """Add ``joint_tests.leads``: Wald test that every lead term ``F<k>.x`` has coefficient 0.

    F = b'V⁻¹b / q with F(q, df) (χ²(q)/q with the normal), V the result's covariance
    (:func:`tfp_talent.estimators.inference.linear_restrictions_test`). Under no anticipation and no
    reverse causality from TFP to future talent the leads have zero coefficients (placebo; the test of strict
    exogeneity that adds x_{i,t+1} to the FE equation, Wooldridge 2010, Econometric Analysis of Cross Section and
    Panel Data, ch. 10).
    """
    from tfp_talent.estimators.inference import linear_restrictions_test

    leads = [r for r in af.regressors if within.LEAD_RE.match(r)]
    if not leads:
        return d
    names = list(res.params.index)
    r = np.zeros((len(leads), len(names)))
    for i, v in enumerate(leads):
        r[i, names.index(v)] = 1.0
    f, p, q = linear_restrictions_test(
        res.params.to_numpy(dtype=float),
        res.cov.loc[names, names].to_numpy(dtype=float),
        r,
        df_t=res.df_inference,
    )
    d["joint_tests"] = {
        "leads": {
            "variables": leads,
            "f_stat": f,
            "df": q,
            "df_denom": None if math.isinf(res.df_inference) else res.df_inference,
            "p_value": p,
        }
    }
    return d


def _with_tests(d: dict[str, Any], res: Any, af: AnalysisFrame) -> dict[str, Any]:
    """Add Wald tests of equal regional slopes (one per interacted variable).

    ``d["tests"]["equal_slopes[<x>]"]`` = :func:`wald_equal` over the terms ``x:r`` of x, with the
    result's covariance and degrees of freedom; ``d`` is returned unchanged without interactions.
    """
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

    R has rows e_1 − e_{j+1} (j = 1..m−1), so Rb = 0 is b_1 = b_j for every j: the same hypothesis
    as any other full set of m − 1 differences, and the statistic does not depend on the choice.
    V is the result's covariance (clustered, Driscoll–Kraay, ...). Returns ``variables``, ``wald``
    (W), ``df`` (m − 1), ``p_chi2``, ``f_stat`` (W/(m − 1)) and ``p_value`` (from F, or χ² when
    ``df_inference`` is infinite).
    """
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
    p_f = float(chi2_sf(w, q)) if math.isinf(df_inference) else float(f_sf(f, q, df_inference))
    return {
        "variables": names,
        "wald": w,
        "df": q,
        "p_chi2": float(chi2_sf(w, q)),
        "f_stat": f,
        "p_value": p_f,
    }
