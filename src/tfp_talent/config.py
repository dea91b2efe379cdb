"""Checks on the workflow configuration that a JSON schema cannot express.

The schema (``config/schema.yaml``) fixes types, enums and bounds; this module
adds cross-field rules (start year <= end year, specs named by tables exist, ...). Each
stage adds its rules to :func:`check_config`. Failures raise :class:`InputError` naming
the config key.

Rules, in the order they are checked:

* ``years``: start <= end;
* TFP (:func:`_check_tfp`): ``labour.source: csv`` needs ``labour.file``, in the baseline and in
  every ``tfp.variants`` entry (its own ``labour`` / ``labour_file`` or the baseline's);
* user series (:func:`_check_user_series`): the file exists, the name is not taken, the years lie
  inside ``years``;
* study (:func:`check_study_config`): specs are well formed and everything tables and figures
  name exists.

In the workflow, ``workflow/rules/common.smk`` calls :func:`check_config` on the config that
Snakemake loaded and validated against the schema (which fills in the defaults); a failure stops
the workflow before any job runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfp_talent.errors import InputError

CONFIG_FILE = "config/config.yaml"


def check_config(config: Mapping[str, Any], *, source: str = CONFIG_FILE) -> None:
    """Raise :class:`InputError` for the first cross-field inconsistency in ``config``.

    ``config``: the loaded, schema-validated configuration (``years`` is required); ``source``:
    the file named in the errors. The rules and their order: module docstring. Returns None when
    every rule holds; nothing in ``config`` is changed.
    """
    years = config["years"]
    if years["start"] > years["end"]:
        raise InputError(
            f"years.start ({years['start']}) is after years.end ({years['end']})",
            file=source,
            column="years",
        )
    _check_tfp(config, source)
    _check_user_series(config, source)
    _check_study(config, source)


def _check_tfp(config: Mapping[str, Any], source: str) -> None:
    """TFP stage: a csv labour source needs a file, in the baseline and in every variant.

    A variant inherits ``labour.source`` and ``labour.file`` unless it sets ``labour`` or
    ``labour_file`` itself; only the presence of a file name is checked here.
    """
    labour = dict(config.get("labour") or {})
    variants = dict((config.get("tfp") or {}).get("variants") or {})
    if labour.get("source") == "csv" and not labour.get("file"):
        raise InputError("labour.source is csv but labour.file is not set", file=source, column="labour.file")
    for name, over in variants.items():
        over = dict(over or {})
        if over.get("labour", labour.get("source")) == "csv" and not over.get(
            "labour_file", labour.get("file")
        ):
            raise InputError(
                f"variant '{name}' uses labour csv but neither labour_file nor labour.file is set",
                file=source,
                column="tfp.variants",
            )


def _check_study(config: Mapping[str, Any], source: str) -> None:
    """Study: specs (kind/estimator/cov combinations, TFP variants) and what tables and figures reference."""
    check_study_config(config, source=source)


def check_study_config(config: Mapping[str, Any], *, source: str = CONFIG_FILE) -> None:
    """Cross-checks of ``specs``, ``tables``, ``figures`` that the schema cannot express.

    Every spec is normalised (:func:`tfp_talent.study.spec.normalise_spec`: kind-specific
    requirements); its TFP variant must be ``baseline``, null or a key of ``tfp.variants``;
    tables and figures may only name existing specs, covariance types those specs estimate,
    and sub-models (``model``) their kind offers (:data:`tfp_talent.study.spec.KINDS`).

    The references of each entry are those of :func:`referenced_specs`; a table entry is first
    completed with the config sections its kind reads (:func:`tfp_talent.study.tables.table_entry`).
    Raises :class:`InputError` at the first problem: the spec's own error from ``normalise_spec``,
    an unknown TFP variant (``file`` = the spec's place), an unknown spec, a ``cov`` the spec does
    not estimate, an unknown ``model`` or one its spec's kind does not offer (``column`` = the
    ``tables.<name>`` / ``figures.<name>`` key).

    E.g. a table column naming spec ``baseline`` with ``cov: robust`` when the spec estimates only
    ``[clustered, driscoll-kraay]`` raises ``config/config.yaml: column 'tables.<name>': spec
    'baseline' does not estimate cov 'robust' (it has clustered, driscoll-kraay)``.
    """
    # imported here: only the workflow needs the study layer
    from tfp_talent.study.common import spec_where
    from tfp_talent.study.spec import BASELINE_TFP, KINDS, normalise_spec

    specs = dict(config.get("specs") or {})
    variants = set(((config.get("tfp") or {}).get("variants") or {}).keys())
    normal = {}
    for name, spec in specs.items():
        s = normalise_spec(name, spec)
        if s["tfp"] is not None and s["tfp"] != BASELINE_TFP and s["tfp"] not in variants:
            raise InputError(
                f"unknown TFP variant '{s['tfp']}'; use baseline or one of tfp.variants ({', '.join(sorted(variants)) or 'none'})",
                file=spec_where(name),
                column="tfp",
            )
        normal[name] = s
    with_models = {k: kind.models for k, kind in KINDS.items() if kind.models}
    all_models = list(dict.fromkeys(m for models in with_models.values() for m in models))
    kinds_text = " or ".join(with_models)
    from tfp_talent.study.tables import table_entry

    for group in ("tables", "figures"):
        for tname, entry in dict(config.get(group) or {}).items():
            key = f"{group}.{tname}"
            entry = table_entry(config, tname) if group == "tables" else entry
            for ref in referenced_specs(entry):
                sname, cov, model = ref.get("spec"), ref.get("cov"), ref.get("model")
                if sname not in normal:
                    raise InputError(
                        f"unknown spec '{sname}'; defined: {', '.join(sorted(normal))}",
                        file=source,
                        column=key,
                    )
                if cov is not None and cov not in normal[sname]["cov"]:
                    raise InputError(
                        f"spec '{sname}' does not estimate cov '{cov}' (it has {', '.join(normal[sname]['cov'])})",
                        file=source,
                        column=key,
                    )
                if model is None:
                    continue
                if model not in all_models:
                    raise InputError(
                        f"model '{model}' of spec '{sname}': use {' or '.join(all_models)} (kind {kinds_text})",
                        file=source,
                        column=key,
                    )
                kind = normal[sname]["kind"]
                if model not in KINDS[kind].models:
                    raise InputError(
                        f"model '{model}' is only available for specs of kind {kinds_text} ('{sname}' is {kind})",
                        file=source,
                        column=key,
                    )


def referenced_specs(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``{spec, cov, model}`` references of a table or figure entry (columns, panels, tests).

    Collected, in this order, from the entry's own ``spec`` (with its ``cov`` and ``model``),
    every ``columns[]`` item, every ``panels[].columns[]`` item, every ``tests[]`` item (no cov
    or model) and, for a ``hypotheses`` table, the specs its claims read
    (:func:`tfp_talent.study.hypotheses.claim_specs`). Missing ``cov`` / ``model`` are None;
    a spec may appear several times. E.g. ``{'spec': 'a', 'cov': 'clustered', 'columns':
    [{'spec': 'b'}], 'tests': [{'spec': 'c'}]}`` gives ``[{'spec': 'a', 'cov': 'clustered',
    'model': None}, {'spec': 'b', 'cov': None, 'model': None}, {'spec': 'c', 'cov': None,
    'model': None}]``.
    """
    refs: list[dict[str, Any]] = []
    if entry.get("spec"):
        refs.append({"spec": entry["spec"], "cov": entry.get("cov"), "model": entry.get("model")})
    for col in entry.get("columns") or []:
        refs.append({"spec": col["spec"], "cov": col.get("cov"), "model": col.get("model")})
    for panel in entry.get("panels") or []:
        for col in panel.get("columns") or []:
            refs.append({"spec": col["spec"], "cov": col.get("cov"), "model": col.get("model")})
    for test in entry.get("tests") or []:
        refs.append({"spec": test["spec"], "cov": None, "model": None})
    if entry.get("hypotheses"):  # table kind hypotheses (issue 15): the specs its claims read
        from tfp_talent.study.hypotheses import claim_specs

        refs += [{"spec": s, "cov": None, "model": None} for s in claim_specs(entry)]
    return refs


