"""Simulated panels for the study tests: known effects, the real panel's column names and gaps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from tfp_talent.data.provinces import PROVINCES
from tfp_talent.indices.build import build_indices, index_columns, merge_indices

CONFIG = Path(__file__).resolve().parents[2] / "config" / "config.yaml"

SURVEY_GAPS = (2000, 2001, 2010)


def province_frame(years: range = range(2000, 2020)) -> pd.DataFrame:
    """31 provinces × years with the registry's labels (region3, region4)."""
    rows = [
        {
            "province_code": p.code,
            "year": y,
            "province": p.name_short,
            "province_en": p.name_en,
            "region3": p.region3,
            "region4": p.region4,
        }
        for p in PROVINCES
        for y in years
    ]
    return pd.DataFrame(rows)


def regional_slopes_panel(slopes: dict[str, float], *, seed: int = 1, noise: float = 0.01) -> pd.DataFrame:
    """y = a_i + l_t + beta_region(i) x + 0.3 c + e: two-way effects, one slope per region3."""
    rng = np.random.default_rng(seed)
    p = province_frame()
    n = len(p)
    a = dict(zip(p["province_code"].unique(), rng.normal(0, 1, 31), strict=True))
    lam = dict(zip(p["year"].unique(), rng.normal(0, 1, 20), strict=True))
    p["x"] = rng.normal(0, 1, n) + p["province_code"].map(a) * 0.5
    p["c"] = rng.normal(0, 1, n)
    beta = p["region3"].map(slopes)
    p["y"] = (
        p["province_code"].map(a)
        + p["year"].map(lam)
        + beta * p["x"]
        + 0.3 * p["c"]
        + rng.normal(0, noise, n)
    )
    return p


def catchup_panel(
    b_talent: float,
    b_dist: float,
    b_inter: float,
    *,
    seed: int = 2,
    noise: float = 0.002,
    years: range = range(1980, 2020),
) -> pd.DataFrame:
    """Nelson–Phelps / Benhabib–Spiegel growth: Δln A_it = b1 h_it + b2 d_i,t-1 + b3 h_it d_i,t-1 + a_i + l_t + e,

    with d_i,t-1 = max_j ln A_j,t-1 − ln A_i,t-1 simulated forward from random initial levels.
    """
    rng = np.random.default_rng(seed)
    codes = [p.code for p in PROVINCES]
    yrs = list(years)
    lnA = np.zeros((len(codes), len(yrs)))
    lnA[:, 0] = rng.normal(0, 0.5, len(codes))
    h = rng.uniform(0.05, 0.4, (len(codes), len(yrs)))
    a = rng.normal(0, 0.01, len(codes))
    lam = rng.normal(0, 0.01, len(yrs))
    for t in range(1, len(yrs)):
        d = lnA[:, t - 1].max() - lnA[:, t - 1]
        g = (
            b_talent * h[:, t]
            + b_dist * d
            + b_inter * h[:, t] * d
            + a
            + lam[t]
            + rng.normal(0, noise, len(codes))
        )
        lnA[:, t] = lnA[:, t - 1] + g
    out = province_frame(years)
    out = out.sort_values(["province_code", "year"]).reset_index(drop=True)
    out["ln_a"] = lnA.reshape(-1)
    out["h"] = h.reshape(-1)
    return out


def lagged_panel(beta: float, *, seed: int = 3, noise: float = 0.01) -> pd.DataFrame:
    """y_it = a_i + l_t + beta x_i,t-1 + e_it with x i.i.d. over time (so x_it itself is irrelevant)."""
    rng = np.random.default_rng(seed)
    p = province_frame(range(1990, 2020)).sort_values(["province_code", "year"]).reset_index(drop=True)
    p["x"] = rng.normal(0, 1, len(p))
    prev = p.groupby("province_code")["x"].shift(1)
    a = p["province_code"].map(dict(zip(p["province_code"].unique(), rng.normal(0, 1, 31), strict=True)))
    p["y"] = a + 0.1 * (p["year"] - 1990) + beta * prev + rng.normal(0, noise, len(p))
    return p


def iv_panel(
    beta: float, *, n_entities: int = 400, n_periods: int = 30, rho: float = 0.8, seed: int = 4
) -> pd.DataFrame:
    """x_it = rho x_i,t-1 + v_it (AR(1)); y_it = a_i + l_t + beta x_it + u_it, corr(u_it, v_it) = 0.8.

    x_it is endogenous (OLS is biased upwards); x_i,t-2 depends on v up to t-2 only, so it is a
    valid and strong instrument (first-stage coefficient rho²).
    """
    rng = np.random.default_rng(seed)
    burn = 20
    T = n_periods + burn
    v = rng.normal(0, 1, (n_entities, T))
    u = 0.8 * v + 0.6 * rng.normal(0, 1, (n_entities, T))
    x = np.zeros((n_entities, T))
    for t in range(1, T):
        x[:, t] = rho * x[:, t - 1] + v[:, t]
    a = rng.normal(0, 1, n_entities)[:, None] + 0.3 * x[:, burn:].mean(axis=1, keepdims=True)
    lam = rng.normal(0, 1, n_periods)[None, :]
    xs, us = x[:, burn:], u[:, burn:]
    y = a + lam + beta * xs + us
    ent = np.repeat(np.arange(1, n_entities + 1) * 10, n_periods)
    yr = np.tile(np.arange(2000, 2000 + n_periods), n_entities)
    return pd.DataFrame({"province_code": ent, "year": yr, "x": xs.reshape(-1), "y": y.reshape(-1)})


