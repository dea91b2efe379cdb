"""The shift-share instrument file (rule shift_share) on the shipped data.

References, read off the raw files independently of the package: Beijing has 58 colleges in 1990
in china_univ_by_municipality.dta (summed by hand over its 11xxxx rows with pandas below), Beijing's
2000 year-end population is 1,364 万 (总人口.csv), national entrants are 108.4 万 (1998) and
154.8554 万 (1999) in the NBS national table, which ends in 2014. So Z_Beijing,2003 =
58/1364 × ln(154.8554/108.4) and, with lag 4, every 2019 value is missing (S_2015 is not published
in the file): the instrument is never extrapolated.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from data_stage_helpers import RAW, ROOT

from tfp_talent.data import history
from tfp_talent.data.shift_share import (
    COLUMNS,
    SHIFT_SHARE_DEFAULTS,
    build_shift_share,
    merge_shift_share,
    shift_share_settings,
    summary_markdown,
)
from tfp_talent.errors import InputError

DTA = RAW / "history" / "colleges-by-municipality-1985-2012" / "china_univ_by_municipality.dta"
NATIONAL = RAW / "history" / "nbs-national-1978-2014" / "教育" / "高等学校普通本、专科学校和学生情况.csv"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


@pytest.fixture(scope="module")
def raw_municipal() -> pd.DataFrame:
    return pd.read_stata(DTA, convert_categoricals=False)


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return history.read_national_education(NATIONAL)


@pytest.fixture(scope="module")
def instrument(built, national):
    return build_shift_share(history.read_college_counts(DTA), national, built.panel)


def _at(frame: pd.DataFrame, code: int, year: int, col: str) -> float:
    row = frame[(frame["province_code"] == code) & (frame["year"] == year)]
    assert len(row) == 1
    return float(row.iloc[0][col])


def test_columns_rows_and_keys(instrument, built):
    frame, _ = instrument
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == 31 * 20 and not frame.duplicated(["province_code", "year"]).any()
    assert frame["province_code"].dtype == "int64" and frame["year"].dtype == "int64"
    assert sorted(frame["year"].unique()) == list(range(2000, 2020))
    assert set(frame["province_code"]) == set(built.panel["province_code"])


def test_beijing_by_hand(instrument, raw_municipal):
    frame, _ = instrument
    beijing_1990 = raw_municipal[(raw_municipal["cityid"] // 10000 == 11) & (raw_municipal["year"] == 1990)]
    assert beijing_1990["ncampus"].sum() == 58
    e = 58 / 1364.0
    assert _at(frame, 110000, 2003, "ss_exposure") == pytest.approx(e, rel=1e-12)
    assert _at(frame, 110000, 2003, "ss_shift") == pytest.approx(math.log(154.8554 / 108.4), rel=1e-6)
    assert _at(frame, 110000, 2003, "ss_instrument") == pytest.approx(
        e * math.log(154.8554 / 108.4), rel=1e-6
    )
    assert _at(frame, 110000, 2002, "ss_instrument") == 0.0  # S_1998 / S_1998: the base
    # the alternative exposure is the panel's 2000 enrolment per 10,000, unchanged
    assert _at(frame, 110000, 2010, "ss_exposure_alt") == pytest.approx(205.485337, rel=1e-8)


def test_instrument_is_exposure_times_shift_and_constant_exposure(instrument):
    frame, _ = instrument
    ok = frame["ss_shift"].notna()
    np.testing.assert_allclose(
        frame.loc[ok, "ss_instrument"], frame.loc[ok, "ss_exposure"] * frame.loc[ok, "ss_shift"], rtol=1e-12
    )
    assert (frame.groupby("province_code")[["ss_exposure", "ss_exposure_alt"]].nunique() == 1).all().all()
    assert frame.groupby("year")["ss_shift"].nunique().le(1).all()


def test_no_silent_interpolation_and_nothing_missing_but_2019(instrument):
    frame, summary = instrument
    missing = frame[frame["ss_instrument"].isna()]
    assert sorted(missing["year"].unique()) == [2019] and len(missing) == 31  # S_2015 is not in the file
    assert frame.loc[frame["year"] == 2019, ["ss_shift", "ss_instrument_alt"]].isna().all().all()
    assert frame["ss_exposure"].notna().all()  # every province has 1990 colleges
    assert summary["years_missing_shift"] == [2019]
    assert summary["provinces_missing_exposure"] == [] and summary["n_missing_instrument"] == 31


def test_summary_validation_and_capacity_year(instrument):
    _, summary = instrument
    assert summary["capacity_year"] == SHIFT_SHARE_DEFAULTS["capacity_year"] == 1990
    row = {r["year"]: r for r in summary["validation"]}
    assert row[1990]["provincial_sum"] == 1087 and row[1990]["national"] == 1075 and row[1990]["usable"]
    assert row[1998]["passes"] is False  # +20.3 %: merged campuses counted separately
    assert summary["first_positive_shift_year"] == 2003
    md = summary_markdown(summary)
    assert "capacity year used: 1990" in md and "| Beijing | 58 |" in md
    json.dumps(summary)  # JSON-ready


def test_missing_capacity_count_stops_naming_the_province(built, national, raw_municipal):
    broken = raw_municipal.copy()
    broken.loc[(broken["cityid"] == 460101) & (broken["year"] == 1990), "ncampus"] = np.nan
    assert broken["ncampus"].isna().sum() == 1
    with pytest.raises(InputError, match=r"capacity year 1990 for province\(s\) Hainan"):
        build_shift_share(history.sum_college_counts(broken), national, built.panel)


def test_missing_population_or_alternative_is_named_not_filled(built, national):
    panel = built.panel.copy()
    hainan_2000 = (panel["province_code"] == 460000) & (panel["year"] == 2000)
    panel.loc[hainan_2000, "pop_yearend"] = np.nan
    panel.loc[(panel["province_code"] == 540000) & (panel["year"] == 2000), "he_enrolment_per10k"] = np.nan
    frame, summary = build_shift_share(history.read_college_counts(DTA), national, panel)
    hainan = frame[frame["province_code"] == 460000]
    assert hainan["ss_exposure"].isna().all() and hainan["ss_instrument"].isna().all()
    assert hainan["ss_instrument_alt"].notna().sum() == 19  # its alternative exposure is intact
    tibet = frame[frame["province_code"] == 540000]
    assert tibet["ss_instrument_alt"].isna().all() and tibet["ss_instrument"].notna().sum() == 19
    assert summary["provinces_missing_exposure"] == ["Hainan"]
    assert summary["provinces_missing_exposure_alt"] == ["Tibet"]
    others = frame["province_code"] != 460000
    assert frame.loc[others, "ss_exposure"].notna().all()


def test_refuses_an_unvalidated_capacity_year(built, national):
    with pytest.raises(InputError, match="more than max_gap"):
        build_shift_share(history.read_college_counts(DTA), national, built.panel, {"capacity_year": 1996})
    with pytest.raises(InputError, match="unknown key"):
        shift_share_settings({"capacity": 1990})


def test_merge_refuses_clash_and_keeps_panel_rows(instrument, built):
    frame, _ = instrument
    merged = merge_shift_share(built.panel, frame)
    assert len(merged) == len(built.panel) and "ss_instrument" in merged
    with pytest.raises(InputError, match="already in the panel"):
        merge_shift_share(merged, frame)


def test_defaults_equal_the_history_function_defaults():
    """Each default lives once: the config defaults are the defaults of the history functions they feed."""
    import inspect

    cap = inspect.signature(history.pre_expansion_capacity).parameters
    shift = inspect.signature(history.national_shift).parameters
    d = SHIFT_SHARE_DEFAULTS
    assert (d["capacity_year"], d["measure"], d["exposure"]) == (
        cap["year"].default,
        cap["measure"].default,
        cap["kind"].default,
    )
    for key in ("shift", "lag", "base_year", "form"):
        assert d[key] == shift[key].default, key
    alt = inspect.signature(history.exposure_from_panel).parameters
    assert d["alternative"] == {"column": alt["column"].default, "year": alt["year"].default}


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
def test_rule_writes_the_same_file(tmp_path, instrument):
    """`snakemake data/processed/shift_share.parquet` on a copy of the project equals the package build."""
    work = tmp_path / "work"
    (work / "data").mkdir(parents=True)
    shutil.copytree(RAW, work / "data" / "raw")
    shutil.copytree(ROOT / "config", work / "config")
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(work), "-c1", "--nolock",
           "data/processed/shift_share.parquet"]  # fmt: skip
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    out = pd.read_parquet(work / "data" / "processed" / "shift_share.parquet")
    pd.testing.assert_frame_equal(out, instrument[0])
    summary = json.loads((work / "data" / "processed" / "shift_share.json").read_text(encoding="utf-8"))
    assert summary["capacity_year"] == 1990 and (work / "logs" / "shift_share.log").exists()
