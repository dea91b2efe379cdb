"""tfp_talent.within (lags and cumulated changes) against direct pure-Python definitions.

Reference: a dictionary lookup of (entity, t - k) for lags, and a row-by-row loop over each
entity's periods for the cumulated index, on random gappy panels in shuffled row order
(exact equality; the cumulated sums are compared to 1e-12 as the summation order differs).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from tfp_talent import within
from tfp_talent.errors import InputError


def _random_panel(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for ent in ["a", "b", "c", "d", 7]:
        years = sorted(rng.choice(np.arange(2000, 2015), size=int(rng.integers(1, 12)), replace=False))
        for y in years:
            x = float(rng.normal()) if rng.random() > 0.2 else math.nan
            rows.append((ent, int(y), x))
    d = pd.DataFrame(rows, columns=["e", "t", "x"])
    return d.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _lag_reference(d: pd.DataFrame, k: int) -> list[float]:
    value = {(e, t): x for e, t, x in d.itertuples(index=False)}
    return [value.get((e, t - k), math.nan) for e, t, _ in d.itertuples(index=False)]


def _cumulate_reference(d: pd.DataFrame, base: str) -> list[float]:
    out = {}
    for _ent, g in d.groupby(d["e"].astype(str), sort=False):
        g = g.sort_values("t")
        ts, xs, idx = g["t"].tolist(), g["x"].tolist(), g.index.tolist()
        total, started, broken = math.nan, False, False
        for i in range(len(ts)):
            usable = i > 0 and ts[i] == ts[i - 1] + 1 and math.isfinite(xs[i])
            if not started:
                if base == "first_row":
                    started, total = True, 0.0
                    out[idx[i]] = 0.0
                    continue
                if usable:
                    out[idx[i - 1]] = 0.0
                    started, total = True, xs[i]
                    out[idx[i]] = total
                    continue
                out[idx[i]] = math.nan
                continue
            if broken or not usable:
                broken = True
                out[idx[i]] = math.nan
            else:
                total += xs[i]
                out[idx[i]] = total
    return [out[i] for i in d.index]


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("k", [1, 2, 3])
def test_lag_equals_lookup_of_t_minus_k(seed, k):
    d = _random_panel(seed)
    got = within.lag(d["e"], d["t"], d["x"], k)
    np.testing.assert_array_equal(got, _lag_reference(d, k))


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("base", ["first_change", "first_row"])
def test_cumulate_equals_running_sum_loop(seed, base):
    d = _random_panel(seed)
    got = within.cumulate(d["e"], d["t"], d["x"], base=base)
    np.testing.assert_allclose(got, _cumulate_reference(d, base), rtol=0, atol=1e-12)


def test_cumulate_hand_example():
    """Changes [nan, nan, 0.1, 0.2, nan, 0.3] in 2000..2005: the index is 0 in 2001 (the year before
    the first change), 0.1, 0.3, then missing from the missing change on; base="first_row" starts at 2000
    and is missing from 2001, whose change is missing."""
    e, t = [1] * 6, list(range(2000, 2006))
    x = [np.nan, np.nan, 0.1, 0.2, np.nan, 0.3]
    np.testing.assert_allclose(within.cumulate(e, t, x), [np.nan, 0.0, 0.1, 0.3, np.nan, np.nan], atol=1e-15)
    np.testing.assert_allclose(within.cumulate(e, t, x, base="first_row"), [0.0] + [np.nan] * 5)
    np.testing.assert_array_equal(within.cumulate([5], [2000], [np.nan], base="first_row"), [0.0])


def test_integer_time_rejects_fractional_years():
    assert within.integer_time(pd.Series([2000.0, 2001.0], name="year")).tolist() == [2000, 2001]
    with pytest.raises(InputError, match=r"whole numbers.*'year'"):
        within.integer_time(pd.Series([2000.5, 2001.0], name="year"))
