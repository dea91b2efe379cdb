"""Spec kind ``spatial``: a fixed-effects spatial panel (SAR, SEM, SDM) by ML on a balanced sample.

``spatial: {model, weights, effects, convention, draws, map, economic_base, esda}``
(:data:`SPATIAL_DEFAULTS`) selects the model of :func:`tfp_talent.estimators.spatial.fit_spatial_panel`,
one row-standardised weights matrix built by :mod:`tfp_talent.spatial.weights` from the province
TopoJSON ``map`` (:func:`spatial_weights`), the effects (``twoways`` or ``individual``), the
small-sample convention (``leeyu``: Lee & Yu 2010 transformation approach, unbiased with few
units; ``splm``) and the number of draws of the simulated effects inference (seed: the config's
top-level ``seed``). The likelihood needs every province in every year, so an unset
``sample.balance`` becomes ``restrict``.

With region interactions (``interact: {by: region3, levels: [East, Central, West]}``) each talent
term x becomes x×1[region = r]; the SDM adds their spatial lags W·(x×1[region = r]), so own and
spillover slopes differ by the region of the province whose talent changes, and the result gets
region-origin effects (:mod:`tfp_talent.study.runners.spatial_regions`).

``esda: {periods, permutations, alpha}`` adds exploratory statistics of y and the talent
variables on the spec's estimation sample and weights: global Moran's I by year (permutation
p-values seeded with the config seed), LISA clusters and Getis-Ord Gi* on period means, and the
Xinjiang / Qinghai cold-spot finding (:mod:`tfp_talent.spatial.explore`). esda's LISA compiles
numba code (about a minute, once per process), so one spec carries the ESDA for every table,
figure and report sentence.

Models (notation of :mod:`tfp_talent.estimators.spatial`; W row-standardised, μ the province and
α_t the period effects, removed by the within transform):

    SAR  y_t = λ W y_t + X_t β + μ + α_t + e_t
    SDM  y_t = λ W y_t + X_t β + W X_t θ + μ + α_t + e_t
    SEM  y_t = X_t β + μ + α_t + u_t,   u_t = ρ W u_t + e_t

Direct, indirect and total effects of the SAR / SDM are the mean diagonal, mean off-diagonal row
sum and mean row sum of S(λ)(β_k I + θ_k W), S(λ) = (I − λW)⁻¹ (LeSage & Pace 2009, §2.7), with
simulated intervals. References: Lee, L.-f. & Yu, J. (2010), "Estimation of spatial autoregressive
panel data models with fixed effects", J. Econometrics 154(2), 165-185; Elhorst, J. P. (2014),
*Spatial Econometrics: From Cross-Sectional Data to Spatial Panels*; LeSage, J. & Pace, R. K.
(2009), *Introduction to Spatial Econometrics*. The R package of ``convention: splm`` is ``splm``.
The functions follow the runner protocol of :mod:`tfp_talent.study.runners`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import json_ready
from tfp_talent.study.common import ENTITY, TIME, check_choice, spec_where
from tfp_talent.study.terms import Design

if TYPE_CHECKING:
    from tfp_talent.spatial.weights import SpatialWeights
    from tfp_talent.study.sample import AnalysisFrame

MODELS = ("sdm", "sar", "sem")
WEIGHTS = ("queen", "knn6", "distance", "economic", "nested")
EFFECTS = ("twoways", "individual")
CONVENTIONS = ("leeyu", "splm")
#: A balanced spatial sample needs at least this many years (two-way effects leave T - 1).
MIN_YEARS = 3
#: Province polygons (31 provinces, DataV adcodes) for contiguity, k-NN and distance weights.
DEFAULT_MAP = "data/raw/geo/china_provinces_full.topo.json"
#: Real GDP (10^8 yuan, 2000 prices) and year-end population (10^4): GDP per capita for economic weights.
GDP, POPULATION = "gdp_real", "pop_yearend"
SPATIAL_DEFAULTS: dict[str, Any] = {
    "model": "sdm",
    "weights": "queen",
    "effects": "twoways",
    "convention": "leeyu",
    "draws": 1000,
    "map": DEFAULT_MAP,
    "distance_power": 1,
    "economic_base": None,
    "esda": None,
}
ESDA_DEFAULTS: dict[str, Any] = {
    "periods": [[2002, 2009], [2011, 2019]],
    "permutations": 999,
    "alpha": 0.05,
    "cold_spots": [650000, 630000],
}
WEIGHTS_TEXT = {
    "queen": "queen contiguity (shared border point; Hainan linked to Guangdong)",
    "knn6": "6 nearest neighbours (great-circle distance between centroids)",
    "distance": "inverse great-circle distance between centroids",
    "economic": "economic distance 1/|g_i − g_j|, g = mean real GDP per capita",
    "nested": "queen contiguity × economic distance",
}


def normalise_spatial(spec: dict[str, Any], where: str) -> None:
    """Fill ``spatial`` with :data:`SPATIAL_DEFAULTS` (and ``esda`` with :data:`ESDA_DEFAULTS`); check the enums.

    An unset ``sample.balance`` becomes ``restrict``; ``require`` is kept.

    Checks: ``model``, ``weights``, ``effects`` and ``convention`` against :data:`MODELS`,
    :data:`WEIGHTS`, :data:`EFFECTS` and :data:`CONVENTIONS`; ``distance_power`` > 0; ``draws`` >= 0;
    ``economic_base`` [first, last] in order; ``esda.periods`` as pairs of ints. Raises
    :class:`InputError` at ``where`` naming the key.
    """
    sp = copy.deepcopy(SPATIAL_DEFAULTS)
    sp.update(dict(spec["spatial"] or {}))
    for key, allowed in (
        ("model", MODELS),
        ("weights", WEIGHTS),
        ("effects", EFFECTS),
        ("convention", CONVENTIONS),
    ):
        check_choice(sp[key], allowed, what=f"spatial.{key}", where=where, column=f"spatial.{key}")
    if not float(sp["distance_power"]) > 0:
        raise InputError(
            f"spatial.distance_power must be positive, got {sp['distance_power']}",
            file=where,
            column="spatial.distance_power",
        )
    if int(sp["draws"]) < 0:
        raise InputError(f"spatial.draws must be >= 0, got {sp['draws']}", file=where, column="spatial.draws")
    if sp["economic_base"] is not None:
        lo, hi = (int(v) for v in sp["economic_base"])
        if lo > hi:
            raise InputError(
                f"spatial.economic_base: first year {lo} is after last year {hi}",
                file=where,
                column="spatial.economic_base",
            )
        sp["economic_base"] = [lo, hi]
    if sp["esda"] is not None:
        esda = copy.deepcopy(ESDA_DEFAULTS)
        esda.update(dict(sp["esda"]))
        esda["periods"] = [[int(a), int(b)] for a, b in esda["periods"]]
        sp["esda"] = esda
    spec["spatial"] = sp
    if spec["sample"]["balance"] == "none":
        spec["sample"]["balance"] = "restrict"


def design_spatial(spec: Mapping[str, Any], design: Design) -> None:
    """Economic weights need real GDP and population in the sample (not regressors).

    With ``spatial.weights`` ``economic`` or ``nested``, :data:`GDP` and :data:`POPULATION` join
    ``design.extra``, so rows missing them leave the (balanced) sample too.
    """
    if spec["spatial"]["weights"] in ("economic", "nested"):
        design.extra = [*design.extra, GDP, POPULATION]


def spatial_inputs(spec: Mapping[str, Any]) -> dict[str, str]:
    """Files the estimation job reads besides the panel: the province map (``{"map": spatial.map}``)."""
    return {"map": str(spec["spatial"]["map"])}


# --------------------------------------------------------------------------- weights


def economic_base_values(frame: pd.DataFrame, base: list[int] | None) -> tuple[pd.Series, list[int]]:
    """Mean real GDP per capita (gdp_real / pop_yearend, 10^4 yuan of 2000 per person) by province
    over the years ``base`` (closed; None = every year of the sample), and the years used.

    g_i = (1/|Y|) Σ_{t ∈ Y} gdp_real_it / pop_yearend_it over the sample years Y in ``base``
    (``spatial.economic_base``); a series indexed by province code. Raises :class:`InputError` when
    no sample year lies in ``base``.
    """
    years = sorted(int(y) for y in frame[TIME].unique())
    if base is not None:
        years = [y for y in years if base[0] <= y <= base[1]]
    if not years:
        raise InputError(
            f"spatial.economic_base {base} holds no year of the estimation sample",
            column="spatial.economic_base",
        )
    part = frame[frame[TIME].isin(years)]
    per_capita = part[GDP] / part[POPULATION]
    return per_capita.groupby(part[ENTITY]).mean(), years


def spatial_weights(spec: Mapping[str, Any], frame: pd.DataFrame) -> tuple[SpatialWeights, dict[str, Any]]:
    """The row-standardised weights of ``spatial.weights`` over the sample's provinces, and a description.

    queen: contiguity, Hainan linked to Guangdong; knn6: 6 nearest centroids; distance:
    w_ij = d_ij^-p, p = ``distance_power`` (great-circle km between main-landmass centroids);
    economic: w_ij = 1/|g_i − g_j| with g the mean real GDP per capita over ``economic_base`` (Lin, Long & Wu 2005); nested: queen × economic,
    elementwise before standardisation. All from :mod:`tfp_talent.spatial.weights`.

    When the sample lacks some provinces of the map their rows and columns are removed from the raw
    matrix, which is then row-standardised again. The description dict holds ``name``, ``text`` (for
    table notes), ``map``, ``kind``, ``ids``, ``matrix`` (standardised), ``raw``, ``summary``
    (:func:`tfp_talent.spatial.weights.weights_summary`) and, for economic weights,
    ``economic_base_years``. Raises :class:`InputError` for a sample province not in the map.
    """
    from tfp_talent.spatial import weights as sw

    sp = spec["spatial"]
    name, path = sp["weights"], sp["map"]
    info: dict[str, Any] = {"name": name, "text": WEIGHTS_TEXT[name], "map": str(path)}
    if name == "queen":
        w = sw.queen_from_topojson(path)
    elif name == "knn6":
        w = sw.knn_from_topojson(path, 6)
    elif name == "distance":
        w = sw.distance_from_topojson(path, float(sp["distance_power"]))
        info["text"] = (
            f"inverse great-circle distance between centroids, w_ij = d_ij^-{sp['distance_power']:g}"
        )
    else:
        values, years = economic_base_values(frame, sp["economic_base"])
        econ = sw.economic_weights(values)
        info["economic_base_years"] = years
        w = econ if name == "economic" else sw.nested_weights(sw.queen_from_topojson(path), econ)
    codes = sorted(int(c) for c in frame[ENTITY].unique())
    if (
        list(w.ids) != codes
    ):  # a sample without some provinces: their rows and columns go, then re-standardise
        pos = {a: i for i, a in enumerate(w.ids)}
        unknown = [c for c in codes if c not in pos]
        if unknown:
            raise InputError("provinces not in the weights' map", file=str(path), rows=unknown)
        idx = np.array([pos[c] for c in codes])
        w = sw.finish_weights(w.raw[np.ix_(idx, idx)], codes, kind=w.kind, source=w.source)
    summary = sw.weights_summary(w).to_dict()
    info.update(kind=w.kind, ids=list(w.ids), matrix=w.matrix.tolist(), raw=w.raw.tolist(), summary=summary)
    return w, info


# --------------------------------------------------------------------------- run


def run_spatial(spec: Mapping[str, Any], af: AnalysisFrame, *, seed: int, workers: int) -> dict[str, Any]:
    """``{"spatial": {...}}``: the fit (coefficients, ρ/λ, effects, LM / Wald / LR tests), the weights,
    region-origin effects with interactions, and the ESDA block if ``spatial.esda`` is set.

    Keys: ``fit`` (``SpatialResult.to_dict()`` of
    :func:`~tfp_talent.estimators.spatial.fit_spatial_panel`, plus ``param_names`` in fit order),
    ``weights`` (:func:`spatial_weights`), ``model``, ``region_effects``
    (:func:`~tfp_talent.study.runners.spatial_regions.region_origin_effects`, SAR / SDM with
    ``interact`` only) and ``esda`` (:func:`run_esda`). When an LR test's restricted model hits the
    bound of its spatial coefficient, the model is refitted without tests and
    :func:`fallback_tests` supplies them.
    """
    from tfp_talent.estimators.spatial import fit_spatial_panel

    sp = spec["spatial"]
    w, info = spatial_weights(spec, af.frame)
    args = {
        "entity": ENTITY,
        "time": TIME,
        "w": w.matrix,
        "w_ids": list(w.ids),
        "model": sp["model"],
        "effects": sp["effects"],
        "convention": sp["convention"],
        "draws": int(sp["draws"]),
        "seed": int(seed),
        "file": f"{spec_where(af.name)} (estimation sample)",
        "weights_file": sp["map"],
    }
    try:
        res = fit_spatial_panel(af.frame, af.design.y, af.regressors, **args)
    except InputError as err:  # a restricted model of the LR tests (often the SEM) at its bound
        if "on the bound" not in str(err):
            raise
        res = fit_spatial_panel(af.frame, af.design.y, af.regressors, **{**args, "tests": False})
        res.tests = fallback_tests(res, af, w, sp)
    out: dict[str, Any] = {"fit": json_ready(res.to_dict()), "weights": info, "model": sp["model"]}
    out["fit"]["param_names"] = list(res.params.index)
    if af.interactions and sp["model"] in ("sar", "sdm"):
        from tfp_talent.study.runners.spatial_regions import region_origin_effects

        regions = af.frame.drop_duplicates(ENTITY).set_index(ENTITY)[af.spec["interact"]["by"]]
        out["region_effects"] = region_origin_effects(
            w, regions, res.params, res.vcov, af.interactions, draws=int(sp["draws"]), seed=int(seed)
        )
    if sp["esda"] is not None:
        out["esda"] = run_esda(af, w, sp["esda"], seed=int(seed))
    return {"spatial": out}


def fallback_tests(res: Any, af: AnalysisFrame, w: SpatialWeights, sp: Mapping[str, Any]) -> dict[str, Any]:
    """The tests of :func:`~tfp_talent.estimators.spatial.fit_spatial_panel` when a restricted model of its
    LR tests has its spatial coefficient on the bound: LM / robust LM and the SDM's Wald tests as there,
    and each LR test whose restricted model can be fitted (else its statistic and p-value are None).

    LR = 2 (ℓ_SDM − ℓ_restricted) with k degrees of freedom (k = number of regressors: θ = 0 for the
    SAR, θ = −λβ for the SEM); Wald tests of θ = 0 and of the common-factor restriction use the SDM's
    covariance (:mod:`tfp_talent.estimators.spatial_tests`). Only the LM tests for a SAR or SEM.
    """
    from scipy import sparse

    from tfp_talent.estimators import spatial_tests as st
    from tfp_talent.estimators.spatial import fit_spatial_panel
    from tfp_talent.estimators.spatial_data import demean, spatial_panel
    from tfp_talent.estimators.spatial_logdet import SpatialOperator

    panel = spatial_panel(af.frame, af.design.y, af.regressors, entity=ENTITY, time=TIME)
    pos = {a: i for i, a in enumerate(w.ids)}
    idx = np.array([pos[int(e)] for e in panel.entities])
    op = SpatialOperator(sparse.csr_matrix(w.matrix[np.ix_(idx, idx)]))
    out: dict[str, Any] = st.lm_tests_arrays(
        demean(panel.y, sp["effects"]), demean(panel.x, sp["effects"]), op
    )
    if sp["model"] != "sdm":
        return out
    k = len(af.regressors)
    params, vcov = res.params.to_numpy(), res.vcov.to_numpy()
    lam, beta, theta = params[0], params[1 : 1 + k], params[1 + k :]
    out["wald_sdm_vs_sar"] = st.wald_theta_zero(theta, vcov[1 + k :, 1 + k :])
    out["wald_sdm_vs_sem"] = st.wald_common_factor(lam, beta, theta, vcov)
    for restricted in ("sar", "sem"):
        try:
            fit = fit_spatial_panel(
                af.frame, af.design.y, af.regressors, entity=ENTITY, time=TIME, w=w.matrix, w_ids=list(w.ids),
                model=restricted, effects=sp["effects"], convention=sp["convention"], draws=0, tests=False,
            )  # fmt: skip
            out[f"lr_sdm_vs_{restricted}"] = st.likelihood_ratio(res.loglik, fit.loglik, k)
        except InputError:
            out[f"lr_sdm_vs_{restricted}"] = {"statistic": None, "df": k, "pvalue": None}
    return out


def run_esda(af: AnalysisFrame, w: SpatialWeights, esda: Mapping[str, Any], *, seed: int) -> dict[str, Any]:
    """Global Moran's I / Geary's C by year; LISA, Gi* and global statistics on period means; cold spots.

    Variables: the spec's y and talent terms (before region interactions). Period means use the
    sample years inside each period. Every permutation draw is seeded from ``seed``
    (:func:`tfp_talent.spatial.explore.call_seed`: seed + year, or seed + crc32(period label)).

    ``esda`` is the normalised ``spatial.esda`` block (``periods``, ``permutations``, ``alpha``,
    ``cold_spots``). Returns JSON-ready records: ``global_by_year``, ``global_by_period``, ``lisa``
    (z, spatial lag, pseudo p, cluster HH / LL / HL / LH), ``gi`` (Getis–Ord Gi* z, p, hot / cold),
    ``period_means``, and ``cold_spots`` (the table and sentence of the cold-spot finding for the
    ``cold_spots`` province codes), with the rule and weights kind used.
    """
    from tfp_talent.spatial import explore as ex

    variables = list(dict.fromkeys([af.design.y, *af.design.talent]))
    frame = af.frame[[ENTITY, TIME, *variables]]
    where = f"{spec_where(af.name)} (estimation sample)"
    perms, alpha = int(esda["permutations"]), float(esda["alpha"])
    by_year = ex.global_autocorrelation(frame, variables, w, permutations=perms, seed=seed, file=where)
    periods = [tuple(p) for p in esda["periods"]]
    explored = ex.explore_periods(
        frame, variables, w, periods, alpha=alpha, permutations=perms, seed=seed, file=where
    )
    cold = ex.cold_spot_finding(explored, [int(c) for c in esda["cold_spots"]])
    means = ex.period_means(frame, variables, periods)
    return json_ready(
        {
            "variables": variables,
            "permutations": perms,
            "alpha": alpha,
            "rule": explored.rule,
            "weights_kind": w.kind,
            "global_by_year": by_year.to_dict(orient="records"),
            "global_by_period": explored.global_stats.to_dict(orient="records"),
            "lisa": explored.lisa[["variable", "period", ENTITY, "z", "lag", "p_sim", "cluster"]].to_dict(
                orient="records"
            ),
            "gi": explored.gi[["variable", "period", ENTITY, "z", "p_sim", "cluster"]].to_dict(
                orient="records"
            ),
            "period_means": means.replace({np.nan: None}).to_dict(orient="records"),
            "cold_spots": {
                "provinces": [int(c) for c in esda["cold_spots"]],
                "table": cold.table.to_dict(orient="records"),
                "rule": f"{explored.weights_kind} weights, {explored.rule}",
                "sentence": cold.sentence,
            },
        }
    )
