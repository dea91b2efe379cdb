"""Fixed-effects two-stage least squares (FE-2SLS) for panels.

Model: y_it = x_it'β + w_it'δ + a_i + λ_t + e_it, with endogenous regressors x
instrumented by z (excluded instruments) and exogenous regressors w.

Estimation (Wooldridge 2010, Econometric Analysis of Cross Section and Panel Data,
§11.4): the absorbed effects are removed from y, x, w and z by pyfixest's
alternating-projection ``demean`` (exact two-way within transform, balanced or
not; tolerance 1e-10), then **linearmodels** ``IV2SLS`` estimates
β̂ = (X̃'P_Z̃X̃)⁻¹X̃'P_Z̃ỹ on the demeaned data, with X̃ = [x̃, w̃], Z̃ = [z̃, w̃].
The raw covariance of linearmodels (``debiased=False``) is scaled by the
small-sample factor of :mod:`tfp_talent.estimators.inference` with K_fe absorbed
levels (the same conventions as :func:`~tfp_talent.estimators.panel.fit_panel`).

Diagnostics (in ``PanelResult.extra``)
    ``first_stage[x]``: partial R² and Shea's partial R² (linearmodels), and the
    first-stage partial F of the excluded instruments, F = W/q, W the Wald
    statistic of the instruments' coefficients in the regression of x̃ on
    [z̃, w̃] with the chosen covariance (robust/clustered → a robust F), scaled by
    the same convention with k = dim(z) + dim(w). With one endogenous regressor
    this robust F is the Kleibergen–Paap (2006) rk Wald F as reported by
    ``ivreg2``/``xtivreg2`` (Baum, Schaffer & Stillman 2007) up to their finite-sample
    scaling; with ``unadjusted`` it is the Cragg–Donald F. ``weak_id_f`` holds it
    when there is one endogenous regressor (with more, use the individual F's).
    ``overid`` (over-identified models): Hansen's J = n ḡ'Ŝ⁻¹ḡ at the two-step
    efficient GMM estimate with the weight matrix of the chosen covariance
    (linearmodels ``IVGMM``; Sargan's statistic with ``unadjusted``), χ²(q − dim x).
    The first-stage F has the p-value of F(q, G − 1) when clustered, of F(q, N − k − K_fe)
    otherwise (k = dim(z) + dim(w), plus the constant without effects), and of χ²(q) for
    W with ``convention="none"``; ``first_stage[x]`` holds ``partial_f``,
    ``partial_f_pvalue``, ``df_num`` (q), ``df_denom``, ``partial_rsquared`` and
    ``shea_rsquared`` (Shea 1997).
    ``weak_iv`` (not with two-way clustering, which ``ivreg2`` does not offer either): the
    Cragg–Donald and Kleibergen–Paap F, Sanderson–Windmeijer F, Anderson–Rubin test and
    confidence set, Stock–Yogo critical values of
    :func:`~tfp_talent.estimators.iv_diagnostics.iv_weak_diagnostics` with ivreg2's
    counts for the within transform (``dofminus`` = entities with entity effects,
    ``sdofminus`` = periods − 1 with two-way effects, periods with time effects).
    Also in ``extra``: ``endog``, ``exog``, ``instruments`` (column names after term
    expansion), ``weak_id_name`` and the keys of
    :func:`~tfp_talent.estimators.results.common_extra`.

Instruments may be lags: ``instruments=["L2.x"]`` or ``{"x": ["L2.x", "L3.x"]}``
(the dict only documents which instruments go with which regressor; all
instruments are used for all endogenous regressors, as in any 2SLS). Lags are
built within entity by calendar period and never cross gaps
(:mod:`tfp_talent.estimators.design`).

Fit statistics: ``rsquared`` = 1 − Σû²/Σ(y − ȳ)² with the 2SLS residuals û = ỹ − X̃β̂ of the
demeaned equation (the absorbed effects count as explained; :func:`_rsquared_levels`), and
``rsquared_within`` of :func:`~tfp_talent.estimators.results.within_rsquared` with the same
SSR. Degrees of freedom and the reference distribution are those of ``fe`` (N − k − K_fe; G − 1
when clustered). With ``effects="none"`` a constant is estimated and K_fe = 0.

Stata counterpart of the estimates: ``xtivreg2 y w (x = z), fe`` (Schaffer, xtivreg2) with entity
effects, with period dummies in w for two-way effects (the same β̂ by Frisch–Waugh–Lovell).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.design import FIXEF_TOL, check_regressors, demean, prepare_panel
from tfp_talent.estimators.formula import effects_of, expand_terms, is_formula, resolve_panel
from tfp_talent.estimators.formula import parse as parse_formula_parts
from tfp_talent.estimators.inference import (
    DEFAULT_CLUSTER,
    DEFAULT_CONVENTION,
    DEFAULT_COV,
    DEFAULT_LEVEL,
    absorbed_levels,
    chi2_sf,
    cluster_count,
    f_sf,
    nested_levels,
    resolve_vcov,
    small_sample_factor,
)
from tfp_talent.estimators.panel import check_options
from tfp_talent.estimators.results import (
    Design,
    FitSettings,
    PanelResult,
    assemble,
    common_extra,
    within_rsquared,
)

IV_EFFECTS = ("none", "entity", "time", "twoway")


def _flatten(instruments: Sequence[str] | Mapping[str, Sequence[str]]) -> list[str]:
    """The instruments as one list, each once in first-seen order (a dict's values concatenated)."""
    if isinstance(instruments, Mapping):
        out: list[str] = []
        for v in instruments.values():
            out.extend([v] if isinstance(v, str) else list(v))
        return list(dict.fromkeys(out))
    if isinstance(instruments, str):
        return [instruments]
    return list(dict.fromkeys(str(v) for v in instruments))


def fit_iv(
    data: pd.DataFrame | str,
    y: str | pd.DataFrame,
    exog: Sequence[str] | None = None,
    endog: Sequence[str] | str | None = None,
    instruments: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    *,
    entity: str | None = None,
    time: str | None = None,
    effects: str | None = None,
    cov: str | None = None,
    cluster: str | None = DEFAULT_CLUSTER,
    convention: str = DEFAULT_CONVENTION,
    level: float = DEFAULT_LEVEL,
    vcov: str | dict[str, str] | None = None,
    file: str | Path | None = None,
) -> PanelResult:
    """FE-2SLS of ``y`` on ``endog`` (instrumented by ``instruments``) and ``exog``.

    Keywords: ``fit_iv(data, "y", ["w"], ["x"], ["L2.x", "z"], entity="id", time="year")``, or
    pyfixest's IV formula ``fit_iv("y ~ w | id + year | x ~ L2.x + z", data, vcov={"CRV1": "id"})``
    (also ``fit_iv(data, formula)``; ``y ~ 1 | id | x ~ z`` has no exogenous regressor; without a
    fixed-effects part the ``effects`` keyword decides; grammar in :mod:`tfp_talent.estimators.formula`).
    ``effects``: ``twoway`` (default), ``entity``, ``time`` or ``none`` (pooled
    2SLS with a constant). ``cov``: ``unadjusted``, ``robust`` or ``clustered``
    (``cluster`` = entity, time, both), or pyfixest's ``vcov`` names; Driscoll–Kraay is not offered
    for IV. Conventions as :func:`~tfp_talent.estimators.panel.fit_panel`. Returns a
    :class:`~tfp_talent.estimators.panel.PanelResult` with ``model="fe-iv"``
    (``"pooled-iv"`` without effects); diagnostics in ``extra``.

    Parameters
    ----------
    data, y
        Long panel (or a MultiIndex (entity, time) frame) and the dependent variable, or the IV
        formula as ``y`` (then ``exog``, ``endog`` and ``instruments`` stay None).
    exog, endog
        Exogenous regressors w (may be empty) and endogenous regressors x: column names, lags
        or formula terms (``C(g)`` gives dummies).
    instruments
        Excluded instruments z, a list or a dict {endogenous: [instruments]} (module docstring);
        at least as many columns as endogenous regressors.
    entity, time
        Entity and period columns (see :func:`~tfp_talent.estimators.formula.resolve_panel`).
    cov, cluster, convention, vcov
        Covariance words of :mod:`tfp_talent.estimators.inference` (default ``clustered`` by entity).
    level
        Confidence level of ``conf_int`` and of the Anderson–Rubin confidence set.
    file
        Data file name for error messages.

    Raises
    ------
    InputError
        For a formula without the IV part or given together with the keywords, missing endog or
        instruments, fewer instrument columns than endogenous ones (under-identification), an
        instrument that is also y or a regressor, a variable listed twice, ``driscoll-kraay``,
        unknown effects, constant or collinear regressors or instruments after the within
        transform (:func:`~tfp_talent.estimators.design.check_regressors`), and data errors of
        :func:`~tfp_talent.estimators.design.prepare_panel`.
    """
    if isinstance(data, str) and isinstance(y, pd.DataFrame):
        data, y = y, data
    if not isinstance(y, str):
        raise InputError("the dependent variable (or the formula) must be a string")
    fixed_effects = None
    if is_formula(y):
        if endog is not None or instruments is not None or exog is not None:
            raise InputError("give either an IV formula or exog/endog/instruments, not both")
        parsed = parse_formula_parts(y)
        if not parsed.is_iv:
            raise InputError(f"an IV formula ends with '| endog ~ instruments', got {y!r}")
        y, exog, endog, instruments = parsed.depvar, parsed.terms, parsed.endog, parsed.instruments
        fixed_effects = parsed.fixed_effects
    if endog is None or instruments is None:
        raise InputError("give the endogenous regressors and the instruments (or an IV formula)")
    data, entity, time = resolve_panel(data, entity, time, fixed_effects)
    if fixed_effects:
        fe_eff = effects_of(fixed_effects, entity, time)
        if effects not in (None, fe_eff):
            raise InputError(
                f"the formula's fixed effects mean effects {fe_eff!r}; drop effects= or the '|' part"
            )
        effects = fe_eff
    effects = effects or "twoway"
    if vcov is not None:
        if cov is not None:
            raise InputError("give either vcov (pyfixest's names) or cov/cluster, not both")
        cov, cluster = resolve_vcov(vcov, entity=entity, time=time)
    cov = cov or DEFAULT_COV
    endog_t = [endog] if isinstance(endog, str) else [str(v) for v in endog]
    exog_t = [exog] if isinstance(exog, str) else [str(v) for v in (exog or [])]
    instr_t = _flatten(instruments)
    file_s = None if file is None else str(file)
    work, expansion = expand_terms(data, [y, *endog_t, *exog_t, *instr_t], file=file_s)
    if len(expansion.columns[y]) != 1:
        raise InputError("the dependent variable must be one number per row, not categories", column=y)
    y = expansion.columns[y][0]
    endog_l, exog_l, instr_l = expansion.names(endog_t), expansion.names(exog_t), expansion.names(instr_t)
    if not endog_l:
        raise InputError("at least one endogenous regressor is needed")
    if len(instr_l) < len(endog_l):
        raise InputError(
            f"the model is under-identified: {len(instr_l)} excluded instrument(s) for "
            f"{len(endog_l)} endogenous regressor(s)",
            column=instr_l or endog_l,
        )
    overlap = set(instr_l) & set(exog_l + endog_l + [y])
    if overlap:
        raise InputError(
            "an instrument is also the dependent variable or a regressor", column=sorted(overlap)
        )
    if set(endog_l) & set(exog_l) or y in endog_l + exog_l:
        raise InputError(
            "a variable is listed twice among y, exog and endog",
            column=sorted(set(endog_l) & set(exog_l)) or y,
        )
    if cov == "driscoll-kraay":
        raise InputError("driscoll-kraay is not available for IV; use cov 'clustered' (entity, time or both)")
    if effects not in IV_EFFECTS:
        raise InputError(f"unknown effects {effects!r}; use one of {', '.join(IV_EFFECTS)}")
    _, clu = check_options("fe" if effects != "none" else "pooled", effects, cov, cluster, None, convention)
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")

    data = work
    prep = prepare_panel(data, [y, *endog_l, *exog_l, *instr_l], entity=entity, time=time, file=file)
    f = prep.frame
    e = f["_e"].to_numpy()
    t = f["_t"].to_numpy()
    cols = [y, *endog_l, *exog_l, *instr_l]
    raw = np.column_stack([prep.col(c) for c in cols])
    dm = demean(raw, e, t, effects)
    ny = 1
    Y = dm[:, :ny]
    X_end = dm[:, ny : ny + len(endog_l)]
    W = dm[:, ny + len(endog_l) : ny + len(endog_l) + len(exog_l)]
    Z = dm[:, ny + len(endog_l) + len(exog_l) :]
    after = {
        "none": "",
        "entity": "after removing the entity means",
        "time": "after removing the period means",
    }.get(effects, "after removing the entity and period effects")
    const = effects == "none"
    check_regressors(
        np.column_stack([X_end, W]), endog_l + exog_l, file=prep.file, after=after, has_constant=const
    )
    check_regressors(
        np.column_stack([W, Z]), exog_l + instr_l, file=prep.file, after=after, has_constant=const
    )

    from linearmodels.iv import IV2SLS, IVGMM

    n = prep.nobs
    exog_df = pd.DataFrame(W, columns=exog_l) if exog_l else None
    if const:
        exog_df = (
            pd.concat([pd.DataFrame({"const": np.ones(n)}), exog_df], axis=1)
            if exog_df is not None
            else pd.DataFrame({"const": np.ones(n)})
        )
    dep = pd.Series(Y[:, 0], name=y)
    end_df = pd.DataFrame(X_end, columns=endog_l)
    ins_df = pd.DataFrame(Z, columns=instr_l)
    lm_cov, cfg = _iv_cov(cov, clu, e, t)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = IV2SLS(dep, exog_df, end_df, ins_df).fit(cov_type=lm_cov, debiased=False, **cfg)
            first = res.first_stage
            fs_diag = first.diagnostics
            overid = None
            if len(instr_l) > len(endog_l):
                wcfg = dict(cfg)
                gmm = IVGMM(dep, exog_df, end_df, ins_df, weight_type=lm_cov, **wcfg).fit(
                    cov_type=lm_cov, debiased=False, **cfg
                )
                j = gmm.j_stat
                overid = {
                    "name": "Sargan" if cov == "unadjusted" else "Hansen J",
                    "statistic": float(j.stat),
                    "df": int(j.df),
                    "p_value": float(j.pval),
                }
    except (ValueError, np.linalg.LinAlgError) as err:
        raise InputError(
            f"the IV model cannot be estimated on these data: {str(err).strip().splitlines()[0]}",
            file=prep.file,
        ) from None

    names = [*(["const"] if const else []), *endog_l, *exog_l]
    params = res.params[names].to_numpy(dtype=float)
    vraw = res.cov.loc[names, names].to_numpy(dtype=float)
    k = len(params)
    k_fe, k_fe_entity = absorbed_levels(effects, prep.n_entities, prep.n_periods)
    nested = nested_levels(effects, clu, prep.n_entities, prep.n_periods)
    n_clu = cluster_count(clu, prep.n_entities, prep.n_periods)
    factor = small_sample_factor(
        convention, cov, nobs=n, k=k, k_fe=k_fe, k_fe_nested=nested, k_fe_entity=k_fe_entity, n_clusters=n_clu
    )
    q = len(instr_l)
    k_fs = len(exog_l) + q + (1 if const else 0)
    factor_fs = small_sample_factor(
        convention,
        cov,
        nobs=n,
        k=k_fs,
        k_fe=k_fe,
        k_fe_nested=nested,
        k_fe_entity=k_fe_entity,
        n_clusters=n_clu,
    )
    first_stage: dict[str, Any] = {}
    for x in endog_l:
        row = fs_diag.loc[x]
        wald_raw = float(row["f.stat"]) * (q if cov == "unadjusted" else 1)
        fstat = wald_raw / q / factor_fs
        df_den = (n_clu - 1) if (cov == "clustered" and convention != "none") else (n - k_fs - k_fe)
        p = float(f_sf(fstat, q, df_den)) if convention != "none" else float(chi2_sf(wald_raw, q))
        first_stage[x] = {
            "partial_f": fstat,
            "partial_f_pvalue": p,
            "df_num": q,
            "df_denom": int(df_den) if convention != "none" else None,
            "partial_rsquared": float(row["partial.rsquared"]),
            "shea_rsquared": float(row["shea.rsquared"]),
        }
    extra = common_extra(prep, clu, cov, None)
    extra.update(
        {
            "endog": endog_l,
            "exog": exog_l,
            "instruments": instr_l,
            "first_stage": first_stage,
            "weak_id_f": first_stage[endog_l[0]]["partial_f"] if len(endog_l) == 1 else math.nan,
            "weak_id_name": (
                (
                    "Cragg-Donald Wald F"
                    if cov == "unadjusted"
                    else "Kleibergen-Paap rk Wald F (one endogenous regressor)"
                )
                if len(endog_l) == 1
                else "not computed (several endogenous regressors)"
            ),
            "overid": overid,
            "fixef_tol": FIXEF_TOL if effects != "none" else None,
        }
    )
    if clu != "both":  # two-way clustering is not offered by the weak-IV statistics (ivreg2 neither)
        from tfp_talent.estimators.iv_diagnostics import iv_weak_diagnostics, make_design

        w_d = np.column_stack([np.ones(n), W]) if const else W
        design = make_design(
            Y[:, 0],
            X_end,
            w_d,
            Z,
            cov=cov,
            clusters={"entity": e, "time": t}.get(clu) if cov == "clustered" else None,
            dofminus=prep.n_entities if effects in ("entity", "twoway") else 0,
            sdofminus={"twoway": prep.n_periods - 1, "time": prep.n_periods}.get(effects, 0),
        )
        weak = iv_weak_diagnostics(design, endog_names=endog_l, level=level)
        extra["weak_iv"] = weak.to_dict()
    model = "fe-iv" if effects != "none" else "pooled-iv"
    out = assemble(
        FitSettings(model, effects, cov, clu, None, convention, y, level),
        names=[str(c) for c in names],
        params=params,
        vcv=vraw * factor,
        engine="pyfixest demean + linearmodels IV2SLS/IVGMM",
        nobs=n,
        prep=prep,
        rsquared=_rsquared_levels(prep.col(y), res.resids.to_numpy()),
        rsquared_within=within_rsquared(
            prep, prep.col(y), float((res.resids.to_numpy() ** 2).sum()), effects
        ),
        df_resid=n - k - k_fe,
        extra=extra,
        normal=False,
    )
    out.design = Design(prep=prep, expansion=expansion, terms=[*endog_t, *exog_t], depvar_term=y)
    return out


def _rsquared_levels(y: np.ndarray, resid: np.ndarray) -> float:
    """1 − SSR/TSS with the residuals of the full model (effects included) and y in levels.

    TSS = Σ(y − ȳ)² around the grand mean; NaN when y is constant.
    """
    tss = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float((resid**2).sum()) / tss if tss > 0 else math.nan


def _iv_cov(cov: str, clu: str | None, e: np.ndarray, t: np.ndarray) -> tuple[str, dict[str, Any]]:
    """linearmodels' ``cov_type`` and fit options for ``cov``: clusters are the entity codes ``e``,
    the period codes ``t`` or both columns (two-way clustering) for ``clu`` entity/time/both."""
    if cov == "unadjusted":
        return "unadjusted", {}
    if cov == "robust":
        return "robust", {}
    clusters: Any = {"entity": e, "time": t, "both": np.column_stack([e, t])}[clu]  # type: ignore[index]
    return "clustered", {"clusters": clusters}