def spec_names_of(entry: Mapping[str, Any]) -> list[str]:
    """Distinct spec names a table or figure entry needs (its rule's inputs).

    The ``spec`` of every :func:`referenced_specs` item, first occurrence kept, in order.
    """
    return list(dict.fromkeys(r["spec"] for r in referenced_specs(entry)))


def _check_user_series(config: Mapping[str, Any], source: str) -> None:
    """User series: each file exists, its years lie inside years, its name is not a panel or TFP column.

    Reserved: every panel column (:data:`tfp_talent.data.definitions.PANEL_COLUMNS`), the keys and
    labels, ``dist_frontier``, ``labour_filled``, ``hc_filled`` and any name whose part before the
    first ``_`` is ``solow``, ``tornqvist`` or ``malmquist`` (the TFP measures).
    ``years: [first, last]`` must satisfy years.start <= first <= last <= years.end. The file's
    content is checked later, when rule ``user_series`` reads it
    (:func:`tfp_talent.data.user_series.load_user_series`).
    """
    from pathlib import Path

    from tfp_talent.data.definitions import PANEL_COLUMNS

    reserved = {*PANEL_COLUMNS, "province_code", "year", "province", "province_en", "region3", "region4"}
    reserved |= {"dist_frontier", "labour_filled", "hc_filled"}
    years = config["years"]
    for name, entry in dict(config.get("user_series") or {}).items():
        entry = dict(entry or {})
        key = f"user_series.{name}"
        if name in reserved or name.split("_", 1)[0] in ("solow", "tornqvist", "malmquist"):
            raise InputError(
                f"'{name}' is already a panel or TFP variable; a user series never replaces shipped data",
                file=source,
                column=key,
                hint="give the series another name",
            )
        if not Path(str(entry.get("file", ""))).is_file():
            raise InputError(f"file not found: {entry.get('file')!r}", file=source, column=f"{key}.file")
        own = entry.get("years")
        if own is not None and not (years["start"] <= own[0] <= own[1] <= years["end"]):
            raise InputError(
                f"years {own} must satisfy {years['start']} <= first <= last <= {years['end']} (years.start/end)",
                file=source,
                column=f"{key}.years",
            )
