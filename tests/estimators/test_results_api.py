"""PanelResult as linearmodels/pyfixest results (issue 11, deliverable 2) and etable.

References: scipy's t quantiles for the intervals (atol 1e-12), pyfixest 0.60 ``predict``/``resid``
of ``feols`` with the absorbed effects (atol 1e-8), the identity fitted + resid = y, and the
JSON keys of ``to_dict`` as the workflow writes them (unchanged).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from _panelsim import simulated
from scipy import stats

from tfp_talent.errors import InputError
from tfp_talent.estimators.etable import etable
from tfp_talent.estimators.iv import fit_iv
from tfp_talent.estimators.panel import fit_panel

KW = {"entity": "id", "time": "year"}
TO_DICT_KEYS = [
    "model", "effects", "cov_type", "cluster", "bandwidth", "convention", "engine", "depvar", "regressors",
    "params", "std_errors", "tstats", "pvalues", "conf_int", "level", "cov", "nobs", "n_entities", "n_periods",
    "rsquared", "rsquared_within", "f_stat", "f_pvalue", "df_resid", "df_inference", "extra",
]  # fmt: skip


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    d = simulated(50, 8, seed=33, unbalanced=True)
    return d.set_axis(np.arange(1000, 1000 + len(d)))  # row labels that are not positions


@pytest.fixture(scope="module")
def fe(sim):
    return fit_panel("y ~ x1 + x2 | id + year", sim, vcov={"CRV1": "id"})


def test_summary_has_sample_fit_and_inference(fe):
    text = fe.summary()
    for needed in ("Observations (N)", f"{fe.nobs:,}", "Id groups", "Year periods", "R² within", "R²",
                   "clustered by entity", "Convention:", "stata", f"t({fe.df_inference:g})", "F(2, ", "x1", "x2"):  # fmt: skip
        assert needed in text, needed
    assert f"{fe.rsquared_within:.4f}" in text and f"{fe.params['x1']:.4f}" in text


def test_conf_int_levels(fe):
    """conf_int(0.90) = b ± t_{0.95}(df)·se and is inside the 95 % interval; the attribute still indexes."""
    ci90, ci95 = fe.conf_int(0.90), fe.conf_int(0.95)
    crit = stats.t.ppf(0.95, fe.df_inference)
    np.testing.assert_allclose(ci90["lower"], fe.params - crit * fe.std_errors, atol=1e-12)
    np.testing.assert_allclose(ci90["upper"], fe.params + crit * fe.std_errors, atol=1e-12)
    assert ((ci90["lower"] > ci95["lower"]) & (ci90["upper"] < ci95["upper"])).all()
    np.testing.assert_allclose(ci95.to_numpy(), fe.conf_int[["lower", "upper"]].to_numpy(), atol=1e-12)
    assert fe.conf_int.loc["x1", "lower"] == ci95.loc["x1", "lower"]
    with pytest.raises(InputError):
        fe.conf_int(1.5)


def test_aliases(fe):
    assert fe.bse is fe.std_errors and fe.tvalues is fe.tstats and fe.vcov is fe.cov
    assert fe.pvalues["x1"] == pytest.approx(2 * stats.t.sf(abs(fe.tstats["x1"]), fe.df_inference), rel=1e-12)
    frame = fe.to_frame()
    assert list(frame.columns) == ["coef", "std_err", "t", "p", "ci_lower", "ci_upper"]


def test_fitted_resid_predict_match_lsdv_and_pyfixest(sim, fe):
    """FE fitted values include the estimated effects: equal the LSDV regression with entity and
    year dummies (statsmodels OLS; atol 1e-10) and pyfixest's predict()/resid() (atol 1e-6: pyfixest
    recovers its effects with fixef_tol 1e-8); resid = y - fitted; predict on the sample = fitted."""
    import pyfixest as pf
    import statsmodels.api as sm

    flat = sim.reset_index(drop=True)
    dummies = [
        pd.get_dummies(flat["id"], prefix="e", dtype=float),
        pd.get_dummies(flat["year"], prefix="t", drop_first=True, dtype=float),
    ]
    lsdv = sm.OLS(flat["y"], pd.concat([flat[["x1", "x2"]], *dummies], axis=1)).fit()
    np.testing.assert_allclose(fe.fitted.to_numpy(), lsdv.fittedvalues.to_numpy(), atol=1e-10)
    np.testing.assert_allclose(fe.resid.to_numpy(), lsdv.resid.to_numpy(), atol=1e-10)
    m = pf.feols("y ~ x1 + x2 | id + year", data=flat, vcov={"CRV1": "id"})
    np.testing.assert_allclose(fe.fitted.to_numpy(), np.asarray(m.predict()), atol=1e-6)
    np.testing.assert_allclose(fe.resid.to_numpy(), np.asarray(m.resid()), atol=1e-6)
    np.testing.assert_allclose((fe.fitted + fe.resid).to_numpy(), sim["y"].to_numpy(), atol=1e-12)
    assert fe.resid.index.equals(sim.index)
    pd.testing.assert_series_equal(fe.predict(sim), fe.fitted, check_names=False, atol=1e-10, rtol=0)


@pytest.mark.parametrize("formula", ["y ~ x1 + L.x2 | id", "y ~ x1 + x2 | year"])
def test_predict_equals_fitted_one_way_and_lags(sim, formula):
    res = fit_panel(formula, sim, **KW)
    pred = res.predict(sim)
    assert pred.isna().sum() == len(sim) - res.nobs  # rows without a lag have no prediction
    np.testing.assert_allclose(pred.dropna().to_numpy(), res.fitted.to_numpy(), atol=1e-10)


def test_predict_new_rows(sim, fe):
    """New rows: x'b + α_i + λ_t of known entity/period; NaN for an unseen entity."""
    new = sim.iloc[:3].copy()
    new["x1"] += 1.0
    base = fe.predict(sim.iloc[:3])
    np.testing.assert_allclose((fe.predict(new) - base).to_numpy(), np.full(3, fe.params["x1"]), atol=1e-10)
    stranger = new.assign(id=-99)
    assert fe.predict(stranger).isna().all()


