"""Fixed-effects spatial panel models (SAR, SEM, SDM) by maximum likelihood, as R splm's ``spml``.

``fit_spatial_panel`` estimates, on a balanced panel of N units over T periods with one N x N
weights matrix W (Elhorst 2014, Spatial Econometrics, ch. 3):

* ``sar``:  y_t = lambda W y_t + X_t beta + mu + alpha_t + e_t
* ``sem``:  y_t = X_t beta + mu + alpha_t + u_t,  u_t = rho W u_t + e_t
* ``sdm``:  y_t = lambda W y_t + X_t beta + W X_t theta + mu + alpha_t + e_t  (the SAR machinery with
  the regressors [X, W X], W X formed before demeaning, as splm's ``spml(..., Durbin=TRUE)``)

with unit effects mu (``effects="individual"``) or unit and period effects (``"twoways"``), by
concentrated ML on the within-transformed data. The default ``convention="splm"`` reproduces
splm 1.6-5 ``spml(model="within", LeeYu=TRUE)``: the Lee & Yu (2010, J. Econometrics 154)
sigma^2 correction T/(T-1) with T-1 effective periods for individual effects, and for two-way
effects splm's bias correction of the two-way-demeaned ML estimates with (N-1)(T-1) effective
observations in the information matrix (details and formulas: ``spatial_ml``).
``convention="leeyu"`` is Lee & Yu's transformation approach for two-way effects (orthonormal
removal of the period effects: (N-1)(T-1) effective observations, ln|I - lambda W| - ln(1 - lambda)),
which, unlike the direct approach splm corrects, is unbiased when N is small; for individual
effects it equals ``"splm"``.

Simulated SDM (tests/estimators/test_spatial_sim.py; 200 seeds, N = 30 k-NN units, T = 10,
lambda = 0.4): bias of lambda and 95 % coverage -0.0048 / 0.98 (individual effects, splm convention),
-0.0009 / 0.97 (two-way, leeyu); all coefficients' biases within 0.01 and coverage 0.915-0.98. splm's
two-way convention gives a lambda bias of -0.071 (coverage 0.78) there, so use ``"leeyu"`` for
two-way models with few units; ``"splm"`` stays the default to reproduce splm.
``convention="spreg"`` is plain ML without corrections (spreg's SEs: no df correction).
SEs are from the analytic information matrix; p-values and intervals are normal.

Where this extends spreg: spreg 1.9's ``Panel_FE_Lag`` / ``Panel_FE_Error`` fit one-way
(individual) effects only, without the Lee-Yu corrections; this module adds two-way effects, the
Lee-Yu conventions, the SDM, the effects decomposition with delta-method and simulated
inference (``spatial_effects``), LM / robust LM, Wald and LR model-choice tests (``spatial_tests``),
sparse log-determinants for large N (``spatial_logdet``) and id-checked weights input.
The one-way SAR and SEM coefficients equal spreg's (tested to 1e-6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import NormalInference
from tfp_talent.estimators.spatial_alignment import align_weights, coerce_weights
from tfp_talent.estimators.spatial_data import EFFECTS, SpatialPanel, demean, spatial_panel
from tfp_talent.estimators.spatial_effects import spatial_effects
from tfp_talent.estimators.spatial_logdet import SpatialOperator
from tfp_talent.estimators.spatial_ml import CONVENTIONS, MLFit, fit_ml
from tfp_talent.estimators.spatial_tests import (
    likelihood_ratio,
    lm_tests_arrays,
    wald_common_factor,
    wald_theta_zero,
)

MODELS = ("sar", "sem", "sdm")
LAG_PREFIX = "W."


@dataclass
class SpatialPanelResult(NormalInference):
    """Estimates, SEs, log-likelihood, effects and tests of one spatial panel model.

    Attributes
    ----------
    model, effects, convention, logdet_method
        ``sar`` / ``sem`` / ``sdm``; ``individual`` / ``twoways``; ``splm`` / ``leeyu`` / ``spreg``;
        ``eigen`` or ``lu`` (what ``logdet="auto"`` chose).
    params, vcov
        (lambda or rho, beta[, theta]) indexed ``lambda`` / ``rho``, the regressors and (SDM) ``W.x``;
        their covariance, the (spatial, beta) block of the inverse information matrix (``spatial_ml``).
    sigma2, loglik
        Error variance under ``convention`` (bias-corrected for splm two-way) and the log-likelihood
        used by the LR tests.
    nobs, n_entities, n_periods, level
        N·T, N, T and the default interval level.
    effects_table
        {regressor: {direct | indirect | total: {estimate, se_delta, p_delta, ci_delta[, se_sim, p_sim,
        ci_sim, mean_sim, draws_used]}}} of :func:`~tfp_talent.estimators.spatial_effects.spatial_effects`
        (SAR and SDM; empty for SEM).
    tests
        {name: {statistic, df, pvalue}}: ``lm_lag``, ``lm_error``, ``robust_lm_lag``, ``robust_lm_error``
        and, for the SDM, ``wald_sdm_vs_sar``, ``wald_sdm_vs_sem``, ``lr_sdm_vs_sar``, ``lr_sdm_vs_sem``.
    draws, seed
        Simulation settings of the effects (0 draws: none).
    """

    model: str
    effects: str
    convention: str
    logdet_method: str
    params: pd.Series
    vcov: pd.DataFrame
    sigma2: float
    loglik: float
    nobs: int
    n_entities: int
    n_periods: int
    level: float
    effects_table: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    tests: dict[str, dict[str, float]] = field(default_factory=dict)
    draws: int = 0
    seed: int | None = None
    cov: str = "information"  # SEs from the analytic information matrix (no sandwich / cluster options)

    @property
    def spatial_name(self) -> str:
        """Name of the spatial coefficient: ``"rho"`` (SEM) or ``"lambda"`` (SAR, SDM)."""
        return "rho" if self.model == "sem" else "lambda"

    @property
    def spatial(self) -> float:
        """lambda (SAR, SDM) or rho (SEM)."""
        return float(self.params.iloc[0])

    @property
    def std_errors(self) -> pd.Series:
        """sqrt(diag vcov) by parameter (information-matrix SEs)."""
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.params.index)

    def summary(self) -> str:
        """Plain-text table of estimates, effects and tests."""
        name = {"sar": "spatial lag (SAR)", "sem": "spatial error (SEM)", "sdm": "spatial Durbin (SDM)"}[
            self.model
        ]
        ci = self.conf_int()
        lines = [
            f"Fixed-effects {name} panel, {self.effects} effects, ML ({self.convention} convention)",
            f"N = {self.n_entities}, T = {self.n_periods}, obs = {self.nobs}; "
            f"log-likelihood = {self.loglik:.4f};"
            f" sigma^2 = {self.sigma2:.6g}; log-det: {self.logdet_method}",
            "",
            f"{'':<18}{'coef':>12}{'se':>12}{'z':>9}{'p':>9}{'lower':>12}{'upper':>12}",
        ]
        for p in self.params.index:
            lines.append(
                f"{p:<18}{self.params[p]:>12.6f}{self.std_errors[p]:>12.6f}{self.zvalues[p]:>9.3f}"
                f"{self.pvalues[p]:>9.4f}{ci.loc[p, 'lower']:>12.6f}{ci.loc[p, 'upper']:>12.6f}"
            )
        if self.effects_table:
            lines += ["", f"Effects (SE: delta method; simulated from {self.draws} draws, seed {self.seed})"]
            lines.append(f"{'':<18}{'kind':<10}{'estimate':>12}{'se_delta':>12}{'se_sim':>12}")
            for var, kinds in self.effects_table.items():
                for kind, row in kinds.items():
                    sim = row.get("se_sim", float("nan"))
                    lines.append(
                        f"{var:<18}{kind:<10}{row['estimate']:>12.6f}{row['se_delta']:>12.6f}{sim:>12.6f}"
                    )
        if self.tests:
            lines += ["", f"{'test':<30}{'statistic':>12}{'df':>5}{'p':>9}"]
            for tname, t in self.tests.items():
                lines.append(f"{tname:<30}{t['statistic']:>12.4f}{t['df']:>5d}{t['pvalue']:>9.4f}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (floats, lists, nested dicts).

        Keys: the specification (``model``, ``effects``, ``convention``, ``cov``, ``logdet_method``),
        ``params`` / ``std_errors`` / ``pvalues`` {name: value}, ``conf_int`` {name: [lower, upper]},
        ``vcov`` (nested list in ``params`` order), the spatial coefficient under its name (``lambda`` or
        ``rho``), ``sigma2``, ``log_likelihood``, the counts, ``level``, ``effects_table``, ``tests``,
        ``draws`` and ``seed``.
        """
        ci = self.conf_int()
        return {
            "model": self.model,
            "effects": self.effects,
            "convention": self.convention,
            "cov": self.cov,
            "logdet_method": self.logdet_method,
            "params": {k: float(v) for k, v in self.params.items()},
            "std_errors": {k: float(v) for k, v in self.std_errors.items()},
            "pvalues": {k: float(v) for k, v in self.pvalues.items()},
            "conf_int": {
                k: [float(ci.loc[k, "lower"]), float(ci.loc[k, "upper"])] for k in self.params.index
            },
            "vcov": self.vcov.to_numpy().tolist(),
            self.spatial_name: self.spatial,
            "sigma2": float(self.sigma2),
            "log_likelihood": float(self.loglik),
            "nobs": int(self.nobs),
            "n_entities": int(self.n_entities),
            "n_periods": int(self.n_periods),
            "level": float(self.level),
            "effects_table": self.effects_table,
            "tests": self.tests,
            "draws": int(self.draws),
            "seed": self.seed,
        }


