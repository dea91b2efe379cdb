"""Study building blocks on small hand-made and simulated panels (exact references)."""

import numpy as np
import pandas as pd
import pytest

from tfp_talent.errors import InputError
from tfp_talent.study.transforms import (
    add_growth,
    add_lags,
    complete_cases,
    frontier_distance,
    region_interactions,
    select_sample,
    winsorise,
)


@pytest.fixture()
def gappy():
    # entity 1 has a gap in 2003; its 2004 lag must be missing, not 2002's value
    return pd.DataFrame(
        {
            "id": [1, 1, 1, 2, 2, 2],
            "t": [2001, 2002, 2004, 2001, 2002, 2003],
            "x": [1.0, 2.0, 4.0, 10.0, 20.0, 30.0],
        }
    )


def test_lags_do_not_cross_gaps(gappy):
    out = add_lags(gappy, ["x"], [1, 2], entity="id", time="t")
    np.testing.assert_array_equal(out["L1.x"].to_numpy(), [np.nan, 1.0, np.nan, np.nan, 10.0, 20.0])
    np.testing.assert_array_equal(out["L2.x"].to_numpy(), [np.nan, np.nan, 2.0, np.nan, np.nan, 10.0])


def test_growth_is_first_difference_within_entity(gappy):
    out = add_growth(gappy, "x", entity="id", time="t")
    np.testing.assert_array_equal(out["D.x"].to_numpy(), [np.nan, 1.0, np.nan, np.nan, 10.0, 10.0])


def test_frontier_distance_is_gap_to_yearly_max():
    p = pd.DataFrame({"t": [1, 1, 1, 2, 2], "y": [0.5, 1.5, 1.0, 2.0, -1.0]})
    np.testing.assert_allclose(frontier_distance(p, "y", time="t"), [1.0, 0.0, 0.5, 0.0, 3.0], atol=0)


def test_winsorise_clips_at_quantiles():
    p = pd.DataFrame({"x": np.arange(101, dtype=float)})
    out = winsorise(p, ["x"], 0.01, 0.99)
    assert out["x"].min() == 1.0 and out["x"].max() == 99.0
    with pytest.raises(InputError):
        winsorise(p, ["x"], 0.5, 0.1)


def test_region_interactions_partition_the_slope():
    p = pd.DataFrame({"x": [1.0, 2.0, 3.0], "r": ["East", "West", "East"]})
    out, names = region_interactions(p, ["x"], region="r", levels=["East", "West"])
    assert names == ["x:East", "x:West"]
    np.testing.assert_array_equal(out["x:East"] + out["x:West"], p["x"])
    with pytest.raises(InputError, match="Central"):
        region_interactions(p, ["x"], region="r", levels=["Central"])


def test_select_sample_and_complete_cases():
    p = pd.DataFrame(
        {"id": [1, 1, 2, 3], "t": [1, 2, 1, 2], "x": [1.0, np.nan, 3.0, np.inf], "g": list("aabb")}
    )
    s = select_sample(
        p, entity="id", time="t", years=(1, 2), drop_entities=[3], keep_values={"g": ["a", "b"]}
    )
    assert s["id"].tolist() == [1, 1, 2]
    cc, dropped = complete_cases(p, ["x"])
    assert cc["id"].tolist() == [1, 2] and dropped["x"] == 2
