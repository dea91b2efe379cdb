"""Bad input gets one readable InputError naming file, column and rows (issue: 'lose nothing').

Every case works on a broken copy of a real raw file in tmp_path; data/raw is never modified.
Reference for each expectation: the error contract of tfp_talent.errors.InputError.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pandas as pd
import pyreadr
import pytest
import yaml
from data_stage_helpers import EXPORTS, PROV, ROOT, YEARBOOK, copy_file, edit_text

from tfp_talent.config import check_config
from tfp_talent.data import readers, readers_rda
from tfp_talent.data.build import build_panel
from tfp_talent.data.checksums import verify_checksums
from tfp_talent.errors import InputError

GDP_CSV = PROV / "国民经济核算" / "地区生产总值.csv"
EXPORT_CSV = EXPORTS / "employment_urban_units_10k_2006_2024.csv"
EXPORT_XLSX = EXPORTS / "gdp_nominal_100m_yuan_1992_2023.xlsx"


def _one_line(err: pytest.ExceptionInfo) -> str:
    msg = str(err.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


# ----------------------------------------------------------------------------- encoding


def test_provincial_csv_in_gbk_is_rejected(tmp_path):
    path = tmp_path / "gdp_gbk.csv"
    path.write_bytes(GDP_CSV.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(InputError, match="not valid UTF-8") as err:
        readers.read_nbs_provincial_csv(path)
    assert str(path) in _one_line(err) and "GBK" in str(err.value)


def test_export_saved_as_utf8_is_rejected(tmp_path):
    path = tmp_path / "export_utf8.csv"
    path.write_bytes(EXPORT_CSV.read_bytes().decode("gbk").encode("utf-8"))
    with pytest.raises(InputError, match="UTF-8 text, but NBS web exports are GBK") as err:
        readers.read_nbs_export(path)
    assert str(path) in _one_line(err)


def test_export_with_undecodable_bytes_is_rejected(tmp_path):
    path = tmp_path / "export_bad.csv"
    data = EXPORT_CSV.read_bytes()
    path.write_bytes(data[:200] + b"\xff\xff" + data[200:])
    with pytest.raises(InputError, match="not valid GBK") as err:
        readers.read_nbs_export(path)
    assert str(path) in _one_line(err)


# ----------------------------------------------------------------------------- headers


def test_missing_header_line(tmp_path):
    path = copy_file(GDP_CSV, tmp_path)
    lines = path.read_bytes().decode("utf-8").split("\n")
    path.write_bytes("\n".join(lines[1:]).encode("utf-8"))
    with pytest.raises(InputError, match="missing or renamed header") as err:
        readers.read_nbs_provincial_csv(path)
    assert "'省份编码'" in _one_line(err) and "'年份'" in str(err.value)


def test_renamed_key_column(tmp_path):
    path = copy_file(GDP_CSV, tmp_path)
    edit_text(path, "省份编码,省份,年份", "省份编码,省份,year")
    with pytest.raises(InputError) as err:
        readers.read_nbs_provincial_csv(path)
    assert "column '年份'" in _one_line(err) and str(path) in str(err.value)


def test_renamed_indicator_names_file_and_expected_column(raw_copy):
    path = raw_copy / "nbs-provincial-2000-2019" / "国民经济核算" / "地区生产总值.csv"
    edit_text(path, "地区生产总值(亿元)", "地区GDP(亿元)")
    with pytest.raises(InputError, match="expected column not found") as err:
        build_panel(raw_copy)
    msg = _one_line(err)
    assert str(path) in msg and "'地区生产总值(亿元)'" in msg


def test_changed_unit_is_rejected(raw_copy):
    path = raw_copy / "nbs-provincial-2000-2019" / "人口" / "总人口.csv"
    edit_text(path, "年末常住人口(万人)", "年末常住人口(人)")
    with pytest.raises(InputError, match="unit is '人', expected '万人'") as err:
        build_panel(raw_copy)
    assert str(path) in _one_line(err)


def test_export_without_indicator_line(tmp_path):
    path = tmp_path / "export.csv"
    text = EXPORT_CSV.read_bytes().decode("gbk").replace("指标：城镇单位就业人员(万人)\r\n", "")
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(InputError, match="missing header line '指标") as err:
        readers.read_nbs_export(path)
    assert "column '指标'" in _one_line(err)


def test_export_without_region_header(tmp_path):
    path = tmp_path / "export.csv"
    text = EXPORT_CSV.read_bytes().decode("gbk").replace("地区,2025年", "省份,2025年")
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(InputError, match="no header row starting with '地区'"):
        readers.read_nbs_export(path)


# ----------------------------------------------------------------------------- rows and keys


def test_duplicated_province_year(tmp_path):
    path = copy_file(GDP_CSV, tmp_path)
    lines = path.read_bytes().decode("utf-8").split("\n")
    path.write_bytes("\n".join(lines[:2] + [lines[1]] + lines[2:]).encode("utf-8"))  # Beijing 2019 twice
    with pytest.raises(InputError, match="duplicated province-year rows") as err:
        readers.read_nbs_provincial_csv(path)
    assert "(110000, 2019)" in _one_line(err)


def test_duplicated_row_in_yearbook(tmp_path):
    frame = pyreadr.read_r(str(YEARBOOK / "RDLaborHour.rda"))["RDLaborHour"]
    frame = pd.concat([frame, frame.iloc[[5]]], ignore_index=True)  # 北京 2023 合计 twice
    path = tmp_path / "RDLaborHour.rda"
    pyreadr.write_rdata(str(path), frame, df_name="RDLaborHour")
    with pytest.raises(InputError, match="duplicated") as err:
        readers_rda.read_yearbook_rda(path)
    assert "北京, 2023, 合计" in _one_line(err)


def test_duplicated_province_in_export(tmp_path):
    path = tmp_path / "export.csv"
    text = EXPORT_CSV.read_bytes().decode("gbk").replace("天津市,", "北京市,", 1)
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(InputError, match="duplicated province rows") as err:
        readers.read_nbs_export(path)
    assert "line 5: 北京市, line 6: 北京市" in _one_line(err)


def test_unknown_province_names_are_listed(tmp_path):
    path = copy_file(GDP_CSV, tmp_path)
    edit_text(path, "北京市", "北平市", count=2)
    edit_text(path, "天津市", "津门", count=1)
    with pytest.raises(InputError, match="unknown province name") as err:
        readers.read_nbs_provincial_csv(path)
    msg = _one_line(err)
    assert "'北平市'" in msg and "'津门'" in msg and str(path) in msg


def test_unknown_province_in_yearbook(tmp_path):
    frame = pyreadr.read_r(str(YEARBOOK / "RDActivity.rda"))["RDActivity"]
    frame.loc[frame["province"] == "西藏", "province"] = "西臧"
    path = tmp_path / "RDActivity.rda"
    pyreadr.write_rdata(str(path), frame, df_name="RDActivity")
    with pytest.raises(InputError, match="'西臧'"):
        readers_rda.read_yearbook_rda(path)


def test_code_and_name_disagree(tmp_path):
    path = copy_file(GDP_CSV, tmp_path)
    edit_text(path, "110000,北京市,2019", "120000,北京市,2019")
    with pytest.raises(InputError, match="省份编码 does not match") as err:
        readers.read_nbs_provincial_csv(path)
    assert "line 2: 120000 北京市" in _one_line(err)


# ----------------------------------------------------------------------------- cells and years


def _export_with_cells(tmp_path: Path, cells: list[str]) -> Path:
    """The urban-units export with Beijing's 2024.. cells replaced by ``cells``."""
    path = tmp_path / "export.csv"
    text = EXPORT_CSV.read_bytes().decode("gbk")
    old = "北京市,,763.6,755.6,747.1"
    assert old in text
    text = text.replace(old, "北京市,," + ",".join(cells))
    path.write_bytes(text.encode("gbk"))
    return path


