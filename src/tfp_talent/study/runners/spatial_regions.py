"""Region-origin effects of an SDM / SAR with region-specific slopes: whose talent, and who gains.

With regressors x×1[region = r] for every region r (and, in the SDM, their spatial lags), a unit
rise in x in province j of region r(j) changes every province's y by column j of

    M_r = S(λ) (β_r I + θ_r W),   S(λ) = (I − λW)⁻¹

(LeSage & Pace 2009, *Introduction to Spatial Econometrics*, §2.7: the "average total impact from
an observation" is the mean column sum). For origin region r with provinces J_r:

    direct_r   = mean_{j ∈ J_r} M_r[j, j]
    total_r    = mean_{j ∈ J_r} Σ_i M_r[i, j]
    indirect_r = total_r − direct_r                    (spillover on all other provinces)
    outside_r  = mean_{j ∈ J_r} Σ_{i ∉ J_r} M_r[i, j]  (spillover on provinces of the other regions)
    inside_r   = indirect_r − outside_r                (spillover on the other provinces of region r)

With one region holding every province these are the average effects of LeSage & Pace (mean
diagonal and mean column sum = mean row sum), which the tests check against
:func:`tfp_talent.estimators.spatial_effects.spatial_effects`.

Inference by simulation (LeSage & Pace 2009, §2.7.1): ``draws`` parameter vectors from
N(θ̂, V) drawn with ``numpy.random.default_rng(seed)`` in the fixed order of the fitted parameters
(λ first), draws with λ outside the admissible interval of W dropped; reported: the standard
deviation of the simulated effects, their 2.5 / 97.5 percentiles and a normal p-value
2Φ(−|estimate / sd|). Provinces are in the weights' sorted id order, so nothing depends on row order.

The SAR is the case θ_r = 0. Reading the effects: ``outside_r`` of the East answers "does talent in
an eastern province raise TFP in the Centre and West?", the question of the ``east`` rule of
``verdicts.spatial`` (:mod:`tfp_talent.study.spatial_report`) and of table kind
``spatial_regions``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tfp_talent.estimators.inference import norm_sf

if TYPE_CHECKING:
    from tfp_talent.spatial.weights import SpatialWeights

EFFECTS = ("direct", "indirect", "total", "outside", "inside")
LAG_PREFIX = "W."  # tfp_talent.estimators.spatial names the SDM's lagged regressors W.<name>


def origin_effects(
    w: np.ndarray, lam: np.ndarray, beta: np.ndarray, theta: np.ndarray, origin: np.ndarray
) -> dict[str, np.ndarray]:
    """The five effects of the module docstring for each of m parameter draws.

    ``w`` (N, N); ``lam``, ``beta``, ``theta`` of shape (m,); ``origin`` a boolean mask of J_r.
    Returns arrays of shape (m,).

    For draw k: M_k = S(λ_k)(β_k I + θ_k W) with S(λ) = (I − λW)⁻¹ (dense inverse, one per draw); the
    keys are those of :data:`EFFECTS`. Pass θ = 0 for a SAR.
    """
    n = w.shape[0]
    eye = np.eye(n)
    s = np.linalg.inv(eye[None, :, :] - lam[:, None, None] * w[None, :, :])
    m = s * beta[:, None, None] + (s @ w) * theta[:, None, None]
    cols = m[:, :, origin]  # (m, N, |J|): responses of every province to a rise in each origin province
    own = np.einsum("kii->ki", m)[:, origin]
    col_sums = cols.sum(axis=1)
    outside = cols[:, ~origin, :].sum(axis=1)
    direct = own.mean(axis=1)
    total = col_sums.mean(axis=1)
    out_mean = outside.mean(axis=1)
    return {
        "direct": direct,
        "indirect": total - direct,
        "total": total,
        "outside": out_mean,
        "inside": total - direct - out_mean,
    }


def region_origin_effects(
    w: SpatialWeights,
    regions: pd.Series,
    params: pd.Series,
    vcov: pd.DataFrame,
    interactions: Mapping[str, Sequence[str]],
    *,
    draws: int = 1000,
    seed: int = 1,
    level: float = 0.95,
) -> dict[str, Any]:
    """``{variable: {region: {effect: {estimate, se_sim, ci_sim, p_sim}}}}`` and the provinces per region.

    ``regions`` maps province code -> region; ``interactions`` maps each interacted variable to its
    terms ``x:r`` (``tfp_talent.study.sample.interact_regions``); ``params`` / ``vcov`` are those of
    the fit (first entry λ; θ of ``x:r`` named ``W.x:r``, absent for a SAR).

    ``draws`` parameter vectors N(θ̂, V) are drawn with ``default_rng(seed)``; those with λ outside
    the admissible interval of W (:class:`~tfp_talent.estimators.spatial_logdet.SpatialOperator`)
    are dropped (``draws_used`` counts the rest). ``level`` sets the percentile interval
    (``ci_sim``: the (1 − level)/2 and (1 + level)/2 percentiles). With ``draws = 0`` only the
    point estimates are reported. A region level without provinces in the weights is skipped.
    The result also holds ``level``, ``draws``, ``draws_used``, ``seed`` and ``regions``
    ({region: province codes}).
    """
    from scipy import sparse

    from tfp_talent.estimators.spatial_logdet import SpatialOperator

    ids = list(w.ids)
    region_of = regions.reindex(ids)
    names = list(params.index)
    rng = np.random.default_rng(seed)
    sample = rng.multivariate_normal(params.to_numpy(), vcov.loc[names, names].to_numpy(), size=draws)
    lo, hi = SpatialOperator(sparse.csr_matrix(w.matrix)).interval
    sample = sample[(sample[:, 0] > lo) & (sample[:, 0] < hi)] if draws else sample
    q = [50 * (1 - level), 100 - 50 * (1 - level)]
    out: dict[str, Any] = {
        "level": level,
        "draws": int(draws),
        "draws_used": len(sample),
        "seed": int(seed),
        "regions": {str(r): [int(c) for c, v in region_of.items() if v == r] for r in region_of.unique()},
        "effects": {},
    }
    for var, terms in interactions.items():
        out["effects"][var] = {}
        for term in terms:
            region = term.rsplit(":", 1)[-1]
            origin = (region_of == region).to_numpy()
            if not origin.any():
                continue
            b_idx = names.index(term)
            t_idx = names.index(LAG_PREFIX + term) if LAG_PREFIX + term in names else None

            def at(
                rows: np.ndarray, b: int = b_idx, t: int | None = t_idx, o: np.ndarray = origin
            ) -> dict[str, np.ndarray]:
                theta = rows[:, t] if t is not None else np.zeros(len(rows))
                return origin_effects(w.matrix, rows[:, 0], rows[:, b], theta, o)

            point = at(params.to_numpy()[None, :])
            sims = at(sample) if len(sample) else None
            table = {}
            for eff in EFFECTS:
                est = float(point[eff][0])
                row: dict[str, Any] = {"estimate": est}
                if sims is not None:
                    sd = float(np.std(sims[eff], ddof=1))
                    row.update(
                        se_sim=sd,
                        ci_sim=[float(v) for v in np.percentile(sims[eff], q)],
                        p_sim=float(2 * norm_sf(abs(est / sd))) if sd > 0 else float("nan"),
                    )
                table[eff] = row
            out["effects"][var][region] = table
    return out
