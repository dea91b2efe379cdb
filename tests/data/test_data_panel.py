"""The clean panel built from the shipped raw data: contract, exact values, derivations, validation.

References: values printed in the raw NBS / yearbook files (quoted in the issue), the
published national total of 2019 regular higher-education enrolment (3031.53 万,
China Statistical Yearbook 2020), and the derivation formulas recomputed here from
the raw CSV text with the standard-library csv module (independent of our readers).
Tolerances: exact for published numbers; 1e-12 relative for recomputed ratios.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from data_stage_helpers import PROV, RAW, ROOT, edit_text

from tfp_talent.data import provinces
from tfp_talent.data.build import build_panel, real_gdp
from tfp_talent.data.codebook import CODEBOOK_COLUMNS, codebook_markdown
from tfp_talent.data.definitions import PANEL_COLUMNS, VARIABLES
from tfp_talent.data.validate import validate_panel
from tfp_talent.errors import InputError


def _csv_rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _raw(path, column, code=110000):
    """{year: float} of one column for one province, straight from the CSV text."""
    return {
        int(r["年份"]): float(r[column])
        for r in _csv_rows(path)
        if r["省份编码"] == str(code) and r[column] != ""
    }


def _at(panel, code, year, col):
    return panel.loc[(panel["province_code"] == code) & (panel["year"] == year), col].item()


def test_columns_follow_the_contract(built):
    """Exactly the columns of /work/briefs/panel_columns.md, in the contract's order (plus
    tertiary_share_15plus after avg_school_years, issue 15)."""
    contract = [
        "province_code",
        "year",
        "province",
        "province_en",
        "region3",
        "region4",
        "gdp_nominal",
        "gdp_index",
        "gdp_real",
        "gdp_deflator",
        "pop_yearend",
        "working_age_share",
        "working_age_pop",
        "emp_urban_units",
        "emp_private",
        "emp_individual",
        "emp_nonfarm",
        "labour_share",
        "gfcf",
        "inv_price_index",
        "edu_none_share",
        "edu_primary_share",
        "edu_junior_share",
        "edu_senior_share",
        "edu_tertiary_share",
        "tertiary_share",
        "avg_school_years",
        "tertiary_share_15plus",
        "he_enrolment_per10k",
        "he_graduates_per10k",
        "rd_fte",
        "rd_researchers_fte",
        "rd_fte_per10k_wap",
        "researcher_share",
        "rd_expenditure",
        "patents_granted",
        "trade_gdp",
        "fiscal_exp_gdp",
        "tertiary_va_share",
        "urbanisation_rate",
    ]
    assert list(built.panel.columns) == contract == list(PANEL_COLUMNS)


def test_keys_31_provinces_by_20_years_sorted(built):
    p = built.panel
    assert len(p) == 31 * 20
    assert p[["province_code", "year"]].equals(
        p[["province_code", "year"]].sort_values(["province_code", "year"])
    )
    assert set(p["province_code"]) == set(provinces.CODES) and set(p["year"]) == set(range(2000, 2020))
    assert p["province_code"].dtype == "int64" and p["year"].dtype == "int64"
    assert _at(p, 610000, 2019, "province") == "陕西" and _at(p, 140000, 2019, "province_en") == "Shanxi"
    assert p.groupby("region3")["province_code"].nunique().to_dict() == {"Central": 8, "East": 11, "West": 12}


def test_issue_values(built):
    """The issue's reference values: Beijing 2019 GDP 35445.1 亿元, index 106.1, R&D FTE 313986 (researchers 207995)."""
    p = built.panel
    assert _at(p, 110000, 2019, "gdp_nominal") == 35445.1
    assert _at(p, 110000, 2019, "gdp_index") == 106.1
    assert _at(p, 110000, 2019, "rd_fte") == 313986
    assert _at(p, 110000, 2019, "rd_researchers_fte") == 207995


