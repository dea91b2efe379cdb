"""`tfp-talent tfp`: results equal simulated truth / the API; bad input exits 2 and writes nothing."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from tfp_sim import cobb_douglas_panel

from tfp_talent.cli import main

BASE = ["--entity", "id", "--time", "year", "--output", "y", "--capital", "k", "--labor", "l", "--hc", "h"]


@pytest.fixture()
def panel_csv(tmp_path):
    df = cobb_douglas_panel(n=5, years=range(2000, 2006)).assign(s=0.6)
    path = tmp_path / "panel.csv"
    df.to_csv(path, index=False)
    return df, path


def test_solow_cli_recovers_simulated_tfp(panel_csv, tmp_path):
    """Simulated Cobb–Douglas (α = 0.4): the CSV's ln_tfp is the true ln A (1e-9, CSV printed to 10 digits)."""
    df, path = panel_csv
    out = tmp_path / "solow.csv"
    assert (
        main(["tfp", "--method", "solow", "--data", str(path), *BASE, "--alpha", "0.4", "--out", str(out)])
        == 0
    )
    res = pd.read_csv(out)
    assert list(res.columns) == ["id", "year", "tfp_growth", "ln_tfp"]
    np.testing.assert_allclose(res["ln_tfp"], df["ln_a"], atol=1e-9)


@pytest.mark.parametrize("suffix", [".parquet", ".dta"])
def test_malmquist_cli_columns_and_formats(panel_csv, tmp_path, suffix):
    """Parquet and Stata input; Malmquist output has the decomposition and tfp_growth = ln(EC × TC) (1e-9)."""
    df, _ = panel_csv
    path = tmp_path / f"panel{suffix}"
    df.to_parquet(path) if suffix == ".parquet" else df.to_stata(path, write_index=False)
    out = tmp_path / "dea.csv"
    args = [
        "tfp",
        "--method",
        "malmquist",
        "--data",
        str(path),
        *BASE,
        "--frontier",
        "sequential",
        "--vrs",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    res = pd.read_csv(out)
    expected = [
        "id",
        "year",
        "tfp_growth",
        "ln_tfp",
        "efficiency_change",
        "technical_change",
        "pure_efficiency_change",
        "scale_efficiency_change",
    ]
    assert list(res.columns) == expected
    np.testing.assert_allclose(
        res["tfp_growth"], np.log(res["efficiency_change"] * res["technical_change"]), atol=1e-9
    )


def test_tornqvist_cli_with_share_column(panel_csv, tmp_path):
    """Constant share column 0.6 = Solow growth with α = 0.4 (the API result, 1e-9)."""
    df, path = panel_csv
    out = tmp_path / "tq.csv"
    assert (
        main(
            [
                "tfp",
                "--method",
                "tornqvist",
                "--data",
                str(path),
                *BASE,
                "--labor-share",
                "s",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    res = pd.read_csv(out)
    true_growth = df.groupby("id")["ln_a"].diff()
    np.testing.assert_allclose(res["tfp_growth"], true_growth, atol=1e-9)


@pytest.mark.parametrize(
    "change, extra, pattern",
    [
        (None, ["--output", "gdp"], r"no such column.*--output 'gdp'"),
        (lambda d: d.assign(k=np.where(d.index == 7, -1.0, d["k"])), [], r"'k'.*> 0.*\(e1, 2001\)"),
        (lambda d: pd.concat([d, d.iloc[[3]]]), [], r"duplicate keys.*\(e0, 2003\)"),
        (
            lambda d: d.assign(s=np.where(d.index == 2, 1.5, d["s"])),
            ["--method", "tornqvist", "--labor-share", "s"],
            r"'s'.*between 0 and 1.*\(e0, 2002\)",
        ),
        (
            lambda d: d.loc[~((d["id"] == "e2") & (d["year"] == 2003))],
            ["--method", "malmquist"],
            r"\(e2, 2003\)",
        ),
        (None, ["--method", "tornqvist"], r"labour-share column or a constant alpha"),
        (None, ["--method", "solow", "--frontier", "sequential"], r"malmquist only"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(panel_csv, tmp_path, capsys, change, extra, pattern):
    df, path = panel_csv
    if change is not None:
        change(df).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    args = ["tfp", "--method", "solow", "--data", str(path), *BASE, "--out", str(out)]
    for i in range(0, len(extra), 2):  # later options override earlier ones in argparse
        args += extra[i : i + 2]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert re.search(pattern, err), err
    assert not out.exists()
    assert not list(tmp_path.glob(".out.csv.*"))


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["tfp", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "examples:" in text and "--method malmquist" in text
