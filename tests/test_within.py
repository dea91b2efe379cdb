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


def test_moving_average_hand_example():
    """x = 1, 2, 4, nan, 5, 6, 9 in 2000..2006 plus 2008 = 3 (2007 absent): the centred 3-year mean is
    (1+2+4)/3 = 7/3 in 2001 only, (5+6+9)/3 = 20/3 in 2005; missing at the ends (2000, 2006, 2008), next
    to the missing 2003 (2002, 2003, 2004) and next to the absent 2007; rows in shuffled order; a second
    entity's values never enter."""
    t = [2000, 2001, 2002, 2003, 2004, 2005, 2006, 2008]
    x = [1.0, 2.0, 4.0, np.nan, 5.0, 6.0, 9.0, 3.0]
    expected = [np.nan, 7 / 3, np.nan, np.nan, np.nan, 20 / 3, np.nan, np.nan]
    e = ["a"] * len(t) + ["b"] * 3
    tt = t + [2000, 2001, 2002]
    xx = x + [100.0, 200.0, 300.0]
    order = np.random.default_rng(3).permutation(len(tt))
    got = within.moving_average(np.array(e)[order], np.array(tt)[order], np.array(xx)[order], window=3)
    back = np.empty_like(got)
    back[order] = got
    np.testing.assert_allclose(back, [*expected, np.nan, 200.0, np.nan], rtol=1e-15)
    np.testing.assert_allclose(
        within.moving_average([1] * 5, range(5), [1, 2, 3, 4, 5], window=5),
        [np.nan] * 2 + [3.0] + [np.nan] * 2,
    )
    np.testing.assert_array_equal(within.moving_average([1, 1], [0, 1], [1.0, 2.0], window=1), [1.0, 2.0])
    with pytest.raises(ValueError, match="odd"):
        within.moving_average([1], [0], [1.0], window=2)


def test_lead_is_the_lag_of_the_reversed_time():
    """x_{i,t+1} looked up directly; absent and cross-entity rows give NaN."""
    e, t, x = ["a", "a", "a", "b"], [2000, 2001, 2003, 2002], [1.0, 2.0, 3.0, 4.0]
    np.testing.assert_array_equal(within.lead(e, t, x), [2.0, np.nan, np.nan, np.nan])
