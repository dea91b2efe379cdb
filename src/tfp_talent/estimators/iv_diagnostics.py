"""Weak-instrument diagnostics for linear IV, on arrays with the absorbed effects already removed.

Model: y = X₁β + X₂δ + u, K1 endogenous regressors X₁, K2 exogenous X₂, L2 excluded
instruments Z (L2 >= K1). The caller passes the within-transformed arrays (fixed
effects removed, as :mod:`tfp_talent.estimators.iv` does); X₂ is partialled out here
(Frisch–Waugh–Lovell), so every statistic is computed from ỹ, X̃₁, Z̃ = M_{X₂}(y, X₁, Z).

Covariance (``cov``): ``unadjusted`` (i.i.d.), ``robust`` (heteroskedasticity-robust) or
``clustered`` (one-way, codes in ``clusters``). Scores and sandwiches are unscaled (HC0 /
CR0); the finite-sample factors are those of ``ivreg2`` (Baum, Schaffer & Stillman 2007,
Stata Journal 7(4); ivreg2 4.1), with its two counts: ``dofminus`` = parameters absorbed
by a transformation (e.g. the entity effects removed by the within transform, as
``xtivreg2, fe``), ``sdofminus`` = exogenous parameters partialled out before the call
and not in X₂ (e.g. period dummies, or the constant). Non-clustered χ² statistics use
N − dofminus in place of N (the HC0/i.i.d. χ² times (N − dofminus)/N); clustered ones
ignore dofminus. With L = L2 + K2, the F forms are

    non-clustered   F = χ²/(N − dofminus) · (N − L − sdofminus − dofminus) / df
    clustered       F = χ²/(N − 1) · (N − L − sdofminus) · (G − 1)/G / df

(ivreg2.ado's ``rkf``/``arf``; checked against ivreg2 output on Mroz and Card in the tests).

Statistics
    * Cragg–Donald Wald F (i.i.d.; Cragg & Donald 1993; Stock & Yogo 2005):
      F = λ_min · (N − L − sdofminus − dofminus)/L2, λ_min the smallest eigenvalue of
      (X̃₁'M_Z̃X̃₁)⁻¹ X̃₁'P_Z̃X̃₁ (= ρ²/(1 − ρ²), ρ the smallest canonical correlation).
    * Kleibergen–Paap rk Wald statistic (Kleibergen & Paap 2006, J. Econometrics 133):
      Θ̂ = (Z̃'Z̃)^{1/2} Π̂ (X̃₁'X̃₁)^{-1/2}, Π̂ the first-stage coefficients; with the SVD
      Θ̂ = USV' and U₂, V₂ the singular vectors beyond the first K1 − 1,
      rk = λ'Ω⁻¹λ, λ = vec(U₂'Θ̂V₂), Ω = (V₂' ⊗ U₂') Var(vec Θ̂) (V₂ ⊗ U₂), χ²(L2 − K1 + 1).
      Var(vec Π̂) is the sandwich of the first-stage scores v_i ⊗ z_i (cluster sums). The
      rk Wald F is rk scaled by the formula above with df = L2. With i.i.d. covariance it
      equals the Cragg–Donald F; with K1 = 1 it is the first-stage Wald F.
    * Sanderson–Windmeijer (2016, J. Econometrics 190) conditional F for X₁ⱼ: ε̂ⱼ =
      X̃₁ⱼ − X̃₁,₋ⱼ δ̂ⱼ with δ̂ⱼ the 2SLS coefficients of X̃₁ⱼ on X̃₁,₋ⱼ (instruments Z̃);
      χ²_SW = Wald test of γ = 0 in ε̂ⱼ = Z̃γ + e (chosen covariance, residuals M_Z̃ε̂ⱼ),
      F_SW = χ²_SW scaled as above with df = L2 − K1 + 1 (as ivreg2's first-stage table).
      With K1 = 1 it is the first-stage F.
    * Anderson–Rubin (1949) test of H0: β = β₀: Wald test of γ = 0 in ỹ − X̃₁β₀ = Z̃γ + e,
      χ²(L2) and F (scaled as above, df = L2; F(L2, N − L − sdofminus − dofminus) or
      F(L2, G − 1) when clustered). Robust to weak instruments.
    * AR confidence set (K1 = 1): {β₀ : AR F p-value > 1 − level}, found on a grid of
      β₀ = b + s·tan(θ), θ ∈ (−π/2, π/2) (b the 2SLS estimate, s the scale of its first-stage
      fit), every sign change refined by ``brentq``; the ends θ → ±π/2 use the limit of
      the statistic as β₀ → ±∞ (the first-stage Wald statistic). Returned as a list of
      intervals (lo, hi), possibly unbounded, empty, or a union (Dufour 1997;
      Mikusheva 2010). Pieces narrower than the grid step (π/4000 in θ) can be missed.
    * Over-identification: with L2 = K1 "exactly identified: no overidentification test";
      otherwise Sargan's N·û'P_Z̃û/û'û (i.i.d.) or Hansen's J = ĝ'Ŝ⁻¹ĝ at the two-step
      efficient GMM estimate, Ŝ from the 2SLS residuals (robust/clustered), χ²(L2 − K1).
    * Stock & Yogo (2005) critical values of the Cragg–Donald F for 10/15/20/25 % maximal
      size of a nominal 5 % 2SLS Wald test, K1 = 1, 2 and L2 = 1..30 (their Table 5.2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import chi2_sf, f_isf, f_sf

COV_TYPES = ("unadjusted", "robust", "clustered")
SY_SIZES = ("10%", "15%", "20%", "25%")

# Stock, J. H. and Yogo, M. (2005), "Testing for weak instruments in linear IV regression", in Andrews &
# Stock (eds.), Identification and Inference for Econometric Models, Cambridge UP, pp. 80-108, Table 5.2:
# critical values of the Cragg-Donald F for a nominal 5 % 2SLS Wald test with maximal size 10/15/20/25 %.
# Rows L2 = 1..30 excluded instruments; the first four columns K1 = 1, the last four K1 = 2 (none for L2 = 1).
# Published data (also transcribed in ivreg2's cdsy and gretl's stock_yogo_lookup), not a result.
_SY_TSLS_SIZE = (
    (16.38, 8.96, 6.66, 5.53, None, None, None, None),
    (19.93, 11.59, 8.75, 7.25, 7.03, 4.58, 3.95, 3.63),
    (22.30, 12.83, 9.54, 7.80, 13.43, 8.18, 6.40, 5.45),
    (24.58, 13.96, 10.26, 8.31, 16.87, 9.93, 7.54, 6.28),
    (26.87, 15.09, 10.98, 8.84, 19.45, 11.22, 8.38, 6.89),
    (29.18, 16.23, 11.72, 9.38, 21.68, 12.33, 9.10, 7.42),
    (31.50, 17.38, 12.48, 9.93, 23.72, 13.34, 9.77, 7.91),
    (33.84, 18.54, 13.24, 10.50, 25.64, 14.31, 10.41, 8.39),
    (36.19, 19.71, 14.01, 11.07, 27.51, 15.24, 11.03, 8.85),
    (38.54, 20.88, 14.78, 11.65, 29.32, 16.16, 11.65, 9.31),
    (40.90, 22.06, 15.56, 12.23, 31.11, 17.06, 12.25, 9.77),
    (43.27, 23.24, 16.35, 12.82, 32.88, 17.95, 12.86, 10.22),
    (45.64, 24.42, 17.14, 13.41, 34.62, 18.84, 13.45, 10.68),
    (48.01, 25.61, 17.93, 14.00, 36.36, 19.72, 14.05, 11.13),
    (50.39, 26.80, 18.72, 14.60, 38.08, 20.60, 14.65, 11.58),
    (52.77, 27.99, 19.51, 15.19, 39.80, 21.48, 15.24, 12.03),
    (55.15, 29.19, 20.31, 15.79, 41.51, 22.35, 15.83, 12.49),
    (57.53, 30.38, 21.10, 16.39, 43.22, 23.22, 16.42, 12.94),
    (59.92, 31.58, 21.90, 16.99, 44.92, 24.09, 17.02, 13.39),
    (62.30, 32.77, 22.70, 17.60, 46.62, 24.96, 17.61, 13.84),
    (64.69, 33.97, 23.50, 18.20, 48.31, 25.82, 18.20, 14.29),
    (67.07, 35.17, 24.30, 18.80, 50.01, 26.69, 18.79, 14.74),
    (69.46, 36.37, 25.10, 19.41, 51.70, 27.56, 19.38, 15.19),
    (71.85, 37.57, 25.90, 20.01, 53.39, 28.42, 19.97, 15.64),
    (74.24, 38.77, 26.71, 20.61, 55.07, 29.29, 20.56, 16.10),
    (76.62, 39.97, 27.51, 21.22, 56.76, 30.15, 21.15, 16.55),
    (79.01, 41.17, 28.31, 21.83, 58.45, 31.02, 21.74, 17.00),
    (81.40, 42.37, 29.12, 22.43, 60.13, 31.88, 22.33, 17.45),
    (83.79, 43.57, 29.92, 23.04, 61.82, 32.74, 22.92, 17.90),
    (86.17, 44.78, 30.72, 23.65, 63.51, 33.61, 23.51, 18.35),
)
AR_GRID = 4001


def stock_yogo_critical_values(n_endog: int, n_instruments: int) -> dict[str, float] | None:
    """Stock & Yogo (2005, Table 5.2) 2SLS-size critical values; None outside K1 ∈ {1, 2}, K1 <= L2 <= 30.

    Keys ``"10%"`` .. ``"25%"`` (maximal size); e.g. K1 = 1, L2 = 1: 16.38, 8.96, 6.66, 5.53.
    """
    if n_endog not in (1, 2) or not n_endog <= n_instruments <= len(_SY_TSLS_SIZE):
        return None
    row = _SY_TSLS_SIZE[n_instruments - 1][4 * (n_endog - 1) : 4 * n_endog]
    return None if row[0] is None else dict(zip(SY_SIZES, row, strict=True))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Design:
    """Partialled arrays and the counts that enter the finite-sample factors.

    ``y`` (N), ``x`` (N × K1) and ``z`` (N × L2) are ỹ, X̃₁, Z̃ of the module docstring; ``cov``
    one of :data:`COV_TYPES`; ``clusters`` codes 0..G−1 (clustered only) and ``n_clusters`` G;
    ``n_exog`` K2, the columns partialled out; ``dofminus``/``sdofminus`` ivreg2's counts.
    """

    y: np.ndarray
    x: np.ndarray
    z: np.ndarray
    cov: str
    clusters: np.ndarray | None
    n_clusters: int | None
    n_exog: int
    dofminus: int
    sdofminus: int

    @property
    def nobs(self) -> int:
        """N, the number of rows."""
        return self.y.shape[0]

    @property
    def df_small(self) -> int:
        """N − L − sdofminus − dofminus, L = L2 + K2."""
        return self.nobs - self.z.shape[1] - self.n_exog - self.sdofminus - self.dofminus

    @property
    def chi2_scale(self) -> float:
        """(N − dofminus)/N: ivreg2's large-sample adjustment of non-clustered χ² statistics."""
        return 1.0 if self.cov == "clustered" else (self.nobs - self.dofminus) / self.nobs

    def f_from_chi2(self, chi2: float, df: int) -> float:
        """ivreg2's F form of a reported Wald χ² with ``df`` restrictions (module docstring)."""
        n = self.nobs
        if self.cov == "clustered":
            g = int(self.n_clusters or 0)
            return chi2 / (n - 1) * (n - self.z.shape[1] - self.n_exog - self.sdofminus) * (g - 1) / g / df
        return chi2 / (n - self.dofminus) * self.df_small / df

    def f_pvalue(self, f: float, df: int) -> float:
        """P(F(df, df2) > f), df2 = G − 1 when clustered, else :attr:`df_small`; NaN if df2 <= 0."""
        df2 = (int(self.n_clusters or 0) - 1) if self.cov == "clustered" else self.df_small
        return float(f_sf(f, df, df2)) if df2 > 0 else math.nan


