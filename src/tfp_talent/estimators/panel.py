"""Standard linear panel estimators behind one entry point and one result type.

:func:`fit_panel` estimates pooled OLS, fixed effects (entity, time or two-way),
random effects, first differences and between regressions on any long panel
(provinces, cities, firms) and returns a :class:`PanelResult`, whatever the
engine. Nothing is re-implemented: the estimates and the raw (unscaled) sandwich
come from the engines, and only the documented small-sample factor is applied here.

Engines
    * pooled OLS and fixed effects: **pyfixest** — the effects are projected out
      with pyfixest's alternating-projection demeaner (tolerance 1e-10, effects in
      the fixed order entity, time; singletons kept, as in Stata's ``xtreg, fe``),
      then ``feols`` estimates the demeaned equation and its sandwich (Bergé 2018,
      fixest; Fischer et al., pyfixest). Same estimates as ``feols("y ~ x | id + t")``.
    * random effects (Swamy–Arora, as ``xtreg, re``), first differences and between:
      **linearmodels** ``RandomEffects``, ``FirstDifferenceOLS``, ``BetweenOLS``
      (Sheppard, linearmodels 7.1).

Covariance (``cov``)
    ``unadjusted``  V = s² (X'X)⁻¹ (X after the model's transformation).
    ``robust``      V = (X'X)⁻¹ (Σ_it x_it x_it' e_it²) (X'X)⁻¹ (White, HC0 before the factor).
    ``clustered``   V = (X'X)⁻¹ (Σ_g s_g s_g') (X'X)⁻¹, s_g = Σ_{it∈g} x_it e_it, by
                    entity, time, or both (Cameron, Gelbach & Miller 2011:
                    V = V_entity + V_time − V_entity∩time).
    ``driscoll-kraay``  V = (X'X)⁻¹ Ŝ (X'X)⁻¹, Ŝ = Ω₀ + Σ_{j=1}^{L} w_j (Ω_j + Ω_j'),
                    Ω_j = Σ_t h_t h_{t−j}', h_t = Σ_i x_it e_it, Bartlett weights
                    w_j = 1 − j/(L+1) (Driscoll & Kraay 1998; Hoechle 2007). Default
                    lag L = floor(4 (T/100)^(2/9)) as Stata's ``xtscc``.

Small-sample convention (``convention``), recorded in every result
    N observations, G clusters (G = min(G_entity, G_time) with two-way clustering,
    as ``ivreg2``/``reghdfe``/fixest ``G.df="min"``), T periods, k estimated
    coefficients (slopes, plus the constant when the model has one), K_fe the
    number of absorbed fixed-effect levels (entities + periods − 1 for two-way).

    ==============  ==============================  ==============================  ============================
    cov             ``stata`` (default)             ``areg``                        ``cluster`` / ``none``
    ==============  ==============================  ==============================  ============================
    unadjusted      s² = SSR/(N − k − K_fe)         same as stata                   s² = SSR/N
    robust          × N/(N − k − K_fe)  (HC1)       same as stata                   × 1 (HC0)
    clustered       × G/(G−1)·(N−1)/(N − K_c)       × G/(G−1)·(N−1)/(N − k − K_fe)  × G/(G−1)  /  × 1
    driscoll-kraay  × T/(T−1)·(N−1)/(N − K_dk)      × T/(T−1)·(N−1)/(N − k − K_fe)  × T/(T−1)  /  × 1
    ==============  ==============================  ==============================  ============================

    K_c = k + K_fe − Σ_(effects nested in a cluster variable)(levels − 1): the
    fixed effects nested in the clusters are not counted except for one constant,
    as ``xtreg, fe vce(cluster id)`` (entity effects, entity clusters: K_c = k + 1;
    two-way effects, entity clusters: K_c = k + T, as ``xtreg ... i.year, fe
    vce(cluster id)``), ``reghdfe`` and fixest's ``K.fixef="nonnested"``.
    K_dk = k + K_fe − (entities − 1) if entity effects: the within transform of
    ``xtscc, fe`` (Hoechle 2007, xtscc.ado v1.4: V × T/(T−1)·(N−1)/(N−rank)).
    ``areg`` counts every absorbed level (Stata's ``areg``; fixest ``K.fixef="full"``).
    For models without absorbed effects (pooled, re, fd, between) K_fe = 0, so
    ``stata`` and ``areg`` coincide; for ``re`` this is linearmodels'
    ``debiased=True, group_debias=True``, which its documentation states equals
    ``xtreg, re vce(cluster ...)``.

    Note: Stata's ``xtreg, fe vce(robust)`` is clustered by entity (use
    ``cov="clustered"``); ``robust`` here is White/HC1 as ``regress``/``areg``.

    Inference: ``none`` uses the normal distribution; the other conventions use t
    with G − 1 degrees of freedom (clustered), T − 1 (driscoll-kraay, as xtscc) or
    N − k − K_fe (unadjusted, robust); ``re`` always uses the normal (z), as
    ``xtreg, re``. The model F (Wald) statistic tests all slopes (not the constant)
    with the reported covariance: F = b'V⁻¹b / q, F(q, df) or χ²(q)/q.

Why the demeaning and the factor are done here: pyfixest 0.60 orders the absorbed
effects by Python's string hashing, so with two-way effects (a) its nested-effect
count (``K.fixef="nonnested"``) changes from one process to the next (Grunfeld,
entity clusters: SE of ``value`` 0.010824 or 0.010289 depending on
``PYTHONHASHSEED``) and (b) the estimates differ in the last bits between
processes. So the demeaning order is fixed here, the raw sandwich is taken from
pyfixest with ``ssc(k_adj=False, G_adj=False)``, and the factor is applied here;
results are byte-identical across processes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tfp_talent.errors import InputError
from tfp_talent.estimators._pyfixest import load_feols
from tfp_talent.estimators.paneldata import (
    FIXEF_TOL,
    PreparedPanel,
    check_regressors,
    demean,
    parse_formula,
    prepare_panel,
)

MODELS = ("pooled", "fe", "re", "fd", "between")
EFFECTS = ("none", "entity", "time", "twoway")
COVS = ("unadjusted", "robust", "clustered", "driscoll-kraay")
CLUSTERS = ("entity", "time", "both")
CONVENTIONS = ("stata", "areg", "cluster", "none")
DEFAULT_EFFECTS = {"fe": "twoway", "re": "entity", "pooled": "none", "fd": "none", "between": "none"}
CONST = "const"


@dataclass
class PanelResult:
    """Estimates of one panel model, the same fields whatever the engine.

    ``params``, ``std_errors``, ``tstats``, ``pvalues`` are Series indexed by the
    regressors (``const`` first when the model has one); ``conf_int`` has columns
    ``lower``/``upper``; ``cov`` is the covariance used for the standard errors.
    ``rsquared`` is the R² of the estimated equation (with the absorbed effects for
    ``fe``; of the transformed data for ``re``/``fd``/``between``);
    ``rsquared_within`` is 1 − SSR/Σ(y_it − ȳ_i)² for ``fe`` (Stata's "R-sq within" of
    ``xtreg, fe``, with period dummies for two-way effects), linearmodels' within R²
    for ``re``/``fd``/``between``, NaN for ``pooled``. ``extra`` holds model-specific statistics (first-stage F,
    Hansen J, variance components, numbers of clusters, ...).
    """

    model: str
    effects: str
    cov_type: str
    cluster: str | None
    bandwidth: int | None
    convention: str
    engine: str
    depvar: str
    params: pd.Series
    std_errors: pd.Series
    tstats: pd.Series
    pvalues: pd.Series
    conf_int: pd.DataFrame
    cov: pd.DataFrame
    nobs: int
    n_entities: int
    n_periods: int
    rsquared: float
    rsquared_within: float
    f_stat: float
    f_pvalue: float
    df_resid: int
    df_inference: float
    level: float = 0.95
    extra: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: coef, std_err, t, p, ci_lower, ci_upper."""
        return pd.DataFrame(
            {
                "coef": self.params,
                "std_err": self.std_errors,
                "t": self.tstats,
                "p": self.pvalues,
                "ci_lower": self.conf_int["lower"],
                "ci_upper": self.conf_int["upper"],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; ``params``/``std_errors``/``tstats``/``pvalues`` map names to floats."""

        def series(s: pd.Series) -> dict[str, float]:
            return {str(k): float(v) for k, v in s.items()}

        return {
            "model": self.model,
            "effects": self.effects,
            "cov_type": self.cov_type,
            "cluster": self.cluster,
            "bandwidth": self.bandwidth,
            "convention": self.convention,
            "engine": self.engine,
            "depvar": self.depvar,
            "regressors": [str(k) for k in self.params.index],
            "params": series(self.params),
            "std_errors": series(self.std_errors),
            "tstats": series(self.tstats),
            "pvalues": series(self.pvalues),
            "conf_int": {
                str(k): [float(lo), float(hi)]
                for k, lo, hi in zip(self.conf_int.index, self.conf_int["lower"], self.conf_int["upper"], strict=True)
            },
            "level": float(self.level),
            "cov": {str(r): series(self.cov.loc[r]) for r in self.cov.index},
            "nobs": int(self.nobs),
            "n_entities": int(self.n_entities),
            "n_periods": int(self.n_periods),
            "rsquared": float(self.rsquared),
            "rsquared_within": float(self.rsquared_within),
            "f_stat": float(self.f_stat),
            "f_pvalue": float(self.f_pvalue),
            "df_resid": int(self.df_resid),
            "df_inference": float(self.df_inference),
            "extra": _json_safe(self.extra),
        }


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, pd.Series):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


# --------------------------------------------------------------------------- options


def check_options(
    model: str,
    effects: str | None,
    cov: str,
    cluster: str | None,
    bandwidth: int | None,
    convention: str,
) -> tuple[str, str | None]:
    """Validate the option combination; return (effects, cluster) with defaults filled in."""
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; use one of {', '.join(MODELS)}")
    eff = DEFAULT_EFFECTS[model] if effects is None else effects
    if eff not in EFFECTS:
        raise InputError(f"unknown effects {eff!r}; use one of {', '.join(EFFECTS)}")
    if cov not in COVS:
        raise InputError(f"unknown cov {cov!r}; use one of {', '.join(COVS)}")
    if convention not in CONVENTIONS:
        raise InputError(f"unknown convention {convention!r}; use one of {', '.join(CONVENTIONS)}")
    if model == "fe" and eff == "none":
        raise InputError("model 'fe' needs effects 'entity', 'time' or 'twoway' (use model 'pooled' for none)")
    if model == "re" and eff not in ("entity", "twoway"):
        raise InputError("model 're' has entity random effects: use effects 'entity' or 'twoway' (adds period dummies)")
    if model in ("pooled", "fd", "between") and eff != "none":
        raise InputError(f"model {model!r} takes no effects (effects 'none'); use model 'fe' or 're' for effects")
    clu: str | None = None
    if cov == "clustered":
        clu = cluster or "entity"
        if clu not in CLUSTERS:
            raise InputError(f"unknown cluster {clu!r}; use one of {', '.join(CLUSTERS)}")
        if model == "between":
            raise InputError(
                "model 'between' has one observation per entity: use cov 'robust' "
                "(it is already robust to correlation within entities)"
            )
    elif cluster is not None and cluster != "entity":
        raise InputError(f"cluster {cluster!r} is only used with cov 'clustered' (got cov {cov!r})")
    if cov == "driscoll-kraay" and model == "between":
        raise InputError("driscoll-kraay needs a time dimension; model 'between' has none")
    if bandwidth is not None:
        if cov != "driscoll-kraay":
            raise InputError(f"bandwidth is only used with cov 'driscoll-kraay' (got cov {cov!r})")
        if int(bandwidth) != bandwidth or bandwidth < 0:
            raise InputError(f"bandwidth must be a whole number >= 0, got {bandwidth!r}")
    return eff, clu


def default_bandwidth(n_periods: int) -> int:
    """floor(4 (T/100)^(2/9)), the default lag of Stata's ``xtscc`` (Hoechle 2007)."""
    return int(math.floor(4.0 * (n_periods / 100.0) ** (2.0 / 9.0)))


# --------------------------------------------------------------------------- conventions


def small_sample_factor(
    convention: str,
    cov: str,
    *,
    nobs: int,
    k: int,
    k_fe: int,
    k_fe_nested: int = 0,
    k_fe_entity: int = 0,
    n_clusters: int | None = None,
    n_periods: int | None = None,
) -> float:
    """The factor that multiplies the raw covariance (see the module docstring table).

    The raw covariance is s² = SSR/N times (X'X)⁻¹ for ``unadjusted`` and the
    unscaled sandwich otherwise. ``k_fe_nested`` is Σ(levels − 1) over the
    effects nested in the cluster variables; ``k_fe_entity`` is entities − 1 when
    the model absorbs entity effects (for Driscoll–Kraay).
    """
    n = nobs
    if convention == "none":
        return 1.0
    k_all = k + k_fe
    if cov in ("unadjusted", "robust"):
        if convention == "cluster":
            return 1.0
        return _ratio(n, n - k_all)
    if cov == "clustered":
        g = int(n_clusters or 0)
        if g < 2:
            raise InputError(f"clustered standard errors need at least 2 clusters, got {g}")
        gfac = g / (g - 1)
        if convention == "cluster":
            return gfac
        kk = k_all - k_fe_nested if convention == "stata" else k_all
        return gfac * _ratio(n - 1, n - kk)
    if cov == "driscoll-kraay":
        t = int(n_periods or 0)
        if t < 2:
            raise InputError(f"driscoll-kraay standard errors need at least 2 periods, got {t}")
        tfac = t / (t - 1)
        if convention == "cluster":
            return tfac
        kk = k_all - k_fe_entity if convention == "stata" else k_all
        return tfac * _ratio(n - 1, n - kk)
    raise InputError(f"unknown cov {cov!r}")


def _ratio(num: float, den: float) -> float:
    if den <= 0:
        raise InputError(
            f"too few observations for the number of parameters: N - K = {den:g} "
            "(the model, with its fixed effects, uses as many parameters as there are observations)"
        )
    return num / den


# --------------------------------------------------------------------------- entry point


def fit_panel(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str] | None = None,
    *,
    entity: str,
    time: str,
    model: str = "fe",
    effects: str | None = None,
    cov: str = "clustered",
    cluster: str | None = "entity",
    bandwidth: int | None = None,
    convention: str = "stata",
    level: float = 0.95,
    file: str | Path | None = None,
) -> PanelResult:
    """Estimate a linear panel model: y_it = x_it'β + effects + e_it.

    Parameters
    ----------
    data
        Long panel, one row per entity-period.
    y, x
        Dependent variable and regressors (column names or lags ``L2.x``), or a
        formula ``"y ~ x1 + x2 + L.x3"`` as ``y`` with ``x=None``.
    entity, time
        Entity and period columns (periods sortable; whole numbers for lags).
    model
        ``pooled`` (OLS with a constant), ``fe`` (within), ``re`` (GLS random
        effects, Swamy–Arora), ``fd`` (first differences, no constant), ``between``
        (OLS on entity means, with a constant).
    effects
        ``entity``, ``time`` or ``twoway`` for ``fe`` (default ``twoway``); ``entity``
        or ``twoway`` for ``re`` (``twoway`` adds period dummies, not reported;
        default ``entity``); ``none`` for the others.
    cov, cluster, bandwidth
        Covariance: ``unadjusted``, ``robust``, ``clustered`` (``cluster`` =
        ``entity``, ``time`` or ``both``) or ``driscoll-kraay`` (Bartlett lag
        ``bandwidth``; default floor(4(T/100)^(2/9))).
    convention
        Small-sample convention: ``stata`` (default), ``areg``, ``cluster``,
        ``none`` — formulas in the module docstring.
    level
        Confidence level of ``conf_int``.
    file
        Name of the data file, for error messages.

    Returns
    -------
    PanelResult
    """
    if x is None:
        y, x = parse_formula(y)
    x = [str(v) for v in x]
    if not x:
        raise InputError("at least one regressor is needed")
    if str(y) in x:
        raise InputError("the dependent variable is also a regressor", column=str(y))
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")
    eff, clu = check_options(model, effects, cov, cluster, bandwidth, convention)
    prep = prepare_panel(data, [str(y), *x], entity=entity, time=time, file=file)
    x_names = [n for n in prep.safe if n != str(y)]
    if len(x_names) != len(x):
        raise InputError("a regressor is listed twice", column=x)
    if model in ("fe", "pooled"):
        return _fit_pyfixest(prep, str(y), x_names, model, eff, cov, clu, bandwidth, convention, level)
    return _fit_linearmodels(prep, str(y), x_names, model, eff, cov, clu, bandwidth, convention, level)


# --------------------------------------------------------------------------- pyfixest


def _fe_levels(prep: PreparedPanel, eff: str) -> tuple[int, int, int]:
    """(K_fe, entity levels − 1 if entity effects, nested-free count helper)."""
    g, t = prep.n_entities, prep.n_periods
    if eff == "entity":
        return g, g - 1, 0
    if eff == "time":
        return t, 0, 0
    if eff == "twoway":
        return g + t - 1, g - 1, 0
    return 0, 0, 0


def _nested(eff: str, clu: str | None, prep: PreparedPanel) -> int:
    """Σ(levels − 1) over the absorbed effects nested in the cluster variables."""
    if clu is None:
        return 0
    out = 0
    if eff in ("entity", "twoway") and clu in ("entity", "both"):
        out += prep.n_entities - 1
    if eff in ("time", "twoway") and clu in ("time", "both"):
        out += prep.n_periods - 1
    return out


def _n_clusters(prep: PreparedPanel, clu: str | None) -> int | None:
    if clu == "entity":
        return prep.n_entities
    if clu == "time":
        return prep.n_periods
    if clu == "both":
        return min(prep.n_entities, prep.n_periods)
    return None


def _fit_pyfixest(
    prep: PreparedPanel,
    y: str,
    x_names: list[str],
    model: str,
    eff: str,
    cov: str,
    clu: str | None,
    bandwidth: int | None,
    convention: str,
    level: float,
) -> PanelResult:
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

    k_fe0, _, _ = _fe_levels(prep, eff)
    k0 = len(x_names) + (1 if model == "pooled" else 0)
    if prep.nobs <= k0 + k_fe0:
        raise InputError(
            f"too few observations: {prep.nobs} rows for {k0} coefficients and {k_fe0} fixed-effect levels "
            "(need more rows than parameters)",
            file=prep.file,
        )
    if model == "pooled":
        check_regressors(prep.frame[[s[n] for n in x_names]].to_numpy(), x_names, file=prep.file, has_constant=True)
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
        work = pd.DataFrame({"_e": f["_e"].to_numpy(), "_t": f["_t"].to_numpy(), **{c: dm[:, j] for j, c in enumerate(cols)}}, copy=False)
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
            raise InputError(f"the model cannot be estimated on these data: {str(err).strip().splitlines()[0]}", file=prep.file) from None
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
    k_fe, k_fe_entity, _ = _fe_levels(prep, eff)
    factor = small_sample_factor(
        convention,
        cov,
        nobs=n,
        k=k,
        k_fe=k_fe,
        k_fe_nested=_nested(eff, clu, prep),
        k_fe_entity=k_fe_entity,
        n_clusters=_n_clusters(prep, clu),
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
    extra = _common_extra(prep, clu, cov, bw)
    extra["fixef_tol"] = FIXEF_TOL if fe else None
    extra["ssr"] = ssr
    if cov == "unadjusted":
        extra["s2"] = extra["ssr"] / n * factor
    return _assemble(
        names=names,
        params=params,
        vcv=vcv,
        model=model,
        effects=eff,
        cov=cov,
        clu=clu,
        bw=bw,
        convention=convention,
        engine=f"pyfixest {pf_version}",
        depvar=y,
        nobs=n,
        prep=prep,
        rsquared=r2,
        rsquared_within=r2w,
        df_resid=df_resid,
        level=level,
        extra=extra,
        normal=False,
    )


def within_rsquared(prep: PreparedPanel, y: np.ndarray, ssr: float, effects: str) -> float:
    """Within R² = 1 − SSR / Σ_it (y_it − ȳ_i)², SSR of the full model (effects included).

    As Stata's ``xtreg, fe`` "R-sq within" (with period dummies for two-way effects);
    for time effects only, the means are the period means. NaN without effects.
    """
    if effects == "none":
        return math.nan
    codes = prep.frame["_t" if effects == "time" else "_e"].to_numpy()
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=y) / np.where(counts > 0, counts, 1)
    tss = float(((y - means[codes]) ** 2).sum())
    return 1.0 - ssr / tss if tss > 0 else math.nan


def _report_fe_collinearity(prep: PreparedPanel, x_names: list[str], collin: list[str], eff: str) -> None:
    """Name regressors pyfixest dropped: absorbed by the effects, or collinear with others."""
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
        hint = "use model 're' or 'pooled' to estimate it" if which == "entity" else "drop it or use entity effects only"
        raise InputError(
            f"regressor does not vary within {'entities' if which == 'entity' else 'periods'}, "
            f"so the {which} fixed effects absorb it; {hint}",
            file=prep.file,
            column=[a for a, _ in absorbed],
        )
    others = [n for n in x_names if n not in bad]
    raise InputError(
        f"perfectly collinear regressors (given the fixed effects): {', '.join(repr(b) for b in bad)} "
        f"is a linear combination of {', '.join(repr(o) for o in others) or 'the fixed effects'} and the fixed effects; drop one of them",
        file=prep.file,
        column=bad,
    )


# --------------------------------------------------------------------------- linearmodels


def _fit_linearmodels(
    prep: PreparedPanel,
    y: str,
    x_names: list[str],
    model: str,
    eff: str,
    cov: str,
    clu: str | None,
    bandwidth: int | None,
    convention: str,
    level: float,
) -> PanelResult:
    import linearmodels
    from linearmodels import BetweenOLS, FirstDifferenceOLS, RandomEffects

    f = prep.frame
    index = pd.MultiIndex.from_arrays([f["_e"].to_numpy(), f["_t"].to_numpy()], names=["entity", "time"])
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
    lm_cov = {"unadjusted": "unadjusted", "robust": "robust", "clustered": "clustered", "driscoll-kraay": "kernel"}[cov]
    if cov == "clustered":
        if clu == "entity":
            cfg["cluster_entity"] = True
        elif clu == "time":
            cfg["cluster_time"] = True
        else:
            cfg["cluster_entity"] = True
            cfg["cluster_time"] = True
        if model == "fd" and clu != "entity":
            t_codes = pd.Series(f["_t"].to_numpy(), index=index)
            if clu == "time":
                cfg = {"clusters": t_codes}
            else:
                cfg = {"clusters": pd.DataFrame({"e": f["_e"].to_numpy(), "t": f["_t"].to_numpy()}, index=index)}
    elif cov == "driscoll-kraay":
        bw = default_bandwidth(prep.n_periods) if bandwidth is None else int(bandwidth)
        if bw >= prep.n_periods:
            raise InputError(f"bandwidth {bw} must be below the number of periods ({prep.n_periods})")
        cfg = {"bandwidth": bw, "kernel": "bartlett"}

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if model == "re":
                res = RandomEffects(dep, exog).fit(cov_type=lm_cov, debiased=False, **cfg)
            elif model == "fd":
                res = FirstDifferenceOLS(dep, exog).fit(cov_type=lm_cov, debiased=False, **cfg)
            else:
                res = BetweenOLS(dep, exog).fit(cov_type=lm_cov, debiased=False, **cfg)
    except (ValueError, np.linalg.LinAlgError) as err:
        raise InputError(f"the model cannot be estimated on these data: {str(err).strip().splitlines()[0]}", file=prep.file) from None

    keep = [c for c in exog.columns if not str(c).startswith("_period_")]
    params_all = res.params
    vraw_all = res.cov
    n = int(res.nobs)
    k = len(params_all)
    if model == "between":
        n_clu = None
        n_periods_dk = None
    else:
        n_clu = _n_clusters(prep, clu)
        n_periods_dk = prep.n_periods - (1 if model == "fd" else 0)
        if model == "fd" and clu is not None:
            n_clu = min(_fd_groups(res, clu))
    factor = small_sample_factor(
        convention, cov, nobs=n, k=k, k_fe=0, n_clusters=n_clu, n_periods=n_periods_dk
    )
    params = params_all[keep].to_numpy(dtype=float)
    vcv = vraw_all.loc[keep, keep].to_numpy(dtype=float) * factor
    extra = _common_extra(prep, clu, cov, bw)
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
            }
        )
    extra["rsquared_between"] = float(res.rsquared_between)
    extra["rsquared_overall"] = float(res.rsquared_overall)
    if model == "fd":
        extra["nobs_levels"] = prep.nobs
        if clu is not None:
            extra["n_clusters"] = dict(zip(["entity", "time"] if clu == "both" else [clu], _fd_groups(res, clu), strict=True))
    rsq_w = float(res.rsquared_within)
    return _assemble(
        names=[str(c) for c in keep],
        params=params,
        vcv=vcv,
        model=model,
        effects=eff,
        cov=cov,
        clu=clu,
        bw=bw,
        convention=convention,
        engine=f"linearmodels {linearmodels.__version__}",
        depvar=y,
        nobs=n,
        prep=prep,
        rsquared=float(res.rsquared),
        rsquared_within=rsq_w,
        df_resid=n - k,
        level=level,
        extra=extra,
        normal=(model == "re"),
        n_clusters_override=n_clu,
        n_periods_override=n_periods_dk,
    )


