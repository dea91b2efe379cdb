"""Inference shared by every estimator: covariance names, small-sample conventions, Wald tests.

Every estimator of the package (panel, IV, Hausman, threshold, and the ones to come) takes
``cov``, ``cluster`` and ``convention`` from the vocabularies here, applies
:func:`small_sample_factor` to its raw (unscaled) covariance and records the three
names and :data:`CONVENTION_FORMULAS` in its result.


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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError

# --- distribution functions of the tests: the scipy.special functions that scipy.stats calls itself
# (importing scipy.stats costs about 0.6 s in every workflow job, more than pandas; Abramowitz & Stegun 26).
# scipy.special itself (0.17 s) is imported on first use, so jobs that only read stored results skip it.


def _special() -> Any:
    """The ``scipy.special`` module, imported on the first call (see the comment above)."""
    from scipy import special

    return special


def norm_sf(x: float | np.ndarray) -> float | np.ndarray:
    """Upper tail of the standard normal, 1 − Φ(x) = Φ(−x)."""
    return _special().ndtr(-np.asarray(x, dtype=float))


def norm_ppf(q: float | np.ndarray) -> float | np.ndarray:
    """Standard normal quantile Φ⁻¹(q)."""
    return _special().ndtri(q)


def t_sf(x: float | np.ndarray, df: float) -> float | np.ndarray:
    """Upper tail of Student's t with ``df`` degrees of freedom (the normal for infinite df)."""
    return norm_sf(x) if math.isinf(df) else _special().stdtr(df, -np.asarray(x, dtype=float))


def t_ppf(q: float | np.ndarray, df: float) -> float | np.ndarray:
    """Quantile of Student's t with ``df`` degrees of freedom (the normal for infinite df)."""
    return norm_ppf(q) if math.isinf(df) else _special().stdtrit(df, q)


def chi2_sf(x: float | np.ndarray, df: float) -> float | np.ndarray:
    """Upper tail of χ²(df)."""
    return _special().chdtrc(df, x)


def f_sf(x: float | np.ndarray, dfn: float, dfd: float) -> float | np.ndarray:
    """Upper tail of F(dfn, dfd)."""
    return _special().fdtrc(dfn, dfd, x)


def f_isf(q: float, dfn: float, dfd: float) -> float:
    """Upper-tail quantile of F(dfn, dfd): the x with P(F > x) = q.

    Used for critical values, e.g. the Anderson–Rubin set's F at 1 − level.
    """
    return _special().fdtri(dfn, dfd, 1.0 - q)


COVS: tuple[str, ...] = ("unadjusted", "robust", "clustered", "driscoll-kraay")
CLUSTERS: tuple[str, ...] = ("entity", "time", "both")
CONVENTIONS: tuple[str, ...] = ("stata", "areg", "cluster", "none")
DEFAULT_COV = "clustered"
DEFAULT_CLUSTER = "entity"
DEFAULT_CONVENTION = "stata"
DEFAULT_LEVEL = 0.95


def check_covariance(cov: str, cluster: str | None, bandwidth: int | None, convention: str) -> str | None:
    """Validate a (cov, cluster, bandwidth, convention) combination; return the cluster used (or None).

    Parameters
    ----------
    cov
        One of :data:`COVS` (formulas in the module docstring).
    cluster
        ``entity``, ``time`` or ``both`` with ``cov="clustered"`` (None means ``entity``); with any
        other ``cov`` only None or ``entity``, the default every entry point passes, is accepted.
    bandwidth
        Bartlett lag L of ``driscoll-kraay``, a whole number >= 0; None for the default lag
        (:func:`default_bandwidth`) and for every other ``cov``.
    convention
        One of :data:`CONVENTIONS` (the small-sample table of the module docstring).

    Returns
    -------
    str or None
        The cluster dimension with ``cov="clustered"``, else None.

    Raises
    ------
    InputError
        For an unknown cov, convention or cluster, a cluster other than ``entity`` without
        ``cov="clustered"``, or a bandwidth with another cov or that is negative or fractional.
    """
    if cov not in COVS:
        raise InputError(f"unknown cov {cov!r}; use one of {', '.join(COVS)}")
    if convention not in CONVENTIONS:
        raise InputError(f"unknown convention {convention!r}; use one of {', '.join(CONVENTIONS)}")
    clu: str | None = None
    if cov == "clustered":
        clu = cluster or DEFAULT_CLUSTER
        if clu not in CLUSTERS:
            raise InputError(f"unknown cluster {clu!r}; use one of {', '.join(CLUSTERS)}")
    elif cluster is not None and cluster != DEFAULT_CLUSTER:
        raise InputError(f"cluster {cluster!r} is only used with cov 'clustered' (got cov {cov!r})")
    if bandwidth is not None:
        if cov != "driscoll-kraay":
            raise InputError(f"bandwidth is only used with cov 'driscoll-kraay' (got cov {cov!r})")
        if int(bandwidth) != bandwidth or bandwidth < 0:
            raise InputError(f"bandwidth must be a whole number >= 0, got {bandwidth!r}")
    return clu


