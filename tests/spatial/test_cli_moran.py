"""`tfp-talent moran`: output equals the Python API; bad input exits 2 with one line."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from spatial_sim import PRODUC, SHIPPED_MAP, USAWW

from tfp_talent.cli import main
from tfp_talent.spatial import read_weights
from tfp_talent.spatial.explore import global_autocorrelation, local_moran


@pytest.fixture(scope="module")
def produc_csv(tmp_path_factory):
    import rdata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = rdata.conversion.convert(rdata.parser.parse_file(PRODUC))["Produc"]
    d = d[d["year"] <= 1973].copy()
    d["state"] = d["state"].astype(str)
    path = tmp_path_factory.mktemp("moran") / "produc.csv"
    d.to_csv(path, index=False)
    return d, path


BASE = ["--entity", "state", "--time", "year", "--var", "unemp", "--permutations", "99", "--seed", "4"]


def test_cli_json_equals_api(produc_csv, tmp_path):
    d, path = produc_csv
    out = tmp_path / "m.json"
    assert (
        main(["moran", "--data", str(path), *BASE, "--weights", str(USAWW), "--local", "--out", str(out)])
        == 0
    )
    doc = json.loads(out.read_text())
    w = read_weights(USAWW)
    ref = global_autocorrelation(d, ["unemp"], w, entity="state", permutations=99, seed=4)
    got = pd.DataFrame(doc["global"])
    assert list(got["year"]) == [1970, 1971, 1972, 1973]
    for col in ("I", "E[I]", "z", "p_sim", "C", "p_sim_geary"):
        assert list(got[col]) == pytest.approx(list(ref[col]), rel=1e-12)
    loc = pd.DataFrame(doc["local"])
    ref_loc = local_moran(d, ["unemp"], w, entity="state", permutations=99, seed=4)
    assert list(loc["cluster"]) == list(ref_loc["cluster"]) and list(loc["p_sim"]) == list(ref_loc["p_sim"])
    assert doc["weights"]["n"] == 48 and doc["seed"] == 4


def test_cli_csv_and_local_file(produc_csv, tmp_path):
    _, path = produc_csv
    out = tmp_path / "m.csv"
    assert (
        main(["moran", "--data", str(path), *BASE, "--weights", str(USAWW), "--local", "--out", str(out)])
        == 0
    )
    assert len(pd.read_csv(out)) == 4
    assert len(pd.read_csv(tmp_path / "m_local.csv")) == 4 * 48
    first = out.read_bytes()
    assert main(["moran", "--data", str(path), *BASE, "--weights", str(USAWW), "--out", str(out)]) == 0
    assert out.read_bytes() == first  # deterministic


def test_cli_bad_input_exits_2(produc_csv, tmp_path, capsys):
    _, path = produc_csv
    out = tmp_path / "bad.json"
    rc = main(["moran", "--data", str(path), *BASE, "--weights", f"queen:{SHIPPED_MAP}", "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and not out.exists()
    assert err.startswith("error: ") and len(err.splitlines()) == 1
    assert "entities not in the weights matrix" in err and "ALABAMA" in err
