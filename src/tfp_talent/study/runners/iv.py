"""Spec kind ``iv``: fixed-effects 2SLS (:func:`~tfp_talent.estimators.iv.fit_iv`) per covariance type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tfp_talent.errors import InputError
from tfp_talent.study.common import as_list, cov_args, estimation_args
from tfp_talent.study.terms import Design

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame


def normalise_iv(spec: dict[str, Any], where: str) -> None:
    """Kind ``iv`` needs ``instruments`` (endogenous regressor -> instruments), model ``fe``, no Driscoll-Kraay."""
    if not spec["instruments"]:
        raise InputError(
            "kind 'iv' needs 'instruments' (endogenous regressor -> list of instruments)",
            file=where,
            column="instruments",
        )
    if "driscoll-kraay" in spec["cov"]:
        raise InputError(
            "driscoll-kraay is not available for IV; use clustered (or robust)", file=where, column="cov"
        )
    if spec["model"] != "fe":
        raise InputError(
            f"kind 'iv' estimates FE-2SLS; model must be 'fe', got {spec['model']!r}",
            file=where,
            column="model",
        )
    spec["instruments"] = {str(k): as_list(v) for k, v in dict(spec["instruments"]).items()}


def design_iv(spec: Mapping[str, Any], design: Design) -> None:
    """The endogenous regressors and the (distinct) instruments of the spec."""
    design.endog = list(spec["instruments"])
    design.instruments = list(dict.fromkeys(v for vals in spec["instruments"].values() for v in vals))


def run_iv(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"results": {cov: IV result dict}}``; each adds ``first_stage_f``, the smallest partial F."""
    from tfp_talent.estimators.iv import fit_iv

    endog = af.design.endog
    missing = [e for e in endog if e not in af.regressors]
    if missing:
        raise InputError(
            f"instrumented variable(s) {', '.join(map(repr, missing))} are not regressors of the spec "
            f"({', '.join(af.regressors)})",
            column="instruments",
        )
    exog = [r for r in af.regressors if r not in endog]
    common = estimation_args(spec, af.name)
    results = {}
    for cov in spec["cov"]:
        cluster = cov_args(spec, cov)["cluster"]
        res = fit_iv(
            af.frame,
            af.design.y,
            exog,
            endog,
            spec["instruments"],
            effects=spec["effects"],
            cov=cov,
            cluster=cluster,
            **common,
        )
        d = res.to_dict()
        fs = res.extra.get("first_stage", {})
        d["first_stage_f"] = min((v["partial_f"] for v in fs.values()), default=None)
        results[cov] = d
    return {"results": results}
