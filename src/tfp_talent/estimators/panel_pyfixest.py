"""Pooled OLS and fixed effects through pyfixest (engine of :func:`tfp_talent.estimators.panel.fit_panel`).

Why the demeaning and the factor are done here and not in pyfixest: pyfixest 0.60 orders the absorbed
effects by Python's string hashing, so with two-way effects (a) its nested-effect
count (``K.fixef="nonnested"``) changes from one process to the next (Grunfeld,
entity clusters: SE of ``value`` 0.010824 or 0.010289 depending on
``PYTHONHASHSEED``) and (b) the estimates differ in the last bits between
processes. So the demeaning order is fixed here, the raw sandwich is taken from
pyfixest with ``ssc(k_adj=False, G_adj=False)``, and the factor is applied here;
results are byte-identical across processes.

Estimator: with ỹ, X̃ the data net of the absorbed effects (:func:`~tfp_talent.estimators.design.demean`),
b = (X̃'X̃)⁻¹X̃'ỹ (no intercept: the effects absorb it), the within estimator of ``xtreg, fe``
(one-way) and ``reghdfe`` (two-way); ``pooled`` is OLS with an intercept on the data as they
are. Covariance names map to pyfixest's ``vcov`` as ``unadjusted`` → ``"iid"``, ``robust`` →
``"hetero"``, ``clustered`` → ``{"CRV1": "_e"}`` / ``"_t"`` / ``"_e+_t"`` (two-way, Cameron,
Gelbach & Miller 2011), ``driscoll-kraay`` → ``"DK"`` with ``lag`` and the panel and time ids.
pyfixest's raw i.i.d. covariance uses s² = SSR/(N − 1); it is rescaled to SSR/N, the base of
the table in :mod:`tfp_talent.estimators.inference`, before the factor.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators._pyfixest import load_feols
from tfp_talent.estimators.design import FIXEF_TOL, PreparedPanel, check_regressors, demean
from tfp_talent.estimators.inference import (
    absorbed_levels,
    cluster_count,
    default_bandwidth,
    nested_levels,
    small_sample_factor,
)
from tfp_talent.estimators.results import (
    CONST,
    FitSettings,
    PanelResult,
    assemble,
    common_extra,
    entity_within_rsquared,
    within_rsquared,
)


def fit_pyfixest(
    prep: PreparedPanel,
    x_names: list[str],
    settings: FitSettings,
    re_variance: str | None = None,  # random effects only (see panel_linearmodels)
) -> PanelResult:
    """Pooled OLS or fixed effects: effects projected out in a fixed order (see the module docstring), then
    pyfixest's ``feols`` on the demeaned equation; its raw sandwich times the inference module's factor.

    With ``pooled`` k includes the intercept (reported as ``const``); with ``fe`` no intercept is
    estimated or reported and the effects' levels enter through K_fe only. The Driscoll–Kraay lag
    defaults to :func:`~tfp_talent.estimators.inference.default_bandwidth` of the used periods and
    is stored in the result's ``bandwidth``.

    ``prep`` is the estimation sample, ``x_names`` the regressors' terms (keys of ``prep.safe``),
    ``settings`` the fit (model ``pooled`` or ``fe``); ``re_variance`` is ignored (the engines
    share one signature). The factor uses k = the estimated coefficients, K_fe =
    :func:`~tfp_talent.estimators.inference.absorbed_levels` and, under ``stata``, the effects
    nested in the clusters. ``df_resid`` = N − k − K_fe. ``rsquared`` = 1 − SSR/Σ(y − ȳ)² (SSR of
    the within residuals, so the absorbed effects count as explained).

    Beside :func:`~tfp_talent.estimators.results.common_extra`, ``extra`` records ``ssr``,
    ``fixef_tol`` (None for pooled), ``s2`` with ``unadjusted`` and, with two-way effects,
    ``rsquared_within_entity`` (:func:`~tfp_talent.estimators.results.entity_within_rsquared`).

    Raises
    ------
    InputError
        When N <= k + K_fe, a Driscoll–Kraay lag is not below the number of periods, a pooled
        regressor is constant or collinear, pyfixest cannot estimate the model, or it drops a
        regressor (:func:`_report_fe_collinearity` names it).
    """
    y, model, eff, cov, clu = settings.depvar, settings.model, settings.effects, settings.cov, settings.clu
    bandwidth, convention = settings.bw, settings.convention
    feols, ssc, pf_version = load_feols()

    s = prep.safe
    rhs = " + ".join(s[n] for n in x_names)
    fe = eff != "none"
    fml = f"{s[y]} ~ {rhs}"
    vcov: Any
    vcov_kwargs = None
    bw = None
    if cov == "unadjusted":
        vcov = "iid"
    elif cov == "robust":
        vcov = "hetero"
    elif cov == "clustered":
        vcov = {"CRV1": {"entity": "_e", "time": "_t", "both": "_e+_t"}[clu]}  # type: ignore[index]
    else:
        bw = default_bandwidth(prep.n_periods) if bandwidth is None else int(bandwidth)
        if bw >= prep.n_periods:
            raise InputError(f"bandwidth {bw} must be below the number of periods ({prep.n_periods})")
        vcov = "DK"
        vcov_kwargs = {"lag": bw, "time_id": "_t", "panel_id": "_e"}

    k_fe0, _ = absorbed_levels(eff, prep.n_entities, prep.n_periods)
    k0 = len(x_names) + (1 if model == "pooled" else 0)
    if prep.nobs <= k0 + k_fe0:
        raise InputError(
            f"too few observations: {prep.nobs} rows for {k0} coefficients and {k_fe0} fixed-effect levels "
            "(need more rows than parameters)",
            file=prep.file,
        )
    if model == "pooled":
        check_regressors(
            prep.frame[[s[n] for n in x_names]].to_numpy(), x_names, file=prep.file, has_constant=True
        )
        work = prep.frame
    else:
        # The effects are projected out here, in the fixed order (entity, time), with
        # pyfixest's own alternating-projection demeaner; pyfixest then estimates the
        # demeaned equation without an intercept. Passing "| _e + _t" to pyfixest instead
        # gives results that change in the last bits from one process to the next (its
        # order of the effects depends on string hashing), so outputs would not be
        # byte-identical across runs.
        cols = [s[y], *(s[n] for n in x_names)]
        f = prep.frame
        dm = demean(f[cols].to_numpy(), f["_e"].to_numpy(), f["_t"].to_numpy(), eff)
        work = pd.DataFrame(
            {"_e": f["_e"].to_numpy(), "_t": f["_t"].to_numpy(), **{c: dm[:, j] for j, c in enumerate(cols)}},
            copy=False,
        )
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            fit = feols(
                fml,
                data=work,
                vcov=vcov,
                vcov_kwargs=vcov_kwargs,
                ssc=ssc(k_adj=False, G_adj=False),
                drop_intercept=fe,
                copy_data=False,
            )
        except (ValueError, ZeroDivisionError, np.linalg.LinAlgError) as err:
            raise InputError(
                f"the model cannot be estimated on these data: {str(err).strip().splitlines()[0]}",
                file=prep.file,
            ) from None
    collin = list(getattr(fit, "_collin_vars", []) or [])
    if collin:
        _report_fe_collinearity(prep, x_names, collin, eff)

    coefnames = list(fit._coefnames)
    names = [prep.names.get(c, c) for c in coefnames]
    names = [CONST if c == "Intercept" else c for c in names]
    params = np.asarray(fit._beta_hat, dtype=float).ravel()
    vraw = np.asarray(fit._vcov, dtype=float)
    n = int(fit._N)
    if cov == "unadjusted":
        vraw = vraw * (n - 1) / n  # pyfixest's raw iid uses SSR/(N-1); the table's base is SSR/N
    k = len(params)
    k_fe, k_fe_entity = absorbed_levels(eff, prep.n_entities, prep.n_periods)
    factor = small_sample_factor(
        convention,
        cov,
        nobs=n,
        k=k,
        k_fe=k_fe,
        k_fe_nested=nested_levels(eff, clu, prep.n_entities, prep.n_periods),
        k_fe_entity=k_fe_entity,
        n_clusters=cluster_count(clu, prep.n_entities, prep.n_periods),
        n_periods=prep.n_periods,
    )
    vcv = vraw * factor
    df_resid = n - k - k_fe
    u = np.ravel(fit._u_hat)
    ssr = float(np.dot(u, u))
    yv = prep.col(y)
    tss = float(((yv - yv.mean()) ** 2).sum())
    r2 = 1.0 - ssr / tss if tss > 0 else math.nan
    r2w = within_rsquared(prep, yv, ssr, eff)
    extra = common_extra(prep, clu, cov, bw)
    extra["fixef_tol"] = FIXEF_TOL if fe else None
    if eff == "twoway":
        extra["rsquared_within_entity"] = entity_within_rsquared(prep, yv, ssr)
    extra["ssr"] = ssr
    if cov == "unadjusted":
        extra["s2"] = extra["ssr"] / n * factor
    return assemble(
        replace(settings, bw=bw),
        names=names,
        params=params,
        vcv=vcv,
        engine=f"pyfixest {pf_version}",
        nobs=n,
        prep=prep,
        rsquared=r2,
        rsquared_within=r2w,
        df_resid=df_resid,
        extra=extra,
        normal=False,
    )


def _report_fe_collinearity(prep: PreparedPanel, x_names: list[str], collin: list[str], eff: str) -> None:
    """Name regressors pyfixest dropped: absorbed by the effects, or collinear with others.

    Always raises :class:`InputError`. A dropped regressor constant within every entity (with
    entity or two-way effects) or within every period (time or two-way effects) is reported as
    absorbed by those effects, with a hint (``re``/``pooled`` for entity-invariant regressors).
    Otherwise :func:`~tfp_talent.estimators.design.check_regressors` on the demeaned design names
    the collinear set; if it finds none, the message names the columns pyfixest dropped.
    """
    bad = [prep.names.get(c, c) for c in collin]
    f = prep.frame
    absorbed = []
    for name in bad:
        v = f[prep.safe[name]]
        if eff in ("entity", "twoway") and (v.groupby(f["_e"]).nunique() <= 1).all():
            absorbed.append((name, "entity"))
        elif eff in ("time", "twoway") and (v.groupby(f["_t"]).nunique() <= 1).all():
            absorbed.append((name, "time"))
    if absorbed:
        name, which = absorbed[0]
        hint = (
            "use model 're' or 'pooled' to estimate it"
            if which == "entity"
            else "drop it or use entity effects only"
        )
        raise InputError(
            f"regressor does not vary within {'entities' if which == 'entity' else 'periods'}, "
            f"so the {which} fixed effects absorb it; {hint}",
            file=prep.file,
            column=[a for a, _ in absorbed],
        )
    # name the regressors actually involved: the same pivoted-QR check on the demeaned design
    cols = [prep.safe[n] for n in x_names]
    dm = (
        demean(f[cols].to_numpy(), f["_e"].to_numpy(), f["_t"].to_numpy(), eff)
        if eff != "none"
        else f[cols].to_numpy()
    )
    check_regressors(
        dm,
        x_names,
        file=prep.file,
        has_constant=eff == "none",
        after="given the fixed effects" if eff != "none" else "",
    )
    raise InputError(
        f"perfectly collinear regressors (given the fixed effects): pyfixest dropped {', '.join(repr(b) for b in bad)}; "
        "drop it or the regressors it combines",
        file=prep.file,
        column=bad,
    )