def test_missing_value_markers_become_nan_and_are_counted(tmp_path):
    path = _export_with_cells(tmp_path, ["…", "—", "—-"])
    notes: list[str] = []
    frame = readers.read_nbs_export(path, notes=notes)
    bj = frame[frame["province_code"] == 110000].set_index("year")["value"]
    assert bj[[2024, 2023, 2022]].isna().all() and bj[2021] == 759.5
    note = next(n for n in notes if "missing-value marker" in n)
    assert (
        "3 missing-value marker(s)" in note
        and "'…' x1" in note
        and "'—-' x1" in note
        and "北京市, 2024年" in note
    )


def test_missing_value_markers_can_be_made_an_error(tmp_path):
    path = _export_with_cells(tmp_path, ["…", "—", "—-"])
    with pytest.raises(InputError, match="missing-value marker") as err:
        readers.read_nbs_export(path, missing_markers="error")
    assert "line 5 (北京市, 2024年)" in _one_line(err)


def test_other_non_numeric_cells_stop(tmp_path):
    path = _export_with_cells(tmp_path, ["12a", "755.6", "747.1"])
    with pytest.raises(InputError, match="non-numeric cell") as err:
        readers.read_nbs_export(path)
    msg = _one_line(err)
    assert "'12a'" in msg and "column '2024年'" in msg and "line 5 (北京市, 2024年)" in msg


