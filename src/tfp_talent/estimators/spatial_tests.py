"""Model-choice tests for fixed-effects spatial panels.

LM tests on the non-spatial FE model (Anselin, Bera, Florax & Yoon 1996, Reg. Sci. Urban Econ. 26;
panel versions Elhorst 2014, Spatial Econometrics, sec. 3.5, and Debarsy & Ertur 2010, Reg. Sci.
Urban Econ. 40). With e the within-OLS residuals of y~ on X~, s^2 = e'e/(NT),
T_W = tr(W'W + WW) and J = [(W X~ b)' M (W X~ b) + T T_W s^2] / s^2 (M = I - X~(X~'X~)^{-1}X~'):

  LM_lag  = [e'(I_T (x) W) y~ / s^2]^2 / J
  LM_err  = [e'(I_T (x) W) e / s^2]^2 / (T T_W)
  RLM_lag = [e'(I (x) W) y~/s^2 - e'(I (x) W) e/s^2]^2 / (J - T T_W)
  RLM_err = [e'(I (x) W) e/s^2 - (T T_W/J) e'(I (x) W) y~/s^2]^2 / (T T_W (1 - T T_W/J)),

each chi^2(1). With T = 1 and no effects they are the cross-section tests of Anselin et al. (1996)
(spreg ``OLS(spat_diag=True)`` reports the same numbers; tested).

Tests of the SDM (Elhorst 2014, sec. 2.4 and 3.6; LeSage & Pace 2009, sec. 6.3):
  Wald theta = 0 (SDM -> SAR): theta' V_theta^{-1} theta ~ chi^2(k);
  Wald theta + lambda beta = 0 (SDM -> SEM, common factor): g = theta + lambda beta,
    G = dg/d(lambda, beta, theta) = [beta, lambda I, I], g'(G V G')^{-1} g ~ chi^2(k) (delta method);
  LR: 2 (ln L_SDM - ln L_restricted) ~ chi^2(k), the restricted model fitted by ML on the same data.

Every test returns ``{"statistic", "df", "pvalue"}`` with the upper-tail chi^2(df) p-value.
"""

from __future__ import annotations

import numpy as np

from tfp_talent.estimators.inference import chi2_sf
from tfp_talent.estimators.spatial_logdet import SpatialOperator


def _stat(value: float, df: int) -> dict[str, float]:
    """``{"statistic": value, "df": df, "pvalue": P(chi^2(df) > value)}``."""
    return {"statistic": float(value), "df": int(df), "pvalue": float(chi2_sf(value, df))}


def lm_tests_arrays(yt: np.ndarray, xt: np.ndarray, op: SpatialOperator) -> dict[str, dict[str, float]]:
    """LM, robust LM (lag, error) on demeaned ``yt`` (T, N) and ``xt`` (T, N, k); formulas above.

    e and b from OLS of y~ on X~ (no further df correction: s^2 = e'e/(NT)); W acts per period.
    Returns ``{"lm_lag", "lm_error", "robust_lm_lag", "robust_lm_error"}``, each chi^2(1).
    """
    t, n = yt.shape
    x = xt.reshape(-1, xt.shape[-1])
    y = yt.ravel()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    e = y - x @ beta
    s2 = float(e @ e) / (n * t)
    wy = op.lag(yt).ravel()
    we = op.lag(e.reshape(t, n)).ravel()
    wxb = op.lag((x @ beta).reshape(t, n)).ravel()
    m_wxb = wxb - x @ np.linalg.lstsq(x, wxb, rcond=None)[0]
    w = op.w
    t_w = float(w.multiply(w).sum() + w.multiply(w.T).sum())
    tt = t * t_w
    j = (wxb @ m_wxb + tt * s2) / s2
    d_lag = float(e @ wy) / s2
    d_err = float(e @ we) / s2
    return {
        "lm_lag": _stat(d_lag**2 / j, 1),
        "lm_error": _stat(d_err**2 / tt, 1),
        "robust_lm_lag": _stat((d_lag - d_err) ** 2 / (j - tt), 1),
        "robust_lm_error": _stat((d_err - tt / j * d_lag) ** 2 / (tt * (1 - tt / j)), 1),
    }


def wald_theta_zero(theta: np.ndarray, vcov_theta: np.ndarray) -> dict[str, float]:
    """Wald test of theta = 0 (SDM reduces to SAR).

    theta' V_theta^{-1} theta, chi^2(k); ``vcov_theta`` the (k, k) theta block of the SDM covariance.
    """
    return _stat(float(theta @ np.linalg.solve(vcov_theta, theta)), len(theta))


def wald_common_factor(lam: float, beta: np.ndarray, theta: np.ndarray, vcov: np.ndarray) -> dict[str, float]:
    """Wald test of theta = -lambda beta (SDM reduces to SEM); ``vcov`` over (lambda, beta, theta).

    g = theta + lambda beta, Jacobian G = [beta, lambda I_k, I_k]; g'(G V G')^{-1} g, chi^2(k).
    """
    k = len(beta)
    g = theta + lam * beta
    jac = np.hstack([beta[:, None], lam * np.eye(k), np.eye(k)])
    return _stat(float(g @ np.linalg.solve(jac @ vcov @ jac.T, g)), k)


def likelihood_ratio(ll_full: float, ll_restricted: float, df: int) -> dict[str, float]:
    """LR = 2 (ln L_full - ln L_restricted) ~ chi^2(df)."""
    return _stat(2.0 * (ll_full - ll_restricted), df)
