"""Concentrated maximum likelihood for fixed-effects spatial lag and spatial error panels.

Model (Elhorst 2014, Spatial Econometrics, ch. 3), on the within-transformed data (T periods,
N units, W the same in every period):

* lag (SAR; SDM when X holds [X, WX]):  y~_t = lambda W y~_t + X~_t beta + e_t;
  concentrated log-likelihood  l(lambda) = -(NT/2) ln(e0'e0 - 2 lambda e0'e1 + lambda^2 e1'e1)
  + T ln|I - lambda W|, with e0, e1 the OLS residuals of y~ and W y~ on X~ (Elhorst 2014, eq. 3.13);
* error (SEM):  y~_t = X~_t beta + u_t, u_t = rho W u_t + e_t;
  l(rho) = -(NT/2) ln SSE(rho) + T ln|I - rho W|, SSE from OLS of y~ - rho W y~ on X~ - rho W X~.

Conventions (``convention``), read from splm 1.6-5 ``spfeml`` / ``splaglm`` / ``sperrorlm``
(``model="within", LeeYu=TRUE``, Hessian ``Hess=FALSE``):

* ``"splm"`` (default). Individual effects: estimates are the ML ones, sigma^2 = T/(T-1) SSE/(NT)
  and the information matrix uses T-1 periods (Lee & Yu 2010, J. Econometrics 154, sec. 3).
  Two-way effects: the data are demeaned by unit and by period (not by the orthonormal
  transformation); the ML estimates theta = (sigma^2, lambda, beta) are then bias-corrected as
  splm does, theta_c = (T/(T+1) sigma^2, lambda, beta) - Sigma(theta)/N a, with
  a = (1/(2 sigma^2), 1/(1-lambda), 0), Sigma the inverse information with N, T (Lee & Yu 2010,
  sec. 4, bias of the direct approach), and SEs from the information at theta_c with N-1 units
  and T-1 periods (the Lee-Yu effective sample (N-1)(T-1)).
* ``"leeyu"``: the transformation approach of Lee & Yu (2010, sec. 4) for two-way effects (row-
  standardised W): the period effects are removed by an orthonormal F (N x (N-1), F'1 = 0), which
  leaves y*_t = lambda W* y*_t + X*_t beta + e*_t with W* = F'WF; the concentrated likelihood is
  l(lambda) = -((N-1)(T-1)/2) ln SSE + (T-1)[ln|I - lambda W| - ln(1 - lambda)], sigma^2 = SSE/((N-1)(T-1)),
  and the information matrix uses the traces of G* = F'GF (``_traces``). Computed without forming F:
  the two-way-demeaned data already lie in the space F spans, and W-lags are projected back onto it by
  subtracting their period means. Consistent when N is small relative to T, where the direct approach
  (and splm's correction) keeps an O(1/N) bias in lambda (see tests/estimators/test_spatial_sim.py).
  For individual effects it is the same as ``"splm"``.
* ``"spreg"``: plain ML with no corrections: sigma^2 = SSE/(NT), information with N, T (as spreg's
  ``Panel_FE_Lag`` / ``Panel_FE_Error``, which are one-way only).

Information matrix, order (sigma^2, lambda, beta), G = W (I - lambda W)^{-1}, T', N' effective:
  I_ss = N'T'/(2 s^4), I_sl = T' tr G / s^2, I_ll = T'(tr GG + tr G'G) + (G X~ b)'(G X~ b)/s^2,
  I_lb = X~'(I_T (x) G) X~ b / s^2, I_bb = X~'X~/s^2   (lag; Elhorst 2014, eq. 3.16);
  for the error model I_ll = T'(tr GG + tr G'G), I_lb = 0, I_bb = X*'X*/s^2 with X* = X~ - rho W X~.
The log-likelihood reported (and used by the LR tests) is T' ln|I - lambda W| - (N'T'/2)(ln(2 pi s^2) + 1)
with s^2 = SSE/(N'T'), at the ML estimates before any bias correction (splm's value for individual
effects; splm reports the concentrated value for its error model and N, T for two-way effects).
The reported covariance of (lambda, beta) is the corresponding block of the full inverse (splm
reports the same diagonal; it zeroes the lambda-beta covariances, which this module keeps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar

from tfp_talent.errors import InputError
from tfp_talent.estimators.spatial_alignment import is_row_standardised
from tfp_talent.estimators.spatial_logdet import SpatialOperator

CONVENTIONS = ("splm", "leeyu", "spreg")
_XATOL = 1e-11


@dataclass(frozen=True)
class MLFit:
    """Estimates of one spatial panel model: spatial coefficient first, then beta.

    ``spatial`` is lambda (lag) or rho (error), ``beta`` the k slopes (SDM: [beta, theta]); ``sigma2``
    and ``vcov`` follow the convention (module docstring; ``vcov`` is empty when only the likelihood was
    asked for); ``loglik`` the log-likelihood at the uncorrected ML estimates; ``residuals`` (T, N) those
    of the reported estimates; ``n_eff``, ``t_eff`` the effective N', T'.
    """

    kind: str  # "lag" or "error"
    spatial: float
    beta: np.ndarray
    sigma2: float
    vcov: np.ndarray  # (1 + k) x (1 + k): spatial coefficient, beta
    loglik: float
    residuals: np.ndarray  # (T, N)
    n_eff: int
    t_eff: int


def _effective(n: int, t: int, effects: str, convention: str) -> tuple[int, int]:
    """(N', T'): (N, T) for ``spreg``; else (N, T − 1) for individual, (N − 1, T − 1) for two-way effects."""
    if convention == "spreg":
        return n, t
    return (n, t - 1) if effects == "individual" else (n - 1, t - 1)


def _flat(xt: np.ndarray) -> np.ndarray:
    """(T, N, k) → (T·N, k), period-major rows."""
    return xt.reshape(-1, xt.shape[-1])


def _maximise(objective, op: SpatialOperator) -> float:
    """Maximiser of a concentrated log-likelihood on ``op.interval`` (bounded Brent, x-tolerance 1e-11).

    Raises :class:`InputError` when the likelihood is not finite there, or when the maximiser lies
    within 1e-6 of a bound (a boundary solution: the spatial coefficient is not identified).
    """
    lo, hi = op.interval
    res = minimize_scalar(
        lambda v: -objective(v), bounds=(lo, hi), method="bounded", options={"xatol": _XATOL}
    )
    if not np.isfinite(res.fun):
        raise InputError("the spatial likelihood is not finite on the admissible interval; check the weights")
    if min(res.x - lo, hi - res.x) < 1e-6:
        raise InputError(
            f"the spatial coefficient is on the bound of its interval ({lo:.4g}, {hi:.4g}); "
            "the model is not identified"
        )
    return float(res.x)


def _loglik(ssr: float, logdet: float, n_eff: int, t_eff: int) -> float:
    """ln L = T' ln|I - lambda W| - (N'T'/2) ln(2 pi s^2) - SSE/(2 s^2), s^2 = SSE/(N'T') (splm's value)."""
    nt = n_eff * t_eff
    s2 = ssr / nt
    return float(t_eff * logdet - nt / 2 * np.log(2 * np.pi * s2) - ssr / (2 * s2))


def _traces(g: np.ndarray, lam: float, transformed: bool) -> tuple[float, float, float]:
    """tr G, tr GG, tr G'G; on the (N-1)-dimensional space orthogonal to 1 when ``transformed``.

    There G~ = F'GF (F'F = I, F'1 = 0); with W 1 = 1, G 1 = 1/(1-lam) 1, so tr G~ = tr G - 1/(1-lam),
    tr G~G~ = tr GG - 1/(1-lam)^2 and tr G~'G~ = tr(G' M G M), M = I - 11'/N.
    """
    if not transformed:
        return float(np.trace(g)), float(np.sum(g * g.T)), float(np.sum(g * g))
    c = 1.0 / (1.0 - lam)
    mgm = g - g.mean(axis=0, keepdims=True)
    mgm = mgm - mgm.mean(axis=1, keepdims=True)
    return float(np.trace(g)) - c, float(np.sum(g * g.T)) - c * c, float(np.sum(mgm * mgm))


def _lag_information(op, lam, beta, s2, xt, n_eff, t_eff, transformed=False) -> np.ndarray:
    """Information matrix of the lag model in the order (sigma^2, lambda, beta) (module docstring).

    G X~ b is formed per period; with ``transformed`` (Lee-Yu two-way) it is demeaned across units
    and the traces are those of G* (:func:`_traces`). Returns a (k + 2, k + 2) array.
    """
    g = op.g_matrix(lam)
    k = xt.shape[-1]
    x = _flat(xt)
    t, n = xt.shape[:2]
    gxt = (g @ xt.transpose(1, 0, 2).reshape(n, t * k)).reshape(n, t, k).transpose(1, 0, 2)
    if transformed:
        gxt = gxt - gxt.mean(axis=1, keepdims=True)
    gxb = _flat(gxt) @ beta
    tr_g, tr_gg, tr_gtg = _traces(g, lam, transformed)
    info = np.zeros((k + 2, k + 2))
    info[0, 0] = n_eff * t_eff / (2 * s2**2)
    info[0, 1] = info[1, 0] = t_eff * tr_g / s2
    info[1, 1] = t_eff * (tr_gg + tr_gtg) + gxb @ gxb / s2
    info[1, 2:] = info[2:, 1] = x.T @ gxb / s2
    info[2:, 2:] = x.T @ x / s2
    return info


def _error_information(op, rho, s2, xt, n_eff, t_eff, transformed=False) -> np.ndarray:
    """Information matrix of the error model, order (sigma^2, rho, beta): I_rho,beta = 0, I_bb = X*'X*/s^2.

    X* = X~ − rho W X~ (W X~ re-demeaned across units when ``transformed``). Returns (k + 2, k + 2).
    """
    g = op.g_matrix(rho)
    k = xt.shape[-1]
    xs = _flat(xt - rho * _lagged(op, xt, transformed))
    tr_g, tr_gg, tr_gtg = _traces(g, rho, transformed)
    info = np.zeros((k + 2, k + 2))
    info[0, 0] = n_eff * t_eff / (2 * s2**2)
    info[0, 1] = info[1, 0] = t_eff * tr_g / s2
    info[1, 1] = t_eff * (tr_gg + tr_gtg)
    info[2:, 2:] = xs.T @ xs / s2
    return info


def _lagged(op: SpatialOperator, values: np.ndarray, transformed: bool) -> np.ndarray:
    """W values per period; demeaned across units again on the transformed (two-way Lee-Yu) space."""
    out = op.lag(values)
    return out - out.mean(axis=1, keepdims=True) if transformed else out


def _setup(op: SpatialOperator, n: int, t: int, effects: str, convention: str):
    """(transformed?, N', T', log-det function) of a convention."""
    n_eff, t_eff = _effective(n, t, effects, convention)
    transformed = convention == "leeyu" and effects == "twoways"
    if not transformed:
        return False, n_eff, t_eff, op.logdet
    if not is_row_standardised(op.w):
        raise InputError("the Lee-Yu transformation approach with two-way effects needs a row-standardised W")
    return True, n_eff, t_eff, lambda v: op.logdet(v) - np.log(1.0 - v)


def _bias_correct(theta: np.ndarray, sigma: np.ndarray, n: int, t: int) -> np.ndarray:
    """splm's two-way Lee-Yu correction: (T/(T+1) s^2, lambda, beta) - Sigma a / N."""
    a = np.zeros(len(theta))
    a[0] = 1.0 / (2 * theta[0])
    a[1] = 1.0 / (1.0 - theta[1])
    init = np.ones(len(theta))
    init[0] = t / (t + 1.0)
    return init * theta - sigma @ a / n


