"""Hausman test of fixed against random effects, classic and cluster-robust.

Classic (Hausman 1978, Econometrica 46(6):1251–1271; Stata ``hausman fe re``)
    H = (b_FE − b_RE)' [V_FE − V_RE]⁻¹ (b_FE − b_RE) ~ χ²(df), df = number of
    coefficients compared (the time-varying regressors; not the constant nor the
    period dummies). Both models use the unadjusted covariance of the chosen
    small-sample convention (``stata``: s²_FE = SSR/(N − k − K_fe) as ``xtreg, fe``,
    s²_RE = SSR_GLS/(N − k) as ``xtreg, re``). ``sigma="more"`` bases both on
    s²_RE (V_FE × s²_RE/s²_FE, Stata's ``sigmamore``), ``sigma="less"`` on s²_FE
    (V_RE × s²_FE/s²_RE, ``sigmaless``). If V_FE − V_RE is not positive definite
    (eigenvalues ≤ 1e-10 × the largest in absolute value), the result says so
    (``positive_definite=False`` and ``message``), the Moore–Penrose inverse is
    used and df = rank(V_FE − V_RE), as Stata does; a negative statistic has no
    p-value. Valid only under homoskedastic, serially uncorrelated errors.

Cluster-robust, Mundlak form (Mundlak 1978; Wooldridge 2010, §10.7.3; Stata
``xtoverid`` after ``xtreg, re vce(cluster)``)
    Auxiliary regression, random effects (``aux="re"``, default) or pooled OLS
    (``aux="pooled"``): y_it = a + x_it'β + x̄_i'γ + [period dummies] + u_it,
    x̄_i the entity means of x over the used rows. H0: γ = 0 (the effects are
    uncorrelated with x). Statistic W = γ̂' V̂(γ̂)⁻¹ γ̂ ~ χ²(q), q = dim x, with the
    covariance ``cov`` (default clustered by entity) and the small-sample
    convention of :func:`~tfp_talent.estimators.panel.fit_panel`; ``f_stat`` =
    W/q with F(q, df of the covariance). With two-way effects in an unbalanced
    panel the entity means of the period dummies are added as well (Wooldridge
    2019, J. Econometrics 211:137–150), so that β̂ of the pooled auxiliary
    regression equals the two-way FE estimate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.design import parse_formula, prepare_panel
from tfp_talent.estimators.inference import DEFAULT_CLUSTER, DEFAULT_CONVENTION, chi2_sf, f_sf
from tfp_talent.estimators.panel import fit_panel
from tfp_talent.estimators.re_variance import DEFAULT_RE_VARIANCE
from tfp_talent.estimators.results import PanelResult
from tfp_talent.io import json_ready

EIG_TOL = 1e-10


@dataclass
class HausmanResult:
    """Result of :func:`hausman`.

    ``params`` are the FE coefficients (classic) or the coefficients γ of the
    entity means (Mundlak); ``params_re`` the RE coefficients (classic);
    ``std_errors`` are sqrt(diag(V_FE − V_RE)) (NaN where negative; classic) or the
    standard errors of γ (Mundlak).

    Attributes
    ----------
    method, statistic, df, p_value
        ``classic`` or ``mundlak``; H (or W), its χ² degrees of freedom and p-value (NaN when the
        statistic is negative or not finite).
    names
        The coefficients compared (the regressors ``x``, in order).
    positive_definite, rank, message
        Whether V_FE − V_RE (V(γ̂) for Mundlak) is positive definite, its numerical rank, and a
        sentence saying how the statistic was computed (:func:`quadratic_form_test`).
    nobs, n_entities, n_periods
        Sample of the FE fit (classic) or of the auxiliary regression (Mundlak).
    effects, cov_type, cluster, convention
        The effects and the covariance words of :mod:`tfp_talent.estimators.inference`.
    aux, sigma
        The auxiliary model of the Mundlak form (None for classic); ``none``/``more``/``less``.
    f_stat, f_pvalue
        Mundlak only: W/q and its p-value under F(q, df of the covariance) (NaN for classic).
    extra
        Classic: ``s2_fe``, ``s2_re``, ``difference`` (b_FE − b_RE), ``engines``. Mundlak:
        ``aux_params``, ``aux_std_errors`` (the whole auxiliary fit), ``df_inference``,
        ``n_dropped_missing``, ``engine``.
    """

    method: str
    statistic: float
    df: int
    p_value: float
    names: list[str]
    params: pd.Series
    std_errors: pd.Series
    params_re: pd.Series | None
    positive_definite: bool
    rank: int
    message: str
    nobs: int
    n_entities: int
    n_periods: int
    effects: str
    cov_type: str
    cluster: str | None
    convention: str
    aux: str | None = None
    sigma: str = "none"
    f_stat: float = math.nan
    f_pvalue: float = math.nan
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """True when the statistic is a finite, non-negative chi-squared value."""
        return math.isfinite(self.p_value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of the test: statistic, df, p-value, compared coefficients and diagnostics."""

        def series(s: pd.Series | None) -> dict[str, float] | None:
            """{str(label): float} of a Series, or None."""
            return None if s is None else {str(k): float(v) for k, v in s.items()}

        return {
            "test": "hausman",
            "method": self.method,
            "statistic": float(self.statistic),
            "df": int(self.df),
            "p_value": float(self.p_value),
            "f_stat": float(self.f_stat),
            "f_pvalue": float(self.f_pvalue),
            "names": list(self.names),
            "params": series(self.params),
            "std_errors": series(self.std_errors),
            "params_re": series(self.params_re),
            "positive_definite": bool(self.positive_definite),
            "rank": int(self.rank),
            "message": self.message,
            "nobs": int(self.nobs),
            "n_entities": int(self.n_entities),
            "n_periods": int(self.n_periods),
            "effects": self.effects,
            "cov_type": self.cov_type,
            "cluster": self.cluster,
            "convention": self.convention,
            "aux": self.aux,
            "sigma": self.sigma,
            "extra": json_ready(self.extra),
        }


