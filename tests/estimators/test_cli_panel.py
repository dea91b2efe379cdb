"""`tfp-talent panel | hausman | iv`: JSON round trips and bad input (exit 2, one line, no file).

Reference: the Python API called on the same data (the CLI must add nothing), and the
JSON contract of issue 4 (keys params, std_errors, nobs).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from _panelsim import simulated

from tfp_talent.cli import main
from tfp_talent.estimators.hausman import hausman
from tfp_talent.estimators.iv import fit_iv
from tfp_talent.estimators.panel import fit_panel


@pytest.fixture(scope="module")
def panel_files(tmp_path_factory):
    d = simulated(40, 7, seed=12, unbalanced=True)
    d["z"] = d["x2"] * 0.5 + np.random.default_rng(0).normal(size=len(d))
    root = tmp_path_factory.mktemp("cli")
    paths = {"csv": root / "p.csv", "parquet": root / "p.parquet", "dta": root / "p.dta"}
    d.to_csv(paths["csv"], index=False)
    d.to_parquet(paths["parquet"], index=False)
    d.to_stata(paths["dta"], write_index=False)
    return d, paths


BASE = ["--entity", "id", "--time", "year", "--y", "y"]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "dta"])
def test_panel_round_trip(panel_files, tmp_path, fmt):
    """JSON from the CLI equals fit_panel(...).to_dict() exactly (all three file types)."""
    d, paths = panel_files
    out = tmp_path / "fe.json"
    rc = main(
        [
            "panel",
            "--data",
            str(paths[fmt]),
            *BASE,
            "--x",
            "x1",
            "L.x2",
            "--model",
            "fe",
            "--effects",
            "twoway",
            "--cov",
            "clustered",
            "--cluster",
            "both",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    got = json.loads(out.read_text())
    ref = fit_panel(
        d, "y", ["x1", "L.x2"], entity="id", time="year", effects="twoway", cov="clustered", cluster="both"
    )
    for key in ("params", "std_errors", "nobs", "n_entities", "pvalues"):
        assert got[key] == pytest.approx(ref.to_dict()[key], rel=1e-12)
    assert got["model"] == "fe" and got["cov_type"] == "clustered" and got["cluster"] == "both"
    assert got["convention"] == "stata"


def test_panel_models_and_determinism(panel_files, tmp_path):
    """Every model runs from the CLI; two runs write byte-identical files."""
    _, paths = panel_files
    for model, cov in (
        ("pooled", "driscoll-kraay"),
        ("re", "robust"),
        ("fd", "clustered"),
        ("between", "unadjusted"),
    ):
        out1, out2 = tmp_path / f"{model}1.json", tmp_path / f"{model}2.json"
        args = [
            "panel",
            "--data",
            str(paths["csv"]),
            *BASE,
            "--x",
            "x1",
            "x2",
            "--model",
            model,
            "--cov",
            cov,
        ]
        assert main([*args, "--out", str(out1)]) == 0
        assert main([*args, "--out", str(out2)]) == 0
        assert out1.read_bytes() == out2.read_bytes()
        assert json.loads(out1.read_text())["model"] == model


def test_hausman_and_iv_round_trip(panel_files, tmp_path):
    d, paths = panel_files
    out = tmp_path / "h.json"
    assert (
        main(
            [
                "hausman",
                "--data",
                str(paths["csv"]),
                *BASE,
                "--x",
                "x1",
                "x2",
                "--effects",
                "entity",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    got = json.loads(out.read_text())
    ref = hausman(d, "y", ["x1", "x2"], entity="id", time="year", effects="entity")
    assert got["statistic"] == pytest.approx(ref.statistic, rel=1e-12) and got["df"] == 2
    assert {"params", "std_errors", "nobs", "p_value", "positive_definite", "message"} <= set(got)

    out = tmp_path / "m.json"
    assert (
        main(
            [
                "hausman",
                "--data",
                str(paths["csv"]),
                *BASE,
                "--x",
                "x1",
                "x2",
                "--method",
                "mundlak",
                "--cov",
                "clustered",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert json.loads(out.read_text())["method"] == "mundlak"

    out = tmp_path / "iv.json"
    assert (
        main(
            [
                "iv",
                "--data",
                str(paths["csv"]),
                *BASE,
                "--x",
                "x1",
                "--endog",
                "x2",
                "--instruments",
                "z",
                "L.z",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    got = json.loads(out.read_text())
    ref = fit_iv(d, "y", ["x1"], "x2", ["z", "L.z"], entity="id", time="year")
    assert got["params"] == pytest.approx(ref.to_dict()["params"], rel=1e-12)
    assert got["extra"]["overid"]["df"] == 1 and "first_stage" in got["extra"]


@pytest.fixture()
def bad_csv(panel_files, tmp_path):
    d, _ = panel_files
    path = tmp_path / "bad.csv"
    d.assign(x1c=1.0, x3=d["x1"] * 2 + 1).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--x", "x1", "nope", "--model", "pooled"], "'nope'"),
        (["--x", "x1", "x1c", "--model", "pooled"], "'x1c'"),
        (["--x", "x1", "x3", "--model", "pooled"], "collinear"),
        (["--x", "x1", "--model", "between", "--cov", "clustered"], "between"),
        (["--x", "x1", "--cov", "driscoll-kraay", "--bandwidth", "50"], "bandwidth"),
    ],
)
def test_bad_input_exit_2_one_line_no_file(bad_csv, tmp_path, capsys, extra, needle):
    """Bad input: exit code 2, a single 'error:' line on stderr naming the problem, no output file."""
    out = tmp_path / "never.json"
    rc = main(["panel", "--data", str(bad_csv), *BASE, *extra, "--out", str(out)])
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == 2
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
    assert not out.exists() and not list(tmp_path.glob(".never.json*"))


def test_bad_input_in_a_real_process_has_no_traceback(bad_csv, tmp_path):
    """The installed command in a subprocess: exit 2, one stderr line, no traceback, no file."""
    out = tmp_path / "never.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfp_talent.cli",
            "panel",
            "--data",
            str(bad_csv),
            *BASE,
            "--x",
            "x1",
            "x3",
            "--model",
            "pooled",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and "collinear" in lines[0]
    assert "Traceback" not in proc.stderr and not out.exists()


def test_output_identical_across_processes(panel_files, tmp_path):
    """Two processes with different PYTHONHASHSEED write byte-identical JSON for a two-way FE
    model (pyfixest 0.60 orders absorbed effects by string hash, so the wrapper demeans itself)."""
    import os

    _, paths = panel_files
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"fe{seed}.json"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tfp_talent.cli",
                "panel",
                "--data",
                str(paths["csv"]),
                *BASE,
                "--x",
                "x1",
                "x2",
                "--cov",
                "clustered",
                "--cluster",
                "both",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_duplicate_rows_and_unreadable_file(panel_files, tmp_path, capsys):
    d, _ = panel_files
    dup = pd.concat([d, d.iloc[[0]]])
    path = tmp_path / "dup.csv"
    dup.to_csv(path, index=False)
    out = tmp_path / "x.json"
    assert main(["panel", "--data", str(path), *BASE, "--x", "x1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "duplicate" in err and f"({d.loc[0, 'id']}, {d.loc[0, 'year']})" in err and not out.exists()
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not a parquet file")
    assert main(["hausman", "--data", str(junk), *BASE, "--x", "x1", "--out", str(out)]) == 2
    assert "junk.parquet" in capsys.readouterr().err and not out.exists()
    assert (
        main(
            [
                "iv",
                "--data",
                str(tmp_path / "missing.csv"),
                *BASE,
                "--endog",
                "x1",
                "--instruments",
                "z",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "file not found" in capsys.readouterr().err


@pytest.mark.parametrize("cmd", ["panel", "hausman", "iv"])
def test_help_has_examples(cmd, capsys):
    with pytest.raises(SystemExit) as info:
        main([cmd, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and f"tfp-talent {cmd} --data" in text
