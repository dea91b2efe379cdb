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

Calls: keywords (``fit_panel(df, "y", ["x1", "L2.x2"], entity="id", time="year")``) or a
pyfixest formula (``fit_panel("y ~ x1 + C(g) + L(x2, 2) | id + year", df, vcov={"CRV1": "id"})``),
grammar and term expansion in :mod:`tfp_talent.estimators.formula`; both give the same estimates.

Covariance and small-sample conventions: :mod:`tfp_talent.estimators.inference`
(the formulas, the default ``stata`` convention and the reference distributions are stated there).

Stata equivalents (default ``convention="stata"``)
    ``fe`` entity effects, ``cov="clustered"``   ``xtreg y x, fe vce(cluster id)``
    ``fe`` two-way effects                       ``xtreg y x i.year, fe vce(cluster id)`` (period
                                                 dummies not reported) or ``reghdfe y x, absorb(id year)
                                                 vce(cluster id)``
    ``re``, ``re_variance="stata"``              ``xtreg y x, re vce(cluster id)`` (z inference)
    ``pooled``, ``cov="robust"``                 ``regress y x, vce(robust)``
    ``fe`` entity effects, driscoll-kraay        ``xtscc y x, fe`` (Hoechle 2007)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.design import prepare_panel
from tfp_talent.estimators.formula import effects_of, expand_terms, is_formula, resolve_panel
from tfp_talent.estimators.formula import parse as parse_formula_parts
from tfp_talent.estimators.inference import (
    DEFAULT_CLUSTER,
    DEFAULT_CONVENTION,
    DEFAULT_COV,
    DEFAULT_LEVEL,
    check_covariance,
    resolve_vcov,
)
from tfp_talent.estimators.panel_linearmodels import fit_linearmodels
from tfp_talent.estimators.panel_pyfixest import fit_pyfixest
from tfp_talent.estimators.re_variance import DEFAULT_RE_VARIANCE, RE_VARIANCES
from tfp_talent.estimators.results import Design, FitSettings, PanelResult

EFFECTS = ("none", "entity", "time", "twoway")
DEFAULT_EFFECTS = {"fe": "twoway", "re": "entity", "pooled": "none", "fd": "none", "between": "none"}
# model -> engine; a new linear panel model is one entry here (and its engine function)
ENGINES: dict[str, Callable[..., PanelResult]] = {
    "pooled": fit_pyfixest,
    "fe": fit_pyfixest,
    "re": fit_linearmodels,
    "fd": fit_linearmodels,
    "between": fit_linearmodels,
}
MODELS = tuple(ENGINES)
# covariance when none is given: clustered by entity, except for the between model (one row per entity)
MODEL_DEFAULT_COV = {"between": "robust"}


def check_options(
    model: str,
    effects: str | None,
    cov: str,
    cluster: str | None,
    bandwidth: int | None,
    convention: str,
) -> tuple[str, str | None]:
    """Validate the option combination; return (effects, cluster) with defaults filled in.

    ``effects=None`` takes :data:`DEFAULT_EFFECTS` of the model; the cluster comes from
    :func:`~tfp_talent.estimators.inference.check_covariance`. Raises :class:`InputError` for an
    unknown model or effects, ``fe`` without effects, ``re`` with effects other than ``entity`` or
    ``twoway``, effects with ``pooled``/``fd``/``between``, and ``between`` with clustered or
    Driscoll–Kraay covariance (it has one row per entity and no time dimension).
    """
    if model not in MODELS:
        raise InputError(f"unknown model {model!r}; use one of {', '.join(MODELS)}")
    eff = DEFAULT_EFFECTS[model] if effects is None else effects
    if eff not in EFFECTS:
        raise InputError(f"unknown effects {eff!r}; use one of {', '.join(EFFECTS)}")
    if model == "fe" and eff == "none":
        raise InputError(
            "model 'fe' needs effects 'entity', 'time' or 'twoway' (use model 'pooled' for none)"
        )
    if model == "re" and eff not in ("entity", "twoway"):
        raise InputError(
            "model 're' has entity random effects: use effects 'entity' or 'twoway' (adds period dummies)"
        )
    if model in ("pooled", "fd", "between") and eff != "none":
        raise InputError(
            f"model {model!r} takes no effects (effects 'none'); use model 'fe' or 're' for effects"
        )
    if model == "between" and cov == "clustered":
        raise InputError(
            "model 'between' has one observation per entity: use cov 'robust' "
            "(it is already robust to correlation within entities)"
        )
    if cov == "driscoll-kraay" and model == "between":
        raise InputError("driscoll-kraay needs a time dimension; model 'between' has none")
    return eff, check_covariance(cov, cluster, bandwidth, convention)


