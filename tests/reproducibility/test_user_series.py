"""User-supplied series (issue 6, item 4): the tidy format, its validation and the panel merge.

Reference for every value check: the numbers the test itself writes into the file
(simulated truth, compared exactly: a CSV round trip of decimal text through float).
Reference for every error: the InputError contract (one line naming file, column, rows).
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
import yaml

from tfp_talent.config import check_config
from tfp_talent.data.provinces import BY_CODE, CODES
from tfp_talent.data.user_series import load_user_series, merge_user_series, read_user_series
from tfp_talent.errors import InputError
from tfp_talent.tfp.labour import read_labour_csv

ROOT = Path(__file__).resolve().parents[2]
YEARS = [2017, 2018, 2019]


def _value(code: int, year: int) -> float:
    return round(code / 1000 + (year - 2000) * 1.25, 2)


def _lines(years=YEARS, codes=CODES, spell=lambda c: BY_CODE[c].name_short) -> list[str]:
    return [f"{spell(c)},{y},{_value(c, y)}" for c in codes for y in years]


def _write(
    tmp_path: Path,
    body: list[str],
    *,
    unit: str | None = "万人",
    header: str = "province,year,value",
    name: str = "series.csv",
    encoding: str = "utf-8",
) -> Path:
    text = ([f"# unit: {unit}"] if unit else []) + [header, *body]
    path = tmp_path / name
    path.write_bytes(("\n".join(text) + "\n").encode(encoding))
    return path


def _one_line(err: pytest.ExceptionInfo, path: Path) -> str:
    msg = str(err.value)
    assert "\n" not in msg and "Traceback" not in msg
    assert str(path) in msg
    return msg


def test_round_trip_with_mixed_spellings_bom_and_national_row(tmp_path):
    """Every spelling the registry knows resolves; 全国 is dropped; extra columns ignored; values exact."""
    spellings = [
        lambda c: BY_CODE[c].name_full,
        lambda c: BY_CODE[c].pinyin,
        str,
        lambda c: BY_CODE[c].name_en,
    ]
    body = [f"{spellings[i % 4](c)},{y},{_value(c, y)},note" for i, c in enumerate(CODES) for y in YEARS]
    body.append("全国,2018,99999,national total")
    path = tmp_path / "s.csv"
    text = (
        "# unit: 万人\n# source: test yearbook, table 1\nprovince,year,value,comment\n"
        + "\n".join(body)
        + "\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # Excel's UTF-8 with BOM
    s = read_user_series(path, "emp", years=YEARS, unit="万人", positive=True)
    assert s.unit == "万人" and s.meta["source"] == "test yearbook, table 1"
    assert list(s.frame.columns) == ["province_code", "year", "emp"] and len(s.frame) == 31 * 3
    expected = np.array([_value(c, y) for c in CODES for y in YEARS])
    np.testing.assert_array_equal(s.frame["emp"].to_numpy(), expected)  # exact: same decimal text
    assert s.describe()["provinces"] == 31 and s.describe()["years"] == [2017, 2019]


def test_rows_outside_the_sample_are_ignored_and_incomplete_allowed_when_asked(tmp_path):
    path = _write(tmp_path, _lines(years=[2016, 2017, 2018], codes=CODES[:-1]))
    s = read_user_series(path, "x", years=YEARS, require_complete=False)
    assert sorted(s.frame["year"].unique()) == [2017, 2018] and s.frame["province_code"].nunique() == 30
    with pytest.raises(InputError, match=r"incomplete.*provinces with no rows: 新疆.*\(北京, 2019\)"):
        read_user_series(path, "x", years=YEARS)


def _raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _gbk(tmp_path):
    return _write(tmp_path, _lines(), encoding="gbk")


def _truncated(tmp_path):
    path = _write(tmp_path, _lines())
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b",")])  # last line cut inside: '新疆,2019'
    return path


BAD = [
    ("gbk", _gbk, {}, r"not valid UTF-8 text: byte 0x.. at line 1 \(it looks like GBK"),
    ("truncated", _truncated, {}, r"wrong number of fields .*line 95: 2 field"),
    (
        "header",
        lambda t: _write(t, _lines(), header="province,year,employment"),
        {},
        r"column 'value': missing column",
    ),
    (
        "duplicate",
        lambda t: _write(t, _lines() + ["北京市,2018,1"]),
        {},
        r"duplicate \(province, year\) rows \(lines 4, 96\).*\(北京, 2018\)",
    ),
    (
        "unknown",
        lambda t: _write(t, ["北平,2017,1", *_lines()]),
        {},
        r"column 'province': unknown province name\(s\): '北平' \(rows: line 3: '北平'\)",
    ),
    (
        "marker",
        lambda t: _write(t, ["天津,2017,…" if ln.startswith("天津,2017,") else ln for ln in _lines()]),
        {},
        r"column 'value': missing or non-numeric.*line 6: 天津 2017 '…'",
    ),
    (
        "empty_cell",
        lambda t: _write(t, ["上海,2017,", *_lines()[1:]]),
        {},
        r"missing or non-numeric.*line 3: 上海 2017 ''",
    ),
    (
        "zero",
        lambda t: _write(t, [ln if not ln.startswith("河北,2019") else "河北,2019,0" for ln in _lines()]),
        {"positive": True},
        r"column 'value': values must be > 0.*\(河北, 2019\)",
    ),
    (
        "negative",
        lambda t: _write(t, ["北京,2017,-3", *_lines()[1:]]),
        {"positive": True},
        r"> 0.*\(北京, 2017\)",
    ),
    ("empty_file", lambda t: _raw(t / "e.csv", b""), {}, r"file is empty"),
    ("header_only", lambda t: _write(t, []), {}, r"no data rows"),
    (
        "year_nian",
        lambda t: _write(t, ["北京,2017年,1", *_lines()[1:]]),
        {},
        r"column 'year': years must be integers.*'2017年'.*2019, not 2019年",
    ),
    (
        "missing_province",
        lambda t: _write(t, _lines(codes=CODES[:-2])),
        {},
        r"incomplete.*6 province-years missing; provinces with no rows: 宁夏, 新疆",
    ),
    (
        "no_unit",
        lambda t: _write(t, _lines(), unit=None),
        {"unit": "万人"},
        r"column 'unit': no '# unit: ...' line",
    ),
    (
        "unit_mismatch",
        lambda t: _write(t, _lines(), unit="人"),
        {"unit": "万人"},
        r"states unit '人' but '万人' is expected",
    ),
    ("not_csv", lambda t: _raw(t / "s.xlsx", b"x"), {}, r"must be a \.csv file"),
]


@pytest.mark.parametrize(("case", "make", "kwargs", "pattern"), BAD, ids=[b[0] for b in BAD])
def test_bad_user_series(tmp_path, case, make, kwargs, pattern):
    path = make(tmp_path)
    before = path.read_bytes()
    with pytest.raises(InputError, match=pattern) as err:
        read_user_series(path, "x", years=YEARS, **kwargs)
    _one_line(err, path)
    assert path.read_bytes() == before  # the reader never writes


def test_negative_values_allowed_unless_positive(tmp_path):
    path = _write(tmp_path, ["北京,2017,-3", *_lines()[1:]])
    s = read_user_series(path, "x", years=YEARS)
    assert s.frame.loc[0, "x"] == -3.0


def test_labour_csv_uses_the_same_reader(tmp_path):
    """One reader: the labour CSV gets the user-series checks (here the encoding check and the unit note)."""
    path = _gbk(tmp_path)
    with pytest.raises(InputError, match=r"not valid UTF-8 text: byte 0x.. at line 1"):
        read_labour_csv(path, years=YEARS)
    ok = _write(tmp_path, _lines(), name="ok.csv")
    lab = read_labour_csv(ok, years=YEARS)
    assert list(lab.columns) == ["province_code", "year", "labour"]
    np.testing.assert_array_equal(
        lab["labour"].to_numpy(), read_user_series(ok, "x", years=YEARS).frame["x"].to_numpy()
    )


def _panel(years=YEARS) -> pd.DataFrame:
    rows = [(c, y, float(i)) for i, (c, y) in enumerate((c, y) for c in CODES for y in years)]
    return pd.DataFrame(rows, columns=["province_code", "year", "gdp_real"])


def test_load_and_merge_into_the_panel(tmp_path):
    a = _write(tmp_path, _lines(), name="a.csv")
    b = _write(tmp_path, _lines(years=[2018, 2019]), name="b.csv", unit="%")
    section = {
        "emp_user": {"file": str(a), "unit": "万人", "positive": True},
        "share_user": {"file": str(b), "unit": "%", "years": [2018, 2019]},
    }
    wide, info = load_user_series(section, years=YEARS)
    assert info["emp_user"]["unit"] == "万人" and info["share_user"]["years"] == [2018, 2019]
    assert len(info["emp_user"]["sha256"]) == 64
    merged = merge_user_series(_panel(), wide)
    assert (
        len(merged) == 93 and merged["share_user"].isna().sum() == 31
    )  # 2017 not covered: missing, not filled
    row = merged[(merged["province_code"] == 440000) & (merged["year"] == 2018)].iloc[0]
    assert row["emp_user"] == _value(440000, 2018) and row["share_user"] == _value(440000, 2018)
    # a config mapping is read for the panel's provinces and years
    again = merge_user_series(_panel(), section)
    pd.testing.assert_frame_equal(again, merged)


def test_a_user_series_never_replaces_a_panel_column(tmp_path):
    a = _write(tmp_path, _lines(), name="a.csv")
    with pytest.raises(InputError, match=r"column 'gdp_real': user series named like a panel column"):
        merge_user_series(_panel(), {"gdp_real": {"file": str(a), "unit": "万人"}})


def _config() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


def _schema() -> dict:
    return yaml.safe_load((ROOT / "config" / "schema.yaml").read_text(encoding="utf-8"))


def test_config_section_schema_and_cross_checks(tmp_path):
    a = _write(tmp_path, _lines(), name="a.csv")
    config = _config()
    config["user_series"] = {
        "emp_user": {"file": str(a), "unit": "万人", "positive": True, "years": [2017, 2019]}
    }
    jsonschema.validate(config, _schema())
    check_config(config)
    for bad in ({"file": str(a), "positive": "yes"}, {"unit": "万人"}, {"file": str(a), "colour": 1}):
        broken = copy.deepcopy(config)
        broken["user_series"] = {"emp_user": bad}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, _schema())
    broken = copy.deepcopy(config)
    broken["user_series"] = {"Emp": {"file": str(a)}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, _schema())
    cases = [
        (
            {"tertiary_share": {"file": str(a)}},
            r"user_series.tertiary_share.*already a panel or TFP variable",
        ),
        ({"solow_x": {"file": str(a)}}, r"already a panel or TFP variable"),
        (
            {"emp_user": {"file": str(tmp_path / "nope.csv")}},
            r"column 'user_series.emp_user.file': file not found",
        ),
        ({"emp_user": {"file": str(a), "years": [1990, 2019]}}, r"user_series.emp_user.years"),
    ]
    for section, pattern in cases:
        broken = copy.deepcopy(config)
        broken["user_series"] = section
        with pytest.raises(InputError, match=pattern):
            check_config(broken)


def test_rule_user_series_writes_the_merged_series(tmp_path):
    """Workflow: config `user_series:` -> data/processed/user_series.{parquet,json} (values as written)."""
    from repro_helpers import SNAKEMAKE, load_config, make_project, save_config, snakemake

    if not SNAKEMAKE.exists():
        pytest.skip("snakemake not installed in this environment")
    work = make_project(tmp_path)
    (work / "user").mkdir()
    _write(
        work / "user", _lines(years=range(2000, 2020), spell=lambda c: BY_CODE[c].name_full), name="emp.csv"
    )
    config = _config() | {
        "user_series": {"emp_user": {"file": "user/emp.csv", "unit": "万人", "positive": True}}
    }
    save_config(work, config)
    assert load_config(work)["user_series"]["emp_user"]["unit"] == "万人"
    run = snakemake(work, "data/processed/user_series.parquet")
    assert run.returncode == 0, run.stderr[-3000:]
    frame = pd.read_parquet(work / "data" / "processed" / "user_series.parquet")
    assert list(frame.columns) == ["province_code", "year", "emp_user"] and len(frame) == 31 * 20
    got = frame.set_index(["province_code", "year"])["emp_user"]
    assert got[(650000, 2019)] == _value(650000, 2019) and got[(110000, 2000)] == _value(110000, 2000)
    meta = yaml.safe_load((work / "data" / "processed" / "user_series.json").read_text(encoding="utf-8"))
    assert meta["emp_user"]["unit"] == "万人" and meta["emp_user"]["file"] == "user/emp.csv"


def test_a_spec_uses_a_merged_user_series(tmp_path):
    """Simulated truth: y = a_i + g_t + 0.5 talent + 0.8 emp_user + e (sd 0.01); the user series, read
    from its CSV and merged into the panel, is a control of a two-way FE spec and its slope is
    recovered (tolerance 0.01, about 10 standard errors at N = 310)."""
    from tfp_talent.data.provinces import registry_frame
    from tfp_talent.study.run import run_spec

    rng = np.random.default_rng(7)
    years = list(range(2010, 2020))
    panel = pd.DataFrame([(c, y) for c in CODES for y in years], columns=["province_code", "year"])
    panel = panel.merge(registry_frame()[["province_code", "region3", "region4"]], on="province_code")
    emp = np.round(rng.uniform(50, 500, size=len(panel)), 1)
    a = panel["province_code"].map({c: rng.normal() for c in CODES}).to_numpy()
    panel["talent"] = rng.normal(size=len(panel))
    panel["y"] = (
        a
        + 0.1 * (panel["year"] - 2010)
        + 0.5 * panel["talent"]
        + 0.8 * emp / 100
        + rng.normal(0, 0.01, len(panel))
    )
    body = [
        f"{BY_CODE[c].name_short},{y},{float(v) / 100!r}"
        for (c, y), v in zip(panel[["province_code", "year"]].itertuples(index=False), emp)
    ]
    path = _write(tmp_path, body, unit="百万人", name="emp.csv")
    merged = merge_user_series(panel, {"emp_user": {"file": str(path), "unit": "百万人", "positive": True}})
    spec = {"kind": "panel", "tfp": None, "y": "y", "talent": ["talent"], "controls": ["emp_user"],
            "model": "fe", "effects": "twoway", "cov": ["clustered"]}  # fmt: skip
    result = run_spec("user_control", spec, merged, None, 1)
    params = result["results"]["clustered"]["params"]
    assert params["emp_user"] == pytest.approx(0.8, abs=0.01) and params["talent"] == pytest.approx(
        0.5, abs=0.01
    )


def test_workflow_spec_uses_a_user_series(tmp_path):
    """Workflow: a spec naming a config `user_series:` variable gets it merged into its panel
    (rule estimate takes data/processed/user_series.parquet as input); the result has its slope."""
    from repro_helpers import SNAKEMAKE, make_project, save_config, snakemake

    if not SNAKEMAKE.exists():
        pytest.skip("snakemake not installed in this environment")
    work = make_project(tmp_path)
    (work / "user").mkdir()
    _write(
        work / "user", _lines(years=range(2000, 2020), spell=lambda c: BY_CODE[c].name_full), name="emp.csv"
    )
    config = _config()
    config["user_series"] = {"emp_user": {"file": "user/emp.csv", "unit": "万人", "positive": True}}
    spec = copy.deepcopy(config["specs"]["baseline"])
    spec["controls"] = [*spec["controls"], "ln.emp_user"]
    spec["cov"] = ["clustered"]
    config["specs"] = {"baseline": config["specs"]["baseline"], "with_user": spec}
    config["tables"], config["figures"] = {}, {}
    save_config(work, config)
    run = snakemake(work, "reports/results/with_user.json")
    assert run.returncode == 0, run.stderr[-3000:]
    result = yaml.safe_load((work / "reports" / "results" / "with_user.json").read_text(encoding="utf-8"))
    assert "ln.emp_user" in result["results"]["clustered"]["params"]
