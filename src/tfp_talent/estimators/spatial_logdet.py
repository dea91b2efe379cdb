"""The log-determinant ln|I - lambda W| and the matrices the spatial likelihood needs.

Two methods (Elhorst 2014, Spatial Econometrics, sec. 3.3; LeSage & Pace 2009, ch. 4):

* ``"eigen"`` (default for N <= 1000 when W is similar to a symmetric matrix, N <= 500 otherwise):
  ln|I - lambda W| = sum_i ln(1 - lambda w_i) over the eigenvalues w_i of W (real part; complex
  pairs of a non-symmetric W cancel their imaginary parts; a W similar to a symmetric matrix, such
  as row-standardised contiguity, uses the symmetric solver, ``weight_eigenvalues``). One dense
  eigen-decomposition, O(N^3) time and O(N^2) memory, then O(N) per value. The admissible interval
  is (1/w_min, 1/w_max) over the real eigenvalues, as splm's ``method="eigen"`` (spatialreg
  ``jacobianSetup``).
* ``"lu"`` (default above those sizes): ln|I - lambda W| = sum_i ln|U_ii| from a sparse LU factorisation
  (SuperLU, scipy) of I - lambda W at every value the optimiser asks for. Exact up to rounding
  (tested against the dense value to 1e-9 relative on a k-NN W with N = 2,000); cost per value
  grows with the fill-in of the factors, about linearly in N for k-NN and contiguity weights.
  The interval is (-1, 1), spatialreg's default for non-eigen methods (for a row-standardised W,
  |w_i| <= 1 so this lies inside the stationary region).

The SEs need G = W (I - lambda W)^{-1} (dense, N x N, 8 N^2 bytes: 72 MB at N = 3,000): by a dense
solve for ``"eigen"`` and by its Neumann series for ``"lu"`` (``SpatialOperator.g_matrix``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

from tfp_talent.errors import InputError

EIGEN_MAX_N = 1000  # "auto": eigenvalues up to this N for a W similar to a symmetric matrix
EIGEN_MAX_N_GENERAL = 500  # and up to this N otherwise (the non-symmetric solver is ~10x slower)
LOGDET_METHODS = ("auto", "eigen", "lu")
_EDGE = 1e-7
_SERIES_TOL = 1e-14
_BLOCK = 128


@dataclass
class SpatialOperator:
    """W (N x N, sparse) with its log-determinant method and admissible interval for lambda/rho.

    ``method`` is one of :data:`LOGDET_METHODS`; ``"auto"`` is resolved on construction to ``"eigen"``
    or ``"lu"`` by N (module docstring). ``eigenvalues`` (complex, N) are set for ``"eigen"``;
    ``interval`` is the open interval the optimiser searches, shrunk by 1e-7 at both ends.
    """

    w: sparse.csr_matrix
    method: str = "auto"
    eigenvalues: np.ndarray | None = field(default=None, repr=False)
    interval: tuple[float, float] = (-1.0, 1.0)

    def __post_init__(self) -> None:
        """Resolve ``"auto"``, compute the eigenvalues and set the interval (raises for an unknown method)."""
        if self.method not in LOGDET_METHODS:
            raise InputError(
                f"unknown log-determinant method '{self.method}'; use one of {', '.join(LOGDET_METHODS)}"
            )
        n = self.w.shape[0]
        if self.method == "auto":
            limit = EIGEN_MAX_N if similar_to_symmetric(self.w) else EIGEN_MAX_N_GENERAL
            self.method = "eigen" if n <= limit else "lu"
        if self.method == "eigen":
            self.eigenvalues = weight_eigenvalues(self.w)
            real = self.eigenvalues.real[np.abs(self.eigenvalues.imag) < 1e-10]
            self.interval = (1.0 / real.min() + _EDGE, 1.0 / real.max() - _EDGE)
        else:
            self.eigenvalues = None  # logdet and g_matrix take the LU paths exactly when there are none
            self.interval = (-1.0 + _EDGE, 1.0 - _EDGE)
        self._identity = sparse.identity(n, format="csc")

    @property
    def n(self) -> int:
        """Number of units N."""
        return int(self.w.shape[0])

    def factor(self, lam: float):
        """Sparse LU factors (SuperLU) of I - lam W, for solves.

        Returns a ``scipy.sparse.linalg.SuperLU`` object; ``.solve(b)`` gives (I - lam W)^{-1} b.
        """
        return splu((self._identity - lam * self.w).tocsc())

    def logdet(self, lam: float) -> float:
        """ln|I - lam W| by the chosen method.

        ``"eigen"``: Re Σ_i ln(1 - lam w_i), O(N); ``"lu"``: :func:`sparse_lu_logdet`, one factorisation.
        """
        if self.eigenvalues is not None:  # method "eigen"
            return float(np.sum(np.log(1.0 - lam * self.eigenvalues)).real)
        return sparse_lu_logdet(self.w, lam, self._identity)

    def g_matrix(self, lam: float) -> np.ndarray:
        """G = W (I - lam W)^{-1} as a dense N x N array (the last one is kept: SEs and effects share it).

        ``"eigen"``: dense inverse. ``"lu"``: the Neumann series G = sum_j lam^j W^{j+1} by sparse-times-
        dense products (nnz(W) N flops a term) while r = |lam| ||W||_inf <= 0.95, truncated where the bound
        r^(m+1)/(1-r) on the remainder's row sums falls below 1e-14 (relative to ||W||_inf); otherwise
        a dense LU solve.
        """
        cached = getattr(self, "_g_cache", None)
        if cached is not None and cached[0] == lam:
            return cached[1]
        n = self.n
        norm = float(np.abs(self.w).sum(axis=1).max())
        r = abs(lam) * norm
        if self.eigenvalues is None and 0 < r <= 0.95:  # method "lu", series converges
            terms = int(np.ceil(np.log(_SERIES_TOL * (1 - r)) / np.log(r)))
            wd = self.w.toarray()
            g = wd.copy()
            for start in range(0, n, _BLOCK):  # column blocks keep each term in cache
                term = wd[:, start : start + _BLOCK]
                acc = g[:, start : start + _BLOCK]
                for _ in range(terms):
                    term = lam * (self.w @ term)
                    acc += term
        else:
            wd = self.w.toarray()
            g = np.linalg.solve(np.eye(n) - lam * wd, wd)  # (I - lam W)^{-1} W = W (I - lam W)^{-1}
        self._g_cache = (lam, g)
        return g

    def lag(self, values: np.ndarray) -> np.ndarray:
        """W applied to every period: ``values`` of shape (T, N) or (T, N, k).

        (I_T ⊗ W) v in the period-major layout of :class:`~tfp_talent.estimators.spatial_data.SpatialPanel`:
        out[t] = W values[t]; one sparse product for all periods and columns. Same shape as ``values``.
        """
        if values.ndim == 2:
            return np.asarray(self.w @ values.T).T
        t, n, k = values.shape
        flat = values.transpose(1, 0, 2).reshape(n, t * k)
        return np.asarray(self.w @ flat).reshape(n, t, k).transpose(1, 0, 2)


def _row_scale(w: sparse.csr_matrix) -> np.ndarray:
    """1 / (largest absolute weight of each row): the row sums of C for W = D^{-1} C binary.

    For a row-standardised binary W every non-zero of row i equals 1/d_i, so its maximum recovers d_i.
    """
    return 1.0 / np.asarray(abs(w).max(axis=1).todense()).ravel()


def similar_to_symmetric(w: sparse.csr_matrix) -> bool:
    """True when W or D W (D = ``_row_scale``) is symmetric: then W has real eigenvalues.

    Tolerances: |W − W'| <= 1e-14 (absolute), |DW − (DW)'| <= 1e-12 max|DW| (relative).
    """
    if abs(w - w.T).max() <= 1e-14:
        return True
    c = sparse.diags(_row_scale(w)) @ w
    return bool(abs(c - c.T).max() <= 1e-12 * abs(c).max())


def weight_eigenvalues(w: sparse.csr_matrix) -> np.ndarray:
    """Eigenvalues of W; by a symmetric solver when W is similar to a symmetric matrix.

    A row-standardised symmetric binary W = D^{-1} C (C symmetric, D = diag of row sums of C) has the
    eigenvalues of D^{1/2} W D^{-1/2} = D^{-1/2} C D^{-1/2}, which is symmetric (spatialreg's
    ``can.be.simmed``); D is recovered as 1 / (largest weight of each row). Otherwise the general
    (non-symmetric) solver, whose eigenvalues may be complex.
    """
    dense = w.toarray()
    if np.array_equal(dense, dense.T):
        return np.linalg.eigvalsh(dense).astype(complex)
    if similar_to_symmetric(w):
        root = np.sqrt(_row_scale(w))
        sym = root[:, None] * dense / root[None, :]
        return np.linalg.eigvalsh((sym + sym.T) / 2).astype(complex)
    return np.linalg.eigvals(dense)


def sparse_lu_logdet(w: sparse.csr_matrix, lam: float, identity: sparse.spmatrix | None = None) -> float:
    """ln|I - lam W| = sum ln|U_ii| of the sparse LU factors (L has a unit diagonal; P, Q permute).

    The sign of the determinant is not needed: for lam inside the admissible interval
    I - lam W is an M-matrix-like operator with a positive determinant.
    """
    eye = sparse.identity(w.shape[0], format="csc") if identity is None else identity
    lu = splu((eye - lam * w).tocsc())
    return float(np.sum(np.log(np.abs(lu.U.diagonal()))))


def power_traces(w: sparse.csr_matrix, order: int, *, probes: int = 200, seed: int = 0) -> np.ndarray:
    """t_j = tr(W^j) / N for j = 0..order: exact for j <= 2, Hutchinson estimates above.

    tr(W^j) ~ (1/p) sum_r z_r' W^j z_r with Rademacher z_r (LeSage & Pace 2009, sec. 4.1.2; spatialreg
    ``trW(type = "MC")``). Drawn with ``numpy.random.default_rng(seed)``; used only for the simulated
    effects of models with N above the eigenvalue limit, whose point estimates are exact.

    t_0 = 1, t_1 = tr W/N, t_2 = Σ_ij w_ij w_ji / N; for j >= 3 the mean of z'W^j z over the ``probes``
    Rademacher vectors, divided by N (unbiased for tr(W^j)/N). Returns an array of length ``order`` + 1.
    """
    n = w.shape[0]
    out = np.empty(order + 1)
    out[0] = 1.0
    out[1] = w.diagonal().sum() / n
    if order >= 2:
        out[2] = w.multiply(w.T).sum() / n
    if order >= 3:
        z = np.random.default_rng(seed).choice([-1.0, 1.0], size=(n, probes))
        v = w @ (w @ z)
        for j in range(3, order + 1):
            v = w @ v
            out[j] = float(np.mean(np.sum(z * v, axis=0))) / n
    return out
