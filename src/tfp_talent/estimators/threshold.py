"""Hansen (1999) fixed-effects panel threshold regression with 1-3 thresholds.

Model (Hansen 1999, J. Econometrics 93:345-368, eq. 1 and 15)::

    y_it = mu_i + x_it' beta + sum_j r_it' delta_j 1{q_it in regime j} + e_it

with regime-independent regressors ``x``, regime-dependent regressor(s) ``r``
(``rx``), threshold variable ``q`` (``qx``) and thresholds
gamma_1 < ... < gamma_k splitting q into k + 1 regimes. The entity effects mu_i
are removed by a linear transform T (the same for every column); the threshold
gamma is estimated by least squares over a grid of candidate values,

    gamma_hat = argmin_gamma S(gamma),   S(gamma) = SSR of T y on [T x, T (r * 1{regime})].

Two transforms, each with the conventions of the program it reproduces:

``transform="hansen1999"`` (Hansen's GAUSS program ``thresh_p.prg``)
    Within transform (subtract each entity's time mean over all T periods),
    then drop each entity's *last* period, so N(T-1) observations enter the
    regressions (565 x 13 = 7,345 on Hansen's data: 15 years, regressors lagged
    one year, hence T = 14, minus one). The regime indicator is ``q < gamma``
    (regime 1 is ``q < gamma_1``).
``transform="within"`` (Stata ``xthreg``, Wang 2015, Stata Journal 15(1):121-134)
    Within transform on all NT observations. The regime indicator is
    ``q <= gamma`` (``xthreg`` forms regimes with ``irecode(q, gamma...)``).

Grid (``grid``): the candidate thresholds are the distinct values of q, sorted,
at the quantiles trim_1, trim_1 + 1/qn, ..., 1 - trim_1 of the distinct values
(Hansen's ``qq1 = dd[floor(sq * rows(dd))]`` with ``qn`` = ``grid``; if q has fewer
distinct values than that, repeated candidates are dropped); ``grid="all"`` uses every
distinct value between those quantiles (qn = number of distinct values).

Sequential estimation (Hansen 1999, section 5): gamma_1 from the single
threshold search; gamma_2 given gamma_1; the refinement step re-estimates
gamma_1 given gamma_2; gamma_3 given the refined (gamma_1, gamma_2). When a
threshold r is held fixed, the qn * trim_k grid points around r are excluded
(Hansen's ``delif`` rule: with nn = #(grid < r), 1-based positions
nn - qn trim_k < i <= nn + qn trim_k are dropped), and so are candidates that
leave a regime with fewer than ``min_regime_obs`` observations.

Test of k - 1 against k thresholds (Hansen 1999, eq. 12 and 23)::

    F_k = (S_{k-1} - S_k) / sigma2_k,   sigma2_k = S_k / n,

with n = N(T-1) for ``hansen1999`` and n = NT for ``within`` (the number of
observations in the regression; Stata's xthreg prints F values consistent with
n = NT - T, e.g. 35.20 where this gives 35.26 on its hansen1999.dta example). Its p-value and the 10/5/1 % critical values
come from Hansen's fixed-regressor bootstrap: keep x, r, q fixed, form
y* = yhat_0 + e*, where yhat_0 and e are the fitted values and residuals of the
(k-1)-threshold model and e* resamples whole entities' residual vectors with
replacement; re-run the sequential search (with trim_k) on y*, compute F*; the
p-value is the share of F* > F_k and the critical values are the
ceil(p B)-th order statistics of the B replicates (as in Hansen's program).
Replication r of test k draws from
``numpy.random.SeedSequence(seed, spawn_key=(k - 1, r))`` (the same stream as
``SeedSequence(seed).spawn(3)[k-1].spawn(B)[r]``), so the results do not depend
on how replications are split across processes or shards.

Confidence interval (Hansen 1999, Theorem 2 and eq. 18)::

    LR(gamma) = (S(gamma) - S(gamma_hat)) / sigma2,    c(alpha) = -2 ln(1 - sqrt(level)),

the interval being [min, max] of the grid points with LR(gamma) < c(alpha)
(7.35 for a 95 % level).

Slopes: least squares at the estimated thresholds; conventional SEs use
sigma2 = SSR / (n - N - K) (Hansen's program and ``xtreg, fe``); ``robust`` is
White's HC0 sandwich without small-sample factor (Hansen's "het standard
errors", Table 5); ``clustered`` is the entity-clustered sandwich with Stata's
factor G/(G-1) (n-1)/(n-K), K the number of slope coefficients.

Computation: S(gamma) for all candidates comes from sorted cumulative
cross-products and the partitioned-regression (Frisch-Waugh) update
S_C(gamma) = S_C - b_C(gamma)' A_C(gamma)^{-1} b_C(gamma), never from one
regression per candidate; the cross-products that do not depend on y are
computed once, so a bootstrap replication costs O(NT) per search.
"""

from __future__ import annotations

import hashlib
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import key_label, numeric_column, require_columns, require_unique_keys

Transform = Literal["within", "hansen1999"]
CovType = Literal["conventional", "robust", "clustered"]

TRANSFORMS: tuple[str, ...] = ("within", "hansen1999")
COV_TYPES: tuple[str, ...] = ("conventional", "robust", "clustered")
MAX_THRESHOLDS = 3
DEFAULT_MIN_REGIME_OBS = 10
CRIT_LEVELS: tuple[tuple[str, float], ...] = (("10%", 0.90), ("5%", 0.95), ("1%", 0.99))
SHARD_FORMAT = "tfp_talent.threshold.shard/1"
_CACHE_MAX_COLUMNS = 512
_PAIR_CHUNK = 2_000_000  # (entity, t, s) triples per chunk of the Gram accumulation


def lr_critical_value(level: float) -> float:
    """Hansen's (1999, eq. 18) critical value c(alpha) = -2 ln(1 - sqrt(level)) for the LR interval."""
    if not 0.0 < level < 1.0:
        raise InputError(f"confidence level must be between 0 and 1, got {level}", column="level")
    return -2.0 * math.log(1.0 - math.sqrt(level))


