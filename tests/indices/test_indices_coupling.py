"""Coupling coordination degree: formula spot checks, bounds, bands, subsystem entropy indices.

References are the formulas written out with explicit arithmetic: classic C = n (prod U)^(1/n) / sum U;
Wang et al. (2021, 自然资源学报 36(3)) C = sqrt{[1 - sum_{i<j}|U_i - U_j| / (n(n-1)/2)] (prod U/max U)^(1/(n-1))};
T = sum a_k U_k; D = sqrt(C T); bands of 0.1 after 廖重斌 (1999).
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
from tfp_talent.indices.coupling import (
    BANDS,
    coordination_band,
    coupling_coordination,
    coupling_coordination_systems,
    coupling_degree,
    coupling_table,
)
from tfp_talent.indices.entropy import entropy_weights


def test_two_system_spot_check():
    """U = (0.36, 0.64): C = 2 sqrt(0.2304) / 1 = 0.96, T = 0.5, D = sqrt(0.48); Wang C = sqrt(0.72 x 0.5625)."""
    tab = coupling_table(pd.DataFrame({"U_talent": [0.36], "U_industry": [0.64]}))
    row = tab.iloc[0]
    assert row["C"] == pytest.approx(0.96, abs=1e-15)
    assert row["T"] == pytest.approx(0.5, abs=1e-15)
    assert row["D"] == pytest.approx(math.sqrt(0.48), abs=1e-15)
    assert row["mismatch"] == pytest.approx(1 - math.sqrt(0.48), abs=1e-15)
    assert row["gap"] == pytest.approx(-0.28, abs=1e-15)
    assert (row["band_level"], row["band"], row["band_zh"]) == (7, "primary coordination", "初级协调")
    wang = coupling_table(pd.DataFrame({"a": [0.36], "b": [0.64]}), form="wang2021").iloc[0]
    assert wang["C"] == pytest.approx(math.sqrt(0.72 * 0.5625), abs=1e-15)
    assert wang["D"] == pytest.approx(math.sqrt(math.sqrt(0.405) * 0.5), abs=1e-15)


def test_weighted_comprehensive_index():
    """T = 0.3 U1 + 0.7 U2 = 0.556 for U = (0.36, 0.64); D = sqrt(0.96 x 0.556)."""
    row = coupling_table(pd.DataFrame({"a": [0.36], "b": [0.64]}), weights=(0.3, 0.7)).iloc[0]
    assert row["T"] == pytest.approx(0.556, abs=1e-15)
    assert row["D"] == pytest.approx(math.sqrt(0.96 * 0.556), abs=1e-15)


def test_three_system_forms():
    """U = (0.2, 0.4, 0.8): classic C = 3 x 0.4 / 1.4 (geometric mean 0.064^(1/3) = 0.4);
    Wang: spread (0.2 + 0.6 + 0.4)/3 = 0.4, ratios 0.25 x 0.5 x 1 = 0.125, C = sqrt(0.6 x sqrt(0.125))."""
    u = np.array([[0.2, 0.4, 0.8]])
    assert coupling_degree(u)[0] == pytest.approx(1.2 / 1.4, abs=1e-15)
    assert coupling_degree(u, "wang2021")[0] == pytest.approx(math.sqrt(0.6 * math.sqrt(0.125)), abs=1e-15)
    tab = coupling_table(pd.DataFrame(u, columns=["x", "y", "z"]))
    assert tab["T"].iloc[0] == pytest.approx(1.4 / 3, abs=1e-15) and "gap" not in tab


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 20), st.integers(2, 4)), elements=st.floats(1e-4, 1.0001)))
def test_coupling_bounded_and_wang_below_classic(u):
    """0 <= C <= 1 for both forms (1e-12); for two systems the corrected C never exceeds the classic one."""
    classic, wang = coupling_degree(u), coupling_degree(u, "wang2021")
    assert ((classic >= 0) & (classic <= 1 + 1e-12)).all()
    assert ((wang >= 0) & (wang <= 1 + 1e-12)).all()
    if u.shape[1] == 2:
        assert (wang <= classic + 1e-12).all()


@pytest.mark.parametrize("form", ["classic", "wang2021"])
def test_coupling_is_one_when_indices_equal(form):
    u = np.column_stack([np.linspace(0.01, 1, 7)] * 3)
    np.testing.assert_allclose(coupling_degree(u[:, :2], form), 1.0, atol=1e-15)
    np.testing.assert_allclose(coupling_degree(u, form), 1.0, atol=1e-15)


def test_coupling_zero_when_one_index_zero_and_undefined_when_all_zero():
    c = coupling_degree(np.array([[0.0, 0.5], [0.0, 0.0]]))
    assert c[0] == 0.0 and np.isnan(c[1])
    with pytest.raises(InputError, match=r"undefined where every subsystem index is 0.*rows: 1"):
        coupling_table(pd.DataFrame({"a": [0.0, 0.0], "b": [0.5, 0.0]}))


def test_band_boundaries():
    """Lower edges go to the higher band: [0, 0.1) band 1 ... [0.9, 1] band 10; NaN -> 0."""
    d = [
        0.0,
        0.0999999,
        0.1,
        0.2,
        0.3,
        0.4,
        0.4999999,
        0.5,
        0.6,
        0.7,
        0.8,
        0.8999999,
        0.9,
        1.0,
        1.0001,
        np.nan,
    ]
    assert coordination_band(d).tolist() == [1, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 9, 10, 10, 10, 0]
    assert [b[2] for b in BANDS] == [
        "极度失调", "严重失调", "中度失调", "轻度失调", "濒临失调",
        "勉强协调", "初级协调", "中级协调", "良好协调", "优质协调",
    ]  # fmt: skip
    assert BANDS[0][1] == "extreme disorder" and BANDS[9][1] == "quality coordination"
    assert [b[0] for b in BANDS] == pytest.approx([k / 10 for k in range(10)])


def _frame(seed: int = 5, n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "province": [f"p{i // 4}" for i in range(n)],
            "year": [2010 + i % 4 for i in range(n)],
            "t1": rng.uniform(size=n),
            "t2": rng.lognormal(size=n),
            "t3": rng.normal(size=n),
            "i1": rng.uniform(size=n),
            "i2": rng.gamma(3.0, size=n),
        }
    )


def test_subsystem_indices_are_their_own_entropy_indices():
    """U_talent / U_industry equal entropy_weights on each subsystem (1e-15); C, T, D from them."""
    df = _frame()
    res = coupling_coordination(df, ["t1", "t2", "t3"], ["i1", "i2"], negative=["t3"])
    ut = entropy_weights(df, ["t1", "t2", "t3"], ["t3"]).index
    ui = entropy_weights(df, ["i1", "i2"]).index
    tab = res.table
    np.testing.assert_allclose(tab["U_talent"], ut, atol=1e-15)
    np.testing.assert_allclose(tab["U_industry"], ui, atol=1e-15)
    c = 2 * np.sqrt(ut * ui) / (ut + ui)
    np.testing.assert_allclose(tab["C"], c, atol=1e-14)
    np.testing.assert_allclose(tab["D"], np.sqrt(c * (ut + ui) / 2), atol=1e-14)
    np.testing.assert_allclose(tab["gap"], ut - ui, atol=1e-15)
    assert list(tab.columns) == [
        "U_talent", "U_industry", "C", "T", "D", "band_level", "band", "band_zh", "mismatch", "gap"
    ]  # fmt: skip
    w = res.weights
    assert set(w["system"]) == {"talent", "industry"}
    assert w.groupby("system")["weight"].sum().to_numpy() == pytest.approx([1.0, 1.0], abs=1e-12)
    assert w.set_index("indicator").loc["t3", "direction"] == "negative"
    assert res.summary()["rows"].sum() == len(df)
    d = res.to_dict()
    assert d["system_weights"] == {"talent": 0.5, "industry": 0.5} and d["nobs"] == len(df)


def test_row_order_invariance():
    df = _frame()
    base = coupling_coordination(df, ["t1", "t2"], ["i1", "i2"]).table
    shuffled = df.sample(frac=1.0, random_state=2)
    res = coupling_coordination(shuffled, ["t1", "t2"], ["i1", "i2"]).table
    assert res.index.equals(shuffled.index)
    num = ["U_talent", "U_industry", "C", "T", "D", "mismatch", "gap"]
    np.testing.assert_allclose(res.sort_index()[num], base[num], atol=1e-14)


def test_three_subsystems():
    df = _frame()
    res = coupling_coordination_systems(df, {"a": ["t1"], "b": ["t2", "t3"], "c": ["i1", "i2"]})
    u = res.table[["U_a", "U_b", "U_c"]].to_numpy()
    np.testing.assert_allclose(res.table["C"], np.cbrt(u.prod(axis=1)) / u.mean(axis=1), atol=1e-14)


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"talent": ["t1"], "industry": ["t1", "i1"]}, r"'t1'.*in both subsystems"),
        ({"talent": ["t1"], "industry": ["i1"], "negative": ["i2"]}, r"'i2'.*negative but not in any"),
        ({"talent": ["t1"], "industry": ["i1"], "weights": (0.6, 0.6)}, r"summing to 1"),
        ({"talent": ["t1"], "industry": ["i1"], "form": "bad"}, r"unknown coupling form"),
    ],
)
def test_bad_arguments(kwargs, pattern):
    with pytest.raises(InputError, match=pattern) as err:
        coupling_coordination(_frame(), **kwargs)
    assert "\n" not in str(err.value)
