"""Wild cluster restricted (WCR) bootstrap for one linear restriction R'β = r in OLS.

Few-cluster inference: with G = 31 provinces the CRV1 t-test over-rejects (Cameron,
Gelbach & Miller 2008, REStat 90(3); MacKinnon & Webb 2017, J. Appl. Econometrics
32(2)). The WCR bootstrap-t imposes the null, resamples the restricted residuals with
one weight per cluster and compares the CRV1 t-statistic with its bootstrap
distribution. The algorithm is the "fast and wild" one of Roodman, MacKinnon, Nielsen &
Webb (2019), Stata Journal 19(1), as in Stata's ``boottest``.

Model and data
    y = Xβ + u, clusters g = 1..G. For a fixed-effects model the caller passes y and
    X *after* the effects have been partialled out (within-transformed). When the
    absorbed entity effects are nested in the clusters (entity effects, entity
    clusters) the bootstrap on the within-transformed data is the WCR bootstrap of the
    FE model itself: the within transform is a cluster-by-cluster linear map, so the
    restricted fit, the bootstrap samples y* and their OLS fits are the FWL images of
    those of the dummy-variable regression. That is not so for effects *not* nested in
    the clusters (period effects with entity clusters): the resampled residuals ũ_g v_g
    are not orthogonal to them, so they must stay in X as dummy columns.
    :func:`wild_bootstrap_fe` does exactly that (absorbs the nested effects, keeps the
    others as dummies), so its result is the WCR bootstrap of the LSDV regression.

Algorithm (Roodman et al. 2019)
    β̂ = (X'X)⁻¹X'y; restricted β̃(r) = β̂ − (X'X)⁻¹R (R'(X'X)⁻¹R)⁻¹ (R'β̂ − r); ũ = y − Xβ̃.
    Per cluster, once (O(N k²)): X_g'X_g and s_g = X_g'ũ_g. With w = (X'X)⁻¹R,
    C_g = w's_g and a_g = (X'X)⁻¹X_g'X_g w, replication b with weights v (G-vector) has
        numerator  R'β̂* − r = Σ_g C_g v_g,
        scores     R'(X'X)⁻¹X_g'û*_g = C_g v_g − a_g'(Σ_h s_h v_h),
        t*_b       = numerator / sqrt(c·Σ_g scores_g²),
    so a replication costs O(G k), not O(N k). Everything is affine in r, so for
    the test inversion each replication keeps n0 + n1 r and the quadratic
    Σ_g (Z0_g + Z1_g r)² (three numbers), and p(r) costs O(B) for any r: the
    same bootstrap weights are used for every r, as boottest does. Replications
    are vectorised in chunks of at most ``MAX_CHUNK_CELLS // G`` columns, so the
    working memory is about 5 × 8 × MAX_CHUNK_CELLS bytes = 160 MiB at most, plus
    the stored weights (B × G bytes, int8).

Small-sample factor
    t = (R'β̂ − r)/sqrt(c R'V R), V = (X'X)⁻¹(Σ_g ŝ_g ŝ_g')(X'X)⁻¹ (unrestricted
    scores), with the CRV1 factor c = G/(G−1)·(N−1)/(N−K), K = k + ``k_absorbed``.
    By default K = k, the columns of the (within-transformed) X, as ``boottest`` and
    the ``wildboottest`` package; :func:`wild_bootstrap_fe` sets ``k_absorbed`` so that
    K is K_c of :mod:`tfp_talent.estimators.panel` (Stata convention: absorbed levels
    not nested in the clusters counted, nested ones counted as one constant), so that t
    equals the t of ``fit_panel(..., cov="clustered")``.
    The same c multiplies every bootstrap variance, so it cancels in the comparison
    of t with t*: the p-value and the confidence set do not depend on it.

Weights
    ``rademacher`` (±1, probability ½ each) or ``webb`` (±√(1/2), ±1, ±√(3/2),
    probability 1/6 each; Webb 2014, Queen's Economics Dept. WP 1315). With Rademacher
    weights and 2^G ≤ ``reps`` the 2^G sign vectors are enumerated instead of drawn
    (exact bootstrap distribution; ``reps`` becomes 2^G, ``enumerated`` is True).

Determinism
    Weights are drawn from ``numpy.random.default_rng(seed)`` as a reps × G array
    whose columns are the clusters in the order of their sorted keys (``np.unique``).
    :func:`wild_cluster_bootstrap` therefore does not depend on the order of the rows,
    nor on a relabelling of the clusters that keeps the order of their keys.
    :func:`wild_bootstrap_fe` (and ``PanelResult.wildboottest``) goes further: it hands
    the clusters over in a *content order* (:func:`content_cluster_order`: by number of
    rows, then by the cluster's rows of data sorted lexicographically), so which cluster
    gets which column of draws depends on neither the row order nor the cluster labels
    (renaming or recoding provinces, in any sort order, gives the same p-value and
    confidence set under the same seed). Only clusters whose first
    ``CONTENT_ORDER_ROWS`` sorted rows coincide fall back to their sorted-key order.

p-values (t* the bootstrap statistics, t the sample one)
    ``symmetric`` P(|t*| > |t|) (default); ``equal-tail`` 2·min(P(t* < t), P(t* > t));
    ``lower`` P(t* < t) (H1: R'β < r); ``upper`` P(t* > t) (H1: R'β > r). A t* within
    a relative 1e-10 of t is a tie and is not counted as more extreme (the all-ones
    weight vector reproduces the sample, t* = t).

Confidence set
    {r : p(r) > 1 − level} by test inversion: outward from the estimate, the bracket
    starts at the CRV1 bound est ± t_{G−1} · se and doubles its distance until p falls
    below 1 − level; ``scipy.optimize.brentq`` then finds the crossing. p(r) is a step
    function of r, so an endpoint is the point where p jumps across 1 − level
    (located to 1e-10 · se). One-sided p-values give one-sided sets ([lo, ∞) for
    ``upper``, (−∞, hi] for ``lower``). Holes further out than the first crossing on
    each side are not searched for.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import t_ppf

WEIGHT_TYPES = ("rademacher", "webb")
P_TYPES = ("symmetric", "equal-tail", "lower", "upper")
WEBB_VALUES = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
MAX_CHUNK_CELLS = 1 << 22
TIE_RTOL = 1e-10
MAX_DOUBLINGS = 60
CONTENT_ORDER_ROWS = 16


@dataclass(frozen=True)
class WildBootstrapResult:
    """Outcome of one WCR bootstrap test of R'β = r (fields as in the module docstring).

    ``estimate`` R'β̂, ``null`` r, ``std_error`` sqrt(c R'VR), ``t_stat`` (R'β̂ − r)/se; ``p_value`` of
    ``p_type``; ``conf_int`` the inverted set at ``level`` (NaN ends when not computed); ``reps`` the
    replications used (2^G when ``enumerated``); ``small_sample`` the CRV1 factor c; ``t_boot`` the
    bootstrap t* at r (not in :meth:`to_dict`).
    """

    estimate: float
    null: float
    std_error: float
    t_stat: float
    p_value: float
    p_type: str
    conf_int: tuple[float, float]
    level: float
    reps: int
    weights: str
    enumerated: bool
    seed: int
    n_clusters: int
    nobs: int
    small_sample: float
    method: str = "WCR bootstrap-t (Roodman et al. 2019), CRV1 t-statistic"
    t_boot: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python fields (no arrays; infinite interval ends as strings), for JSON reports."""
        return {
            "method": self.method,
            "estimate": self.estimate,
            "null": self.null,
            "std_error": self.std_error,
            "t_stat": self.t_stat,
            "p_value": self.p_value,
            "p_type": self.p_type,
            "conf_int": [_json_end(self.conf_int[0]), _json_end(self.conf_int[1])],
            "level": self.level,
            "reps": self.reps,
            "weights": self.weights,
            "enumerated": self.enumerated,
            "seed": self.seed,
            "n_clusters": self.n_clusters,
            "nobs": self.nobs,
            "small_sample": self.small_sample,
        }


def _json_end(v: float) -> float | str:
    """An interval end for JSON: infinite ends (one-sided sets) become "inf"/"-inf"."""
    return float(v) if math.isfinite(v) else ("inf" if v > 0 else "-inf")


@dataclass(frozen=True)
class _Bootstrap:
    """Per-replication pieces of t*(r) = (n0 + n1 r) / sqrt(c (a + 2 b r + q r²))."""

    n0: np.ndarray
    n1: np.ndarray
    a: np.ndarray
    b: np.ndarray
    q: np.ndarray
    estimate: float
    se: float
    factor: float

    def t_sample(self, r: float) -> float:
        """Sample t = (R'β̂ − r)/se."""
        return (self.estimate - r) / self.se

    def t_boot(self, r: float) -> np.ndarray:
        """t*(r) of every replication (inf or NaN where the bootstrap variance is 0)."""
        var = self.a + (2.0 * r) * self.b + (r * r) * self.q
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.n0 + self.n1 * r) / np.sqrt(self.factor * np.maximum(var, 0.0))

    def p_value(self, r: float, p_type: str) -> float:
        """Bootstrap p-value of R'β = r, the same weights for every r."""
        return p_from_t(self.t_sample(r), self.t_boot(r), p_type)


