"""Result types of the Hansen (1999) threshold model and the combination of bootstrap shards.

A bootstrap can be split into shards (``tfp-talent threshold --shard I/N``, the workflow's shard
rules): each shard carries the point estimates, the fingerprint of data and options and its block of
replications (:func:`shard_replications`); :func:`combine_shards` (objects) and
:func:`combine_shard_dicts` (JSON documents) check that the shards belong together and cover every
replication once, and return what the single run would have returned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import COVS
from tfp_talent.estimators.threshold_bootstrap import boot_summary
from tfp_talent.io import key_label

# covariances of the slopes (the inference module's names; no time dimension for Driscoll-Kraay)
COV_TYPES: tuple[str, ...] = tuple(c for c in COVS if c != "driscoll-kraay")
SHARD_FORMAT = "tfp_talent.threshold.shard/1"


@dataclass
class RegimeFit:
    """Least-squares fit at given thresholds: slopes, SEs (all three covariances), regimes.

    ``params`` {name: slope}; ``std_errors`` {cov: {name: SE}} for ``unadjusted``, ``robust`` and
    ``clustered``; ``ssr`` and ``nobs`` of the transformed regression, ``df_resid`` = nobs − N − K;
    ``regimes`` the labels, ``regime_nobs`` the observations per regime (all N·T rows).
    """

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
        """JSON-ready fields; ``regime_shares`` as {"regimes": labels, "by_period": {period: shares}}."""
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
    """LR(gamma) = (S(gamma)/S(gamma_hat) - 1) n over the candidates of one search (for plotting).

    ``stage`` is ``"1"``, ``"2"``, ``"2r"`` or ``"3"``; ``fixed`` the thresholds held fixed;
    ``gamma`` and ``lr`` the candidates and their LR; ``estimate`` the minimiser; ``ci`` the
    [min, max] of the candidates with LR below ``critical_value`` c(alpha) (Hansen 1999, eq. 18).
    """

    stage: str
    fixed: list[float]
    gamma: np.ndarray
    lr: np.ndarray
    estimate: float
    ci: tuple[float, float]
    critical_value: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (arrays as lists of floats, ``ci`` as a two-element list)."""
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
    """Result of :func:`threshold_fit`. Dictionaries are keyed by the number of thresholds k.

    ``spec`` records every option and the derived ``regime_rule``, ``small_sample_formula`` and
    ``grid_points``; ``nobs`` is the n of the F statistics (N(T−1) or NT); ``thresholds[k]`` and
    ``ci[k]`` (sorted) are those of the k-threshold model; ``ssr[k]`` is S_k with S_0 the linear FE
    model; ``f_stat[k]`` = (S_{k−1}/S_k − 1) n; ``boot_stats[k]`` the bootstrap F* (empty without
    replications); ``models[k]`` the slopes; ``lr_curves`` by stage; ``fingerprint`` of data and options.
    """

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
        """The largest number of thresholds fitted."""
        return max(self.thresholds)

    @property
    def p_value(self) -> dict[int, float | None]:
        """Bootstrap p-value of each test k (share of F* > F_k), None without replications."""
        return {k: boot_summary(self.f_stat[k], self.boot_stats.get(k, np.empty(0)))[0] for k in self.f_stat}

    @property
    def crit_values(self) -> dict[int, dict[str, float] | None]:
        """Bootstrap 10/5/1 % critical values of each test k (Hansen's order statistics)."""
        return {k: boot_summary(self.f_stat[k], self.boot_stats.get(k, np.empty(0)))[1] for k in self.f_stat}

    @property
    def params(self) -> dict[str, float]:
        """Slopes of the model with the largest number of thresholds fitted."""
        return self.models[self.n_thresholds].params

    @property
    def std_errors(self) -> dict[str, float]:
        """SEs of :attr:`params` under the covariance chosen with ``cov``."""
        return self.models[self.n_thresholds].std_errors[self.spec["cov"]]

    def to_frame(self) -> pd.DataFrame:
        """Slopes and SEs (all covariances) of every fitted model, one row per (k, coefficient).

        Columns ``n_thresholds``, ``term``, ``coef`` and ``se_<cov>`` for each of :data:`COV_TYPES`.
        """
        rows = []
        for k, fit in sorted(self.models.items()):
            for name, value in fit.params.items():
                row = {"n_thresholds": k, "term": name, "coef": value}
                row.update({f"se_{c}": fit.std_errors[c][name] for c in COV_TYPES})
                rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (keys documented in the README: params, std_errors, nobs, thresholds, ...).

        Dictionaries keyed by k use string keys (``"1"``, ``"2"``); ``params`` and ``std_errors`` are
        those of the largest model under ``cov``; ``bootstrap`` holds the replication counts, the seed
        and every F*; ``models`` the :meth:`RegimeFit.to_dict` of each k; ``lr`` the curves by stage.
        """
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
                "replications": {str(k): len(v) for k, v in sorted(self.boot_stats.items())},
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
        """JSON shard document: ``format``, shard position, ``fingerprint``, replications and the result."""
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
    [floor(i B / n), floor((i + 1) B / n)).

    The blocks of all n shards partition 0 … B − 1 (B = ``n_boot``); raises :class:`InputError` for
    ``n_shards`` < 1 or an index outside [0, n_shards).
    """
    if n_shards < 1 or not 0 <= shard_index < n_shards:
        raise InputError(
            f"shard {shard_index} of {n_shards} is not valid (use 0 <= index < n_shards)", column="shard"
        )
    return list(range(shard_index * n_boot // n_shards, (shard_index + 1) * n_boot // n_shards))


def check_shards(found: Iterable[tuple[str, int, int]], source: str | None = None) -> int:
    """Check (fingerprint, 0-based shard index, N) triples: one fingerprint, each shard exactly once; return N.

    Messages number shards from 1, as ``--shard I/N`` and the workflow's shard files do.

    Raises :class:`InputError` (``source`` as file) for no shards, differing fingerprints, differing
    shard counts, and missing or duplicated shards (both listed).
    """
    items = list(found)
    if not items:
        raise InputError("no shards to combine", file=source)
    prints = {f for f, _, _ in items}
    if len(prints) != 1:
        raise InputError(
            "shards come from different data or options (fingerprints differ)",
            file=source,
            hint="combine only shards written by the same command with different --shard",
        )
    n_shards = {n for _, _, n in items}
    if len(n_shards) != 1:
        raise InputError(f"shards disagree on the number of shards: {sorted(n_shards)}", file=source)
    n = n_shards.pop()
    idx = sorted(i for _, i, _ in items)
    if idx != list(range(n)):
        missing = sorted(i + 1 for i in set(range(n)) - set(idx))
        dup = sorted({i + 1 for i in idx if idx.count(i) > 1})
        raise InputError(
            f"need each of the {n} shards exactly once (missing {missing}, duplicated {dup})",
            file=source,
        )
    return n


def combine_shards(shards: Sequence[ThresholdShard]) -> ThresholdResult:
    """Combine all shards of one bootstrap into the :class:`ThresholdResult` of the single-job run.

    Checks the shards (:func:`check_shards`) and that each test's replications are exactly 0 … B_k − 1;
    the point estimates are the first shard's (equal in all, by the fingerprint).
    """
    check_shards((s.result.fingerprint, s.shard_index, s.n_shards) for s in shards)
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
    boot_stats.update(
        {k: np.array([reps[r] for r in sorted(reps)], dtype=np.float64) for k, reps in stats.items()}
    )
    return ThresholdResult(**{**base.__dict__, "boot_stats": boot_stats})


def combine_shard_dicts(shards: Sequence[Mapping[str, Any]], *, source: str | None = None) -> dict[str, Any]:
    """Combine shard JSON documents (:meth:`ThresholdShard.to_dict`) into the result JSON of the single run.

    Recomputes ``p_value``, ``crit_values`` and the ``bootstrap`` block from the merged F* with
    :func:`~tfp_talent.estimators.threshold_bootstrap.boot_summary`. Raises :class:`InputError` for a
    document without the shard ``format``, and as :func:`check_shards` and :func:`combine_shards`.
    """
    for s in shards:
        if not isinstance(s, Mapping) or s.get("format") != SHARD_FORMAT:
            raise InputError(f"not a threshold bootstrap shard (expected format {SHARD_FORMAT})", file=source)
    check_shards(((str(s["fingerprint"]), int(s["shard_index"]), int(s["n_shards"])) for s in shards), source)
    out = dict(shards[0]["result"])
    boots = out["spec"]["bootstrap"]
    stats: dict[str, dict[int, float]] = {}
    for s in shards:
        for k, block in s["replications"].items():
            stats.setdefault(k, {}).update(
                zip((int(i) for i in block["index"]), (float(v) for v in block["f_stats"]))
            )
    p_value, crit_values = dict(out["p_value"]), dict(out["crit_values"])
    reps_out, f_out = dict(out["bootstrap"]["replications"]), dict(out["bootstrap"]["f_stats"])
    for k, reps in stats.items():
        if sorted(reps) != list(range(boots[int(k) - 1])):
            raise InputError(f"test {k}: replications do not cover 0..{boots[int(k) - 1] - 1}", file=source)
        arr = np.array([reps[r] for r in sorted(reps)], dtype=np.float64)
        p_value[k], crit_values[k] = boot_summary(float(out["f_stat"][k]), arr)
        reps_out[k] = len(arr)
        f_out[k] = [float(v) for v in arr]
    out["p_value"], out["crit_values"] = p_value, crit_values
    out["bootstrap"] = {**out["bootstrap"], "replications": reps_out, "f_stats": f_out}
    return out
