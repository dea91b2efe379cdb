"""Perpetual inventory: published CHNCapitalStock values, algebraic identities, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfp_talent.errors import InputError
from tfp_talent.tfp.capital import (
    CHONGQING,
    CHONGQING_INITIAL_PACKAGE,
    SICHUAN,
    china_capital_stock,
    compare_investment,
    perpetual_inventory,
)

BEIJING, TIBET = 110000, 540000


def _at(frame: pd.DataFrame, code: int, year: int, col: str = "capital") -> float:
    return float(frame.loc[(frame["province_code"] == code) & (frame["year"] == year), col].iloc[0])


def test_beijing_matches_published_chncapitalstock(asset):
    """CHNCapitalStock README (CompK(prv='beijing', bt=1952), delta 0.096): K_2021 = 38866.56346,
    K_2022 = 40271.13639 (to 1e-8 relative); InvestPrice 2.0328925, 2.0694846 (printed to 7 decimals)."""
    k = china_capital_stock(asset, delta=0.096, base_year=1952)
    assert _at(k, BEIJING, 2021) == pytest.approx(38866.56346, rel=1e-8)
    assert _at(k, BEIJING, 2022) == pytest.approx(40271.13639, rel=1e-8)
    assert _at(k, BEIJING, 2021, "price_index") == pytest.approx(2.0328925, abs=5e-8)
    assert _at(k, BEIJING, 2022, "price_index") == pytest.approx(2.0694846, abs=5e-8)


def test_package_testthat_values(asset):
    """CHNCapitalStock tests/testthat/test-provinces.R (values printed to 3–4 decimals):
    Beijing K_1952 = 7.9 (bt 1952), K_2000 = 7066.979 (bt 2000); Chongqing K_1997 = 434.2679
    (bt 1952), K_2000 = 2143.611 (bt 2000). bt != 1952 needs the package's rebasing quirk."""
    k52 = china_capital_stock(asset, base_year=1952)
    assert _at(k52, BEIJING, 1952) == pytest.approx(7.9, abs=5e-4)
    assert _at(k52, CHONGQING, 1997) == pytest.approx(434.2679, abs=5e-5)
    pkg = china_capital_stock(asset, base_year=2000, package_rebase=True)
    assert _at(pkg, BEIJING, 2000) == pytest.approx(7066.979, abs=5e-4)
    assert _at(pkg, CHONGQING, 2000) == pytest.approx(2143.611, abs=5e-4)


def test_base_year_rescales_the_whole_series(asset):
    """Constant prices of 2000 = 1952-price stock × the province's deflator in 2000 (Sichuan's
    for Chongqing before 1996, CHNCapitalStock rule); exact algebra, 1e-12 relative."""
    k52 = china_capital_stock(asset, base_year=1952).set_index(["province_code", "year"])
    k00 = china_capital_stock(asset, base_year=2000).set_index(["province_code", "year"])
    p2000 = k52["price_index"].xs(2000, level="year")
    ratio = (k00["capital"] / k52["capital"]).groupby(level="province_code")
    np.testing.assert_allclose(ratio.min(), p2000.loc[ratio.min().index], rtol=1e-12)
    np.testing.assert_allclose(ratio.max(), p2000.loc[ratio.max().index], rtol=1e-12)
    k90 = china_capital_stock(asset, base_year=1990).set_index(["province_code", "year"])
    sichuan_p1990 = k52.loc[(SICHUAN, 1990), "price_index"]
    assert k90.loc[(CHONGQING, 2000), "capital"] == pytest.approx(
        k52.loc[(CHONGQING, 2000), "capital"] * sichuan_p1990, rel=1e-12
    )


def test_chongqing_rules(asset):
    """Chongqing: starts 1996 with K = 1090×313/850 (package) or Sichuan's 1995 stock × 313.61/850.35."""
    pkg = china_capital_stock(asset, base_year=1952)
    cq = pkg.loc[pkg["province_code"] == CHONGQING]
    assert cq["year"].min() == 1996
    assert _at(pkg, CHONGQING, 1996) == pytest.approx(1090 * 313 / 850, rel=1e-15)
    assert pytest.approx(401.3764705882353, rel=1e-15) == CHONGQING_INITIAL_PACKAGE
    prop = china_capital_stock(asset, base_year=1952, chongqing_initial="proportional")
    expected = _at(prop, SICHUAN, 1995) * 313.61 / 850.35
    assert _at(prop, CHONGQING, 1996) == pytest.approx(expected, rel=1e-12)


