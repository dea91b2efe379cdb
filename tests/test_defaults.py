"""Each default lives once: the Python defaults and vocabularies equal what config/schema.yaml states.

The schema documents every config default (``default:``) and every allowed value (``enum:``); the
Python modules hold the same values in one constants place each. These tests fail when the two disagree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tfp_talent.estimators import inference
from tfp_talent.estimators.panel import MODELS
from tfp_talent.tfp.methods import METHODS
from tfp_talent.tfp.pipeline import CAPITAL_DEFAULTS, LABOUR_DEFAULTS, TFP_DEFAULTS

SCHEMA = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "config" / "schema.yaml").read_text(encoding="utf-8")
)


def _defaults(node: dict) -> dict:
    return {k: v["default"] for k, v in node["properties"].items() if isinstance(v, dict) and "default" in v}


@pytest.mark.parametrize(
    ("section", "python"),
    [("capital", CAPITAL_DEFAULTS), ("labour", LABOUR_DEFAULTS), ("tfp", TFP_DEFAULTS)],
)
def test_stage_defaults_match_schema(section, python):
    schema = _defaults(SCHEMA["properties"][section])
    schema.pop("variants", None)
    assert schema == python


def test_inference_vocabulary_matches_schema():
    spec = SCHEMA["$defs"]["spec"]["properties"]
    assert tuple(SCHEMA["$defs"]["cov"]["enum"]) == inference.COVS
    assert tuple(spec["cluster"]["enum"]) == inference.CLUSTERS
    assert tuple(spec["convention"]["enum"]) == inference.CONVENTIONS
    assert spec["convention"]["default"] == inference.DEFAULT_CONVENTION
    assert spec["cluster"]["default"] == inference.DEFAULT_CLUSTER
    assert tuple(spec["model"]["enum"]) == MODELS


def test_tfp_methods_match_schema():
    assert SCHEMA["properties"]["tfp"]["properties"]["methods"]["items"]["enum"] == list(METHODS)
    assert SCHEMA["properties"]["tfp"]["properties"]["methods"]["default"] == list(METHODS)


def test_spec_defaults_match_schema():
    from tfp_talent.study.spec import SAMPLE_DEFAULTS, SPEC_DEFAULTS

    spec = SCHEMA["$defs"]["spec"]
    schema = _defaults(spec)
    for key, value in schema.items():
        assert SPEC_DEFAULTS[key] == value, key
    sample = _defaults(spec["properties"]["sample"])
    for key, value in sample.items():
        assert SAMPLE_DEFAULTS[key] == value, key


def test_indices_defaults_match_schema():
    """Config `indices:` (rule indices): the defaults of tfp_talent.indices.build equal the schema's."""
    from tfp_talent.indices.build import INDICES_DEFAULTS
    from tfp_talent.indices.coupling import FORMS

    node = SCHEMA["properties"]["indices"]
    assert _defaults(node) == INDICES_DEFAULTS
    assert tuple(node["properties"]["form"]["enum"]) == FORMS