def p_from_t(t: float, t_boot: np.ndarray, p_type: str) -> float:
    """Bootstrap p-value of ``t`` against ``t_boot`` (definitions in the module docstring).

    Ties: t* within TIE_RTOL · max(1, |t|) of the comparison value are not counted. ``equal-tail``
    is capped at 1.
    """
    tol = TIE_RTOL * max(1.0, abs(t))
    if p_type == "symmetric":
        return float(np.mean(np.abs(t_boot) > abs(t) + tol))
    below = float(np.mean(t_boot < t - tol))
    above = float(np.mean(t_boot > t + tol))
    if p_type == "equal-tail":
        return min(1.0, 2.0 * min(below, above))
    return below if p_type == "lower" else above


def draw_weights(n_clusters: int, reps: int, weights: str, seed: int) -> tuple[np.ndarray, bool]:
    """reps × G weights (columns = clusters in sorted-key order) and whether they enumerate.

    Rademacher with 2^G ≤ reps: all 2^G sign vectors (row b holds the bits of b).
    Otherwise i.i.d. draws from ``default_rng(seed)``: Rademacher ±1 or Webb's six points.

    Returns int8 codes: ±1 for Rademacher, 0…5 (index into :data:`WEBB_VALUES`) for Webb.
    """
    if weights == "rademacher" and n_clusters < 63 and 2**n_clusters <= reps:
        codes = np.arange(2**n_clusters, dtype=np.int64)[:, None] >> np.arange(n_clusters)
        return (2 * (codes & 1) - 1).astype(np.int8), True
    rng = np.random.default_rng(seed)
    if weights == "rademacher":
        return (2 * rng.integers(0, 2, size=(reps, n_clusters), dtype=np.int8) - 1).astype(np.int8), False
    return rng.integers(0, 6, size=(reps, n_clusters), dtype=np.int8), False