def _check_rank(x: np.ndarray, names: list[str]) -> None:
    """Raise :class:`InputError` (naming the regressors) when the demeaned X has rank below k."""
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise InputError(
            "the regressors are collinear after removing the fixed effects "
            "(a regressor constant within units or periods?)",
            column=names,
        )


class _Model:
    """What the concentrated likelihood of one model needs on the demeaned data (flattened x, y, W y)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, wy: np.ndarray, op: SpatialOperator, xt: np.ndarray):
        """Keep ``x`` (NT, k), ``y`` and ``wy`` (NT), the operator and ``xt`` (T, N, k)."""
        self.x, self.y, self.wy, self.op, self.xt = x, y, wy, op, xt


class _LagModel(_Model):
    """SAR / SDM: SSE(lambda) = e0'e0 - 2 lambda e0'e1 + lambda^2 e1'e1 (Elhorst 2014, eq. 3.13)."""

    def __init__(
        self, x: np.ndarray, y: np.ndarray, wy: np.ndarray, op: SpatialOperator, xt: np.ndarray, _: bool
    ):
        """OLS of [y~, W y~] on X~ once: coefficients b0, b1, residuals e0, e1 and their cross-products."""
        super().__init__(x, y, wy, op, xt)
        self.coef = np.linalg.lstsq(x, np.column_stack([y, wy]), rcond=None)[0]
        self.e0, self.e1 = y - x @ self.coef[:, 0], wy - x @ self.coef[:, 1]
        self.q00, self.q01, self.q11 = self.e0 @ self.e0, self.e0 @ self.e1, self.e1 @ self.e1

    def sse(self, lam: float) -> float:
        """SSE(lambda) = e0'e0 − 2 lambda e0'e1 + lambda² e1'e1."""
        return self.q00 - 2 * lam * self.q01 + lam * lam * self.q11

    def estimates(self, lam: float) -> tuple[np.ndarray, np.ndarray]:
        """beta(lambda) = b0 − lambda b1 and the residuals e0 − lambda e1."""
        return self.coef[:, 0] - lam * self.coef[:, 1], self.e0 - lam * self.e1

    def residuals(self, lam: float, beta: np.ndarray) -> np.ndarray:
        """y~ − lambda W y~ − X~ beta at any (lambda, beta), e.g. bias-corrected ones."""
        return self.y - lam * self.wy - self.x @ beta

    def information(self, lam: float, beta: np.ndarray, s2: float, *eff: Any) -> np.ndarray:
        """:func:`_lag_information`; ``eff`` = (N', T'[, transformed])."""
        return _lag_information(self.op, lam, beta, s2, self.xt, *eff)


