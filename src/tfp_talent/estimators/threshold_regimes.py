"""Hansen's (1999) threshold regression at given thresholds: regimes, the FE fit with its SEs, the LR critical value.

The pieces of :mod:`tfp_talent.estimators.threshold` that do not search: the regime of each
observation (``q <= γ`` within, ``q < γ`` with Hansen's 1999 transform), the OLS of the transformed
y on [x, r 1{regime j}] with unadjusted, robust and entity-clustered SEs scaled by the inference
module's small-sample factor, and the critical value of the LR confidence interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import DEFAULT_CONVENTION, small_sample_factor
from tfp_talent.estimators.threshold_prepare import ThresholdPanel, entity_transform
from tfp_talent.estimators.threshold_results import RegimeFit
from tfp_talent.io import key_label


def lr_critical_value(level: float) -> float:
    """Hansen's (1999, eq. 18) critical value c(alpha) = -2 ln(1 - sqrt(level)) for the LR interval."""
    if not 0.0 < level < 1.0:
        raise InputError(f"confidence level must be between 0 and 1, got {level}", column="level")
    return -2.0 * math.log(1.0 - math.sqrt(level))


def _regime_index(q: np.ndarray, thresholds: Sequence[float], strict: bool) -> np.ndarray:
    """Regime 0 … k of each q (same shape as ``q``): the number of sorted thresholds at or below q
    (``strict``), or strictly below q."""
    th = np.sort(np.asarray(thresholds, dtype=np.float64))
    # strict (Hansen): regime 1 is q < g1, ..., last q >= gp; otherwise (xthreg): q <= g1, ..., q > gp
    return np.searchsorted(th, q, side="right" if strict else "left")


def _regime_labels(qx: str, thresholds: Sequence[float], strict: bool) -> list[str]:
    """Regime labels such as ``q < 0.0157``, ``0.0157 <= q < 0.0536``, ``q >= 0.0536`` (strict) or the
    ``<=`` / ``>`` forms (xthreg); ``["all"]`` without thresholds. Thresholds printed to 10 digits."""
    th = sorted(float(t) for t in thresholds)
    lo, hi = ("<=", "<") if strict else ("<", "<=")
    if not th:
        return ["all"]
    labels = [f"{qx} {hi} {th[0]:.10g}"]
    for a, b in zip(th[:-1], th[1:]):
        labels.append(f"{a:.10g} {lo} {qx} {hi} {b:.10g}")
    labels.append(f"{qx} {'>=' if strict else '>'} {th[-1]:.10g}")
    return labels


def fit_regimes(
    panel: ThresholdPanel,
    transform: str,
    thresholds: Sequence[float],
    x: list[str],
    rx: list[str],
    qx: str,
    convention: str = DEFAULT_CONVENTION,
) -> RegimeFit:
    """OLS of T y on [T x, T (r 1{regime j})] with unadjusted, robust and entity-clustered SEs.

    Small-sample factors from :func:`tfp_talent.estimators.inference.small_sample_factor` with the
    entity effects absorbed (``stata``: s2 = SSR/(n - N - K); HC1 = HC0 n/(n - N - K); clustered
    G/(G-1) (n-1)/(n - K - 1), as ``xtreg, fe vce(cluster id)``).

    Raw covariances before the factor: s² (Z'Z)⁻¹ with s² = SSR/n; HC0 (Z'Z)⁻¹ Σ z_o z_o' e_o² (Z'Z)⁻¹;
    CRV0 (Z'Z)⁻¹ Σ_i s_i s_i' (Z'Z)⁻¹, s_i = Σ_t z_it e_it (G = N entity clusters), Z the transformed
    design. K = kx + m (k + 1) slopes for k thresholds; n = N T_out; ``df_resid`` = n − N − K.

    Parameters
    ----------
    panel, transform
        The checked panel and ``"within"`` / ``"hansen1999"`` (regime rule and rows dropped).
    thresholds
        Any number of thresholds (none: the linear FE model).
    x, rx, qx
        Column names, for the coefficient and regime labels.
    convention
        Small-sample convention (:mod:`tfp_talent.estimators.inference`).

    Returns
    -------
    RegimeFit
        Slopes named ``x`` then ``<rx>_r1`` … (``<rx>`` alone without thresholds), SEs under
        ``unadjusted``, ``robust`` and ``clustered``; regime counts and per-period shares use all N·T
        observations.
    """
    strict = transform == "hansen1999"
    n_ent, _n_per = panel.y.shape
    reg = _regime_index(panel.q, thresholds, strict)
    n_reg = len(thresholds) + 1
    cols = [panel.x]
    names = list(x)
    for j in range(n_reg):
        cols.append(panel.r * (reg == j)[:, :, None])
        names += [f"{name}_r{j + 1}" if n_reg > 1 else name for name in rx]
    z = entity_transform(np.concatenate(cols, axis=2), transform)
    yt = entity_transform(panel.y, transform)
    n, kz = z.shape
    zz_inv = np.linalg.inv(z.T @ z)
    coef = zz_inv @ (z.T @ yt)
    e = yt - z @ coef
    ssr = float(e @ e)
    df_resid = n - n_ent - kz
    # raw covariances (s2 = SSR/n; HC0; CRV0 by entity), scaled by the inference module's factor for
    # entity fixed effects (K_fe = N absorbed levels, all nested in the entity clusters)
    counts = {"nobs": n, "k": kz, "k_fe": n_ent, "k_fe_entity": n_ent - 1}
    ze = z * e[:, None]
    sc = ze.reshape(n_ent, n // n_ent, kz).sum(axis=1)
    raw = {
        "unadjusted": zz_inv * (ssr / n),
        "robust": zz_inv @ (ze.T @ ze) @ zz_inv,
        "clustered": zz_inv @ (sc.T @ sc) @ zz_inv,
    }
    nested = {"unadjusted": 0, "robust": 0, "clustered": n_ent - 1}
    ses = {
        cov: dict(
            zip(
                names,
                np.sqrt(
                    np.diag(v)
                    * small_sample_factor(
                        convention, cov, **counts, k_fe_nested=nested[cov], n_clusters=n_ent
                    )
                ).tolist(),
            )
        )
        for cov, v in raw.items()
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