def content_cluster_order(
    codes: np.ndarray, content: np.ndarray, max_rows: int = CONTENT_ORDER_ROWS
) -> np.ndarray:
    """Cluster codes 0..G−1 renumbered by content: rank of each cluster's key, returned per row.

    ``codes`` (N, integers 0..G−1, any labelling) and ``content`` (N × m, finite floats: the
    data that define the cluster, e.g. [period rank, y, x]). A cluster's key is (number of
    rows, its first ``max_rows`` rows after sorting its rows lexicographically, flattened);
    clusters are ranked by key (lexicographically), ties by their old code. The key is
    computed from the values only, without arithmetic, so it is the same for any row order
    and any labelling of the clusters.
    """
    codes = np.asarray(codes, dtype=np.int64).reshape(-1)
    content = np.asarray(content, dtype=float).reshape(codes.size, -1)
    n_clusters = int(codes.max()) + 1
    m = content.shape[1]
    order = np.lexsort([content[:, j] for j in range(m - 1, -1, -1)] + [codes])
    sorted_codes = codes[order]
    sizes = np.bincount(codes, minlength=n_clusters)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.arange(codes.size) - starts[sorted_codes]
    depth = int(min(max_rows, sizes.max()))
    keys = np.full((n_clusters, depth, m), np.inf)
    take = pos < depth
    keys[sorted_codes[take], pos[take]] = content[order[take]]
    keys = keys.reshape(n_clusters, depth * m)
    rank_order = np.lexsort(
        [np.arange(n_clusters)] + [keys[:, j] for j in range(depth * m - 1, -1, -1)] + [sizes]
    )
    rank = np.empty(n_clusters, dtype=np.int64)
    rank[rank_order] = np.arange(n_clusters)
    return rank[codes]