def hausman(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str] | None = None,
    *,
    entity: str,
    time: str,
    effects: str = "twoway",
    method: str = "classic",
    cov: str | None = None,
    cluster: str | None = DEFAULT_CLUSTER,
    bandwidth: int | None = None,
    convention: str = DEFAULT_CONVENTION,
    aux: str = "re",
    sigma: str = "none",
    re_variance: str = DEFAULT_RE_VARIANCE,
    file: str | Path | None = None,
) -> HausmanResult:
    """Test fixed against random effects (see the module docstring for the formulas).

    ``effects``: ``entity`` or ``twoway`` (FE with period effects against RE with
    period dummies; default). ``method``: ``classic`` (``cov`` must be
    ``unadjusted``, the default) or ``mundlak`` (default ``cov="clustered"`` by
    ``cluster``). ``y``/``x`` as in :func:`~tfp_talent.estimators.panel.fit_panel`.
    ``re_variance``: the RE variance components of the classic test, ``stata`` (default; Stata's
    ``hausman`` after ``xtreg, re``) or ``plm`` (R plm's ``phtest`` after ``random.method="swar"``);
    they coincide on balanced panels. Degrees of freedom: the number of slopes compared (period
    effects are not compared, as ``phtest`` with ``effect="twoways"``).

    Parameters
    ----------
    data, y, x
        Long panel; the dependent variable and the regressors, or a formula ``"y ~ x1 + L.x2"`` as
        ``y`` with ``x=None`` (sums of columns and lags only,
        :func:`~tfp_talent.estimators.design.parse_formula`).
    entity, time
        Entity and period columns.
    method
        ``classic`` or ``mundlak`` (:data:`HAUSMAN_METHODS`).
    cov, cluster, bandwidth, convention
        Covariance words of :mod:`tfp_talent.estimators.inference`; the classic test accepts only
        ``cov="unadjusted"`` (its default), the Mundlak form any (default ``clustered``).
    aux
        Mundlak only: auxiliary model ``re`` (random effects; default) or ``pooled`` (pooled OLS
        with period dummies when ``effects="twoway"``).
    sigma
        Classic only: ``none`` (each model's own s²), ``more`` (both on s²_RE) or ``less`` (both on s²_FE).
    file
        Data file name for error messages.

    Returns
    -------
    HausmanResult

    Raises
    ------
    InputError
        For effects other than ``entity``/``twoway``, an unknown method, sigma or aux, a sigma
        with the Mundlak form, a covariance other than ``unadjusted`` with the classic test, and
        every error of :func:`~tfp_talent.estimators.panel.fit_panel` on the data.

    Examples
    --------
    ``hausman(df, "y ~ x1 + x2", entity="id", time="year")``: classic, two-way (Stata's
    ``xtreg y x1 x2 i.year, fe`` / ``, re`` then ``hausman fe re``).
    ``hausman(df, "y", ["x1", "x2"], entity="id", time="year", method="mundlak")``: the Wald test
    of the entity means, clustered by entity; ``res.valid`` tells whether ``p_value`` exists.
    """
    if x is None:
        y, x = parse_formula(y)
    x = [str(v) for v in x]
    if effects not in ("entity", "twoway"):
        raise InputError(
            f"the Hausman test compares entity effects: use effects 'entity' or 'twoway', got {effects!r}"
        )
    if method not in HAUSMAN_METHODS:
        raise InputError(f"unknown method {method!r}; use {' or '.join(HAUSMAN_METHODS)}")
    panel = _Panel(data, y, x, entity, time, effects, convention, file)
    return HAUSMAN_METHODS[method](panel, _Options(cov, cluster, bandwidth, sigma, aux, re_variance))


