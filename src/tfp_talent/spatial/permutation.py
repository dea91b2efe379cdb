"""Conditional permutation pseudo p-values of local spatial statistics, vectorised in numpy.

Conditional randomisation (Anselin 1995, *Geographical Analysis* 27, sec. 4): for unit i, hold y_i
fixed and give its k_i neighbours' weights to k_i values drawn at random, without replacement, from
the other n - 1 units; recompute the local statistic; repeat ``permutations`` times. The pseudo p is
esda's folded one (``alternative="directed"``, its default): with ``larger`` = #{draws >= observed},
``larger = min(larger, permutations - larger)`` and p = (larger + 1) / (permutations + 1).

The statistics are esda's (``Moran_Local``, ``G_Local`` with ``permutations=0``); only the
randomisation is done here. Why not esda's own: it is compiled by numba on first use, which takes
about 30 s in every new process on the project machine (2 cores) for a problem of 31 provinces that
numpy solves in milliseconds — half of the whole workflow's time budget. The draws come from a
``numpy.random.Generator`` seeded with ``seed`` (one per cross-section), so they differ from esda's
numba stream; the p-values agree with esda's within Monte Carlo error (tests/spatial/test_permutation.py
records esda 2.9.0's values and checks an exact enumeration).

Arguments shared by the functions below: ``w`` is the dense (n, n) weights matrix the statistic
used, in the order of the values (``SpatialWeights.matrix``, or the binary matrix with its
diagonal for Gi*); ``observed`` the statistic's own values (n,); ``permutations`` the number of
draws per unit (esda's default is 999); ``seed`` an integer. With ``permutations`` = P the
smallest attainable p is 1 / (P + 1) (0.001 for 999) and p never exceeds (P + 2) / (2 (P + 1)),
since the folded count looks at the nearer tail; :mod:`tfp_talent.spatial.explore` compares it
with ``alpha`` directly, as users of esda's ``p_sim`` do.
"""

from __future__ import annotations

import numpy as np

from tfp_talent.errors import InputError


def folded_pseudo_p(observed: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """esda's folded pseudo p of each row: ``draws`` (n, permutations), ``observed`` (n,).

    p_i = (min(L_i, P − L_i) + 1) / (P + 1), L_i = #{draws of row i >= observed_i}, P = permutations
    (esda's ``p_sim`` with ``alternative="directed"``). Returns shape (n,).
    """
    perms = draws.shape[1]
    larger = (draws >= observed[:, None]).sum(axis=1)
    larger = np.minimum(larger, perms - larger)
    return (larger + 1.0) / (perms + 1.0)


def _neighbour_draws(w: np.ndarray, permutations: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each unit i: (weights of its off-diagonal neighbours, (permutations, k_i) indices of random others).

    The indices point into the other units (i excluded), drawn uniformly without replacement and in
    random order (argsort of uniform keys), from one generator seeded with ``seed``, units in order.
    Each unit consumes permutations × (n − 1) uniforms, so the random keys of unit i depend only on
    ``seed``, n, ``permutations`` and i, not on the weights or the data. Raises :class:`InputError`
    when ``permutations`` < 1.
    """
    if permutations < 1:
        raise InputError("conditional permutation needs permutations >= 1")
    n = w.shape[0]
    rng = np.random.default_rng(int(seed))
    out = []
    for i in range(n):
        row = np.delete(w[i], i)
        weights = row[row != 0]
        others = np.delete(np.arange(n), i)
        keys = rng.random((permutations, n - 1))
        picks = others[np.argsort(keys, axis=1)[:, : weights.size]]
        out.append((weights, picks))
    return out


def local_moran_pseudo_p(
    z: np.ndarray, w: np.ndarray, observed: np.ndarray, permutations: int, seed: int
) -> np.ndarray:
    """Pseudo p of local Moran I_i = (n - 1) z_i (w_ii z_i + Σ_j w_ij z_j) / Σ_k z_k² (esda ``Moran_Local``).

    ``z``: the standardised values esda uses; ``w``: the (transformed) weights matrix; ``observed``: esda's ``Is``.
    In each draw z_i and w_ii stay fixed and the k_i neighbour weights multiply z-values of k_i
    other units drawn without replacement; the scaling (n − 1) / Σ z_k² is that of the observed
    data (it is invariant to the permutation). Returns the folded pseudo p, shape (n,).
    """
    z = np.asarray(z, dtype=float)
    scaling = (z.size - 1) / float(z @ z)
    draws = np.empty((z.size, permutations))
    for i, (weights, picks) in enumerate(_neighbour_draws(w, permutations, seed)):
        draws[i] = z[i] * (z[picks] @ weights + w[i, i] * z[i]) * scaling
    return folded_pseudo_p(np.asarray(observed, dtype=float), draws)


def gi_star_pseudo_p(
    y: np.ndarray, w: np.ndarray, observed: np.ndarray, permutations: int, seed: int
) -> np.ndarray:
    """Pseudo p of Gi* = (w_ii y_i + Σ_j w_ij y_j) / Σ_k y_k (esda ``G_Local(star=True)``).

    ``observed`` are esda's ``Gs``. Getis & Ord (1992), Geographical Analysis 24(3); Ord & Getis
    (1995), Geographical Analysis 27(4). The denominator Σ_k y_k (all units, i included) is fixed
    under permutation, as in esda; y should be >= 0 (:mod:`tfp_talent.spatial.explore` labels a
    cross-section with negative values ``undefined``). Returns shape (n,).
    """
    y = np.asarray(y, dtype=float)
    total = float(y.sum())
    draws = np.empty((y.size, permutations))
    for i, (weights, picks) in enumerate(_neighbour_draws(w, permutations, seed)):
        draws[i] = (y[picks] @ weights + w[i, i] * y[i]) / total
    return folded_pseudo_p(np.asarray(observed, dtype=float), draws)