def _weight_values(codes: np.ndarray, weights: str) -> np.ndarray:
    """Weights v from the stored int8 codes: ±1 as is (Rademacher), or the Webb value of code 0…5."""
    return codes.astype(float) if weights == "rademacher" else WEBB_VALUES[codes]


def _cluster_sums(
    X: np.ndarray, y: np.ndarray, codes: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, np.ndarray]:
    """X_g'X_g (G × k × k) and X_g'y_g (G × k) by bincount, O(N k²)."""
    k = X.shape[1]
    xx = np.empty((n_clusters, k, k))
    for i in range(k):
        for j in range(i, k):
            s = np.bincount(codes, weights=X[:, i] * X[:, j], minlength=n_clusters)
            xx[:, i, j] = s
            xx[:, j, i] = s
    xy = np.column_stack([np.bincount(codes, weights=X[:, i] * y, minlength=n_clusters) for i in range(k)])
    return xx, xy


def _check_arrays(
    y: Any, X: Any, cluster: Any, R: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """y (N), X (N × k; a vector is one column), cluster (N) and R (k) as arrays, checked.

    Raises :class:`InputError` for row counts that differ, R of the wrong length or all zeros,
    non-finite y or X (rows named) and missing cluster labels (rows named).
    """
    y_a = np.asarray(y, dtype=float).reshape(-1)
    X_a = np.asarray(X, dtype=float)
    if X_a.ndim == 1:
        X_a = X_a[:, None]
    R_a = np.asarray(R, dtype=float).reshape(-1)
    cl = np.asarray(cluster)
    n = y_a.shape[0]
    if X_a.ndim != 2 or X_a.shape[0] != n or cl.shape[0] != n:
        raise InputError(
            f"y, X and cluster must have the same number of rows, got {n}, {X_a.shape[0]}, {cl.shape[0]}"
        )
    if R_a.shape[0] != X_a.shape[1]:
        raise InputError(f"R must have one entry per column of X ({X_a.shape[1]}), got {R_a.shape[0]}")
    if not np.any(R_a):
        raise InputError("R is all zeros: there is no restriction to test")
    bad = np.flatnonzero(~np.isfinite(y_a) | ~np.isfinite(X_a).all(axis=1))
    if bad.size:
        raise InputError("y or X has missing or infinite values", rows=bad.tolist())
    if pd.isna(cl).any():
        raise InputError("the cluster variable has missing values", rows=np.flatnonzero(pd.isna(cl)).tolist())
    return y_a, X_a, cl, R_a


def _prepare(
    y: np.ndarray, X: np.ndarray, codes: np.ndarray, n_clusters: int, R: np.ndarray, k_absorbed: int
) -> tuple[dict[str, Any], float, float, float]:
    """Cluster blocks, estimate, CRV1 se and the affine-in-r restricted scores.

    Restricted scores s_g(r) = s0_g + s1_g r (restricted fit β̃(r) = β̂ − d (R'β̂ − r), d = w/(R'w)),
    C_g = w's_g and a_g = (X'X)⁻¹X_g'X_g w as in the module docstring. Raises :class:`InputError` when
    X'X is singular (condition number above 1e14), N − K <= 0 or the CRV1 variance of R'β̂ is zero.
    """
    n, k = X.shape
    xx_g, xy_g = _cluster_sums(X, y, codes, n_clusters)
    xx = xx_g.sum(axis=0)
    try:
        xx_inv = np.linalg.inv(xx)
    except np.linalg.LinAlgError:
        raise InputError("X'X is singular: the regressors are collinear") from None
    if not np.all(np.isfinite(xx_inv)) or np.linalg.cond(xx) > 1e14:
        raise InputError("X'X is singular: the regressors are collinear")
    beta = xx_inv @ xy_g.sum(axis=0)
    w = xx_inv @ R
    estimate = float(R @ beta)
    dof = n - k - k_absorbed
    if dof <= 0:
        raise InputError(f"too few observations: N - K = {dof}")
    factor = n_clusters / (n_clusters - 1) * (n - 1) / dof
    s_hat = xy_g - xx_g @ beta  # G × k unrestricted scores
    se = float(math.sqrt(factor * np.sum((s_hat @ w) ** 2)))
    if not se > 0:
        raise InputError("the cluster-robust variance of R'b is zero (R'b is fitted exactly)")
    d = w / float(R @ w)  # beta_tilde(r) = beta - d (R'beta - r)
    s0 = xy_g - xx_g @ (beta - d * estimate)  # G × k, restricted scores at r = 0
    s1 = -(xx_g @ d)  # d s_g / d r
    a_g = (xx_g @ w) @ xx_inv  # G × k, rows w'X_g'X_g(X'X)⁻¹
    blocks = {"s0": s0, "s1": s1, "c0": s0 @ w, "c1": s1 @ w, "a": a_g}
    return blocks, estimate, se, factor


def _replicate(blocks: dict[str, Any], V_codes: np.ndarray, weights: str) -> dict[str, np.ndarray]:
    """n0, n1, a, b, q for every replication, vectorised over chunks of replications."""
    reps, n_clusters = V_codes.shape
    chunk = max(1, MAX_CHUNK_CELLS // max(n_clusters, 1))
    out = {key: np.empty(reps) for key in ("n0", "n1", "a", "b", "q")}
    s01 = np.vstack([blocks["s0"].T, blocks["s1"].T])  # 2k × G
    k = blocks["s0"].shape[1]
    c0, c1, A = blocks["c0"][:, None], blocks["c1"][:, None], blocks["a"]
    for start in range(0, reps, chunk):
        stop = min(reps, start + chunk)
        v = _weight_values(V_codes[start:stop], weights).T  # G × chunk
        sv = s01 @ v  # 2k × chunk: Σ_h s_h v_h at r = 0 and its slope in r
        z0 = c0 * v - A @ sv[:k]
        z1 = c1 * v - A @ sv[k:]
        out["n0"][start:stop] = blocks["c0"] @ v
        out["n1"][start:stop] = blocks["c1"] @ v
        out["a"][start:stop] = np.einsum("gb,gb->b", z0, z0)
        out["b"][start:stop] = np.einsum("gb,gb->b", z0, z1)
        out["q"][start:stop] = np.einsum("gb,gb->b", z1, z1)
    return out


def wild_cluster_bootstrap(
    y: Any,
    X: Any,
    cluster: Any,
    R: Any,
    r: float = 0.0,
    *,
    seed: int,
    reps: int = 9999,
    weights: str = "rademacher",
    p_type: str = "symmetric",
    level: float = 0.95,
    conf_int: bool = True,
    k_absorbed: int = 0,
    weight_codes: np.ndarray | None = None,
) -> WildBootstrapResult:
    """WCR bootstrap-t test of R'β = r in y = Xβ + u, clustered by ``cluster``.

    Formulas, weights, p-values, the confidence set and the determinism rule are in
    the module docstring (Roodman, MacKinnon, Nielsen & Webb 2019, Stata Journal 19(1)).
    ``y`` (N), ``X`` (N × k, fixed effects already partialled out, a constant column
    included if the model has one), ``cluster`` (N labels, any sortable type), ``R``
    (k). ``k_absorbed`` adds absorbed parameters to K in the CRV1 factor of the
    reported t (the p-value does not depend on it). ``weight_codes`` (reps × G, the
    output of :func:`draw_weights`) replaces the draw, for cross-checks with other
    implementations.

    ``r`` is the null value, ``seed`` the seed of ``default_rng``, ``reps`` B, ``weights`` and
    ``p_type`` as in :data:`WEIGHT_TYPES` / :data:`P_TYPES`; ``conf_int=False`` skips the test
    inversion. Returns :class:`WildBootstrapResult`. Raises :class:`InputError` for an unknown weight
    or p-value type, ``level`` outside (0, 1), ``reps`` < 1, fewer than 2 clusters, the array problems
    of ``_check_arrays`` and ``_prepare``, and ``weight_codes`` that are not reps × G.
    """
    if weights not in WEIGHT_TYPES:
        raise InputError(f"unknown weights {weights!r}; use one of {', '.join(WEIGHT_TYPES)}")
    if p_type not in P_TYPES:
        raise InputError(f"unknown p_type {p_type!r}; use one of {', '.join(P_TYPES)}")
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")
    if int(reps) < 1:
        raise InputError(f"reps must be at least 1, got {reps}")
    y_a, X_a, cl, R_a = _check_arrays(y, X, cluster, R)
    keys, codes = np.unique(cl, return_inverse=True)
    n_clusters = len(keys)
    if n_clusters < 2:
        raise InputError(f"the wild cluster bootstrap needs at least 2 clusters, got {n_clusters}")
    blocks, estimate, se, factor = _prepare(y_a, X_a, codes.reshape(-1), n_clusters, R_a, int(k_absorbed))
    if weight_codes is None:
        V_codes, enumerated = draw_weights(n_clusters, int(reps), weights, int(seed))
    else:
        V_codes, enumerated = np.asarray(weight_codes), False
        if V_codes.ndim != 2 or V_codes.shape[1] != n_clusters:
            raise InputError(f"weight_codes must be reps x {n_clusters}, got shape {V_codes.shape}")
    pieces = _replicate(blocks, V_codes, weights)
    boot = _Bootstrap(**pieces, estimate=estimate, se=se, factor=factor)
    p = boot.p_value(float(r), p_type)
    ci = _confidence_set(boot, p_type, level, n_clusters) if conf_int else (math.nan, math.nan)
    return WildBootstrapResult(
        estimate=estimate,
        null=float(r),
        std_error=se,
        t_stat=boot.t_sample(float(r)),
        p_value=p,
        p_type=p_type,
        conf_int=ci,
        level=level,
        reps=int(V_codes.shape[0]),
        weights=weights,
        enumerated=enumerated,
        seed=int(seed),
        n_clusters=n_clusters,
        nobs=int(y_a.shape[0]),
        small_sample=factor,
        t_boot=boot.t_boot(float(r)),
    )


def _confidence_set(boot: _Bootstrap, p_type: str, level: float, n_clusters: int) -> tuple[float, float]:
    """(lower, upper) of {r : p(r) > 1 − level} by the bracketing and brentq of the module docstring.

    An end is ±inf when p stays above 1 − level after ``MAX_DOUBLINGS`` doublings, or by construction
    for one-sided p-values; both ends equal the estimate when the estimate itself is rejected.
    """
    alpha = 1.0 - level
    crit = float(t_ppf(1.0 - alpha / 2.0, n_clusters - 1))

    def excess(r: float) -> float:
        """p(r) − (1 − level): positive inside the set."""
        return boot.p_value(r, p_type) - alpha

    def bound(direction: float) -> float:
        """The first crossing from the estimate in ``direction`` (−1 lower, +1 upper)."""
        inside = boot.estimate
        if excess(inside) <= 0:
            return boot.estimate  # the estimate itself is rejected (degenerate bootstrap)
        step = crit * boot.se
        for _ in range(MAX_DOUBLINGS):
            outside = boot.estimate + direction * step
            if excess(outside) < 0:
                lo, hi = sorted((inside, outside))
                return float(
                    optimize.brentq(excess, lo, hi, xtol=1e-10 * boot.se, rtol=4 * np.finfo(float).eps)
                )
            inside, step = outside, 2.0 * step
        return direction * math.inf

    lower = -math.inf if p_type == "lower" else bound(-1.0)
    upper = math.inf if p_type == "upper" else bound(1.0)
    return lower, upper


def wild_bootstrap_fe(
    data: pd.DataFrame,
    y: str,
    x: Sequence[str],
    *,
    entity: str,
    time: str,
    param: str | Mapping[str, float],
    seed: int,
    r: float = 0.0,
    effects: str = "twoway",
    cluster: str = "entity",
    reps: int = 9999,
    weights: str = "rademacher",
    p_type: str = "symmetric",
    level: float = 0.95,
    file: str | Path | None = None,
) -> WildBootstrapResult:
    """WCR bootstrap of one coefficient (or a linear combination) of a panel FE regression.

    The model of :func:`tfp_talent.estimators.panel.fit_panel` with ``model="fe"``
    (``effects`` ``entity``, ``time``, ``twoway``; ``none`` = pooled OLS with a
    constant): the rows and regressors are checked by
    :func:`~tfp_talent.estimators.design.prepare_panel`, the effects are
    partialled out by :func:`~tfp_talent.estimators.design.demean` (the package's
    FE demeaner) and :func:`wild_cluster_bootstrap` is run on the result, clustered by
    ``cluster`` (``entity`` or ``time``). Only the effects nested in the clusters are
    absorbed; the others enter as (demeaned) dummy columns, so that the bootstrap is that
    of the dummy-variable model (module docstring): T − 1 period dummies for two-way
    effects with entity clusters, N × T floats of memory. The clusters are ordered by their
    content (:func:`content_cluster_order`), so the draws do not depend on row order or cluster
    labels. ``param`` is a regressor name (test β_x = r)
    or a mapping {name: weight} (test Σ weight·β = r). The reported t is that of
    ``fit_panel(..., cov="clustered", convention="stata")`` (K = K_c).

    Returns :class:`WildBootstrapResult`. Raises :class:`InputError` for unknown ``effects`` or
    ``cluster``, a ``param`` that is not among ``x``, the data problems of ``prepare_panel`` and
    ``check_regressors``, and as :func:`wild_cluster_bootstrap`.
    """
    from tfp_talent.estimators.design import check_regressors, demean, prepare_panel
    from tfp_talent.estimators.inference import absorbed_levels, nested_levels

    if effects not in ("none", "entity", "time", "twoway"):
        raise InputError(f"unknown effects {effects!r}; use none, entity, time or twoway")
    if cluster not in ("entity", "time"):
        raise InputError(f"cluster must be 'entity' or 'time' for the wild bootstrap, got {cluster!r}")
    x = [str(v) for v in ([x] if isinstance(x, str) else x)]
    combo = {param: 1.0} if isinstance(param, str) else {str(k): float(v) for k, v in param.items()}
    unknown = [name for name in combo if name not in x]
    if unknown:
        raise InputError("the tested coefficient is not a regressor of the model", column=unknown)
    prep = prepare_panel(data, [str(y), *x], entity=entity, time=time, file=file)
    f = prep.frame
    e, t = f["_e"].to_numpy(), f["_t"].to_numpy()
    raw = np.column_stack([prep.col(str(y)), *[prep.col(v) for v in x]])
    has_const = effects == "none"
    check_regressors(demean(raw, e, t, effects)[:, 1:], x, file=prep.file, has_constant=has_const)
    other = "time" if cluster == "entity" else "entity"
    absorbed = cluster if effects in (cluster, "twoway") else "none"
    dm = demean(raw, e, t, absorbed)
    X = dm[:, 1:]
    names = list(x)
    if has_const:
        X = np.column_stack([np.ones(prep.nobs), X])
        names = ["const", *names]
    if effects in (other, "twoway"):  # effects not nested in the clusters: explicit dummies
        _, codes = np.unique(t if other == "time" else e, return_inverse=True)
        dummies = np.zeros((prep.nobs, int(codes.max()) + 1))
        dummies[np.arange(prep.nobs), codes.reshape(-1)] = 1.0
        if effects == "twoway":
            dummies = demean(dummies[:, 1:], e, t, absorbed)
        X = np.column_stack([X, dummies])
    R = np.zeros(X.shape[1])
    R[: len(names)] = [combo.get(name, 0.0) for name in names]
    k_fe, _ = absorbed_levels(effects, prep.n_entities, prep.n_periods)
    k_absorbed = (
        len(names) + k_fe - nested_levels(effects, cluster, prep.n_entities, prep.n_periods) - X.shape[1]
    )
    # clusters in content order (module docstring, Determinism): entity clusters by their
    # (period rank, y, x) rows, period clusters by their (y, x) rows; never by label
    content = np.column_stack([t, raw]) if cluster == "entity" else raw
    clusters = content_cluster_order(e if cluster == "entity" else t, content)
    return wild_cluster_bootstrap(
        dm[:, 0],
        X,
        clusters,
        R,
        r,
        seed=seed,
        reps=reps,
        weights=weights,
        p_type=p_type,
        level=level,
        k_absorbed=k_absorbed,
    )
