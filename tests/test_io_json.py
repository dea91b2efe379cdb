"""JSON text of results: NaN and ±inf are null wherever they stand (valid JSON, RFC 8259 has no NaN)."""

import json

import numpy as np
import pandas as pd

from tfp_talent.io import json_ready, to_json_text


def test_nan_inside_arrays_series_and_tuples_is_null():
    obj = {
        "array": np.array([1.0, np.nan]),
        "series": pd.Series([np.inf, 2.0], index=["a", "b"]),
        "tuple": (1, np.float64("nan")),
        "flag": np.bool_(True),
    }
    text = to_json_text(obj)
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {
        "array": [1.0, None],
        "series": {"a": None, "b": 2.0},
        "tuple": [1, None],
        "flag": True,
    }


def test_json_ready_turns_pandas_and_numpy_into_plain_types():
    frame = pd.DataFrame({"x": [1, 2]}, index=[10, 11])
    out = json_ready({"f": frame, "i": np.int64(3), "m": np.array([[1, 2]])})
    assert out == {"f": {"x": {"10": 1, "11": 2}}, "i": 3, "m": [[1, 2]]}
    assert type(out["i"]) is int
