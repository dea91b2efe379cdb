"""Specification tests after dynamic-panel GMM (:mod:`.gmm`): Arellano–Bond AR(m), Sargan, Hansen J,
difference-in-Hansen.

Notation: per entity i, g_i = Z_i'û_i (L-vector of moments at the final residuals û), S = Σ g1_i g1_i'
from the one-step residuals, A = the weight of the final step ((Σ Z_i'H_iZ_i)⁻¹ one-step, S⁻¹ two-step),
B = (X'Z A Z'X)⁻¹, V = the covariance used for the standard errors.

* Hansen (1982) J = ḡ'S⁻¹ḡ, ḡ = Σ g_i, χ²(L − K). This is what R plm's ``sargan()`` reports (its
  default ``weights="twosteps"``) and what xtabond2 reports as "Hansen test".
* Sargan (1958), xtabond2: ḡ1'(Σ Z_i'H_iZ_i)⁻¹ḡ1 / σ̂² from the one-step residuals, σ̂² = ê1'ê1 / (2 n)
  over the n differenced rows (divisor 1 for orthogonal deviations or H = I). Not robust.
* Arellano & Bond (1991, eq. 8) m-statistic for order m on the differenced residuals ê (lagged ê_{−m}
  within entity, 0 before the first row): z = Σ_i ê_{−m,i}'ê_i / √d,
  d = Σ_i (ê_{−m,i}'ê_i)² − 2 q'B X'Z A ψ + q'V q, q = Σ_i X_i^Δ'ê_{−m,i}, ψ = Σ_i Z_i'ũ_i (ê_{−m,i}'ê_i).
  ũ_i: plm uses the difference-equation residuals only (level rows set to 0), xtabond2 the whole stacked
  residual vector; the two agree for difference GMM.
* Difference-in-Hansen for an instrument group G (Roodman 2009, §3.4; xtabond2): re-estimate once with
  the other instruments P and weight S_PP⁻¹, J_P = ḡ_P'S_PP⁻¹ḡ_P; the statistic is J − J_P, χ²(|G|).

References: Hansen (1982), "Large sample properties of generalized method of moments estimators",
Econometrica 50(4), 1029-1054; Sargan (1958), "The estimation of economic relationships using
instrumental variables", Econometrica 26(3), 393-415; Arellano & Bond (1991), Rev. Econ. Stud. 58(2),
277-297; Roodman (2009), "How to do xtabond2", Stata Journal 9(1), 86-136.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tfp_talent.estimators.inference import chi2_sf, norm_sf


@dataclass(frozen=True)
class TestStat:
    """One test: statistic, degrees of freedom (None for a z), p-value and what it is.

    ``name`` is the printed label (``"Hansen J"``, ``"AR(2)"``, ``"diff-in-Hansen: IV"``); ``stat`` a χ²
    or a standard-normal z; ``pvalue`` the upper-tail χ² or two-sided normal p-value (NaN when the test
    is not defined, e.g. df <= 0 or too few periods); ``note`` a short description.
    """

    name: str
    stat: float
    df: int | None
    pvalue: float
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (non-finite numbers as None)."""
        return {
            "name": self.name,
            "stat": _f(self.stat),
            "df": self.df,
            "pvalue": _f(self.pvalue),
            "note": self.note,
        }


def _f(v: float) -> float | None:
    """``float(v)``, or None for None, NaN or infinity (JSON has no such numbers)."""
    return None if v is None or not math.isfinite(v) else float(v)


def chi2_test(name: str, stat: float, df: int, note: str = "") -> TestStat:
    """A χ²(df) test with its upper-tail p-value (NaN when df <= 0).

    The p-value is also NaN for a non-finite statistic (e.g. an overidentification test with L = K).
    """
    p = float(chi2_sf(stat, df)) if df > 0 and math.isfinite(stat) else math.nan
    return TestStat(name, float(stat), int(df), p, note)


def inv_psd(a: np.ndarray) -> tuple[np.ndarray, bool]:
    """Inverse of a symmetric PSD matrix; Moore–Penrose inverse (and ``True``) when it is singular.

    As R plm: singular when the smallest eigenvalue is below 1e-9 (absolute); the generalised inverse then
    drops eigenvalues below √ε of the largest, as ``MASS::ginv``. One eigen-decomposition serves both.
    """
    w, U = np.linalg.eigh((a + a.T) / 2)
    singular = bool(w.size and w[0] < 1e-9)
    cut = np.sqrt(np.finfo(float).eps) * max(float(w[-1]), 0.0) if singular else 0.0
    inv_w = np.where(w > cut, 1.0 / np.where(w > cut, w, 1.0), 0.0)
    return (U * inv_w) @ U.T, singular


def hansen_j(gbar: np.ndarray, S_inv: np.ndarray, df: int) -> TestStat:
    """Hansen's J = ḡ'S⁻¹ḡ, χ²(df) (module docstring).

    ``gbar`` (L,) the sum over entities of the final-step moments Z_i'û_i, ``S_inv`` the two-step weight
    A2 = S⁻¹, ``df`` = L − K. Robust to heteroskedasticity; weakened by many instruments (Roodman 2009b).
    """
    return chi2_test("Hansen J", float(gbar @ S_inv @ gbar), df, "two-step weight, robust")


