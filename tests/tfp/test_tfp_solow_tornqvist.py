"""Solow residual and Törnqvist index: simulated truth to 1e-12, equivalences, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tfp_sim import cobb_douglas_panel

from tfp_talent.errors import InputError
from tfp_talent.tfp.measure import measure_tfp
from tfp_talent.tfp.solow import solow_residual
from tfp_talent.tfp.tornqvist import fill_labour_share, tornqvist_index

COLS = dict(entity="id", time="year", output="y", capital="k", labour="l", hc="h")


def test_solow_recovers_simulated_tfp():
    """Y = A K^0.4 (hL)^0.6 with known ln A: the residual returns ln A and Δln A (1e-12 absolute)."""
    df = cobb_douglas_panel(alpha=0.4)
    res = solow_residual(df, **COLS, alpha=0.4)
    np.testing.assert_allclose(res["ln_tfp"], df["ln_a"], rtol=0, atol=1e-12)
    true_growth = df.groupby("id")["ln_a"].diff()
    np.testing.assert_allclose(res["tfp_growth"], true_growth, rtol=0, atol=1e-12)


def translog_panel(n: int = 5, periods: int = 12, seed: int = 1) -> pd.DataFrame:
    """CRS translog ln(Y/hL) = a_t + β k + γ k²/2, k = ln(K/hL), with competitive shares
    s_K = β + γ k (so s_L = 1 − s_K): Törnqvist is exact here (Diewert 1976, quadratic lemma)."""
    rng = np.random.default_rng(seed)
    beta, gamma = 0.4, 0.05
    ent = np.repeat(np.arange(n), periods)
    yr = np.tile(np.arange(1990, 1990 + periods), n)
    k = rng.uniform(-3, 3, ent.size)
    a = np.cumsum(rng.normal(0.01, 0.03, (n, periods)), axis=1).ravel()
    hl = rng.lognormal(3, 0.5, ent.size)
    y = hl * np.exp(a + beta * k + 0.5 * gamma * k**2)
    return pd.DataFrame(
        {
            "id": ent,
            "year": yr,
            "y": y,
            "k": hl * np.exp(k),
            "l": hl,
            "h": 1.0,
            "s": 1.0 - (beta + gamma * k),
            "a": a,
        }
    )


def test_tornqvist_recovers_translog_tfp_growth():
    """Simulated translog with time-varying shares: Δln A recovered to 1e-12, level = cumulated growth."""
    df = translog_panel()
    res = tornqvist_index(df, **COLS, labour_share="s")
    true = df.groupby("id")["a"].diff()
    np.testing.assert_allclose(res["tfp_growth"], true, rtol=0, atol=1e-12)
    true_level = df["a"] - df.groupby("id")["a"].transform("first")
    np.testing.assert_allclose(res["ln_tfp"], true_level, rtol=0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(alpha=st.floats(0.05, 0.95), seed=st.integers(0, 1000))
def test_tornqvist_with_constant_shares_equals_solow_growth(alpha, seed):
    """s_L = 1 − α in every period: Törnqvist growth = Solow Δln A (1e-12)."""
    df = cobb_douglas_panel(seed=seed).assign(s=1.0 - alpha)
    tq = tornqvist_index(df, **COLS, labour_share="s")
    so = solow_residual(df, **COLS, alpha=alpha)
    np.testing.assert_allclose(tq["tfp_growth"], so["tfp_growth"], rtol=0, atol=1e-12)
    via_alpha = measure_tfp(df, method="tornqvist", **COLS, alpha=alpha)
    np.testing.assert_allclose(via_alpha["tfp_growth"], so["tfp_growth"], rtol=0, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(c=st.floats(1e-3, 1e3), seed=st.integers(0, 1000))
def test_rescaling_output_shifts_level_not_growth(c, seed):
    """Units of Y: ln A shifts by ln c, growth unchanged (1e-10)."""
    df = cobb_douglas_panel(seed=seed)
    a = solow_residual(df, **COLS)
    b = solow_residual(df.assign(y=df["y"] * c), **COLS)
    np.testing.assert_allclose(b["ln_tfp"] - a["ln_tfp"], np.log(c), atol=1e-10)
    np.testing.assert_allclose(b["tfp_growth"], a["tfp_growth"], atol=1e-10)


def test_solow_growth_is_nan_across_a_gap_and_tornqvist_refuses_gaps():
    df = cobb_douglas_panel(n=2, years=range(2000, 2006))
    gap = df.loc[~((df["id"] == "e1") & (df["year"] == 2003))]
    res = solow_residual(gap, **COLS)
    row = res.loc[(res["id"] == "e1") & (res["year"] == 2004)]
    assert row["tfp_growth"].isna().all()
    with pytest.raises(InputError, match=r"Törnqvist.*\(e1, 2003\)"):
        tornqvist_index(gap.assign(s=0.6), **COLS, labour_share="s")


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (lambda d: d.assign(k=np.where(d.index == 3, 0.0, d["k"])), r"'k'.*> 0.*\(e0, 2003\)"),
        (lambda d: d.assign(y=np.where(d.index == 12, -5.0, d["y"])), r"'y'.*> 0.*\(e1, 2002\)"),
        (lambda d: d.assign(l=np.where(d.index == 2, np.nan, d["l"])), r"'l'.*missing values.*\(e0, 2002\)"),
        (lambda d: d.assign(s=np.where(d.index == 4, 1.2, d["s"])), r"'s'.*between 0 and 1.*\(e0, 2004\)"),
        (lambda d: d.assign(s=np.where(d.index == 4, 0.0, d["s"])), r"'s'.*between 0 and 1"),
        (lambda d: pd.concat([d, d.iloc[[0]]]), r"duplicate keys.*\(e0, 2000\)"),
        (lambda d: d.drop(columns="k"), r"'k'.*missing column"),
    ],
)
def test_bad_input_names_column_and_rows(mutate, pattern):
    df = cobb_douglas_panel(n=3).assign(s=0.6)
    with pytest.raises(InputError, match=pattern):
        tornqvist_index(mutate(df), **COLS, labour_share="s")


def test_alpha_out_of_range():
    with pytest.raises(InputError, match="alpha"):
        solow_residual(cobb_douglas_panel(), **COLS, alpha=1.0)


def test_fill_labour_share_rules():
    """carry_forward: later years take the last observed share; province_mean: the entity's mean; both flagged."""
    df = pd.DataFrame(
        {
            "e": [1] * 4 + [2] * 4,
            "t": list(range(2016, 2020)) * 2,
            "s": [0.5, 0.6, np.nan, np.nan, 0.4, 0.5, 0.45, np.nan],
        }
    )
    cf, flag = fill_labour_share(df, entity="e", time="t", share="s", rule="carry_forward")
    assert cf.tolist() == [0.5, 0.6, 0.6, 0.6, 0.4, 0.5, 0.45, 0.45]
    assert flag.tolist() == [False, False, True, True, False, False, False, True]
    pm, _ = fill_labour_share(df, entity="e", time="t", share="s", rule="province_mean")
    assert pm.tolist() == pytest.approx([0.5, 0.6, 0.55, 0.55, 0.4, 0.5, 0.45, 0.45], abs=1e-15)
    with pytest.raises(InputError, match="no observed labour share"):
        fill_labour_share(
            df.assign(s=np.where(df["e"] == 2, np.nan, df["s"])), entity="e", time="t", share="s"
        )
