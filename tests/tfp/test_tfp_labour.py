"""Labour input and PWT human capital: hand-computed Mincer values, gap filling, user CSV validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tfp_talent.data.provinces import BY_CODE, CODES
from tfp_talent.errors import InputError
from tfp_talent.tfp.labour import human_capital_index, labour_input, mincer_phi, read_labour_csv


def test_mincer_phi_pwt_brackets():
    """PWT / Caselli (2005): 0.134 per year up to 4, 0.101 for 4–8, 0.068 above 8 (hand-computed, 1e-15)."""
    s = np.array([0.0, 2.0, 4.0, 6.0, 8.0, 12.0, np.nan])
    expected = np.array([0.0, 0.268, 0.536, 0.536 + 0.202, 0.536 + 0.404, 0.94 + 0.272, np.nan])
    np.testing.assert_allclose(mincer_phi(s), expected, rtol=0, atol=1e-15)
    assert human_capital_index(12.0) == pytest.approx(np.exp(1.212), rel=1e-15)


@settings(max_examples=50, deadline=None)
@given(s=st.floats(0, 20), ds=st.floats(1e-6, 5))
def test_mincer_is_increasing_with_pwt_slopes(s, ds):
    """φ is increasing, and its slope lies between the smallest and largest PWT return."""
    slope = (mincer_phi(s + ds) - mincer_phi(s)) / ds
    assert 0.068 - 1e-9 <= float(slope) <= 0.134 + 1e-9


def test_negative_schooling_is_rejected():
    with pytest.raises(InputError, match="schooling"):
        mincer_phi(np.array([-1.0]))


def test_working_age_with_gap_filling(sim_panel):
    """Survey gaps: 2010 share = mean of 2009 and 2011 (linear interpolation); 2000–2001 = 2002 share;
    L = share × year-end population; h·L = exp(φ(s)) × L; filled rows flagged."""
    lab = labour_input(sim_panel, source="working_age", human_capital=True, fill_gaps="interpolate")
    p = sim_panel.set_index(["province_code", "year"])
    out = lab.set_index(["province_code", "year"])
    code = CODES[4]
    share10 = 0.5 * (p.loc[(code, 2009), "working_age_share"] + p.loc[(code, 2011), "working_age_share"])
    assert out.loc[(code, 2010), "labour"] == pytest.approx(
        share10 * p.loc[(code, 2010), "pop_yearend"], rel=1e-12
    )
    assert out.loc[(code, 2000), "labour"] == pytest.approx(
        p.loc[(code, 2002), "working_age_share"] * p.loc[(code, 2000), "pop_yearend"], rel=1e-12
    )
    s10 = 0.5 * (p.loc[(code, 2009), "avg_school_years"] + p.loc[(code, 2011), "avg_school_years"])
    assert out.loc[(code, 2010), "hc"] == pytest.approx(human_capital_index(s10), rel=1e-12)
    assert out.loc[(code, 2015), "labour"] == pytest.approx(p.loc[(code, 2015), "working_age_pop"], rel=1e-12)
    np.testing.assert_allclose(lab["labour_eff"], lab["hc"] * lab["labour"], rtol=1e-15)
    assert set(lab.loc[lab["labour_filled"], "year"]) == {2000, 2001, 2010}
    assert set(lab.loc[lab["hc_filled"], "year"]) == {2000, 2001, 2010}
    assert lab["labour_eff"].notna().all()


def test_no_filling_keeps_gaps_and_nonfarm(sim_panel):
    lab = labour_input(sim_panel, source="working_age", fill_gaps="none")
    assert set(lab.loc[lab["labour_eff"].isna(), "year"]) == {2000, 2001, 2010}
    nf = labour_input(sim_panel, source="nonfarm", human_capital=False)
    np.testing.assert_array_equal(
        nf["labour"].to_numpy(), sim_panel.sort_values(["province_code", "year"])["emp_nonfarm"].to_numpy()
    )
    assert (nf["hc"] == 1.0).all()


def _user_frame(years=range(2000, 2003)) -> pd.DataFrame:
    rows = [(BY_CODE[c].name_full, y, 100.0 + i) for i, c in enumerate(CODES) for y in years]
    return pd.DataFrame(rows, columns=["province", "year", "value"])


def test_user_csv_roundtrip(tmp_path, sim_panel):
    """A complete user file in the user-series format ('# unit:' line, full province names, a 全国 row
    that is dropped) is taken as L."""
    f = _user_frame(range(2000, 2020))
    f = pd.concat([f, pd.DataFrame([{"province": "全国", "year": 2000, "value": 1e5}])])
    path = tmp_path / "labour.csv"
    path.write_text("# unit: 万人\n" + f.to_csv(index=False), encoding="utf-8")
    lab = labour_input(sim_panel, source="csv", user_file=path, human_capital=False)
    assert lab.loc[(lab["province_code"] == CODES[3]) & (lab["year"] == 2005), "labour"].iloc[0] == 103.0


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (
            lambda f: f.assign(province=f["province"].replace({"北京市": "北平"})),
            r"unknown province name.*北平",
        ),
        (lambda f: pd.concat([f, f.iloc[[0]]]), r"duplicate \(province, year\).*\(北京, 2000\)"),
        (lambda f: f.assign(value=np.where(f.index == 5, -1.0, f["value"])), r"'value'.*> 0"),
        (lambda f: f.iloc[1:], r"incomplete.*\(北京, 2000\)"),
        (lambda f: f.rename(columns={"value": "labour"}), r"'value'.*missing column"),
        (lambda f: f.assign(year=f["year"].astype(float) + 0.5), r"'year'.*integers"),
    ],
)
def test_user_csv_bad_input(tmp_path, mutate, pattern):
    path = tmp_path / "labour.csv"
    mutate(_user_frame()).to_csv(path, index=False)
    with pytest.raises(InputError, match=pattern) as err:
        read_labour_csv(path, years=range(2000, 2003))
    assert "labour.csv" in str(err.value)