def sargan_xtabond2(g1bar: np.ndarray, A1: np.ndarray, sigma2: float, df: int) -> TestStat:
    """xtabond2's Sargan statistic ḡ1'(Σ Z'HZ)⁻¹ḡ1 / σ̂², χ²(df) (module docstring).

    ``g1bar`` Σ_i Z_i'ê1_i from the one-step residuals, ``A1`` the one-step weight, ``sigma2`` σ̂².
    Valid under homoskedastic errors only; not weakened by many instruments as Hansen's J is.
    """
    return chi2_test("Sargan", float(g1bar @ A1 @ g1bar) / sigma2, df, "one-step, not robust (xtabond2)")


def ar_test(
    order: int,
    e_d: np.ndarray,
    X_d: np.ndarray,
    g_tilde: np.ndarray,
    ZX: np.ndarray,
    A: np.ndarray,
    B: np.ndarray,
    V: np.ndarray,
) -> TestStat:
    """Arellano–Bond m(order) from differenced residuals ``e_d`` (N, Rd) and regressors ``X_d`` (N, Rd, K).

    z = Σ_i ê_{−m,i}'ê_i / √d with d of the module docstring (Arellano & Bond 1991, eq. 8), N(0, 1)
    under no serial correlation of order m in the differenced errors; AR(1) is expected to reject,
    AR(2) not (for errors that are serially uncorrelated in levels).

    Parameters
    ----------
    order
        m >= 1; rows before the m-th of an entity get ê_{−m} = 0.
    e_d, X_d
        Differenced residuals and regressors on the transformed rows, zero where a row is missing.
    g_tilde
        (N, L) per-entity Z_i'ũ_i entering ψ (plm: difference rows only; xtabond2: all stacked rows).
    ZX, A, B, V
        Σ Z_i'X_i (L, K), the final-step weight, B = (X'Z A Z'X)⁻¹ and the covariance of b.

    Returns
    -------
    TestStat
        ``AR(m)`` with z and its two-sided normal p-value; NaN (note ``too few periods``) when
        m >= Rd, and a NaN z when d <= 0.
    """
    if order >= e_d.shape[1]:
        return TestStat(f"AR({order})", math.nan, None, math.nan, "too few periods")
    e_lag = np.zeros_like(e_d)
    e_lag[:, order:] = e_d[:, :-order]
    a = np.einsum("nr,nr->n", e_lag, e_d)
    q = np.einsum("nr,nrk->k", e_lag, X_d)
    psi = g_tilde.T @ a
    d = float(a @ a - 2.0 * q @ B @ ZX.T @ A @ psi + q @ V @ q)
    z = float(a.sum() / math.sqrt(d)) if d > 0 else math.nan
    p = float(2 * norm_sf(abs(z))) if math.isfinite(z) else math.nan
    return TestStat(f"AR({order})", z, None, p, "Arellano-Bond z, differenced residuals")


def difference_in_hansen(
    groups: list[str], ZX: np.ndarray, Zy: np.ndarray, S: np.ndarray, j_full: float, k: int
) -> list[TestStat]:
    """One test per instrument group (see the module docstring); groups leaving < K instruments are skipped.

    ``groups`` (L,) labels the instrument columns (:attr:`GmmDesign.inst_groups`); with system GMM the
    level-equation GMM instruments are also tested together (``"all GMM (levels)"``, xtabond2's
    "GMM instruments for levels"). For each group G the model is re-estimated by two-step GMM on the other
    columns P with weight (S_PP)⁻¹ (S from the one-step residuals): b_P = (X'Z_P A_P Z_P'X)⁻¹
    X'Z_P A_P Z_P'y, J_P at b_P. ``ZX`` (L, K), ``Zy`` (L,), ``S`` (L, L), ``j_full`` the Hansen J of the
    full model, ``k`` = K. A group is skipped when it is empty, is every column, leaves fewer than K
    columns or leaves X'Z_P A_P Z_P'X of rank below K. Returns the tests in group order, χ²(|G|).
    """
    out: list[TestStat] = []
    labels = np.asarray(groups)
    tests = list(dict.fromkeys(groups))
    if any(g.endswith("(levels)") for g in tests):
        tests.append("all GMM (levels)")
    for g in tests:
        in_g = (
            np.char.endswith(labels, "(levels)") & np.char.startswith(labels, "GMM")
            if g == "all GMM (levels)"
            else labels == g
        )
        keep = ~in_g
        if keep.sum() < k or in_g.sum() == 0 or keep.sum() == len(labels):
            continue
        ZXp, Zyp = ZX[keep], Zy[keep]
        Ap, _ = inv_psd(S[np.ix_(keep, keep)])
        M = ZXp.T @ Ap @ ZXp
        if np.linalg.matrix_rank(M) < k:
            continue
        b = np.linalg.solve(M, ZXp.T @ Ap @ Zyp)
        gp = Zyp - ZXp @ b
        jp = float(gp @ Ap @ gp)
        out.append(
            chi2_test(f"diff-in-Hansen: {g}", j_full - jp, int(in_g.sum()), f"J excluding group = {jp:.6g}")
        )
    return out