def test_predict_rebuilds_formula_terms(sim):
    """predict rebuilds C(g) with the estimation sample's levels: an unseen level gives NaN, not the base."""
    d = sim.assign(g=np.where(sim["x2"] > 0, "up", "down"))
    res = fit_panel("y ~ x1 + C(g) | id + year", d)
    pd.testing.assert_series_equal(res.predict(d), res.fitted, check_names=False, atol=1e-10, rtol=0)
    new = d.iloc[:3].copy()
    new.iloc[0, new.columns.get_loc("g")] = "sideways"
    pred = res.predict(new)
    assert np.isnan(pred.iloc[0]) and np.allclose(pred.iloc[1:], res.fitted.iloc[1:3], atol=1e-10)


def test_pooled_re_and_iv_fitted(sim):
    pooled = fit_panel(sim, "y", ["x1", "x2"], **KW, model="pooled")
    np.testing.assert_allclose(pooled.predict(sim).to_numpy(), pooled.fitted.to_numpy(), atol=1e-12)
    import statsmodels.api as sm

    ols = sm.OLS(sim["y"], sm.add_constant(sim[["x1", "x2"]])).fit()
    np.testing.assert_allclose(pooled.resid.to_numpy(), ols.resid.to_numpy(), atol=1e-10)
    re = fit_panel(sim, "y", ["x1", "x2"], **KW, model="re")
    xb = re.params["const"] + sim[["x1", "x2"]].to_numpy() @ re.params[["x1", "x2"]].to_numpy()
    np.testing.assert_allclose(re.fitted.to_numpy(), xb, atol=1e-12)
    iv = fit_iv("y ~ x1 | id + year | x2 ~ L.x2", sim)
    # prediction needs the regressors only, not the instruments: more rows than the IV sample
    pred = iv.predict(sim)
    assert pred.notna().sum() > iv.nobs
    np.testing.assert_allclose(pred.loc[iv.fitted.index].to_numpy(), iv.fitted.to_numpy(), atol=1e-10)
    fd = fit_panel(sim, "y", ["x1"], **KW, model="fd")
    with pytest.raises(InputError, match="not available for model 'fd'"):
        _ = fd.resid


def test_input_error_is_value_error():
    assert issubclass(InputError, ValueError)
    with pytest.raises(ValueError):
        fit_panel("y ~ x1", pd.DataFrame({"y": [1.0], "x1": [2.0]}))


def test_to_dict_unchanged(fe):
    """The JSON of the workflow keeps exactly its keys; the new methods add none."""
    out = fe.to_dict()
    assert list(out) == TO_DICT_KEYS
    json.dumps(out)
    assert out["conf_int"]["x1"] == [
        float(fe.conf_int.loc["x1", "lower"]),
        float(fe.conf_int.loc["x1", "upper"]),
    ]


def test_etable_three_formats(sim, fe):
    firms = sim.rename(columns={"id": "firm"})
    one = fit_panel("y ~ x1 | firm + year", firms)
    two = fit_panel("y ~ x1 + x2 | firm + year", firms, vcov="hetero")
    md = etable([one, two])
    assert "Firm fixed effects" in md and "Firms" in md and "Year fixed effects" in md
    assert f"{two.params['x2']:.3f}" in md and "Clustered by firm" in md
    tex = etable([one, two], type="tex")
    assert "\\toprule" in tex and "Firm fixed effects" in tex
    html = etable([one, two], type="html", column_labels=["short", "long"])
    assert "<table" in html and "long" in html
    with pytest.raises(InputError, match="unknown table type"):
        etable([one], type="xlsx")


def test_units_of_plural_forms():
    """Row labels of summary(): 'Entities' and 'Countries', not 'Entitys' / 'Countrys'."""
    from types import SimpleNamespace

    from tfp_talent.estimators.etable import units_of

    assert units_of(SimpleNamespace(extra={})) == ("Entity", "Entities", "Period")
    assert units_of(SimpleNamespace(extra={"entity": "country", "time": "year"})) == (
        "Country",
        "Countries",
        "Year",
    )
    assert units_of(SimpleNamespace(extra={"entity": "firm_id"}))[1] == "Firm ids"
    assert units_of(SimpleNamespace(extra={"entity": "provinces"}))[1] == "Provinces"
