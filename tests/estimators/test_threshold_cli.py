"""`tfp-talent threshold` / `threshold-combine`: output equals the Python API, shards combine to the
single run, and bad input stops with exit code 2, one line on stderr and no output file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from threshold_data import simulated_panel

from tfp_talent.cli import main
from tfp_talent.estimators.threshold import threshold_fit
from tfp_talent.io import to_json_text

COLS = ["--entity", "id", "--time", "t", "--y", "y", "--x", "x", "--rx", "r", "--qx", "q"]


@pytest.fixture(scope="module")
def panel_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("thr") / "panel.csv"
    simulated_panel(n=40, t=6, seed=4).to_csv(path, index=False)
    return path


def _run(argv, capsys):
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_output_equals_api(panel_csv, tmp_path, capsys):
    out = tmp_path / "thr.json"
    code, _, err = _run(
        [
            "threshold",
            "--data",
            str(panel_csv),
            *COLS,
            "--thresholds",
            "2",
            "--trim",
            "0.05",
            "--grid",
            "50",
            "--bootstrap",
            "9",
            "--seed",
            "3",
            "--quiet",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0 and err == ""
    doc = json.loads(out.read_text())
    for key in (
        "params",
        "std_errors",
        "nobs",
        "thresholds",
        "ci",
        "ssr",
        "f_stat",
        "p_value",
        "crit_values",
    ):
        assert key in doc
    assert sorted(doc["ssr"]) == ["0", "1", "2"] and sorted(doc["crit_values"]["1"]) == ["1%", "10%", "5%"]
    api = threshold_fit(
        simulated_panel(n=40, t=6, seed=4),
        "y",
        ["x"],
        ["r"],
        "q",
        "id",
        "t",
        n_thresholds=2,
        trim=[0.05, 0.05],
        grid=50,
        bootstrap=9,
        seed=3,
        progress=False,
    )
    assert out.read_text() == to_json_text(api.to_dict())


def test_cli_shards_combine_to_single_run(panel_csv, tmp_path, capsys):
    """issue 6: the bootstrap split into shard jobs combines to the single job's JSON, byte for byte."""
    common = [
        "--data",
        str(panel_csv),
        *COLS,
        "--thresholds",
        "2",
        "--trim",
        "0.05",
        "--grid",
        "40",
        "--bootstrap",
        "10",
        "7",
        "--seed",
        "5",
        "--quiet",
    ]
    single = tmp_path / "single.json"
    assert _run(["threshold", *common, "--jobs", "2", "--out", str(single)], capsys)[0] == 0
    shards = [tmp_path / f"shard{i}.json" for i in (1, 2, 3)]
    for i, path in enumerate(shards, start=1):
        assert _run(["threshold", *common, "--shard", f"{i}/3", "--out", str(path)], capsys)[0] == 0
    combined = tmp_path / "combined.json"
    assert _run(["threshold-combine", *map(str, reversed(shards)), "--out", str(combined)], capsys)[0] == 0
    assert combined.read_bytes() == single.read_bytes()
    bad = tmp_path / "bad.json"
    code, _, err = _run(["threshold-combine", str(shards[0]), str(shards[1]), "--out", str(bad)], capsys)
    assert code == 2 and "exactly once" in err and not bad.exists()


@pytest.mark.parametrize("command", ["threshold", "threshold-combine"])
def test_help_has_examples(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "examples:" in capsys.readouterr().out


def _frame():
    return simulated_panel(n=12, t=5, seed=8)


def _bad_cases():
    cases = {}
    cases["missing column"] = (_frame(), ["--x", "nosuch"], "'nosuch'")
    f = _frame().astype({"x": object})
    f.loc[7, "x"] = "abc"
    cases["non-numeric regressor"] = (f, [], "'x': is not numeric")
    f = _frame()
    f["x"] = 1.0
    cases["constant regressor"] = (f, [], "'x': is constant")
    f = _frame()
    f["x"] = f["id"] * 0.5
    cases["time-invariant regressor"] = (f, [], "fixed effects absorb it")
    f = _frame()
    f["x2"] = 2 * f["x"] - f["r"]
    cases["collinear regressors"] = (f, ["--x", "x", "x2"], "columns 'x', 'x2', 'r': are perfectly collinear")
    f = _frame()
    f = pd.concat([f, f.iloc[[3]]], ignore_index=True)
    cases["duplicate entity-time"] = (f, [], "duplicate keys")
    f = _frame()
    f = f[~((f["id"] == 3) & (f["t"] == 2002))]
    cases["unbalanced panel"] = (f, [], "(3, 2002)")
    f = _frame()
    f.loc[5, "y"] = np.nan
    cases["missing value"] = (f, [], "missing or infinite")
    cases["trim leaves too few observations"] = (_frame(), ["--trim", "0"], "trim 0.0 leaves only")
    cases["trim count"] = (
        _frame(),
        ["--thresholds", "2", "--trim", "0.01", "0.01", "0.05"],
        "--trim needs 1 or 2",
    )
    return cases


BAD = _bad_cases()


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_exit_2_one_line_no_output(name, tmp_path, capsys):
    frame, extra, expected = BAD[name]
    data = tmp_path / "panel.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "res.json"
    argv = ["threshold", "--data", str(data), *COLS, "--bootstrap", "0", "--quiet", "--out", str(out)]
    # options given in `extra` replace the defaults (argparse keeps the last occurrence)
    code, _stdout, err = _run([*argv, *extra], capsys)
    assert code == 2, (name, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err
    assert expected in lines[0], lines[0]
    assert not out.exists()


def test_unreadable_and_missing_files(tmp_path, capsys):
    garbage = tmp_path / "panel.dta"
    garbage.write_bytes(b"\x00\x01 this is not a Stata file")
    out = tmp_path / "res.json"
    for data, expected in ((garbage, "cannot be read"), (tmp_path / "none.csv", "file not found")):
        code, _, err = _run(["threshold", "--data", str(data), *COLS, "--out", str(out)], capsys)
        assert code == 2 and expected in err and len(err.strip().splitlines()) == 1
    notjson = tmp_path / "shard.json"
    notjson.write_text("{ not json")
    code, _, err = _run(["threshold-combine", str(notjson), "--out", str(out)], capsys)
    assert code == 2 and "not a valid JSON shard" in err
    assert not out.exists()
