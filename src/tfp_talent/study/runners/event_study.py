"""Spec kind ``event_study``: a reduced-form event study of a time-invariant exposure.

    y_it = sum_{t != b} θ_t · E_i · 1[year = t] + w_it'δ + a_i + λ_t + e_it

E_i is the spec's (only) ``talent`` term, constant within province (e.g. ``ss_exposure``, the
pre-expansion college capacity of :mod:`tfp_talent.data.shift_share`), b = ``event.base`` the
omitted base year, w the ``controls``; two-way fixed effects (:func:`~tfp_talent.estimators.panel.fit_panel`),
one result per covariance type. θ_t is the difference between more and less exposed provinces
in year t relative to year b (the reduced form of a shift-share design by year; cf. the
pre-trend checks of Goldsmith-Pinkham, Sorkin & Swift 2020, AER 110(8), section V). The
interaction terms are named ``<E>:<year>``. Besides ``results`` the kind writes ``event_study``:
per covariance the coefficient, SE and confidence interval of every year (the base year at 0,
no SE) and joint Wald tests that all θ_t before b, and all θ_t after b, are zero
(:func:`~tfp_talent.estimators.inference.wald_test`).

Identification: with the province effects a_i the level of E_i is absorbed, so only its interaction
with the year dummies is estimated (:func:`design_event_study` moves E out of the regressors);
θ_t for t < b is a pre-trend check (no differential trend before the shock), θ_t for t > b traces
the reduced-form effect. The joint tests use the result's covariance and t degrees of freedom
(F(q, df), or χ²(q)/q with the normal); a rank-deficient covariance gives a null test, as Stata's
missing F. Config: spec keys ``kind: event_study``, ``event: {base: <year>}``, one ``talent`` term,
``controls``; figure kind ``event_study`` plots ``event_study.by_cov[cov].coefficients``. The
functions follow the runner protocol of :mod:`tfp_talent.study.runners`.

Goldsmith-Pinkham, P., Sorkin, I. & Swift, H. (2020), "Bartik instruments: what, when, why, and
how", AER 110(8), 2586-2624.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.study.common import TIME, cov_args, estimation_args
from tfp_talent.study.terms import Design

if TYPE_CHECKING:
    from tfp_talent.study.sample import AnalysisFrame

EVENT_DEFAULTS: dict[str, Any] = {"base": None}


def normalise_event_study(spec: dict[str, Any], where: str) -> None:
    """Kind ``event_study`` needs ``event.base``, one talent term, two-way FE and no interactions or lags.

    ``event.base`` becomes an int; ``products``, ``interact`` and a non-zero ``lag`` are refused, as
    is any ``model`` but ``fe`` or ``effects`` other than ``twoway`` (or unset). Raises
    :class:`InputError` at ``where`` naming the key.
    """
    event = {**EVENT_DEFAULTS, **dict(spec.get("event") or {})}
    if event["base"] is None:
        raise InputError("kind 'event_study' needs 'event: {base: <year>}'", file=where, column="event.base")
    event["base"] = int(event["base"])
    spec["event"] = event
    if len(spec["talent"]) != 1:
        raise InputError(
            f"kind 'event_study' takes one exposure variable in 'talent', got {spec['talent']}",
            file=where,
            column="talent",
        )
    for key in ("interact", "products"):
        if spec[key]:
            raise InputError(f"'{key}' is not used by kind 'event_study'", file=where, column=key)
    if int(spec["lag"]) != 0:
        raise InputError("kind 'event_study' takes no 'lag'", file=where, column="lag")
    if spec["model"] != "fe" or spec.get("effects") not in (None, "twoway"):
        raise InputError(
            "kind 'event_study' estimates two-way fixed effects (model fe, effects twoway)",
            file=where,
            column="model",
        )


def design_event_study(spec: Mapping[str, Any], design: Design) -> None:
    """The exposure is not a regressor itself (the province effects absorb it): it moves to ``extra``."""
    design.extra = [*design.extra, *design.talent]
    design.talent = []


def event_terms(frame: pd.DataFrame, exposure: str, base: int) -> tuple[pd.DataFrame, dict[int, str]]:
    """Add E × 1[year = t] for every sample year t except ``base``; returns the frame and {t: name}.

    ``exposure`` is the column E, named ``<exposure>:<t>`` per year. Raises :class:`InputError`
    (column ``event.base``) when ``base`` is not a year of ``frame``.
    """
    years = sorted(int(y) for y in frame[TIME].unique())
    if base not in years:
        raise InputError(
            f"event.base {base} is not a year of the estimation sample ({years[0]}-{years[-1]})",
            column="event.base",
        )
    out = frame.copy()
    names: dict[int, str] = {}
    e = out[exposure].to_numpy(dtype=float)
    for t in years:
        if t == base:
            continue
        name = f"{exposure}:{t}"
        out[name] = e * (out[TIME].to_numpy() == t)
        names[t] = name
    return out, names


def run_event_study(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"results": {cov: PanelResult.to_dict()}, "event_study": {...}}`` (module docstring).

    ``event_study`` holds ``exposure``, ``base_year``, ``terms`` ({year: term}), ``exposure_sd``
    (the SD of E across provinces, one value per province, to scale θ_t) and ``by_cov[cov]``:
    ``coefficients`` (one row per year with ``year``, ``coef``, ``se``, ``ci_lower``, ``ci_upper``,
    ``p``; the base year at 0 with null SE), ``tests`` (``pre`` and ``post``: ``f``, ``p_value``,
    ``df``, ``years``), ``level`` and ``df_inference``. Raises :class:`InputError` when the exposure
    varies within a province (``rows``: the province codes).
    """
    from tfp_talent.estimators.inference import wald_test
    from tfp_talent.estimators.panel import fit_panel

    exposure = af.design.extra[-1]
    base = int(spec["event"]["base"])
    const = af.frame.groupby("province_code")[exposure].nunique(dropna=True)
    if (const > 1).any():
        raise InputError(
            f"the event-study exposure '{exposure}' varies within province",
            column=exposure,
            rows=[int(c) for c in const.index[const > 1]],
        )
    frame, names = event_terms(af.frame, exposure, base)
    regressors = [*names.values(), *af.regressors]
    common = estimation_args(spec, af.name)
    results: dict[str, Any] = {}
    by_cov: dict[str, Any] = {}
    for cov in spec["cov"]:
        res = fit_panel(
            frame, af.design.y, regressors, model="fe", effects="twoway", **cov_args(spec, cov), **common
        )
        d = res.to_dict()
        results[cov] = d
        rows = []
        for t in sorted([*names, base]):
            if t == base:
                rows.append(
                    {"year": t, "coef": 0.0, "se": None, "ci_lower": None, "ci_upper": None, "p": None}
                )
                continue
            n = names[t]
            lo, hi = d["conf_int"][n]
            rows.append(
                {
                    "year": t,
                    "coef": d["params"][n],
                    "se": d["std_errors"][n],
                    "ci_lower": lo,
                    "ci_upper": hi,
                    "p": d["pvalues"][n],
                }
            )
        tests = {}
        for label, sel in (
            ("pre", [n for t, n in names.items() if t < base]),
            ("post", [n for t, n in names.items() if t > base]),
        ):
            if not sel:
                tests[label] = {"f": None, "p_value": None, "df": 0, "years": []}
                continue
            b = res.params[sel].to_numpy(dtype=float)
            v = res.cov.loc[sel, sel].to_numpy(dtype=float)
            f, p = wald_test(b, v, res.df_inference)
            tests[label] = {
                "f": None if not np.isfinite(f) else f,
                "p_value": None if not np.isfinite(p) else p,
                "df": len(sel),
                "years": [t for t, n in names.items() if n in sel],
            }
        by_cov[cov] = {
            "coefficients": rows,
            "tests": tests,
            "level": d["level"],
            "df_inference": d["df_inference"],
        }
    event = {
        "exposure": exposure,
        "base_year": base,
        "terms": {str(t): n for t, n in names.items()},
        "exposure_sd": float(af.frame.drop_duplicates("province_code")[exposure].std()),
        "by_cov": by_cov,
    }
    return {"results": results, "event_study": event}
