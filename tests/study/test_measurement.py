"""Measurement pieces of issue 15 (item 1): the ma3 term, sample.require, the h-free baseline TFP and the
report's measurement numbers.

References: hand-computed values on small panels (exact up to 1e-15); simulated panels with a known
slope (least squares must recover it to 1e-8 with negligible noise); a direct double-demeaning formula for
the two-way within correlation of a balanced panel; the config's own settings resolved by
:func:`tfp_talent.tfp.pipeline.resolve_settings`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from study_sim import province_frame

from tfp_talent.study.labels import term_label
from tfp_talent.study.report_measurement import break_provinces, negative_change_share, within_correlation
from tfp_talent.study.run import run_spec
from tfp_talent.study.terms import TermBuilder, base_columns
from tfp_talent.tfp.pipeline import VARIANT_KEYS, resolve_settings

ROOT = Path(__file__).resolve().parents[2]
SEED = 1


def test_ma3_term_hand_example():
    """x = 1, 2, 4, nan, 5, 6, 9, 12 in 2000..2007: ma3 = 7/3 (2001), 20/3 (2005), 9 (2006); missing at both
    ends and in 2002-2004 next to the missing 2003; a second province's values never enter."""
    p = pd.DataFrame(
        {
            "province_code": [110000] * 8 + [120000] * 3,
            "year": [*range(2000, 2008), 2000, 2001, 2002],
            "x": [1, 2, 4, np.nan, 5, 6, 9, 12, 100, 200, 300],
        }
    ).astype({"x": float})
    b = TermBuilder(p, name="ma_hand", frontier="x", tfp=None)
    assert b.need("ma3.x") == "ma3.x"
    nan = np.nan
    np.testing.assert_allclose(
        b.frame["ma3.x"], [nan, 7 / 3, nan, nan, nan, 20 / 3, 9.0, nan, nan, 200.0, nan], rtol=1e-15
    )
    assert "centred 3-year mean of x" in b.definitions["ma3.x"]
    assert base_columns("ma3.L1.x") == ["x"]
    b.need("ma3.L1.x")  # composes with the other prefixes: the mean of x_{t-2}, x_{t-1}, x_t
    assert b.frame["ma3.L1.x"].iloc[2] == pytest.approx(7 / 3, rel=1e-15)
    assert term_label("ma3.x", {"x": "Stock"}) == "3-year mean of Stock"


def test_sample_require_drops_rows_without_the_required_term():
    """y = a_i + l_t + 2 x: the spec with require [ma3.x] is estimated on exactly the rows where ma3.x exists
    (years 2001-2018 of every province, x missing nowhere) and still recovers the slope 2."""
    rng = np.random.default_rng(4)
    p = province_frame()
    p["x"] = rng.normal(size=len(p))
    a = dict(zip(p["province_code"].unique(), rng.normal(size=31), strict=True))
    p["y"] = p["province_code"].map(a) + 0.1 * (p["year"] - 2000) + 2.0 * p["x"] + rng.normal(0, 1e-9, len(p))
    spec = {"y": "y", "talent": ["x"], "tfp": None, "cov": ["clustered"], "sample": {"require": ["ma3.x"]}}
    r = run_spec("req", spec, p, None, SEED)
    assert r["sample"]["nobs"] == 31 * 18 and r["sample"]["years"] == list(range(2001, 2019))
    assert r["sample"]["filter"]["require"] == ["ma3.x"]
    assert r["results"]["clustered"]["params"]["x"] == pytest.approx(2.0, abs=1e-8)
    assert r["regressors"] == ["x"]


def test_config_baseline_tfp_is_h_free_and_variants_differ_only_in_their_own_setting():
    """labour.human_capital is off for the baseline; withh turns it on; every other variant leaves it off and
    differs from the baseline settings only in the keys it names."""
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    base = resolve_settings(cfg)
    assert base["labour"]["human_capital"] is False
    variants = cfg["tfp"]["variants"]
    assert variants["withh"]["human_capital"] is True and set(variants["withh"]) <= {
        "human_capital",
        "methods",
    }
    for name, overrides in variants.items():
        own = resolve_settings(cfg, name)
        changed = {
            (sec, key)
            for sec in ("capital", "labour", "tfp")
            for key in own[sec]
            if own[sec][key] != base[sec][key]
        }
        assert changed == {VARIANT_KEYS[k] for k in overrides}, name
    specs = cfg["specs"]
    assert specs["rob_with_h"]["tfp"] == "withh" and specs["baseline"]["tfp"] == "baseline"
    assert specs["eiv_graduates"]["kind"] == "iv" and "EIV" in specs["eiv_graduates"]["label"]


def test_negative_change_share_hand_example():
    """Changes -1, +2 (2000-2002) and +1 (2005-2006; 2003 absent, so 2002->2004 is no change) -> 1 of 3."""
    p = pd.DataFrame(
        {
            "province_code": [1, 1, 1, 1, 1, 2],
            "year": [2000, 2001, 2002, 2004, 2005, 2000],
            "tertiary_share": [3.0, 2.0, 4.0, 9.0, 10.0, 5.0],
        }
    )
    share, n = negative_change_share(p, "tertiary_share")
    assert n == 3 and share == pytest.approx(1 / 3, rel=1e-15)


def test_within_correlation_equals_double_demeaning_on_a_balanced_panel():
    """On a balanced panel the two-way residual is x - mean_i - mean_t + mean (Wooldridge 2010, ch. 10)."""
    rng = np.random.default_rng(7)
    p = province_frame(range(2002, 2010))
    p["a"] = rng.normal(size=len(p)) + p["province_code"] / 1e5
    p["b"] = 0.5 * p["a"] + rng.normal(size=len(p)) + (p["year"] - 2000) * 0.3

    def dd(col: str) -> pd.Series:
        x = p[col]
        return (
            x
            - x.groupby(p["province_code"]).transform("mean")
            - x.groupby(p["year"]).transform("mean")
            + x.mean()
        )

    expected = np.corrcoef(dd("a"), dd("b"))[0, 1]
    assert within_correlation(p, "a", "b") == pytest.approx(expected, abs=1e-10)


def test_break_provinces_names_the_drops_beyond_the_threshold():
    """ln(95/100) = -5.1 % and ln(97/100) = -3.0 % exceed 2 %; ln(99/100) and growth do not; sorted by size."""
    p = pd.DataFrame(
        {
            "province_code": [1, 1, 2, 2, 3, 3, 4, 4],
            "year": [2004, 2005] * 4,
            "province_en": ["A", "A", "B", "B", "C", "C", "D", "D"],
            "pop_yearend": [100, 97, 100, 95, 100, 99, 100, 103.0],
        }
    )
    got = break_provinces(p, 2005, 0.02)
    assert [n for n, _ in got] == ["B", "A"]
    assert got[0][1] == pytest.approx(np.log(0.95), rel=1e-15)
