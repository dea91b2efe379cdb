"""Spatial panels on Munnell's Produc data against R splm 1.6-5 and spreg 1.9.0.

Reference: splm 1.6-5, ``spml(log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp, data = Produc,
listw = mat2listw(usaww), model = "within", effect = ..., lag = ..., spatial.error = ..., LeeYu = TRUE)``
and ``impacts(fit, listw = mat2listw(usaww), time = 17)``, printed to 7 (coefficients, SEs) and 8
(effects) decimals; spreg 1.9.0 ``Panel_FE_Lag`` / ``Panel_FE_Error`` (one-way, no df
correction). Tolerances: coefficients 1e-6 relative, SEs 1e-4 relative, effects 1e-6 relative, each
widened to the rounding of the printed value (5e-8 absolute) where that is larger (e.g. unemp, -0.0044816).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tfp_talent.estimators.spatial import fit_spatial_panel

RAW = Path(__file__).resolve().parents[2] / "data" / "raw" / "reference-panels"
X = ["lpcap", "lpc", "lemp", "unemp"]
PRINTED = 5e-8  # half a unit of the 7th decimal splm printed


def load_produc() -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Produc with logged columns, and usaww with its state ids (row names)."""
    import pyreadr
    import rdata

    d = pyreadr.read_r(str(RAW / "Produc.rda"))["Produc"]
    d = d.assign(
        state=d["state"].astype(str),
        lgsp=np.log(d["gsp"]),
        lpcap=np.log(d["pcap"]),
        lpc=np.log(d["pc"]),
        lemp=np.log(d["emp"]),
    ).reset_index(drop=True)
    with pytest.warns(UserWarning):  # rdata: "Unknown encoding. Assumed ASCII."
        arr = rdata.read_rda(str(RAW / "usaww.rda"))["usaww"]
    ids = [str(v) for v in arr.coords[arr.dims[0]].values]
    return d, np.asarray(arr, dtype=float), ids


@pytest.fixture(scope="module")
def produc():
    return load_produc()


def _fit(produc, **kw):
    d, w, ids = produc
    return fit_spatial_panel(d, "lgsp", X, entity="state", time="year", w=w, w_ids=ids, **kw)


def _check(res, coef: dict[str, tuple[float, float]]) -> None:
    for name, (b, se) in coef.items():
        assert res.params[name] == pytest.approx(b, rel=1e-6, abs=PRINTED), name
        assert res.std_errors[name] == pytest.approx(se, rel=1e-4, abs=PRINTED), name


SAR_IND = {
    "lambda": (0.2746887, 0.0242402),
    "lpcap": (-0.0465819, 0.0262255),
    "lpc": (0.1874325, 0.0237534),
    "lemp": (0.6250902, 0.0306186),
    "unemp": (-0.0044816, 0.0008919),
}
SAR_TW = {
    "lambda": (0.1966461, 0.0266972),
    "lpcap": (-0.0348614, 0.0240813),
    "lpc": (0.1591269, 0.0247343),
    "lemp": (0.6879387, 0.0278133),
    "unemp": (-0.0034727, 0.0010197),
}
SEM_TW = {
    "rho": (0.3908133, 0.0411370),
    "lpcap": (-0.0133704, 0.0240462),
    "lpc": (0.1558022, 0.0247636),
    "lemp": (0.7588447, 0.0270044),
    "unemp": (-0.0030115, 0.0011193),
}


def test_sar_individual_matches_splm(produc):
    _check(_fit(produc, model="sar", effects="individual", draws=0), SAR_IND)


def test_sar_twoways_matches_splm_with_effects(produc):
    res = _fit(produc, model="sar", effects="twoways", draws=200, seed=3)
    _check(res, SAR_TW)
    emp = res.effects_table["lemp"]
    assert emp["direct"]["estimate"] == pytest.approx(0.69462169, rel=1e-6)
    assert emp["indirect"]["estimate"] == pytest.approx(0.16171162, rel=1e-6)
    assert emp["total"]["estimate"] == pytest.approx(0.85633331, rel=1e-6)


def test_sem_twoways_matches_splm(produc):
    _check(_fit(produc, model="sem", effects="twoways", draws=0), SEM_TW)


