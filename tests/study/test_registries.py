"""The study's registries agree with config/schema.yaml, and dispatch on kind strings lives only in them.

References: the enums of config/schema.yaml (the schema the workflow validates the config
against) and the source tree itself (no ``kind ==`` comparison outside the registries).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tfp_talent.study.figures import FIGURE_KINDS
from tfp_talent.study.report_context import KIND_CONTEXT
from tfp_talent.study.spec import BALANCE, COVS, KINDS, MODELS, normalise_spec
from tfp_talent.study.tables import TABLE_KINDS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]


def _enum(*path: str) -> list[str]:
    node = DEFS
    for key in path:
        node = node[key]
    return list(node["enum"])


def test_every_spec_kind_of_the_schema_has_a_runner_and_vice_versa():
    assert sorted(_enum("spec", "properties", "kind")) == sorted(KINDS)


def test_every_table_kind_of_the_schema_has_a_builder_and_vice_versa():
    assert sorted(_enum("table", "properties", "kind")) == sorted(TABLE_KINDS)


def test_every_figure_kind_of_the_schema_has_a_builder_and_vice_versa():
    assert sorted(_enum("figure", "properties", "kind")) == sorted(FIGURE_KINDS)


def test_sub_models_a_column_may_name_are_those_the_kinds_offer():
    offered = {m for kind in KINDS.values() for m in kind.models}
    assert sorted(_enum("column", "properties", "model")) == sorted(offered)


def test_spec_vocabularies_match_the_schema():
    assert sorted(_enum("cov")) == sorted(COVS)
    assert sorted(_enum("spec", "properties", "model")) == sorted(MODELS)
    assert sorted(_enum("spec", "properties", "sample", "properties", "balance")) == sorted(BALANCE)


def test_report_numbers_exist_only_for_registered_kinds():
    assert set(KIND_CONTEXT) <= set(KINDS)


def test_a_kind_owned_key_is_refused_by_every_other_kind():
    """Each ``owns`` key (instruments, threshold) belongs to exactly one kind; another kind naming it stops."""
    owners = {key: name for name, kind in KINDS.items() for key in kind.owns}
    assert owners == {
        "trends": "panel",
        "long_difference": "panel",
        "instruments": "iv",
        "threshold": "threshold",
        "gmm": "gmm",
        "mechanism": "mechanism",
        "spatial": "spatial",
        "event": "event_study",
    }
    for key, owner in owners.items():
        for other in KINDS:
            if other == owner:
                continue
            spec = {"y": "y", "talent": ["x"], "kind": other, key: {"a": ["b"]}}
            with pytest.raises(Exception, match=rf"'{key}' is only used by kind '{owner}'"):
                normalise_spec("owned", spec)


def test_no_dispatch_on_kind_strings_outside_the_registries():
    """No comparison with a spec, table or figure kind name anywhere in src/ (it would bypass the registries).

    Catches ``kind == "iv"``, ``entry["kind"] in ("descriptive", "correlation")`` and the like:
    a line that mentions ``kind`` and compares with a kind name. Other meanings of "kind"
    (geometry or variable types) compare with other words, and a TFP method compared with
    "malmquist" does not mention ``kind``.
    """
    names = "|".join(re.escape(k) for k in sorted({*KINDS, *TABLE_KINDS, *FIGURE_KINDS}))
    literal = rf"""["']({names})["']"""
    pattern = re.compile(rf"(==|!=)\s*{literal}|{literal}\s*(==|!=)|\bin\s*[(\[{{][^)\]}}]*{literal}")
    hits = []
    for path in sorted((ROOT / "src" / "tfp_talent").rglob("*.py")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            # "for kind in (...)" iterates (cli/gmm.py: instrument kinds gmm / iv), it does not dispatch
            if "kind" in line and pattern.search(line) and not line.strip().startswith("for "):
                hits.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert hits == []
