"""A threshold specification's bootstrap as shard jobs, combined into the result of one job.

The workflow splits a ``kind: threshold`` spec with ``B`` replications per test into ``n`` shard
jobs (config ``bootstrap.shards``) and one combine job:

* :func:`threshold_shard` builds the spec's estimation sample (:func:`tfp_talent.study.sample.build_analysis_frame`)
  and runs shard ``i`` (1-based) of :func:`estimators.threshold.bootstrap_shard`: the contiguous
  block of replications ``[floor((i-1) B / n), floor(i B / n))`` of every test.
* :func:`combine_threshold_shards` merges the ``n`` shard documents
  (:func:`tfp_talent.estimators.threshold_results.combine_shard_dicts`) and wraps them in the result document of
  :func:`tfp_talent.study.run.run_spec` - the same JSON, byte for byte, as the single job.

Why identical: replication ``r`` of test ``k`` draws from its own generator
``SeedSequence(seed).spawn(3)[k-1].spawn(B)[r]`` (Hansen 1999's fixed-regressor bootstrap, one
seed per replication; see ``estimators.threshold.replication_rng``), so where a replication runs
does not change its statistic; p-values and critical values are computed from the merged,
replication-ordered statistics exactly as in the single job.

The arguments of the threshold fit (regime and other regressors, year dummies) are those of the
threshold runner (:func:`tfp_talent.study.runners.threshold.fit_arguments`); :func:`combine_threshold_shards` checks that the shards' point estimates equal
the spec's own (re-estimated without bootstrap), so a drift between the two stops with an error
instead of writing a wrong file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.threshold import bootstrap_shard
from tfp_talent.estimators.threshold_results import combine_shard_dicts
from tfp_talent.io import to_json_text
from tfp_talent.study.common import spec_context, spec_where
from tfp_talent.study.run import run_spec
from tfp_talent.study.runners.threshold import fit_arguments
from tfp_talent.study.sample import build_analysis_frame
from tfp_talent.study.spec import KINDS, normalise_spec

#: Keys of a threshold result that depend on the bootstrap (all others are point estimates).
BOOTSTRAP_KEYS = ("spec", "p_value", "crit_values", "bootstrap", "fingerprint")
#: Keys ``run_spec`` adds to the threshold block next to the estimator's own result.
STUDY_KEYS = ("year_dummies", "regime_regressors", "threshold_variable")


def sharded_replications(name: str, spec: Mapping[str, Any]) -> int:
    """Bootstrap replications of the spec that shard jobs can share (0: its kind has no sharded bootstrap).

    The spec is normalised first, so a raw config entry can be passed; the number is the kind's
    :attr:`~tfp_talent.study.spec.Kind.shardable_replications` (``threshold.bootstrap`` for kind
    threshold). The workflow shards a spec only when this is positive.
    """
    s = normalise_spec(name, spec)
    return KINDS[s["kind"]].shardable_replications(s)


def _sharded_spec(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The normalised spec; :class:`InputError` naming ``specs.<name>`` when it has nothing to shard."""
    s = normalise_spec(name, spec)
    if KINDS[s["kind"]].shardable_replications(s) <= 0:
        raise InputError(
            f"kind {s['kind']!r} with these settings has no sharded bootstrap", file=spec_where(name)
        )
    return s


def threshold_shard(
    name: str,
    spec: Mapping[str, Any],
    panel: pd.DataFrame,
    tfp: pd.DataFrame | None,
    *,
    shard: tuple[int, int],
    seed: int,
    workers: int = 1,
) -> dict[str, Any]:
    """Shard ``shard = (i, n)``, the i-th (1-based) of n, of the spec's bootstrap: a ``ThresholdShard.to_dict()`` document.

    The replications are :func:`estimators.threshold.shard_replications` ``(B, i - 1, n)``
    of each test; ``workers`` processes share them (the result does not depend on it).

    ``seed`` is the config's ``seed`` (the same for every shard: each replication's generator is
    spawned from it). The document holds the shard's replication statistics with the data and
    option fingerprint that :func:`combine_threshold_shards` checks. Raises :class:`InputError`
    (column ``bootstrap.shards``) unless 1 <= i <= n, and as :func:`sharded_replications` for a
    spec without a sharded bootstrap.
    """
    index, n_shards = (int(k) for k in shard)
    if not 1 <= index <= n_shards:
        raise InputError(
            f"shard {index} of {n_shards} is not valid (use 1 <= shard <= n_shards)",
            column="bootstrap.shards",
        )
    s = _sharded_spec(name, spec)
    af = build_analysis_frame(panel, tfp, s, name=name)
    with spec_context(name):
        frame, args, options = fit_arguments(s, af, seed=seed, workers=workers)
        result = bootstrap_shard(frame, *args, shard_index=index - 1, n_shards=n_shards, **options)
    return result.to_dict()


def _json(obj: Any) -> Any:
    """``obj`` as it reads back from the result file (sorted keys, NaN as null, tuples as lists)."""
    return json.loads(to_json_text(obj))


def combine_threshold_shards(
    name: str,
    spec: Mapping[str, Any],
    panel: pd.DataFrame,
    tfp: pd.DataFrame | None,
    shards: Sequence[Mapping[str, Any]],
    *,
    seed: int,
    source: str | None = None,
) -> dict[str, Any]:
    """The ``run_spec`` result of the spec (one job, all replications) from its ``n`` shard documents.

    The spec is re-estimated without bootstrap (``threshold.bootstrap: 0``) for the sample, the
    study keys and the point estimates; the shards supply the replications. Raises
    :class:`InputError` (naming ``source``) when shards are missing, duplicated or come from other
    data or options, or when their point estimates differ from the spec's.

    Compared: every key of the re-estimated threshold block except :data:`BOOTSTRAP_KEYS` and
    :data:`STUDY_KEYS`, and the estimator's ``spec`` record without ``bootstrap``, all after a JSON
    round trip (:func:`_json`), so equality is that of the written files. The result's ``config`` is
    the normalised spec with its own ``bootstrap`` count and its ``threshold`` block is the
    combined one plus the study keys; ``source`` names the shard files in errors.
    """
    s = _sharded_spec(name, spec)
    combined = _json(combine_shard_dicts(shards, source=source))
    no_boot = {**dict(spec), "threshold": {**dict(spec["threshold"]), "bootstrap": 0}}
    point = _json(run_spec(name, no_boot, panel, tfp, seed))
    own = point["threshold"]
    differ = sorted(
        k
        for k in set(own) | set(combined)
        if k not in (*BOOTSTRAP_KEYS, *STUDY_KEYS) and own.get(k) != combined.get(k)
    )
    spec_own = {k: v for k, v in own["spec"].items() if k != "bootstrap"}
    spec_shards = {k: v for k, v in combined["spec"].items() if k != "bootstrap"}
    if differ or spec_own != spec_shards:
        raise InputError(
            f"the shards' threshold estimates differ from specs.{name}'s own ({', '.join(differ) or 'spec'})",
            file=source,
            hint="the shards were written for other data or settings; delete them and re-run",
        )
    point["config"] = _json(s)
    point["threshold"] = {**combined, **{k: own[k] for k in STUDY_KEYS}}
    return point
