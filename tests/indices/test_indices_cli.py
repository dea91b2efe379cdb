"""`tfp-talent entropy` and `tfp-talent coupling`: files equal the API results; bad input exits 2, one line."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from tfp_talent.cli import main
from tfp_talent.indices.coupling import coupling_coordination
from tfp_talent.indices.entropy import entropy_weights


@pytest.fixture()
def panel(tmp_path):
    rng = np.random.default_rng(21)
    n = 30
    df = pd.DataFrame(
        {
            "province": np.repeat([f"p{i}" for i in range(10)], 3),
            "year": np.tile([2011, 2012, 2013], 10),
            "a": rng.uniform(size=n),
            "b": rng.lognormal(size=n),
            "c": rng.normal(size=n),
            "patents_granted": rng.integers(10, 9000, n).astype(float),
            "pop_yearend": rng.uniform(300, 9000, n),
        }
    )
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    return df, path


def test_entropy_cli_matches_api(panel, tmp_path):
    """Index to 1e-9 (CSV printed with 10 significant digits); weights JSON sidecar at full precision."""
    df, path = panel
    out = tmp_path / "idx.csv"
    args = ["entropy", "--data", str(path), "--indicators", "a", "b", "c", "--negative", "c"]
    assert main([*args, "--id-cols", "province", "year", "--normalised", "--out", str(out)]) == 0
    api = entropy_weights(df, ["a", "b", "c"], ["c"])
    res = pd.read_csv(out)
    assert list(res.columns) == ["province", "year", "entropy_index", "a_norm", "b_norm", "c_norm"]
    np.testing.assert_allclose(res["entropy_index"], api.index, atol=1e-9)
    meta = json.loads((tmp_path / "idx.weights.json").read_text())
    assert meta["negative"] == ["c"] and meta["nobs"] == 30
    np.testing.assert_allclose(list(meta["weights"].values()), api.weights.to_numpy(), atol=1e-15)


def test_entropy_cli_derived_indicator_parquet_and_explicit_weights_path(panel, tmp_path):
    df, path = panel
    out, wpath = tmp_path / "idx.parquet", tmp_path / "w" / "weights.json"
    args = ["entropy", "--data", str(path), "--indicators", "a", "patents_per10k", "--out", str(out)]
    assert main([*args, "--weights-out", str(wpath)]) == 0
    res = pd.read_parquet(out)
    assert list(res.columns) == ["row", "entropy_index"]
    api = entropy_weights(
        df.assign(patents_per10k=df["patents_granted"] / df["pop_yearend"]), ["a", "patents_per10k"]
    )
    np.testing.assert_allclose(res["entropy_index"], api.index, atol=1e-15)
    assert set(json.loads(wpath.read_text())["weights"]) == {"a", "patents_per10k"}


def test_coupling_cli_matches_api(panel, tmp_path):
    df, path = panel
    out = tmp_path / "cc.csv"
    args = ["coupling", "--data", str(path), "--talent", "a", "b", "--industry", "c", "patents_per10k"]
    assert main([*args, "--form", "wang2021", "--system-weights", "0.4", "0.6", "--id-cols", "province", "year",
                 "--out", str(out)]) == 0  # fmt: skip
    api = coupling_coordination(
        df.assign(patents_per10k=df["patents_granted"] / df["pop_yearend"]),
        ["a", "b"],
        ["c", "patents_per10k"],
        weights=(0.4, 0.6),
        form="wang2021",
    ).table
    res = pd.read_csv(out)
    assert list(res.columns[:3]) == ["province", "year", "U_talent"]
    for col in ["U_talent", "U_industry", "C", "T", "D", "mismatch", "gap"]:
        np.testing.assert_allclose(res[col], api[col], atol=1e-9)
    assert res["band_zh"].tolist() == api["band_zh"].tolist()
    meta = json.loads((tmp_path / "cc.weights.json").read_text())
    assert meta["form"] == "wang2021" and set(meta["systems"]) == {"talent", "industry"}
    assert meta["system_weights"] == {"talent": 0.4, "industry": 0.6}


@pytest.mark.parametrize(
    "change, args, pattern",
    [
        (
            lambda d: d.assign(b=np.where(d.index == 4, np.nan, d["b"])),
            [],
            r"'b': missing values.*\(p1, 2012\)",
        ),
        (lambda d: d.assign(b=1.0), [], r"'b'.*zero variance"),
        (lambda d: pd.concat([d, d.iloc[[2]]]), [], r"duplicate keys.*\(p0, 2013\)"),
        (None, ["--indicators", "a", "zz"], r"'zz'.*missing column"),
    ],
)
def test_bad_input_exits_2_with_one_line(panel, tmp_path, capsys, change, args, pattern):
    df, path = panel
    if change is not None:
        change(df).to_csv(path, index=False)
    out = tmp_path / "idx.csv"
    base = ["entropy", "--data", str(path), "--indicators", "a", "b", "--id-cols", "province", "year"]
    assert main([*base, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "Traceback" not in err
    assert re.search(pattern, err), err
    assert not out.exists() and not (tmp_path / "idx.weights.json").exists()


def test_coupling_bad_input_exits_2(panel, tmp_path, capsys):
    _, path = panel
    out = tmp_path / "cc.csv"
    args = ["coupling", "--data", str(path), "--talent", "a", "--industry", "a", "b", "--out", str(out)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert "'a'" in err and "in both subsystems" in err and "\n" not in err
    assert not out.exists()


def test_unreadable_file_and_bad_out_suffix_exit_2(panel, tmp_path, capsys):
    _, path = panel
    assert main(["entropy", "--data", str(tmp_path / "nope.csv"), "--indicators", "a", "--out", "x.csv"]) == 2
    assert "file not found" in capsys.readouterr().err
    out = tmp_path / "idx.txt"
    assert main(["entropy", "--data", str(path), "--indicators", "a", "b", "--out", str(out)]) == 2
    assert "suffix '.txt'" in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("cmd", ["entropy", "coupling"])
def test_help_has_examples(cmd, capsys):
    with pytest.raises(SystemExit) as info:
        main([cmd, "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and f"tfp-talent {cmd} --data" in text