def test_non_numeric_cell_in_provincial_csv(tmp_path):
    path = copy_file(GDP_CSV, tmp_path)
    edit_text(path, "110000,北京市,2019,35445.1", "110000,北京市,2019,3544S.1")
    with pytest.raises(InputError, match="non-numeric") as err:
        readers.read_nbs_provincial_csv(path)
    assert "column '地区生产总值(亿元)'" in _one_line(err) and "line 2" in str(err.value)


def test_year_written_with_nian_in_long_csv(tmp_path):
    path = copy_file(GDP_CSV, tmp_path)
    edit_text(path, "110000,北京市,2019,", "110000,北京市,2019年,")
    with pytest.raises(InputError, match="not written as 4-digit integers") as err:
        readers.read_nbs_provincial_csv(path)
    assert "line 2: '2019年'" in _one_line(err) and "column '年份'" in str(err.value)


def test_year_header_without_nian_in_export(tmp_path):
    path = tmp_path / "export.csv"
    text = EXPORT_CSV.read_bytes().decode("gbk").replace(",2019年,", ",2019,")
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(InputError, match="year header") as err:
        readers.read_nbs_export(path)
    assert "column '2019'" in _one_line(err)


def test_year_with_nian_in_yearbook(tmp_path):
    frame = pyreadr.read_r(str(YEARBOOK / "RDActivity.rda"))["RDActivity"]
    frame.loc[0, "year"] = "2023年"
    path = tmp_path / "RDActivity.rda"
    pyreadr.write_rdata(str(path), frame, df_name="RDActivity")
    with pytest.raises(InputError, match="row 1: '2023年'"):
        readers_rda.read_yearbook_rda(path)


def test_xlsx_export_with_text_cell(tmp_path):
    sheet = pd.read_excel(EXPORT_XLSX, header=None, dtype=object)
    sheet.iat[4, 4] = "n/a"  # Beijing 2019
    path = tmp_path / "gdp.xlsx"
    sheet.to_excel(path, header=False, index=False)
    with pytest.raises(InputError, match="non-numeric") as err:
        readers.read_nbs_export(path)
    assert "2019年" in _one_line(err)


# ----------------------------------------------------------------------------- files, checksums, config


def test_missing_raw_file(raw_copy):
    path = raw_copy / "science-tech-yearbook-2010-2023" / "RDLaborHour.rda"
    path.unlink()
    with pytest.raises(InputError, match="raw file not found") as err:
        build_panel(raw_copy)
    assert str(path) in _one_line(err)
    with pytest.raises(InputError, match="missing raw file"):
        verify_checksums(raw_copy / "SHA256SUMS")


def test_checksum_mismatch_names_the_file(raw_copy):
    path = raw_copy / "nbs-provincial-2000-2019" / "人口" / "总人口.csv"
    edit_text(path, "110000,北京市,2019,2154", "110000,北京市,2019,2155")
    with pytest.raises(InputError, match="checksum mismatch") as err:
        verify_checksums(raw_copy / "SHA256SUMS")
    assert "nbs-provincial-2000-2019/人口/总人口.csv" in _one_line(err)


def _config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


def _schema() -> dict:
    return yaml.safe_load((ROOT / "config" / "schema.yaml").read_text(encoding="utf-8"))


def test_shipped_config_is_valid():
    jsonschema.validate(_config(), _schema())
    check_config(_config())


def test_start_after_end_is_rejected():
    config = _config()
    config["years"] = {"start": 2019, "end": 2000}
    with pytest.raises(InputError, match=r"years.start \(2019\) is after years.end \(2000\)"):
        check_config(config)
    with pytest.raises(InputError, match=r"after years\.end"):
        build_panel(ROOT / "data" / "raw", start=2019, end=2000)


@pytest.mark.parametrize(
    ("section", "value"),
    [
        ("years", {"start": 1900, "end": 2019}),
        ("years", {"start": "2000", "end": 2019}),
        ("data", {"impute_survey_gaps": "spline"}),
        ("data", {"missing_markers": "zero"}),
        ("data", {"impute_survey_gaps": "none", "unknown_option": 1}),
    ],
)
def test_out_of_schema_config_is_rejected(section, value):
    config = _config()
    config[section] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(config, _schema())


def test_start_year_before_the_data(raw_copy):
    with pytest.raises(InputError, match=r"years.start \(1995\) has no nominal GDP") as err:
        build_panel(raw_copy, start=1995, end=2019)
    assert "地区生产总值.csv" in _one_line(err)
