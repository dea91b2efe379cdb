"""Direct, indirect (spillover) and total effects of SAR and SDM panels (LeSage & Pace 2009, ch. 2.7).

For regressor k with own coefficient beta_k and (SDM only) spatial-lag coefficient theta_k,
the N x N matrix of partial derivatives dy/dx_k' is S(lambda)(beta_k I + theta_k W), S = (I - lambda W)^{-1}:

  direct   = beta_k a(lambda) + theta_k b(lambda),   a = tr(S)/N,  b = tr(W S)/N   (mean diagonal)
  total    = beta_k c(lambda) + theta_k d(lambda),   c = 1'S 1/N,  d = 1'S W 1/N   (mean row sum)
  indirect = total - direct.

For a row-standardised W, c = d = 1/(1 - lambda) (so total = (beta_k + theta_k)/(1 - lambda)).
a and b come from the eigenvalues w_i of W (a = mean 1/(1 - lambda w_i), b = mean w_i/(1 - lambda w_i))
when they are available; otherwise from G = W S at the estimate (b = tr G/N, a = 1 + lambda b), exactly.
These are the values splm's ``impacts`` reports (spatialreg ``trW(type="mult")`` traces, whose series
truncation at 30 powers is negligible for |lambda| < 0.5).

Inference:
* delta method: var = g' V g with g the gradient of the effect in (lambda, beta_k, theta_k), using
  a' = mean w/(1 - lambda w)^2, b' = mean w^2/(1 - lambda w)^2 (or tr(GS)/N and tr(GG)/N);
* simulation (LeSage & Pace 2009, sec. 2.7.1; spatialreg ``impacts(R=...)``): ``draws`` parameter
  vectors from N(theta_hat, V) with ``numpy.random.default_rng(seed)`` (one multivariate-normal draw
  per replication, in the fixed order lambda, beta, theta of the regressors as listed, so the draws do
  not depend on row order or entity labels); draws with lambda outside the admissible interval are
  dropped and counted. Reported: the standard deviation of the simulated effects and their 2.5/97.5
  percentiles. For N above the eigenvalue limit, a(lambda), b(lambda) along the draws use the power
  series sum_j lambda^j tr(W^j)/N (up to the power where |lambda|^j <= 1e-12, at most 600) with
  Hutchinson trace estimates (``power_traces``), shifted so that they are exact at the estimate.
V is the full covariance of (lambda, beta, theta) from the information matrix (splm passes its
covariance with the lambda-beta block set to zero, which gives slightly different simulated SEs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tfp_talent.estimators.inference import norm_ppf, norm_sf
from tfp_talent.estimators.spatial_alignment import is_row_standardised
from tfp_talent.estimators.spatial_logdet import SpatialOperator, power_traces

EFFECT_KINDS = ("direct", "indirect", "total")
SERIES_MAX = 600  # powers of the trace series: |lambda|^order <= 1e-12 up to this cap


@dataclass(frozen=True)
class _Factors:
    """a, b, c, d of the module docstring and their derivatives in lambda, at one or many lambdas."""

    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    d: np.ndarray
    da: np.ndarray
    db: np.ndarray
    dc: np.ndarray
    dd: np.ndarray


def _row_sum_factors(op: SpatialOperator, lam: np.ndarray) -> tuple[np.ndarray, ...]:
    """(c, d, dc/dλ, dd/dλ) at each λ of ``lam``: mean row sums of S and S W and their derivatives.

    Row-standardised W: c = d = 1/(1 − λ), dc = dd = 1/(1 − λ)². Otherwise by sparse LU solves per λ,
    using dS/dλ = S W S: c = mean S1, d = mean SW1, dc = mean SWS1, dd = mean SWSW1 (1 the ones vector).
    """
    if is_row_standardised(op.w):
        c = 1.0 / (1.0 - lam)
        return c, c, c**2, c**2
    out = np.empty((4, lam.size))
    ones = np.ones(op.n)
    w1 = op.w @ ones
    for i, v in enumerate(lam):
        lu = op.factor(v)
        s1, sw1 = lu.solve(ones), lu.solve(w1)
        out[:, i] = [s1.mean(), sw1.mean(), lu.solve(op.w @ s1).mean(), lu.solve(op.w @ sw1).mean()]
    return tuple(out)


def factors(op: SpatialOperator, lam: np.ndarray | float, *, lam_hat: float | None = None) -> _Factors:
    """Effect factors at ``lam`` (exact with eigenvalues; see module docstring otherwise).

    With eigenvalues w_i: a = mean 1/(1 − λw), b = mean w/(1 − λw), a' = mean w/(1 − λw)²,
    b' = mean w²/(1 − λw)². Without (``"lu"`` operators, large N): at λ̂ = ``lam_hat`` (default the first
    λ) exactly from G = W S, b = tr G/N, a = 1 + λ̂ b, a' = b + λ̂ tr(GG)/N, b' = tr(GG)/N; at other λ
    the power series Σ_j λ^j t_j (t_j of :func:`~tfp_talent.estimators.spatial_logdet.power_traces`)
    shifted by its error at λ̂. ``lam`` is a scalar or a vector of m values; every field has shape (m,).
    """
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    if op.eigenvalues is not None:
        w = op.eigenvalues[None, :]
        inv = 1.0 / (1.0 - lam[:, None] * w)
        a, b = inv.mean(axis=1).real, (w * inv).mean(axis=1).real
        da, db = (w * inv**2).mean(axis=1).real, (w**2 * inv**2).mean(axis=1).real
    else:
        lam0 = float(lam[0]) if lam_hat is None else lam_hat
        g = op.g_matrix(lam0)
        b0, gg0 = np.trace(g) / op.n, float(np.sum(g * g.T)) / op.n
        a0, da0 = 1.0 + lam0 * b0, b0 + lam0 * gg0
        top = max(float(np.max(np.abs(lam))), abs(lam0), 1e-3)
        order = int(min(SERIES_MAX, max(10, np.ceil(np.log(1e-12) / np.log(top)))))
        tr = power_traces(op.w, order + 2)
        j = np.arange(order + 1)

        def series(v: np.ndarray, shift: int, deriv: bool) -> np.ndarray:
            """Σ_j v^j t_{j+shift} (a: shift 0, b: shift 1), or its derivative in v, for each v."""
            if deriv:
                return np.sum(j[1:] * v[:, None] ** (j[1:] - 1) * tr[None, j[1:] + shift], axis=1)
            return np.sum(v[:, None] ** j * tr[None, j + shift], axis=1)

        ref = np.array([lam0])
        a = series(lam, 0, False) + (a0 - series(ref, 0, False))
        b = series(lam, 1, False) + (b0 - series(ref, 1, False))
        da = series(lam, 0, True) + (da0 - series(ref, 0, True))
        db = series(lam, 1, True) + (gg0 - series(ref, 1, True))
    c, d, dc, dd = _row_sum_factors(op, lam)
    return _Factors(a, b, np.asarray(c), np.asarray(d), da, db, np.asarray(dc), np.asarray(dd))


def _effects(f: _Factors, beta: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """(3, m, k) array: direct, indirect, total for m lambdas (beta, theta of shape (k,) or (m, k)).

    direct = a β + b θ, total = c β + d θ, indirect = total − direct (θ = 0 for the SAR).
    """
    direct = f.a[:, None] * beta + f.b[:, None] * theta
    total = f.c[:, None] * beta + f.d[:, None] * theta
    return np.stack([direct, total - direct, total])


def spatial_effects(
    op: SpatialOperator,
    lam: float,
    beta: np.ndarray,
    theta: np.ndarray | None,
    vcov: np.ndarray,
    names: Sequence[str],
    *,
    draws: int = 1000,
    seed: int = 1,
    level: float = 0.95,
) -> dict[str, dict[str, dict[str, float]]]:
    """Effects table ``{variable: {direct|indirect|total: {estimate, se_delta, p_delta, se_sim, ...}}}``.

    ``vcov`` is the covariance of (lambda, beta, theta) in that order (theta absent for SAR).
    ``draws=0`` skips the simulation.

    Parameters
    ----------
    op
        The weights operator of the fit (eigenvalues or sparse LU).
    lam, beta, theta
        Estimates: λ, the k own coefficients and (SDM) the k coefficients of W X, or None (SAR).
    names
        The k regressor names, the keys of the table.
    draws, seed, level
        Simulated replications (0: none), seed of ``numpy.random.default_rng`` and the interval level.

    Returns
    -------
    dict
        Per regressor and kind: ``estimate``, ``se_delta``, ``p_delta`` (two-sided normal, estimate /
        se_delta), ``ci_delta`` (estimate ± z·se_delta); with draws also ``se_sim`` (SD of the simulated
        effects), ``p_sim`` (normal, estimate / se_sim), ``ci_sim`` (percentiles (1 − level)/2 and
        (1 + level)/2), ``mean_sim`` and ``draws_used`` (draws with λ inside the admissible interval).
    """
    k = len(beta)
    durbin = theta is not None
    th = np.zeros(k) if theta is None else np.asarray(theta)
    f_hat = factors(op, lam, lam_hat=lam)
    point = _effects(f_hat, beta, th)[:, 0, :]
    z = norm_ppf(0.5 + level / 2)
    table: dict[str, dict[str, dict[str, float]]] = {}
    grads = _gradients(f_hat, beta, th, durbin)
    for i, name in enumerate(names):
        idx = [0, 1 + i] + ([1 + k + i] if durbin else [])
        sub = vcov[np.ix_(idx, idx)]
        table[name] = {}
        for e, kind in enumerate(EFFECT_KINDS):
            g = grads[e][i]
            se = float(np.sqrt(max(g @ sub @ g, 0.0)))
            est = float(point[e, i])
            table[name][kind] = {
                "estimate": est,
                "se_delta": se,
                "p_delta": float(2 * norm_sf(abs(est / se))) if se > 0 else float("nan"),
                "ci_delta": [est - z * se, est + z * se],
            }
    if draws > 0:
        _simulate(op, lam, beta, th, vcov, names, table, draws=draws, seed=seed, level=level, durbin=durbin)
    return table


def _gradients(f: _Factors, beta: np.ndarray, theta: np.ndarray, durbin: bool) -> list[list[np.ndarray]]:
    """Per effect kind and regressor, the gradient in (lambda, beta_k[, theta_k]).

    direct: (β a' + θ b', a[, b]); total: (β c' + θ d', c[, d]); indirect: their difference; all at
    the estimate (first entry of each factor in ``f``).
    """
    out: list[list[np.ndarray]] = [[], [], []]
    for i in range(len(beta)):
        b, t = beta[i], theta[i]
        direct = [b * f.da[0] + t * f.db[0], f.a[0]] + ([f.b[0]] if durbin else [])
        total = [b * f.dc[0] + t * f.dd[0], f.c[0]] + ([f.d[0]] if durbin else [])
        out[0].append(np.array(direct))
        out[2].append(np.array(total))
        out[1].append(np.array(total) - np.array(direct))
    return out


def _simulate(op, lam, beta, theta, vcov, names, table, *, draws, seed, level, durbin) -> None:
    """Add the simulated columns (module docstring, Inference) to ``table`` in place.

    ``draws`` vectors from N((λ, β[, θ]), vcov) by ``default_rng(seed).multivariate_normal(...,
    method="eigh")``; those with λ outside ``op.interval`` are dropped before the effects are computed.
    """
    k = len(beta)
    mean = np.r_[lam, beta, theta] if durbin else np.r_[lam, beta]
    rng = np.random.default_rng(seed)
    sample = rng.multivariate_normal(mean, vcov, size=draws, method="eigh")
    lo, hi = op.interval
    keep = (sample[:, 0] > lo) & (sample[:, 0] < hi)
    sample = sample[keep]
    f = factors(op, sample[:, 0], lam_hat=lam)
    th = sample[:, 1 + k :] if durbin else np.zeros((len(sample), k))
    sims = _effects(f, sample[:, 1 : 1 + k], th)
    q = [50 * (1 - level), 100 - 50 * (1 - level)]
    for i, name in enumerate(names):
        for e, kind in enumerate(EFFECT_KINDS):
            s = sims[e, :, i]
            sd = float(np.std(s, ddof=1))
            est = table[name][kind]["estimate"]
            table[name][kind].update(
                {
                    "se_sim": sd,
                    "p_sim": float(2 * norm_sf(abs(est / sd))) if sd > 0 else float("nan"),
                    "ci_sim": [float(v) for v in np.percentile(s, q)],
                    "mean_sim": float(np.mean(s)),
                    "draws_used": int(keep.sum()),
                }
            )