def _check_choice(value: str, choices: tuple[str, ...], what: str) -> None:
    """Raise :class:`InputError` naming ``what`` and the allowed values unless ``value`` is one of them."""
    if value not in choices:
        raise InputError(f"unknown {what} '{value}'; use one of {', '.join(choices)}")


def fit_spatial_panel(
    data: pd.DataFrame,
    y: str,
    x: list[str],
    *,
    entity: str,
    time: str,
    w: Any,
    w_ids: list[object] | None = None,
    model: str = "sar",
    effects: str = "individual",
    convention: str = "splm",
    logdet: str = "auto",
    draws: int = 1000,
    seed: int = 1,
    level: float = 0.95,
    tests: bool = True,
    file: str | Path | None = None,
    weights_file: str | Path | None = None,
) -> SpatialPanelResult:
    """Fit a fixed-effects SAR, SEM or SDM panel by ML (module docstring) and return its result.

    ``w``: dense array, DataFrame (index = ids), scipy sparse matrix or libpysal ``W``; ``w_ids`` the
    unit ids in W's row order (taken from the DataFrame index or ``W.id_order`` when not given), matched
    to the ``entity`` values by their text. ``draws`` / ``seed``: simulated effects inference (SAR, SDM;
    0 skips it). ``tests``: LM tests on the non-spatial FE model, and for the SDM the Wald and LR tests of
    theta = 0 and theta = -lambda beta (the LR tests fit the SAR and the SEM as well).

    Parameters
    ----------
    data
        Balanced long panel, one row per (``entity``, ``time``), no missing values.
    y, x
        Dependent variable and regressors (no constant: the fixed effects absorb it).
    model, effects, convention
        One of :data:`MODELS`; ``"individual"`` or ``"twoways"``; ``"splm"`` (default), ``"leeyu"`` or
        ``"spreg"`` (module docstring).
    logdet
        ``"auto"``, ``"eigen"`` or ``"lu"`` (:mod:`tfp_talent.estimators.spatial_logdet`).
    level
        Level of the normal intervals of the coefficients and effects.
    file, weights_file
        File names quoted in error messages about the data and the weights.

    Returns
    -------
    SpatialPanelResult

    Raises
    ------
    InputError
        An unknown model, effects, convention or log-determinant method; negative ``draws``; data
        problems of :func:`~tfp_talent.estimators.spatial_data.spatial_panel` (unbalanced, missing
        values, fewer than 2 periods); weights that are not square, not finite, have islands or ids not
        equal to the entities (:mod:`~tfp_talent.estimators.spatial_alignment`); regressors collinear
        after demeaning; the Lee-Yu two-way approach with a W that is not row-standardised; a spatial
        coefficient on the bound of its admissible interval.
    """
    _check_choice(model, MODELS, "model")
    _check_choice(effects, EFFECTS, "effects")
    _check_choice(convention, CONVENTIONS, "convention")
    if draws < 0:
        raise InputError(f"draws must be >= 0 (got {draws})")
    panel = spatial_panel(data, y, x, entity=entity, time=time, file=file)
    mat, ids = coerce_weights(w, w_ids)
    op = SpatialOperator(align_weights(mat, ids, panel.entities, file=weights_file), method=logdet)
    yt, xt, names = _design(panel, op, model, effects)
    fit = _fit(model, yt, xt, op, effects, convention, names)
    spatial_name = "rho" if model == "sem" else "lambda"
    index = [spatial_name, *names]
    params = pd.Series(np.r_[fit.spatial, fit.beta], index=index)
    res = SpatialPanelResult(
        model=model,
        effects=effects,
        convention=convention,
        logdet_method=op.method,
        params=params,
        vcov=pd.DataFrame(fit.vcov, index=index, columns=index),
        sigma2=fit.sigma2,
        loglik=fit.loglik,
        nobs=panel.n * panel.t,
        n_entities=panel.n,
        n_periods=panel.t,
        level=level,
        draws=draws,
        seed=seed,
    )
    k = len(panel.x_names)
    if model in ("sar", "sdm"):
        theta = fit.beta[k:] if model == "sdm" else None
        res.effects_table = spatial_effects(
            op, fit.spatial, fit.beta[:k], theta, fit.vcov, panel.x_names, draws=draws, seed=seed, level=level
        )
    if tests:
        res.tests = _tests(model, fit, panel, op, effects, convention, k)
    return res