def test_national_higher_education_enrolment_2019(built):
    """Sum over provinces of 2019 enrolment = 3031.53 万 (published national total, 2 decimals)."""
    p = built.panel
    enrol = (p["he_enrolment_per10k"] * p["pop_yearend"] / 1e4)[p["year"] == 2019].sum()
    assert round(enrol, 2) == 3031.53
    assert any("= national 3031.53" in n for n in built.notes)


def test_real_gdp_chains_the_published_index(built):
    """gdp_real[t] = GDP_2000 x prod index/100, recomputed from the raw CSV text for Beijing."""
    nominal = _raw(PROV / "国民经济核算" / "地区生产总值.csv", "地区生产总值(亿元)")
    index = _raw(PROV / "国民经济核算" / "地区生产总值指数.csv", "地区生产总值指数(上年=100)")
    expected = nominal[2000] * math.prod(index[y] / 100 for y in range(2001, 2020))
    assert _at(built.panel, 110000, 2019, "gdp_real") == pytest.approx(expected, rel=1e-12)
    assert _at(built.panel, 110000, 2001, "gdp_real") == pytest.approx(3277.8 * 1.118, rel=1e-12)
    assert _at(built.panel, 110000, 2000, "gdp_deflator") == 1.0
    assert _at(built.panel, 110000, 2019, "gdp_deflator") == pytest.approx(35445.1 / expected, rel=1e-12)


def test_real_gdp_breaks_the_chain_at_a_missing_index():
    """A missing index makes every later year missing (nothing is skipped or filled)."""
    nominal = pd.DataFrame({2000: [100.0], 2001: [110.0], 2002: [120.0], 2003: [130.0]})
    index = pd.DataFrame({2000: [np.nan], 2001: [105.0], 2002: [np.nan], 2003: [110.0]})
    real = real_gdp(nominal, index, 2000).iloc[0]
    assert (
        real[2000] == 100
        and real[2001] == pytest.approx(105)
        and np.isnan(real[2002])
        and np.isnan(real[2003])
    )


def test_shares_and_schooling_from_raw_counts(built):
    """Beijing 2019 sample counts: 15-64 13020 of 16666; attainment 311/1344/3087/3052/7948."""
    p = built.panel
    assert _at(p, 110000, 2019, "working_age_share") == pytest.approx(13020 / 16666, rel=1e-12)
    assert _at(p, 110000, 2019, "working_age_pop") == pytest.approx(13020 / 16666 * 2154, rel=1e-12)
    counts = {"none": 311, "primary": 1344, "junior": 3087, "senior": 3052, "tertiary": 7948}
    total = sum(counts.values())
    assert _at(p, 110000, 2019, "tertiary_share") == pytest.approx(7948 / total, rel=1e-12)
    years = (0 * 311 + 6 * 1344 + 9 * 3087 + 12 * 3052 + 16 * 7948) / total
    assert _at(p, 110000, 2019, "avg_school_years") == pytest.approx(years, rel=1e-12)
    edu = p[[f"edu_{k}_share" for k in counts]].dropna()
    assert np.allclose(edu.sum(axis=1), 1.0, atol=1e-12)


def test_tertiary_share_on_the_15_plus_base(built):
    """Beijing 2019: 7948 tertiary of 16666 sampled, 1737 aged 0-14 (age table), so 7948 / 14929; the
    15+ count equals the 15岁及以上人口数 of the illiteracy table of the same survey (14929, read here
    from the CSV text), and the 15+ share exceeds the 6+ share in every survey year."""
    p = built.panel
    assert _at(p, 110000, 2019, "tertiary_share_15plus") == pytest.approx(7948 / (16666 - 1737), rel=1e-12)
    survey = PROV / "人口" / "人口抽样调查样本数据"
    p15 = _raw(survey / "15岁及以上文盲人口(人口抽样调查).csv", "15岁及以上人口数(人口抽样调查)(人)")
    assert p15[2019] == 16666 - 1737
    both = p[["tertiary_share", "tertiary_share_15plus"]].dropna()
    assert len(both) == 527 and (both["tertiary_share_15plus"] > both["tertiary_share"]).all()
    assert p.loc[p["year"].isin([2000, 2001, 2010]), "tertiary_share_15plus"].isna().all()