def study_panel(*, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A panel with the real column names and survey gaps, and a TFP frame with the TFP stage's columns.

    ln TFP (every method) depends on talent with known slopes plus two-way effects, so every
    spec of config/config.yaml can be estimated on it (used to check that every configured
    table and figure is produced).
    """
    rng = np.random.default_rng(seed)
    p = province_frame().sort_values(["province_code", "year"]).reset_index(drop=True)
    n = len(p)
    t = (p["year"] - 2000).to_numpy()
    east = (p["region3"] == "East").to_numpy()
    # shift-share columns (rule shift_share): exposure per province x a national log expansion by year
    exposure = p["province_code"].map(
        dict(zip(p["province_code"].unique(), rng.uniform(0.5, 3.0, 31), strict=True))
    )
    p["ss_exposure"] = exposure
    p["ss_shift"] = np.log1p(0.15 * np.clip(t - 2, 0, None))
    p["ss_instrument"] = exposure * p["ss_shift"]
    p["ss_exposure_alt"] = 1.1 * exposure + p["province_code"].map(
        dict(zip(p["province_code"].unique(), rng.normal(0, 0.2, 31), strict=True))
    )
    p["ss_instrument_alt"] = p["ss_exposure_alt"] * p["ss_shift"]
    p["tertiary_share"] = np.clip(
        0.03 + 0.008 * t + 0.05 * east + 0.01 * p["ss_instrument"] + rng.normal(0, 0.01, n), 0.005, None
    )
    p["avg_school_years"] = 7.5 + 0.1 * t + 0.8 * east + rng.normal(0, 0.15, n)
    p["tertiary_share_15plus"] = p["tertiary_share"] * 1.2 + rng.normal(0, 0.002, n)
    p["he_graduates_per10k"] = 20.0 + 3.0 * t + 10.0 * east + rng.normal(0, 2.0, n)
    p["he_enrolment_per10k"] = 4.0 * p["he_graduates_per10k"] + rng.normal(0, 5.0, n)
    p["working_age_pop"] = 2000 + rng.normal(0, 100, n)
    p["rd_fte"] = np.exp(rng.normal(10, 1, n))
    p["rd_fte_per10k_wap"] = p["rd_fte"] / p["working_age_pop"]
    p["researcher_share"] = rng.uniform(0.3, 0.7, n)
    p["trade_gdp"] = rng.uniform(0.05, 1.2, n)
    p["fiscal_exp_gdp"] = rng.uniform(0.1, 0.4, n)
    p["tertiary_va_share"] = rng.uniform(0.3, 0.6, n)
    p["urbanisation_rate"] = rng.uniform(0.3, 0.8, n)
    p["emp_nonfarm"] = rng.uniform(100, 1000, n)
    p["pop_yearend"] = rng.uniform(300, 10000, n)
    p["patents_granted"] = p["pop_yearend"] * rng.uniform(1, 20, n)
    p["gdp_nominal"] = rng.uniform(500, 100000, n)
    p["rd_expenditure"] = p["gdp_nominal"] * rng.uniform(20, 400, n)
    p["pop_yearend"] = 4000.0 + 100.0 * (p["province_code"] // 10000)  # economic weights: GDP per capita
    p["gdp_real"] = p["pop_yearend"] * rng.uniform(1, 8, n)
    p["solow_tfp_growth"] = np.nan
    for col in ("tertiary_share", "tertiary_share_15plus", "avg_school_years", "working_age_pop"):
        p.loc[p["year"].isin(SURVEY_GAPS), col] = np.nan
    p.loc[p["year"] < 2010, ["rd_fte", "rd_fte_per10k_wap", "researcher_share", "rd_expenditure"]] = np.nan
    p.loc[p["year"] == 2010, "rd_fte_per10k_wap"] = np.nan
    p.loc[p["year"] < 2005, "urbanisation_rate"] = np.nan
    a = p["province_code"].map(dict(zip(p["province_code"].unique(), rng.normal(0, 0.3, 31), strict=True)))
    ts = p["tertiary_share"].interpolate().bfill()
    sy = p["avg_school_years"].interpolate().bfill()
    base = a + 0.02 * t + 1.5 * ts + 0.05 * sy - 0.4 * p["fiscal_exp_gdp"] + rng.normal(0, 0.02, n)
    tfp = p[["province_code", "year"]].copy()
    for method, shift in (("solow", 0.0), ("tornqvist", 0.1), ("malmquist", -0.1)):
        tfp[f"{method}_ln_tfp"] = base + shift + rng.normal(0, 0.01, n)
        tfp[f"{method}_tfp_growth"] = tfp.groupby("province_code")[f"{method}_ln_tfp"].diff()
    tfp["malmquist_efficiency_change"] = np.exp(rng.normal(0, 0.02, n))
    tfp["malmquist_technical_change"] = (
        np.exp(tfp["malmquist_tfp_growth"].fillna(0.0)) / tfp["malmquist_efficiency_change"]
    )
    first = tfp["year"] == tfp["year"].min()
    tfp.loc[first, ["malmquist_efficiency_change", "malmquist_technical_change"]] = np.nan
    p = p.drop(columns=["solow_tfp_growth"])
    # index columns (rule indices, config indices:): built from the columns above, no random draws
    frame, _ = study_indices(p, tfp)
    return merge_indices(p, frame), tfp


def study_indices(panel: pd.DataFrame, tfp: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """The indices file and summary of rule indices on a study panel, with config/config.yaml's `indices:`."""
    cfg = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    cols = [c for c in panel.columns if c not in index_columns(cfg.get("indices"))]
    return build_indices(panel[cols], cfg.get("indices"), tfp)