def _partial(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """M_W a = a − W(W'W)⁻W'a, the least-squares residual of ``a`` on ``w`` (``a`` if W is empty)."""
    if w.shape[1] == 0:
        return a
    coef, *_ = np.linalg.lstsq(w, a, rcond=None)
    return a - w @ coef


def _as_2d(a: Any, n: int | None, name: str) -> np.ndarray:
    """``a`` as an N × m float array (a vector is one column); wrong rows or non-finite values raise."""
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or (n is not None and arr.shape[0] != n):
        raise InputError(f"{name} must have {n} rows, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise InputError(
            f"{name} has missing or infinite values",
            rows=np.flatnonzero(~np.isfinite(arr).all(axis=1)).tolist(),
        )
    return arr


def make_design(
    y: Any,
    x_endog: Any,
    x_exog: Any | None,
    z: Any,
    *,
    cov: str = "robust",
    clusters: Any | None = None,
    dofminus: int = 0,
    sdofminus: int = 0,
) -> Design:
    """Check the arrays, partial X₂ out of y, X₁ and Z, and code the clusters (sorted keys).

    Arguments as :func:`iv_weak_diagnostics` describes them. Raises :class:`InputError` for an
    unknown ``cov``, arrays of other lengths or with missing values, fewer instruments than
    endogenous regressors, missing or single clusters, instruments collinear after partialling
    out X₂, and N − L − sdofminus − dofminus <= 0.
    """
    if cov not in COV_TYPES:
        raise InputError(f"unknown cov {cov!r}; use one of {', '.join(COV_TYPES)}")
    y_a = _as_2d(y, None, "y")
    if y_a.shape[1] != 1:
        raise InputError(f"y must be one column, got {y_a.shape[1]}")
    n = y_a.shape[0]
    x1 = _as_2d(x_endog, n, "the endogenous regressors")
    zz = _as_2d(z, n, "the instruments")
    w = np.empty((n, 0)) if x_exog is None else _as_2d(x_exog, n, "the exogenous regressors")
    if zz.shape[1] < x1.shape[1]:
        raise InputError(
            f"under-identified: {zz.shape[1]} instrument(s) for {x1.shape[1]} endogenous regressor(s)"
        )
    codes, n_clusters = None, None
    if cov == "clustered":
        if clusters is None:
            raise InputError("cov 'clustered' needs the cluster codes")
        cl = np.asarray(clusters)
        if cl.ndim != 1 or cl.shape[0] != n:
            raise InputError(f"clusters must be one code per row ({n}), got shape {cl.shape}")
        _, codes = np.unique(cl, return_inverse=True)
        codes = codes.reshape(-1)
        n_clusters = int(codes.max()) + 1
        if n_clusters < 2:
            raise InputError(f"clustered statistics need at least 2 clusters, got {n_clusters}")
    design = Design(
        y=_partial(y_a, w)[:, 0],
        x=_partial(x1, w),
        z=_partial(zz, w),
        cov=cov,
        clusters=codes,
        n_clusters=n_clusters,
        n_exog=w.shape[1],
        dofminus=int(dofminus),
        sdofminus=int(sdofminus),
    )
    if np.linalg.matrix_rank(np.column_stack([design.z])) < zz.shape[1]:
        raise InputError("the instruments are collinear (after partialling out the exogenous regressors)")
    if design.df_small <= 0:
        raise InputError(f"too few observations: N - L = {design.df_small}")
    return design


def _meat(scores: np.ndarray, d: Design) -> np.ndarray:
    """Σ h h' over rows (robust) or over cluster sums (clustered) of the score rows ``scores``."""
    if d.cov == "clustered":
        g = int(d.n_clusters or 0)
        sums = np.column_stack([np.bincount(d.clusters, weights=s, minlength=g) for s in scores.T])
        return sums.T @ sums
    return scores.T @ scores


def wald_zero(dep: np.ndarray, d: Design) -> tuple[float, np.ndarray]:
    """Wald χ² of γ = 0 in dep = Z̃γ + e with the design's covariance (HC0/CR0, s² = e'e/N); and γ̂.

    χ² = c · γ̂'V⁻¹γ̂ with c = :attr:`Design.chi2_scale`, V = s²(Z̃'Z̃)⁻¹ or (Z̃'Z̃)⁻¹ Σ h h' (Z̃'Z̃)⁻¹.
    """
    z = d.z
    zz_inv = np.linalg.inv(z.T @ z)
    gamma = zz_inv @ (z.T @ dep)
    e = dep - z @ gamma
    if d.cov == "unadjusted":
        var = (e @ e / d.nobs) * zz_inv
    else:
        var = zz_inv @ _meat(z * e[:, None], d) @ zz_inv
    return d.chi2_scale * float(gamma @ np.linalg.solve(var, gamma)), gamma


def _sym_power(a: np.ndarray, power: float) -> np.ndarray:
    """A^p = Q diag(λ^p) Q' of the symmetric part of ``a`` (A^{1/2}, A^{-1/2} of the rk statistic)."""
    vals, vecs = np.linalg.eigh(0.5 * (a + a.T))
    return (vecs * vals**power) @ vecs.T


def cragg_donald_f(d: Design) -> float:
    """Cragg–Donald Wald F = λ_min((X̃₁'M_Z̃X̃₁)⁻¹X̃₁'P_Z̃X̃₁) · (N − L − sdofminus − dofminus)/L2."""
    x, z = d.x, d.z
    pzx = z @ np.linalg.solve(z.T @ z, z.T @ x)
    xpx = x.T @ pzx
    xmx = x.T @ x - xpx
    root = _sym_power(xmx, -0.5)
    lam = float(np.linalg.eigvalsh(root @ xpx @ root).min())
    return lam * d.df_small / z.shape[1]


def kleibergen_paap_rk(d: Design) -> tuple[float, int]:
    """Kleibergen–Paap rk Wald χ² of H0: rank(Π) = K1 − 1 and its df L2 − K1 + 1 (module docstring).

    Var(vec Π̂) = (I ⊗ (Z̃'Z̃)⁻¹) Σ h h' (I ⊗ (Z̃'Z̃)⁻¹), h_i = v_i ⊗ z_i, or Σ̂_v ⊗ (Z̃'Z̃)⁻¹ i.i.d.
    """
    x, z = d.x, d.z
    n, k1 = x.shape
    l2 = z.shape[1]
    zz = z.T @ z
    zz_inv = np.linalg.inv(zz)
    pi = zz_inv @ (z.T @ x)
    v = x - z @ pi
    if d.cov == "unadjusted":
        var_pi = np.kron(v.T @ v / n, zz_inv)
    else:
        h = (v[:, :, None] * z[:, None, :]).reshape(n, k1 * l2)  # v_i ⊗ z_i, column-major vec
        bread = np.kron(np.eye(k1), zz_inv)
        var_pi = bread @ _meat(h, d) @ bread
    f_mat = _sym_power(zz, 0.5)
    g_mat = _sym_power(x.T @ x, -0.5)
    theta = f_mat @ pi @ g_mat
    u, _, vt = np.linalg.svd(theta, full_matrices=True)
    u2 = u[:, k1 - 1 :]
    v2 = vt.T[:, k1 - 1 :]
    kron_gf = np.kron(g_mat, f_mat)
    var_theta = kron_gf @ var_pi @ kron_gf.T
    proj = np.kron(v2.T, u2.T)
    lam = proj @ theta.reshape(-1, order="F")
    omega = proj @ var_theta @ proj.T
    return d.chi2_scale * float(lam @ np.linalg.solve(omega, lam)), l2 - k1 + 1


def sanderson_windmeijer(d: Design) -> list[dict[str, float]]:
    """SW conditional χ² and F per endogenous regressor (module docstring).

    One dict per column of X̃₁, in order: ``chi2``, ``chi2_pvalue``, ``f``, ``f_pvalue``, ``df``.
    """
    x, z = d.x, d.z
    k1, l2 = x.shape[1], z.shape[1]
    pz_x = z @ np.linalg.solve(z.T @ z, z.T @ x)
    df = l2 - k1 + 1
    out = []
    for j in range(k1):
        others = [i for i in range(k1) if i != j]
        eps = x[:, j]
        if others:
            xo = x[:, others]
            delta = np.linalg.solve(pz_x[:, others].T @ xo, pz_x[:, others].T @ x[:, j])
            eps = x[:, j] - xo @ delta
        chi2, _ = wald_zero(eps, d)
        f = d.f_from_chi2(chi2, df)
        out.append(
            {
                "chi2": chi2,
                "chi2_pvalue": float(chi2_sf(chi2, df)),
                "f": f,
                "f_pvalue": d.f_pvalue(f, df),
                "df": df,
            }
        )
    return out


def anderson_rubin(d: Design, beta0: Sequence[float] | float = 0.0) -> dict[str, float]:
    """AR test of β = β₀: Wald χ²(L2) of Z̃ in ỹ − X̃₁β₀ and its F form (module docstring).

    ``beta0``: one value per endogenous regressor, or one for all. Returns ``chi2``,
    ``chi2_pvalue``, ``f``, ``f_pvalue`` and ``df`` (L2).
    """
    b0 = np.atleast_1d(np.asarray(beta0, dtype=float))
    if b0.shape[0] == 1:
        b0 = np.repeat(b0, d.x.shape[1])  # one value for every endogenous regressor
    if b0.shape[0] != d.x.shape[1]:
        raise InputError(
            f"beta0 needs one value per endogenous regressor ({d.x.shape[1]}), got {b0.shape[0]}"
        )
    chi2, _ = wald_zero(d.y - d.x @ b0, d)
    l2 = d.z.shape[1]
    f = d.f_from_chi2(chi2, l2)
    return {
        "chi2": chi2,
        "chi2_pvalue": float(chi2_sf(chi2, l2)),
        "f": f,
        "f_pvalue": d.f_pvalue(f, l2),
        "df": l2,
    }


class _ARCurve:
    """AR F(β₀) for one endogenous regressor: numerator and covariance are quadratic in β₀."""

    def __init__(self, d: Design) -> None:
        """γ_y, γ_x of ỹ and X̃₁ on Z̃, and the three blocks of the sandwich of their scores."""
        z = d.z
        self.d = d
        zz_inv = np.linalg.inv(z.T @ z)
        x = d.x[:, 0]
        self.gy, self.gx = zz_inv @ (z.T @ d.y), zz_inv @ (z.T @ x)
        ey, ex = d.y - z @ self.gy, x - z @ self.gx
        if d.cov == "unadjusted":
            n = d.nobs
            self.m = [(ey @ ey / n) * zz_inv, (ey @ ex / n) * zz_inv, (ex @ ex / n) * zz_inv]
        else:
            hy, hx = z * ey[:, None], z * ex[:, None]
            both = _meat(np.column_stack([hy, hx]), d)
            l2 = z.shape[1]
            myy, mxy, mxx = both[:l2, :l2], both[l2:, :l2], both[l2:, l2:]
            self.m = [zz_inv @ myy @ zz_inv, zz_inv @ (0.5 * (mxy + mxy.T)) @ zz_inv, zz_inv @ mxx @ zz_inv]

    def chi2(self, b: float) -> float:
        """AR χ²(b) with γ = γ_y − bγ_x and V = M_yy − 2b M_xy + b² M_xx; ±∞ gives γ_x'M_xx⁻¹γ_x."""
        if math.isinf(b):
            return self.d.chi2_scale * float(self.gx @ np.linalg.solve(self.m[2], self.gx))
        g = self.gy - b * self.gx
        var = self.m[0] - 2.0 * b * self.m[1] + b * b * self.m[2]
        return self.d.chi2_scale * float(g @ np.linalg.solve(var, g))

    def f(self, b: float) -> float:
        """AR F(b), :meth:`Design.f_from_chi2` of :meth:`chi2` with L2 restrictions."""
        return self.d.f_from_chi2(self.chi2(b), self.d.z.shape[1])


def ar_confidence_set(d: Design, level: float = 0.95) -> list[tuple[float, float]]:
    """{β₀ : p_AR(β₀) > 1 − level} as a list of intervals (K1 = 1; grid plus brentq, module docstring)."""
    if d.x.shape[1] != 1:
        raise InputError("the Anderson-Rubin confidence set is computed for one endogenous regressor only")
    curve = _ARCurve(d)
    l2 = d.z.shape[1]
    df2 = (int(d.n_clusters or 0) - 1) if d.cov == "clustered" else d.df_small
    crit = float(f_isf(1.0 - level, l2, df2))
    x, z = d.x[:, 0], d.z
    pzx = z @ curve.gx
    center = float(pzx @ d.y / (pzx @ x))
    scale = float(np.sqrt((d.y - center * x) @ (d.y - center * x) / max(pzx @ pzx, 1e-300)))
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0

    def excess(theta: float) -> float:
        """AR F at β₀ = b + s·tan(θ) minus the critical value (< 0 inside the set)."""
        b = center + scale * math.tan(theta) if abs(theta) < math.pi / 2 else math.copysign(math.inf, theta)
        return curve.f(b) - crit

    thetas = np.linspace(-math.pi / 2, math.pi / 2, AR_GRID)
    vals = np.array([excess(t) for t in thetas])
    inside = vals < 0
    edges: list[float] = []
    for i in np.flatnonzero(inside[1:] != inside[:-1]):
        a, b = thetas[i], thetas[i + 1]
        root = (
            float(optimize.brentq(excess, a, b, xtol=1e-13))
            if np.isfinite(vals[i]) and np.isfinite(vals[i + 1])
            else a
        )
        edges.append(center + scale * math.tan(root))
    intervals: list[tuple[float, float]] = []
    start = -math.inf if inside[0] else None
    for e in edges:
        if start is None:
            start = e
        else:
            intervals.append((start, e))
            start = None
    if start is not None:
        intervals.append((start, math.inf))
    return intervals


def overidentification(d: Design) -> dict[str, Any]:
    """Sargan (i.i.d.) or Hansen J (robust/clustered) at the two-step GMM estimate; or the exact-id note.

    Returns ``name``, ``statistic``, ``df`` (L2 − K1) and ``p_value`` (χ²); None statistic if L2 = K1.
    """
    x, z, y = d.x, d.z, d.y
    k1, l2 = x.shape[1], z.shape[1]
    if l2 == k1:
        return {
            "name": "exactly identified: no overidentification test",
            "statistic": None,
            "df": 0,
            "p_value": None,
        }
    zz_inv = np.linalg.inv(z.T @ z)
    zx, zy = z.T @ x, z.T @ y
    b2 = np.linalg.solve(zx.T @ zz_inv @ zx, zx.T @ zz_inv @ zy)
    u = y - x @ b2
    df = l2 - k1
    if d.cov == "unadjusted":
        pu = z @ (zz_inv @ (z.T @ u))
        stat, name = float(d.nobs * (u @ pu) / (u @ u)) * d.chi2_scale, "Sargan"
    else:
        s = _meat(z * u[:, None], d)
        w = np.linalg.inv(s)
        bg = np.linalg.solve(zx.T @ w @ zx, zx.T @ w @ zy)
        g = z.T @ (y - x @ bg)
        stat, name = float(g @ w @ g) * d.chi2_scale, "Hansen J"
    return {"name": name, "statistic": stat, "df": df, "p_value": float(chi2_sf(stat, df))}


@dataclass(frozen=True)
class WeakIVDiagnostics:
    """Weak-identification and AR statistics of one IV model (definitions in the module docstring).

    The counts (``nobs``, ``n_clusters``, K1 ``n_endog``, L2 ``n_instruments``, K2 ``n_exog``,
    ``dofminus``, ``sdofminus``) are the design's; ``sanderson_windmeijer`` maps each endogenous
    regressor to its :func:`sanderson_windmeijer` dict; ``anderson_rubin`` is
    :func:`anderson_rubin` plus ``beta0``; ``ar_conf_set`` (K1 = 1, else None) is at ``level``;
    ``stock_yogo`` from :func:`stock_yogo_critical_values`; ``identification`` from
    :func:`overidentification`.
    """

    cov: str
    nobs: int
    n_clusters: int | None
    n_endog: int
    n_instruments: int
    n_exog: int
    dofminus: int
    sdofminus: int
    cragg_donald_f: float
    kleibergen_paap_rk: float
    kleibergen_paap_rk_df: int
    kleibergen_paap_rk_pvalue: float
    kleibergen_paap_f: float
    sanderson_windmeijer: dict[str, dict[str, float]]
    anderson_rubin: dict[str, Any]
    ar_conf_set: list[tuple[float, float]] | None
    level: float
    stock_yogo: dict[str, float] | None
    identification: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python fields; infinite interval ends become the strings "-inf"/"inf" for JSON."""

        def end(v: float) -> float | str:
            """A finite end as it is, an infinite one as ``"inf"``/``"-inf"``."""
            return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")

        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["ar_conf_set"] = (
            None if self.ar_conf_set is None else [[end(a), end(b)] for a, b in self.ar_conf_set]
        )
        return out


def iv_weak_diagnostics(
    d: Design,
    *,
    endog_names: Sequence[str] | None = None,
    ar_beta0: Sequence[float] | float = 0.0,
    level: float = 0.95,
) -> WeakIVDiagnostics:
    """All diagnostics of the module for within-transformed arrays, as FE-2SLS has them.

    ``d`` is :func:`make_design` of ``y`` (N), ``x_endog`` (N × K1), ``x_exog`` (N × K2 or None;
    include a constant column for a pooled model), ``z`` (N × L2 excluded instruments), all with the
    absorbed effects removed; ``clusters`` one code per row for ``cov="clustered"`` (one-way);
    ``dofminus``/``sdofminus`` as in the module docstring (for the within transform with
    entity effects: dofminus = number of entities; period effects: sdofminus = periods − 1
    with entity effects, periods without; as ``xtivreg2, fe`` with period dummies).
    ``ar_beta0`` is the AR null (ivreg2's default 0; one value is used for every
    endogenous regressor); the AR confidence set at ``level`` is computed when K1 = 1.
    Two-way clustering is not offered. Returns a :class:`WeakIVDiagnostics`.
    """
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")
    k1, l2 = d.x.shape[1], d.z.shape[1]
    names = [f"x{i}" for i in range(k1)] if endog_names is None else [str(v) for v in endog_names]
    if len(names) != k1:
        raise InputError(f"endog_names has {len(names)} names for {k1} endogenous regressors")
    rk, rk_df = kleibergen_paap_rk(d)
    return WeakIVDiagnostics(
        cov=d.cov,
        nobs=d.nobs,
        n_clusters=d.n_clusters,
        n_endog=k1,
        n_instruments=l2,
        n_exog=d.n_exog,
        dofminus=d.dofminus,
        sdofminus=d.sdofminus,
        cragg_donald_f=cragg_donald_f(d),
        kleibergen_paap_rk=rk,
        kleibergen_paap_rk_df=rk_df,
        kleibergen_paap_rk_pvalue=float(chi2_sf(rk, rk_df)),
        kleibergen_paap_f=d.f_from_chi2(rk, l2),
        sanderson_windmeijer=dict(zip(names, sanderson_windmeijer(d), strict=True)),
        anderson_rubin={
            **anderson_rubin(d, ar_beta0),
            "beta0": np.repeat(np.atleast_1d(np.asarray(ar_beta0, float)), k1).tolist()
            if np.ndim(ar_beta0) == 0
            else [float(b) for b in ar_beta0],  # type: ignore[union-attr]
        },
        ar_conf_set=ar_confidence_set(d, level) if k1 == 1 else None,
        level=level,
        stock_yogo=stock_yogo_critical_values(k1, l2),
        identification=overidentification(d),
    )