class _Panel(NamedTuple):
    """The data, variables and options both tests use (the arguments of :func:`hausman`)."""

    data: pd.DataFrame
    y: str
    x: list[str]
    entity: str
    time: str
    effects: str
    convention: str
    file: str | Path | None


class _Options(NamedTuple):
    """The options of :func:`hausman` that the forms check and use."""

    cov: str | None
    cluster: str | None
    bandwidth: int | None
    sigma: str
    aux: str
    re_variance: str


def _run_classic(panel: _Panel, o: _Options) -> HausmanResult:
    """The classic test: unadjusted covariances only; ``sigma`` picks the error variance of V_FE − V_RE."""
    cov = o.cov or "unadjusted"
    if cov != "unadjusted":
        raise InputError(
            f"the classic Hausman test needs cov 'unadjusted' (got {cov!r}); "
            "use method 'mundlak' for a cluster-robust test"
        )
    if o.sigma not in ("none", "more", "less"):
        raise InputError(f"unknown sigma {o.sigma!r}; use none, more or less")
    return _classic(panel, o.sigma, o.re_variance)


def _run_mundlak(panel: _Panel, o: _Options) -> HausmanResult:
    """The Mundlak (auxiliary regression) form, with any covariance of the inference module."""
    if o.sigma != "none":
        raise InputError("sigma is only used by the classic test")
    if o.aux not in ("re", "pooled"):
        raise InputError(f"unknown aux {o.aux!r}; use re or pooled")
    return _mundlak(panel, o.cov or "clustered", o.cluster, o.bandwidth, o.aux)


#: The Hausman test's forms: method name -> its checks and computation.
HAUSMAN_METHODS = {"classic": _run_classic, "mundlak": _run_mundlak}