def test_survey_gap_years_stay_missing_by_default(built):
    p = built.panel
    gaps = p[p["year"].isin([2000, 2001, 2010])]
    assert gaps[["working_age_share", "tertiary_share", "avg_school_years"]].isna().all().all()
    assert not any(c.endswith("_imputed") for c in p.columns)
    assert any(n.startswith("missing tertiary_share: 2000:31, 2001:31, 2010:31") for n in built.notes)


def test_ratios_from_raw_values(built):
    """Beijing 2019: trade 416456751.987 千美元 at 689.85 yuan/100 USD; fiscal 7408.1876 亿元; tertiary VA 29663.4."""
    p = built.panel
    assert _at(p, 110000, 2019, "trade_gdp") == pytest.approx(416456751.987e3 * 6.8985 / 35445.1e8, rel=1e-12)
    assert _at(p, 110000, 2019, "fiscal_exp_gdp") == pytest.approx(7408.1876 / 35445.1, rel=1e-12)
    assert _at(p, 110000, 2019, "tertiary_va_share") == pytest.approx(29663.4 / 35445.1, rel=1e-12)
    assert _at(p, 110000, 2019, "urbanisation_rate") == pytest.approx(1865 / 2154, rel=1e-12)
    assert _at(p, 110000, 2019, "he_enrolment_per10k") == pytest.approx(60.1545 / 2154 * 1e4, rel=1e-12)
    assert _at(p, 110000, 2019, "researcher_share") == pytest.approx(207995 / 313986, rel=1e-12)
    assert _at(p, 110000, 2019, "emp_nonfarm") == pytest.approx(791.2978 + 1115.8615 + 71.6114, rel=1e-12)
    assert _at(p, 110000, 2017, "labour_share") == pytest.approx(
        _raw(PROV / "国民经济核算" / "收入法地区生产总值.csv", "劳动者报酬(亿元)")[2017]
        / _raw(PROV / "国民经济核算" / "收入法地区生产总值.csv", "收入法生产总值(亿元)")[2017],
        rel=1e-12,
    )


def test_coverage_as_documented(built):
    cb = built.codebook.set_index("variable")
    assert cb.at["labour_share", "years_covered"] == "2000-2017"
    assert cb.at["gfcf", "years_covered"] == "2000-2017"
    assert cb.at["rd_fte", "years_covered"] == "2010-2019"
    assert cb.at["urbanisation_rate", "years_covered"] == "2005-2019"
    assert cb.at["tertiary_share", "years_covered"] == "2002-2009, 2011-2019"
    assert cb.at["emp_nonfarm", "years_covered"] == "2004, 2008-2019"
    assert cb.at["gdp_real", "n_nonmissing"] == 620


def test_known_quirks_are_logged(built):
    notes = " | ".join(built.notes)
    assert "Beijing 2012 expected graduates look swapped" in notes
    assert "scope change in 2009" in notes and "Inner Mongolia 2016" in notes
    assert "城镇人口 values carry more than 4 decimals" in notes
    assert "(110000, 2000) 9.0785, (110000, 2001) 8.8047" in notes
    assert "dropped 70 national-total rows" in notes


def test_linear_imputation_fills_2010_only_and_flags_it(raw_copy):
    res = build_panel(raw_copy, impute_survey_gaps="linear")
    p = res.panel
    flags = [c for c in p.columns if c.endswith("_imputed")]
    imputed = (
        "working_age_share edu_none_share edu_primary_share edu_junior_share edu_senior_share edu_tertiary_share "
        "tertiary_share_15plus tertiary_share avg_school_years working_age_pop rd_fte_per10k_wap"
    )
    assert set(flags) == {f"{c}_imputed" for c in imputed.split()}
    assert p.loc[p["tertiary_share_imputed"], "year"].unique().tolist() == [2010]
    # 2010 = midpoint of 2009 and 2011 (linear in years); 2000/2001 are not extrapolated
    for code in (110000, 650000):
        mid = (_at(p, code, 2009, "tertiary_share") + _at(p, code, 2011, "tertiary_share")) / 2
        assert _at(p, code, 2010, "tertiary_share") == pytest.approx(mid, rel=1e-12)
        assert math.isnan(_at(p, code, 2000, "tertiary_share"))
    assert p.loc[p["year"] != 2010, flags].sum().sum() == 0
    cb = res.codebook.set_index("variable")
    assert cb.at["tertiary_share_imputed", "years_covered"] == "2010"


