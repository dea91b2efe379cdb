"""Specifications as data: defaults, normalisation and the registry of spec kinds.

A specification (one entry of ``specs:`` in ``config/config.yaml``, typed by
``config/schema.yaml``) names a dependent variable, talent regressors, controls, a sample
filter, an estimator and covariance types. :func:`normalise_spec` fills in the defaults
and checks what the schema cannot express; :data:`KINDS` maps each ``kind`` to its
runner module (:mod:`tfp_talent.study.runners`). A new kind is one runner module, one
entry here, its value in the schema's ``kind`` enum, and tests.

Talent regressors are lagged ``lag`` years (``lag: 1`` turns ``x`` into ``L1.x``); ``leads: k`` appends the
placebo leads ``F1.x`` ... ``Fk.x`` of every talent variable (with a joint test that they are zero);
kind ``panel`` also takes ``trends: entity`` (province-specific linear trends) and
``long_difference: {periods: [[a, b], [c, d]]}`` (one cross-section of changes in period means);
``products: [[a, b], ...]`` appends ``a×b`` terms after the talent terms;
``interact: {by: region3, levels: [East, Central, West]}`` replaces each talent term
x by x×1[region = r] for every level r and adds a Wald test of equal slopes.
The term grammar is :mod:`tfp_talent.study.terms`, the sample :mod:`tfp_talent.study.sample`.

Defaults (:data:`SPEC_DEFAULTS`, :data:`SAMPLE_DEFAULTS`; the same values as the ``$defs/spec``
entry of ``config/schema.yaml``): ``kind: panel``, ``tfp: baseline``, ``model: fe`` with
``effects`` following the model (``fe`` -> ``twoway``, ``re`` -> ``entity``, others ``none``),
``cov: [clustered, driscoll-kraay]``, ``cluster: entity``, ``convention: stata`` (covariance names
and conventions: :mod:`tfp_talent.estimators.inference`), no lag, no products, no winsorising,
``sample.balance: none``, ``sample.min_provinces: 5``, ``wild_bootstrap: true``. The blocks
``threshold``, ``gmm``, ``mechanism``, ``spatial``, ``instruments``, ``event``, ``trends`` and
``long_difference`` belong to one kind each (:attr:`Kind.owns`) and are refused elsewhere.

Every problem raises :class:`~tfp_talent.errors.InputError` whose message starts with
``specs.<name>:`` so the user knows which entry to fix.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import COVS, DEFAULT_CLUSTER, DEFAULT_CONVENTION
from tfp_talent.estimators.panel import MODELS
from tfp_talent.study.common import as_list, check_choice, spec_where
from tfp_talent.study.runners.event_study import design_event_study, normalise_event_study, run_event_study
from tfp_talent.study.runners.gmm import normalise_gmm, run_gmm
from tfp_talent.study.runners.hausman import MODELS as HAUSMAN_MODELS
from tfp_talent.study.runners.hausman import normalise_hausman, run_hausman
from tfp_talent.study.runners.iv import design_iv, normalise_iv, run_iv
from tfp_talent.study.runners.mechanism import design_mechanism, normalise_mechanism, run_mechanism
from tfp_talent.study.runners.panel import normalise_panel, run_panel
from tfp_talent.study.runners.spatial import MIN_YEARS as SPATIAL_MIN_YEARS
from tfp_talent.study.runners.spatial import design_spatial, normalise_spatial, run_spatial, spatial_inputs
from tfp_talent.study.runners.threshold import MIN_YEARS as THRESHOLD_MIN_YEARS
from tfp_talent.study.runners.threshold import (
    design_threshold,
    normalise_threshold,
    run_threshold,
    threshold_replications,
)
from tfp_talent.study.terms import Design, product_term

BALANCE = ("none", "restrict", "require")
BASELINE_TFP = "baseline"

SPEC_DEFAULTS: dict[str, Any] = {
    "kind": "panel",
    "label": None,
    "description": None,
    "tfp": BASELINE_TFP,
    "controls": [],
    "products": [],
    "lag": 0,
    "frontier": None,
    "winsorise": None,
    "model": "fe",
    "effects": None,
    "cov": ["clustered", "driscoll-kraay"],
    "cluster": DEFAULT_CLUSTER,
    "bandwidth": None,
    "convention": DEFAULT_CONVENTION,
    "interact": None,
    "instruments": None,
    "threshold": None,
    "gmm": None,
    "mechanism": None,
    "spatial": None,
    # identification checks (issue 15; tfp_talent.study.runners.panel.normalise_panel)
    "leads": 0,
    "trends": None,
    "long_difference": None,
    "event": None,
    "shift_share": False,
    "indices": False,  # merge data/processed/indices.parquet (rule indices; tfp_talent.indices.build)
    "wild_bootstrap": True,  # wild cluster bootstrap of the tested terms (study/wild_bootstrap.py)
}
SAMPLE_DEFAULTS: dict[str, Any] = {
    "years": None,
    "drop": [],
    "regions": [],
    "region_column": "region3",
    "balance": "none",
    "min_provinces": 5,
    "require": [],  # terms that must be non-missing in a row of the sample without being regressors (issue 15)
}


def _no_normalise(spec: dict[str, Any], where: str) -> None:
    """A kind without requirements of its own (the default ``Kind.normalise``)."""


def _no_design(spec: Mapping[str, Any], design: Design) -> None:
    """A kind without terms of its own."""


def _no_shards(spec: Mapping[str, Any]) -> int:
    """A kind without a bootstrap that shard jobs could share."""
    return 0


def _no_inputs(spec: Mapping[str, Any]) -> dict[str, str]:
    """A kind that reads no file besides the panel and the TFP file."""
    return {}


@dataclass(frozen=True)
class Kind:
    """What a spec kind adds to the common spec: its checks, its terms and its estimation.

    The three callables follow the protocol of :mod:`tfp_talent.study.runners`.

    Attributes
    ----------
    run
        ``run(spec, af, seed=, workers=)``: the result blocks (``results``, ``threshold``, ...).
    normalise
        ``normalise(spec, where)`` completes / checks the (mutable) spec in place.
    design
        ``design(spec, design)`` adds the kind's terms to the :class:`~tfp_talent.study.terms.Design`.
    owns
        The spec keys only this kind may set (e.g. ``threshold``); another kind setting one is an error.
    models
        The sub-models a table may pick (``{spec, model}``), e.g. ``fe`` and ``re`` of kind hausman.
    min_balanced_years
        The fewest years a balanced sample (``sample.balance: restrict``) may keep.
    shardable_replications
        ``shardable_replications(spec)``: the bootstrap replications the workflow may split into shard
        jobs (:mod:`tfp_talent.study.threshold_shards`; 0 = none).
    inputs
        ``inputs(spec)``: the other files its estimation job reads (name -> path; the workflow's inputs).
    batchable
        The workflow may estimate several specs of this kind in one job (config ``batching``; quick
        closed-form fits, for which a job's Python start-up costs more than the estimation).
    """

    run: Callable[..., dict[str, Any]]
    normalise: Callable[[dict[str, Any], str], None] = _no_normalise
    design: Callable[[Mapping[str, Any], Design], None] = _no_design
    owns: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    min_balanced_years: int = 2
    shardable_replications: Callable[[Mapping[str, Any]], int] = _no_shards
    inputs: Callable[[Mapping[str, Any]], dict[str, str]] = _no_inputs
    batchable: bool = False


KINDS: dict[str, Kind] = {
    "panel": Kind(run_panel, normalise_panel, owns=("trends", "long_difference"), batchable=True),
    "hausman": Kind(run_hausman, normalise_hausman, models=HAUSMAN_MODELS, batchable=True),
    "iv": Kind(run_iv, normalise_iv, design_iv, owns=("instruments",), batchable=True),
    "threshold": Kind(
        run_threshold,
        normalise_threshold,
        design_threshold,
        owns=("threshold",),
        min_balanced_years=THRESHOLD_MIN_YEARS,
        shardable_replications=threshold_replications,
    ),
    "gmm": Kind(run_gmm, normalise_gmm, owns=("gmm",)),
    "mechanism": Kind(
        run_mechanism, normalise_mechanism, design_mechanism, owns=("mechanism",), batchable=True
    ),
    "spatial": Kind(
        run_spatial,
        normalise_spatial,
        design_spatial,
        owns=("spatial",),
        inputs=spatial_inputs,
        min_balanced_years=SPATIAL_MIN_YEARS,
    ),
    "event_study": Kind(
        run_event_study, normalise_event_study, design_event_study, owns=("event",), batchable=True
    ),
}


def normalise_spec(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec with defaults filled in and kind-specific requirements checked (idempotent).

    Order: :data:`SPEC_DEFAULTS` and :data:`SAMPLE_DEFAULTS` under the given keys (deep copies, so
    ``spec`` is not changed); ``talent``, ``controls`` and ``cov`` as lists; the shared enums and bounds
    (:func:`_check_common`); the owned keys of other kinds refused; the kind's ``normalise``; then
    ``effects`` from the model when unset, ``interact.by`` (default ``region3``) and ``interact.vars``
    (default None = the talent terms), and the ``winsorise`` bounds.

    Parameters
    ----------
    name
        The spec's key under ``specs:`` (named by every error).
    spec
        The config entry (keys of ``$defs/spec`` in ``config/schema.yaml``).

    Returns
    -------
    dict
        A new dict with every key of :data:`SPEC_DEFAULTS`, ``y``, ``talent`` and a complete
        ``sample`` block; normalising it again returns an equal dict.

    Raises
    ------
    InputError
        Naming the spec, for what the schema cannot express: a spec that is not a mapping, a missing
        ``y`` or talent list, an estimator or covariance the kind does not offer, a key owned by
        another kind (instruments for a non-IV spec), ``interact`` without ``levels``, and
        ``winsorise`` bounds outside 0 <= lower < upper <= 1.
    """
    where = spec_where(name)
    if not isinstance(spec, Mapping):
        raise InputError(f"must be a mapping of settings, got {type(spec).__name__}", file=where)
    out = copy.deepcopy(SPEC_DEFAULTS)
    out.update(copy.deepcopy(dict(spec)))
    sample = copy.deepcopy(SAMPLE_DEFAULTS)
    sample.update(dict(spec.get("sample") or {}))
    out["sample"] = sample
    for key in ("y", "talent"):
        if not out.get(key):
            raise InputError(f"'{key}' is required", file=where, column=key)
    out["talent"] = as_list(out["talent"])
    out["controls"] = as_list(out["controls"])
    out["cov"] = as_list(out["cov"])
    _check_common(out, where)
    kind = KINDS[out["kind"]]
    for other_name, other in KINDS.items():
        for key in other.owns:
            if out[key] is not None and kind is not other:
                raise InputError(f"'{key}' is only used by kind '{other_name}'", file=where, column=key)
    kind.normalise(out, where)
    if out["effects"] is None:
        out["effects"] = {"fe": "twoway", "re": "entity"}.get(out["model"], "none")
    if out["interact"]:
        inter = dict(out["interact"])
        if not inter.get("levels"):
            raise InputError(
                "interact needs 'levels' (e.g. [East, Central, West])", file=where, column="interact.levels"
            )
        inter.setdefault("by", "region3")
        inter.setdefault("vars", None)
        out["interact"] = inter
    if out["winsorise"] is not None:
        lo, hi = out["winsorise"]
        if not 0.0 <= lo < hi <= 1.0:
            raise InputError(
                f"winsorise needs 0 <= lower < upper <= 1, got {out['winsorise']}",
                file=where,
                column="winsorise",
            )
    return out


def _check_common(spec: Mapping[str, Any], where: str) -> None:
    """The enums and bounds every kind shares: kind, model, cov, sample.balance, lag, products.

    ``model`` must be one of :data:`tfp_talent.estimators.panel.MODELS`, every ``cov`` one of
    :data:`tfp_talent.estimators.inference.COVS` (at least one), ``lag`` and ``leads`` >= 0, and every
    product a list of two or more variables; raises :class:`InputError` at ``where`` otherwise.
    """
    check_choice(spec["kind"], list(KINDS), what="kind", where=where, column="kind")
    check_choice(spec["model"], MODELS, what="estimator (model)", where=where, column="model")
    bad_cov = [c for c in spec["cov"] if c not in COVS]
    if bad_cov or not spec["cov"]:
        raise InputError(
            f"unknown covariance type {', '.join(map(repr, bad_cov)) or '(none given)'}; use one of {', '.join(COVS)}",
            file=where,
            column="cov",
        )
    check_choice(spec["sample"]["balance"], BALANCE, what="balance", where=where, column="sample.balance")
    if int(spec["lag"]) < 0:
        raise InputError(f"lag must be >= 0, got {spec['lag']}", file=where, column="lag")
    if int(spec["leads"]) < 0:
        raise InputError(f"leads must be >= 0, got {spec['leads']}", file=where, column="leads")
    for pair in spec["products"]:
        if not isinstance(pair, (list, tuple)) or len(pair) < 2:
            raise InputError(
                f"each product needs at least two variables, got {pair!r}", file=where, column="products"
            )


def design_of(spec: Mapping[str, Any]) -> Design:
    """Terms of a normalised spec (talent lagged ``lag`` years, products formed, the kind's own terms).

    With ``lag: k`` > 0 each talent variable x becomes ``Lk.x``; ``leads: m`` appends ``F1.x`` ...
    ``Fm.x`` of every talent variable (placebo leads, tested jointly by the panel runner); each
    ``products`` pair [a, b] becomes the term ``a×b`` (:func:`~tfp_talent.study.terms.product_term`;
    products are of the unlagged variables as written). The kind's ``design`` then adds or moves
    terms, and the ``sample.require`` terms join :attr:`~tfp_talent.study.terms.Design.extra`.
    """
    k = int(spec["lag"])
    talent = [f"L{k}.{t}" if k > 0 else t for t in spec["talent"]]
    talent += [f"F{j}.{t}" for j in range(1, int(spec["leads"]) + 1) for t in spec["talent"]]  # placebo leads
    products = [product_term(pair) for pair in spec["products"]]
    design = Design(y=str(spec["y"]), talent=talent, products=products, controls=list(spec["controls"]))
    KINDS[spec["kind"]].design(spec, design)
    design.extra = list(dict.fromkeys([*design.extra, *as_list(spec["sample"].get("require") or [])]))
    return design