# --------------------------------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Panel:
    """A balanced panel as arrays shaped (N, T, ...), sorted by entity then time."""

    y: np.ndarray  # (N, T)
    x: np.ndarray  # (N, T, kx)
    r: np.ndarray  # (N, T, m)
    q: np.ndarray  # (N, T)
    entities: np.ndarray
    periods: np.ndarray


def _as_list(names: str | Sequence[str] | None) -> list[str]:
    if names is None:
        return []
    if isinstance(names, str):
        return [names]
    return [str(n) for n in names]


def _prepare(
    data: pd.DataFrame,
    y: str,
    x: list[str],
    rx: list[str],
    qx: str,
    entity: str,
    time: str,
    transform: str,
    file: str | None,
) -> _Panel:
    """Validate the input frame and return the balanced panel arrays (raises :class:`InputError`)."""
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", file=file)
    if not rx:
        raise InputError("at least one regime-dependent regressor (rx) is needed", file=file, column="rx")
    if y in x or y in rx or y == qx:
        raise InputError("the dependent variable is also listed as a regressor or threshold variable", file=file, column=y)
    both = [c for c in rx if c in x]
    if both:
        raise InputError("listed both as regime-independent (x) and regime-dependent (rx)", file=file, column=both)
    for group, label in ((x, "x"), (rx, "rx")):
        dup = sorted({c for c in group if group.count(c) > 1})
        if dup:
            raise InputError(f"listed twice in {label}", file=file, column=dup)
    if entity == time:
        raise InputError("entity and time must be different columns", file=file, column=entity)
    variables = list(dict.fromkeys([y, *x, *rx, qx]))
    require_columns(data, [entity, time, *variables], file=file)
    if data.empty:
        raise InputError("no rows", file=file)
    require_unique_keys(data, [entity, time], file=file)
    frame = data[[entity, time, *variables]].copy()
    for col in variables:
        frame[col] = numeric_column(frame, col, keys=[entity, time], file=file)
    values = frame[variables].to_numpy(dtype=np.float64)
    bad_rows = ~np.isfinite(values).all(axis=1)
    if bad_rows.any():
        cols = [c for c in variables if not np.isfinite(frame[c].to_numpy()).all()]
        rows = [(key_label(e), key_label(t)) for e, t in frame.loc[bad_rows, [entity, time]].itertuples(index=False)]
        raise InputError(
            "missing or infinite values; the threshold model needs complete data (entity, time)",
            file=file,
            column=cols,
            rows=rows,
            hint="drop or fill these entity-periods so that the panel stays balanced",
        )
    frame = frame.sort_values([entity, time], kind="mergesort").reset_index(drop=True)
    entities = pd.unique(frame[entity])
    periods = np.sort(pd.unique(frame[time]))
    n_ent, n_per = len(entities), len(periods)
    if n_ent * n_per != len(frame):
        present = set(zip(frame[entity].tolist(), frame[time].tolist()))
        missing = [
            (key_label(e), key_label(t))
            for e in entities
            for t in periods
            if (e, t) not in present
        ]
        raise InputError(
            f"unbalanced panel: the threshold model needs every entity in every period "
            f"({n_ent} entities x {n_per} periods), missing entity-periods",
            file=file,
            column=[entity, time],
            rows=missing,
            hint="balance the panel (xthreg and Hansen's program require it)",
        )
    min_periods = 3 if transform == "hansen1999" else 2
    if n_per < min_periods:
        raise InputError(f"needs at least {min_periods} periods per entity, found {n_per}", file=file, column=time)
    if n_ent < 2:
        raise InputError(f"needs at least 2 entities, found {n_ent}", file=file, column=entity)

    def block(cols: list[str]) -> np.ndarray:
        if not cols:
            return np.zeros((n_ent, n_per, 0))
        return frame[cols].to_numpy(dtype=np.float64).reshape(n_ent, n_per, len(cols))

    panel = _Panel(
        y=frame[y].to_numpy(dtype=np.float64).reshape(n_ent, n_per),
        x=block(x),
        r=block(rx),
        q=frame[qx].to_numpy(dtype=np.float64).reshape(n_ent, n_per),
        entities=np.asarray(entities),
        periods=np.asarray(periods),
    )
    for col in list(dict.fromkeys([*x, *rx, qx])):
        v = frame[col].to_numpy(dtype=np.float64)
        if np.ptp(v) == 0:
            raise InputError(f"is constant ({v[0]:g} in every row)", file=file, column=col)
    for col in [*x, *rx]:
        v = frame[col].to_numpy(dtype=np.float64).reshape(n_ent, n_per)
        if np.all(np.ptp(v, axis=1) == 0):
            raise InputError(
                "does not vary within any entity, so the entity fixed effects absorb it",
                file=file,
                column=col,
            )
    w0 = _transform(np.concatenate([panel.x, panel.r], axis=2), transform)
    _check_collinear(w0, [*x, *rx], file)
    return panel


def _transform(v: np.ndarray, transform: str) -> np.ndarray:
    """Apply the entity transform to an (N, T, ...) array; return it flattened to (N*T_out, ...)."""
    d = v - v.mean(axis=1, keepdims=True)
    if transform == "hansen1999":
        d = d[:, :-1]
    return d.reshape(d.shape[0] * d.shape[1], *v.shape[2:])


def _transform_adjoint(u: np.ndarray, n_ent: int, n_per: int, transform: str) -> np.ndarray:
    """Adjoint T' of :func:`_transform`: (N*T_out, ...) -> (N*T, ...) (zero-pad the dropped period, demean)."""
    t_out = n_per - 1 if transform == "hansen1999" else n_per
    u = u.reshape(n_ent, t_out, *u.shape[1:])
    if transform == "hansen1999":
        u = np.concatenate([u, np.zeros((n_ent, 1, *u.shape[2:]))], axis=1)
    d = u - u.mean(axis=1, keepdims=True)
    return d.reshape(n_ent * n_per, *u.shape[2:])


