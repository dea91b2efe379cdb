"""Spec kind ``threshold``: Hansen's (1999) panel threshold model (:mod:`tfp_talent.estimators.threshold`)
on a balanced sample, with year dummies among the regime-independent regressors if asked.

Single threshold (n = 1; up to three with ``threshold.n``):

    y_it = a_i + β₁'r_it·1[q_it ≤ γ] + β₂'r_it·1[q_it > γ] + δ'x_it + e_it

r the regime-dependent regressors ``threshold.rx``, q the threshold variable ``threshold.qx``, x the
other regressors (plus year dummies with ``threshold.year_effects``). γ̂ minimises the SSR over a
grid of q values (``grid`` points, or ``all``) after trimming ``trim`` of the sample at each end;
the test of k − 1 against k thresholds, F = (S_{k−1} − S_k)/σ̂², has its p-value from Hansen's
fixed-regressor bootstrap with ``bootstrap`` replications per test (seed: the config ``seed``);
the interval of γ inverts the LR(γ) statistic. ``transform: within`` (default) removes a_i by
demeaning all rows, as Stata's ``xthreg`` (Wang 2015; regimes q ≤ γ as above); ``hansen1999`` as
Hansen's GAUSS program (each province's last period dropped after demeaning; regimes q < γ). Config
keys and defaults: :data:`THRESHOLD_DEFAULTS`; the functions follow the runner protocol of
:mod:`tfp_talent.study.runners`.

Hansen, B. E. (1999), "Threshold effects in non-dynamic panels: estimation, testing, and
inference", J. Econometrics 93(2), 345-368; Wang, Q. (2015), "Fixed-effect panel threshold model
using Stata", Stata Journal 15(1), 121-134.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import json_ready
from tfp_talent.study.common import ENTITY, TIME, as_list, spec_where
from tfp_talent.study.terms import Design

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame

THRESHOLD_DEFAULTS: dict[str, Any] = {
    "n": 1,
    "trim": [0.01, 0.01, 0.05],
    "grid": 300,
    "bootstrap": 300,
    "transform": "within",
    "cov": "clustered",
    "level": 0.95,
    "min_regime_obs": 10,
    "year_effects": True,
}
#: A balanced threshold sample needs at least this many years.
MIN_YEARS = 3


def normalise_threshold(spec: dict[str, Any], where: str) -> None:
    """Fill ``threshold`` with :data:`THRESHOLD_DEFAULTS`; require ``rx`` and ``qx``, model ``fe``, no interactions.

    An unset ``sample.balance`` becomes ``restrict`` (the model needs a balanced panel).

    ``rx`` may be one term or a list (stored as a list); the other keys keep the schema's types and
    are checked by the estimator. Raises :class:`InputError` at ``where`` for a missing ``rx`` or
    ``qx``, a model other than ``fe``, or region interactions.
    """
    thr = copy.deepcopy(THRESHOLD_DEFAULTS)
    thr.update(dict(spec["threshold"] or {}))
    for key in ("rx", "qx"):
        if not thr.get(key):
            raise InputError(f"kind 'threshold' needs threshold.{key}", file=where, column=f"threshold.{key}")
    thr["rx"] = as_list(thr["rx"])
    spec["threshold"] = thr
    if spec["sample"]["balance"] == "none":
        spec["sample"]["balance"] = "restrict"
    if spec["model"] != "fe":
        raise InputError(
            "the threshold model has entity fixed effects; model must be 'fe'", file=where, column="model"
        )
    if spec["interact"]:
        raise InputError(
            "region interactions are not available with kind 'threshold'", file=where, column="interact"
        )


def design_threshold(spec: Mapping[str, Any], design: Design) -> None:
    """The threshold variable q joins the terms of the sample (rows with q missing are dropped)."""
    design.threshold_q = str(spec["threshold"]["qx"])


def threshold_replications(spec: Mapping[str, Any]) -> int:
    """Bootstrap replications per test of a normalised threshold spec (the workflow may shard them).

    ``threshold.bootstrap`` (0: no bootstrap, nothing to shard); the ``shardable_replications`` of
    kind threshold in :data:`tfp_talent.study.spec.KINDS`.
    """
    return int(spec["threshold"]["bootstrap"])


def fit_arguments(
    spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int
) -> tuple[pd.DataFrame, tuple[Any, ...], dict[str, Any]]:
    """(frame, positional, keyword) arguments of :func:`~tfp_talent.estimators.threshold.threshold_fit` for a spec.

    ``threshold.rx`` must be regressors of the spec; they are regime-dependent. The other
    regressors, plus one dummy per year but the first when ``threshold.year_effects``, are
    regime-independent; entity effects are removed by ``threshold.transform``.

    Positional: (y, x, rx, qx, entity, time); keyword: ``n_thresholds``, ``trim``, ``grid``,
    ``bootstrap``, ``seed``, ``transform``, ``level``, ``cov``, ``convention``, ``n_jobs`` (= ``workers``,
    at least 1), ``min_regime_obs`` and the error label ``file``. Shared by :func:`run_threshold` and
    :mod:`tfp_talent.study.threshold_shards`, so shard jobs fit exactly the model of the single job.
    Raises :class:`InputError` when a ``threshold.rx`` term is not a regressor of the spec.
    """
    thr = spec["threshold"]
    rx = [str(v) for v in thr["rx"]]
    missing = [v for v in rx if v not in af.regressors]
    if missing:
        raise InputError(
            f"threshold.rx {', '.join(map(repr, missing))} must be regressors of the spec ({', '.join(af.regressors)})",
            column="threshold.rx",
        )
    frame = af.frame
    dummies: dict[str, Any] = {}
    if thr["year_effects"]:
        years = sorted(int(v) for v in frame[TIME].unique())
        dummies = {f"year_{y}": (frame[TIME] == y).astype(float).to_numpy() for y in years[1:]}
        frame = frame.assign(**dummies)
    x = [r for r in af.regressors if r not in rx] + list(dummies)
    options = {
        "n_thresholds": int(thr["n"]),
        "trim": thr["trim"],
        "grid": thr["grid"],
        "bootstrap": int(thr["bootstrap"]),
        "seed": int(seed),
        "transform": thr["transform"],
        "level": float(thr["level"]),
        "cov": thr["cov"],
        "convention": spec["convention"],
        "n_jobs": max(1, int(workers)),
        "progress": False,
        "min_regime_obs": int(thr["min_regime_obs"]),
        "file": f"{spec_where(af.name)} (estimation sample)",
    }
    return frame, (af.design.y, x, rx, str(thr["qx"]), ENTITY, TIME), options


def run_threshold(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"threshold": ThresholdResult.to_dict()}`` plus the year dummies, regime regressors and q used.

    The model is fitted with :func:`fit_arguments`; the year dummies are the regime-independent
    regressors named ``year_<y>``.
    """
    from tfp_talent.estimators.threshold import threshold_fit

    frame, args, options = fit_arguments(spec, af, seed=seed, workers=workers)
    out = json_ready(threshold_fit(frame, *args, **options).to_dict())
    _, x, rx, qx = args[:4]
    n_other = len([r for r in af.regressors if r not in rx])
    out["year_dummies"] = list(x[n_other:])
    out["regime_regressors"] = list(rx)
    out["threshold_variable"] = qx
    return {"threshold": out}
