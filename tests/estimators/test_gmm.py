"""Dynamic-panel GMM against published numbers (R plm 2.6 ``pgmm`` on its EmplUK data) and identities.

References (data: data/raw/reference-panels/EmplUK.rda, plm's copy; 140 firms, 1976-1984, 1,031 rows;
n = log(emp), w = log(wage), k = log(capital), ys = log(output)):

* Arellano & Bond (1991), Table 4, column (b); the same numbers as R plm 2.6
  ``pgmm(log(emp) ~ lag(log(emp), 1:2) + lag(log(wage), 0:1) + log(capital) + lag(log(output), 0:1) |
  lag(log(emp), 2:99), effect = "twoways", model = "twosteps")``, ``summary(robust = TRUE)``
  (Windmeijer 2005, Table 2 SEs).
* Blundell & Bond (1998), Table 4, one-step system GMM; R plm 2.6
  ``pgmm(log(emp) ~ lag(log(emp), 1) + lag(log(wage), 0:1) + lag(log(capital), 0:1) | lag(log(emp), 2:99) +
  lag(log(wage), 2:99) + lag(log(capital), 2:99), effect = "twoways", model = "onestep",
  transformation = "ld")``, ``summary(robust = TRUE)`` (vcovHC).

Tolerance: 1e-5 relative, or 5e-7 absolute where the reference's last printed digit limits it (the
coefficients are printed to 6 decimals).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tfp_talent.errors import InputError
from tfp_talent.estimators.gmm import InstrumentCountWarning, fit_gmm

EMPLUK = Path(__file__).resolve().parents[2] / "data" / "raw" / "reference-panels" / "EmplUK.rda"
AB_FORMULA = "n ~ L(1:2).n + L(0:1).w + k + L(0:1).ys"
BB_FORMULA = "n ~ L.n + L(0:1).w + L(0:1).k"
BB_GMM = "L(2:99).n + L(2:99).w + L(2:99).k"


def close(expected: float) -> object:
    return pytest.approx(expected, rel=1e-5, abs=5e-7)


@pytest.fixture(scope="module")
def empl() -> pd.DataFrame:
    import pyreadr

    d = pyreadr.read_r(str(EMPLUK))["EmplUK"]
    assert d.shape == (1031, 7)
    return d.assign(n=np.log(d.emp), w=np.log(d.wage), k=np.log(d.capital), ys=np.log(d.output))


@pytest.fixture(scope="module")
def ab_b(empl):
    return fit_gmm(empl, AB_FORMULA, entity="firm", time="year", gmm={"n": (2, 99)}, model="twostep")


@pytest.fixture(scope="module")
def bb4(empl):
    return fit_gmm(
        empl, BB_FORMULA, entity="firm", time="year", gmm=BB_GMM, model="onestep", transformation="ld"
    )


def test_arellano_bond_table4_b_two_step(ab_b):
    """AB (1991) Table 4(b) / plm 2.6: coefficients, Windmeijer SEs, Sargan chi2(25), AR(1), AR(2), N = 611."""
    coef = [0.474151, -0.052967, -0.513205, 0.224640, 0.292723, 0.609775, -0.446373]
    se = [0.185398, 0.051749, 0.145565, 0.141950, 0.062627, 0.156263, 0.217302]
    names = ["L1.n", "L2.n", "w", "L1.w", "k", "ys", "L1.ys"]
    for name, b, s in zip(names, coef, se, strict=True):
        assert ab_b.params[name] == close(b), name
        assert ab_b.std_errors[name] == close(s), name
    assert ab_b.nobs == 611 and ab_b.n_groups == 140
    assert ab_b.n_instruments == 38  # 27 GMM + 5 IV + 6 time dummies
    assert ab_b.tests["sargan"].df == 25
    assert ab_b.tests["sargan"].stat == pytest.approx(30.11247, rel=1e-6)
    assert ab_b.tests["ar1"].stat == pytest.approx(-1.53845, rel=1e-5)
    assert ab_b.tests["ar2"].stat == pytest.approx(-0.2796829, rel=1e-6)
    assert list(ab_b.params.index[7:]) == [f"year={y}" for y in range(1979, 1985)]


def test_blundell_bond_table4_one_step_system(bb4):
    """BB (1998) Table 4 / plm 2.6: one-step system GMM, robust SEs, AR(1), AR(2)."""
    coef = [0.935605, -0.630976, 0.482620, 0.483930, -0.424393]
    se = [0.026295, 0.118054, 0.136887, 0.053867, 0.058479]
    for name, b, s in zip(["L1.n", "w", "L1.w", "k", "L1.k"], coef, se, strict=True):
        assert bb4.params[name] == close(b), name
        assert bb4.std_errors[name] == close(s), name
    assert bb4.tests["ar1"].stat == pytest.approx(-4.808434, rel=1e-6)
    assert bb4.tests["ar2"].stat == pytest.approx(-0.2800133, rel=1e-6)
    # 3 x 28 difference + 3 x 7 level GMM instruments + constant and 7 dummies in levels
    assert bb4.n_instruments == 113 and bb4.tests["hansen"].df == 113 - 13
    assert bb4.params.index[5] == "const"


def test_result_api_and_json(ab_b):
    """tvalues/pvalues/conf_int are consistent; to_dict() survives json (strict, no NaN)."""
    z = ab_b.params / ab_b.std_errors
    assert np.allclose(ab_b.tvalues, z)
    ci90, ci95 = ab_b.conf_int(0.90), ab_b.conf_int()
    assert (ci90["upper"] - ci90["lower"] < ci95["upper"] - ci95["lower"]).all()
    assert ci95.loc["L1.n", "lower"] == pytest.approx(0.474151 - 1.959964 * 0.185398, abs=1e-5)
    d = json.loads(json.dumps(ab_b.to_dict(), allow_nan=False))
    assert d["params"]["L1.n"] == pytest.approx(ab_b.params["L1.n"])
    assert d["n_instruments"] == 38 and d["tests"]["sargan"]["df"] == 25
    text = ab_b.summary()
    assert "Observations: 611" in text and "Instruments: 38" in text and "AR(2)" in text


def test_conventions_agree_on_difference_gmm(empl, ab_b):
    """xtabond2 convention: same difference-GMM estimates; its Sargan is the one-step non-robust statistic."""
    r = fit_gmm(
        empl,
        AB_FORMULA,
        entity="firm",
        time="year",
        gmm={"n": (2, 99)},
        model="twostep",
        convention="xtabond2",
    )
    assert np.allclose(r.params, ab_b.params, rtol=1e-10)
    assert np.allclose(r.std_errors, ab_b.std_errors, rtol=1e-10)
    assert r.tests["hansen"].stat == pytest.approx(ab_b.tests["sargan"].stat, rel=1e-10)
    assert r.tests["sargan"].stat != pytest.approx(r.tests["hansen"].stat, rel=1e-2)
    assert r.tests["ar2"].stat == pytest.approx(ab_b.tests["ar2"].stat, rel=1e-10)


def test_difference_in_hansen(empl, bb4):
    """Removing a group that leaves exactly K instruments makes the restricted J zero, so the
    difference-in-Hansen statistic equals Hansen's J (and its df the overidentification df)."""
    r = fit_gmm(
        empl,
        "n ~ L.n + w",
        entity="firm",
        time="year",
        gmm="L(2:2).n + L(2:99).w",
        iv="w",
        effects="individual",
        collapse=True,
    )
    assert r.n_instruments == 1 + 7 + 1 and r.tests["hansen"].df == 7
    dh = {t.name: t for t in r.diff_hansen}
    t = dh["diff-in-Hansen: GMM w (transformed)"]
    assert t.stat == pytest.approx(r.tests["hansen"].stat, rel=1e-8) and t.df == 7
    lev = next(t for t in bb4.diff_hansen if t.name.endswith("all GMM (levels)"))
    assert lev.df == 21 and 0 < lev.pvalue < 1