def _check_collinear(w: np.ndarray, names: list[str], file: str | None) -> None:
    """Raise :class:`InputError` naming the first regressor that is a linear combination of the others."""
    if w.shape[1] == 0:
        return
    scale = np.sqrt((w**2).sum(axis=0))
    for j, name in enumerate(names):
        if scale[j] == 0:
            raise InputError("is zero after the within transform", file=file, column=name)
    ws = w / scale
    for j in range(1, ws.shape[1] + 1):
        sv = np.linalg.svd(ws[:, :j], compute_uv=False)
        if sv[-1] <= 1e-10 * sv[0]:
            coef, *_ = np.linalg.lstsq(ws[:, : j - 1], ws[:, j - 1], rcond=None)
            involved = [names[i] for i in range(j - 1) if abs(coef[i]) > 1e-8] + [names[j - 1]]
            raise InputError(
                "are perfectly collinear (after the within transform)" if len(involved) > 1
                else "is zero after the within transform",
                file=file,
                column=involved,
                hint="drop one of the collinear regressors",
            )


# --------------------------------------------------------------------------------------------------
# Grid
# --------------------------------------------------------------------------------------------------


def _grid_values(q: np.ndarray, grid: int | str, trim: float) -> tuple[np.ndarray, float]:
    """Candidate thresholds and qn (grid positions per unit of trim), as in Hansen's program.

    sq = trim, trim + 1/qn, ..., 1 - trim (qn - 2 qn trim + 1 points); candidates are
    dd[floor(sq * rows(dd))] (1-based) with dd the sorted distinct values of q (duplicates dropped).
    """
    dd = np.unique(q)
    n_d = len(dd)
    if isinstance(grid, str):
        if grid != "all":
            raise InputError(f"grid must be a positive integer or 'all', got {grid!r}", column="grid")
        qn = float(n_d)
    else:
        qn = float(grid)
    count = int(math.floor(qn - 2.0 * qn * trim + 1.0 + 1e-9))
    if count < 1:
        raise InputError(f"trim {trim} leaves no candidate thresholds on a grid of {grid}", column="trim")
    sq = trim + np.arange(count) * (1.0 / qn)
    idx = np.floor(sq * n_d).astype(np.int64) - 1
    idx = np.clip(idx, 0, n_d - 1)
    # with fewer distinct values than grid points, duplicates are dropped and the exclusion radius
    # (qn * trim positions) shrinks in proportion; no change when the candidates are distinct (Hansen's data)
    values = np.unique(dd[idx])
    return values, qn * len(values) / len(idx)


# --------------------------------------------------------------------------------------------------
# The search engine: SSR of every candidate from cumulative cross-products
# --------------------------------------------------------------------------------------------------


class _Engine:
    """Precomputed cross-products for the threshold searches of one panel (picklable for workers)."""

    def __init__(self, panel: _Panel, transform: str, grid: np.ndarray, qn: float, min_regime_obs: int) -> None:
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
        self.y_t = _transform(panel.y, transform)
        w0 = _transform(np.concatenate([panel.x, panel.r], axis=2), transform)
        self.q0, _ = np.linalg.qr(w0)
        h = _transform_adjoint(self.q0, self.n_ent, self.n_per, transform)  # T' Q0, (n_in, k0)
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
        """sum_{o: q_o below grid[g]} weights_o for every g (bincount by bin, then cumulative sum)."""
        return np.bincount(self.bins, weights=weights, minlength=self.g + 1)[: self.g].cumsum()

    def _gram_cum(self, panel: _Panel) -> np.ndarray:
        """G(g)'G(g) for G(g) = T (r * 1{on at g}): sum_i v_i' B v_i with B = T_i'T_i, by pairs (t, s)."""
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
        """SSR of y on W0 = [T x, T r] and b0(g) = G(g)' M0 y for every candidate g."""
        coef = (self.q0 * y_t[:, None]).sum(axis=0)
        e0 = y_t - (self.q0 * coef[None, :]).sum(axis=1)
        s_w0 = float((e0 * e0).sum())
        u = _transform_adjoint(e0, self.n_ent, self.n_per, self.transform)
        b0 = np.empty((self.g, self.m))
        for a in range(self.m):
            b0[:, a] = self._cum(self.r_in[:, a] * u)
        return s_w0, b0

    def column(self, c: int) -> np.ndarray:
        """A0(g, c) = G(g)' M0 G(c) for every g (cached), shape (G, m, m)."""
        col = self._cols.get(c)
        if col is not None:
            return col
        on = (self.bins <= c).reshape(self.n_ent, self.n_per)
        gc = _transform(self.r3 * on[:, :, None], self.transform)  # (n_out, m)
        coef = np.einsum("ok,oa->ka", self.q0, gc)
        mc = gc - np.einsum("ok,ka->oa", self.q0, coef)
        h = _transform_adjoint(mc, self.n_ent, self.n_per, self.transform)
        col = np.empty((self.g, self.m, self.m))
        for a in range(self.m):
            for b in range(self.m):
                col[:, a, b] = self._cum(self.r_in[:, a] * h[:, b])
        if len(self._cols) >= _CACHE_MAX_COLUMNS:
            self._cols.clear()
        self._cols[c] = col
        return col

    def candidates(self, fixed: Sequence[int], trim: float) -> np.ndarray:
        """Grid indices allowed given fixed thresholds (Hansen's exclusion rule plus regime sizes)."""
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

    def search(self, s_w0: float, b0: np.ndarray, fixed: Sequence[int], cand: np.ndarray) -> tuple[np.ndarray, float]:
        """SSR of every candidate given fixed thresholds (partitioned-regression update); also S_C."""
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
            kinv_a = np.linalg.solve(kmat, rhs).reshape(pm, len(cand), self.m).transpose(1, 0, 2)  # (n_c, p m, m)
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

    def best(self, s_w0: float, b0: np.ndarray, fixed: Sequence[int], trim: float) -> tuple[int, float, np.ndarray, np.ndarray, float]:
        """Minimiser (grid index), its SSR, the candidates, their SSR and S_C (SSR with the fixed thresholds)."""
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
        """Fitted values and residuals (transformed space) of the model with thresholds ``fixed``."""
        design = [self.q0]
        for c in sorted(fixed, key=lambda i: self.grid[i]):
            on = (self.bins <= c).reshape(self.n_ent, self.n_per)
            design.append(_transform(self.r3 * on[:, :, None], self.transform))
        z = np.concatenate(design, axis=1)
        coef, *_ = np.linalg.lstsq(z, self.y_t, rcond=None)
        fitted = z @ coef
        return fitted, self.y_t - fitted

    def boot_stat(self, yb: np.ndarray, k: int, trim: float) -> float:
        """Hansen's bootstrap statistic for test k on one bootstrap sample (sequential search, no refinement)."""
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
# Bootstrap workers (module level so that process pools can pickle them)
# --------------------------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _boot_init(engine: _Engine, nulls: dict[int, tuple[np.ndarray, np.ndarray, float]], seed: int) -> None:
    _WORKER["engine"] = engine
    _WORKER["nulls"] = nulls
    _WORKER["seed"] = seed


