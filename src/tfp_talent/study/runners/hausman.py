"""Spec kind ``hausman``: the fixed-effects regressions of kind ``panel``, the random-effects ones,
and the classic and cluster-robust (Mundlak) Hausman tests (:mod:`tfp_talent.estimators.hausman`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tfp_talent.errors import InputError
from tfp_talent.study.common import cov_args, estimation_args
from tfp_talent.study.runners.panel import run_panel

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame

#: The sub-models a table or figure may pick from a hausman result (``{spec, model}``).
MODELS = ("fe", "re")


def normalise_hausman(spec: dict[str, Any], where: str) -> None:
    """Kind ``hausman`` compares FE with RE, so the spec's model must be ``fe``."""
    if spec["model"] != "fe":
        raise InputError(
            "kind 'hausman' compares model 'fe' with 're'; set model: fe", file=where, column="model"
        )


def run_hausman(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``results`` (FE, as kind panel), ``models`` (``fe`` and ``re`` per covariance) and ``hausman``.

    The RE model and both tests use entity effects, or two-way ones if the spec has them;
    the Mundlak test is clustered by the spec's ``cluster``.
    """
    from tfp_talent.estimators.hausman import hausman
    from tfp_talent.estimators.panel import fit_panel

    out = run_panel(spec, af, seed=seed, workers=workers)
    common = estimation_args(spec, af.name)
    eff = spec["effects"] if spec["effects"] in ("entity", "twoway") else "entity"
    re_results = {}
    for cov in spec["cov"]:
        res = fit_panel(
            af.frame, af.design.y, af.regressors, model="re", effects=eff, **cov_args(spec, cov), **common
        )
        re_results[cov] = res.to_dict()
    y, x = af.design.y, af.regressors
    classic = hausman(af.frame, y, x, effects=eff, method="classic", **common).to_dict()
    mundlak = hausman(
        af.frame, y, x, effects=eff, method="mundlak", cov="clustered", cluster=spec["cluster"], **common
    ).to_dict()
    out["models"] = {"fe": out["results"], "re": re_results}
    out["hausman"] = {"classic": classic, "mundlak": mundlak}
    return out
