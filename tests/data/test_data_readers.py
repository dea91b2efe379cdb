"""Each raw-format reader on its real file; expected values are read off the raw files / publications."""

from __future__ import annotations

import pytest
from data_stage_helpers import EXPORTS, PROV, RAW, YEARBOOK

from tfp_talent.data import provinces, readers, readers_rda


def _value(frame, code, year, variable=None):
    sub = frame[(frame["province_code"] == code) & (frame["year"] == year)]
    if variable is not None:
        sub = sub[sub["variable"] == variable]
    assert len(sub) == 1
    return sub.iloc[0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("地区生产总值(亿元)", ("地区生产总值", "亿元")),
        ("普通高等学校毕(结)业生数(万人)", ("普通高等学校毕(结)业生数", "万人")),
        ("6岁及6岁以上人口数(人口抽样调查)(人)", ("6岁及6岁以上人口数(人口抽样调查)", "人")),
        ("地区生产总值指数(上年=100)", ("地区生产总值指数", "上年=100")),
        ("年末常住人口（万人）", ("年末常住人口", "万人")),
        ("no unit", ("no unit", "")),
    ],
)
def test_split_indicator(header, expected):
    assert readers.split_indicator(header) == expected


def test_nbs_provincial_csv_gdp():
    """NBS 分省年度数据 地区生产总值.csv: Beijing 2019 GDP 35445.1 亿元 (value quoted in the issue, as in the raw file)."""
    frame = readers.read_nbs_provincial_csv(PROV / "国民经济核算" / "地区生产总值.csv")
    assert list(frame.columns) == readers.TIDY_COLUMNS
    row = _value(frame, 110000, 2019, "地区生产总值")
    assert row["value"] == 35445.1 and row["unit"] == "亿元"
    assert frame["province_code"].nunique() == 31 and sorted(frame["year"].unique()) == list(
        range(2000, 2020)
    )
    assert len(frame) == 31 * 20 * 14  # 14 indicators, NaN cells kept as rows


def test_nbs_provincial_csv_gdp_index():
    """地区生产总值指数.csv: Beijing 2019 index 106.1 (previous year = 100)."""
    frame = readers.read_nbs_provincial_csv(PROV / "国民经济核算" / "地区生产总值指数.csv")
    row = _value(frame, 110000, 2019, "地区生产总值指数")
    assert row["value"] == 106.1 and row["unit"] == "上年=100"


def test_nbs_provincial_csv_counts_empty_cells():
    notes: list[str] = []
    frame = readers.read_nbs_provincial_csv(PROV / "国民经济核算" / "收入法地区生产总值.csv", notes=notes)
    n_empty = int(frame["value"].isna().sum())
    assert n_empty == 310  # 2018-2019 not published: 31 provinces x 2 years x 5 indicators
    assert any(f"{n_empty} empty cell(s) read as NaN" in n for n in notes)


def test_nbs_national_csv_exchange_rate():
    """人民币汇率(年平均价).csv: 2019 annual average 689.85 yuan per 100 USD, as printed in the raw file."""
    frame = readers.read_nbs_national_csv(RAW / "nbs-national-2000-2019" / "人民币汇率(年平均价).csv")
    row = frame[(frame["year"] == 2019) & (frame["variable"] == "人民币对美元汇率")].iloc[0]
    assert row["value"] == 689.85 and row["unit"] == "美元=100"