def _classic(panel: _Panel, sigma: str, re_variance: str) -> HausmanResult:
    """H = d'(V_FE − V_RE)⁻¹d, d = b_FE − b_RE over the slopes both fits share (module docstring).

    Both fits are :func:`~tfp_talent.estimators.panel.fit_panel` with ``cov="unadjusted"`` and
    the same effects (``twoway``: FE with period effects, RE with period dummies); ``sigma``
    rescales one covariance by the ratio of the fits' s². ``std_errors`` are sqrt(diag(V_FE − V_RE)).
    """
    data, y, x, entity, time, effects, convention, file = panel
    common = {
        "entity": entity,
        "time": time,
        "effects": effects,
        "cov": "unadjusted",
        "cluster": None,
        "convention": convention,
        "file": file,
    }
    fe = fit_panel(data, y, x, model="fe", **common)
    re = fit_panel(data, y, x, model="re", re_variance=re_variance, **common)
    names = [n for n in fe.params.index if n in re.params.index]
    b = fe.params[names] - re.params[names]
    v_fe = fe.cov.loc[names, names].to_numpy()
    v_re = re.cov.loc[names, names].to_numpy()
    if sigma == "more":
        v_fe = v_fe * (re.extra["s2"] / fe.extra["s2"])
    elif sigma == "less":
        v_re = v_re * (fe.extra["s2"] / re.extra["s2"])
    vd = v_fe - v_re
    diag = np.diag(vd)
    se = pd.Series(np.sqrt(np.where(diag >= 0, diag, np.nan)), index=names)
    return _result(
        "classic",
        quadratic_form_test(b.to_numpy(), vd),
        fe,
        names=names,
        params=fe.params[names],
        std_errors=se,
        params_re=re.params[names],
        effects=effects,
        cov_type="unadjusted",
        cluster=None,
        convention=convention,
        sigma=sigma,
        extra={
            "s2_fe": fe.extra.get("s2"),
            "s2_re": re.extra.get("s2"),
            "difference": b,
            "engines": [fe.engine, re.engine],
        },
    )


def _chi2_p(stat: float, df: int) -> float:
    """P(χ²(df) > stat); NaN for a negative or non-finite statistic or df = 0."""
    return float(chi2_sf(stat, df)) if (math.isfinite(stat) and stat >= 0 and df > 0) else math.nan


def _result(
    method: str, test: tuple[float, int, bool, int, str], fit: PanelResult, **fields: Any
) -> HausmanResult:
    """The :class:`HausmanResult` of ``test`` (statistic, df, positive definite?, rank, message, as
    :func:`quadratic_form_test`) on the sample of ``fit``, with the method's own ``fields``."""
    stat, df, pd_ok, rank, msg = test
    return HausmanResult(
        method=method,
        statistic=stat,
        df=df,
        p_value=_chi2_p(stat, df),
        positive_definite=pd_ok,
        rank=rank,
        message=msg,
        nobs=fit.nobs,
        n_entities=fit.n_entities,
        n_periods=fit.n_periods,
        **fields,
    )


def quadratic_form_test(d: np.ndarray, vd: np.ndarray) -> tuple[float, int, bool, int, str]:
    """d'[Vd]⁻¹d with a positive-definiteness check; generalized inverse otherwise.

    Returns (statistic, df, positive_definite, rank, message).

    ``d`` is the q-vector tested against zero and ``vd`` its q × q covariance, symmetrised as
    (Vd + Vd')/2. Vd is positive definite when every eigenvalue exceeds :data:`EIG_TOL` times the
    largest absolute eigenvalue; then statistic = d'Vd⁻¹d with df = q. Otherwise statistic =
    d'Vd⁺d (Moore–Penrose inverse, ``rcond`` = EIG_TOL) with df = rank; it may then be negative.
    Non-finite inputs give (NaN, q, False, 0, message).
    """
    if not (np.all(np.isfinite(d)) and np.all(np.isfinite(vd))):
        return math.nan, d.shape[0], False, 0, "the coefficients or covariances are not finite"
    vd = (vd + vd.T) / 2.0
    eig = np.linalg.eigvalsh(vd)
    scale = float(np.max(np.abs(eig))) if eig.size else 0.0
    tol = EIG_TOL * scale
    rank = int((np.abs(eig) > tol).sum())
    if scale > 0 and np.all(eig > tol):
        stat = float(d @ np.linalg.solve(vd, d))
        return stat, d.shape[0], True, rank, "V_FE - V_RE is positive definite"
    stat = float(d @ np.linalg.pinv(vd, hermitian=True, rcond=EIG_TOL) @ d)
    msg = (
        f"V_FE - V_RE is not positive definite (smallest eigenvalue {eig.min():.4g}); "
        f"a generalized inverse was used and df = rank = {rank}"
    )
    if stat < 0:
        msg += "; the statistic is negative, so the data do not meet the test's assumptions (no p-value)"
    msg += "; consider method 'mundlak' (cluster-robust)"
    return stat, rank, False, rank, msg