def _ar1_panel(n: int = 100, t: int = 7, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    y = np.zeros((n, t + 20))
    y[:, 0] = a / 0.5
    for s in range(1, t + 20):
        y[:, s] = 0.5 * y[:, s - 1] + a + rng.normal(size=n)
    y = y[:, 20:]
    return pd.DataFrame({"id": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n), "y": y.ravel()})


@pytest.mark.parametrize("model", ["onestep", "twostep"])
def test_orthogonal_deviations_equal_differences(model):
    """Arellano & Bover (1995): with all lags as GMM instruments (balanced panel), differences with H = G
    and orthogonal deviations with H = I give the same estimator (one- and two-step)."""
    d = _ar1_panel()
    kw = {"entity": "id", "time": "t", "gmm": {"y": (2, 99)}, "effects": "individual", "model": model}
    fd, fod = fit_gmm(d, "y ~ L.y", **kw), fit_gmm(d, "y ~ L.y", fod=True, **kw)
    assert fod.params["L1.y"] == pytest.approx(fd.params["L1.y"], rel=1e-10)
    assert fod.std_errors["L1.y"] == pytest.approx(fd.std_errors["L1.y"], rel=1e-8)
    assert fod.nobs == fd.nobs == 500


def test_row_order_and_entity_labels_do_not_matter(empl, ab_b):
    shuffled = empl.sample(frac=1.0, random_state=3).assign(
        firm=lambda f: "f" + (1000 - f.firm).astype(int).astype(str)
    )
    r = fit_gmm(shuffled, AB_FORMULA, entity="firm", time="year", gmm={"n": (2, 99)}, model="twostep")
    assert np.allclose(r.params, ab_b.params, rtol=1e-10)