def _fd_groups(res: Any, clu: str | None) -> list[int]:
    """Numbers of entity and time clusters among the differenced observations."""
    idx = res.resids.index
    e = idx.get_level_values(0).nunique()
    t = idx.get_level_values(1).nunique()
    return {"entity": [e], "time": [t], "both": [e, t]}[clu]  # type: ignore[index]


def _check_linearmodels_design(prep: PreparedPanel, model: str, exog: pd.DataFrame, x_names: list[str]) -> None:
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
        t = prep.frame["_t"].to_numpy()
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


# --------------------------------------------------------------------------- assembly


def _common_extra(prep: PreparedPanel, clu: str | None, cov: str, bw: int | None) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "entity": prep.entity,
        "time": prep.time,
        "balanced": prep.balanced,
        "n_dropped_missing": prep.n_dropped,
    }
    if cov == "clustered":
        extra["n_clusters"] = {
            "entity": {"entity": prep.n_entities},
            "time": {"time": prep.n_periods},
            "both": {"entity": prep.n_entities, "time": prep.n_periods},
        }[clu]  # type: ignore[index]
    if cov == "driscoll-kraay":
        extra["kernel"] = "bartlett"
        extra["lag"] = bw
    return extra


def _assemble(
    *,
    names: list[str],
    params: np.ndarray,
    vcv: np.ndarray,
    model: str,
    effects: str,
    cov: str,
    clu: str | None,
    bw: int | None,
    convention: str,
    engine: str,
    depvar: str,
    nobs: int,
    prep: PreparedPanel,
    rsquared: float,
    rsquared_within: float,
    df_resid: int,
    level: float,
    extra: dict[str, Any],
    normal: bool,
    n_clusters_override: int | None = None,
    n_periods_override: int | None = None,
) -> PanelResult:
    """Standard errors, t, p, CI and the model Wald F from params and covariance."""
    if convention == "none" or normal:
        df_t = math.inf
    elif cov == "clustered":
        g = n_clusters_override if n_clusters_override is not None else _n_clusters(prep, clu)
        df_t = float(g - 1)  # type: ignore[operator]
    elif cov == "driscoll-kraay":
        t = n_periods_override if n_periods_override is not None else prep.n_periods
        df_t = float(t - 1)
    else:
        df_t = float(df_resid)
    se = np.sqrt(np.clip(np.diag(vcv), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        tst = params / se
    dist = stats.norm if math.isinf(df_t) else stats.t(df_t)
    pv = 2.0 * dist.sf(np.abs(tst))
    crit = float(dist.ppf(0.5 + level / 2.0))
    idx = pd.Index(names)
    slopes = [i for i, nme in enumerate(names) if nme != CONST]
    fstat, fp = _wald_f(params[slopes], vcv[np.ix_(slopes, slopes)], df_t)
    extra = dict(extra)
    extra["distribution"] = "normal" if math.isinf(df_t) else f"t({df_t:g})"
    extra["small_sample_formula"] = CONVENTION_FORMULAS[convention][cov]
    return PanelResult(
        model=model,
        effects=effects,
        cov_type=cov,
        cluster=clu,
        bandwidth=bw,
        convention=convention,
        engine=engine,
        depvar=depvar,
        params=pd.Series(params, index=idx, name="coef"),
        std_errors=pd.Series(se, index=idx, name="std_err"),
        tstats=pd.Series(tst, index=idx, name="t"),
        pvalues=pd.Series(pv, index=idx, name="p"),
        conf_int=pd.DataFrame({"lower": params - crit * se, "upper": params + crit * se}, index=idx),
        cov=pd.DataFrame(vcv, index=idx, columns=idx),
        nobs=int(nobs),
        n_entities=prep.n_entities,
        n_periods=prep.n_periods,
        rsquared=rsquared,
        rsquared_within=rsquared_within,
        f_stat=fstat,
        f_pvalue=fp,
        df_resid=int(df_resid),
        df_inference=df_t,
        level=level,
        extra=extra,
    )


def _wald_f(b: np.ndarray, v: np.ndarray, df_t: float) -> tuple[float, float]:
    """F = b'V⁻¹b / q with F(q, df_t) (χ²(q)/q when df_t is infinite)."""
    q = b.shape[0]
    if q == 0:
        return math.nan, math.nan
    try:
        w = float(b @ np.linalg.solve(v, b))
    except np.linalg.LinAlgError:
        return math.nan, math.nan
    f = w / q
    p = float(stats.chi2.sf(w, q)) if math.isinf(df_t) else float(stats.f.sf(f, q, df_t))
    return f, p


CONVENTION_FORMULAS: dict[str, dict[str, str]] = {
    "stata": {
        "unadjusted": "s2 = SSR/(N - k - K_fe)",
        "robust": "HC0 * N/(N - k - K_fe)",
        "clustered": "CRV0 * G/(G-1) * (N-1)/(N - K_c), K_c = k + K_fe - sum(levels-1 of effects nested in clusters)",
        "driscoll-kraay": "DK * T/(T-1) * (N-1)/(N - K_dk), K_dk = k + K_fe - (entities-1 if entity effects)",
    },
    "areg": {
        "unadjusted": "s2 = SSR/(N - k - K_fe)",
        "robust": "HC0 * N/(N - k - K_fe)",
        "clustered": "CRV0 * G/(G-1) * (N-1)/(N - k - K_fe)",
        "driscoll-kraay": "DK * T/(T-1) * (N-1)/(N - k - K_fe)",
    },
    "cluster": {
        "unadjusted": "s2 = SSR/N",
        "robust": "HC0",
        "clustered": "CRV0 * G/(G-1)",
        "driscoll-kraay": "DK * T/(T-1)",
    },
    "none": {
        "unadjusted": "s2 = SSR/N",
        "robust": "HC0",
        "clustered": "CRV0",
        "driscoll-kraay": "DK",
    },
}
