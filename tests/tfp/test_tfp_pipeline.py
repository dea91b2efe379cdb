"""Workflow layer of the TFP stage: settings resolution, params isolation, provincial run on a simulated panel."""

from __future__ import annotations

import numpy as np
import pytest

from tfp_talent.config import check_config
from tfp_talent.errors import InputError
from tfp_talent.tfp.capital import china_capital_stock
from tfp_talent.tfp.labour import labour_input
from tfp_talent.tfp.methods import METHODS, method_params
from tfp_talent.tfp.pipeline import (
    capital_params,
    combine_tfp,
    labour_params,
    provincial_tfp,
    resolve_settings,
    tfp_inputs,
)
from tfp_talent.tfp.solow import solow_residual

CONFIG = {
    "years": {"start": 2000, "end": 2019},
    "capital": {"delta": 0.096},
    "labour": {"source": "working_age"},
    "tfp": {
        "alpha": 0.4,
        "variants": {
            "alpha05": {"alpha": 0.5},
            "delta005": {"delta": 0.05},
            "nonfarm": {"labour": "nonfarm"},
        },
    },
}


def test_variants_override_only_their_keys():
    base = resolve_settings(CONFIG)
    assert base["capital"]["base_year"] == 2000  # null -> years.start
    a05 = resolve_settings(CONFIG, "alpha05")
    assert (
        a05["tfp"]["alpha"] == 0.5 and a05["capital"] == base["capital"] and a05["labour"] == base["labour"]
    )
    assert resolve_settings(CONFIG, "delta005")["capital"]["delta"] == 0.05
    assert resolve_settings(CONFIG, "nonfarm")["labour"]["source"] == "nonfarm"
    with pytest.raises(InputError, match="unknown TFP variant"):
        resolve_settings(CONFIG, "nope")
    bad = {**CONFIG, "tfp": {"variants": {"x": {"gamma": 1}}}}
    with pytest.raises(InputError, match="unknown key 'gamma'"):
        resolve_settings(bad, "x")


def test_params_isolate_alpha_and_delta():
    """A change of alpha changes only the Solow job's params; delta only the capital job's."""
    base = resolve_settings(CONFIG)
    moved = resolve_settings({**CONFIG, "tfp": {**CONFIG["tfp"], "alpha": 0.5}, "capital": {"delta": 0.05}})
    changed = [m for m in METHODS if method_params(base, m) != method_params(moved, m)]
    assert changed == ["solow"]
    assert capital_params(base) != capital_params(moved)


def test_csv_labour_without_file_is_a_config_error():
    with pytest.raises(InputError, match=r"labour\.file"):
        check_config({**CONFIG, "labour": {"source": "csv"}})


def test_provincial_run_on_simulated_panel(sim_panel, asset):
    """Simulated panel + real asset.rda: Solow on the merged inputs equals ln Y − α ln K − (1−α) ln(hL)
    computed by hand (1e-12); every method returns the panel's 31 × 20 keys; Törnqvist flags 2018–2019 shares."""
    capital = china_capital_stock(asset, base_year=2000)
    labour = labour_input(sim_panel)
    inputs = tfp_inputs(sim_panel, capital, labour)
    frames = {m: provincial_tfp(inputs, m, method_params(resolve_settings(CONFIG), m)) for m in METHODS}
    for frame in frames.values():
        assert len(frame) == 31 * 20 and not frame.duplicated(["province_code", "year"]).any()
    by_hand = np.log(inputs["output"]) - 0.4 * np.log(inputs["capital"]) - 0.6 * np.log(inputs["labour_eff"])
    np.testing.assert_allclose(frames["solow"]["ln_tfp"], by_hand, atol=1e-12)
    tq = frames["tornqvist"]
    assert set(tq.loc[tq["share_filled"].astype(bool), "year"]) == {2018, 2019}
    assert tq.loc[tq["year"] > 2000, "tfp_growth"].notna().all()
    combined = combine_tfp(frames, labour)
    assert {"solow_ln_tfp", "tornqvist_tfp_growth", "malmquist_efficiency_change", "labour_filled"} <= set(
        combined.columns
    )
    direct = solow_residual(
        inputs,
        entity="province_code",
        time="year",
        output="output",
        capital="capital",
        labour="labour",
        hc="hc",
        alpha=0.4,
    )
    np.testing.assert_allclose(combined["solow_tfp_growth"], direct["tfp_growth"], atol=1e-12)


def test_nonfarm_variant_starts_in_2008(sim_panel, asset):
    """The variant's stages as the workflow rules chain them (capital, labour, each method, combine)."""
    settings = resolve_settings(CONFIG, "nonfarm")
    labour = labour_input(sim_panel, **labour_params(settings))
    inputs = tfp_inputs(sim_panel, china_capital_stock(asset, **capital_params(settings)), labour)
    frames = {m: provincial_tfp(inputs, m, method_params(settings, m)) for m in settings["tfp"]["methods"]}
    out = combine_tfp(frames, labour)
    have = out.loc[out["solow_ln_tfp"].notna(), "year"]
    assert have.min() == 2008 and have.max() == 2019
    assert out.loc[out["year"] == 2008, "malmquist_tfp_growth"].isna().all()
    assert out.loc[out["year"] == 2009, "malmquist_tfp_growth"].notna().all()


def test_survey_gap_without_filling_uses_longest_run(sim_panel, asset, caplog):
    """fill_gaps none: 2010 is missing for all provinces; the chained Malmquist keeps each province's longest
    run 2011–2019 (9 years > 2002–2009) and warns; Solow keeps levels and has no growth across the gap."""
    settings = resolve_settings({**CONFIG, "labour": {"fill_gaps": "none"}})
    inputs = tfp_inputs(sim_panel, china_capital_stock(asset), labour_input(sim_panel, fill_gaps="none"))
    malm = provincial_tfp(inputs, "malmquist", method_params(settings, "malmquist"))
    assert set(malm.loc[malm["efficiency"].notna(), "year"]) == set(range(2011, 2020))
    assert "left out 248 province-years before a gap" in caplog.text  # 31 provinces x 2002-2009
    solow = provincial_tfp(inputs, "solow", method_params(settings, "solow"))
    assert solow.loc[solow["year"].isin([2000, 2001, 2010]), "ln_tfp"].isna().all()
    assert solow.loc[solow["year"] == 2009, "ln_tfp"].notna().all()
    assert solow.loc[solow["year"] == 2011, "tfp_growth"].isna().all()
    assert solow.loc[solow["year"] == 2012, "tfp_growth"].notna().all()


def test_method_registry_matches_schema_and_cli():
    """Every registered TFP method is in the config schema's enum and the CLI's choices, and no other."""
    import yaml

    from tfp_talent.cli import build_parser

    root = __import__("pathlib").Path(__file__).resolve().parents[2]
    schema = yaml.safe_load((root / "config" / "schema.yaml").read_text(encoding="utf-8"))
    enum = schema["properties"]["tfp"]["properties"]["methods"]["items"]["enum"]
    assert sorted(enum) == sorted(METHODS)
    parser = build_parser()
    tfp_parser = parser._subparsers._group_actions[0].choices["tfp"]
    method_action = next(a for a in tfp_parser._actions if a.dest == "method")
    assert sorted(method_action.choices) == sorted(METHODS)
