"""tables.<name>.rescale multiplies a term's coefficient and SE for display; t, p and the result are unchanged."""

from __future__ import annotations

import pytest

from tfp_talent.study.tables import rescaled


def test_rescaled_scales_coefficient_and_se_only():
    r = {"params": {"x": 0.0023, "z": 1.0}, "std_errors": {"x": 0.0006, "z": 0.5}, "pvalues": {"x": 0.001}}
    out = rescaled(r, {"x": 100.0})
    assert out["params"]["x"] == pytest.approx(0.23) and out["std_errors"]["x"] == pytest.approx(0.06)
    assert out["params"]["x"] / out["std_errors"]["x"] == pytest.approx(
        r["params"]["x"] / r["std_errors"]["x"]
    )
    assert out["params"]["z"] == 1.0 and out["pvalues"] == r["pvalues"]
    assert r["params"]["x"] == 0.0023  # the result itself is not modified
    assert rescaled(r, {}) == r