@pytest.mark.parametrize(
    ("file", "variable", "unit", "years", "beijing_2019"),
    [
        ("gdp_nominal_100m_yuan_2006_2024_rev2023census.csv", "地区生产总值", "亿元", (2006, 2024), 37767.0),
        ("employment_urban_units_10k_2006_2024.csv", "城镇单位就业人员", "万人", (2006, 2025), 791.3),
        (
            "employment_private_individual_10k_2006_2024.csv",
            "私营企业和个体就业人员",
            "万人",
            (2006, 2025),
            1187.5,
        ),
        ("gdp_nominal_100m_yuan_1992_2023.xlsx", "地区生产总值", "亿元", (1992, 2022), 35445.1),
        ("population_yearend_10k_2000_2023.xlsx", "年末常住人口", "万人", (2000, 2022), 2190.0),
    ],
)
def test_nbs_exports(file, variable, unit, years, beijing_2019):
    """GBK CSV and xlsx web exports: indicator/unit from the 指标 line, years from '2019年' headers."""
    frame = readers.read_nbs_export(EXPORTS / file)
    assert list(frame.columns) == readers.TIDY_COLUMNS
    assert set(frame["variable"]) == {variable} and set(frame["unit"]) == {unit}
    assert (frame["year"].min(), frame["year"].max()) == years
    assert frame["province_code"].nunique() == 31
    assert _value(frame, 110000, 2019)["value"] == beijing_2019


def test_export_empty_year_columns_are_counted():
    notes: list[str] = []
    frame = readers.read_nbs_export(EXPORTS / "employment_private_individual_10k_2006_2024.csv", notes=notes)
    assert frame.loc[frame["year"] >= 2020, "value"].isna().all()  # 2020-2025 columns are empty
    assert any("186 empty cell(s)" in n for n in notes)  # 31 x 6 years


def test_yearbook_rd_personnel():
    """RDLaborHour.rda: Beijing 2019 R&D FTE 313986 人年, researchers 207995 (values of the issue, as in the raw file)."""
    notes: list[str] = []
    frame = readers_rda.read_yearbook_rda(YEARBOOK / "RDLaborHour.rda", notes=notes)
    assert list(frame.columns) == readers.TIDY_COLUMNS
    assert _value(frame, 110000, 2019, "合计")["value"] == 313986
    assert _value(frame, 110000, 2019, "研究人员")["value"] == 207995
    assert _value(frame, 110000, 2019, "合计")["unit"] == "人年"
    # '内蒙占' (2013) and the spaced names resolve: 31 provinces in every year 2010-2023
    assert frame.groupby("year")["province_code"].nunique().eq(31).all()
    assert _value(frame, 150000, 2013, "合计")["value"] == 37280
    assert any("dropped 70 national-total rows" in n for n in notes)
    assert any("'内蒙占'" in n for n in notes)


def test_yearbook_national_rows():
    """The 全国 rows: 2019 R&D FTE 4800768 人年 as in the raw file."""
    nat = readers_rda.read_yearbook_national(YEARBOOK / "RDLaborHour.rda")
    assert nat.loc[(nat["year"] == 2019) & (nat["variable"] == "合计"), "value"].item() == 4800768


def test_yearbook_rd_expenditure():
    """RDActivity.rda: Beijing 2019 intramural R&D expenditure 22335870 万元 (= 2233.6 亿元 in RDIntense.rda)."""
    frame = readers_rda.read_yearbook_rda(YEARBOOK / "RDActivity.rda")
    row = _value(frame, 110000, 2019, "合计")
    assert row["value"] == 22335870 and row["unit"] == "万元"


def test_asset_rda():
    """asset.rda (CHNCapitalStock 0.1.1): package README check value InvestPrice_2022 Beijing = 2.0694846."""
    frame = readers_rda.read_asset_rda(RAW / "capital-stock-1952-2022" / "asset.rda")
    assert list(frame.columns) == readers.TIDY_COLUMNS
    assert set(frame["variable"]) == {"invest", "InvestIndex", "InvestPrice", "depr"}
    assert frame["year"].dtype == "int64" and (frame["year"].min(), frame["year"].max()) == (1952, 2022)
    assert set(frame["province_code"]) == set(provinces.CODES)
    assert _value(frame, 110000, 2022, "InvestPrice")["value"] == pytest.approx(2.0694846, abs=5e-8)
    assert _value(frame, 610000, 1952, "invest")["unit"] == "亿元"
    # Chongqing is separate from 1996 only
    assert frame.loc[frame["province_code"] == 500000, "year"].min() == 1996