# pyfixest / fixest ``vcov`` names -> this package's ``cov``; the one place these aliases are defined.
# ``{"CRV1": "col"}`` clusters by ``col`` (the entity or time column, or "entity+time" for both);
# ``"CRV1"`` alone clusters by entity; ``"HC1"`` is accepted as pyfixest's synonym of ``"hetero"``.
VCOV_ALIASES: dict[str, str] = {
    "iid": "unadjusted",
    "hetero": "robust",
    "HC1": "robust",
    "CRV1": "clustered",
    "DK": "driscoll-kraay",
}


def resolve_vcov(vcov: str | dict[str, str], *, entity: str, time: str) -> tuple[str, str | None]:
    """(cov, cluster) of a pyfixest-style ``vcov`` (or of a ``cov`` name of this package).

    ``"iid"`` → unadjusted, ``"hetero"``/``"HC1"`` → robust, ``"CRV1"`` → clustered by entity,
    ``{"CRV1": entity}`` / ``{"CRV1": time}`` / ``{"CRV1": "entity+time"}`` → clustered by entity /
    time / both, ``"DK"`` → driscoll-kraay (lag from ``bandwidth``). Names of :data:`COVS` pass through.

    ``entity`` and ``time`` are the panel's column names; a ``CRV1`` dict may name either the columns
    or the words ``entity``/``time``, and ``^`` reads as ``+`` (``{"CRV1": "id^year"}``). Returns
    (cov, cluster) with cluster None unless the covariance is clustered. Raises
    :class:`InputError` for a dict with more than one entry or another key than ``CRV1``, a cluster
    variable that is neither the entity nor the time column, and an unknown name.
    """
    if isinstance(vcov, dict):
        if len(vcov) != 1:
            raise InputError(f"vcov dict must have one entry such as {{'CRV1': {entity!r}}}, got {vcov!r}")
        ((kind, by),) = vcov.items()
        if VCOV_ALIASES.get(kind, kind) != "clustered":
            raise InputError(f"a vcov dict names the cluster variable of 'CRV1', got {vcov!r}")
        parts = sorted(p.strip() for p in str(by).replace("^", "+").split("+") if p.strip())
        dims = {entity: "entity", time: "time", "entity": "entity", "time": "time"}
        unknown = [p for p in parts if p not in dims]
        if unknown or not parts:
            raise InputError(
                f"can cluster only by the entity ({entity!r}) or time ({time!r}) column, or both "
                f"('{entity}+{time}'); got {by!r}",
                column=unknown or str(by),
            )
        used = {dims[p] for p in parts}
        return "clustered", "both" if len(used) == 2 else used.pop()
    name = VCOV_ALIASES.get(str(vcov), str(vcov))
    if name not in COVS:
        known = ", ".join([*VCOV_ALIASES, *COVS])
        raise InputError(f"unknown vcov {vcov!r}; use one of {known} or {{'CRV1': column}}")
    return name, ("entity" if name == "clustered" else None)


def default_bandwidth(n_periods: int) -> int:
    """floor(4 (T/100)^(2/9)), the default lag of Stata's ``xtscc`` (Hoechle 2007)."""
    return int(math.floor(4.0 * (n_periods / 100.0) ** (2.0 / 9.0)))


def absorbed_levels(effects: str, n_entities: int, n_periods: int) -> tuple[int, int]:
    """(K_fe, entity levels - 1 when entity effects are absorbed) for ``effects`` none/entity/time/twoway.

    With G entities and T periods: ``entity`` (G, G − 1), ``time`` (T, 0), ``twoway``
    (G + T − 1, G − 1), ``none`` or any other word (0, 0). K_fe counts the absorbed levels of
    the module docstring's table; the second number is ``k_fe_entity`` of
    :func:`small_sample_factor` (the entity levels the ``stata`` convention leaves out of K_dk).
    """
    g, t = n_entities, n_periods
    return {
        "entity": (g, g - 1),
        "time": (t, 0),
        "twoway": (g + t - 1, g - 1),
    }.get(effects, (0, 0))


