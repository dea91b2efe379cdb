"""Run one specification: normalise it, build its estimation sample, estimate it with its kind's runner.

``run_spec(name, spec, panel, tfp, seed)`` is the whole estimation of one ``specs.<name>`` entry:
:func:`~tfp_talent.study.spec.normalise_spec` (defaults and checks),
:func:`~tfp_talent.study.sample.build_analysis_frame` (the estimation sample), then the ``run`` of
the kind's :class:`~tfp_talent.study.spec.Kind`. The returned dict is what the estimation job
writes to ``reports/results/<spec>.json`` (:mod:`tfp_talent.study.jobs`) and what tables, figures
and the report read back (:mod:`tfp_talent.study.results`).
"""

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

    ``sample`` also gets ``within_sd``: the within-province SD (Stata ``xtsum`` "within",
    :func:`~tfp_talent.study.transforms.within_sd`) of y and of every regressor in the estimation
    sample, the scale of the economic magnitudes and of the standardised hypotheses.

    Parameters
    ----------
    name
        The key of the spec under ``specs:``; every error names ``specs.<name>``.
    spec
        The raw config entry (or an already normalised one: normalisation is idempotent).
    panel, tfp
        The province-year panel and the TFP file of the spec's ``tfp`` variant (None when the spec
        sets ``tfp: null``); both keyed by ``province_code`` and ``year``.
    seed
        The config's top-level ``seed``, passed to every bootstrap and simulation of the kind.
    workers
        Processes a kind may use (threshold bootstrap); results do not depend on it.

    Raises
    ------
    InputError
        Any problem of the spec, its data or its estimation, naming ``specs.<name>``.
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
