"""The formula interface (issue 11, deliverable 1) and category codes (defect 2).

References: the keyword API on the same data (identical estimates, atol 1e-12), pyfixest 0.60
``feols`` called with the same formula (coefficients atol 1e-8, CRV1 SEs rtol 1e-8), dummies built
by hand with pandas, and lags written out by hand from the calendar.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from _panelsim import simulated

from tfp_talent.cli import main
from tfp_talent.errors import InputError
from tfp_talent.estimators.iv import fit_iv
from tfp_talent.estimators.panel import fit_panel

KW = {"entity": "id", "time": "year"}


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    d = simulated(60, 9, seed=21, unbalanced=True)
    rng = np.random.default_rng(4)
    d["x3"] = np.exp(rng.normal(size=len(d)))
    d["g"] = rng.choice(["a", "b", "c"], size=len(d))
    d["y"] = d["y"] + 0.4 * (d["g"] == "b") - 0.2 * (d["g"] == "c") + 0.3 * np.log(d["x3"])
    return d


def _same(a, b, atol: float = 1e-12) -> None:
    assert list(a.params.index) == list(b.params.index)
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=0, atol=atol)
    np.testing.assert_allclose(a.std_errors.to_numpy(), b.std_errors.to_numpy(), rtol=0, atol=atol)
    assert a.nobs == b.nobs


def test_formula_equals_keyword_api(sim):
    """'y ~ x1 + x2 | id + year' = fit_panel(df, 'y', [...], effects='twoway'); both argument orders."""
    kw = fit_panel(sim, "y", ["x1", "x2"], **KW, effects="twoway", cov="clustered")
    _same(fit_panel("y ~ x1 + x2 | id + year", sim, vcov={"CRV1": "id"}), kw)
    _same(fit_panel(sim, "y ~ x1 + x2 | id + year", vcov="CRV1"), kw)
    one = fit_panel(sim, "y", ["x1", "x2"], **KW, effects="entity")
    _same(fit_panel("y ~ x1 + x2 | id", sim, **KW), one)
    per = fit_panel(sim, "y", ["x1", "x2"], **KW, effects="time")
    _same(fit_panel("y ~ x1 + x2 | year", sim, **KW), per)
    # no '|' part: model and effects come from the keywords, as before
    _same(
        fit_panel("y ~ x1 + x2", sim, **KW, model="pooled"),
        fit_panel(sim, "y", ["x1", "x2"], **KW, model="pooled"),
    )


def test_lags_by_calendar_period(sim):
    """L(x, k), Lk.x and L.x are x_{i,t-k} by calendar year within entity; never across a gap."""
    a = fit_panel("y ~ x1 + L(x2, 2) + L(x1) | id + year", sim)
    b = fit_panel(sim, "y", ["x1", "L2.x2", "L.x1"], **KW)
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), atol=1e-12)
    assert list(a.params.index) == ["x1", "L2.x2", "L1.x1"]
    # by hand: the row of (i, t-2) exists; a 15 % random drop leaves gaps, which give no lag
    keys = set(zip(sim["id"], sim["year"], strict=True))
    has = [((i, t - 2) in keys) and ((i, t - 1) in keys) for i, t in zip(sim["id"], sim["year"], strict=True)]
    assert a.nobs == sum(has)
    manual = sim.merge(
        sim[["id", "year", "x2"]].assign(year=sim["year"] + 2).rename(columns={"x2": "lag2"}),
        on=["id", "year"],
    ).merge(
        sim[["id", "year", "x1"]].assign(year=sim["year"] + 1).rename(columns={"x1": "lag1"}),
        on=["id", "year"],
    )
    c = fit_panel(manual, "y", ["x1", "lag2", "lag1"], **KW)
    np.testing.assert_allclose(a.params.to_numpy(), c.params.to_numpy(), atol=1e-12)


def test_c_dummies_and_log_transform(sim):
    """C(g) gives L-1 treatment dummies (first level dropped) named C(g)[T.level]; log(x3) = np.log."""
    res = fit_panel("y ~ x1 + C(g) + log(x3) | id + year", sim)
    assert list(res.params.index) == ["x1", "C(g)[T.b]", "C(g)[T.c]", "log(x3)"]
    d = sim.assign(
        gb=(sim["g"] == "b").astype(float), gc=(sim["g"] == "c").astype(float), lx3=np.log(sim["x3"])
    )
    ref = fit_panel(d, "y", ["x1", "gb", "gc", "lx3"], **KW)
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(res.std_errors.to_numpy(), ref.std_errors.to_numpy(), atol=1e-12)
    assert abs(res.params["C(g)[T.b]"] - 0.4) < 4 * res.std_errors["C(g)[T.b]"]  # the simulated truth
    # interactions expand as formulaic does: x1*x2 -> x1, x2, x1:x2
    inter = fit_panel("y ~ x1*x2 | id + year", sim)
    assert list(inter.params.index) == ["x1", "x2", "x1:x2"]
    # a transformation that is not finite where its input is: an error naming the rows, not a silent drop
    neg = sim.assign(x3=sim["x3"] - 2.0)
    with pytest.raises(InputError, match=r"formula term 'log\(x3\)'"):
        fit_panel("y ~ x1 + log(x3) | id + year", neg)


def test_same_as_pyfixest_feols(sim):
    """pyfixest 0.60 feols with the same formula: coefficients atol 1e-8, CRV1 SEs rtol 1e-8.

    One absorbed effect plus C(year) dummies (pyfixest's default ssc = our 'stata' convention, as in
    test_panel_fe); two-way absorbed with ssc(k_fixef='full') = our 'areg' convention.
    """
    import pyfixest as pf

    fml = "y ~ x1 + x2 + C(g) + log(x3) + C(year) | id"
    ours = fit_panel(fml, sim, vcov={"CRV1": "id"}, **KW)
    m = pf.feols(fml, data=sim, vcov={"CRV1": "id"}, fixef_rm="none")
    assert list(ours.params.index) == list(m.coef().index)
    np.testing.assert_allclose(ours.params.to_numpy(), m.coef().to_numpy(), atol=1e-8)
    np.testing.assert_allclose(ours.std_errors.to_numpy(), m.se().to_numpy(), rtol=1e-8)

    fml2 = "y ~ x1 + x2 + C(g) | id + year"
    ours2 = fit_panel(fml2, sim, vcov={"CRV1": "id"}, convention="areg")
    m2 = pf.feols(fml2, data=sim, vcov={"CRV1": "id"}, fixef_rm="none", ssc=pf.ssc(k_fixef="full"))
    np.testing.assert_allclose(ours2.params.to_numpy(), m2.coef().to_numpy(), atol=1e-8)
    np.testing.assert_allclose(ours2.std_errors.to_numpy(), m2.se().to_numpy(), rtol=1e-8)


def test_vcov_aliases(sim):
    """pyfixest's vcov names map to the package's cov/cluster (the table in inference.py)."""
    pairs = [
        ("iid", {"cov": "unadjusted"}),
        ("hetero", {"cov": "robust"}),
        ("HC1", {"cov": "robust"}),
        ({"CRV1": "year"}, {"cov": "clustered", "cluster": "time"}),
        ({"CRV1": "id+year"}, {"cov": "clustered", "cluster": "both"}),
        ("DK", {"cov": "driscoll-kraay"}),
    ]
    for vcov, kw in pairs:
        _same(
            fit_panel("y ~ x1 + x2 | id + year", sim, vcov=vcov),
            fit_panel(sim, "y", ["x1", "x2"], **KW, **kw),
        )
    with pytest.raises(InputError, match="unknown vcov"):
        fit_panel("y ~ x1 | id + year", sim, vcov="CRV3")
    with pytest.raises(InputError, match="cluster only by"):
        fit_panel("y ~ x1 | id + year", sim, vcov={"CRV1": "g"})


def test_multiindex_input(sim):
    """A (entity, time) MultiIndex replaces entity=/time=, as linearmodels takes it."""
    mi = sim.set_index(["id", "year"])
    flat = fit_panel(sim, "y", ["x1", "x2"], **KW, effects="entity")
    by_mi = fit_panel("y ~ x1 + x2 | id", mi)
    _same(by_mi, flat)
    assert by_mi.resid.index.equals(mi.index)  # results keep the user's (entity, time) index
    _same(fit_panel(mi, "y", ["x1", "x2"], effects="entity"), flat)
    _same(fit_panel(mi, "y ~ L.x1 + x2"), fit_panel(sim, "y", ["L.x1", "x2"], **KW))


def test_iv_formula_equals_keyword_fit_iv(sim):
    """'y ~ x1 | id + year | x2 ~ L.x2 + L2.x2' = fit_iv(df, 'y', ['x1'], ['x2'], [...])."""
    kw = fit_iv(sim, "y", ["x1"], ["x2"], ["L.x2", "L2.x2"], **KW, cov="clustered")
    _same(fit_iv("y ~ x1 | id + year | x2 ~ L.x2 + L2.x2", sim, vcov={"CRV1": "id"}), kw)
    _same(fit_iv(sim, "y ~ x1 | id + year | x2 ~ L(x2, 1) + L(x2, 2)"), kw)
    no_exog = fit_iv(sim, "y", None, ["x2"], ["L.x2"], **KW, effects="entity")
    _same(fit_iv("y ~ 1 | id | x2 ~ L.x2", sim, **KW), no_exog)
    with pytest.raises(InputError, match="fit_iv"):
        fit_panel("y ~ x1 | id + year | x2 ~ L.x2", sim)


def test_formula_errors(sim):
    for fml, pattern in [
        ("y ~ x1 | id + g", "fixed effects can be"),
        ("y ~ x1 | id | year | x", "at most three parts"),
        ("y ~ ", "at least one regressor"),
        ("y ~ x1 + nope", "nope"),
        ("y ~ L(log(x1), 2) | id + year", "lag is written"),
        ("y ~ x1 + log(x3 | id + year", "unbalanced brackets"),
    ]:
        with pytest.raises(InputError, match=pattern):
            fit_panel(fml, sim, **KW)
    with pytest.raises(InputError, match="model 'fe'"):
        fit_panel("y ~ x1 | id + year", sim, model="pooled")
    with pytest.raises(InputError, match="entity= and time="):
        fit_panel("y ~ x1 | id", sim)


# ------------------------------------------------------------------ defect 2: category codes


def test_numeric_text_codes_are_refused_not_a_slope(sim):
    """Defect 2: text codes '1'..'9' used to be read as one numeric slope. Now a one-line InputError
    names the column; C(code) gives the dummies; converting to numbers gives the slope."""
    d = sim.assign(
        code=(sim["id"] % 9 + 1).astype(str), xc=np.random.default_rng(3).integers(1, 10, len(sim))
    )
    d["code"] = d["xc"].astype(str)
    with pytest.raises(InputError) as err:
        fit_panel(d, "y", ["x1", "code"], **KW)
    msg = str(err.value)
    assert "'code'" in msg and "text" in msg and "C(x)" in msg and "\n" not in msg
    dummies = fit_panel("y ~ x1 + C(code) | id + year", d)
    assert [n for n in dummies.params.index if n.startswith("C(code)")] == [
        f"C(code)[T.{k}]" for k in range(2, 10)
    ]
    slope = fit_panel(d.assign(code=pd.to_numeric(d["code"])), "y", ["x1", "code"], **KW)
    np.testing.assert_allclose(
        slope.params.to_numpy(), fit_panel(d, "y", ["x1", "xc"], **KW).params.to_numpy()
    )
    # numbers in an object column (not text) stay numbers
    boxed = fit_panel(d.assign(code=d["xc"].astype(float).astype(object)), "y", ["x1", "code"], **KW)
    np.testing.assert_allclose(boxed.params.to_numpy(), slope.params.to_numpy())


def test_declared_categorical_becomes_dummies(sim):
    """Defect 2: a pandas category column with number-like categories used to be one slope; now
    dummies (first level dropped, named x[T.level]) equal to hand-made 0/1 columns (atol 1e-12)."""
    codes = np.random.default_rng(5).integers(1, 5, len(sim))
    d = sim.assign(sector=pd.Categorical(codes))
    res = fit_panel(d, "y", ["x1", "sector"], **KW)
    assert list(res.params.index) == ["x1", "sector[T.2]", "sector[T.3]", "sector[T.4]"]
    hand = sim.assign(**{f"s{k}": (codes == k).astype(float) for k in (2, 3, 4)})
    ref = fit_panel(hand, "y", ["x1", "s2", "s3", "s4"], **KW)
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(res.std_errors.to_numpy(), ref.std_errors.to_numpy(), atol=1e-12)
    with pytest.raises(InputError, match="categorical"):
        fit_panel(d, "y", ["x1", "L.sector"], **KW)


# ------------------------------------------------------------------ CLI --formula


def test_cli_formula(sim, tmp_path):
    """`--formula` gives the JSON of the keyword call (panel and iv); a bad formula exits 2, one line."""
    path = tmp_path / "p.csv"
    sim.to_csv(path, index=False)
    out = tmp_path / "fe.json"
    assert (
        main(
            [
                "panel",
                "--data",
                str(path),
                "--formula",
                "y ~ x1 + C(g) + L(x2, 1) | id + year",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    ref = fit_panel("y ~ x1 + C(g) + L(x2, 1) | id + year", pd.read_csv(path))
    got = json.loads(out.read_text())
    assert got["params"] == pytest.approx(ref.to_dict()["params"], rel=1e-12)
    assert got["effects"] == "twoway"

    out_iv = tmp_path / "iv.json"
    args = [
        "iv",
        "--data",
        str(path),
        "--formula",
        "y ~ x1 | id + year | x2 ~ L.x2 + L2.x2",
        "--out",
        str(out_iv),
    ]
    assert main(args) == 0
    ref_iv = fit_iv(pd.read_csv(path), "y", ["x1"], ["x2"], ["L.x2", "L2.x2"], **KW)
    assert json.loads(out_iv.read_text())["params"] == pytest.approx(ref_iv.to_dict()["params"], rel=1e-12)


def test_cli_bad_formula_exits_2_one_line(sim, tmp_path, capsys):
    path = tmp_path / "p.csv"
    sim.to_csv(path, index=False)
    out = tmp_path / "bad.json"
    rc = main(["panel", "--data", str(path), "--formula", "y ~ x1 | id + region", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert err.startswith("error: ") and err.count("\n") == 1 and "'region'" in err
    rc = main(
        ["panel", "--data", str(path), "--formula", "y ~ x1 | id + year", "--y", "y", "--out", str(out)]
    )
    assert rc == 2 and "--formula replaces --y" in capsys.readouterr().err
