"""Spatial panels: bad input stops with one-line InputErrors, weights files, and `tfp-talent spatial`.

Reference for the CLI: the Python API on the same data (the CLI must add nothing) and splm 1.6-5's
two-way SAR lambda on Produc (0.1966461, see test_spatial_splm.py).
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from test_spatial_splm import RAW, X, load_produc

from tfp_talent.cli import main
from tfp_talent.errors import InputError
from tfp_talent.estimators.spatial import fit_spatial_panel
from tfp_talent.spatial.weights_io import read_weights


@pytest.fixture(scope="module")
def produc():
    return load_produc()


def _fit(d, w, ids, **kw):
    kw.setdefault("draws", 0)
    kw.setdefault("tests", False)
    return fit_spatial_panel(d, "lgsp", X, entity="state", time="year", w=w, w_ids=ids, **kw)


def _one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text
    return text


def test_w_ids_not_matching_panel_are_named(produc):
    d, w, ids = produc
    bad = ["ATLANTIS" if i == "OHIO" else i for i in ids]
    with pytest.raises(InputError) as err:
        _fit(d, w, bad)
    msg = _one_line(err)
    assert "panel entities without weights: OHIO" in msg and "weights ids not in the panel: ATLANTIS" in msg


def test_non_square_w(produc):
    d, w, ids = produc
    with pytest.raises(InputError, match=r"not square \(48 x 47\)"):
        _fit(d, w[:, :47], ids)


def test_all_zero_row_names_the_island(produc):
    d, w, ids = produc
    w2 = w.copy()
    w2[ids.index("NEVADA"), :] = 0.0
    with pytest.raises(InputError) as err:
        _fit(d, w2, ids)
    msg = _one_line(err)
    assert "island" in msg and "NEVADA" in msg


def test_non_finite_weights(produc):
    d, w, ids = produc
    w2 = w.copy()
    w2[ids.index("IOWA"), ids.index("ILLINOIS")] = np.inf
    with pytest.raises(InputError, match=r"not finite.*IOWA"):
        _fit(d, sparse.csr_matrix(w2), ids)


def test_unbalanced_panel_names_missing_rows_and_balancing_rule(produc):
    d, w, ids = produc
    drop = (d["state"] == "TEXAS") & d["year"].isin([1975, 1980])
    with pytest.raises(InputError) as err:
        _fit(d[~drop], w, ids)
    msg = _one_line(err)
    assert "(TEXAS, 1975), (TEXAS, 1980)" in msg and "sample: balance: restrict" in msg


def test_non_finite_values_name_rows(produc):
    d, w, ids = produc
    d2 = d.copy()
    d2.loc[(d2["state"] == "UTAH") & (d2["year"] == 1977), "lpc"] = np.nan
    with pytest.raises(InputError, match=r"'lpc'.*non-finite.*\(UTAH, 1977\)"):
        _fit(d2, w, ids)


def test_array_without_ids_and_unknown_choices(produc):
    d, w, ids = produc
    with pytest.raises(InputError, match="needs its unit ids"):
        _fit(d, w, None)
    with pytest.raises(InputError, match="unknown model 'sac'"):
        _fit(d, w, ids, model="sac")


def test_libpysal_dataframe_and_spatialweights_equal_array(produc):
    import libpysal

    d, w, ids = produc
    ref = _fit(d, w, ids, model="sar", effects="twoways")
    wobj = libpysal.weights.full2W(w, ids=ids)
    frame = pd.DataFrame(w, index=ids, columns=ids)
    holder = SimpleNamespace(
        ids=tuple(ids), matrix=w
    )  # the shape of tfp_talent.spatial.weights.SpatialWeights
    for other in (
        _fit(d, wobj, None, model="sar", effects="twoways"),
        _fit(d, frame, None, model="sar", effects="twoways"),
        _fit(d, holder, None, model="sar", effects="twoways"),
    ):
        pd.testing.assert_series_equal(ref.params, other.params, rtol=1e-12)


def _write_csv_weights(path, w, ids):
    pd.DataFrame(w, index=pd.Index(ids, name="id"), columns=ids).to_csv(path)


def test_csv_and_rda_weights_files_read_the_same(produc, tmp_path):
    """The spatial models read weight files with the package's one reader (tfp_talent.spatial.weights_io)."""
    _, w, ids = produc
    _write_csv_weights(tmp_path / "w.csv", w, ids)
    a = read_weights(tmp_path / "w.csv", transform="none")
    b = read_weights(RAW / "usaww.rda", transform="none")
    assert list(a.ids) == list(b.ids) == sorted(ids)
    np.testing.assert_allclose(np.asarray(a.matrix), np.asarray(b.matrix), rtol=0, atol=1e-15)


