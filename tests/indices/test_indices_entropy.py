"""Global entropy-weight method: a hand-computed 4 x 3 example, invariances, properties and bad input.

Reference: the formulas themselves, written out here with explicit arithmetic (not the package's code):
x' = (x - min)/(max - min) (negative: (max - x)/(max - min)), z = x' + s, p = z / sum z,
e = -(1/ln n) sum p ln p, d = 1 - e, w = d / sum d, S = sum_j w_j z_j.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tfp_talent.errors import InputError
from tfp_talent.indices.entropy import DEFAULT_SHIFT, entropy_weights

# a positive: x' = 0, 1/4, 1/2, 1; b negative: x' = (8 - b)/8 = 0, 1/4, 3/4, 1; c positive: x' = 0, 0, 1, 1
HAND = pd.DataFrame({"a": [10.0, 20.0, 30.0, 50.0], "b": [8.0, 6.0, 2.0, 0.0], "c": [1.0, 1.0, 3.0, 3.0]})
HAND_NORM = {"a": [0.0, 0.25, 0.5, 1.0], "b": [0.0, 0.25, 0.75, 1.0], "c": [0.0, 0.0, 1.0, 1.0]}


def _plogp(p: float) -> float:
    return 0.0 if p == 0 else p * math.log(p)


def _reference(norm: dict[str, list[float]], shift: float) -> tuple[dict[str, float], list[float]]:
    """Pure-Python entropy weights and scores from a normalised matrix (loops, no numpy)."""
    n = len(next(iter(norm.values())))
    z = {k: [v + shift for v in col] for k, col in norm.items()}
    e = {k: -sum(_plogp(v / sum(col)) for v in col) / math.log(n) for k, col in z.items()}
    d = {k: 1.0 - v for k, v in e.items()}
    w = {k: v / sum(d.values()) for k, v in d.items()}
    scores = [sum(w[k] * z[k][i] for k in z) for i in range(n)]
    return w, scores


def test_hand_example_without_shift():
    """shift = 0 (0 ln 0 = 0): p_a = (0, 1/7, 2/7, 4/7), p_b = (0, 1/8, 3/8, 1/2), p_c = (0, 0, 1/2, 1/2).

    e_c = -(2 x 0.5 ln 0.5) / ln 4 = 0.5 exactly; tolerance 1e-14 (float rounding only).
    """
    ln4 = math.log(4)
    e_a = -(1 / 7 * math.log(1 / 7) + 2 / 7 * math.log(2 / 7) + 4 / 7 * math.log(4 / 7)) / ln4
    e_b = -(1 / 8 * math.log(1 / 8) + 3 / 8 * math.log(3 / 8) + 1 / 2 * math.log(1 / 2)) / ln4
    e_c = 0.5
    d = np.array([1 - e_a, 1 - e_b, 1 - e_c])
    w = d / d.sum()
    res = entropy_weights(HAND, ["a", "b", "c"], negative=["b"], shift=0.0)
    np.testing.assert_allclose(res.entropy.to_numpy(), [e_a, e_b, e_c], rtol=0, atol=1e-14)
    np.testing.assert_allclose(res.weights.to_numpy(), w, rtol=0, atol=1e-14)
    np.testing.assert_allclose(
        res.normalised.to_numpy(), np.column_stack(list(HAND_NORM.values())), atol=1e-15
    )
    # rows: all-zero row scores 0, all-one row scores 1, row 2 = w_a/2 + 3 w_b/4 + w_c
    expected = [0.0, w[0] / 4 + w[1] / 4, w[0] / 2 + 3 * w[1] / 4 + w[2], 1.0]
    np.testing.assert_allclose(res.index.to_numpy(), expected, rtol=0, atol=1e-14)
    assert res.weights.index.tolist() == ["a", "b", "c"]


def test_hand_example_default_shift():
    """Default shift 1e-4 against the loop reference above (tolerance 1e-13)."""
    w, scores = _reference(HAND_NORM, DEFAULT_SHIFT)
    res = entropy_weights(HAND, ["a", "b", "c"], negative=["b"])
    assert res.shift == 1e-4
    np.testing.assert_allclose(res.weights.to_numpy(), list(w.values()), rtol=0, atol=1e-13)
    np.testing.assert_allclose(res.index.to_numpy(), scores, rtol=0, atol=1e-13)
    assert res.index.min() >= DEFAULT_SHIFT - 1e-15 and res.index.max() <= 1 + DEFAULT_SHIFT + 1e-15


def _panel(seed: int = 3, n: int = 62) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "province": np.repeat([f"p{i}" for i in range(n // 2)], 2),
            "year": np.tile([2011, 2012], n // 2),
            "x1": rng.lognormal(size=n),
            "x2": rng.uniform(size=n),
            "x3": rng.normal(size=n),
            "x4": rng.gamma(2.0, size=n),
        }
    )
    return df.set_index(pd.RangeIndex(100, 100 + n))


def test_units_invariance():
    """x -> 1000 x + 7 (e.g. 万元 -> 元 plus an origin) leaves weights and index unchanged (1e-12)."""
    df = _panel()
    base = entropy_weights(df, ["x1", "x2", "x3", "x4"], ["x3"])
    scaled = df.assign(x1=df["x1"] * 1000 + 7, x3=df["x3"] * 1000 - 5)
    res = entropy_weights(scaled, ["x1", "x2", "x3", "x4"], ["x3"])
    np.testing.assert_allclose(res.weights, base.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.index, base.index, rtol=0, atol=1e-12)


def test_reversed_column_marked_negative_gives_same_result():
    """-x2 marked negative normalises to exactly x2's x' (1e-14)."""
    df = _panel()
    base = entropy_weights(df, ["x1", "x2", "x4"])
    res = entropy_weights(df.assign(x2=-df["x2"]), ["x1", "x2", "x4"], negative=["x2"])
    np.testing.assert_allclose(res.weights, base.weights, rtol=0, atol=1e-14)
    np.testing.assert_allclose(res.index, base.index, rtol=0, atol=1e-14)
    assert res.summary().loc["x2", "direction"] == "negative"


def test_row_order_invariance():
    """Shuffling rows permutes the index with its rows; weights unchanged (1e-14)."""
    df = _panel()
    base = entropy_weights(df, ["x1", "x2", "x3", "x4"])
    shuffled = df.sample(frac=1.0, random_state=11)
    res = entropy_weights(shuffled, ["x1", "x2", "x3", "x4"])
    np.testing.assert_allclose(res.weights, base.weights, rtol=0, atol=1e-14)
    assert res.index.index.equals(shuffled.index)
    np.testing.assert_allclose(res.index.sort_index(), base.index.sort_index(), rtol=0, atol=1e-14)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 30), st.integers(1, 6)), elements=st.floats(-1e6, 1e6)))
def test_weights_are_a_distribution(x):
    """For any data with varying columns: w >= 0, sum w = 1 (1e-12), 0 <= e <= 1, S in [s, 1 + s]."""
    span = x.max(axis=0) - x.min(axis=0)
    x = x[:, span > 1e-6 * np.maximum(1.0, np.abs(x).max(axis=0))]
    if x.shape[1] == 0:
        return
    df = pd.DataFrame(x, columns=[f"c{j}" for j in range(x.shape[1])])
    res = entropy_weights(df, list(df.columns))
    assert (res.weights >= 0).all()
    assert res.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert ((res.entropy >= -1e-12) & (res.entropy <= 1 + 1e-12)).all()
    assert res.index.min() >= DEFAULT_SHIFT - 1e-12 and res.index.max() <= 1 + DEFAULT_SHIFT + 1e-12


def test_concentrated_indicator_gets_more_weight():
    """One outlier among equal values (low entropy) outweighs an evenly spread indicator."""
    df = pd.DataFrame({"even": np.arange(10.0), "spike": [0.0] * 9 + [1.0]})
    res = entropy_weights(df, ["even", "spike"])
    assert res.weights["spike"] > res.weights["even"]


def test_summary_and_to_dict():
    res = entropy_weights(HAND, ["a", "b", "c"], negative=["b"])
    s = res.summary()
    assert list(s.columns) == ["direction", "min", "max", "entropy", "redundancy", "weight"]
    assert s.loc["b", "min"] == 0.0 and s.loc["a", "max"] == 50.0
    d = res.to_dict()
    assert d["negative"] == ["b"] and d["nobs"] == 4 and d["shift"] == 1e-4
    assert sum(d["weights"].values()) == pytest.approx(1.0, abs=1e-12)


def _one_line(err: pytest.ExceptionInfo) -> str:
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_missing_value_is_refused_naming_column_and_rows():
    df = _panel()
    df.loc[[103, 110], "x2"] = np.nan
    with pytest.raises(InputError) as err:
        entropy_weights(df, ["x1", "x2"], keys=["province", "year"])
    msg = _one_line(err)
    assert "'x2'" in msg and "missing values" in msg and "(p1, 2012)" in msg and "(p5, 2011)" in msg
    with pytest.raises(InputError, match=r"'x2'.*rows: 103, 110"):
        entropy_weights(df, ["x1", "x2"])


def test_zero_variance_is_refused_naming_column():
    df = _panel().assign(flat=2.5)
    with pytest.raises(InputError) as err:
        entropy_weights(df, ["x1", "flat"])
    msg = _one_line(err)
    assert "'flat'" in msg and "zero variance" in msg


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"indicators": []}, r"at least one indicator"),
        ({"indicators": ["x1", "x1"]}, r"'x1'.*more than once"),
        ({"indicators": ["x1"], "negative": ["x2"]}, r"'x2'.*negative but not among"),
        ({"indicators": ["x1", "nope"]}, r"'nope'.*missing column"),
        ({"indicators": ["x1"], "shift": -0.1}, r"shift must be"),
        ({"indicators": ["x1", "txt"]}, r"'txt'.*not numeric"),
    ],
)
def test_bad_arguments(kwargs, pattern):
    df = _panel().assign(txt=lambda d: np.where(d.index == 105, "n/a", "1.5"))
    with pytest.raises(InputError, match=pattern) as err:
        entropy_weights(df, **kwargs)
    _one_line(err)


def test_single_row_is_refused():
    with pytest.raises(InputError, match="at least 2 rows"):
        entropy_weights(HAND.iloc[:1], ["a"])
