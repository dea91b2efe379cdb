"""Run one specification: normalise it, build its estimation sample, estimate it with its kind's runner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from tfp_talent.study.common import ENTITY, spec_context
from tfp_talent.study.sample import build_analysis_frame
from tfp_talent.study.spec import KINDS, normalise_spec
from tfp_talent.study.transforms import within_sd


def run_spec(
    name: str,
    spec: Mapping[str, Any],
    panel: pd.DataFrame,
    tfp: pd.DataFrame | None,
    seed: int,
    *,
    workers: int = 1,
    inference: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Estimate one specification; return a JSON-safe dict.

    Keys: ``spec`` (name), ``kind``, ``label``, ``config`` (the normalised spec),
    ``seed``, ``y``, ``regressors``, ``roles`` (talent / products / controls /
    interactions / endog / instruments), ``definitions`` of derived variables, ``sample``
    (N, provinces, years, rows dropped per variable, balancing), and the blocks of the
    spec's kind (:data:`~tfp_talent.study.spec.KINDS`): ``results`` (one
    ``PanelResult.to_dict()`` per covariance type, for kinds panel, hausman and iv);
    kind ``hausman`` adds ``models`` (``fe`` and ``re`` per covariance) and ``hausman``
    (classic and cluster-robust Mundlak tests); kind ``threshold`` has ``threshold``.

    ``inference`` is the config's ``inference:`` block (study-wide settings such as the wild
    cluster bootstrap, :mod:`tfp_talent.study.wild_bootstrap`; None = its defaults); the kind's
    runner sees it as ``spec["inference"]``, which is not recorded in ``config``.
    """
    s = normalise_spec(name, spec)
    af = build_analysis_frame(panel, tfp, s, name=name)
    out: dict[str, Any] = {
        "spec": name,
        "kind": s["kind"],
        "label": s["label"] or name,
        "description": s["description"],
        "config": s,
        "seed": int(seed),
        "y": af.design.y,
        "regressors": af.regressors,
        "roles": {
            "talent": af.talent_terms,
            "products": af.design.products,
            "controls": af.design.controls,
            "interactions": af.interactions,
            "endog": af.design.endog,
            "instruments": af.design.instruments,
        },
        "definitions": af.definitions,
        "sample": af.sample,
    }
    # economic magnitudes (issue 15): within-province SD of y and every regressor in the estimation sample
    scaled = [c for c in dict.fromkeys([*af.design.columns, *af.regressors]) if c in af.frame.columns]
    out["sample"]["within_sd"] = within_sd(af.frame, scaled, entity=ENTITY)
    with spec_context(name):
        out.update(KINDS[s["kind"]].run({**s, "inference": inference or {}}, af, seed=seed, workers=workers))
    return out
