"""Spec kind ``gmm``: dynamic panel by system (or difference) GMM, :func:`~tfp_talent.estimators.gmm.fit_gmm`.

Model (Arellano & Bond 1991; Blundell & Bond 1998): y_it = ρ y_i,t−1 + x_it'β + a_i + λ_t + e_it, x the
talent terms and controls of the spec. y_{t−1} and the talent terms (``gmm.endogenous``, default the
talent terms) are instrumented GMM-style by their lags ``gmm.lags`` = [a, b], collapsed by default
(Roodman 2009, §4.2: one column per lag, so the count does not grow with T); the controls are IV-style
(exogenous). Two-step with Windmeijer (2005) corrected SEs by default.

Time effects are year dummies built here, not by the estimator: the survey years without education
data (2010) leave a hole in the complete-case sample, so some years have no usable equation, and the
estimator's own dummies for those years would be all zero. A dummy is made for every year that has a
level equation (y, y_{t−1} and x observed), IV-style instruments in both equations; with
``gmm.convention: xtabond2`` (default) the first is dropped and the constant kept (Stata xtabond2,
``iv(yr*)``), with ``plm`` all are kept and there is no constant (R plm ``pgmm``, individual effects).
Lags never cross the hole (the estimator lays the panel on the calendar grid).

Long-run effect of each talent term (the steady state of the partial-adjustment model): θ = β/(1 − ρ),
delta-method SE with the gradient (1/(1 − ρ), β/(1 − ρ)²) in (β, ρ) and the two-step covariance (Papke &
Wooldridge 2005 use the same construction); undefined (reported as null, with a note) when ρ ≥ 1.

Config (spec key ``gmm:``, defaults :data:`GMM_DEFAULTS`): ``lags`` [a, b] of the GMM-style
instruments, ``collapse``, ``system`` (false: difference GMM, Arellano–Bond), ``twostep``,
``endogenous`` (null: the talent terms), ``convention`` (``xtabond2`` | ``plm``) and ``level`` of
the intervals. The functions follow the runner protocol of :mod:`tfp_talent.study.runners`.

References: Arellano, M. & Bond, S. (1991), Rev. Econ. Stud. 58(2), 277-297; Blundell, R. & Bond, S.
(1998), J. Econometrics 87(1), 115-143; Windmeijer, F. (2005), J. Econometrics 126(1), 25-51;
Roodman, D. (2009), "How to do xtabond2", Stata Journal 9(1), 86-136; Roodman, D. (2009b), "A note
on the theme of too many instruments", Oxford Bull. Econ. Stat. 71(1), 135-158.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import norm_ppf, norm_sf
from tfp_talent.io import json_ready
from tfp_talent.logs import get_logger
from tfp_talent.study.common import ENTITY, TIME, as_list, check_choice, spec_where

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame

log = get_logger("study.gmm")

GMM_DEFAULTS: dict[str, Any] = {
    "lags": [2, 4],
    "collapse": True,
    "system": True,
    "twostep": True,
    "endogenous": None,
    "convention": "xtabond2",
    "level": 0.95,
}
GMM_CONVENTIONS = ("xtabond2", "plm")


def normalise_gmm(spec: dict[str, Any], where: str) -> None:
    """Fill ``gmm`` with :data:`GMM_DEFAULTS`; check the lags; the SEs are the estimator's (``cov: [robust]``).

    Two-step Windmeijer-corrected (or one-step robust) SEs are already cluster-robust by province,
    so ``cov`` is set to ``[robust]``; model must be ``fe`` (province effects), no interactions.
    """
    opts = copy.deepcopy(GMM_DEFAULTS)
    opts.update(dict(spec["gmm"] or {}))
    lags = [int(v) for v in opts["lags"]]
    if len(lags) != 2 or not 1 <= lags[0] <= lags[1]:
        raise InputError(
            f"gmm.lags must be [a, b] with 1 <= a <= b, got {opts['lags']}", file=where, column="gmm.lags"
        )
    check_choice(
        opts["convention"], GMM_CONVENTIONS, what="gmm.convention", where=where, column="gmm.convention"
    )
    opts["lags"] = lags
    opts["endogenous"] = None if opts["endogenous"] is None else as_list(opts["endogenous"])
    spec["gmm"] = opts
    spec["cov"] = ["robust"]
    if spec["model"] != "fe":
        raise InputError("kind 'gmm' has province effects; model must be 'fe'", file=where, column="model")
    if spec["interact"]:
        raise InputError(
            "region interactions are not available with kind 'gmm'", file=where, column="interact"
        )


def run_gmm(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"gmm": GmmResult.to_dict() + long_run, instrument_check}`` for the spec (module docstring).

    ``gmm.long_run[x]``: θ, se, z, p, ci for each talent term; ``gmm.instrument_check``: the instrument
    count, the number of groups and whether the count is at most the groups (else a logged warning).

    The block is ``GmmResult.to_dict()`` of :func:`~tfp_talent.estimators.gmm.fit_gmm` (coefficients,
    Windmeijer SEs when two-step, Hansen J and Arellano–Bond AR tests) plus ``lagged_dependent`` (``L1.<y>``),
    ``endogenous``, ``exogenous``, ``year_dummies`` and ``n_entities``. Year dummies are included
    only when the spec's ``effects`` are ``twoway`` or ``time``. Estimator warnings are logged with
    the spec's name. Raises :class:`InputError` when a ``gmm.endogenous`` term is not a regressor.
    """
    from tfp_talent.estimators.gmm import fit_gmm

    opts = spec["gmm"]
    y = af.design.y
    endog = opts["endogenous"] if opts["endogenous"] is not None else list(af.talent_terms)
    unknown = [v for v in endog if v not in af.regressors]
    if unknown:
        raise InputError(
            f"gmm.endogenous {', '.join(map(repr, unknown))} must be regressors of the spec ({', '.join(af.regressors)})",
            column="gmm.endogenous",
        )
    exog = [r for r in af.regressors if r not in endog]
    frame, dummies = year_dummies(af.frame, y, af.regressors, keep_first=opts["convention"] == "plm")
    if spec["effects"] not in ("twoway", "time"):
        dummies = []
    lags = tuple(opts["lags"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = fit_gmm(
            frame,
            entity=ENTITY,
            time=TIME,
            y=y,
            lags_y=[1],
            x=[*af.regressors, *dummies],
            gmm=dict.fromkeys([y, *endog], lags),
            iv={v: [0] for v in [*exog, *dummies]},
            effects="individual",
            model="twostep" if opts["twostep"] else "onestep",
            transformation="ld" if opts["system"] else "d",
            collapse=bool(opts["collapse"]),
            cov="robust",
            convention=opts["convention"],
            level=float(opts["level"]),
            file=f"{spec_where(af.name)} (estimation sample)",
        )
    for w in caught:
        log.warning("%s: %s", spec_where(af.name), w.message)
    out = json_ready(res.to_dict())
    lag_name = f"L1.{y}"
    out["lagged_dependent"] = lag_name
    out["endogenous"] = [lag_name, *endog]
    out["exogenous"] = exog
    out["year_dummies"] = dummies
    out["n_entities"] = int(res.n_groups)
    out["long_run"] = {
        t: long_run_effect(res.params, res.cov, t, lag_name, level=float(opts["level"]))
        for t in af.talent_terms
    }
    out["instrument_check"] = {
        "n_instruments": int(res.n_instruments),
        "n_groups": int(res.n_groups),
        "at_most_groups": bool(res.n_instruments <= res.n_groups),
    }
    if res.n_instruments > res.n_groups:
        log.warning(
            "%s: %d instruments exceed the %d groups (Roodman 2009b)",
            spec_where(af.name),
            res.n_instruments,
            res.n_groups,
        )
    return {"gmm": out}


def year_dummies(
    frame: pd.DataFrame, y: str, regressors: list[str], *, keep_first: bool
) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with a dummy ``year_<t>`` for each year that has a level equation, and their names.

    A level equation of (i, t) needs y_it, y_i,t−1 and the regressors: rows of ``frame`` (complete
    cases) whose province also has a row in t − 1. The first such year is dropped unless ``keep_first``.

    ``keep_first`` is true under ``gmm.convention: plm`` (no constant, every dummy kept) and false
    under ``xtabond2`` (constant kept, first dummy dropped; see the module docstring).
    ``y`` and ``regressors`` name the equation's variables (the rows are already complete cases).
    """
    ordered = frame.sort_values([ENTITY, TIME])
    gap = ordered.groupby(ENTITY)[TIME].diff()
    years = sorted(int(t) for t in ordered.loc[gap == 1, TIME].unique())
    if not keep_first:
        years = years[1:]
    names = [f"year_{t}" for t in years]
    extra = {n: (frame[TIME] == t).astype(float).to_numpy() for n, t in zip(names, years, strict=True)}
    return frame.assign(**extra), names


def long_run_effect(
    params: pd.Series, cov: pd.DataFrame, beta: str, rho: str, *, level: float = 0.95
) -> dict[str, Any]:
    """θ = β/(1 − ρ) with delta-method SE √(g'Vg), g = (1/(1 − ρ), β/(1 − ρ)²) over (β, ρ).

    Normal z, two-sided p and the interval θ ± z_{(1+level)/2}·se. For ρ ≥ 1 the partial-adjustment
    model has no steady state: every number is None and ``note`` says why.

    ``beta`` and ``rho`` name the talent coefficient and the lagged dependent variable (``L1.<y>``)
    in ``params`` and ``cov`` (the estimator's covariance: Windmeijer-corrected with two-step).
    Returns ``estimate``, ``se``, ``z``, ``p_value``, ``ci`` [lower, upper], ``rho`` and ``note``.
    """
    b, r = float(params[beta]), float(params[rho])
    if r >= 1:
        return {
            "estimate": None,
            "se": None,
            "z": None,
            "p_value": None,
            "ci": [None, None],
            "rho": r,
            "note": f"rho = {r:.3f} >= 1: no long-run (steady-state) effect",
        }
    g = np.array([1.0 / (1.0 - r), b / (1.0 - r) ** 2])
    v = cov.loc[[beta, rho], [beta, rho]].to_numpy(dtype=float)
    theta = b / (1.0 - r)
    se = float(np.sqrt(g @ v @ g))
    q = float(norm_ppf((1 + level) / 2))
    z = theta / se if se > 0 else float("nan")
    return {
        "estimate": theta,
        "se": se,
        "z": z,
        "p_value": float(2 * norm_sf(abs(z))),
        "ci": [theta - q * se, theta + q * se],
        "rho": r,
        "note": None,
    }
