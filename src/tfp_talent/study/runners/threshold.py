"""Spec kind ``threshold``: Hansen's (1999) panel threshold model (:mod:`tfp_talent.estimators.threshold`)
on a balanced sample, with year dummies among the regime-independent regressors if asked."""

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
    """The threshold variable q joins the terms of the sample."""
    design.threshold_q = str(spec["threshold"]["qx"])


def threshold_replications(spec: Mapping[str, Any]) -> int:
    """Bootstrap replications per test of a normalised threshold spec (the workflow may shard them)."""
    return int(spec["threshold"]["bootstrap"])


def fit_arguments(
    spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int
) -> tuple[pd.DataFrame, tuple[Any, ...], dict[str, Any]]:
    """(frame, positional, keyword) arguments of :func:`~tfp_talent.estimators.threshold.threshold_fit` for a spec.

    ``threshold.rx`` must be regressors of the spec; they are regime-dependent. The other
    regressors, plus one dummy per year but the first when ``threshold.year_effects``, are
    regime-independent; entity effects are removed by ``threshold.transform``.
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
