"""The threshold search engine: SSR of every candidate threshold from cumulative cross-products.

S_C(gamma) = S_C - b_C(gamma)' A_C(gamma)^{-1} b_C(gamma) (partitioned regression, Frisch-Waugh), with
the cross-products that do not depend on y computed once (Hansen 1999, section 3; see
:mod:`tfp_talent.estimators.threshold`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tfp_talent.errors import InputError
from tfp_talent.estimators.threshold_prepare import ThresholdPanel, entity_transform, entity_transform_adjoint

_CACHE_MAX_COLUMNS = 512
_PAIR_CHUNK = 2_000_000  # (entity, t, s) triples per chunk of the Gram accumulation


class SearchEngine:
    """Precomputed cross-products for the threshold searches of one panel (picklable for workers).

    Notation: T the entity transform (:func:`~tfp_talent.estimators.threshold_prepare.entity_transform`),
    W0 = [T x, T r] with orthonormal basis Q0 and M0 = I − Q0 Q0', and for grid index g the
    regime-1 block G(g) = T (r · 1{q on the low side of grid[g]}). Observation o is "on" at g iff
    g >= ``bins[o]`` (q < grid[g] for ``hansen1999``, q <= grid[g] for ``within``), so a sum over the
    on-observations of every g is one bincount and a cumulative sum (:meth:`_cum`).

    Attributes computed once (they do not depend on y): ``count_on`` (G,) observations on at g;
    ``a0`` (G, m, m) = G(g)'M0 G(g); ``y_t`` the transformed y; ``n_ent``, ``n_per``, ``t_out``
    (periods kept by the transform) and ``n_out`` = N·t_out, the n of the F statistics.
    """

    def __init__(
        self, panel: ThresholdPanel, transform: str, grid: np.ndarray, qn: float, min_regime_obs: int
    ) -> None:
        """Precompute Q0, the bins, ``count_on`` and ``a0`` for ``grid`` (sorted candidates).

        ``qn`` is the grid size of Hansen's exclusion rule (:func:`grid_values`), ``min_regime_obs`` the
        smallest regime allowed when thresholds are fixed. Cost: O(N T² m²) for the Gram terms.
        """
        self.transform = transform
        self.strict = transform == "hansen1999"  # regime 1 is q < gamma (Hansen) or q <= gamma (xthreg)
        self.n_ent, self.n_per = panel.y.shape
        self.t_out = self.n_per - 1 if transform == "hansen1999" else self.n_per
        self.n_out = self.n_ent * self.t_out
        self.grid = grid
        self.qn = qn
        self.min_regime_obs = min_regime_obs
        n_in = self.n_ent * self.n_per
        self.m = panel.r.shape[2]
        self.r_in = panel.r.reshape(n_in, self.m)
        self.r3 = panel.r
        side = "right" if self.strict else "left"
        # obs o is "on" (below the threshold) at grid index g iff g >= bins[o]
        self.bins = np.searchsorted(grid, panel.q.ravel(), side=side).astype(np.int64)
        self.g = len(grid)
        self.count_on = self._cum(np.ones(n_in))  # observations below each candidate
        self.y_t = entity_transform(panel.y, transform)
        w0 = entity_transform(np.concatenate([panel.x, panel.r], axis=2), transform)
        self.q0, _ = np.linalg.qr(w0)
        h = entity_transform_adjoint(self.q0, self.n_ent, self.n_per, transform)  # T' Q0, (n_in, k0)
        k0 = self.q0.shape[1]
        p = np.empty((self.g, self.m, k0))
        for a in range(self.m):
            for k in range(k0):
                p[:, a, k] = self._cum(self.r_in[:, a] * h[:, k])
        gg = self._gram_cum(panel)
        self.a0 = gg - np.einsum("gak,gbk->gab", p, p)
        self._cols: dict[int, np.ndarray] = {}
        self._cands: dict[tuple[tuple[int, ...], float], np.ndarray] = {}

    # -- cumulative sums over the sorted candidates ------------------------------------------------
    def _cum(self, weights: np.ndarray) -> np.ndarray:
        """sum_{o: q_o below grid[g]} weights_o for every g (bincount by bin, then cumulative sum).

        ``weights`` has one value per untransformed observation (N·T, entity-major); O(NT + G).
        """
        return np.bincount(self.bins, weights=weights, minlength=self.g + 1)[: self.g].cumsum()

    def _gram_cum(self, panel: ThresholdPanel) -> np.ndarray:
        """G(g)'G(g) for G(g) = T (r * 1{on at g}): sum_i v_i' B v_i with B = T_i'T_i, by pairs (t, s).

        B = D = I − 11'/T for ``within`` (D idempotent) and D E D, E = diag(1, …, 1, 0), for
        ``hansen1999`` (the last period dropped). The pair (t, s) of entity i enters from the grid index
        max(bins_it, bins_is) on, so one bincount per (a, b) and a cumulative sum give every g.
        Entities are processed in chunks of ``_PAIR_CHUNK`` triples. Returns (G, m, m), symmetric.
        """
        n_per = self.n_per
        eye = np.eye(n_per)
        dm = eye - np.full((n_per, n_per), 1.0 / n_per)
        if self.transform == "hansen1999":
            e = eye.copy()
            e[-1, -1] = 0.0
            bmat = dm @ e @ dm
        else:
            bmat = dm
        bins = self.bins.reshape(self.n_ent, n_per)
        acc = np.zeros((self.g + 1, self.m, self.m))
        step = max(1, _PAIR_CHUNK // (n_per * n_per))  # entities per chunk: bounded memory for long panels
        for lo in range(0, self.n_ent, step):
            sl = slice(lo, lo + step)
            pair_bin = np.maximum(bins[sl, :, None], bins[sl, None, :]).ravel()
            for a in range(self.m):
                for b in range(a, self.m):
                    w = (bmat[None, :, :] * panel.r[sl, :, None, a] * panel.r[sl, None, :, b]).ravel()
                    acc[:, a, b] += np.bincount(pair_bin, weights=w, minlength=self.g + 1)
        out = acc[: self.g].cumsum(axis=0)
        for a in range(self.m):
            for b in range(a + 1, self.m):
                out[:, b, a] = out[:, a, b]
        return out

    # -- pieces that depend on y -------------------------------------------------------------------
    def project(self, y_t: np.ndarray) -> tuple[float, np.ndarray]:
        """SSR of y on W0 = [T x, T r] and b0(g) = G(g)' M0 y for every candidate g.

        ``y_t`` is a transformed dependent variable (n_out,): the data or a bootstrap sample. Returns
        (S_W0, b0) with b0 of shape (G, m); O(NT m) work.
        """
        coef = (self.q0 * y_t[:, None]).sum(axis=0)
        e0 = y_t - (self.q0 * coef[None, :]).sum(axis=1)
        s_w0 = float((e0 * e0).sum())
        u = entity_transform_adjoint(e0, self.n_ent, self.n_per, self.transform)
        b0 = np.empty((self.g, self.m))
        for a in range(self.m):
            b0[:, a] = self._cum(self.r_in[:, a] * u)
        return s_w0, b0

    def column(self, c: int) -> np.ndarray:
        """A0(g, c) = G(g)' M0 G(c) for every g (cached), shape (G, m, m).

        One transform of the block at the fixed index c, its projection off Q0 and the adjoint T';
        then cumulative sums over g. At most ``_CACHE_MAX_COLUMNS`` columns are cached (then cleared).
        """
        col = self._cols.get(c)
        if col is not None:
            return col
        on = (self.bins <= c).reshape(self.n_ent, self.n_per)
        gc = entity_transform(self.r3 * on[:, :, None], self.transform)  # (n_out, m)
        coef = np.einsum("ok,oa->ka", self.q0, gc)
        mc = gc - np.einsum("ok,ka->oa", self.q0, coef)
        h = entity_transform_adjoint(mc, self.n_ent, self.n_per, self.transform)
        col = np.empty((self.g, self.m, self.m))
        for a in range(self.m):
            for b in range(self.m):
                col[:, a, b] = self._cum(self.r_in[:, a] * h[:, b])
        if len(self._cols) >= _CACHE_MAX_COLUMNS:
            self._cols.clear()
        self._cols[c] = col
        return col

    def candidates(self, fixed: Sequence[int], trim: float) -> np.ndarray:
        """Grid indices allowed given fixed thresholds (Hansen's exclusion rule plus regime sizes).

        Without fixed thresholds every grid index (the first trim already bounds the grid). With fixed
        indices c: drop the 1-based positions nn − qn·trim < i <= nn + qn·trim around each (nn the
        number of grid values below grid[c]), then every candidate that leaves a regime (between
        consecutive sorted thresholds, counted on all N·T observations) below ``min_regime_obs``.
        Cached by (fixed, trim).
        """
        key = (tuple(sorted(fixed)), float(trim))
        hit = self._cands.get(key)
        if hit is not None:
            return hit
        idx = np.arange(self.g)
        keep = np.ones(self.g, dtype=bool)
        if fixed:
            qnt = self.qn * trim
            pos = idx + 1  # Hansen's 1-based positions
            for c in fixed:
                nn = int(np.searchsorted(self.grid, self.grid[c], side="left"))
                keep &= ~((pos <= nn + qnt) & ~(pos <= nn - qnt))
            n_in = float(self.n_ent * self.n_per)
            cols = [np.zeros(self.g), np.full(self.g, n_in), self.count_on]
            cols += [np.full(self.g, self.count_on[c]) for c in fixed]
            sizes = np.diff(np.sort(np.column_stack(cols), axis=1), axis=1)
            keep &= sizes.min(axis=1) >= self.min_regime_obs
        out = idx[keep]
        if len(self._cands) >= _CACHE_MAX_COLUMNS:
            self._cands.clear()
        self._cands[key] = out
        return out

    def search(
        self, s_w0: float, b0: np.ndarray, fixed: Sequence[int], cand: np.ndarray
    ) -> tuple[np.ndarray, float]:
        """SSR of every candidate given fixed thresholds (partitioned-regression update); also S_C.

        With C the fixed blocks [G(c_1), …] after M0, K = C'C and b_C = C'M0 y: S_C = S_W0 − b_C'K⁻¹b_C,
        A(g) = a0(g) − A_gC K⁻¹ A_Cg, b(g) = b0(g) − A_gC K⁻¹ b_C and S(g) = S_C − b(g)'A(g)⁻¹b(g).
        A candidate whose A(g) is numerically singular (smallest eigenvalue <= 1e-12 of its trace, or
        of a0 when m = 1) adds nothing and keeps S_C. Returns (SSR per candidate, S_C).
        """
        a_d = self.a0[cand]
        b_g = b0[cand]
        if fixed:
            cols = [self.column(c) for c in fixed]
            a_gc = np.concatenate(cols, axis=2)  # (G, m, p m)
            kmat = np.concatenate([a_gc[c] for c in fixed], axis=0)  # (p m, p m)
            b_c = np.concatenate([b0[c] for c in fixed])
            kinv_b = np.linalg.solve(kmat, b_c)
            s_c = s_w0 - float(b_c @ kinv_b)
            a_gcc = a_gc[cand]  # (n_c, m, p m)
            pm = kmat.shape[0]
            rhs = a_gcc.transpose(2, 0, 1).reshape(pm, len(cand) * self.m)
            kinv_a = (
                np.linalg.solve(kmat, rhs).reshape(pm, len(cand), self.m).transpose(1, 0, 2)
            )  # (n_c, p m, m)
            a_d = a_d - np.einsum("gak,gkb->gab", a_gcc, kinv_a)
            b_g = b_g - np.einsum("gak,k->ga", a_gcc, kinv_b)
        else:
            s_c = s_w0
        ssr = np.full(len(cand), s_c)
        if self.m == 1:
            a = a_d[:, 0, 0]
            ok = a > 1e-12 * np.maximum(self.a0[cand, 0, 0], 1e-300)
            ssr[ok] = s_c - b_g[ok, 0] ** 2 / a[ok]
        else:
            tr = np.trace(a_d, axis1=1, axis2=2)
            ok = np.linalg.eigvalsh(a_d)[:, 0] > 1e-12 * np.maximum(tr, 1e-300)
            sol = np.linalg.solve(a_d[ok], b_g[ok][:, :, None])[:, :, 0]
            ssr[ok] = s_c - (b_g[ok] * sol).sum(axis=1)
        return ssr, s_c

    def best(
        self, s_w0: float, b0: np.ndarray, fixed: Sequence[int], trim: float
    ) -> tuple[int, float, np.ndarray, np.ndarray, float]:
        """Minimiser (grid index), its SSR, the candidates, their SSR and S_C (SSR with the fixed thresholds).

        Ties go to the lowest grid index. Raises :class:`InputError` when ``trim`` leaves no candidate.
        """
        cand = self.candidates(fixed, trim)
        if len(cand) == 0:
            raise InputError(
                f"trim {trim} leaves no candidate for the next threshold "
                f"(fixed thresholds {[float(self.grid[c]) for c in fixed]})",
                column="trim",
                hint="use a smaller trim or fewer thresholds",
            )
        ssr, s_c = self.search(s_w0, b0, fixed, cand)
        j = int(np.argmin(ssr))
        return int(cand[j]), float(ssr[j]), cand, ssr, s_c

    def null_fit(self, fixed: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Fitted values and residuals (transformed space) of the model with thresholds ``fixed``.

        OLS of y_t on [Q0, T (r · 1{on at c}) for c in ``fixed``]; ``fixed=[]`` is the linear FE model.
        The null model of bootstrap test k uses the k − 1 estimated thresholds.
        """
        design = [self.q0]
        for c in sorted(fixed, key=lambda i: self.grid[i]):
            on = (self.bins <= c).reshape(self.n_ent, self.n_per)
            design.append(entity_transform(self.r3 * on[:, :, None], self.transform))
        z = np.concatenate(design, axis=1)
        coef, *_ = np.linalg.lstsq(z, self.y_t, rcond=None)
        fitted = z @ coef
        return fitted, self.y_t - fitted

    def boot_stat(self, yb: np.ndarray, k: int, trim: float) -> float:
        """Hansen's bootstrap statistic for test k on one bootstrap sample (sequential search, no refinement).

        Searches thresholds 1 … k one after the other on ``yb`` (each given the ones found before, with
        the same ``trim``) and returns F* = (S_{k−1} / S_k − 1) · n_out.
        """
        s_w0, b0 = self.project(yb)
        sse0 = s_w0
        found: list[int] = []
        c, sse1, *_ = self.best(s_w0, b0, found, trim)
        found.append(c)
        for _ in range(1, k):
            sse0 = sse1
            c, sse1, *_ = self.best(s_w0, b0, found, trim)
            found.append(c)
        return (sse0 / sse1 - 1.0) * self.n_out


# --------------------------------------------------------------------------------------------------
