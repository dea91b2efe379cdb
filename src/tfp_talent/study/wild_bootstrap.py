"""Wild cluster bootstrap p-values as the study's primary inference for the talent coefficients.

With 31 provinces the cluster-robust t-test over-rejects (Cameron, Gelbach & Miller 2008;
MacKinnon & Webb 2017). Every fixed-effects panel spec (kind ``panel``, model ``fe``, SEs
clustered by province) therefore also gets the WCR bootstrap-t of Roodman, MacKinnon, Nielsen &
Webb (2019) for each tested coefficient (:meth:`tfp_talent.estimators.results.PanelResult.wildboottest`),
stored in its clustered result::

    results.clustered.extra.wild_bootstrap = {term: {p_value, conf_int, reps, weights, seed, ...}}

Settings (config ``inference: wild_bootstrap:``, defaults :data:`WILD_BOOTSTRAP_DEFAULTS`, the
same values as ``config/schema.yaml``): ``reps`` replications, ``weights`` (``webb`` or
``rademacher``), ``terms`` (the roles tested: ``talent``, ``products``, ``controls``), ``level``
of the confidence set (test inversion), ``contrasts`` (pairs [a, b] of terms whose standardised
difference d = b_a s_a − b_b s_b, s the within-province SD of the estimation sample, is tested too;
stored as ``results.clustered.extra.wild_bootstrap_contrasts["a - b"]``). A spec switches it off with
``wild_bootstrap: false``.

Seed: the config ``seed`` for every spec and term. The draws depend only on the seed and the
number of clusters (the clusters are taken in an order defined by their data, not their labels),
so a result does not depend on the order of the specs, the rows, or the province codes; two specs
on the same provinces use the same weight draws, as a joint (Romano–Wolf-type) procedure would.

The test (WCR, "restricted" wild cluster bootstrap-t, as Stata's ``boottest``): impose H0 on the
fixed-effects regression, draw one weight v_g per province for each replication (Rademacher ±1, or
Webb's six-point distribution ±√0.5, ±1, ±√1.5), form y* = Xb̃ + v_g ẽ from the restricted fit, and
compare the cluster-robust t* of each replication with the original t; p = share of |t*| > |t|
(symmetric). The interval inverts the test over the hypothesised value. The computation is in
:mod:`tfp_talent.estimators.wild_bootstrap` via ``PanelResult.wildboottest``.

References: Cameron, Gelbach & Miller (2008), "Bootstrap-based improvements for inference with
clustered errors", Rev. Econ. Stat. 90(3), 414-427; MacKinnon & Webb (2017), "Wild bootstrap
inference for wildly different cluster sizes", J. Appl. Econometrics 32(2), 233-254; Roodman,
MacKinnon, Nielsen & Webb (2019), "Fast and wild: bootstrap inference in Stata using boottest",
Stata Journal 19(1), 4-60.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tfp_talent.errors import InputError

if TYPE_CHECKING:
    from tfp_talent.estimators.results import PanelResult
    from tfp_talent.study.sample import AnalysisFrame

WILD_BOOTSTRAP_DEFAULTS: dict[str, Any] = {
    "reps": 9999,
    "weights": "webb",
    "terms": ["talent"],
    "level": 0.95,
    "contrasts": [],
}
TERM_ROLES = ("talent", "products", "controls")
#: the covariance whose result carries the bootstrap (the bootstrap imposes its cluster dimension)
BOOTSTRAP_COV = "clustered"
#: models and cluster dimensions the bootstrap applies to (FE with one cluster dimension)
BOOTSTRAP_MODELS = ("fe",)
BOOTSTRAP_CLUSTERS = ("entity",)


def wild_bootstrap_settings(inference: Mapping[str, Any] | None) -> dict[str, Any]:
    """``inference.wild_bootstrap`` of the config with the defaults filled in (and checked).

    ``inference`` is the config's ``inference:`` block (None or without ``wild_bootstrap``: all
    defaults). Keys given replace the defaults one by one. Raises :class:`InputError` (file
    ``inference.wild_bootstrap``, column ``terms``) for a role outside :data:`TERM_ROLES`.
    """
    out = copy.deepcopy(WILD_BOOTSTRAP_DEFAULTS)
    out.update(dict((inference or {}).get("wild_bootstrap") or {}))
    unknown = [r for r in out["terms"] if r not in TERM_ROLES]
    if unknown:
        raise InputError(
            f"unknown term role(s) {', '.join(map(repr, unknown))}; use {', '.join(TERM_ROLES)}",
            file="inference.wild_bootstrap",
            column="terms",
        )
    return out


def applies(spec: Mapping[str, Any], cov: str) -> bool:
    """True if the clustered result of a spec gets the bootstrap (switched on, FE, entity clusters).

    ``cov``: covariance name, see :mod:`tfp_talent.estimators.inference`. Requires spec key
    ``wild_bootstrap`` true (the default), ``cov`` equal to :data:`BOOTSTRAP_COV`, ``model`` in
    :data:`BOOTSTRAP_MODELS` and ``cluster`` in :data:`BOOTSTRAP_CLUSTERS`.
    """
    return (
        bool(spec.get("wild_bootstrap", True))
        and cov == BOOTSTRAP_COV
        and spec["model"] in BOOTSTRAP_MODELS
        and spec["cluster"] in BOOTSTRAP_CLUSTERS
    )


def tested_terms(af: AnalysisFrame, roles: list[str]) -> list[str]:
    """The regressors of the roles tested (talent terms after lags and region interactions, ...).

    ``roles`` are names of :data:`TERM_ROLES` (``inference.wild_bootstrap.terms``), taken in that order;
    terms that are not regressors of the estimated model, or already listed, are skipped.
    """
    by_role = {"talent": af.talent_terms, "products": af.design.products, "controls": af.design.controls}
    out: list[str] = []
    for role in roles:
        out += [t for t in by_role[role] if t in af.regressors and t not in out]
    return out


def wild_bootstrap_block(
    res: PanelResult, terms: list[str], settings: Mapping[str, Any], seed: int
) -> dict[str, dict[str, Any]]:
    """``{term: WildBootstrapResult.to_dict()}`` (H0: coefficient = 0, symmetric p) for every term.

    ``settings`` from :func:`wild_bootstrap_settings` (``reps``, ``weights``, ``level``); every term
    uses the same ``seed``, hence the same weight draws. Each entry holds at least ``p_value``,
    ``conf_int``, ``reps``, ``weights`` and ``seed`` (read by :mod:`tfp_talent.study.multiple_testing`
    and :mod:`tfp_talent.study.hypotheses`).
    """
    block: dict[str, dict[str, Any]] = {}
    for term in terms:
        wb = res.wildboottest(
            term,
            seed=int(seed),
            reps=int(settings["reps"]),
            weights=str(settings["weights"]),
            level=float(settings["level"]),
        )
        block[term] = wb.to_dict()
    return block


def contrast_key(a: str, b: str) -> str:
    """Key of the standardised contrast of terms ``a`` and ``b`` in ``wild_bootstrap_contrasts``."""
    return f"{a} - {b}"


def wild_bootstrap_contrasts(
    res: PanelResult, af: AnalysisFrame, settings: Mapping[str, Any], seed: int
) -> dict[str, dict[str, Any]]:
    """``{"a - b": {...}}``: WCR test of b_a s_a − b_b s_b = 0 for each configured pair in the model.

    s = within-province SD in the estimation sample (:func:`tfp_talent.study.transforms.within_sd`,
    the scale of the economic magnitudes), so the contrast compares the effects of a one within-SD
    change of each measure; the weights are stored with the result (``scales``).

    The restriction is c'β = 0 with c_a = s_a, c_b = −s_b. A pair is skipped when either term is not a
    regressor of the estimated model (e.g. a variable of another spec). Each entry is
    ``{"terms": [a, b], "scales": [s_a, s_b], **WildBootstrapResult.to_dict()}``.
    """
    from tfp_talent.study.common import ENTITY
    from tfp_talent.study.transforms import within_sd

    out: dict[str, dict[str, Any]] = {}
    for a, b in settings.get("contrasts") or []:
        if a not in af.regressors or b not in af.regressors:
            continue
        s = within_sd(af.frame, [a, b], entity=ENTITY)
        wb = res.wildboottest(
            {a: s[a], b: -s[b]},
            seed=int(seed),
            reps=int(settings["reps"]),
            weights=str(settings["weights"]),
            level=float(settings["level"]),
        )
        out[contrast_key(a, b)] = {"terms": [a, b], "scales": [s[a], s[b]], **wb.to_dict()}
    return out
