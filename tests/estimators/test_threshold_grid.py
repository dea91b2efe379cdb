"""Defect (issue 11.1): ``grid="all"`` must try every distinct value of q between the trimmed quantiles.

Before the fix, floating-point rounding of (trim + i/n) * n repeated some positions and skipped the next
ones: with q = 1..2000 and trim 0.01, 16 of the 1,961 values were never tried.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tfp_talent.estimators.threshold_prepare import grid_values


@pytest.mark.parametrize(
    "q",
    [
        np.arange(1, 2001, dtype=float),  # integer-valued
        np.round(np.linspace(0.001, 2.0, 2000), 3),  # decimals
        np.random.default_rng(3).normal(size=3000),
    ],
    ids=["integers", "decimals", "random"],
)
@pytest.mark.parametrize("trim", [0.01, 0.05, 0.15])
def test_grid_all_tries_every_distinct_value(q, trim):
    dd = np.unique(q)
    n = len(dd)
    values, qn = grid_values(q, "all", trim)
    start = math.floor(trim * n + 1e-9) - 1
    count = math.floor(n - 2 * n * trim + 1 + 1e-9)
    expected = dd[start : start + count]
    assert len(values) == len(expected)
    np.testing.assert_array_equal(values, expected)
    assert qn == pytest.approx(n)


def test_integer_grid_unchanged_hansen_rule():
    """An integer grid keeps Hansen's floating-point rule (reproduces his 393 points on 400, trim 1 %)."""
    q = np.random.default_rng(1).normal(size=7345)
    values, _ = grid_values(q, 400, 0.01)
    assert len(values) == 393