def nested_levels(effects: str, cluster: str | None, n_entities: int, n_periods: int) -> int:
    """Σ(levels − 1) over the absorbed effects nested in the cluster variables (K_c of the table).

    Entity effects are nested in entity clusters (``cluster`` ``entity`` or ``both``) and count
    entities − 1; period effects are nested in time clusters (``time`` or ``both``) and count
    periods − 1; 0 without clustering. Two-way effects clustered by entity give G − 1, so
    K_c = k + (G + T − 1) − (G − 1) = k + T, as ``xtreg ... i.year, fe vce(cluster id)``.
    """
    if cluster is None:
        return 0
    out = 0
    if effects in ("entity", "twoway") and cluster in ("entity", "both"):
        out += n_entities - 1
    if effects in ("time", "twoway") and cluster in ("time", "both"):
        out += n_periods - 1
    return out


def cluster_count(cluster: str | None, n_entities: int, n_periods: int) -> int | None:
    """G: entities, periods, or min(entities, periods) with two-way clustering (fixest ``G.df="min"``).

    None when ``cluster`` is None (the covariance is not clustered).
    """
    return {"entity": n_entities, "time": n_periods, "both": min(n_entities, n_periods)}.get(cluster or "")


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

    Parameters
    ----------
    convention, cov
        Names of :data:`CONVENTIONS` and :data:`COVS`; ``convention`` is taken as validated
        (:func:`check_covariance`). ``none`` returns 1 for every ``cov``.
    nobs, k, k_fe
        N, the estimated coefficients (constant included) and K_fe (:func:`absorbed_levels`).
    k_fe_nested, k_fe_entity
        :func:`nested_levels` and the second number of :func:`absorbed_levels`; read only by
        the ``stata`` convention, for ``clustered`` and ``driscoll-kraay`` respectively.
    n_clusters, n_periods
        G (:func:`cluster_count`) for ``clustered`` and T for ``driscoll-kraay``.

    Raises
    ------
    InputError
        With fewer than 2 clusters (periods for Driscoll–Kraay), when N − K <= 0 (no residual
        degrees of freedom), or for an unknown ``cov``.
    """
    n = nobs
    if convention == "none":
        return 1.0
    k_all = k + k_fe
    if cov in ("unadjusted", "robust"):
        if convention == "cluster":
            return 1.0
        return _ratio(n, n - k_all)
    if cov in ("clustered", "driscoll-kraay"):
        # G/(G-1) over clusters, or T/(T-1) over periods for Driscoll-Kraay (its "clusters" are the periods)
        clustered = cov == "clustered"
        g = int((n_clusters if clustered else n_periods) or 0)
        if g < 2:
            unit = (
                "clustered standard errors need at least 2 clusters"
                if clustered
                else ("driscoll-kraay standard errors need at least 2 periods")
            )
            raise InputError(f"{unit}, got {g}")
        gfac = g / (g - 1)
        if convention == "cluster":
            return gfac
        kk = k_all - (k_fe_nested if clustered else k_fe_entity) if convention == "stata" else k_all
        return gfac * _ratio(n - 1, n - kk)
    raise InputError(f"unknown cov {cov!r}")


def _ratio(num: float, den: float) -> float:
    """num / den, with :class:`InputError` when den = N − K <= 0 (as many parameters as rows)."""
    if den <= 0:
        raise InputError(
            f"too few observations for the number of parameters: N - K = {den:g} "
            "(the model, with its fixed effects, uses as many parameters as there are observations)"
        )
    return num / den


def inference_df(
    convention: str, cov: str, *, df_resid: float, n_clusters: int | None, n_periods: int | None, normal: bool
) -> float:
    """Degrees of freedom of the t reference distribution (``math.inf`` = normal).

    G − 1 for ``clustered``, T − 1 for ``driscoll-kraay`` (as ``xtscc``), N − k − K_fe otherwise;
    the normal for ``convention="none"`` and for estimators that report z statistics (``normal``).

    ``df_resid`` is N − k − K_fe; ``n_clusters`` is G (:func:`cluster_count`) and ``n_periods``
    is T, each read only by its covariance; ``normal`` is True for random effects (z, as
    ``xtreg, re``). A missing count gives −1 degrees of freedom, so the caller passes both.
    """
    if convention == "none" or normal:
        return math.inf
    if cov == "clustered":
        return float(int(n_clusters or 0) - 1)
    if cov == "driscoll-kraay":
        return float(int(n_periods or 0) - 1)
    return float(df_resid)


def wald_test(b: np.ndarray, v: np.ndarray, df_t: float) -> tuple[float, float]:
    """Wald test of b = 0: F = b'V⁻¹b / q with F(q, df_t), or χ²(q)/q when df_t is infinite.

    NaN when V has rank below q (e.g. a cluster-robust V of more coefficients than G − 1 clusters
    support, as with province trends): Stata then reports the F statistic as missing.

    ``b`` holds the q tested coefficients and ``v`` their q × q covariance (already scaled by
    :func:`small_sample_factor`); ``df_t`` is the denominator df (:func:`inference_df`). Returns
    (F, p); with df_t = ∞ the p-value is that of W = q·F under χ²(q). NaN for q = 0 or singular V.
    """
    q = b.shape[0]
    if q == 0 or np.linalg.matrix_rank(v) < q:
        return math.nan, math.nan
    try:
        w = float(b @ np.linalg.solve(v, b))
    except np.linalg.LinAlgError:
        return math.nan, math.nan
    f = w / q
    p = float(chi2_sf(w, q)) if math.isinf(df_t) else float(f_sf(f, q, df_t))
    return f, p


def linear_restrictions_test(
    params: np.ndarray,
    cov: np.ndarray,
    restrictions: np.ndarray,
    values: Sequence[float] | None = None,
    *,
    df_t: float,
) -> tuple[float, float, int]:
    """Wald test of R β = r: F = (Rβ − r)'(R V R')⁻¹(Rβ − r) / q, F(q, df_t) (χ²(q)/q if df_t = ∞).

    Returns (F, p, q). Greene (2018), Econometric Analysis, 8th ed., eq. 5-13.

    ``params`` (k) and ``cov`` (k × k) are the estimates and their covariance; ``restrictions``
    is R (q × k, or one row of k weights for a single restriction); ``values`` is r (default
    zeros); ``df_t`` as in :func:`wald_test`, which computes the statistic from Rβ − r and RVR'.
    """
    rr = np.atleast_2d(np.asarray(restrictions, dtype=float))
    rv = np.zeros(rr.shape[0]) if values is None else np.asarray(values, dtype=float)
    d = rr @ np.asarray(params, dtype=float) - rv
    f, p = wald_test(d, rr @ np.asarray(cov, dtype=float) @ rr.T, df_t)
    return f, p, int(rr.shape[0])


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


class NormalInference:
    """z-statistics, two-sided normal p-values and normal intervals of estimates that have ``params``,
    ``std_errors`` (pandas Series by coefficient) and a default ``level`` (GMM and spatial ML results)."""

    params: pd.Series
    std_errors: pd.Series
    level: float

    @property
    def zvalues(self) -> pd.Series:
        """z-statistics b / se."""
        return self.params / self.std_errors

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided normal p-values of the z-statistics."""
        return pd.Series(2 * norm_sf(np.abs(self.zvalues.to_numpy())), index=self.params.index)

    def conf_int(self, level: float | None = None) -> pd.DataFrame:
        """Normal-approximation interval b ± z_{(1+level)/2} · se (columns ``lower``, ``upper``)."""
        lv = self.level if level is None else level
        if not 0 < lv < 1:
            raise InputError(f"confidence level must be between 0 and 1, got {lv}")
        q = norm_ppf((1 + lv) / 2)
        se = self.std_errors
        return pd.DataFrame({"lower": self.params - q * se, "upper": self.params + q * se})