def fit_panel(
    data: pd.DataFrame | str,
    y: str | pd.DataFrame,
    x: Sequence[str] | str | None = None,
    *,
    entity: str | None = None,
    time: str | None = None,
    model: str | None = None,
    effects: str | None = None,
    cov: str | None = None,
    cluster: str | None = DEFAULT_CLUSTER,
    bandwidth: int | None = None,
    convention: str = DEFAULT_CONVENTION,
    level: float = DEFAULT_LEVEL,
    re_variance: str = DEFAULT_RE_VARIANCE,
    vcov: str | dict[str, str] | None = None,
    file: str | Path | None = None,
) -> PanelResult:
    """Estimate a linear panel model: y_it = x_it'β + effects + e_it.

    Two ways to call it (the same estimates, to the last bit):

    * keywords: ``fit_panel(data, "y", ["x1", "L2.x2"], entity="id", time="year", model="fe")``;
    * a formula (pyfixest's): ``fit_panel("y ~ x1 + C(g) + log(x2) + L(x3, 2) | id + year", data,
      vcov={"CRV1": "id"})`` — or ``fit_panel(data, "y ~ ...")``; the grammar is in
      :mod:`tfp_talent.estimators.formula`. Fixed effects named after ``|`` set ``model="fe"``
      and the effects (``| id`` entity, ``| year`` time, ``| id + year`` two-way); without a
      ``|`` part the ``model``/``effects`` keywords decide (default: two-way FE, as before).

    Parameters
    ----------
    data
        Long panel, one row per entity-period; a two-level MultiIndex (entity, time) may
        replace ``entity``/``time`` (as linearmodels takes it).
    y, x
        Dependent variable and regressors (column names, lags ``L2.x``, or any formula term such
        as ``C(g)``), or a formula as ``y`` with ``x=None``. A pandas ``category`` regressor
        becomes dummies (first level dropped, columns ``g[T.level]``); a text column holding numbers
        is refused (say ``C(g)`` or convert it).
    entity, time
        Entity and period columns (periods sortable; whole numbers for lags).
    model
        ``pooled`` (OLS with a constant), ``fe`` (within; the default), ``re`` (GLS random
        effects, Swamy–Arora), ``fd`` (first differences, no constant), ``between``
        (OLS on entity means, with a constant).
    effects
        ``entity``, ``time`` or ``twoway`` for ``fe`` (default ``twoway``); ``entity``
        or ``twoway`` for ``re`` (``twoway`` adds period dummies, not reported;
        default ``entity``); ``none`` for the others.
    cov, cluster, bandwidth
        Covariance (default ``clustered``, ``robust`` for ``between``): ``unadjusted``, ``robust``,
        ``clustered`` (``cluster`` =
        ``entity``, ``time`` or ``both``) or ``driscoll-kraay`` (Bartlett lag
        ``bandwidth``; default floor(4(T/100)^(2/9))).
    vcov
        pyfixest's name for the same choice, instead of ``cov``/``cluster``: ``"iid"``, ``"hetero"``,
        ``"CRV1"`` or ``{"CRV1": "id"}``, ``"DK"`` (table in :mod:`tfp_talent.estimators.inference`).
    convention
        Small-sample convention: ``stata`` (default), ``areg``, ``cluster``,
        ``none`` — formulas in :mod:`tfp_talent.estimators.inference`.
    level
        Confidence level of ``conf_int``.
    re_variance
        Random-effects variance components: ``stata`` (default; ``xtreg, re``, linearmodels) or
        ``plm`` (R plm's Swamy–Arora with its unbalanced-panel trace corrections); equal on balanced
        panels (:mod:`tfp_talent.estimators.re_variance`).
    file
        Name of the data file, for error messages.

    Returns
    -------
    PanelResult
        With ``design`` set, so ``resid``, ``fitted``, ``predict`` and ``wildboottest`` work.

    Raises
    ------
    InputError
        For a missing or doubled regressor, y among the regressors, an IV formula (use
        :func:`~tfp_talent.estimators.iv.fit_iv`), a formula's fixed effects that contradict
        ``model``/``effects``, both ``vcov`` and ``cov``, a level outside (0, 1), an option
        combination :func:`check_options` refuses, ``re_variance`` other than ``stata`` without
        ``re``, and every data error of :func:`~tfp_talent.estimators.design.prepare_panel` and of
        the engine (constant or collinear regressors, too few observations).
    """
    if isinstance(data, str) and isinstance(y, pd.DataFrame):
        data, y = y, data
    if not isinstance(y, str):
        raise InputError("the dependent variable (or the formula) must be a string")
    file_s = None if file is None else str(file)
    fixed_effects = None
    if x is None and is_formula(y):
        parsed = parse_formula_parts(y)
        if parsed.is_iv:
            raise InputError(
                "an IV formula ('... | endog ~ instruments') is estimated by fit_iv, not fit_panel"
            )
        y, x, fixed_effects = parsed.depvar, parsed.terms, parsed.fixed_effects
    elif x is None:
        raise InputError(f"give the regressors x, or a formula such as '{y} ~ x1 + x2'")
    data, entity, time = resolve_panel(data, entity, time, fixed_effects)
    if fixed_effects:
        fe_eff = effects_of(fixed_effects, entity, time)
        if model not in (None, "fe") or effects not in (None, fe_eff):
            raise InputError(
                f"the formula's fixed effects ({' + '.join(fixed_effects)}) mean model 'fe' with effects "
                f"{fe_eff!r}; drop model=/effects= or the '|' part"
            )
        model, effects = "fe", fe_eff
    model = model or "fe"
    if isinstance(x, str):
        x = [x]  # one regressor, not its letters
    x = [str(v) for v in x]
    if not x:
        raise InputError("at least one regressor is needed")
    if str(y) in x:
        raise InputError("the dependent variable is also a regressor", column=str(y))
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")
    if vcov is not None:
        if cov is not None:
            raise InputError("give either vcov (pyfixest's names) or cov/cluster, not both")
        cov, cluster = resolve_vcov(vcov, entity=entity, time=time)
    if cov is None:
        cov = MODEL_DEFAULT_COV.get(model, DEFAULT_COV)
    eff, clu = check_options(model, effects, cov, cluster, bandwidth, convention)
    work, expansion = expand_terms(data, [str(y), *x], file=file_s)
    y_col = expansion.columns[str(y)]
    if len(y_col) != 1:
        raise InputError("the dependent variable must be one number per row, not categories", column=str(y))
    x_cols = expansion.names(x)
    if y_col[0] in x_cols:
        raise InputError("the dependent variable is also a regressor", column=y_col[0])
    prep = prepare_panel(work, [y_col[0], *x_cols], entity=entity, time=time, file=file)
    x_names = [n for n in prep.safe if n != y_col[0]]
    if len(x_names) != len(x_cols):
        raise InputError("a regressor is listed twice", column=x)
    if re_variance not in RE_VARIANCES:
        raise InputError(f"unknown re_variance {re_variance!r}; use one of {', '.join(RE_VARIANCES)}")
    if re_variance != DEFAULT_RE_VARIANCE and model != "re":
        raise InputError(f"re_variance is only used with model 're' (got model {model!r})")
    settings = FitSettings(model, eff, cov, clu, bandwidth, convention, y_col[0], level)
    res = ENGINES[model](prep, x_names, settings, re_variance)
    res.design = Design(prep=prep, expansion=expansion, terms=list(x), depvar_term=str(y))
    return res
