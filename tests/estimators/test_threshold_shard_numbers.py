"""Shard numbers in the combine error are 1-based, as in `--shard I/N` and the workflow's shard files (issue 14)."""

from __future__ import annotations

import pytest
from threshold_data import simulated_panel

from tfp_talent.errors import InputError
from tfp_talent.estimators.threshold import bootstrap_shard
from tfp_talent.estimators.threshold_results import combine_shard_dicts, combine_shards

OPTIONS = dict(n_thresholds=1, trim=0.1, grid=20, bootstrap=8, seed=3, progress=False)


@pytest.fixture(scope="module")
def shards():
    data = simulated_panel(n=30, t=5, seed=2)
    return [
        bootstrap_shard(data, "y", "x", "r", "q", "id", "t", shard_index=i, n_shards=4, **OPTIONS)
        for i in range(4)
    ]


def test_missing_shard_four_is_reported_as_four(shards):
    """Shards 1-3 of 4 given (0-based indices 0-2): the message names shard 4, not 3."""
    with pytest.raises(
        InputError, match=r"need each of the 4 shards exactly once \(missing \[4\], duplicated \[\]\)"
    ):
        combine_shards(shards[:3])
    with pytest.raises(InputError, match=r"missing \[4\], duplicated \[\]"):
        combine_shard_dicts([s.to_dict() for s in shards[:3]])


def test_duplicated_shard_one_is_reported_as_one(shards):
    with pytest.raises(InputError, match=r"missing \[2\], duplicated \[1\]"):
        combine_shards([shards[0], shards[0], shards[2], shards[3]])
