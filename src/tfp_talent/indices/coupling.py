"""Coupling coordination degree (耦合协调度) between entropy-weighted subsystem indices.

Each subsystem k = 1..n (e.g. talent and industry) gets its own global entropy index U_k
(:func:`tfp_talent.indices.entropy.entropy_weights`, weights estimated within the subsystem). Then

* coupling degree, classic form: C = n (prod_k U_k)^(1/n) / sum_k U_k, i.e. the geometric over the
  arithmetic mean of the U_k; for two systems C = 2 sqrt(U1 U2) / (U1 + U2). C is in [0, 1] and
  C = 1 exactly when all U_k are equal;
* coupling degree, corrected form of 王淑佳, 孔伟, 任亮, 治丹丹 & 戴彬婷 (2021), 国内耦合协调度模型的误区及修正,
  自然资源学报 36(3): 793-810 (``form="wang2021"``):
  C = sqrt{ [1 - sum_{i<j} |U_i - U_j| / sum_{m=1}^{n-1} m] * [prod_k (U_k / max U)]^(1/(n-1)) },
  for two systems C = sqrt{ (1 - |U1 - U2|) * min(U1, U2) / max(U1, U2) }; it spreads C over [0, 1]
  instead of bunching it near 1, and for two systems is never above the classic C (sqrt(r) <= 2 sqrt(r)/(1 + r)
  for r = min/max); the first bracket is floored at 0;
* comprehensive index T = sum_k a_k U_k with sum a_k = 1 (default a_k = 1/n, i.e. 0.5, 0.5);
* coupling coordination degree D = sqrt(C T);
* band of D in ten equal steps of 0.1 (廖重斌 1999, 环境与经济协调发展的定量评判及其分类体系, 热带地理
  19(2): 171-177), [0, 0.1) extreme disorder 极度失调 ... [0.9, 1] quality coordination 优质协调
  (a lower edge belongs to the higher band: D = 0.5 is "barely coordinated");
* mismatch 1 - D, and for two systems the gap U_1 - U_2 (talent minus industry: positive means the
  talent supply is ahead of industrial demand).

The literature's misuse of C = {prod U_k / prod(U_i + U_j)}^(1/n) (which is not bounded by 1) is not
offered; see Wang et al. (2021).

Reading D: C alone measures balance (C = 1 for U_1 = U_2 at any level), T the level; D mixes
both, so a low D may mean two weak but balanced subsystems or one strong and one weak. Report C,
T and the gap beside D. All U_k come from min-max scaled data, so D is relative to the sample
(U_k = 1 + shift only for a row at the sample maximum of every indicator), not an absolute standard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.indices.entropy import DEFAULT_SHIFT, EntropyResult, entropy_weights

CouplingForm = Literal["classic", "wang2021"]
FORMS: tuple[str, ...] = ("classic", "wang2021")

#: (lower edge of D, English label, Chinese label); 廖重斌 (1999) ten-band scheme.
BANDS: tuple[tuple[float, str, str], ...] = (
    (0.0, "extreme disorder", "极度失调"),
    (0.1, "severe disorder", "严重失调"),
    (0.2, "moderate disorder", "中度失调"),
    (0.3, "mild disorder", "轻度失调"),
    (0.4, "on the verge of disorder", "濒临失调"),
    (0.5, "barely coordinated", "勉强协调"),
    (0.6, "primary coordination", "初级协调"),
    (0.7, "intermediate coordination", "中级协调"),
    (0.8, "good coordination", "良好协调"),
    (0.9, "quality coordination", "优质协调"),
)
_EDGES = np.array([b[0] for b in BANDS[1:]])


def coordination_band(d: np.ndarray | Sequence[float] | float) -> np.ndarray:
    """Band number 1..10 of the coordination degree D: band k covers [0.1(k-1), 0.1k), band 10 [0.9, inf).

    Lower edges belong to the higher band (D = 0.1 is band 2, severe disorder), as in 廖重斌 (1999),
    whose bands are 0-0.09, 0.10-0.19, ..., 0.90-1.00. NaN gives 0.
    Returns an int array of the shape of ``d``; the labels are ``BANDS[level - 1]``.
    """
    arr = np.asarray(d, dtype=float)
    level = np.searchsorted(_EDGES, arr, side="right") + 1
    return np.where(np.isnan(arr), 0, level)


def coupling_degree(u: np.ndarray, form: CouplingForm = "classic") -> np.ndarray:
    """Coupling degree C of each row of ``u`` (rows = observations, columns = the n >= 2 subsystems).

    classic: C = n (prod U)^(1/n) / sum U (geometric / arithmetic mean); wang2021:
    C = sqrt{[1 - sum_{i<j}|U_i - U_j| / (n(n-1)/2)] [prod (U_k / max U)]^(1/(n-1))} (Wang et al. 2021,
    自然资源学报 36(3)). U must be >= 0; C is NaN where every U of a row is 0 (undefined).

    The classic form for n > 2 takes the geometric mean through logs, so a U of 0 gives C = 0;
    the Wang form gives C = 0 when some U is 0 (the product term) or when the first bracket is
    floored at 0. Returns C with one value per row of ``u``. Raises :class:`InputError` for fewer
    than 2 columns or an unknown ``form`` (``classic`` or ``wang2021``).
    """
    u = np.asarray(u, dtype=float)
    if u.ndim != 2 or u.shape[1] < 2:
        raise InputError(f"coupling needs at least 2 subsystems (columns), got shape {u.shape}")
    if form not in FORMS:
        raise InputError(f"unknown coupling form '{form}'; use one of {', '.join(FORMS)}")
    n = u.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        if form == "classic" and n == 2:
            c = 2.0 * np.sqrt(u[:, 0] * u[:, 1]) / (u[:, 0] + u[:, 1])
        elif form == "classic":
            geo = np.exp(np.log(u).mean(axis=1))
            c = geo / u.mean(axis=1)
        else:
            i, j = np.triu_indices(n, k=1)
            spread = np.abs(u[:, i] - u[:, j]).sum(axis=1) / (n * (n - 1) / 2)
            top = u.max(axis=1, keepdims=True)
            ratio = np.exp(np.log(u / top).sum(axis=1) / (n - 1))
            c = np.sqrt(np.clip(1.0 - spread, 0.0, None) * ratio)
    return np.where(u.sum(axis=1) > 0, c, np.nan)


def _system_weights(weights: Sequence[float] | None, n: int) -> np.ndarray:
    """The a_k of T = Σ a_k U_k: 1/n each by default, else n non-negative numbers summing to 1 (±1e-9)."""
    if weights is None:
        return np.full(n, 1.0 / n)
    a = np.asarray(list(weights), dtype=float)
    if a.shape != (n,) or not np.isfinite(a).all() or (a < 0).any() or abs(a.sum() - 1.0) > 1e-9:
        raise InputError(
            f"subsystem weights must be {n} non-negative numbers summing to 1, got {list(weights)}"
        )
    return a


def coupling_table(
    indices: pd.DataFrame, weights: Sequence[float] | None = None, form: CouplingForm = "classic"
) -> pd.DataFrame:
    """C, T, D, band and mismatch from subsystem indices already computed (one column per subsystem).

    T = sum_k a_k U_k (``weights`` a, default equal), D = sqrt(C T), band of D (:func:`coordination_band`),
    mismatch = 1 - D, and with two columns gap = U_1 - U_2. Returns the input columns followed by
    ``C, T, D, band_level, band, band_zh, mismatch[, gap]`` on the input's rows.

    ``indices`` holds U_k >= 0, e.g. entropy indices from :func:`coupling_coordination_systems`;
    ``band`` and ``band_zh`` are categoricals of the :data:`BANDS` labels in order. Raises
    :class:`InputError` for non-finite or negative U, bad ``weights`` (n numbers >= 0 summing to 1),
    or a row whose U are all 0 (C undefined; a shift > 0 avoids it).
    """
    u = indices.to_numpy(dtype=float)
    if not np.isfinite(u).all() or (u < 0).any():
        raise InputError("subsystem indices must be finite and >= 0", column=list(map(str, indices.columns)))
    a = _system_weights(weights, u.shape[1])
    c = coupling_degree(u, form)
    if np.isnan(c).any():
        rows = list(indices.index[np.isnan(c)])
        raise InputError(
            "coupling is undefined where every subsystem index is 0", rows=rows, hint="use a shift > 0"
        )
    t = u @ a
    d = np.sqrt(c * t)
    level = coordination_band(d)
    out = indices.copy()
    out["C"], out["T"], out["D"] = c, t, d
    out["band_level"] = level
    out["band"] = pd.Categorical.from_codes(level - 1, categories=[b[1] for b in BANDS])
    out["band_zh"] = pd.Categorical.from_codes(level - 1, categories=[b[2] for b in BANDS])
    out["mismatch"] = 1.0 - d
    if u.shape[1] == 2:
        out["gap"] = u[:, 0] - u[:, 1]
    return out


@dataclass
class CouplingResult:
    """Result of :func:`coupling_coordination`: the per-row table and each subsystem's entropy result.

    ``table``: :func:`coupling_table`'s frame with ``U_<name>`` columns; ``systems``: subsystem
    name -> :class:`~tfp_talent.indices.entropy.EntropyResult`; ``system_weights``: the a_k of T;
    ``form``: ``classic`` or ``wang2021``.
    """

    table: pd.DataFrame
    systems: dict[str, EntropyResult]
    system_weights: dict[str, float]
    form: str

    @property
    def weights(self) -> pd.DataFrame:
        """Indicator weights of every subsystem: system, indicator, direction, entropy, redundancy, weight."""
        parts = [res.summary().reset_index().assign(system=name) for name, res in self.systems.items()]
        cols = ["system", "indicator", "direction", "entropy", "redundancy", "weight"]
        return pd.concat(parts, ignore_index=True)[cols]

    def summary(self) -> pd.DataFrame:
        """Share of rows in each coordination band, with mean D (bands with no rows omitted)."""
        g = self.table.groupby("band_level")
        out = pd.DataFrame({"rows": g.size(), "share": g.size() / len(self.table), "mean_D": g["D"].mean()})
        out.insert(0, "band", [BANDS[k - 1][1] for k in out.index])
        out.insert(1, "band_zh", [BANDS[k - 1][2] for k in out.index])
        return out

    def to_dict(self) -> dict[str, Any]:
        """Subsystem weights and settings as JSON-ready values (the per-row table is not included)."""
        return {
            "form": self.form,
            "system_weights": dict(self.system_weights),
            "systems": {name: res.to_dict() for name, res in self.systems.items()},
            "nobs": len(self.table),
            "D_mean": float(self.table["D"].mean()),
            "bands": {
                str(k): int(v) for k, v in self.table["band_level"].value_counts().sort_index().items()
            },
        }


def coupling_coordination_systems(
    frame: pd.DataFrame,
    systems: Mapping[str, Sequence[str]],
    negative: Sequence[str] = (),
    *,
    weights: Sequence[float] | None = None,
    form: CouplingForm = "classic",
    shift: float = DEFAULT_SHIFT,
    keys: Sequence[str] | None = None,
    file: str | Path | None = None,
) -> CouplingResult:
    """Coupling coordination of n >= 2 subsystems, each a list of indicator columns of ``frame``.

    Each subsystem's U_k is its own global entropy index (weights within the subsystem); then C, T, D,
    bands and mismatch as in :func:`coupling_table` (formulas and sources in the module docstring).
    ``negative`` lists the negative indicators of any subsystem. An indicator may belong to one
    subsystem only (a shared column would couple the systems mechanically). The table's columns are
    ``U_<name>`` for each subsystem, then those of :func:`coupling_table`, on the input's rows.

    ``weights`` are the a_k of T (default 1/n); ``shift``, ``keys`` and ``file`` go to
    :func:`~tfp_talent.indices.entropy.entropy_weights` for every subsystem. Raises
    :class:`InputError` for fewer than 2 subsystems, an indicator in two subsystems, a negative
    indicator outside all of them, an unknown ``form``, bad ``weights``, and the errors of
    :func:`~tfp_talent.indices.entropy.entropy_weights` (missing values, a constant indicator).
    """
    names = list(systems)
    if len(names) < 2:
        raise InputError(f"coupling needs at least 2 subsystems, got {len(names)}", file=file)
    owner: dict[str, str] = {}
    for name in names:
        for col in systems[name]:
            if col in owner and owner[col] != name:
                raise InputError(f"is in both subsystems '{owner[col]}' and '{name}'", file=file, column=col)
            owner[col] = name
    stray = [c for c in dict.fromkeys(negative) if c not in owner]
    if stray:
        raise InputError("marked negative but not in any subsystem", file=file, column=stray)
    if form not in FORMS:
        raise InputError(f"unknown coupling form '{form}'; use one of {', '.join(FORMS)}", file=file)
    a = _system_weights(weights, len(names))
    results: dict[str, EntropyResult] = {}
    for name in names:
        neg = [c for c in negative if owner.get(c) == name]
        results[name] = entropy_weights(
            frame, systems[name], neg, shift=shift, keys=keys, file=file, name=f"U_{name}"
        )
    u = pd.concat([results[name].index for name in names], axis=1)
    table = coupling_table(u, weights=a, form=form)
    return CouplingResult(
        table=table,
        systems=results,
        system_weights={name: float(v) for name, v in zip(names, a)},
        form=form,
    )


def coupling_coordination(
    frame: pd.DataFrame,
    talent: Sequence[str],
    industry: Sequence[str],
    negative: Sequence[str] = (),
    weights: Sequence[float] = (0.5, 0.5),
    *,
    form: CouplingForm = "classic",
    shift: float = DEFAULT_SHIFT,
    keys: Sequence[str] | None = None,
    file: str | Path | None = None,
) -> CouplingResult:
    """Talent-industry coupling coordination: U_talent, U_industry, C, T, D, band and mismatch per row.

    C = 2 sqrt(U1 U2) / (U1 + U2) (classic) or Wang et al. (2021)'s corrected form, T = a U1 + b U2
    (a = b = 0.5), D = sqrt(C T), ten 0.1-bands of D (廖重斌 1999), mismatch = 1 - D and
    gap = U_talent - U_industry (> 0: talent supply ahead of industrial demand). U1 and U2 are global
    entropy indices of ``talent`` and ``industry`` (see :func:`coupling_coordination_systems`). The
    result's ``table`` is the per-row DataFrame, ``weights`` both indicator weight vectors.
    """
    return coupling_coordination_systems(
        frame,
        {"talent": talent, "industry": industry},
        negative,
        weights=weights,
        form=form,
        shift=shift,
        keys=keys,
        file=file,
    )


__all__ = [
    "BANDS",
    "FORMS",
    "CouplingResult",
    "coordination_band",
    "coupling_coordination",
    "coupling_coordination_systems",
    "coupling_degree",
    "coupling_table",
]
