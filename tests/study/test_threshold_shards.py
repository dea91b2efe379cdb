"""Sharded threshold specs (tfp_talent.study.threshold_shards): n shard jobs + combine = one run_spec job.

Reference: run_spec on the same simulated panel and spec (slope of x 1 for c <= 0, 3 above; year
effects; two thresholds, 12 bootstrap replications per test, split unevenly by 5 shards). The combined document must serialise
to the same bytes as the single job's (io.to_json_text, the workflow's writer), for 1, 3 and 5 shards.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from study_sim import province_frame

from tfp_talent.errors import InputError
from tfp_talent.io import to_json_text
from tfp_talent.study.run import run_spec
from tfp_talent.study.threshold_shards import combine_threshold_shards, threshold_shard

SEED = 20241126
SPEC = {
    "kind": "threshold",
    "y": "y",
    "talent": ["x"],
    "controls": ["c"],
    "tfp": None,
    "cov": ["clustered"],
    "effects": "entity",
    "threshold": {"rx": "x", "qx": "c", "n": 2, "bootstrap": 12, "grid": 40, "trim": [0.05, 0.05]},
}


@pytest.fixture(scope="module")
def panel():
    rng = np.random.default_rng(11)
    p = province_frame()
    p["x"] = rng.normal(0, 1, len(p))
    p["c"] = rng.normal(0, 1, len(p))
    p["y"] = np.where(p["c"] <= 0, 1.0, 3.0) * p["x"] + rng.normal(0, 0.1, len(p))
    return p


def _shards(panel, n, spec=SPEC):
    # through JSON, as the workflow's shard files
    return [
        json.loads(to_json_text(threshold_shard("thr", spec, panel, None, shard=(i, n), seed=SEED)))
        for i in range(1, n + 1)
    ]


@pytest.fixture(scope="module")
def single(panel):
    return to_json_text(run_spec("thr", SPEC, panel, None, SEED))


@pytest.mark.parametrize("n", [1, 3, 5])
def test_combined_shards_equal_one_job_byte_for_byte(panel, single, n):
    shards = _shards(panel, n)
    assert sum(len(s["replications"]["1"]["index"]) for s in shards) == 12
    assert to_json_text(combine_threshold_shards("thr", SPEC, panel, None, shards[::-1], seed=SEED)) == single


def test_missing_shard_is_named_from_one(panel):
    shards = _shards(panel, 3)
    with pytest.raises(InputError, match=r"missing \[2\]"):
        combine_threshold_shards("thr", SPEC, panel, None, [shards[0], shards[2]], seed=SEED)


def test_shards_of_other_data_are_refused(panel):
    """Shards computed on a perturbed panel (other point estimates) cannot be combined into this spec's result."""
    other = panel.assign(y=panel["y"] * 1.5)
    with pytest.raises(InputError, match=r"differ from specs\.thr's own"):
        combine_threshold_shards("thr", SPEC, panel, None, _shards(other, 2), seed=SEED)


def test_only_threshold_specs_and_valid_shard_numbers(panel):
    with pytest.raises(InputError, match="has no sharded bootstrap"):
        threshold_shard("p", {"y": "y", "talent": ["x"], "tfp": None}, panel, None, shard=(1, 2), seed=SEED)
    with pytest.raises(InputError, match="shard 3 of 2"):
        threshold_shard("thr", SPEC, panel, None, shard=(3, 2), seed=SEED)
