"""`tfp-talent panel --wild-bootstrap ... | --re-variance ...`: the CLI adds nothing to the Python API.

References: ``PanelResult.wildboottest`` and ``fit_panel(..., re_variance=...)`` called on the same
data (identical numbers); the plm / Stata variance components themselves are checked against R plm
2.6-2 in ``test_re_variance.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from _panelsim import simulated

from tfp_talent.cli import main
from tfp_talent.estimators.panel import fit_panel

BASE = ["--entity", "id", "--time", "year", "--y", "y", "--x", "x1", "x2"]


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    d = simulated(40, 7, seed=12, unbalanced=True)
    # an entity effect, so that the random-effects variance sigma_u^2 is not truncated at 0
    d["y"] = d["y"] + np.random.default_rng(1).normal(scale=2.0, size=40)[d["id"].to_numpy() % 40]
    path = tmp_path_factory.mktemp("cli_inf") / "p.csv"
    d.to_csv(path, index=False)
    return d, path


def test_wild_bootstrap_prints_and_writes_the_method_result(csv, tmp_path, capsys):
    d, path = csv
    out = tmp_path / "fe.json"
    rc = main(
        ["panel", "--data", str(path), *BASE, "--cov", "clustered", "--wild-bootstrap", "x1", "x2",
         "--reps", "1999", "--weights", "webb", "--seed", "7", "--out", str(out)]
    )  # fmt: skip
    assert rc == 0
    got = json.loads(out.read_text())
    fit = fit_panel(d, "y", ["x1", "x2"], entity="id", time="year", cov="clustered")
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2
    for line, name in zip(printed, ("x1", "x2"), strict=True):
        ref = fit.wildboottest(name, seed=7, reps=1999, weights="webb")
        assert got["wild_bootstrap"][name] == json.loads(json.dumps(ref.to_dict()))
        assert line.startswith(f"{name}: b = ")
        assert f"wild bootstrap p = {ref.p_value:.4f}" in line and "1,999 replications" in line
        assert f"[{ref.conf_int[0]:.4f}, {ref.conf_int[1]:.4f}]" in line
    # the rest of the JSON is fit_panel's, unchanged
    assert {k: v for k, v in got.items() if k != "wild_bootstrap"}["params"] == pytest.approx(
        fit.to_dict()["params"], rel=1e-12
    )


def test_wild_bootstrap_default_settings(csv, tmp_path):
    _, path = csv
    out = tmp_path / "fe.json"
    assert main(["panel", "--data", str(path), *BASE, "--wild-bootstrap", "x1", "--out", str(out)]) == 0
    wb = json.loads(out.read_text())["wild_bootstrap"]["x1"]
    assert (wb["reps"], wb["weights"], wb["seed"]) == (9999, "webb", 1)


def test_wild_bootstrap_refused_without_clusters(csv, tmp_path, capsys):
    _, path = csv
    out = tmp_path / "fe.json"
    rc = main(
        ["panel", "--data", str(path), *BASE, "--cov", "robust", "--wild-bootstrap", "x1", "--out", str(out)]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "wild cluster bootstrap needs" in err[0]
    assert not out.exists()


@pytest.mark.parametrize("which", ["stata", "plm"])
def test_re_variance_passed_to_fit_panel(csv, tmp_path, which):
    d, path = csv
    out = tmp_path / f"re_{which}.json"
    args = ["panel", "--data", str(path), *BASE, "--model", "re", "--re-variance", which, "--out", str(out)]
    assert main(args) == 0
    got = json.loads(out.read_text())
    ref = fit_panel(d, "y", ["x1", "x2"], entity="id", time="year", model="re", re_variance=which)
    assert got["params"] == pytest.approx(ref.to_dict()["params"], rel=1e-12)
    other = fit_panel(
        d,
        "y",
        ["x1", "x2"],
        entity="id",
        time="year",
        model="re",
        re_variance="plm" if which == "stata" else "stata",
    )
    assert got["params"]["x1"] != pytest.approx(other.params["x1"], rel=1e-9)  # unbalanced: they differ


def test_help_documents_the_options(capsys):
    with pytest.raises(SystemExit):
        main(["panel", "--help"])
    text = capsys.readouterr().out
    for opt in ("--wild-bootstrap", "--reps", "--weights", "--seed", "--re-variance", "boottest", "plm"):
        assert opt in text