def test_tibet_deflator_rule_is_in_the_data(asset):
    """CHNCapitalStock README 3.4: Tibet's deflator is 1 before 1990 and the retail price index after."""
    tibet = asset.loc[asset["province_code"] == TIBET].set_index("year")["invest_price"]
    assert (tibet.loc[:1989] == 1.0).all()
    assert tibet.loc[1990] != 1.0


@settings(max_examples=25, deadline=None)
@given(a=st.floats(0.1, 10), b=st.floats(0.1, 10), delta=st.floats(0.0, 0.2), seed=st.integers(0, 10_000))
def test_linear_in_investment(a, b, delta, seed):
    """PIM with K_0 = I_0/(P_0 · 0.1) is linear in investment: K(aI + bJ) = a K(I) + b K(J) (1e-10 relative)."""
    rng = np.random.default_rng(seed)
    years = np.arange(1952, 1972)
    price = np.cumprod(rng.uniform(0.98, 1.08, years.size))
    i1, i2 = rng.uniform(1, 100, years.size), rng.uniform(1, 100, years.size)

    def run(inv):
        frame = pd.DataFrame({"e": 1, "t": years, "inv": inv, "p": price})
        return perpetual_inventory(frame, entity="e", time="t", investment="inv", price="p", delta=delta)[
            "capital"
        ].to_numpy()

    np.testing.assert_allclose(run(a * i1 + b * i2), a * run(i1) + b * run(i2), rtol=1e-10)


def test_zero_depreciation_gives_cumulative_real_investment():
    """delta = 0 and K_0 = I_0/P_0 (initial_rate 1): K_t = Σ_{s≤t} I_s / P_s (1e-12 relative)."""
    rng = np.random.default_rng(3)
    years = np.arange(2000, 2030)
    df = pd.DataFrame(
        {"e": "x", "t": years, "inv": rng.uniform(1, 50, years.size), "p": rng.uniform(0.5, 2, years.size)}
    )
    k = perpetual_inventory(
        df, entity="e", time="t", investment="inv", price="p", delta=0.0, initial_rate=1.0
    )
    np.testing.assert_allclose(k["capital"], np.cumsum(df["inv"] / df["p"]), rtol=1e-12)


def test_hall_jones_initial_stock():
    """Hall & Jones (1999): K_0 = I_0 / (g + delta); real investment growing at exactly 5 % gives g = 0.05."""
    years = np.arange(1952, 1970)
    real = 10 * 1.05 ** (years - 1952)
    df = pd.DataFrame({"e": 1, "t": years, "inv": real * 2.0, "p": 2.0})
    k = perpetual_inventory(
        df, entity="e", time="t", investment="inv", price="p", delta=0.096, initial="hall_jones"
    )
    assert k["capital"].iloc[0] == pytest.approx(10 / (0.05 + 0.096), rel=1e-12)


def test_compare_investment_finds_the_injected_deviation(asset):
    """A panel equal to asset.rda's investment except one injected +2 % cell: that cell is reported."""
    panel = asset.rename(columns={"invest": "gfcf"})[["province_code", "year", "gfcf"]].copy()
    hit = (panel["province_code"] == 330000) & (panel["year"] == 2005)
    panel.loc[hit, "gfcf"] = panel.loc[hit, "gfcf"] / 1.02
    report = compare_investment(asset, panel, years=(2000, 2017))
    assert report["max_rel_diff"]["province"] == "Zhejiang" and report["max_rel_diff"]["year"] == 2005
    assert report["max_rel_diff"]["value"] == pytest.approx(0.02, rel=1e-12)
    assert report["n_compared"] == 31 * 18


def test_bad_input_gap_price_delta():
    df = pd.DataFrame({"e": ["a"] * 4, "t": [2000, 2001, 2003, 2004], "inv": 1.0, "p": 1.0})
    with pytest.raises(InputError, match=r"consecutive years.*\(a, 2002\)"):
        perpetual_inventory(df, entity="e", time="t", investment="inv", price="p")
    df = pd.DataFrame({"e": ["a"] * 3, "t": [2000, 2001, 2002], "inv": 1.0, "p": [1.0, 0.0, 1.0]})
    with pytest.raises(InputError, match=r"'p'.*> 0.*\(a, 2001\)"):
        perpetual_inventory(df, entity="e", time="t", investment="inv", price="p")
    with pytest.raises(InputError, match="depreciation rate"):
        perpetual_inventory(df.assign(p=1.0), entity="e", time="t", investment="inv", price="p", delta=1.2)
    dup = pd.DataFrame({"e": ["a", "a"], "t": [2000, 2000], "inv": 1.0, "p": 1.0})
    with pytest.raises(InputError, match="duplicate keys"):
        perpetual_inventory(dup, entity="e", time="t", investment="inv", price="p")
