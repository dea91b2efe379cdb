"""History inputs of the shift-share instrument: readers, validation against NBS totals, the instrument formula.

Expected values are read off the raw files (``data/raw/history/``) and ``../shared/data/README.md``
section 9 (HEIs 598 in 1978, 1,022 in 1998, 1,071 in 1999; entrants 108.4 万 in 1998, 154.86 万
in 1999; provincial ncampus sums 1,046 in 1985, 1,087 in 1990 and 1,229 in 1998).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from data_stage_helpers import PROV, RAW, copy_file, edit_text

from tfp_talent.data import history, readers
from tfp_talent.errors import InputError

DTA = RAW / "history" / "colleges-by-municipality-1985-2012" / "china_univ_by_municipality.dta"
NATIONAL = RAW / "history" / "nbs-national-1978-2014" / "教育" / "高等学校普通本、专科学校和学生情况.csv"


@pytest.fixture(scope="module")
def raw_municipal() -> pd.DataFrame:
    return pd.read_stata(DTA, convert_categoricals=False)


@pytest.fixture(scope="module")
def colleges() -> pd.DataFrame:
    return history.read_college_counts(DTA)


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return history.read_national_education(NATIONAL)


def _cell(frame: pd.DataFrame, code: int, year: int, column: str) -> float:
    row = frame[(frame["province_code"] == code) & (frame["year"] == year)]
    assert len(row) == 1
    return float(row.iloc[0][column])


# ----------------------------------------------------------------------------- readers


def test_college_counts_sum_hainan_by_hand(colleges):
    """Hainan 1990, the four 46xxxx rows of the .dta: Haikou 7 (4 bachelor), Sanya 1 (1), Qionghai 1 (0), Wenchang 1 (0)."""
    assert _cell(colleges, 460000, 1990, "ncampus") == 7 + 1 + 1 + 1
    assert _cell(colleges, 460000, 1990, "nc_bach") == 4 + 1 + 0 + 0
    assert _cell(colleges, 460000, 1990, "n_municipalities") == 4
    # Chongqing before 1997 is coded on today's boundaries: Chongqing Districts 12, three counties 0.
    assert _cell(colleges, 500000, 1985, "ncampus") == 12
    assert _cell(colleges, 540000, 1985, "ncampus") == 3  # Lhasa, Tibet's only municipality


def test_college_counts_cover_every_province_year_and_keep_totals(colleges, raw_municipal):
    assert len(colleges) == 31 * 28 and colleges["ncampus"].notna().all()
    assert sorted(colleges["year"].unique()) == list(range(1985, 2013))
    assert colleges["n_municipalities"].groupby(colleges["year"]).sum().eq(469).all()
    for column in history.COUNT_COLUMNS:  # every count survives the aggregation, year by year
        ours = colleges.groupby("year")[column].sum()
        raw = raw_municipal.groupby("year")[column].sum().astype("float64")
        pd.testing.assert_series_equal(ours, raw, check_names=False, check_index_type=False)


def test_college_counts_invariant_to_row_order(raw_municipal, colleges):
    shuffled = raw_municipal.sample(frac=1.0, random_state=7).reset_index(drop=True)
    pd.testing.assert_frame_equal(history.sum_college_counts(shuffled), colleges)


def test_missing_municipal_count_makes_the_province_sum_missing(raw_municipal):
    broken = raw_municipal.copy()
    broken.loc[(broken["cityid"] == 460101) & (broken["year"] == 1990), "ncampus"] = np.nan
    out = history.sum_college_counts(broken)
    assert math.isnan(_cell(out, 460000, 1990, "ncampus"))
    assert _cell(out, 460000, 1985, "ncampus") == 9 and _cell(out, 460000, 1990, "nc_bach") == 5


def test_national_reader_known_values(national):
    by_year = national.set_index("year")
    assert list(by_year.index) == list(range(1978, 2015))
    assert (
        by_year.loc[1978, "heis"] == 598
        and by_year.loc[1998, "heis"] == 1022
        and by_year.loc[1999, "heis"] == 1071
    )
    assert by_year.loc[1998, "entrants"] == 108.4
    assert by_year.loc[1999, "entrants"] == pytest.approx(154.86, abs=5e-3)  # 154.8554 in the file
    assert by_year.loc[1990, "graduates"] == 61.4 and by_year.loc[2014, "enrolment"] == 2547.6999
    # bachelor-level series start in 1998: earlier cells stay missing
    assert by_year.loc[:1997, "entrants_bach"].isna().all() and by_year.loc[1998, "entrants_bach"] == 65.3135
    assert national.attrs["units"]["entrants"] == "万人"


def test_national_units_match_the_provincial_table(national):
    """Units: the 2000 sums of the NBS provincial table (所, 万人) equal the national row (rounded to 0.01 万)."""
    prov = readers.read_nbs_provincial_csv(PROV / "教育" / "高等学校普通本、专科学校和学生情况.csv")
    sums = prov[prov["year"] == 2000].groupby("variable")["value"].sum()
    row = national.set_index("year").loc[2000]
    assert sums["普通高等学校数"] == row["heis"] == 1041
    for name in ("entrants", "enrolment", "graduates"):
        assert sums[history.NATIONAL_INDICATORS[name]] == pytest.approx(row[name], abs=5e-3)


# ----------------------------------------------------------------------------- validation


def test_validation_passes_1985_1990_within_3_percent(colleges, national):
    table = history.validate_college_counts(colleges, national, years=(1985, 1990))
    assert table["year"].tolist() == [1985, 1990]
    assert table["provincial_sum"].tolist() == [1046, 1087] and table["national"].tolist() == [1016, 1075]
    assert table["rel_gap"].tolist() == pytest.approx([30 / 1016, 12 / 1075], rel=1e-12)
    assert (table["rel_gap"].abs() < 0.03).all() and table["passes"].all()


def test_validation_refuses_1998(colleges, national):
    with pytest.raises(InputError) as err:
        history.validate_college_counts(colleges, national, years=(1990, 1998))
    message = str(err.value)
    assert "1998: 1229 vs 1022 (+20.3%)" in message and "1990:" not in message and "\n" not in message


def test_validation_rule_follows_max_gap(colleges, national):
    assert history.validate_college_counts(colleges, national, years=[1990], max_gap=0.02)["passes"].all()
    with pytest.raises(InputError, match=r"1985: 1046 vs 1016 \(\+3\.0%\)"):
        history.validate_college_counts(colleges, national, years=[1985], max_gap=0.02)
    with pytest.raises(InputError, match="not covered"):
        history.validate_college_counts(colleges, national, years=[1980])


# ----------------------------------------------------------------------------- exposure


def test_capacity_per10k_and_share(colleges):
    pop = pd.Series({460000: 789.0, 110000: 1364.0})  # 2000 year-end population, 万人 (总人口.csv)
    per10k = history.pre_expansion_capacity(colleges, pop, year=1990)
    assert per10k.name == "ncampus_per10k_1990"
    assert per10k[460000] == pytest.approx(10 / 789.0, rel=1e-12) and per10k[110000] == pytest.approx(
        58 / 1364.0
    )
    assert per10k.drop([110000, 460000]).isna().all()  # no population given: missing, not invented
    share = history.pre_expansion_capacity(colleges, year=1985, measure="nc_bach", kind="share")
    assert share.sum() == pytest.approx(1.0, abs=1e-12) and share[460000] == pytest.approx(5 / 624)


def test_capacity_with_the_shipped_2000_population(colleges):
    pop = readers.read_nbs_provincial_csv(PROV / "人口" / "总人口.csv")
    pop2000 = pop[(pop["year"] == 2000) & (pop["variable"] == "年末常住人口")].set_index("province_code")[
        "value"
    ]
    exposure = history.pre_expansion_capacity(colleges, pop2000, year=1990)
    assert exposure.notna().all() and len(exposure) == 31
    assert exposure[110000] == pytest.approx(58 / pop2000[110000], rel=1e-12)


def test_capacity_refuses_post_expansion_year_and_missing_population(colleges):
    with pytest.raises(InputError, match="not before the 1999 expansion"):
        history.pre_expansion_capacity(colleges, year=2000, kind="share")
    with pytest.raises(InputError, match="needs the provincial population"):
        history.pre_expansion_capacity(colleges, year=1990)


def test_exposure_from_panel_takes_the_2000_cross_section():
    panel = pd.DataFrame(
        {
            "province_code": [110000, 110000, 120000],
            "year": [2000, 2001, 2000],
            "he_enrolment_per10k": [200.0, 250.0, 80.0],
        }
    )
    exposure = history.exposure_from_panel(panel)
    assert exposure.to_dict() == {110000: 200.0, 120000: 80.0} and exposure.name == "he_enrolment_per10k_2000"


# ----------------------------------------------------------------------------- instrument

_TOY_NATIONAL = pd.DataFrame(
    {"year": [1995, 1996, 1997, 1998, 1999], "entrants": [90.0, 100.0, 110.0, 150.0, 200.0]}
)


def test_instrument_formula_hand_example():
    """Z_pt = E_p ln(S_{t-2} / S_1996): t=1998 -> 0, 1999 -> ln 1.1, 2000 -> ln 1.5, 2001 -> ln 2, 2002 -> S_2000 missing."""
    exposure = pd.Series({120000: 0.5, 110000: 2.0})
    z = history.shift_share_instrument(
        exposure, _TOY_NATIONAL, lag=2, base_year=1996, years=range(1998, 2003)
    )
    assert list(z.columns) == ["province_code", "year", "value"]
    assert z["province_code"].tolist() == [110000] * 5 + [120000] * 5
    expected = [0.0, math.log(1.1), math.log(1.5), math.log(2.0), np.nan]
    np.testing.assert_allclose(
        z["value"], [2.0 * g for g in expected] + [0.5 * g for g in expected], rtol=1e-14
    )
    growth = history.shift_share_instrument(
        exposure, _TOY_NATIONAL, lag=2, base_year=1996, years=range(1998, 2003), form="growth"
    )
    np.testing.assert_allclose(growth["value"].iloc[:5], [0.0, 0.2, 1.0, 2.0, np.nan], rtol=1e-14)


def test_instrument_missing_shifts_stay_missing(national):
    exposure = pd.Series({110000: 1.0})
    z4 = history.shift_share_instrument(exposure, national).set_index("year")["value"]
    assert z4.index.tolist() == list(range(2000, 2020))
    assert math.isnan(z4[2019]) and z4[2018] == pytest.approx(math.log(721.3987 / 108.4), rel=1e-12)
    assert z4[2002] == 0.0 and z4[2003] == pytest.approx(math.log(154.8554 / 108.4), rel=1e-12)
    z5 = history.shift_share_instrument(exposure, national, lag=5).set_index("year")["value"]
    assert z5.notna().all()
    bach = history.shift_share_instrument(exposure, national, shift="entrants_bach").set_index("year")[
        "value"
    ]
    assert bach[[2000, 2001]].isna().all() and bach[2002] == 0.0  # bachelor entrants start in 1998


def test_instrument_missing_exposure_stays_missing():
    z = history.shift_share_instrument(
        pd.Series({110000: np.nan, 120000: 1.0}), _TOY_NATIONAL, lag=0, base_year=1996, years=[1998]
    )
    assert math.isnan(z["value"].iloc[0]) and z["value"].iloc[1] == pytest.approx(math.log(1.5))


def test_instrument_invariant_to_row_order(national):
    exposure = pd.Series(
        {code: 0.01 * i for i, code in enumerate([110000, 120000, 310000, 500000, 650000], start=1)}
    )
    base = history.shift_share_instrument(exposure, national)
    shuffled = history.shift_share_instrument(
        exposure.sample(frac=1.0, random_state=3),
        national.sample(frac=1.0, random_state=4).reset_index(drop=True),
    )
    pd.testing.assert_frame_equal(base, shuffled)


def test_summary_reports_validation_and_coverage(colleges, national):
    z = history.shift_share_instrument(pd.Series({110000: 1.0}), national)
    summary = history.history_summary(colleges, national, z, capacity_year=1990)
    by_year = {r["year"]: r for r in summary["validation"]}
    assert by_year[1990]["passes"] and not by_year[1998]["passes"]
    assert by_year[1990]["usable"] and by_year[2009]["passes"] and not by_year[2009]["usable"]
    assert by_year[1998]["rel_gap"] == pytest.approx(207 / 1022)
    assert [r["year"] for r in summary["validation_years"]] == [1985, 1990]
    assert summary["coverage"]["instrument_missing_years"] == [2019]
    assert summary["coverage"]["national_years"]["entrants"] == [1978, 2014]
    with pytest.raises(InputError, match="1998"):
        history.history_summary(colleges, national, capacity_year=1998)
    with pytest.raises(InputError, match="not before the 1999 expansion"):
        history.history_summary(colleges, national, capacity_year=2009)


# ----------------------------------------------------------------------------- bad input


def test_bad_input_missing_national_column(tmp_path):
    path = copy_file(NATIONAL, tmp_path)
    edit_text(path, ",普通高等学校招生数,", ",普通高校招生数,")
    with pytest.raises(InputError) as err:
        history.read_national_education(path)
    message = str(err.value)
    assert str(path) in message and "'普通高等学校招生数'" in message and "\n" not in message


def test_bad_input_year_without_suffix(tmp_path):
    path = copy_file(NATIONAL, tmp_path)
    edit_text(path, "\n1985年,", "\n1985,")
    with pytest.raises(InputError, match=r"line 9: '1985'"):
        history.read_national_education(path)


def test_bad_input_missing_municipal_column(raw_municipal):
    with pytest.raises(InputError) as err:
        history.sum_college_counts(raw_municipal.drop(columns="ncampus"), source="x.dta")
    assert str(err.value).startswith("x.dta: column 'ncampus':") and "\n" not in str(err.value)


def test_bad_input_unknown_province_code(national, raw_municipal):
    with pytest.raises(InputError) as err:
        history.shift_share_instrument(pd.Series({110000: 1.0, 990000: 2.0}), national)
    assert "unknown province code(s) (rows: 990000)" in str(err.value) and "\n" not in str(err.value)
    broken = raw_municipal.copy()
    broken.loc[0, ["cityid", "provid"]] = [990100, 99]
    with pytest.raises(
        InputError, match=r"column 'cityid': unknown province code\(s\) from cityid \(rows: 990000\)"
    ):
        history.sum_college_counts(broken)


def test_bad_input_shift_column_and_base_year(national):
    with pytest.raises(InputError, match="column 'graduate'"):
        history.shift_share_instrument(pd.Series({110000: 1.0}), national, shift="graduate")
    with pytest.raises(InputError, match="base year 1970"):
        history.shift_share_instrument(pd.Series({110000: 1.0}), national, base_year=1970)


def test_census_reader_keeps_census_years():
    """人口普查人口基本情况.csv: college-educated per 100,000 = 615 (1982), 1,422 (1990), 3,611 (2000), 8,930 (2010)."""
    census = history.read_national_census(
        RAW / "history" / "nbs-national-1978-2014" / "人口" / "人口普查人口基本情况.csv"
    )
    assert census["year"].tolist() == [1982, 1990, 2000, 2010]
    assert census["college_per100k"].tolist() == [615, 1422, 3611, 8930]
    assert (
        census.set_index("year").loc[1990, "population"] == 113368
        and census.attrs["units"]["population"] == "万人"
    )


def test_bad_input_negative_count_names_the_observation(raw_municipal):
    broken = raw_municipal.copy()
    broken.loc[4, "nc_bach"] = -1.0
    with pytest.raises(
        InputError, match=r"column 'nc_bach': negative or non-numeric college count\(s\) \(rows: obs 5\)"
    ):
        history.sum_college_counts(broken)
