"""Reading and writing weights: GAL / CSV round trips, R's usaww matrix, and bad input.

Reference: ``usaww`` of R's splm package (48 x 48 row-standardised contiguity of the US states,
dimnames = the state names of ``Produc``), read from the shipped ``.rda``; libpysal 4.14.1's GAL
reader reads the GAL files written here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from spatial_sim import PRODUC, SHIPPED_MAP, USAWW

from tfp_talent.errors import InputError
from tfp_talent.spatial import knn_from_topojson, read_weights, write_csv, write_gal
from tfp_talent.spatial.weights_io import weights_from_spec


def test_gal_round_trip(queen, tmp_path):
    path = tmp_path / "queen.gal"
    write_gal(queen, path)
    back = read_weights(path)
    assert back.ids == queen.ids
    np.testing.assert_array_equal(back.raw, queen.raw)
    np.testing.assert_array_equal(back.matrix, queen.matrix)
    import libpysal

    w = libpysal.io.open(str(path)).read()  # libpysal's own GAL reader agrees
    assert {int(k): {int(x) for x in v} for k, v in w.neighbors.items()} == {
        a: {queen.ids[j] for j in np.flatnonzero(queen.raw[i])} for i, a in enumerate(queen.ids)
    }


def test_gal_round_trip_asymmetric_knn(tmp_path):
    w = knn_from_topojson(SHIPPED_MAP, 3)
    write_gal(w, tmp_path / "k3.gal")
    np.testing.assert_array_equal(read_weights(tmp_path / "k3.gal").raw, w.raw)


def test_csv_round_trip_exact(queen, tmp_path):
    path = tmp_path / "queen.csv"
    write_csv(queen, path)
    back = read_weights(path, ids=[str(c) for c in reversed(queen.ids)])
    assert back.ids == queen.ids
    np.testing.assert_array_equal(back.raw, queen.matrix)  # 17 digits: the values come back exactly
    np.testing.assert_allclose(back.matrix, queen.matrix, rtol=0, atol=1e-15)  # re-standardised rows
    write_csv(queen, tmp_path / "raw.csv", raw=True)
    raw = read_weights(tmp_path / "raw.csv", transform="none")
    np.testing.assert_array_equal(raw.matrix, queen.raw)


def test_usaww_rda():
    import rdata

    w = read_weights(USAWW)
    assert w.n == 48 and w.matrix.shape == (48, 48)
    np.testing.assert_allclose(w.matrix.sum(axis=1), 1.0, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        produc = rdata.conversion.convert(rdata.parser.parse_file(PRODUC))["Produc"]
    states = sorted(str(s) for s in produc["state"].unique())
    assert list(w.ids) == states
    again = read_weights(USAWW, ids=states[::-1])
    np.testing.assert_array_equal(again.matrix, w.matrix)


def test_weights_from_spec(queen):
    assert np.array_equal(weights_from_spec(f"queen:{SHIPPED_MAP}").matrix, queen.matrix)
    assert weights_from_spec(f"knn6:{SHIPPED_MAP}").kind == "knn6"
    assert weights_from_spec(f"rook:{SHIPPED_MAP}").kind == "rook"
    assert weights_from_spec(str(USAWW)).n == 48


# --------------------------------------------------------------------------- bad input: one line each


def _csv(tmp_path, text, name="w.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _one_line(excinfo, *parts):
    msg = str(excinfo.value)
    assert "\n" not in msg
    for p in parts:
        assert p in msg, msg
    return msg


def test_bad_non_square(tmp_path):
    path = _csv(tmp_path, "id,1,2,3\n1,0,1,0\n2,1,0,1\n")
    with pytest.raises(InputError) as e:
        read_weights(path)
    _one_line(e, str(path), "not square", "2 rows x 3")


def test_bad_ids_named(tmp_path):
    path = _csv(tmp_path, "id,1,2,3\n1,0,1,0\n2,1,0,1\n3,0,1,0\n")
    with pytest.raises(InputError) as e:
        read_weights(path, ids=[1, 2, 4])
    _one_line(e, str(path), "missing: 4", "extra: 3")


def test_bad_rows_columns_differ(tmp_path):
    path = _csv(tmp_path, "id,1,2,9\n1,0,1,0\n2,1,0,1\n3,0,1,0\n")
    with pytest.raises(InputError) as e:
        read_weights(path)
    _one_line(e, "row only: 3", "column only: 9")


def test_bad_island_row_points_to_rule(tmp_path):
    path = _csv(tmp_path, "id,1,2,3\n1,0,1,0\n2,1,0,0\n3,0,0,0\n")
    with pytest.raises(InputError) as e:
        read_weights(path)
    _one_line(e, str(path), "islands", "rows: 3", "island_links")


def test_bad_negative_weight(tmp_path):
    path = _csv(tmp_path, "id,1,2,3\n1,0,1,0\n2,1,0,-1\n3,0,1,0\n")
    with pytest.raises(InputError) as e:
        read_weights(path)
    _one_line(e, str(path), "negative", "rows: 2")


def test_bad_text_and_duplicates_and_types(tmp_path):
    with pytest.raises(InputError) as e:
        read_weights(_csv(tmp_path, "id,1,2\n1,0,x\n2,1,0\n"))
    _one_line(e, "not numbers", "rows: 1")
    with pytest.raises(InputError) as e:
        read_weights(_csv(tmp_path, "id,1,2\n1,0,1\n1,1,0\n", "dup.csv"))
    _one_line(e, "duplicate row id", "rows: 1")
    with pytest.raises(InputError) as e:
        read_weights(tmp_path / "w.xlsx")
    _one_line(e, "unknown weights file type")
    with pytest.raises(InputError) as e:
        read_weights(tmp_path / "absent.gal")
    _one_line(e, "not found")
    with pytest.raises(InputError) as e:
        read_weights(_csv(tmp_path, "id,1,2\n1,1,1\n2,1,0\n", "diag.csv"))
    _one_line(e, "diagonal", "rows: 1")
    with pytest.raises(InputError) as e:
        read_weights(PRODUC)
    _one_line(e, "expected one matrix")
