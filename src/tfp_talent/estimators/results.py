"""The result type of the linear panel estimators and its assembly from estimates and covariance.

:class:`PanelResult` answers as linearmodels' and pyfixest's results do: ``params``,
``bse``/``std_errors``, ``tvalues``, ``pvalues``, ``conf_int(level)``, ``vcov``, ``resid``,
``fitted``, ``predict(newdata)``, ``summary()``, ``to_frame()``, ``to_dict()`` (the JSON of the
workflow and the CLI; unchanged by the methods, which add no field to it), and
``wildboottest(param, ...)`` (wild cluster bootstrap, :mod:`tfp_talent.estimators.wild_bootstrap`).

Every engine (:mod:`~tfp_talent.estimators.panel_pyfixest`, :mod:`~tfp_talent.estimators.panel_linearmodels`,
:mod:`~tfp_talent.estimators.iv`) ends in :func:`assemble`: it takes the point estimates b and the
covariance V already multiplied by the small-sample factor, and derives the rest the same way for
all models: se_j = sqrt(V_jj), t_j = b_j / se_j, p_j = 2·P(T > |t_j|) with T ~ t(df) or N(0, 1)
(df from :func:`~tfp_talent.estimators.inference.inference_df`), the interval b_j ± c·se_j with
c the (1 + level)/2 quantile, and the model Wald F of all slopes. The names ``cov``, ``cluster``,
``convention`` and ``level`` are those of :mod:`tfp_talent.estimators.inference`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.design import PreparedPanel, demean, prepare_panel
from tfp_talent.estimators.formula import TermExpansion, resolve_panel
from tfp_talent.estimators.inference import (
    CONVENTION_FORMULAS,
    cluster_count,
    critical_value,
    inference_df,
    t_sf,
    wald_test,
)
from tfp_talent.io import json_ready

CONST = "const"
# models whose fitted values are x'b (+ constant) + the absorbed effects; "re" gives x'b + constant
FITTED_MODELS = ("pooled", "fe", "fe-iv", "pooled-iv", "re")


class ConfIntFrame(pd.DataFrame):
    """The ``lower``/``upper`` confidence bounds at the result's level, callable for another level.

    ``res.conf_int.loc["x", "lower"]`` reads the stored interval (at ``res.level``);
    ``res.conf_int(0.90)`` returns b ± q·se with q the (1 + level)/2 quantile of the result's
    reference distribution (t(df) or the normal), as linearmodels' ``conf_int(level)``.
    """

    _metadata: ClassVar[list[str]] = ["_est", "_se", "_df_t"]

    def __call__(self, level: float = 0.95) -> pd.DataFrame:
        """b ± c·se with c = :func:`~tfp_talent.estimators.inference.critical_value` (level, df).

        Returns a frame with columns ``lower``/``upper`` indexed by coefficient; raises
        :class:`InputError` unless 0 < level < 1.
        """
        if not 0 < level < 1:
            raise InputError(f"level must be between 0 and 1, got {level}")
        crit = critical_value(level, self._df_t)
        return pd.DataFrame({"lower": self._est - crit * self._se, "upper": self._est + crit * self._se})


@dataclass
class Design:
    """What :meth:`PanelResult.predict` and the residuals need: the used rows and how terms became columns.

    ``prep`` is the prepared estimation sample (:class:`~tfp_talent.estimators.design.PreparedPanel`),
    ``expansion`` the formula-term expansion to repeat on new data
    (:class:`~tfp_talent.estimators.formula.TermExpansion`), ``terms`` the regressor terms as the user
    wrote them and ``depvar_term`` the dependent variable's term.
    """

    prep: PreparedPanel
    expansion: TermExpansion
    terms: list[str]
    depvar_term: str


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

    Attributes
    ----------
    model, effects
        ``pooled``, ``fe``, ``re``, ``fd``, ``between``, ``fe-iv`` or ``pooled-iv``; ``none``,
        ``entity``, ``time`` or ``twoway``.
    cov_type, cluster, bandwidth, convention
        The covariance, its cluster dimension (None unless clustered), the Driscoll–Kraay lag
        actually used (None for other covariances) and the small-sample convention (vocabulary of
        :mod:`tfp_talent.estimators.inference`).
    engine, depvar
        Library and version that estimated the model; the dependent variable's column.
    nobs, n_entities, n_periods
        Observations used (first differences for ``fd``), entities and periods with a used row.
    f_stat, f_pvalue
        Model Wald F of all slopes with the reported covariance (NaN when V is rank deficient,
        :func:`~tfp_talent.estimators.inference.wald_test`) and its p-value.
    df_resid, df_inference
        N − k − K_fe, and the df of the t reference distribution (``math.inf`` = normal).
    level
        Confidence level of ``conf_int`` (0.95 by default); ``conf_int(other)`` recomputes.
    design
        The estimation sample and the term expansion (:class:`Design`), set by
        :func:`~tfp_talent.estimators.panel.fit_panel` and :func:`~tfp_talent.estimators.iv.fit_iv`;
        not part of :meth:`to_dict`, equality or ``repr``.
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
    design: Design | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Make ``conf_int`` a :class:`ConfIntFrame` that knows b, se and the reference df."""
        ci = ConfIntFrame(self.conf_int)
        ci._est, ci._se, ci._df_t = self.params, self.std_errors, float(self.df_inference)
        self.conf_int = ci

    # ------------------------------------------------------------------ linearmodels / pyfixest names
    @property
    def bse(self) -> pd.Series:
        """Standard errors (statsmodels' name; the same Series as ``std_errors``)."""
        return self.std_errors

    @property
    def tvalues(self) -> pd.Series:
        """t (or z) statistics, b / se (the same Series as ``tstats``)."""
        return self.tstats

    @property
    def vcov(self) -> pd.DataFrame:
        """The covariance of the estimates used for the standard errors (the same frame as ``cov``)."""
        return self.cov

    @property
    def resid(self) -> pd.Series:
        """Residuals y − fitted on the estimation sample, indexed by the data's row labels."""
        yv, fit = self._fitted_arrays()
        return pd.Series(yv - fit, index=self._design().prep.index, name="resid")

    @property
    def fitted(self) -> pd.Series:
        """Fitted values on the estimation sample: x'b (+ constant) + the estimated fixed effects.

        For ``re`` the linear prediction x'b + constant (Stata's ``predict, xb``; the random
        effect is part of the residual). Not defined for ``fd``, ``between`` and two-way ``re``.
        """
        _, fit = self._fitted_arrays()
        return pd.Series(fit, index=self._design().prep.index, name="fitted")

    def predict(self, newdata: pd.DataFrame | None = None) -> pd.Series:
        """x'b (+ constant) + the estimated effects for the rows of ``newdata`` (default: the estimation sample).

        ``newdata`` needs the entity and time columns (or the MultiIndex) and the regressors'
        source columns; formula terms (``C(g)`` with the estimation sample's categories, ``log``,
        lags by calendar period within entity) are rebuilt on it. With fixed effects the
        prediction adds α̂_i and λ̂_t of the row's entity and period, estimated from the
        estimation sample (α̂_i + λ̂_t = ȳ-type means of y − x'b̂, so it is identified for any
        combination seen in a connected panel); it is NaN where the entity or the period was
        not in the estimation sample, where a category level was not (formulaic would code it as the
        base level), and where a regressor is missing. For ``re``: x'b + constant.
        """
        des = self._design()
        if newdata is None:
            return self.fitted
        self._check_fitted_model()
        prep0 = des.prep
        data, entity, time = resolve_panel(newdata, prep0.entity, prep0.time)
        work = des.expansion.apply(data)
        slopes = [n for n in self.params.index if n != CONST]
        prep = prepare_panel(work, slopes, entity=entity, time=time, min_obs=1)
        xb = np.column_stack([prep.col(n) for n in slopes]) @ self.params[slopes].to_numpy()
        if CONST in self.params.index:
            xb = xb + float(self.params[CONST])
        if self.model in ("fe", "fe-iv"):
            alpha, lam = self._effects()
            e_lab = prep.entity_labels[prep.frame["_e"].to_numpy()]
            t_lab = prep.time_labels[prep.frame["_t"].to_numpy()]
            if alpha is not None:
                xb = xb + pd.Series(alpha).reindex(e_lab).to_numpy(dtype=float)
            if lam is not None:
                xb = xb + pd.Series(lam).reindex(t_lab).to_numpy(dtype=float)
        out = pd.Series(xb, index=prep.index, name="predicted")
        return out.reindex(data.index)

    def _design(self) -> Design:
        """The stored :class:`Design`; :class:`InputError` for a result built by hand or read back."""
        if self.design is None:
            raise InputError("this result does not hold its data (made outside fit_panel/fit_iv)")
        return self.design

    def _check_fitted_model(self) -> None:
        """Refuse fitted values for ``fd``, ``between`` and two-way ``re`` (no level prediction)."""
        if self.model not in FITTED_MODELS or (self.model == "re" and self.effects == "twoway"):
            raise InputError(
                f"fitted values, residuals and predictions are not available for model {self.model!r} "
                f"with effects {self.effects!r} (only pooled, fe, re with entity effects and IV)"
            )

    def _xb(self) -> tuple[np.ndarray, np.ndarray]:
        """(y, x'b + constant) on the estimation sample."""
        prep = self._design().prep
        slopes = [n for n in self.params.index if n != CONST]
        xb = np.column_stack([prep.col(n) for n in slopes]) @ self.params[slopes].to_numpy()
        if CONST in self.params.index:
            xb = xb + float(self.params[CONST])
        return prep.col(self.depvar), xb

    def _fitted_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(y, ŷ) on the estimation sample: ŷ = y − û with û the within residual for FE models.

        For ``fe``/``fe-iv`` û = demean(y − x'b̂) over the model's effects, so ŷ = x'b̂ + α̂_i + λ̂_t;
        otherwise ŷ = x'b̂ (+ constant).
        """
        self._check_fitted_model()
        yv, xb = self._xb()
        if self.model in ("fe", "fe-iv"):
            f = self._design().prep.frame
            u = demean((yv - xb)[:, None], f["_e"].to_numpy(), f["_t"].to_numpy(), self.effects)[:, 0]
            return yv, yv - u
        return yv, xb

    def _effects(self) -> tuple[dict[Any, float] | None, dict[Any, float] | None]:
        """α̂_i by entity label and λ̂_t by period label: y − x'b̂ − û = α_i + λ_t split by alternating means.

        With two-way effects the split is normalised so that the λ̂_t have mean zero over the
        used rows (only α̂_i + λ̂_t is identified; predictions do not depend on the split).
        """
        prep = self._design().prep
        _, fit = self._fitted_arrays()
        _, xb = self._xb()
        d = fit - xb
        e = prep.frame["_e"].to_numpy()
        t = prep.frame["_t"].to_numpy()
        ne, nt = len(prep.entity_labels), len(prep.time_labels)
        ce = np.maximum(np.bincount(e, minlength=ne), 1)
        ct = np.maximum(np.bincount(t, minlength=nt), 1)
        alpha = np.zeros(ne)
        lam = np.zeros(nt)
        for _ in range(10_000):
            if self.effects in ("entity", "twoway"):
                alpha = np.bincount(e, weights=d - lam[t], minlength=ne) / ce
            if self.effects in ("time", "twoway"):
                lam = np.bincount(t, weights=d - alpha[e], minlength=nt) / ct
            if self.effects != "twoway" or np.max(np.abs(d - alpha[e] - lam[t])) < 1e-12 * (
                1 + np.max(np.abs(d))
            ):
                break
        if self.effects == "twoway":
            shift = lam[t].mean()
            lam, alpha = lam - shift, alpha + shift
        used_e = np.bincount(e, minlength=ne) > 0
        used_t = np.bincount(t, minlength=nt) > 0
        a = (
            dict(zip(prep.entity_labels[used_e], alpha[used_e], strict=True))
            if self.effects != "time"
            else None
        )
        lt = (
            dict(zip(prep.time_labels[used_t], lam[used_t], strict=True))
            if self.effects != "entity"
            else None
        )
        return a, lt

    def wildboottest(
        self,
        param: str | dict[str, float],
        *,
        seed: int,
        reps: int = 9999,
        weights: str = "webb",
        r: float = 0.0,
        p_type: str = "symmetric",
        level: float = 0.95,
    ) -> Any:
        """Wild cluster restricted bootstrap test of β_param = r (or Σ w·β = r for a mapping ``param``).

        Runs :func:`tfp_talent.estimators.wild_bootstrap.wild_bootstrap_fe` on the rows and
        regressors this result was estimated on, with its effects and its cluster dimension
        (WCR bootstrap-t of Roodman, MacKinnon, Nielsen & Webb 2019, as Stata's ``boottest``;
        Webb or Rademacher weights), and returns its
        :class:`~tfp_talent.estimators.wild_bootstrap.WildBootstrapResult` (``p_value``,
        ``conf_int`` by test inversion, ``t_stat`` equal to this result's t). Only for ``fe`` and
        ``pooled`` models with SEs clustered by entity or by time (one cluster dimension); the
        draws do not depend on the row order or the entity labels (module
        :mod:`~tfp_talent.estimators.wild_bootstrap`, Determinism).
        """
        from tfp_talent.estimators.wild_bootstrap import wild_bootstrap_fe

        if (
            self.model not in ("fe", "pooled")
            or self.cov_type != "clustered"
            or self.cluster
            not in (
                "entity",
                "time",
            )
        ):
            raise InputError(
                "the wild cluster bootstrap needs a model 'fe' or 'pooled' with cov 'clustered' by "
                f"'entity' or 'time' (this result: model {self.model!r}, cov {self.cov_type!r}, "
                f"cluster {self.cluster!r}); refit with cov='clustered'"
            )
        prep = self._design().prep
        slopes = [str(n) for n in self.params.index if n != CONST]
        f = prep.frame
        cols = {
            prep.entity: prep.entity_labels[f["_e"].to_numpy()],
            prep.time: prep.time_labels[f["_t"].to_numpy()],
        }
        for name in [self.depvar, *slopes]:
            cols[name] = prep.col(name)
        frame = pd.DataFrame(cols, index=prep.index)
        return wild_bootstrap_fe(
            frame,
            self.depvar,
            slopes,
            entity=prep.entity,
            time=prep.time,
            param=param,
            seed=seed,
            r=r,
            effects=self.effects,
            cluster=self.cluster,
            reps=reps,
            weights=weights,
            p_type=p_type,
            level=level,
            file=prep.file,
        )

    def summary(self) -> str:
        """A text table as linearmodels' ``summary``: sample, fit, inference and the coefficients."""
        from tfp_talent.estimators.etable import summary_text

        return summary_text(self)

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
        """JSON-safe dict; ``params``/``std_errors``/``tstats``/``pvalues`` map names to floats.

        Keys: the scalar fields of the class, ``regressors`` (coefficient names in order),
        ``conf_int`` (name → [lower, upper] at ``level``), ``cov`` (row name → column name → float)
        and ``extra`` (made JSON-ready by :func:`tfp_talent.io.json_ready`). ``design`` is left out.
        """

        def series(s: pd.Series) -> dict[str, float]:
            """A Series as {str(label): float}."""
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
                for k, lo, hi in zip(
                    self.conf_int.index, self.conf_int["lower"], self.conf_int["upper"], strict=True
                )
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
            "extra": json_ready(self.extra),
        }


def common_extra(prep: PreparedPanel, clu: str | None, cov: str, bw: int | None) -> dict[str, Any]:
    """Bookkeeping every panel result records: entity/time names, balance, rows dropped, clusters, DK lag.

    Keys ``entity``, ``time`` (column names), ``balanced``, ``n_dropped_missing`` (rows dropped for a
    missing value); with ``cov="clustered"`` ``n_clusters`` = {dimension: count} for ``clu``
    ``entity``, ``time`` or ``both``; with ``driscoll-kraay`` ``kernel="bartlett"`` and ``lag`` = ``bw``.
    """
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


@dataclass(frozen=True)
class FitSettings:
    """What a linear panel fit was asked for, as every engine passes it to :func:`assemble`.

    ``model``/``effects`` as :class:`PanelResult`; ``cov``, ``clu`` (cluster dimension or None),
    ``bw`` (Driscoll–Kraay lag; None for the default until the engine fills it in),
    ``convention`` and ``level`` as :mod:`tfp_talent.estimators.inference`; ``depvar`` the
    dependent variable's column (a key of ``PreparedPanel.safe``).
    """

    model: str
    effects: str
    cov: str
    clu: str | None
    bw: int | None
    convention: str
    depvar: str
    level: float


def assemble(
    settings: FitSettings,
    *,
    names: list[str],
    params: np.ndarray,
    vcv: np.ndarray,
    engine: str,
    nobs: int,
    prep: PreparedPanel,
    rsquared: float,
    rsquared_within: float,
    df_resid: int,
    extra: dict[str, Any],
    normal: bool,
    n_clusters_override: int | None = None,
    n_periods_override: int | None = None,
) -> PanelResult:
    """Standard errors, t, p, CI and the model Wald F from params and covariance.

    Formulas in the module docstring; a negative diagonal element of V (a numerical artefact)
    gives se = 0, and the slopes of the F test are all coefficients except ``const``.

    Parameters
    ----------
    settings
        The fit's :class:`FitSettings` (with the lag actually used in ``bw``).
    names, params, vcv
        Coefficient names in order, b (k) and the scaled covariance V (k × k).
    engine, nobs, prep, extra
        Engine label, observations used, the estimation sample (entity and period counts) and
        the engine's statistics; ``extra`` is copied and gains ``distribution`` (``"normal"`` or
        ``"t(df)"``) and ``small_sample_formula`` (from ``inference.CONVENTION_FORMULAS``).
    rsquared, rsquared_within, df_resid
        Stored as given (definitions at :class:`PanelResult`).
    normal
        True for z inference (random effects).
    n_clusters_override, n_periods_override
        G and T of the reference df when they differ from the sample's (first differences).
    """
    clu, cov, convention, level = settings.clu, settings.cov, settings.convention, settings.level
    g = (
        n_clusters_override
        if n_clusters_override is not None
        else cluster_count(clu, prep.n_entities, prep.n_periods)
    )
    t = n_periods_override if n_periods_override is not None else prep.n_periods
    df_t = inference_df(convention, cov, df_resid=df_resid, n_clusters=g, n_periods=t, normal=normal)
    se = np.sqrt(np.clip(np.diag(vcv), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        tst = params / se
    pv = 2.0 * t_sf(np.abs(tst), df_t)
    crit = critical_value(level, df_t)
    idx = pd.Index(names)
    slopes = [i for i, nme in enumerate(names) if nme != CONST]
    fstat, fp = wald_test(params[slopes], vcv[np.ix_(slopes, slopes)], df_t)
    extra = dict(extra)
    extra["distribution"] = "normal" if math.isinf(df_t) else f"t({df_t:g})"
    extra["small_sample_formula"] = CONVENTION_FORMULAS[convention][cov]
    return PanelResult(
        model=settings.model,
        effects=settings.effects,
        cov_type=cov,
        cluster=clu,
        bandwidth=settings.bw,
        convention=convention,
        engine=engine,
        depvar=settings.depvar,
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
    """1 − SSR / Σ (y − ȳ_g)², ȳ_g the mean of y by the codes in column ``code`` (``_e`` or ``_t``)."""
    codes = prep.frame[code].to_numpy()
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=y) / np.where(counts > 0, counts, 1)
    tss = float(((y - means[codes]) ** 2).sum())
    return 1.0 - ssr / tss if tss > 0 else math.nan
