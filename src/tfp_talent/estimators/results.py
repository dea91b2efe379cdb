"""The result type of the linear panel estimators and its assembly from estimates and covariance."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from tfp_talent.estimators.design import PreparedPanel, demean
from tfp_talent.estimators.inference import CONVENTION_FORMULAS, cluster_count, inference_df, wald_test

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
            "extra": json_safe(self.extra),
        }


def json_safe(obj: Any) -> Any:
    """``obj`` with numpy scalars, Series and tuples turned into JSON types (keys as strings)."""
    if isinstance(obj, dict):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, pd.Series):
        return {str(k): json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        return float(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def common_extra(prep: PreparedPanel, clu: str | None, cov: str, bw: int | None) -> dict[str, Any]:
    """Bookkeeping every panel result records: entity/time names, balance, rows dropped, clusters, DK lag."""
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


def assemble(
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
    g = n_clusters_override if n_clusters_override is not None else cluster_count(clu, prep.n_entities, prep.n_periods)
    t = n_periods_override if n_periods_override is not None else prep.n_periods
    df_t = inference_df(convention, cov, df_resid=df_resid, n_clusters=g, n_periods=t, normal=normal)
    se = np.sqrt(np.clip(np.diag(vcv), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        tst = params / se
    dist = stats.norm if math.isinf(df_t) else stats.t(df_t)
    pv = 2.0 * dist.sf(np.abs(tst))
    crit = float(dist.ppf(0.5 + level / 2.0))
    idx = pd.Index(names)
    slopes = [i for i, nme in enumerate(names) if nme != CONST]
    fstat, fp = wald_test(params[slopes], vcv[np.ix_(slopes, slopes)], df_t)
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


def within_rsquared(prep: PreparedPanel, y: np.ndarray, ssr: float, effects: str) -> float:
    """Within R² = 1 − SSR / Σ_it ỹ_it², ỹ = y net of *every* absorbed fixed effect.

    The definition of fixest's ``r2_within`` and ``reghdfe`` (Correia 2016): for two-way effects ỹ is
    y demeaned by entity and period, so the period effects do not count as explained variation (Stata's
    ``xtreg, fe`` with period dummies counts them; that number is ``extra["rsquared_within_entity"]``).
    For entity (period) effects only, ỹ is y minus its entity (period) mean. NaN without effects.
    """
    if effects == "none":
        return math.nan
    if effects == "twoway":
        f = prep.frame
        yt = demean(y[:, None], f["_e"].to_numpy(), f["_t"].to_numpy(), "twoway")[:, 0]
        tss = float((yt**2).sum())
        return 1.0 - ssr / tss if tss > 0 else math.nan
    return _one_way_within_rsquared(prep, y, ssr, "_t" if effects == "time" else "_e")


def entity_within_rsquared(prep: PreparedPanel, y: np.ndarray, ssr: float) -> float:
    """1 − SSR / Σ_it (y_it − ȳ_i)²: Stata's ``xtreg, fe`` "R-sq within" (period dummies count as explained)."""
    return _one_way_within_rsquared(prep, y, ssr, "_e")


def _one_way_within_rsquared(prep: PreparedPanel, y: np.ndarray, ssr: float, code: str) -> float:
    codes = prep.frame[code].to_numpy()
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=y) / np.where(counts > 0, counts, 1)
    tss = float(((y - means[codes]) ** 2).sum())
    return 1.0 - ssr / tss if tss > 0 else math.nan
