"""One lag grammar (``L<k>.x``, 1 <= k <= MAX_LAG) for the estimators and the study's derived terms.

References: hand-made panels where the k-th lag is known exactly (x_t = t, so L<k>.x = t - k),
and the source tree (the lag pattern is written once, in tfp_talent/within.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.estimators.panel import fit_panel
from tfp_talent.study.labels import term_label
from tfp_talent.study.terms import TermBuilder, base_columns

ROOT = Path(__file__).resolve().parents[2]
YEARS = range(1950, 1950 + within.MAX_LAG + 12)


def _panel() -> pd.DataFrame:
    """Three entities, x_t = t + 1000·i (so every lag is exactly known), y with noise."""
    rng = np.random.default_rng(3)
    rows = [(i, t, float(t + 1000 * i), rng.normal()) for i in (1, 2, 3) for t in YEARS]
    return pd.DataFrame(rows, columns=["province_code", "year", "x", "y"])


@pytest.mark.parametrize(
    ("token", "parsed"),
    [
        ("L.x", (1, "x")),
        ("L1.x", (1, "x")),
        ("L12.ln.y", (12, "ln.y")),
        ("x", None),
        ("Lx", None),
        ("D.L2.x", None),
    ],
)
def test_parse_lag(token, parsed):
    assert within.parse_lag(token) == parsed


@pytest.mark.parametrize("k", [0, within.MAX_LAG + 1])
def test_lag_order_out_of_range_stops(k):
    with pytest.raises(InputError, match=rf"lag order must be between 1 and {within.MAX_LAG}, got {k}"):
        within.parse_lag(f"L{k}.x")


def test_study_terms_accept_the_largest_lag_and_refuse_the_next():
    """L<MAX_LAG>.x is x_{t-MAX_LAG} exactly (missing in the first MAX_LAG years); one more stops naming the spec."""
    k = within.MAX_LAG
    builder = TermBuilder(_panel(), name="lags", frontier="y", tfp=None)
    builder.need(f"L{k}.x")
    f = builder.frame
    expected = np.where(f["year"] - k >= YEARS.start, f["x"] - k, np.nan)
    np.testing.assert_array_equal(f[f"L{k}.x"].to_numpy(), expected)
    with pytest.raises(InputError, match=rf"specs\.lags: .*lag order must be between 1 and {k}, got {k + 1}"):
        builder.need(f"L{k + 1}.x")


def test_estimators_use_the_same_limit():
    """fit_panel takes L<MAX_LAG>.x as a term and stops on L<MAX_LAG + 1>.x with the study's message."""
    k = within.MAX_LAG
    data = _panel()
    res = fit_panel(data, "y", [f"L{k}.x"], entity="province_code", time="year", model="pooled", cov="robust")
    assert res.nobs == 3 * (len(YEARS) - k)
    with pytest.raises(InputError, match=rf"lag order must be between 1 and {k}, got {k + 1}"):
        fit_panel(
            data, "y", [f"L{k + 1}.x"], entity="province_code", time="year", model="pooled", cov="robust"
        )


def test_labels_and_base_columns_read_lags_with_the_same_grammar():
    assert base_columns("L3.ln.x×L.z") == ["x", "z"]
    assert term_label("L3.ln.x", {"x": "X"}) == "ln X, t−3"
    assert term_label("L.x", {"x": "X"}) == "X, t−1"


def test_the_lag_pattern_is_written_once():
    """Only tfp_talent/within.py compiles a lag regex; estimators and study import it."""
    hits = [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "src" / "tfp_talent").rglob("*.py"))
        if r"^L(\d*)\." in p.read_text(encoding="utf-8")
    ]
    assert hits == ["src/tfp_talent/within.py"]
