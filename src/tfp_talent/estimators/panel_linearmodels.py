"""Random effects, first differences and between regressions through linearmodels
(engine of :func:`tfp_talent.estimators.panel.fit_panel`; Sheppard, linearmodels).

Models (Wooldridge 2010, Econometric Analysis of Cross Section and Panel Data, ch. 10)
    ``re``       GLS of y_it − θ_i ȳ_i on z_it − θ_i z̄_i, z = [1, x],
                 θ_i = 1 − sqrt(σ²_ν / (T_i σ²_η + σ²_ν)),
                 variance components of linearmodels' ``RandomEffects`` (``re_variance="stata"``) or
                 of R plm's Swamy–Arora (``plm``, :mod:`tfp_talent.estimators.re_variance`). With
                 ``effects="twoway"`` period dummies (periods after the first) enter z and are not
                 reported. Inference uses the normal, as ``xtreg, re``.
    ``fd``       OLS of Δy_it = Δx_it'β + Δe_it without a constant, differences over consecutive
                 calendar periods of an entity (a gap gives no difference), linearmodels'
                 ``FirstDifferenceOLS``.
    ``between``  OLS of ȳ_i = a + x̄_i'β + ū_i on the entity means, one row per entity, unweighted
                 (linearmodels' ``BetweenOLS``).

Covariance: ``cov`` maps to linearmodels' ``cov_type`` (``driscoll-kraay`` → ``kernel`` with the
Bartlett kernel and ``bandwidth``; clusters by entity/time through ``cluster_entity`` /
``cluster_time``, or explicit cluster codes for ``fd``), fitted with ``debiased=False``; the raw
covariance is then multiplied by :func:`~tfp_talent.estimators.inference.small_sample_factor`
with K_fe = 0 and k = every estimated coefficient (constant and period dummies included). For
``fd`` the counts G and T are those of the differenced rows.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.design import PreparedPanel, check_regressors
from tfp_talent.estimators.inference import cluster_count, default_bandwidth, small_sample_factor
from tfp_talent.estimators.re_variance import DEFAULT_RE_VARIANCE
from tfp_talent.estimators.results import CONST, FitSettings, PanelResult, assemble, common_extra


def fit_linearmodels(
    prep: PreparedPanel,
    x_names: list[str],
    settings: FitSettings,
    re_variance: str = DEFAULT_RE_VARIANCE,
) -> PanelResult:
    """Random effects, first differences or between regression through linearmodels.

    ``re_variance`` selects the random-effects variance components: ``stata`` (linearmodels'
    ``RandomEffects``, as ``xtreg, re``) or ``plm`` (R plm's Swamy–Arora; see
    :mod:`tfp_talent.estimators.re_variance`); they coincide on balanced panels.

    ``prep`` is the estimation sample, ``x_names`` the regressors' terms and ``settings`` the fit
    (model ``re``, ``fd`` or ``between``). Beside :func:`~tfp_talent.estimators.results.common_extra`,
    ``extra`` records ``ssr``, ``s2`` (``unadjusted``: SSR/N times the factor), linearmodels'
    ``rsquared_between`` and ``rsquared_overall``; for ``re`` the variance components
    ``sigma2_effects`` (σ²_η), ``sigma2_idiosyncratic`` (σ²_ν), ``rho`` = σ²_η/(σ²_η + σ²_ν),
    ``theta_mean`` (mean of θ over the rows), ``period_dummies`` and ``re_variance``; for ``fd``
    ``nobs_levels`` (rows before differencing) and the cluster counts of the differences.
    ``rsquared`` is linearmodels' R² of the estimated (transformed) equation.

    Raises
    ------
    InputError
        For constant or collinear regressors in the transformed design
        (:func:`_check_linearmodels_design`), a Driscoll–Kraay lag not below the number of
        periods, and when linearmodels cannot estimate the model on these data.
    """
    y, model, eff, cov, clu = settings.depvar, settings.model, settings.effects, settings.cov, settings.clu
    bandwidth, convention = settings.bw, settings.convention
    import linearmodels
    from linearmodels import BetweenOLS, FirstDifferenceOLS, RandomEffects

    f = prep.frame
    units = f["_e"].to_numpy()
    if model == "fd":
        # linearmodels differences consecutive rows; first differences are over calendar periods, so an
        # entity's rows are split into runs of consecutive periods (a gap gives no difference, as Stata's D.)
        units = _consecutive_runs(f["_e"].to_numpy(), calendar_periods(prep))
    index = pd.MultiIndex.from_arrays([units, f["_t"].to_numpy()], names=["entity", "time"])
    dep = pd.Series(f[prep.safe[y]].to_numpy(), index=index, name=y)
    xcols = {n: f[prep.safe[n]].to_numpy() for n in x_names}
    exog = pd.DataFrame(xcols, index=index)
    if model in ("re", "between"):
        exog.insert(0, CONST, 1.0)
    n_dummies = 0
    if model == "re" and eff == "twoway":
        periods = np.unique(f["_t"].to_numpy())
        for p in periods[1:]:
            exog[f"_period_{p}"] = (f["_t"].to_numpy() == p).astype(float)
        n_dummies = len(periods) - 1
    _check_linearmodels_design(prep, model, exog, x_names)

    cfg: dict[str, Any] = {}
    bw = None
    lm_cov = {
        "unadjusted": "unadjusted",
        "robust": "robust",
        "clustered": "clustered",
        "driscoll-kraay": "kernel",
    }[cov]
    if cov == "clustered":
        if clu == "entity":
            cfg["cluster_entity"] = True
        elif clu == "time":
            cfg["cluster_time"] = True
        else:
            cfg["cluster_entity"] = True
            cfg["cluster_time"] = True
        if model == "fd":
            e_codes = pd.Series(f["_e"].to_numpy(), index=index)
            t_codes = pd.Series(f["_t"].to_numpy(), index=index)
            cfg = {
                "entity": {"clusters": e_codes},
                "time": {"clusters": t_codes},
                "both": {"clusters": pd.DataFrame({"e": e_codes, "t": t_codes})},
            }[clu]  # type: ignore[index]
    elif cov == "driscoll-kraay":
        bw = default_bandwidth(prep.n_periods) if bandwidth is None else int(bandwidth)
        if bw >= prep.n_periods:
            raise InputError(f"bandwidth {bw} must be below the number of periods ({prep.n_periods})")
        cfg = {"bandwidth": bw, "kernel": "bartlett"}

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if model == "re" and re_variance == "plm":
                res = _plm_random_effects(f["_e"].to_numpy(), dep, exog, lm_cov, cfg)
            elif model == "re":
                res = RandomEffects(dep, exog).fit(cov_type=lm_cov, debiased=False, **cfg)
            elif model == "fd":
                res = FirstDifferenceOLS(dep, exog).fit(cov_type=lm_cov, debiased=False, **cfg)
            else:
                res = BetweenOLS(dep, exog).fit(cov_type=lm_cov, debiased=False, **cfg)
    except (ValueError, np.linalg.LinAlgError) as err:
        raise InputError(
            f"the model cannot be estimated on these data: {str(err).strip().splitlines()[0]}", file=prep.file
        ) from None

    keep = [c for c in exog.columns if not str(c).startswith("_period_")]
    params_all = res.params
    vraw_all = res.cov
    n = int(res.nobs)
    k = len(params_all)
    if model == "between":
        n_clu = None
        n_periods_dk = None
    else:
        n_clu = cluster_count(clu, prep.n_entities, prep.n_periods)
        n_periods_dk = _fd_groups(prep, "time")[0] if model == "fd" else prep.n_periods
        if model == "fd" and clu is not None:
            n_clu = min(_fd_groups(prep, clu))
    factor = small_sample_factor(
        convention, cov, nobs=n, k=k, k_fe=0, n_clusters=n_clu, n_periods=n_periods_dk
    )
    params = params_all[keep].to_numpy(dtype=float)
    vcv = vraw_all.loc[keep, keep].to_numpy(dtype=float) * factor
    extra = common_extra(prep, clu, cov, bw)
    extra["ssr"] = float(res.resid_ss)
    if cov == "unadjusted":
        extra["s2"] = extra["ssr"] / n * factor
    if model == "re":
        vd = res.variance_decomposition
        extra.update(
            {
                "sigma2_effects": float(vd["Effects"]),
                "sigma2_idiosyncratic": float(vd["Residual"]),
                "rho": float(vd["Percent due to Effects"]),
                "theta_mean": float(np.asarray(res.theta).mean()),
                "period_dummies": n_dummies,
                "re_variance": re_variance,
            }
        )
    extra["rsquared_between"] = float(res.rsquared_between)
    extra["rsquared_overall"] = float(res.rsquared_overall)
    if model == "fd":
        extra["nobs_levels"] = prep.nobs
        if clu is not None:
            extra["n_clusters"] = dict(
                zip(["entity", "time"] if clu == "both" else [clu], _fd_groups(prep, clu), strict=True)
            )
    rsq_w = float(res.rsquared_within)
    return assemble(
        replace(settings, bw=bw),
        names=[str(c) for c in keep],
        params=params,
        vcv=vcv,
        engine=f"linearmodels {linearmodels.__version__}",
        nobs=n,
        prep=prep,
        rsquared=float(res.rsquared),
        rsquared_within=rsq_w,
        df_resid=n - k,
        extra=extra,
        normal=(model == "re"),
        n_clusters_override=n_clu,
        n_periods_override=n_periods_dk,
    )


def _plm_random_effects(
    entity: np.ndarray, dep: pd.Series, exog: pd.DataFrame, cov_type: str, cfg: dict
) -> Any:
    """GLS with plm's Swamy–Arora θ_i: OLS (linearmodels PooledOLS, so the same covariance options) of
    the quasi-demeaned y_it − θ_i ȳ_i on z_it − θ_i z̄_i; R² between/within/overall of the RE estimates.

    With e = y − z'b̂ (residuals in levels): overall R² = 1 − Σe²/Σ(y − ȳ)², within R² =
    1 − Σ(e − ē_i)²/Σ(y − ȳ_i)², between R² = 1 − Σ ē_i²/Σ(ȳ_i − ȳ)², the sums over rows (so
    entities weigh by T_i). Returns an object with the attributes of linearmodels' result that
    :func:`fit_linearmodels` reads (``params``, ``cov``, ``nobs``, ``resid_ss``, ``rsquared`` of
    the quasi-demeaned regression, the three R², ``theta``, ``variance_decomposition``).
    """
    from types import SimpleNamespace

    from linearmodels import PooledOLS

    from tfp_talent.estimators.re_variance import swamy_arora_plm

    y, z = dep.to_numpy(dtype=float), exog.to_numpy(dtype=float)
    s_nu, s_eta, theta = swamy_arora_plm(entity, y, z)
    counts = np.bincount(entity).astype(float)

    def means(v: np.ndarray) -> np.ndarray:
        """Entity means of ``v`` (1-d or 2-d), repeated on each row of the entity."""
        s = np.zeros((len(counts), *v.shape[1:]))
        np.add.at(s, entity, v)
        return (s / counts.reshape((-1,) + (1,) * (v.ndim - 1)))[entity]

    ys = pd.Series(y - theta * means(y), index=dep.index, name=dep.name)
    zs = pd.DataFrame(z - theta[:, None] * means(z), index=exog.index, columns=exog.columns)
    fit = PooledOLS(ys, zs).fit(cov_type=cov_type, debiased=False, **cfg)
    b = fit.params.to_numpy()
    e = y - z @ b

    def r2(resid: np.ndarray, dev: np.ndarray) -> float:
        """1 − Σresid²/Σdev² (NaN when Σdev² = 0)."""
        tss = float((dev**2).sum())
        return 1.0 - float((resid**2).sum()) / tss if tss > 0 else float("nan")

    return SimpleNamespace(
        params=fit.params,
        cov=fit.cov,
        nobs=fit.nobs,
        resid_ss=fit.resid_ss,
        rsquared=fit.rsquared,
        rsquared_overall=r2(e, y - y.mean()),
        rsquared_within=r2(e - means(e), y - means(y)),
        rsquared_between=r2(means(e), means(y) - y.mean()),
        theta=theta,
        variance_decomposition={
            "Effects": s_eta,
            "Residual": s_nu,
            "Percent due to Effects": s_eta / (s_eta + s_nu),
        },
    )


def calendar_periods(prep: PreparedPanel) -> np.ndarray:
    """Each row's period on the calendar: the time value when whole numbers (years), else the period code.

    With periods 2001, 2003, 2004 a row of 2003 gets 2003, so 2001 → 2003 is a gap of two periods;
    with non-numeric labels (``"2001Q1"``) the sorted codes 0, 1, 2 are used and every observed
    period follows the previous one.
    """
    codes = prep.frame["_t"].to_numpy()
    labels = pd.to_numeric(pd.Series(prep.time_labels), errors="coerce").to_numpy(dtype=float)
    if np.isfinite(labels).all() and (labels == np.round(labels)).all():
        return labels.astype(np.int64)[codes]
    return codes


def _consecutive_runs(entity: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Id of each row's run of consecutive periods within its entity (rows in any order).

    A new run starts at an entity's first row and after each gap (period ≠ previous + 1), so
    linearmodels, which differences consecutive rows of a unit, sees each run as a unit.
    """
    order = np.lexsort((period, entity))
    e, p = entity[order], period[order]
    new = np.ones(len(e), dtype=bool)
    new[1:] = (e[1:] != e[:-1]) | (p[1:] != p[:-1] + 1)
    runs = np.empty(len(e), dtype=np.int64)
    runs[order] = np.cumsum(new) - 1
    return runs


