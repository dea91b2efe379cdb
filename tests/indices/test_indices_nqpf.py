"""NQPF index (three dimensions, one global entropy) and derived ratios with their unit conversions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp_talent.errors import InputError
from tfp_talent.indices.derived import DERIVED, derive, with_derived
from tfp_talent.indices.entropy import entropy_weights
from tfp_talent.indices.nqpf import DEFAULT_DIMENSIONS, nqpf_index


def _panel(n_prov: int = 6, years=range(2011, 2020), seed: int = 8) -> pd.DataFrame:
    """Clean-panel columns in their codebook units (万元, 亿元, 万人, 项, shares)."""
    rng = np.random.default_rng(seed)
    n = n_prov * len(years)
    return pd.DataFrame(
        {
            "province": np.repeat([f"p{i}" for i in range(n_prov)], len(years)),
            "year": np.tile(list(years), n_prov),
            "tertiary_share": rng.uniform(0.05, 0.4, n),
            "avg_school_years": rng.uniform(7, 12, n),
            "rd_fte_per10k_wap": rng.uniform(5, 120, n),
            "rd_expenditure": rng.uniform(1e5, 2e7, n),  # 万元
            "gdp_nominal": rng.uniform(500, 1e5, n),  # 亿元
            "patents_granted": rng.integers(100, 400_000, n).astype(float),  # 项
            "pop_yearend": rng.uniform(300, 12_000, n),  # 万人
            "gdp_real": rng.uniform(400, 8e4, n),  # 亿元, 2000 prices
            "tertiary_va_share": rng.uniform(0.3, 0.8, n),
            "trade_gdp": rng.uniform(0.02, 1.4, n),
        }
    )


def test_derived_unit_conversions():
    """200 亿元 of R&D (2e6 万元) in a GDP of 1e4 亿元 is 2 %; 5000 patents / 1000 万人 = 5 per 10,000;
    real GDP 1e4 亿元 (1e12 yuan) / 2e4 万人 (2e8 people) = 5000 yuan per person."""
    df = pd.DataFrame(
        {"rd_expenditure": [2e6], "gdp_nominal": [1e4], "patents_granted": [5000.0], "pop_yearend": [1000.0]}
    )
    assert derive(df, "rd_intensity").iloc[0] == pytest.approx(0.02, rel=1e-15)
    assert derive(df, "patents_per10k").iloc[0] == pytest.approx(5.0, rel=1e-15)
    pc = derive(pd.DataFrame({"gdp_real": [1e4], "pop_yearend": [2e4]}), "gdp_real_per_capita")
    assert pc.iloc[0] == pytest.approx(5000.0, rel=1e-15)
    assert DERIVED["rd_intensity"].inputs == ("rd_expenditure", "gdp_nominal")


def test_no_secondary_value_added_in_the_panel():
    """The panel has no secondary-sector VA, so no tertiary/secondary structure ratio is derived."""
    from tfp_talent.data.definitions import PANEL_COLUMNS, RAW_SERIES

    assert not any("secondary" in c for c in PANEL_COLUMNS)
    assert not any("第二产业" in s.indicator for s in RAW_SERIES.values())
    assert not any("secondary" in d.numerator + d.denominator for d in DERIVED.values())


def test_with_derived_keeps_existing_columns_and_does_not_modify_input():
    df = _panel().assign(rd_intensity=0.5)
    out = with_derived(df, ["rd_intensity", "patents_per10k", "tertiary_share"])
    assert (out["rd_intensity"] == 0.5).all() and "patents_per10k" in out and "patents_per10k" not in df


def test_derive_refuses_non_positive_denominator():
    df = _panel()
    df.loc[3, "pop_yearend"] = 0.0
    with pytest.raises(InputError, match=r"'pop_yearend'.*> 0 to derive patents_per10k.*\(p0, 2014\)"):
        derive(df, "patents_per10k", keys=["province", "year"])


def test_nqpf_default_dimensions():
    """Sub-indices add up to the index (1e-14); they equal one global entropy over the seven indicators."""
    df = _panel()
    res = nqpf_index(df, keys=["province", "year"])
    manual = df.assign(
        rd_intensity=df["rd_expenditure"] / (df["gdp_nominal"] * 1e4),
        patents_per10k=df["patents_granted"] / df["pop_yearend"],
    )
    cols = [c for cols in DEFAULT_DIMENSIONS.values() for c in cols]
    ref = entropy_weights(manual, cols)
    np.testing.assert_allclose(res.index, ref.index, atol=1e-14)
    np.testing.assert_allclose(res.dimensions.sum(axis=1), res.index, atol=1e-14)
    for dim, dcols in DEFAULT_DIMENSIONS.items():
        expected = (ref.normalised[list(dcols)] * ref.weights[list(dcols)]).sum(axis=1)
        np.testing.assert_allclose(res.dimensions[dim], expected, atol=1e-14)
    assert list(res.dimensions.columns) == ["labourers", "means", "objects"]
    assert res.dimension_weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert res.weights.loc["patents_per10k", "dimension"] == "means"
    assert res.summary().loc["objects", "label_zh"] == "新型劳动对象"
    assert res.to_dict()["dimensions"]["labourers"] == list(DEFAULT_DIMENSIONS["labourers"])


def test_nqpf_custom_dimensions_and_negative():
    df = _panel()
    dims = {"people": ["tertiary_share"], "tools": ["patents_per10k", "trade_gdp"]}
    res = nqpf_index(df, dims, negative=["trade_gdp"])
    assert res.weights.loc["trade_gdp", "direction"] == "negative"
    np.testing.assert_allclose(res.dimensions.sum(axis=1), res.index, atol=1e-14)


def test_nqpf_refuses_missing_years():
    """rd_fte_per10k_wap is missing before 2011 in the panel: 2010 rows are named, nothing imputed."""
    df = _panel(years=range(2010, 2013))
    df.loc[df["year"] == 2010, "rd_fte_per10k_wap"] = np.nan
    with pytest.raises(InputError, match=r"'rd_fte_per10k_wap'.*missing values.*\(p0, 2010\)") as err:
        nqpf_index(df, keys=["province", "year"])
    assert "\n" not in str(err.value)


def test_nqpf_refuses_indicator_in_two_dimensions():
    with pytest.raises(InputError, match=r"'trade_gdp'.*in both dimensions"):
        nqpf_index(_panel(), {"a": ["trade_gdp"], "b": ["trade_gdp", "tertiary_share"]})
