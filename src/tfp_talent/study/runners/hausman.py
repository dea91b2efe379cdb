"""Spec kind ``hausman``: the fixed-effects regressions of kind ``panel``, the random-effects ones,
and the classic and cluster-robust (Mundlak) Hausman tests (:mod:`tfp_talent.estimators.hausman`).

Classic: H = (b_FE − b_RE)'(V_FE − V_RE)⁻¹(b_FE − b_RE) ~ χ²(k) under H0 (the entity effects are
uncorrelated with the regressors), valid only with homoskedastic, serially uncorrelated errors
(Hausman 1978, Econometrica 46(6), 1251-1271). Cluster-robust: the Wald test that the coefficients on
the entity means x̄_i are zero in the random-effects regression of y on x_it and x̄_i (Mundlak 1978,
Econometrica 46(1), 69-85; Wooldridge 2010, §10.7.3), with a covariance clustered by the spec's
``cluster``. The runner follows the protocol of :mod:`tfp_talent.study.runners`.
"""

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
    """Kind ``hausman`` compares FE with RE, so the spec's model must be ``fe``.

    The ``results`` of the spec are then the FE fits (as kind ``panel``); raises :class:`InputError`
    (column ``model``) for any other model.
    """
    if spec["model"] != "fe":
        raise InputError(
            "kind 'hausman' compares model 'fe' with 're'; set model: fe", file=where, column="model"
        )


def run_hausman(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``results`` (FE, as kind panel), ``models`` (``fe`` and ``re`` per covariance) and ``hausman``.

    The RE model and both tests use entity effects, or two-way ones if the spec has them;
    the Mundlak test is clustered by the spec's ``cluster``.

    ``models.fe`` is ``results`` (the FE fits of :func:`~tfp_talent.study.runners.panel.run_panel`,
    with their wild bootstrap); ``models.re`` has one RE fit (``fit_panel(model="re")``, the
    Swamy–Arora GLS of ``xtreg, re``) per covariance type of the spec; ``hausman`` holds the
    ``classic`` and ``mundlak`` test dicts of :func:`tfp_talent.estimators.hausman.hausman`.
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
