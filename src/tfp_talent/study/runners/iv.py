"""Spec kind ``iv``: fixed-effects 2SLS (:func:`~tfp_talent.estimators.iv.fit_iv`) per covariance type.

    y_it = x_it'β + w_it'δ + a_i + λ_t + e_it,   x instrumented by the excluded instruments z

x are the keys of the spec's ``instruments`` mapping (``{x: [z1, z2, ...]}``, each x a regressor of
the spec), w the other regressors; all listed instruments serve every endogenous regressor, as in
any 2SLS. The effects (``effects``, default two-way under model ``fe``) are absorbed by the within
transform and β̂ = (X̃'P_Z̃X̃)⁻¹X̃'P_Z̃ỹ on the demeaned data (linearmodels ``IV2SLS``, Wooldridge 2010,
§11.4); the small-sample conventions are those of the panel runner. Instruments may be terms of the
grammar (``L2.x``, ``ss_instrument``); kind ``iv`` with ``shift_share: true`` is the shift-share
design of :mod:`tfp_talent.data.shift_share`. Functions follow :mod:`tfp_talent.study.runners`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tfp_talent.errors import InputError
from tfp_talent.study.common import as_list, cov_args, estimation_args
from tfp_talent.study.terms import Design

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame


def normalise_iv(spec: dict[str, Any], where: str) -> None:
    """Kind ``iv`` needs ``instruments`` (endogenous regressor -> instruments), model fe, no Driscoll–Kraay.

    The mapping is normalised to ``{str: [str, ...]}`` (a single instrument may be given as a string).
    Raises :class:`InputError` for a missing mapping (column ``instruments``), ``driscoll-kraay``
    among ``cov`` (not offered by :func:`~tfp_talent.estimators.iv.fit_iv`) or a model other than ``fe``.
    """
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
    """The endogenous regressors and the (distinct) instruments of the spec.

    ``design.endog`` = the keys of ``instruments``; ``design.instruments`` = their instruments in
    order of first appearance, so the sample also drops rows where an instrument is missing.
    """
    design.endog = list(spec["instruments"])
    design.instruments = list(dict.fromkeys(v for vals in spec["instruments"].values() for v in vals))


def run_iv(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"results": {cov: IV result dict}}``; each adds ``first_stage_f``, the smallest partial F.

    Each result is ``PanelResult.to_dict()`` of :func:`~tfp_talent.estimators.iv.fit_iv` (model
    ``fe-iv``) with the diagnostics in ``extra`` (``first_stage``, ``weak_id_f``, ``overid``);
    ``first_stage_f`` is the minimum over the endogenous regressors of the first-stage partial F of
    the excluded instruments (Kleibergen–Paap-type robust F with a robust or clustered ``cov``), None
    without diagnostics. Raises :class:`InputError` (column ``instruments``) when an instrumented
    variable is not a regressor of the spec.
    """
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
