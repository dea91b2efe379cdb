"""`tfp-talent gmm`: JSON round trip against the Python API and the published AB (1991) Table 4(b)
numbers (see test_gmm.py for the reference), and bad input (exit 2, one line, no traceback, no file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tfp_talent.cli import main
from tfp_talent.estimators.gmm import fit_gmm

EMPLUK = Path(__file__).resolve().parents[2] / "data" / "raw" / "reference-panels" / "EmplUK.rda"
BASE = ["--entity", "firm", "--time", "year"]
AB = ["--formula", "n ~ L(1:2).n + L(0:1).w + k + L(0:1).ys", "--gmm", "L(2:99).n"]


@pytest.fixture(scope="module")
def empl_csv(tmp_path_factory):
    import pyreadr

    d = pyreadr.read_r(str(EMPLUK))["EmplUK"]
    d = d.assign(n=np.log(d.emp), w=np.log(d.wage), k=np.log(d.capital), ys=np.log(d.output))
    d["firm"], d["year"] = d["firm"].astype(int), d["year"].astype(int)
    path = tmp_path_factory.mktemp("gmm") / "emplUK.csv"
    d.to_csv(path, index=False)
    return d, path


def test_two_step_difference_round_trip(empl_csv, tmp_path):
    d, path = empl_csv
    out = tmp_path / "ab.json"
    assert main(["gmm", "--data", str(path), *BASE, *AB, "--twostep", "--out", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["params"]["L1.n"] == pytest.approx(0.474151, abs=5e-7)
    assert got["std_errors"]["L1.n"] == pytest.approx(0.185398, abs=5e-7)
    assert got["nobs"] == 611 and got["n_instruments"] == 38 and got["tests"]["sargan"]["df"] == 25
    ref = fit_gmm(d, AB[1], entity="firm", time="year", gmm=AB[3], model="twostep").to_dict()
    assert got["params"] == pytest.approx(ref["params"], rel=1e-12)
    assert got["tests"]["ar2"]["stat"] == pytest.approx(ref["tests"]["ar2"]["stat"], rel=1e-12)


def test_system_collapsed_options(empl_csv, tmp_path):
    d, path = empl_csv
    out = tmp_path / "sys.json"
    args = [
        "gmm",
        "--data",
        str(path),
        *BASE,
        "--formula",
        "n ~ L.n + w + k",
        "--gmm",
        "L(2:4).n",
        "--iv",
        "w",
        "k",
        "--system",
        "--twostep",
        "--collapse",
        "--fod",
        "--effects",
        "individual",
        "--convention",
        "xtabond2",
        "--iv-equation",
        "level",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    got = json.loads(out.read_text())
    ref = fit_gmm(
        d,
        "n ~ L.n + w + k",
        entity="firm",
        time="year",
        gmm="L(2:4).n",
        iv="w + k",
        transformation="ld",
        collapse=True,
        fod=True,
        effects="individual",
        convention="xtabond2",
        iv_equation="level",
        model="twostep",
    )
    assert got["params"] == pytest.approx(ref.to_dict()["params"], rel=1e-12)
    assert got["transformation"] == "ld" and got["fod"] and got["collapse"] and "const" in got["params"]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--formula", "n ~ L.n + nope", "--gmm", "L(2:99).n"], "'nope'"),
        (["--formula", "n ~ L(1:8).n", "--gmm", "L(2:99).n"], "too few periods"),
        (
            [
                "--formula",
                "n ~ L(1:2).n + w + k",
                "--gmm",
                "L(2:2).n",
                "--iv",
                "--collapse",
                "--effects",
                "individual",
            ],
            "do not identify",
        ),
    ],
)
def test_bad_input_exit_2_one_line(empl_csv, tmp_path, capsys, extra, needle):
    _, path = empl_csv
    out = tmp_path / "never.json"
    rc = main(["gmm", "--data", str(path), *BASE, *extra, "--out", str(out)])
    lines = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
    assert not out.exists()


def test_bad_input_in_a_real_process_has_no_traceback(empl_csv, tmp_path):
    _, path = empl_csv
    out = tmp_path / "never.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tfp_talent.cli",
            "gmm",
            "--data",
            str(path),
            *BASE,
            "--formula",
            "n ~ L.n + nope",
            "--gmm",
            "L(2:99).n",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 2 and len(lines) == 1 and "'nope'" in lines[0] and str(path) in lines[0]
    assert "Traceback" not in proc.stderr and not out.exists()
