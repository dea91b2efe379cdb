"""Spec kind ``mechanism`` (study/runners/mechanism.py) and the ratio term ``a/b`` on simulated panels.

References: the data-generating process (M = a·T + α_i + λ_t + u; y = b·M + c'·T + α_i + λ_t + e on the
31 provinces × 20 years of ``study_sim.province_frame``) and the fixed-effects estimator
:func:`tfp_talent.estimators.panel.fit_panel`, which the bootstrap's Frisch-Waugh shortcut must equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from study_sim import province_frame

from tfp_talent.errors import InputError
from tfp_talent.study.run import run_spec
from tfp_talent.study.runners.mechanism import indirect_from_gram, province_grams
from tfp_talent.study.sample import build_analysis_frame

SEED = 20241126
A, B, DIRECT = 0.8, 0.5, 0.2


def mediation_panel(*, seed: int = 3) -> pd.DataFrame:
    """Two channels: ``m`` carries a·b = 0.4 of talent's effect, ``z`` is moved by talent but not in y."""
    rng = np.random.default_rng(seed)
    p = province_frame().sort_values(["province_code", "year"]).reset_index(drop=True)
    n = len(p)
    alpha = p["province_code"].map(dict(zip(p["province_code"].unique(), rng.normal(0, 1, 31), strict=True)))
    lam = p["year"].map(dict(zip(p["year"].unique(), rng.normal(0, 1, 20), strict=True)))
    p["talent"] = rng.normal(0, 1, n) + 0.5 * alpha
    p["ctrl"] = rng.normal(0, 1, n)
    p["m"] = A * p["talent"] + 0.3 * p["ctrl"] + alpha + lam + rng.normal(0, 0.3, n)
    p["z"] = A * p["talent"] + alpha + rng.normal(0, 0.3, n)
    p["y"] = B * p["m"] + DIRECT * p["talent"] + 0.1 * p["ctrl"] + alpha + lam + rng.normal(0, 0.3, n)
    p["num"] = np.exp(p["m"] / 5)
    p["den"] = rng.uniform(1, 2, n)
    return p


BASE = {
    "y": "y",
    "talent": ["talent"],
    "controls": ["ctrl"],
    "tfp": None,
    "cov": ["clustered"],
    "effects": "twoway",
}


def spec(mediator: str, **opts) -> dict:
    return {**BASE, "kind": "mechanism", "mechanism": {"mediator": mediator, "bootstrap": 199, **opts}}


@pytest.fixture(scope="module")
def panel():
    return mediation_panel()


@pytest.fixture(scope="module")
def out_m(panel):
    return run_spec("mech", spec("m"), panel, None, SEED)


def test_paths_and_indirect_effect_recover_the_truth(out_m):
    """620 province-years, noise sd 0.3: a, b within 0.05 (~3 SE), a·b within 0.05 of 0.4, the bootstrap
    interval covers 0.4 and excludes 0 (channel supported); c = c' + a·b exactly (OLS identity, 1e-10)."""
    e = out_m["mediation"]["effects"]["talent"]
    assert e["a"] == pytest.approx(A, abs=0.05)
    assert e["b"] == pytest.approx(B, abs=0.05)
    assert e["indirect"] == pytest.approx(A * B, abs=0.05)
    assert e["ci"][0] < A * B < e["ci"][1] and e["supported"]
    assert e["direct"] == pytest.approx(DIRECT, abs=0.05)
    assert e["total"] == pytest.approx(e["direct"] + e["indirect"], abs=1e-10)
    assert e["sobel_z"] == pytest.approx(e["indirect"] / np.hypot(e["b"] * e["se_a"], e["a"] * e["se_b"]))
    assert out_m["results"]["clustered"]["params"]["talent"] == e["a"]  # path a is the spec's regression
    assert out_m["mediation"]["bootstrap"] == {
        "replications": 199,
        "seed": SEED,
        "level": 0.95,
        "unit": "province_code",
    }


def test_a_channel_absent_from_tfp_is_not_supported(panel):
    """z responds to talent (a = 0.8) but not in y (b = 0): a·b near 0 and its interval covers 0."""
    e = run_spec("mech_z", spec("z"), panel, None, SEED)["mediation"]["effects"]["talent"]
    assert e["a"] == pytest.approx(A, abs=0.05)
    assert abs(e["indirect"]) < 0.05
    assert e["ci"][0] < 0 < e["ci"][1] and not e["supported"]


def test_bootstrap_shortcut_equals_fixed_effects_on_the_full_sample(panel, out_m):
    """Every province once: the summed within cross products give fit_panel's a·b (to 1e-10)."""
    af = build_analysis_frame(panel, None, spec("m"), name="mech")
    grams = province_grams(af.frame, "y", "m", af.regressors, effects="twoway")
    got = indirect_from_gram(grams.sum(axis=0), [0])[0]
    assert got == pytest.approx(out_m["mediation"]["effects"]["talent"]["indirect"], rel=1e-10)


def test_bootstrap_is_seeded_and_ignores_row_order(panel, out_m):
    shuffled = panel.sample(frac=1.0, random_state=9).reset_index(drop=True)
    again = run_spec("mech", spec("m"), shuffled, None, SEED)["mediation"]["effects"]["talent"]
    assert again["ci"] == pytest.approx(out_m["mediation"]["effects"]["talent"]["ci"], rel=1e-10)
    other = run_spec("mech", spec("m"), panel, None, SEED + 1)["mediation"]["effects"]["talent"]
    assert other["ci"] != again["ci"]


def test_a_channel_that_is_a_control_leaves_the_controls(panel):
    out = run_spec("mech_c", {**spec("m"), "controls": ["ctrl", "m"]}, panel, None, SEED)
    assert out["roles"]["controls"] == ["ctrl"] and "m" not in out["regressors"]


def test_ratio_term_and_its_zero_denominator(panel):
    """``num/den`` is num / den row by row (exact); a zero denominator stops naming the province-year."""
    out = run_spec("mech_r", spec("num/den", bootstrap=0), panel, None, SEED)
    assert out["definitions"]["num/den"] == "num / den"
    af = build_analysis_frame(panel, None, spec("num/den"), name="r")
    merged = af.frame.merge(panel[["province_code", "year", "num", "den"]], on=["province_code", "year"])
    assert np.array_equal(merged["num/den"], merged["num"] / merged["den"])
    bad = panel.copy()
    bad.loc[(bad["province_code"] == 110000) & (bad["year"] == 2005), "den"] = 0.0
    with pytest.raises(InputError, match=r"specs\.r.*den is 0.*110000, 2005") as err:
        build_analysis_frame(bad, None, spec("num/den"), name="r")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("change", "needle"),
    [({"mechanism": {"bootstrap": 9}}, "mechanism.mediator"), ({"model": "re"}, "model must be 'fe'")],
)
def test_bad_mechanism_specs_stop_with_one_line(panel, change, needle):
    with pytest.raises(InputError, match=needle):
        run_spec("bad", {**spec("m"), **change}, panel, None, SEED)
