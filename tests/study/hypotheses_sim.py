"""Small results dicts in the structure of reports/results/<spec>.json, for the hypotheses and paper-text tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from tfp_talent.study.hypotheses import claim_specs

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "config.yaml"
#: The workflow's results (``TFP_TALENT_RESULTS`` overrides; tests using them skip when absent).
RESULTS = Path(os.environ.get("TFP_TALENT_RESULTS", ROOT / "reports" / "results"))

DF = 30.0  # G − 1 with 31 provinces
STOCK, QUALITY, CONTROL = "tertiary_share", "avg_school_years", "trade_gdp"
SD = {STOCK: 0.04, QUALITY: 0.58, CONTROL: 0.12}


# --------------------------------------------------------------------------- synthetic results


def fe_result(params, se, *, cov=None, pvalues=None, extra=None, df=DF, tests=None):
    """A clustered FE result as the panel runner stores it (params, SEs, p, covariance, df, extra)."""
    cov = cov or {a: {b: (se[a] ** 2 if a == b else 0.0) for b in params} for a in params}
    pvalues = pvalues or dict.fromkeys(params, 0.5)
    return {
        "params": dict(params),
        "std_errors": dict(se),
        "pvalues": dict(pvalues),
        "cov": cov,
        "cov_type": "clustered",
        "df_inference": df,
        "extra": extra or {},
        "tests": tests or {},
    }


def spec_result(spec, res=None, *, label="Baseline", within_sd=SD, **more):
    out = {"spec": spec, "label": label, "sample": {"within_sd": dict(within_sd)}, **more}
    if res is not None:
        out["results"] = {"clustered": res}
    return out


def wb_entry(p, ci, reps=9999, weights="webb"):
    return {"p_value": p, "conf_int": ci, "reps": reps, "weights": weights, "level": 0.95}


def config(claims, *, level=0.95, p_max=0.10, verdicts=None):
    return {"hypotheses": {"level": level, "p_max": p_max, "claims": claims}, "verdicts": verdicts or {}}


def coef_claim(term=STOCK, *, sign="positive", scale="within_sd", display="percent", spec="baseline"):
    return {
        "claim": "Talent stock raises TFP",
        "statistic": "coefficient",
        "spec": spec,
        "cov": "clustered",
        "terms": [term],
        "scale": scale,
        "display": display,
        "sign": sign,
    }


def rule_by_hand(lo, hi, sign):
    """The sign rule of config/config.yaml, written out."""
    if lo <= 0 <= hi:
        return "inconclusive"
    return "supported" if (lo > 0) == (sign == "positive") else "not supported"


def real_results():
    """The real config, its claims and the results files the claims read (skip when they are not built)."""
    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    claims = cfg["hypotheses"]["claims"]
    needed = claim_specs(cfg)
    if not all((RESULTS / f"{s}.json").is_file() for s in needed):
        pytest.skip(
            f"results of {', '.join(needed)} not in {RESULTS} (run the workflow or set TFP_TALENT_RESULTS)"
        )
    results = {s: json.loads((RESULTS / f"{s}.json").read_text(encoding="utf-8")) for s in needed}
    return cfg, claims, results