def _mundlak(panel: _Panel, cov: str, cluster: str | None, bandwidth: int | None, aux: str) -> HausmanResult:
    """W = γ̂'V(γ̂)⁻¹γ̂ of the entity means x̄_i in the auxiliary regression (module docstring).

    The regressors are x, the columns ``mean[x]`` and, with two-way effects in an unbalanced
    panel, ``mean[period t]`` (entity means of the period dummies, periods after the first);
    ``aux="pooled"`` adds the period dummies themselves (``period[t]``) with two-way effects, and
    ``aux="re"`` fits random effects with the requested effects. The means use the rows complete
    in y and x.
    """
    data, y, x, entity, time, effects, convention, file = panel
    prep = prepare_panel(data, [y, *x], entity=entity, time=time, file=file)
    f = prep.frame
    e = f["_e"].to_numpy()
    t = f["_t"].to_numpy()
    counts = np.bincount(e)

    def entity_mean(v: np.ndarray) -> np.ndarray:
        """v̄_i over the used rows of entity i, repeated on each of its rows."""
        return (np.bincount(e, weights=v) / np.where(counts > 0, counts, 1))[e]

    cols: dict[str, np.ndarray] = {"_entity": e, "_time": t, y: prep.col(y)}
    mean_names = []
    for name in x:
        v = prep.col(name)
        cols[name] = v
        mn = f"mean[{name}]"
        cols[mn] = entity_mean(v)
        mean_names.append(mn)
    time_mean_names: list[str] = []
    if effects == "twoway" and not prep.balanced:
        periods = np.unique(t)
        for p in periods[1:]:
            dmy = (t == p).astype(float)
            mn = f"mean[period {prep.time_labels[p]}]"
            cols[mn] = entity_mean(dmy)
            time_mean_names.append(mn)
    frame = pd.DataFrame(cols)
    regs = [*x, *mean_names, *time_mean_names]
    model: dict[str, Any] = {"model": "re", "effects": effects}
    if aux == "pooled":
        model = {"model": "pooled"}
        if effects == "twoway":
            periods = np.unique(t)
            for p in periods[1:]:
                frame[f"period[{prep.time_labels[p]}]"] = (t == p).astype(float)
            regs = regs + [f"period[{prep.time_labels[p]}]" for p in periods[1:]]
    res = fit_panel(
        frame,
        y,
        regs,
        entity="_entity",
        time="_time",
        cov=cov,
        cluster=cluster,
        bandwidth=bandwidth,
        convention=convention,
        file=file,
        **model,
    )
    g = res.params[mean_names].to_numpy()
    v = res.cov.loc[mean_names, mean_names].to_numpy()
    stat, df, pd_ok, rank, msg = quadratic_form_test(g, v)
    msg = "Wald test of the entity means (Mundlak)" if pd_ok else msg.replace("V_FE - V_RE", "V(gamma)")
    p = _chi2_p(stat, df)
    fst = stat / df if df else math.nan
    fp = (
        (float(chi2_sf(stat, df)) if math.isinf(res.df_inference) else float(f_sf(fst, df, res.df_inference)))
        if math.isfinite(p)
        else math.nan
    )
    return _result(
        "mundlak",
        (stat, df, pd_ok, rank, msg),
        res,
        names=list(x),
        params=pd.Series(g, index=x),
        std_errors=pd.Series(np.sqrt(np.diag(v)), index=x),
        params_re=None,
        effects=effects,
        cov_type=res.cov_type,
        cluster=res.cluster,
        convention=convention,
        aux=aux,
        f_stat=fst,
        f_pvalue=fp,
        extra={
            "aux_params": res.params,
            "aux_std_errors": res.std_errors,
            "df_inference": res.df_inference,
            "n_dropped_missing": prep.n_dropped,
            "engine": res.engine,
        },
    )