def test_collapse_and_dict_interface(empl):
    """The dict interface equals the formula; collapsing cuts the GMM instruments to one per lag."""
    a = fit_gmm(empl, AB_FORMULA, entity="firm", time="year", gmm={"n": (2, 99)}, collapse=True)
    b = fit_gmm(
        empl,
        entity="firm",
        time="year",
        y="n",
        lags_y=[1, 2],
        x={"w": [0, 1], "k": [0], "ys": [0, 1]},
        gmm="L(2:99).n",
        collapse=True,
    )
    assert np.allclose(a.params, b.params, rtol=1e-12)
    assert a.n_instruments == 7 + 5 + 6  # lags 2..8 of n, collapsed


def test_instrument_count_warning(empl):
    few = empl[empl.firm <= 40]
    with pytest.warns(InstrumentCountWarning, match="exceed the 40 groups"):
        r = fit_gmm(few, BB_FORMULA, entity="firm", time="year", gmm=BB_GMM, transformation="ld")
    assert r.n_instruments > r.n_groups == 40
    assert any("instruments exceed" in w for w in r.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_gmm(few, BB_FORMULA, entity="firm", time="year", gmm=BB_GMM, transformation="ld", collapse=True)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"formula": "n ~ L.n + nope"}, "'nope'"),
        ({"formula": "n ~ L(1:9).n"}, "too few periods"),
        (
            {"formula": "n ~ L(1:2).n + w + k", "gmm": "L(2:2).n", "iv": {}, "collapse": True},
            "do not identify",
        ),
        ({"formula": "n ~ L.n", "model": "threestep"}, "model must be"),
        ({"formula": "n ~ L.n", "transformation": "x"}, "transformation must be"),
    ],
)
def test_bad_input(empl, kwargs, needle):
    args = {"entity": "firm", "time": "year", "gmm": {"n": (2, 99)}, "effects": "individual", **kwargs}
    with pytest.raises(InputError, match=needle) as err:
        fit_gmm(empl, **args)
    assert "\n" not in str(err.value)


def test_duplicate_keys(empl):
    dup = pd.concat([empl, empl.iloc[[5]]])
    with pytest.raises(InputError, match="duplicate keys") as err:
        fit_gmm(dup, AB_FORMULA, entity="firm", time="year", gmm={"n": (2, 99)}, file="empl.csv")
    assert "empl.csv" in str(err.value) and "(1, 1982)" in str(err.value).replace(".0", "")


