"""Hansen's (1999) fixed-regressor bootstrap of the threshold tests, its shards and their combination.

Replication r of test k draws whole entities' residual vectors with replacement from
``numpy.random.SeedSequence(seed, spawn_key=(k - 1, r))``, so results do not depend on how the
replications are split across processes or shards;
:func:`.threshold_results.combine_shards` of all shards equals the single run exactly.

One replication of test k (Hansen 1999, section 4): y* = ŷ_0 + e*, with ŷ_0 and ê the fitted values
and residuals (transformed space) of the (k − 1)-threshold model and e* the residual vectors of N
entities drawn with replacement; F*_k is the F statistic of k − 1 against k thresholds on y*, the
thresholds searched again with the regressors held fixed (:meth:`SearchEngine.boot_stat`).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np

from tfp_talent.estimators.threshold_engine import SearchEngine

CRIT_LEVELS: tuple[tuple[str, float], ...] = (("10%", 0.90), ("5%", 0.95), ("1%", 0.99))


_WORKER: dict[str, Any] = {}


def _boot_init(
    engine: SearchEngine, nulls: dict[int, tuple[np.ndarray, np.ndarray, float]], seed: int
) -> None:
    """Store the engine, null models and seed in the process (pool initializer; also used in-process)."""
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
    """F* of replications ``reps`` of ``test``: (test, reps, statistics), from the stored engine.

    Each replication draws N entity indices from :func:`replication_rng` and adds those entities'
    null residual vectors (T_out rows each) to the null fitted values.
    """
    engine: SearchEngine = _WORKER["engine"]
    fitted, resid, trim = _WORKER["nulls"][test]
    blocks = resid.reshape(engine.n_ent, engine.t_out)
    stats = []
    for r in reps:
        draw = replication_rng(_WORKER["seed"], test, r).integers(0, engine.n_ent, size=engine.n_ent)
        yb = fitted + blocks[draw].ravel()
        stats.append(engine.boot_stat(yb, test, trim))
    return test, list(reps), stats


def run_bootstrap(
    engine: SearchEngine,
    nulls: dict[int, tuple[np.ndarray, np.ndarray, float]],
    reps: dict[int, list[int]],
    seed: int,
    n_jobs: int,
    progress: bool,
) -> dict[int, dict[int, float]]:
    """F statistics of the requested replications {test: {replication: F}} (same values for any n_jobs).

    ``nulls`` {test: (fitted, residuals, trim)} from the point estimation; ``reps`` {test: replication
    indices}. Replications are run in chunks of 10, in the process when ``n_jobs`` <= 1 or there is one
    chunk, else in a ``ProcessPoolExecutor`` of ``n_jobs`` workers; ``progress`` shows a tqdm bar on
    stderr. Tests without replications are returned empty.
    """
    chunk = 10
    tasks = [(k, idx[i : i + chunk]) for k, idx in sorted(reps.items()) for i in range(0, len(idx), chunk)]
    out: dict[int, dict[int, float]] = {k: {} for k in reps}
    total = sum(len(v) for v in reps.values())
    if not tasks:
        return out
    from tqdm import tqdm

    if n_jobs <= 1 or len(tasks) == 1:
        _boot_init(engine, nulls, seed)
        with tqdm(
            total=total, desc="threshold bootstrap", unit="rep", file=sys.stderr, disable=not progress
        ) as bar:
            for k, idx in tasks:
                _, got, stats = _boot_chunk(k, idx)
                out[k].update(zip(got, stats))
                bar.update(len(got))
        return out
    with ProcessPoolExecutor(
        max_workers=n_jobs, initializer=_boot_init, initargs=(engine, nulls, seed)
    ) as pool:
        futures = [pool.submit(_boot_chunk, k, idx) for k, idx in tasks]
        with tqdm(
            total=total, desc="threshold bootstrap", unit="rep", file=sys.stderr, disable=not progress
        ) as bar:
            for fut in as_completed(futures):
                k, got, stats = fut.result()
                out[k].update(zip(got, stats))
                bar.update(len(got))
    return out


def boot_summary(f_obs: float, stats: np.ndarray) -> tuple[float | None, dict[str, float] | None]:
    """Bootstrap p-value (share of F* > F) and 10/5/1 % critical values (Hansen's order statistics).

    With B replications the p-level critical value is the ceil(p B)-th smallest F* (p = 0.90, 0.95,
    0.99), keys ``"10%"``, ``"5%"``, ``"1%"``. (None, None) when B = 0.
    """
    b = len(stats)
    if b == 0:
        return None, None
    srt = np.sort(stats)
    p = float(np.mean(stats > f_obs))
    crits = {name: float(srt[math.ceil(level * b) - 1]) for name, level in CRIT_LEVELS}
    return p, crits