def _design(
    panel: SpatialPanel, op: SpatialOperator, model: str, effects: str
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Demeaned y (T, N), X (T, N, k') and the regressor names; for the SDM X is [X, W X], W X lagged
    before demeaning (names ``W.x``), as splm's ``Durbin=TRUE``."""
    x = panel.x
    names = list(panel.x_names)
    if model == "sdm":
        x = np.concatenate([x, op.lag(x)], axis=2)
        names += [LAG_PREFIX + n for n in panel.x_names]
    return demean(panel.y, effects), demean(x, effects), names


def _fit(model, yt, xt, op, effects, convention, names) -> MLFit:
    """ML fit of the spatial error model for ``sem``, of the spatial lag model for ``sar`` and ``sdm``."""
    kind = "error" if model == "sem" else "lag"
    return fit_ml(kind, yt, xt, op, effects=effects, convention=convention, names=names)


def _tests(model, fit, panel, op, effects, convention, k) -> dict[str, dict[str, float]]:
    """LM tests on the demeaned non-spatial design; for the SDM also the Wald and LR tests (k = len(x)).

    The LR tests refit the SAR and the SEM on the same demeaned data and convention (``loglik_only``)
    and compare log-likelihoods, df = k (formulas in :mod:`tfp_talent.estimators.spatial_tests`).
    """
    yt, xt, names = _design(panel, op, "sar", effects)
    out = lm_tests_arrays(yt, xt, op)
    if model != "sdm":
        return out
    lam, beta, theta = fit.spatial, fit.beta[:k], fit.beta[k:]
    out["wald_sdm_vs_sar"] = wald_theta_zero(theta, fit.vcov[1 + k :, 1 + k :])
    out["wald_sdm_vs_sem"] = wald_common_factor(lam, beta, theta, fit.vcov)
    sar, sem = (
        fit_ml(kind, yt, xt, op, effects=effects, convention=convention, names=names, loglik_only=True)
        for kind in ("lag", "error")
    )
    out["lr_sdm_vs_sar"] = likelihood_ratio(fit.loglik, sar.loglik, k)
    out["lr_sdm_vs_sem"] = likelihood_ratio(fit.loglik, sem.loglik, k)
    return out