def coefficient_interval(
    result: Mapping[str, Any], name: str, level: float = 0.95
) -> tuple[float, float, float] | None:
    """(b, lower, upper) of coefficient ``name`` of a result dict, the interval the study's tables use.

    The wild cluster bootstrap confidence set stored with the result (``extra.wild_bootstrap.<name>``)
    when its level is ``level``; else b ± t_{df} · se with the result's ``df_inference`` (G − 1 when
    clustered); else b ± z · se. None if the coefficient or its SE is missing or not finite.

    ``result`` is a stored result dict (:meth:`PanelResult.to_dict
    <tfp_talent.estimators.results.PanelResult.to_dict>` or any dict with ``params``,
    ``std_errors``, ``df_inference`` and ``extra``); ``level`` is the confidence level in (0, 1).
    """
    b = (result.get("params") or {}).get(name)
    se = (result.get("std_errors") or {}).get(name)
    if b is None or se is None or not (math.isfinite(b) and math.isfinite(se)):
        return None
    wild = ((result.get("extra") or {}).get("wild_bootstrap") or {}).get(name) or {}
    if wild.get("conf_int") is not None and math.isclose(float(wild.get("level", level)), level):
        lo, hi = (float(x) for x in wild["conf_int"])
        return float(b), lo, hi
    c = critical_value(level, result.get("df_inference"))
    return float(b), float(b) - c * float(se), float(b) + c * float(se)


def critical_value(level: float, df_t: float | None) -> float:
    """The (1 + level)/2 quantile of t(df_t), or of the normal when df_t is infinite or missing.

    E.g. level 0.95: 2.042 with df_t = 30 (G = 31 clusters), 1.960 for the normal.
    """
    df = math.inf if df_t is None else float(df_t)
    return float(t_ppf(0.5 + level / 2.0, df))