def _differenced_rows(prep: PreparedPanel) -> np.ndarray:
    """Mask of rows whose entity also has the previous calendar period (the rows with a first difference).

    Periods by :func:`calendar_periods`: a row of 2005 counts when its entity has a row of 2004.
    """
    f = prep.frame
    e, p = f["_e"].to_numpy(), calendar_periods(prep)
    have = set(zip(e.tolist(), p.tolist()))
    return np.array([(a, b - 1) in have for a, b in zip(e.tolist(), p.tolist())])


def _fd_groups(prep: PreparedPanel, clu: str | None) -> list[int]:
    """Numbers of entity and time clusters among the differenced observations.

    ``[entities]``, ``[periods]`` or ``[entities, periods]`` for ``clu`` ``entity``, ``time`` or
    ``both``, counted on the rows that have a first difference (:func:`_differenced_rows`).
    """
    rows = _differenced_rows(prep)
    e = int(np.unique(prep.frame["_e"].to_numpy()[rows]).size)
    t = int(np.unique(prep.frame["_t"].to_numpy()[rows]).size)
    return {"entity": [e], "time": [t], "both": [e, t]}[clu]  # type: ignore[index]


def _check_linearmodels_design(
    prep: PreparedPanel, model: str, exog: pd.DataFrame, x_names: list[str]
) -> None:
    """Constant/collinear regressors in the design that the estimator actually uses.

    ``re``: the regressors in levels with a constant; ``between``: the entity means with a
    constant, and more entities than coefficients; ``fd``: the first differences over
    consecutive calendar periods, more of them than regressors. Raises :class:`InputError`
    (:func:`~tfp_talent.estimators.design.check_regressors`) otherwise.
    """
    X = exog[x_names].to_numpy()
    if model == "re":
        check_regressors(X, x_names, file=prep.file, has_constant=True)
    elif model == "between":
        means = exog[x_names].groupby(level=0).mean().to_numpy()
        if means.shape[0] <= len(x_names) + 1:
            raise InputError(
                f"model 'between' has one observation per entity: {means.shape[0]} entities "
                f"for {len(x_names) + 1} coefficients",
                file=prep.file,
            )
        check_regressors(means, x_names, file=prep.file, after="across entity means", has_constant=True)
    else:  # fd
        e = prep.frame["_e"].to_numpy()
        t = calendar_periods(prep)
        order = np.lexsort((t, e))
        Xo = X[order]
        eo, to = e[order], t[order]
        ok = (eo[1:] == eo[:-1]) & (to[1:] == to[:-1] + 1)
        D = (Xo[1:] - Xo[:-1])[ok]
        if D.shape[0] <= len(x_names):
            raise InputError(
                f"model 'fd' needs consecutive periods: only {D.shape[0]} first differences "
                f"for {len(x_names)} coefficients",
                file=prep.file,
            )
        check_regressors(D, x_names, file=prep.file, after="in first differences")