def replication_rng(seed: int, test: int, replication: int) -> np.random.Generator:
    """Generator of bootstrap replication ``replication`` (0-based) of test ``test`` (1 = single threshold).

    Seeded from ``SeedSequence(seed, spawn_key=(test - 1, replication))``, i.e. the same stream as
    ``SeedSequence(seed).spawn(3)[test - 1].spawn(B)[replication]``.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(test - 1, replication)))


def _boot_chunk(test: int, reps: Sequence[int]) -> tuple[int, list[int], list[float]]:
    engine: _Engine = _WORKER["engine"]
    fitted, resid, trim = _WORKER["nulls"][test]
    blocks = resid.reshape(engine.n_ent, engine.t_out)
    stats = []
    for r in reps:
        draw = replication_rng(_WORKER["seed"], test, r).integers(0, engine.n_ent, size=engine.n_ent)
        yb = fitted + blocks[draw].ravel()
        stats.append(engine.boot_stat(yb, test, trim))
    return test, list(reps), stats


def _run_bootstrap(
    engine: _Engine,
    nulls: dict[int, tuple[np.ndarray, np.ndarray, float]],
    reps: dict[int, list[int]],
    seed: int,
    n_jobs: int,
    progress: bool,
) -> dict[int, dict[int, float]]:
    """F statistics of the requested replications {test: {replication: F}} (same values for any n_jobs)."""
    chunk = 10
    tasks = [(k, idx[i : i + chunk]) for k, idx in sorted(reps.items()) for i in range(0, len(idx), chunk)]
    out: dict[int, dict[int, float]] = {k: {} for k in reps}
    total = sum(len(v) for v in reps.values())
    if not tasks:
        return out
    from tqdm import tqdm

    if n_jobs <= 1 or len(tasks) == 1:
        _boot_init(engine, nulls, seed)
        with tqdm(total=total, desc="threshold bootstrap", unit="rep", file=sys.stderr, disable=not progress) as bar:
            for k, idx in tasks:
                _, got, stats = _boot_chunk(k, idx)
                out[k].update(zip(got, stats))
                bar.update(len(got))
        return out
    with ProcessPoolExecutor(max_workers=n_jobs, initializer=_boot_init, initargs=(engine, nulls, seed)) as pool:
        futures = [pool.submit(_boot_chunk, k, idx) for k, idx in tasks]
        with tqdm(total=total, desc="threshold bootstrap", unit="rep", file=sys.stderr, disable=not progress) as bar:
            for fut in as_completed(futures):
                k, got, stats = fut.result()
                out[k].update(zip(got, stats))
                bar.update(len(got))
    return out


def _boot_summary(f_obs: float, stats: np.ndarray) -> tuple[float | None, dict[str, float] | None]:
    """Bootstrap p-value (share of F* > F) and 10/5/1 % critical values (Hansen's order statistics)."""
    b = len(stats)
    if b == 0:
        return None, None
    srt = np.sort(stats)
    p = float(np.mean(stats > f_obs))
    crits = {name: float(srt[math.ceil(level * b) - 1]) for name, level in CRIT_LEVELS}
    return p, crits


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass
class RegimeFit:
    """Least-squares fit at given thresholds: slopes, SEs (all three covariances), regimes."""

    thresholds: list[float]
    params: dict[str, float]
    std_errors: dict[str, dict[str, float]]  # cov type -> name -> SE
    ssr: float
    nobs: int
    df_resid: int
    regimes: list[str]
    regime_nobs: list[int]
    regime_shares: pd.DataFrame  # index: period, columns: regime labels; share of entities

    def to_dict(self) -> dict[str, Any]:
        shares = {
            str(key_label(p)): [float(v) for v in row]
            for p, row in zip(self.regime_shares.index, self.regime_shares.to_numpy())
        }
        return {
            "thresholds": [float(t) for t in self.thresholds],
            "params": dict(self.params),
            "std_errors": {k: dict(v) for k, v in self.std_errors.items()},
            "ssr": float(self.ssr),
            "nobs": int(self.nobs),
            "df_resid": int(self.df_resid),
            "regimes": list(self.regimes),
            "regime_nobs": [int(n) for n in self.regime_nobs],
            "regime_shares": {"regimes": list(self.regime_shares.columns), "by_period": shares},
        }


@dataclass
class LRCurve:
    """LR(gamma) = (S(gamma)/S(gamma_hat) - 1) n over the candidates of one search (for plotting)."""

    stage: str
    fixed: list[float]
    gamma: np.ndarray
    lr: np.ndarray
    estimate: float
    ci: tuple[float, float]
    critical_value: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "fixed": [float(v) for v in self.fixed],
            "gamma": [float(v) for v in self.gamma],
            "lr": [float(v) for v in self.lr],
            "estimate": float(self.estimate),
            "ci": [float(self.ci[0]), float(self.ci[1])],
            "critical_value": float(self.critical_value),
        }


