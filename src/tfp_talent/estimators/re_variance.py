"""Random-effects variance components in R plm's Swamy–Arora form (``random.method="swar"``).

For balanced panels this equals Stata's ``xtreg, re`` (and linearmodels' ``RandomEffects``, the
package's default ``re_variance="stata"``); on unbalanced panels plm uses quadratic unbiased
estimators with trace corrections (Swamy & Arora 1972; Baltagi & Chang 1994; Croissant & Millo 2018,
*Panel Data Econometrics with R*, ch. 5), and the two differ. With N entities, O observations,
T_i periods of entity i, K slopes, Z = [1, X] and entity means z̄_i:

    σ²_ν = e_w'e_w / (O − N − K)                   e_w: residuals of the within regression
    q_B  = Σ_i T_i (ȳ_i − z̄_i'b_B)²                 b_B: between regression weighted by T_i ("Between")
    σ²_η = (q_B − (N − K − 1) σ²_ν) / (O − tr[(Σ_i T_i z̄_i z̄_i')⁻¹ Σ_i T_i² z̄_i z̄_i'])
    θ_i  = 1 − sqrt(σ²_ν / (T_i σ²_η + σ²_ν))

and GLS is OLS of y_it − θ_i ȳ_i on z_it − θ_i z̄_i. Reproduces plm 2.6-2's ``ercomp`` and
coefficients on Produc, balanced and unbalanced, to 1e-10 (tests/estimators/test_re_variance.py).

Used by ``fit_panel(..., model="re", re_variance="plm")`` and ``hausman(..., re_variance="plm")``;
the GLS step and its R² are in :mod:`tfp_talent.estimators.panel_linearmodels`.
"""

from __future__ import annotations

import numpy as np

from tfp_talent.errors import InputError

RE_VARIANCES: tuple[str, ...] = ("stata", "plm")
DEFAULT_RE_VARIANCE = "stata"


def swamy_arora_plm(entity: np.ndarray, y: np.ndarray, z: np.ndarray) -> tuple[float, float, np.ndarray]:
    """(σ²_ν, σ²_η, θ per row) of plm's Swamy–Arora estimator; ``z`` holds the constant in column 0.

    ``entity`` are integer codes 0..N−1; formulas in the module docstring.

    ``y`` (O) and ``z`` (O × (K + 1)) are the dependent variable and the regressors in levels, with
    any period dummies among the K. A negative σ²_η is set to 0 (as plm), so θ_i = 0 and GLS is
    pooled OLS. Raises :class:`InputError` when O − N − K <= 0 or N − K − 1 <= 0 (no degrees
    of freedom for σ²_ν or for the between regression).
    """
    n = int(entity.max()) + 1
    o, kz = z.shape
    k = kz - 1
    t_i = np.bincount(entity, minlength=n).astype(float)

    def means(v: np.ndarray) -> np.ndarray:
        """Entity means of ``v`` (1-d or 2-d), one row per entity."""
        s = np.zeros((n, *v.shape[1:]))
        np.add.at(s, entity, v)
        return s / t_i.reshape((-1,) + (1,) * (v.ndim - 1))

    yb, zb = means(y), means(z)
    xw, yw = (z - zb[entity])[:, 1:], y - yb[entity]
    bw = np.linalg.lstsq(xw, yw, rcond=None)[0]
    q_w = float(((yw - xw @ bw) ** 2).sum())
    zbw = zb * t_i[:, None]
    gram = zbw.T @ zb
    b_between = np.linalg.solve(gram, zbw.T @ yb)
    q_b = float((t_i * (yb - zb @ b_between) ** 2).sum())
    m_w, m_id_nu = o - n - k, n - k - 1
    if m_w <= 0 or m_id_nu <= 0:
        raise InputError(
            f"too few observations for plm's Swamy-Arora components ({o} rows, {n} entities, {k} slopes)"
        )
    m_id_eta = o - float(np.trace(np.linalg.solve(gram, (zb * (t_i**2)[:, None]).T @ zb)))
    s_nu = q_w / m_w
    s_eta = max((q_b - m_id_nu * s_nu) / m_id_eta, 0.0)  # plm also truncates a negative estimate at 0
    theta = 1.0 - np.sqrt(s_nu / (t_i * s_eta + s_nu))
    return s_nu, s_eta, theta[entity]