def test_xtabond2_two_step_system_roodman_example(empl):
    """xtabond2 convention against Stata xtabond2's output for Roodman's (2009, §5) system-GMM example on
    the same data (abdata = EmplUK), as posted at https://m.pinggu.org/bbs/thread-877779-1-1.html:
    ``xtabond2 n l(1/2).n l(0/1).w l(0/2).(k ys) yr1980-yr1984, gmm(l.n w k) iv(yr1980-yr1984) robust
    twostep small`` - 120 instruments, 751 level observations, coefficients printed to 7 decimals, checked
    to 1e-5 relative (largest gap 7.6e-6 on L1.ys: S is near-singular, eigenvalue ratio 3e-10). Its ``small`` SEs equal ours times √((n−1)/(n−k) · G/(G−1)) (xtabond2.mata), n = 751,
    k = 16, G = 140, up to 3e-5 relative (a residual we do not explain; tolerance 5e-5)."""
    d = empl.assign(**{f"yr{y}": (empl.year == y).astype(float) for y in range(1980, 1985)})
    yr = " + ".join(f"yr{y}" for y in range(1980, 1985))
    r = fit_gmm(
        d,
        "n ~ L(1:2).n + L(0:1).w + L(0:2).k + L(0:2).ys + " + yr,
        entity="firm",
        time="year",
        gmm="L(2:99).n + L(1:99).w + L(1:99).k",
        iv=yr,
        effects="individual",
        transformation="ld",
        model="twostep",
        convention="xtabond2",
    )
    coef = [
        0.9847708,
        -0.0444599,
        -0.5015799,
        0.4045313,
        0.3234514,
        -0.1550519,
        -0.1195921,
        0.6120864,
        -0.4190762,
        -0.2492855,
        0.0256293,
        0.0157888,
        0.0136977,
        0.0078038,
        -0.0194111,
        0.6392791,
    ]
    se = [
        0.0591053,
        0.0532234,
        0.2033974,
        0.1670457,
        0.0525199,
        0.0667629,
        0.041634,
        0.2343692,
        0.3208354,
        0.2154591,
        0.0170605,
        0.0339909,
        0.0330476,
        0.0345048,
        0.0331093,
        1.000564,
    ]
    assert list(r.params.index[-6:]) == [*yr.split(" + "), "const"]
    assert r.n_instruments == 120 and r.nobs_levels == 751 and r.n_groups == 140
    assert r.params.to_numpy() == pytest.approx(coef, rel=1e-5, abs=1e-6)
    small = np.sqrt((751 - 1) / (751 - 16) * 140 / 139)
    assert (r.std_errors.to_numpy() * small) == pytest.approx(se, rel=5e-5)


def test_gaps_orthogonal_deviations_keep_more_rows(empl):
    """With interior gaps, first differences lose the rows next to a gap, forward orthogonal deviations do
    not (Arellano & Bover 1995; Roodman 2009, §3.2); lags never bridge a gap. Without gaps both keep 611."""
    rng = np.random.default_rng(0)
    gappy = empl.drop(empl.index[rng.choice(len(empl), 60, replace=False)])
    kw = {"entity": "firm", "time": "year", "gmm": {"n": (2, 99)}}
    fd, fod = fit_gmm(gappy, AB_FORMULA, **kw), fit_gmm(gappy, AB_FORMULA, fod=True, **kw)
    assert fod.nobs > fd.nobs
    assert fit_gmm(empl, AB_FORMULA, fod=True, **kw).nobs == 611
    sys_ = fit_gmm(gappy, AB_FORMULA, transformation="ld", fod=True, collapse=True, **kw)
    assert np.isfinite(sys_.params).all() and np.isfinite(sys_.tests["ar2"].stat)


def test_instrument_equations(empl, bb4):
    """gmm_equation / iv_equation select the equations an instrument group serves (xtabond2 equation())."""
    kw = {"entity": "firm", "time": "year", "gmm": BB_GMM, "model": "onestep", "transformation": "ld"}
    diff_only = fit_gmm(empl, BB_FORMULA, gmm_equation="diff", **kw)
    assert diff_only.n_instruments == bb4.n_instruments - 21
    assert all("levels" not in n for n in diff_only.instrument_names if not n.startswith(("const", "year")))
    lev = fit_gmm(
        empl,
        "n ~ L.n + w",
        entity="firm",
        time="year",
        gmm="L(2:99).n",
        transformation="ld",
        iv_equation="level",
    )
    assert [n for n in lev.instrument_names if n.startswith("w")] == ["w"]
    with pytest.raises(InputError, match="iv_equation must be one of both, diff in difference GMM"):
        fit_gmm(empl, AB_FORMULA, entity="firm", time="year", gmm={"n": (2, 99)}, iv_equation="level")
