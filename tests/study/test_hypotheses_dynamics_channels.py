"""The hypotheses statistics of issue 13: long_run (dynamic GMM) and mediation (mechanism specs).

References: hand computation of θ = β/(1 − ρ) and its delta-method SE on a 2×2 covariance, and of
the decision rule on hand-made intervals.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tfp_talent.errors import InputError
from tfp_talent.study.hypotheses import STATISTICS, decide_sign, evaluate, fmt_estimate, sentence
from tfp_talent.study.runners.gmm import long_run_effect


def _gmm_result(beta: float, rho: float, v_beta: float, v_rho: float) -> dict:
    params = pd.Series({"x": beta, "L1.y": rho})
    cov = pd.DataFrame([[v_beta, 0.0], [0.0, v_rho]], index=["x", "L1.y"], columns=["x", "L1.y"])
    return {
        "spec": "g",
        "label": "GMM",
        "gmm": {"long_run": {"x": long_run_effect(params, cov, "x", "L1.y")}},
    }


def test_long_run_is_beta_over_one_minus_rho_with_delta_method_interval():
    # θ = 0.2 / (1 − 0.5) = 0.4; g = (1/(1 − ρ), β/(1 − ρ)²) = (2, 0.8); Var = 4·0.0025 + 0.64·0.0025 = 0.0116
    res = {"g": _gmm_result(0.2, 0.5, 0.0025, 0.0025)}
    claim = {"spec": "g", "terms": ["x"], "sign": "positive"}
    ev = STATISTICS["long_run"]("lr", claim, res, {}, {})
    se = math.sqrt(0.0116)
    assert ev.estimate == pytest.approx(0.4)
    assert ev.ci == pytest.approx((0.4 - 1.959964 * se, 0.4 + 1.959964 * se), abs=1e-6)
    assert ev.p == pytest.approx(math.erfc(0.4 / se / math.sqrt(2)), rel=1e-9)
    assert decide_sign(ev, "positive", level=0.95, p_max=0.1) == "supported"
    assert decide_sign(ev, "negative", level=0.95, p_max=0.1) == "not supported"


def test_long_run_without_steady_state_is_null_and_inconclusive():
    res = {"g": _gmm_result(0.2, 1.05, 0.0025, 0.0025)}
    cfg = {
        "hypotheses": {"claims": {"lr": {"claim": "c", "statistic": "long_run", "spec": "g", "terms": ["x"]}}}
    }
    (v,) = evaluate(cfg, res, {})
    assert math.isnan(v.evidence.estimate) and v.evidence.ci is None and v.evidence.p is None
    assert v.verdict == "inconclusive"
    assert "1.050 >= 1" in v.evidence.detail and "(null)" in v.evidence.detail
    assert fmt_estimate(v.evidence) == "not defined" and "nan" not in sentence(v)
    assert "long-run effect β/(1 − ρ) of x, GMM not defined" in sentence(v)


def _mech(ci: list[float]) -> dict:
    return {
        "spec": "m",
        "label": "Mech",
        "mediation": {
            "channel": "Innovation (patents)",
            "bootstrap": {"replications": 999},
            "effects": {"x": {"a": 2.0, "b": 0.25, "indirect": 0.5, "ci": ci, "sobel_p": 0.02}},
        },
    }


@pytest.mark.parametrize(
    ("ci", "sign", "verdict"),
    [
        ([0.1, 0.9], "positive", "supported"),
        ([0.1, 0.9], "negative", "not supported"),
        ([-0.1, 0.9], "positive", "inconclusive"),  # the bootstrap interval decides, not the Sobel p
    ],
)
def test_mediation_uses_the_stored_indirect_effect_and_bootstrap_interval(ci, sign, verdict):
    res = {"m": _mech(ci)}
    cfg = {
        "hypotheses": {
            "claims": {
                "ch": {"claim": "c", "statistic": "mediation", "spec": "m", "terms": ["x"], "sign": sign}
            }
        }
    }
    (v,) = evaluate(cfg, res, {})
    assert v.evidence.estimate == pytest.approx(2.0 * 0.25)  # a·b
    assert v.evidence.ci == pytest.approx(tuple(ci))
    assert v.evidence.p == pytest.approx(0.02)
    assert "descriptive" in v.evidence.what and "999 reps" in v.evidence.inference
    assert v.verdict == verdict


def test_mediation_and_long_run_name_a_wrong_spec():
    with pytest.raises(InputError, match="no mediation effect"):
        STATISTICS["mediation"](
            "ch", {"spec": "g", "terms": ["x"]}, {"g": _gmm_result(0.2, 0.5, 1, 1)}, {}, {}
        )
    with pytest.raises(InputError, match="no long-run effect"):
        STATISTICS["long_run"]("lr", {"spec": "m", "terms": ["x"]}, {"m": _mech([0, 1])}, {}, {})


def test_schema_statistics_are_the_registry():
    from pathlib import Path

    import yaml

    schema = yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "config" / "schema.yaml").read_text("utf-8")
    )
    claim = schema["properties"]["hypotheses"]["properties"]["claims"]["additionalProperties"]
    assert claim["properties"]["statistic"]["enum"] == list(STATISTICS)