@pytest.fixture(scope="module")
def cli_files(produc, tmp_path_factory):
    d, w, ids = produc
    root = tmp_path_factory.mktemp("spatial_cli")
    d[["state", "year", "lgsp", *X]].to_csv(root / "produc.csv", index=False)
    _write_csv_weights(root / "w.csv", w, ids)
    return root


BASE = ["spatial", "--entity", "state", "--time", "year", "--y", "lgsp", "--x", *X]


def test_cli_round_trip_equals_api(produc, cli_files, tmp_path):
    d, w, ids = produc
    out = tmp_path / "sdm.json"
    argv = [*BASE, "--data", str(cli_files / "produc.csv"), "--weights", str(cli_files / "w.csv")]
    argv += ["--model", "sdm", "--effects", "twoways", "--draws", "200", "--seed", "3", "--out", str(out)]
    assert main(argv) == 0
    got = json.loads(out.read_text())
    ref = fit_spatial_panel(
        d,
        "lgsp",
        X,
        entity="state",
        time="year",
        w=w,
        w_ids=ids,
        model="sdm",
        effects="twoways",
        draws=200,
        seed=3,
    )
    assert got["lambda"] == pytest.approx(ref.params["lambda"], rel=1e-12)
    for k, v in ref.std_errors.items():
        assert got["std_errors"][k] == pytest.approx(v, rel=1e-10)
    assert got["effects_table"]["lemp"]["total"]["se_sim"] == pytest.approx(
        ref.effects_table["lemp"]["total"]["se_sim"], rel=1e-8
    )
    assert {"lm_lag", "wald_sdm_vs_sem", "lr_sdm_vs_sar"} <= set(got["tests"])
    assert got["log_likelihood"] == pytest.approx(ref.loglik)


def test_cli_rda_weights_reproduce_splm(cli_files, tmp_path):
    out = tmp_path / "sar.json"
    argv = [*BASE, "--data", str(cli_files / "produc.csv"), "--weights", str(RAW / "usaww.rda")]
    assert main([*argv, "--model", "sar", "--effects", "twoways", "--draws", "0", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["lambda"] == pytest.approx(0.1966461, rel=1e-6)


def test_cli_bad_input_exits_2_with_one_line(cli_files, tmp_path, capsys):
    d = pd.read_csv(cli_files / "produc.csv")
    d = d[~((d["state"] == "TEXAS") & (d["year"] == 1975))]
    d.to_csv(tmp_path / "unbalanced.csv", index=False)
    out = tmp_path / "x.json"
    argv = [
        *BASE,
        "--data",
        str(tmp_path / "unbalanced.csv"),
        "--weights",
        str(cli_files / "w.csv"),
        "--out",
        str(out),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "\n" not in err and "(TEXAS, 1975)" in err
    assert not out.exists()


def test_cli_queen_topojson_with_weights_module(tmp_path):
    """Runs once tfp_talent.spatial.weights is merged: queen contiguity of the 31 provinces (TopoJSON)."""
    from tfp_talent.spatial import weights

    topo = RAW.parents[0] / "geo" / "china_provinces_full.topo.json"
    w = weights.queen_from_topojson(topo)
    rng = np.random.default_rng(0)
    rows = []
    for year in range(2000, 2012):
        x = rng.normal(size=w.n)
        y = np.linalg.solve(np.eye(w.n) - 0.3 * np.asarray(w.matrix), x + rng.normal(size=w.n))
        rows.append(pd.DataFrame({"province_code": list(w.ids), "year": year, "y": y, "x": x}))
    pd.concat(rows).to_csv(tmp_path / "prov.csv", index=False)
    out = tmp_path / "q.json"
    argv = ["spatial", "--data", str(tmp_path / "prov.csv"), "--entity", "province_code", "--time", "year"]
    argv += ["--y", "y", "--x", "x", "--weights", f"queen:{topo}", "--draws", "0", "--out", str(out)]
    assert main(argv) == 0
    got = json.loads(out.read_text())
    ref = fit_spatial_panel(
        pd.read_csv(tmp_path / "prov.csv"), "y", ["x"], entity="province_code", time="year", w=w, draws=0
    )
    assert got["lambda"] == pytest.approx(ref.spatial, rel=1e-12)
