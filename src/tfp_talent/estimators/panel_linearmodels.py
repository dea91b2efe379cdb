"""Random effects, first differences and between regressions through linearmodels
(engine of :func:`tfp_talent.estimators.panel.fit_panel`; Sheppard, linearmodels)."""

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
    the quasi-demeaned y_it − θ_i ȳ_i on z_it − θ_i z̄_i; R² between/within/overall of the RE estimates."""
    from types import SimpleNamespace

    from linearmodels import PooledOLS

    from tfp_talent.estimators.re_variance import swamy_arora_plm

    y, z = dep.to_numpy(dtype=float), exog.to_numpy(dtype=float)
    s_nu, s_eta, theta = swamy_arora_plm(entity, y, z)
    counts = np.bincount(entity).astype(float)

    def means(v: np.ndarray) -> np.ndarray:
        s = np.zeros((len(counts), *v.shape[1:]))
        np.add.at(s, entity, v)
        return (s / counts.reshape((-1,) + (1,) * (v.ndim - 1)))[entity]

    ys = pd.Series(y - theta * means(y), index=dep.index, name=dep.name)
    zs = pd.DataFrame(z - theta[:, None] * means(z), index=exog.index, columns=exog.columns)
    fit = PooledOLS(ys, zs).fit(cov_type=cov_type, debiased=False, **cfg)
    b = fit.params.to_numpy()
    e = y - z @ b

    def r2(resid: np.ndarray, dev: np.ndarray) -> float:
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
    """Each row's period on the calendar: the time value when whole numbers (years), else the period code."""
    codes = prep.frame["_t"].to_numpy()
    labels = pd.to_numeric(pd.Series(prep.time_labels), errors="coerce").to_numpy(dtype=float)
    if np.isfinite(labels).all() and (labels == np.round(labels)).all():
        return labels.astype(np.int64)[codes]
    return codes


def _consecutive_runs(entity: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Id of each row's run of consecutive periods within its entity (rows in any order)."""
    order = np.lexsort((period, entity))
    e, p = entity[order], period[order]
    new = np.ones(len(e), dtype=bool)
    new[1:] = (e[1:] != e[:-1]) | (p[1:] != p[:-1] + 1)
    runs = np.empty(len(e), dtype=np.int64)
    runs[order] = np.cumsum(new) - 1
    return runs


def _differenced_rows(prep: PreparedPanel) -> np.ndarray:
    """Mask of rows whose entity also has the previous calendar period (the rows with a first difference)."""
    f = prep.frame
    e, p = f["_e"].to_numpy(), calendar_periods(prep)
    have = set(zip(e.tolist(), p.tolist()))
    return np.array([(a, b - 1) in have for a, b in zip(e.tolist(), p.tolist())])


def _fd_groups(prep: PreparedPanel, clu: str | None) -> list[int]:
    """Numbers of entity and time clusters among the differenced observations."""
    rows = _differenced_rows(prep)
    e = int(np.unique(prep.frame["_e"].to_numpy()[rows]).size)
    t = int(np.unique(prep.frame["_t"].to_numpy()[rows]).size)
    return {"entity": [e], "time": [t], "both": [e, t]}[clu]  # type: ignore[index]


def _check_linearmodels_design(
    prep: PreparedPanel, model: str, exog: pd.DataFrame, x_names: list[str]
) -> None:
    """Constant/collinear regressors in the design that the estimator actually uses."""
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