def test_sar_individual_spreg_convention_matches_spreg_ses(produc):
    """spreg 1.9.0 Panel_FE_Lag SEs (no df correction), recorded in issue 12."""
    spreg_se = [0.0235164, 0.0254425, 0.0230442, 0.0297044, 0.0008653]
    res = _fit(produc, model="sar", effects="individual", convention="spreg", draws=0)
    for name, se in zip(["lambda", *X], spreg_se, strict=True):
        assert res.std_errors[name] == pytest.approx(se, rel=1e-4, abs=PRINTED), name
        assert res.params[name] == pytest.approx(SAR_IND[name][0], rel=1e-6, abs=PRINTED)


def _spreg_inputs(produc):
    import libpysal

    d, w, ids = produc
    d = d.sort_values(["year", "state"])
    order = [ids.index(s) for s in sorted(ids)]
    ws = w[np.ix_(order, order)]
    wobj = libpysal.weights.full2W(ws, ids=sorted(ids))
    return d["lgsp"].to_numpy()[:, None], d[X].to_numpy(), wobj


@pytest.mark.filterwarnings("ignore")
def test_one_way_coefficients_equal_spreg(produc):
    """spreg's Panel_FE_Lag / Panel_FE_Error (live, epsilon 1e-10) give the same one-way estimates."""
    import spreg

    y, x, wobj = _spreg_inputs(produc)
    lag = spreg.Panel_FE_Lag(y, x, wobj, epsilon=1e-10)
    ours = _fit(produc, model="sar", effects="individual", convention="spreg", draws=0)
    np.testing.assert_allclose(ours.params[X].to_numpy(), lag.betas[:-1, 0], rtol=1e-6)
    assert ours.params["lambda"] == pytest.approx(lag.betas[-1, 0], rel=1e-6)
    np.testing.assert_allclose(ours.std_errors[X].to_numpy(), np.sqrt(np.diag(lag.vm))[:-1], rtol=1e-5)
    err = spreg.Panel_FE_Error(y, x, wobj, epsilon=1e-10)
    ours = _fit(produc, model="sem", effects="individual", convention="spreg", draws=0)
    np.testing.assert_allclose(ours.params[X].to_numpy(), err.betas[:-1, 0], rtol=1e-6)
    assert ours.params["rho"] == pytest.approx(err.betas[-1, 0], rel=1e-6)
    np.testing.assert_allclose(ours.std_errors[X].to_numpy(), np.sqrt(np.diag(err.vm))[:-1], rtol=1e-5)


def test_results_do_not_depend_on_row_order_or_w_order(produc):
    d, w, ids = produc
    base = _fit(produc, model="sdm", effects="twoways", draws=300, seed=5)
    perm = np.random.default_rng(0).permutation(len(ids))
    shuffled = d.sample(frac=1.0, random_state=1)
    other = fit_spatial_panel(
        shuffled,
        "lgsp",
        X,
        entity="state",
        time="year",
        w=w[np.ix_(perm, perm)],
        w_ids=[ids[i] for i in perm],
        model="sdm",
        effects="twoways",
        draws=300,
        seed=5,
    )
    pd.testing.assert_series_equal(base.params, other.params, rtol=1e-10)
    assert base.effects_table["lemp"]["total"]["se_sim"] == pytest.approx(
        other.effects_table["lemp"]["total"]["se_sim"], rel=1e-6
    )  # same draws; only floating-point summation order differs


def test_result_summary_and_json(produc):
    import json

    res = _fit(produc, model="sdm", effects="twoways", draws=100, seed=1)
    out = json.loads(json.dumps(res.to_dict()))
    assert out["lambda"] == pytest.approx(res.params["lambda"])
    assert set(out["tests"]) >= {"lm_lag", "robust_lm_error", "wald_sdm_vs_sar", "lr_sdm_vs_sem"}
    assert set(out["effects_table"]["lemp"]) == {"direct", "indirect", "total"}
    text = res.summary()
    assert "spatial Durbin" in text and "W.lemp" in text and "lr_sdm_vs_sar" in text
    ci = res.conf_int()
    assert (ci["lower"] < res.params).all() and (res.params < ci["upper"]).all()