@dataclass
class ThresholdResult:
    """Result of :func:`threshold_fit`. Dictionaries are keyed by the number of thresholds k."""

    spec: dict[str, Any]
    nobs: int
    n_entities: int
    n_periods: int
    thresholds: dict[int, list[float]]
    ci: dict[int, list[list[float]]]
    ssr: dict[int, float]
    f_stat: dict[int, float]
    boot_stats: dict[int, np.ndarray]
    models: dict[int, RegimeFit]
    lr_curves: dict[str, LRCurve]
    fingerprint: str
    lr_critical_value: float = field(default=0.0)

    @property
    def n_thresholds(self) -> int:
        return max(self.thresholds)

    @property
    def p_value(self) -> dict[int, float | None]:
        return {k: _boot_summary(self.f_stat[k], self.boot_stats.get(k, np.empty(0)))[0] for k in self.f_stat}

    @property
    def crit_values(self) -> dict[int, dict[str, float] | None]:
        return {k: _boot_summary(self.f_stat[k], self.boot_stats.get(k, np.empty(0)))[1] for k in self.f_stat}

    @property
    def params(self) -> dict[str, float]:
        """Slopes of the model with the largest number of thresholds fitted."""
        return self.models[self.n_thresholds].params

    @property
    def std_errors(self) -> dict[str, float]:
        """SEs of :attr:`params` under the covariance chosen with ``cov``."""
        return self.models[self.n_thresholds].std_errors[self.spec["cov"]]

    def to_frame(self) -> pd.DataFrame:
        """Slopes and SEs (all covariances) of every fitted model, one row per (k, coefficient)."""
        rows = []
        for k, fit in sorted(self.models.items()):
            for name, value in fit.params.items():
                row = {"n_thresholds": k, "term": name, "coef": value}
                row.update({f"se_{c}": fit.std_errors[c][name] for c in COV_TYPES})
                rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (keys documented in the README: params, std_errors, nobs, thresholds, ...)."""
        pv = self.p_value
        cv = self.crit_values
        return {
            "model": "panel threshold regression (Hansen 1999)",
            "spec": dict(self.spec),
            "nobs": int(self.nobs),
            "n_entities": int(self.n_entities),
            "n_periods": int(self.n_periods),
            "params": dict(self.params),
            "std_errors": dict(self.std_errors),
            "cov": self.spec["cov"],
            "thresholds": {str(k): [float(v) for v in vals] for k, vals in sorted(self.thresholds.items())},
            "ci": {str(k): [[float(a), float(b)] for a, b in vals] for k, vals in sorted(self.ci.items())},
            "level": self.spec["level"],
            "lr_critical_value": float(self.lr_critical_value),
            "ssr": {str(k): float(v) for k, v in sorted(self.ssr.items())},
            "f_stat": {str(k): float(v) for k, v in sorted(self.f_stat.items())},
            "p_value": {str(k): pv[k] for k in sorted(pv)},
            "crit_values": {str(k): cv[k] for k in sorted(cv)},
            "bootstrap": {
                "replications": {str(k): int(len(v)) for k, v in sorted(self.boot_stats.items())},
                "seed": self.spec["seed"],
                "f_stats": {str(k): [float(s) for s in v] for k, v in sorted(self.boot_stats.items())},
            },
            "models": {str(k): fit.to_dict() for k, fit in sorted(self.models.items())},
            "lr": {name: curve.to_dict() for name, curve in self.lr_curves.items()},
            "fingerprint": self.fingerprint,
        }


@dataclass
class ThresholdShard:
    """Bootstrap replications of one shard, with the point estimates they belong to."""

    result: ThresholdResult  # point estimates (boot_stats empty)
    shard_index: int
    n_shards: int
    replications: dict[int, dict[int, float]]  # test -> replication -> F*

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SHARD_FORMAT,
            "shard_index": self.shard_index,
            "n_shards": self.n_shards,
            "fingerprint": self.result.fingerprint,
            "replications": {
                str(k): {"index": sorted(reps), "f_stats": [float(reps[r]) for r in sorted(reps)]}
                for k, reps in sorted(self.replications.items())
            },
            "result": self.result.to_dict(),
        }


def shard_replications(n_boot: int, shard_index: int, n_shards: int) -> list[int]:
    """Replications of shard ``shard_index`` (0-based) of ``n_shards``: the contiguous block
    [floor(i B / n), floor((i + 1) B / n))."""
    if n_shards < 1 or not 0 <= shard_index < n_shards:
        raise InputError(f"shard {shard_index} of {n_shards} is not valid (use 0 <= index < n_shards)", column="shard")
    return list(range(shard_index * n_boot // n_shards, (shard_index + 1) * n_boot // n_shards))


# --------------------------------------------------------------------------------------------------
# Fits at given thresholds
# --------------------------------------------------------------------------------------------------


def _regime_index(q: np.ndarray, thresholds: Sequence[float], strict: bool) -> np.ndarray:
    th = np.sort(np.asarray(thresholds, dtype=np.float64))
    # strict (Hansen): regime 1 is q < g1, ..., last q >= gp; otherwise (xthreg): q <= g1, ..., q > gp
    return np.searchsorted(th, q, side="right" if strict else "left")


def _regime_labels(qx: str, thresholds: Sequence[float], strict: bool) -> list[str]:
    th = sorted(float(t) for t in thresholds)
    lo, hi = ("<=", "<") if strict else ("<", "<=")
    if not th:
        return ["all"]
    labels = [f"{qx} {hi} {th[0]:.10g}"]
    for a, b in zip(th[:-1], th[1:]):
        labels.append(f"{a:.10g} {lo} {qx} {hi} {b:.10g}")
    labels.append(f"{qx} {'>=' if strict else '>'} {th[-1]:.10g}")
    return labels


def _fit_regimes(panel: _Panel, transform: str, thresholds: Sequence[float], x: list[str], rx: list[str], qx: str) -> RegimeFit:
    """OLS of T y on [T x, T (r 1{regime j})] with conventional, White (HC0) and entity-clustered SEs."""
    strict = transform == "hansen1999"
    n_ent, n_per = panel.y.shape
    reg = _regime_index(panel.q, thresholds, strict)
    n_reg = len(thresholds) + 1
    cols = [panel.x]
    names = list(x)
    for j in range(n_reg):
        cols.append(panel.r * (reg == j)[:, :, None])
        names += [f"{name}_r{j + 1}" if n_reg > 1 else name for name in rx]
    z = _transform(np.concatenate(cols, axis=2), transform)
    yt = _transform(panel.y, transform)
    n, kz = z.shape
    zz_inv = np.linalg.inv(z.T @ z)
    coef = zz_inv @ (z.T @ yt)
    e = yt - z @ coef
    ssr = float(e @ e)
    df_resid = n - n_ent - kz
    v_conv = zz_inv * (ssr / df_resid)
    ze = z * e[:, None]
    v_hc0 = zz_inv @ (ze.T @ ze) @ zz_inv
    t_out = n // n_ent
    sc = ze.reshape(n_ent, t_out, kz).sum(axis=1)
    factor = n_ent / (n_ent - 1) * (n - 1) / (n - kz)
    v_cl = factor * zz_inv @ (sc.T @ sc) @ zz_inv
    ses = {
        cov: dict(zip(names, np.sqrt(np.diag(v)).tolist()))
        for cov, v in (("conventional", v_conv), ("robust", v_hc0), ("clustered", v_cl))
    }
    labels = _regime_labels(qx, thresholds, strict)
    shares = pd.DataFrame(
        {labels[j]: (reg == j).mean(axis=0) for j in range(n_reg)},
        index=pd.Index([key_label(p) for p in panel.periods], name="period"),
    )
    return RegimeFit(
        thresholds=sorted(float(t) for t in thresholds),
        params=dict(zip(names, coef.tolist())),
        std_errors=ses,
        ssr=ssr,
        nobs=n,
        df_resid=df_resid,
        regimes=labels,
        regime_nobs=[int((reg == j).sum()) for j in range(n_reg)],
        regime_shares=shares,
    )


def fit_at_thresholds(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str] | None,
    rx: str | Sequence[str],
    qx: str,
    entity: str,
    time: str,
    thresholds: Sequence[float],
    *,
    transform: Transform = "within",
    file: str | None = None,
) -> RegimeFit:
    """Fixed-effects regression with regimes at *given* thresholds (no search; ``thresholds=[]`` is linear FE).

    Same transform and regime conventions as :func:`threshold_fit`; the SSR of two such fits gives
    Hansen's F = (S_restricted / S_unrestricted - 1) n, n = number of observations used.
    """
    if transform not in TRANSFORMS:
        raise InputError(f"transform must be one of {', '.join(TRANSFORMS)}, got {transform!r}", column="transform")
    xs, rxs = _as_list(x), _as_list(rx)
    panel = _prepare(data, y, xs, rxs, qx, entity, time, transform, file)
    return _fit_regimes(panel, transform, list(thresholds), xs, rxs, qx)


# --------------------------------------------------------------------------------------------------
# Main entry point
# --------------------------------------------------------------------------------------------------


def _fingerprint(panel: _Panel, spec: Mapping[str, Any]) -> str:
    h = hashlib.sha256()
    for arr in (panel.y, panel.x, panel.r, panel.q):
        h.update(str(arr.shape).encode())
        h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    h.update("\x1f".join(str(key_label(e)) for e in panel.entities).encode())
    h.update("\x1f".join(str(key_label(p)) for p in panel.periods).encode())
    keys = ("y", "x", "rx", "qx", "entity", "time", "transform", "grid", "trim", "n_thresholds",
            "bootstrap", "seed", "level", "cov", "min_regime_obs")
    h.update(repr([(k, spec[k]) for k in keys]).encode())
    return h.hexdigest()


def _normalise_options(
    n_thresholds: int,
    trim: float | Sequence[float],
    grid: int | str,
    bootstrap: int | Sequence[int],
    transform: str,
    level: float,
    cov: str,
    n_jobs: int,
    min_regime_obs: int,
    seed: int,
) -> tuple[list[float], list[int]]:
    if not isinstance(n_thresholds, (int, np.integer)) or not 1 <= n_thresholds <= MAX_THRESHOLDS:
        raise InputError(f"n_thresholds must be 1, 2 or 3, got {n_thresholds!r}", column="n_thresholds")
    trims = [float(trim)] * n_thresholds if isinstance(trim, (int, float)) else [float(t) for t in trim]
    if len(trims) != n_thresholds:
        raise InputError(f"give one trim per threshold ({n_thresholds}), got {len(trims)}", column="trim")
    for t in trims:
        if not 0.0 <= t < 0.5:
            raise InputError(f"trim must be in [0, 0.5), got {t}", column="trim")
    boots = [int(bootstrap)] * n_thresholds if isinstance(bootstrap, (int, np.integer)) else [int(b) for b in bootstrap]
    if len(boots) != n_thresholds or any(b < 0 for b in boots):
        raise InputError(f"bootstrap must be a non-negative number (or one per threshold), got {bootstrap!r}", column="bootstrap")
    if isinstance(grid, str):
        if grid != "all":
            raise InputError(f"grid must be a positive integer or 'all', got {grid!r}", column="grid")
    elif not isinstance(grid, (int, np.integer)) or grid < 2:
        raise InputError(f"grid must be an integer >= 2 or 'all', got {grid!r}", column="grid")
    if transform not in TRANSFORMS:
        raise InputError(f"transform must be one of {', '.join(TRANSFORMS)}, got {transform!r}", column="transform")
    if cov not in COV_TYPES:
        raise InputError(f"cov must be one of {', '.join(COV_TYPES)}, got {cov!r}", column="cov")
    lr_critical_value(level)
    if not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InputError(f"n_jobs must be a positive integer, got {n_jobs!r}", column="n_jobs")
    if not isinstance(min_regime_obs, (int, np.integer)) or min_regime_obs < 1:
        raise InputError(f"min_regime_obs must be a positive integer, got {min_regime_obs!r}", column="min_regime_obs")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}", column="seed")
    return trims, boots


def _estimate(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str] | None,
    rx: str | Sequence[str],
    qx: str,
    entity: str,
    time: str,
    *,
    n_thresholds: int,
    trim: float | Sequence[float],
    grid: int | str,
    bootstrap: int | Sequence[int],
    seed: int,
    transform: str,
    level: float,
    cov: str,
    n_jobs: int,
    min_regime_obs: int,
    file: str | None,
) -> tuple[ThresholdResult, _Engine, dict[int, tuple[np.ndarray, np.ndarray, float]], list[int]]:
    """Point estimates (sequential search, refinement, LR intervals, slopes) and the bootstrap null models."""
    trims, boots = _normalise_options(n_thresholds, trim, grid, bootstrap, transform, level, cov, n_jobs, min_regime_obs, seed)
    xs, rxs = _as_list(x), _as_list(rx)
    panel = _prepare(data, y, xs, rxs, qx, entity, time, transform, file)
    grid_vals, qn = _grid_values(panel.q, grid, trims[0])
    engine = _Engine(panel, transform, grid_vals, qn, int(min_regime_obs))
    n_in = engine.n_ent * engine.n_per
    low = engine.count_on
    small = np.minimum(low, n_in - low)
    if small.min() < min_regime_obs:
        j = int(np.argmin(small))
        raise InputError(
            f"trim {trims[0]} leaves only {int(small[j])} observation(s) in a regime at the candidate "
            f"threshold {grid_vals[j]:.6g}; each regime needs at least {min_regime_obs}",
            file=file,
            column=qx,
            hint="increase the first trim (or lower min_regime_obs)",
        )
    crit = lr_critical_value(level)
    n = engine.n_out
    s0, b0 = engine.project(engine.y_t)
    curves: dict[str, LRCurve] = {}

    def stage(name: str, fixed: list[int], trim_k: float) -> tuple[int, float, float]:
        c, smin, cand, ssr, s_c = engine.best(s0, b0, fixed, trim_k)
        lr = (ssr / smin - 1.0) * n
        inside = grid_vals[cand][lr < crit]
        curves[name] = LRCurve(
            stage=name,
            fixed=sorted(float(grid_vals[f]) for f in fixed),
            gamma=grid_vals[cand],
            lr=lr,
            estimate=float(grid_vals[c]),
            ci=(float(inside.min()), float(inside.max())),
            critical_value=crit,
        )
        return c, smin, s_c

    ssr: dict[int, float] = {0: s0}
    f_stat: dict[int, float] = {}
    chosen: dict[int, list[int]] = {}
    nulls_idx: dict[int, list[int]] = {1: []}
    c1, s1, _ = stage("1", [], trims[0])
    f_stat[1] = (s0 / s1 - 1.0) * n
    chosen[1] = [c1]
    ssr[1] = s1
    if n_thresholds >= 2:
        c2, s2, _ = stage("2", [c1], trims[1])
        f_stat[2] = (s1 / s2 - 1.0) * n
        nulls_idx[2] = [c1]
        c1r, s2r, _ = stage("2r", [c2], trims[1])
        chosen[2] = [c1r, c2]
        ssr[2] = s2r
    if n_thresholds >= 3:
        c3, s3, _ = stage("3", chosen[2], trims[2])
        f_stat[3] = (ssr[2] / s3 - 1.0) * n
        nulls_idx[3] = list(chosen[2])
        chosen[3] = [*chosen[2], c3]
        ssr[3] = s3
    stage_of = {1: {c1: "1"}}
    if n_thresholds >= 2:
        stage_of[2] = {chosen[2][0]: "2r", chosen[2][1]: "2"}
    if n_thresholds >= 3:
        stage_of[3] = {**stage_of[2], chosen[3][2]: "3"}
    thresholds: dict[int, list[float]] = {}
    cis: dict[int, list[list[float]]] = {}
    models: dict[int, RegimeFit] = {}
    for k, idx in chosen.items():
        order = sorted(idx, key=lambda i: grid_vals[i])
        thresholds[k] = [float(grid_vals[i]) for i in order]
        cis[k] = [list(curves[stage_of[k][i]].ci) for i in order]
        models[k] = _fit_regimes(panel, transform, thresholds[k], xs, rxs, qx)
    spec = {
        "y": y, "x": xs, "rx": rxs, "qx": qx, "entity": entity, "time": time,
        "transform": transform, "grid": grid, "trim": trims, "n_thresholds": int(n_thresholds),
        "bootstrap": boots, "seed": int(seed), "level": float(level), "cov": cov,
        "min_regime_obs": int(min_regime_obs),
        "regime_rule": "q < gamma" if transform == "hansen1999" else "q <= gamma",
        "grid_points": int(len(grid_vals)),
    }
    result = ThresholdResult(
        spec=spec,
        nobs=n,
        n_entities=engine.n_ent,
        n_periods=engine.n_per,
        thresholds=thresholds,
        ci=cis,
        ssr=ssr,
        f_stat=f_stat,
        boot_stats={k: np.empty(0) for k in f_stat},
        models=models,
        lr_curves=curves,
        fingerprint=_fingerprint(panel, spec),
        lr_critical_value=crit,
    )
    nulls: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
    for k in f_stat:
        if boots[k - 1] > 0:
            fitted, resid = engine.null_fit(nulls_idx[k])
            nulls[k] = (fitted, resid, trims[k - 1])
    return result, engine, nulls, boots


def threshold_fit(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str] | None,
    rx: str | Sequence[str],
    qx: str,
    entity: str,
    time: str,
    *,
    n_thresholds: int = 1,
    trim: float | Sequence[float] = 0.01,
    grid: int | str = 400,
    bootstrap: int | Sequence[int] = 300,
    seed: int = 1,
    transform: Transform = "within",
    level: float = 0.95,
    cov: CovType = "conventional",
    n_jobs: int = 1,
    progress: bool = True,
    min_regime_obs: int = DEFAULT_MIN_REGIME_OBS,
    file: str | None = None,
) -> ThresholdResult:
    """Hansen (1999) fixed-effects panel threshold regression with 1-3 thresholds (see the module docstring).

    Parameters
    ----------
    data
        Balanced panel, one row per (entity, time).
    y, x, rx, qx, entity, time
        Dependent variable, regime-independent regressors, regime-dependent regressor(s), threshold
        variable, entity and time columns.
    n_thresholds
        Largest number of thresholds estimated (models with 1..n_thresholds are all reported).
    trim
        One trimming fraction per threshold (or one for all): ``trim[0]`` bounds the grid (quantiles of
        the distinct values of q), ``trim[k-1]`` (k >= 2) is the share of grid points excluded around
        each fixed threshold in search k and in bootstrap test k (Hansen: 0.01 0.01 0.05).
    grid
        Number of quantiles qn of Hansen's grid (400 in Hansen 1999) or ``"all"`` distinct values.
    bootstrap
        Replications per test (or one number per test); 0 skips the test's bootstrap.
    seed
        Seed of the bootstrap (see :func:`replication_rng`).
    transform
        ``"within"`` (Stata xthreg: all NT observations, regime 1 is q <= gamma) or ``"hansen1999"``
        (Hansen's program: within, then drop each entity's last period; regime 1 is q < gamma).
    level
        Level of the LR confidence intervals of the thresholds.
    cov
        Covariance reported under ``std_errors``: ``conventional``, ``robust`` (White HC0) or
        ``clustered`` (by entity); all three are in ``models[k].std_errors``.
    n_jobs
        Processes for the bootstrap; results are identical for any value.
    progress
        Show a progress bar on stderr.
    min_regime_obs
        Smallest number of observations allowed in a regime.
    file
        File name used in error messages.
    """
    result, engine, nulls, boots = _estimate(
        data, y, x, rx, qx, entity, time,
        n_thresholds=n_thresholds, trim=trim, grid=grid, bootstrap=bootstrap, seed=seed,
        transform=transform, level=level, cov=cov, n_jobs=n_jobs, min_regime_obs=min_regime_obs, file=file,
    )
    reps = {k: list(range(boots[k - 1])) for k in nulls}
    stats = _run_bootstrap(engine, nulls, reps, int(seed), int(n_jobs), progress)
    for k, got in stats.items():
        result.boot_stats[k] = np.array([got[r] for r in sorted(got)], dtype=np.float64)
    return result


def bootstrap_shard(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str] | None,
    rx: str | Sequence[str],
    qx: str,
    entity: str,
    time: str,
    *,
    shard_index: int,
    n_shards: int,
    n_thresholds: int = 1,
    trim: float | Sequence[float] = 0.01,
    grid: int | str = 400,
    bootstrap: int | Sequence[int] = 300,
    seed: int = 1,
    transform: Transform = "within",
    level: float = 0.95,
    cov: CovType = "conventional",
    n_jobs: int = 1,
    progress: bool = True,
    min_regime_obs: int = DEFAULT_MIN_REGIME_OBS,
    file: str | None = None,
) -> ThresholdShard:
    """Run only the bootstrap replications of one shard (:func:`shard_replications` of every test).

    Same arguments as :func:`threshold_fit`; :func:`combine_shards` of all ``n_shards`` shards equals
    :func:`threshold_fit` with the same arguments, exactly (each replication has its own seed).
    """
    result, engine, nulls, boots = _estimate(
        data, y, x, rx, qx, entity, time,
        n_thresholds=n_thresholds, trim=trim, grid=grid, bootstrap=bootstrap, seed=seed,
        transform=transform, level=level, cov=cov, n_jobs=n_jobs, min_regime_obs=min_regime_obs, file=file,
    )
    reps = {k: shard_replications(boots[k - 1], shard_index, n_shards) for k in nulls}
    stats = _run_bootstrap(engine, nulls, reps, int(seed), int(n_jobs), progress)
    return ThresholdShard(result=result, shard_index=int(shard_index), n_shards=int(n_shards), replications=stats)


def _check_shards(found: Iterable[tuple[str, int, int]], source: str | None = None) -> int:
    items = list(found)
    if not items:
        raise InputError("no shards to combine", file=source)
    prints = {f for f, _, _ in items}
    if len(prints) != 1:
        raise InputError(
            "shards come from different data or options (fingerprints differ)", file=source,
            hint="combine only shards written by the same command with different --shard",
        )
    n_shards = {n for _, _, n in items}
    if len(n_shards) != 1:
        raise InputError(f"shards disagree on the number of shards: {sorted(n_shards)}", file=source)
    n = n_shards.pop()
    idx = sorted(i for _, i, _ in items)
    if idx != list(range(n)):
        missing = sorted(set(range(n)) - set(idx))
        dup = sorted({i for i in idx if idx.count(i) > 1})
        raise InputError(
            f"need each of the {n} shards exactly once (missing {missing}, duplicated {dup})", file=source,
        )
    return n


def combine_shards(shards: Sequence[ThresholdShard]) -> ThresholdResult:
    """Combine all shards of one bootstrap into the :class:`ThresholdResult` of the single-job run."""
    _check_shards((s.result.fingerprint, s.shard_index, s.n_shards) for s in shards)
    base = shards[0].result
    stats: dict[int, dict[int, float]] = {}
    for s in shards:
        for k, reps in s.replications.items():
            stats.setdefault(k, {}).update(reps)
    boots = base.spec["bootstrap"]
    for k, reps in stats.items():
        if sorted(reps) != list(range(boots[k - 1])):
            raise InputError(f"test {k}: replications do not cover 0..{boots[k - 1] - 1}")
    boot_stats = {k: np.empty(0) for k in base.f_stat}
    boot_stats.update({k: np.array([reps[r] for r in sorted(reps)], dtype=np.float64) for k, reps in stats.items()})
    return ThresholdResult(**{**base.__dict__, "boot_stats": boot_stats})


def combine_shard_dicts(shards: Sequence[Mapping[str, Any]], *, source: str | None = None) -> dict[str, Any]:
    """Combine shard JSON documents (:meth:`ThresholdShard.to_dict`) into the result JSON of the single run."""
    for s in shards:
        if not isinstance(s, Mapping) or s.get("format") != SHARD_FORMAT:
            raise InputError(f"not a threshold bootstrap shard (expected format {SHARD_FORMAT})", file=source)
    _check_shards(((str(s["fingerprint"]), int(s["shard_index"]), int(s["n_shards"])) for s in shards), source)
    out = dict(shards[0]["result"])
    boots = out["spec"]["bootstrap"]
    stats: dict[str, dict[int, float]] = {}
    for s in shards:
        for k, block in s["replications"].items():
            stats.setdefault(k, {}).update(zip((int(i) for i in block["index"]), (float(v) for v in block["f_stats"])))
    p_value, crit_values = dict(out["p_value"]), dict(out["crit_values"])
    reps_out, f_out = dict(out["bootstrap"]["replications"]), dict(out["bootstrap"]["f_stats"])
    for k, reps in stats.items():
        if sorted(reps) != list(range(boots[int(k) - 1])):
            raise InputError(f"test {k}: replications do not cover 0..{boots[int(k) - 1] - 1}", file=source)
        arr = np.array([reps[r] for r in sorted(reps)], dtype=np.float64)
        p_value[k], crit_values[k] = _boot_summary(float(out["f_stat"][k]), arr)
        reps_out[k] = int(len(arr))
        f_out[k] = [float(v) for v in arr]
    out["p_value"], out["crit_values"] = p_value, crit_values
    out["bootstrap"] = {**out["bootstrap"], "replications": reps_out, "f_stats": f_out}
    return out
