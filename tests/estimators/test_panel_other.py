"""Random effects, first differences and between (linearmodels engine), lags, and bad input.

References: linearmodels called directly (its documentation states that
``debiased=True, group_debias=True`` is Stata's ``xtreg, re vce(cluster)``), and
hand-built lags.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _panelsim import simulated, wage_panel
from linearmodels import BetweenOLS, FirstDifferenceOLS, RandomEffects

from tfp_talent.errors import InputError
from tfp_talent.estimators.panel import fit_panel


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulated(seed=3)


def _lm(model, d, cov_type, **cfg):
    p = d.set_index(["id", "year"])
    exog = p[["x1", "x2"]].copy()
    if model in ("re", "between"):
        exog.insert(0, "const", 1.0)
    cls = {"re": RandomEffects, "fd": FirstDifferenceOLS, "between": BetweenOLS}[model]
    return cls(p["y"], exog).fit(cov_type=cov_type, **cfg)


CASES = [
    ("re", "unadjusted", {}),
    ("re", "robust", {}),
    ("re", "clustered", {"cluster_entity": True, "group_debias": True}),
    ("re", "clustered", {"cluster_entity": True, "cluster_time": True}),
    ("fd", "unadjusted", {}),
    ("fd", "clustered", {"cluster_entity": True, "group_debias": True}),
    ("between", "unadjusted", {}),
    ("between", "robust", {}),
]


@pytest.mark.parametrize(("model", "cov", "cfg"), CASES)
def test_equal_linearmodels_called_directly(sim, model, cov, cfg):
    """Coefficients equal linearmodels (1e-10). SEs under the stata convention equal linearmodels
    with debiased=True (n/(n-k)) and group_debias=True (g/(g-1)(n-1)/n) (rtol 1e-8); with two-way
    clustering (no group_debias there) we apply min(G)/(min(G)-1)(N-1)/(N-k) to the raw sandwich."""
    cluster = None
    if cov == "clustered":
        cluster = "both" if cfg.get("cluster_time") else "entity"
    res = fit_panel(sim, "y", ["x1", "x2"], entity="id", time="year", model=model, cov=cov, cluster=cluster)
    direct = _lm(model, sim, cov, debiased=True, **cfg)
    np.testing.assert_allclose(res.params.to_numpy(), direct.params.to_numpy(), atol=1e-10)
    if cluster == "both":
        raw = _lm(model, sim, cov, debiased=False, **cfg)
        n, k = raw.nobs, len(raw.params)
        g = min(sim["id"].nunique(), sim["year"].nunique())
        expected = np.sqrt(np.diag(raw.cov) * g / (g - 1) * (n - 1) / (n - k))
    else:
        expected = direct.std_errors.to_numpy()
    np.testing.assert_allclose(res.std_errors.to_numpy(), expected, rtol=1e-8)
    assert res.nobs == direct.nobs
    assert res.rsquared == pytest.approx(direct.rsquared, abs=1e-12)


def test_re_driscoll_kraay_is_xtscc_factor_times_linearmodels_kernel(sim):
    """RE + Driscoll-Kraay (lag 1): stata = T/(T-1)(N-1)/(N-k) x linearmodels' unscaled kernel
    covariance (xtscc, re); rtol 1e-8. RE inference is normal (z), as xtreg, re."""
    res = fit_panel(
        sim, "y", ["x1", "x2"], entity="id", time="year", model="re", cov="driscoll-kraay", bandwidth=1
    )
    raw = _lm("re", sim, "kernel", debiased=False, bandwidth=1, kernel="bartlett")
    n, k, T = raw.nobs, 3, sim["year"].nunique()
    np.testing.assert_allclose(
        res.std_errors.to_numpy() ** 2, np.diag(raw.cov) * T / (T - 1) * (n - 1) / (n - k), rtol=1e-8
    )
    assert res.extra["distribution"] == "normal"


def test_re_twoway_adds_period_dummies(sim):
    """RE with effects='twoway' = linearmodels RE with period dummies (coefficients 1e-10);
    the dummies are estimated but not reported."""
    res = fit_panel(
        sim, "y", ["x1", "x2"], entity="id", time="year", model="re", effects="twoway", cov="unadjusted"
    )
    p = sim.set_index(["id", "year"])
    exog = p[["x1", "x2"]].copy()
    exog.insert(0, "const", 1.0)
    dummies = pd.get_dummies(p.index.get_level_values(1), prefix="t", drop_first=True, dtype=float)
    dummies.index = p.index
    direct = RandomEffects(p["y"], pd.concat([exog, dummies], axis=1)).fit()
    np.testing.assert_allclose(
        res.params.to_numpy(), direct.params[["const", "x1", "x2"]].to_numpy(), atol=1e-10
    )
    assert list(res.params.index) == ["const", "x1", "x2"]
    assert res.extra["period_dummies"] == sim["year"].nunique() - 1


def test_lags_never_cross_gaps():
    """L.x and L2.x are x of the same entity at t-1 / t-2 by calendar year: missing when that year
    is absent, so a gap drops the row (FE on lags = FE on hand-built lags)."""
    d = simulated(30, 8, seed=5, unbalanced=True)
    by_key = d.set_index(["id", "year"])["x2"]
    lag1 = [by_key.get((i, t - 1), np.nan) for i, t in zip(d["id"], d["year"], strict=True)]
    lag2 = [by_key.get((i, t - 2), np.nan) for i, t in zip(d["id"], d["year"], strict=True)]
    hand = d.assign(l1=lag1, l2=lag2)
    a = fit_panel(d, "y", ["x1", "L.x2", "L2.x2"], entity="id", time="year", effects="entity")
    b = fit_panel(hand, "y", ["x1", "l1", "l2"], entity="id", time="year", effects="entity")
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), atol=1e-12)
    assert list(a.params.index) == ["x1", "L.x2", "L2.x2"]
    assert a.nobs == b.nobs == int(hand[["l1", "l2"]].notna().all(axis=1).sum())
    assert a.extra["n_dropped_missing"] == len(d) - a.nobs
    shifted = d.groupby("id")["x2"].shift(1)  # crosses gaps: must differ somewhere
    assert not np.allclose(np.nan_to_num(shifted), np.nan_to_num(np.asarray(lag1, dtype=float)))


# ----------------------------------------------------------------------------- bad input


def _err(d, *args, **kw) -> str:
    with pytest.raises(InputError) as info:
        fit_panel(d, *args, **kw)
    msg = str(info.value)
    assert "\n" not in msg
    return msg


def test_bad_input_messages(sim):
    """Each bad input gives a one-line InputError naming the column / rows (no pandas traceback)."""
    kw = {"entity": "id", "time": "year"}
    assert "'nope'" in _err(sim, "y", ["x1", "nope"], **kw)
    assert "missing column" in _err(sim, "y", ["x1", "nope"], **kw)

    d = sim.astype({"x2": object})
    d.loc[5, "x2"] = "n/a"
    msg = _err(d, "y", ["x1", "x2"], **kw)
    assert "'x2'" in msg and "not numeric" in msg and "5" in msg

    const = sim.assign(c=2.0)
    assert "'c'" in _err(const, "y", ["x1", "c"], model="pooled", **kw)
    assert "absorb" in _err(const, "y", ["x1", "c"], model="fe", **kw)

    tinv = sim.assign(z=sim["id"] * 0.1)
    msg = _err(tinv, "y", ["x1", "z"], model="fe", effects="entity", **kw)
    assert "'z'" in msg and "within entities" in msg

    coll = sim.assign(x3=2 * sim["x1"] - sim["x2"])
    for model in ("fe", "pooled", "re", "fd"):
        msg = _err(coll, "y", ["x1", "x2", "x3"], model=model, **kw)
        assert "collinear" in msg and "'x3'" in msg and "'x1'" in msg

    dup = pd.concat([sim, sim.iloc[[3]]], ignore_index=True)
    msg = _err(dup, "y", ["x1"], **kw)
    key = f"({sim.loc[3, 'id']}, {sim.loc[3, 'year']})"
    assert "duplicate" in msg and key in msg

    small = sim.iloc[:3]
    assert "too few" in _err(small, "y", ["x1", "x2"], model="pooled", **kw).lower()

    inf = sim.copy()
    inf.loc[7, "x1"] = np.inf
    assert "infinite" in _err(inf, "y", ["x1"], **kw) and "7" in _err(inf, "y", ["x1"], **kw)

    strtime = sim.assign(year=sim["year"].astype(str) + "q")
    assert "whole numbers" in _err(strtime, "y", ["L.x1"], **kw)

    assert "unknown model" in _err(sim, "y", ["x1"], model="gmm", **kw)
    assert "between" in _err(sim, "y", ["x1"], model="between", cov="clustered", **kw)
    assert "bandwidth" in _err(sim, "y", ["x1"], cov="driscoll-kraay", bandwidth=99, **kw)
    assert "formula" in _err(sim, "y ~ log(x1)", None, **kw)

    wp = wage_panel()
    msg = _err(wp, "lwage", ["exper", "hours"], model="fe", effects="twoway", entity="nr", time="year")
    assert "'exper'" in msg  # exper rises by one a year for everyone: absorbed by entity + year effects
