"""The coefficient plot's intervals are the tables' intervals (reference: scipy.stats quantiles)."""

from __future__ import annotations

import pytest
from scipy import stats

from tfp_talent.estimators.inference import coefficient_interval


def test_wild_bootstrap_set_is_used_when_stored():
    r = {
        "params": {"x": 0.5},
        "std_errors": {"x": 0.2},
        "df_inference": 30,
        "extra": {"wild_bootstrap": {"x": {"conf_int": [-0.1, 1.3], "level": 0.95}}},
    }
    assert coefficient_interval(r, "x") == (0.5, -0.1, 1.3)
    # a stored set at another level is not used for a 95% interval
    r["extra"]["wild_bootstrap"]["x"]["level"] = 0.9
    b, _lo, hi = coefficient_interval(r, "x")
    assert hi - b == pytest.approx(stats.t.ppf(0.975, 30) * 0.2, rel=1e-12)


def test_t_with_the_results_df_else_normal():
    r = {"params": {"x": 1.0}, "std_errors": {"x": 0.5}, "df_inference": 30}
    b, lo, hi = coefficient_interval(r, "x")
    assert (lo, hi) == pytest.approx(
        (1 - stats.t.ppf(0.975, 30) * 0.5, 1 + stats.t.ppf(0.975, 30) * 0.5), rel=1e-12
    )
    r.pop("df_inference")
    b, lo, hi = coefficient_interval(r, "x")
    assert hi - b == pytest.approx(stats.norm.ppf(0.975) * 0.5, rel=1e-12)
    assert coefficient_interval(r, "missing") is None


def test_interval_bounds_keep_their_sign():
    from tfp_talent.report.tables import fmt_bound

    assert fmt_bound(-0.0023, 2) == "-0.002"
    assert fmt_bound(0.00004, 2) == "0.00004"
    assert fmt_bound(1e-9, 2) == "0.00"  # beyond digits + 3: plain rounding
    assert fmt_bound(-1.234, 2) == "-1.23" and fmt_bound(0.0, 2) == "0.00"