class _ErrorModel(_Model):
    """SEM: SSE(rho) of OLS of y~ - rho W y~ on X~ - rho W X~."""

    def __init__(
        self,
        x: np.ndarray,
        y: np.ndarray,
        wy: np.ndarray,
        op: SpatialOperator,
        xt: np.ndarray,
        transformed: bool,
    ):
        """Also keep W X~ (NT, k), re-demeaned across units when ``transformed``."""
        super().__init__(x, y, wy, op, xt)
        self.wx = _flat(_lagged(op, xt, transformed))

    def estimates(self, rho: float) -> tuple[np.ndarray, np.ndarray]:
        """beta(rho) by OLS of y~ − rho W y~ on X~ − rho W X~, and its residuals."""
        xs = self.x - rho * self.wx
        b = np.linalg.lstsq(xs, self.y - rho * self.wy, rcond=None)[0]
        return b, (self.y - rho * self.wy) - xs @ b

    def sse(self, rho: float) -> float:
        """SSE(rho) of that OLS (one least-squares solve per evaluation)."""
        e = self.estimates(rho)[1]
        return e @ e

    def residuals(self, rho: float, beta: np.ndarray) -> np.ndarray:
        """(y~ − rho W y~) − (X~ − rho W X~) beta."""
        return (self.y - rho * self.wy) - (self.x - rho * self.wx) @ beta

    def information(self, rho: float, beta: np.ndarray, s2: float, *eff: Any) -> np.ndarray:
        """:func:`_error_information` (beta is not needed); ``eff`` = (N', T'[, transformed])."""
        return _error_information(self.op, rho, s2, self.xt, *eff)