def test_codebook_from_the_definition_table(built):
    cb = built.codebook
    assert list(cb.columns) == CODEBOOK_COLUMNS
    assert cb["variable"].tolist() == [v.name for v in VARIABLES]
    row = cb.set_index("variable").loc["trade_gdp"]
    assert (
        "人民币汇率(年平均价).csv" in row["source_files"]
        and "按经营单位所在地分货物进出口总额.csv" in row["source_files"]
    )
    md = codebook_markdown(cb)
    assert md.count("\n| ") == len(cb) + 1 and "| gdp_real |" in md


def test_validation_flags_bad_share(built):
    panel = built.panel.copy()
    panel.loc[(panel["province_code"] == 110000) & (panel["year"] == 2019), "urbanisation_rate"] = 1.2
    with pytest.raises(InputError, match=r"share outside \[0, 1\]") as err:
        validate_panel(panel, start=2000, end=2019, raw_dir="data/raw")
    msg = str(err.value)
    assert (
        "data/raw/nbs-provincial-2000-2019/人口/总人口.csv" in msg
        and "'urbanisation_rate'" in msg
        and "(110000, 2019, 1.2)" in msg
    )


def test_validation_flags_non_positive_log_variable(built):
    panel = built.panel.copy()
    panel.loc[(panel["province_code"] == 540000) & (panel["year"] == 2005), "gdp_real"] = 0.0
    with pytest.raises(InputError, match="must be positive") as err:
        validate_panel(panel, start=2000, end=2019)
    assert "'gdp_real'" in str(err.value) and "(540000, 2005, 0.0)" in str(err.value)


def test_validation_flags_duplicate_and_missing_provinces(built):
    dup = pd.concat([built.panel, built.panel.iloc[[0]]], ignore_index=True)
    with pytest.raises(InputError, match="duplicate keys") as err:
        validate_panel(dup, start=2000, end=2019)
    assert "(110000, 2000)" in str(err.value)
    short = built.panel[built.panel["province_code"] != 540000]
    with pytest.raises(InputError, match="exactly the 31 provinces") as err:
        validate_panel(short, start=2000, end=2019)
    assert "missing 540000" in str(err.value)


def test_enrolment_inconsistent_with_national_total(raw_copy):
    path = raw_copy / "nbs-provincial-2000-2019" / "教育" / "高等学校普通本、专科学校和学生情况.csv"
    edit_text(
        path,
        "110000,北京市,2019,93,15.2239,13.0851,2.1388,60.1545",
        "110000,北京市,2019,93,15.2239,13.0851,2.1388,61.1545",
    )
    with pytest.raises(InputError, match=r"national total is 3031\.53") as err:
        build_panel(raw_copy)
    msg = str(err.value)
    assert str(path) in msg and "'普通高等学校在校学生数(万人)'" in msg and "year 2019" in msg


def test_export_disagreeing_with_database_is_reported(raw_copy):
    path = raw_copy / "nbs-exports" / "employment_urban_units_10k_2006_2024.csv"
    edit_text(
        path,
        "北京市,,763.6,755.6,747.1,759.5,739.9,791.3",
        "北京市,,763.6,755.6,747.1,759.5,739.9,795.3",
        encoding="gbk",
    )
    with pytest.raises(InputError, match="disagree") as err:
        build_panel(raw_copy)
    assert "(110000, 2019, 795.3, 791.2978)" in str(err.value)


def test_raw_data_untouched_by_the_tests():
    """data/raw still matches SHA256SUMS (the tests only break copies)."""
    from tfp_talent.data.checksums import verify_checksums

    assert len(verify_checksums(RAW / "SHA256SUMS")) > 100
    assert (ROOT / "data" / "raw").is_dir()