KINDS: dict[str, type[_LagModel | _ErrorModel]] = {"lag": _LagModel, "error": _ErrorModel}


def fit_ml(
    kind: str,
    yt: np.ndarray,
    xt: np.ndarray,
    op: SpatialOperator,
    *,
    effects: str,
    convention: str,
    names: list[str],
    loglik_only: bool = False,
) -> MLFit:
    """SAR / SDM (``kind="lag"``) or SEM (``"error"``) by concentrated ML on demeaned data ``yt`` (T, N),
    ``xt`` (T, N, k); see module docstring.

    Steps: maximise the concentrated log-likelihood (NT/2 and T, or N'T'/2 and T' with the Lee-Yu
    log-determinant for the transformation approach) over the admissible interval; beta and the SSE at
    the maximiser; ``loglik`` at these estimates. ``loglik_only=True`` stops there (LR tests). Else
    sigma^2 = SSE/(N'T') (``spreg``: SSE/(NT)); for ``splm`` two-way effects the estimates are
    bias-corrected (:func:`_bias_correct`, information with N, T) and the residuals recomputed; the
    covariance is the (spatial, beta) block of the inverse information at N', T'.

    ``effects`` as :data:`~tfp_talent.estimators.spatial_data.EFFECTS`, ``convention`` one of
    :data:`CONVENTIONS`, ``names`` the regressor names for error messages. Returns :class:`MLFit`;
    raises :class:`InputError` for collinear regressors, a boundary or non-finite maximum, and the
    Lee-Yu two-way approach with a W that is not row-standardised.
    """
    t, n = yt.shape
    x = _flat(xt)
    _check_rank(x, names)
    transformed, n_eff, t_eff, logdet = _setup(op, n, t, effects, convention)
    y, wy = yt.ravel(), _lagged(op, yt, transformed).ravel()
    model = KINDS[kind](x, y, wy, op, xt, transformed)
    nt_c, t_c = (n_eff * t_eff, t_eff) if transformed else (n * t, t)

    def conc(par: float) -> float:
        """Concentrated log-likelihood −(n/2) ln SSE(par) + t ln|I − par W| (constants dropped)."""
        return -(nt_c / 2) * np.log(model.sse(par)) + t_c * logdet(par)

    par = _maximise(conc, op)
    beta, resid = model.estimates(par)
    ssr = float(resid @ resid)
    loglik = _loglik(ssr, logdet(par), n_eff, t_eff)
    if loglik_only:  # for LR tests: no bias correction, no information matrix
        return MLFit(
            kind, par, beta, ssr / (n * t), np.empty((0, 0)), loglik, resid.reshape(t, n), n_eff, t_eff
        )
    s2 = ssr / (n_eff * t_eff) if convention != "spreg" else ssr / (n * t)
    if convention == "splm" and effects == "twoways":
        s2 = ssr / (n * t)
        sigma0 = np.linalg.inv(model.information(par, beta, s2, n, t))
        theta = _bias_correct(np.r_[s2, par, beta], sigma0, n, t)
        s2, par, beta = float(theta[0]), float(theta[1]), theta[2:]
        resid = model.residuals(par, beta)
    info = model.information(par, beta, s2, n_eff, t_eff, transformed)
    vcov = np.linalg.inv(info)[1:, 1:]
    return MLFit(kind, par, beta, s2, vcov, loglik, resid.reshape(t, n), n_eff, t_eff)
