"""Picking numbers out of the loaded results files (one dict per spec).

``results`` everywhere here is ``{spec name: result dict}``, the ``reports/results/<spec>.json``
files written by :func:`~tfp_talent.study.run.run_spec`, loaded in config order. A reference to
one regression is a table or figure column of the config, ``{spec, cov, model, label}``
(``$defs/column`` of ``config/schema.yaml``): ``cov`` a covariance name (see
:mod:`tfp_talent.estimators.inference`), ``model`` a sub-model of kinds that have several
(``fe`` / ``re`` of kind hausman, :attr:`tfp_talent.study.spec.Kind.models`).
Threshold helpers read the ``threshold`` block of kind threshold (Hansen 1999; Wang 2015).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tfp_talent.errors import InputError
from tfp_talent.report.tables import Section, Table
from tfp_talent.study.labels import labels_for, sample_note, term_label
from tfp_talent.study.spec import KINDS


def _kinds_with_models() -> str:
    """``"kind hausman has fe and re"``: the kinds with sub-models, for error messages."""
    return "; ".join(
        f"kind {name} has {' and '.join(kind.models)}" for name, kind in KINDS.items() if kind.models
    )


def pick_result(
    results: Mapping[str, Mapping[str, Any]], ref: Mapping[str, Any], *, where: str
) -> dict[str, Any]:
    """The result dict of ``{spec, cov, model}`` from the loaded results files (cov: the first one if unset).

    Without ``model`` the spec's ``results`` are searched, with it ``models[model]``. Returns a copy
    of one ``PanelResult.to_dict()``-style dict (params, std_errors, pvalues, ...).

    Raises
    ------
    InputError
        Naming ``where`` (the config entry): no results file for the spec, no such model, no
        regression results (kinds threshold, gmm, spatial), or no result with that ``cov``.
    """
    name = ref["spec"]
    if name not in results:
        raise InputError(f"no results file for spec '{name}'", file=where)
    res = results[name]
    model = ref.get("model")
    if model is not None:
        pool = (res.get("models") or {}).get(model)
        if pool is None:
            raise InputError(
                f"spec '{name}' has no model '{model}' (only {_kinds_with_models()})", file=where
            )
    else:
        pool = res.get("results")
        if not pool:
            raise InputError(f"spec '{name}' (kind {res.get('kind')}) has no regression results", file=where)
    cov = ref.get("cov") or next(iter(pool))
    if cov not in pool:
        raise InputError(
            f"spec '{name}' has no results with cov '{cov}' (it has {', '.join(pool)})", file=where
        )
    return dict(pool[cov])


def entry_table(
    name: str,
    entry: Mapping[str, Any],
    *,
    header: list[list[tuple[str, int]]],
    sections: list[Section],
    notes: list[str],
    stub_header: str = "",
) -> Table:
    """The table of ``tables.<name>``: the entry's title, label ``tab:<name>``, ``notes``, then the entry's.

    ``header`` (rows of (text, column span)), ``sections`` and ``stub_header`` are passed to
    :class:`tfp_talent.report.tables.Table` unchanged.
    """
    return Table(
        title=entry["title"],
        header=header,
        sections=sections,
        notes=[*notes, *(entry.get("notes") or [])],
        label=f"tab:{name}",
        stub_header=stub_header,
    )


def columns_table(
    name: str,
    entry: Mapping[str, Any],
    picked: list[dict[str, Any]],
    specs: list[Mapping[str, Any]],
    *,
    keep: list[str],
    extra_rows: list[tuple[str, list[Any]]],
    notes: list[str],
    labels: Mapping[str, str],
) -> Table:
    """The regression table of ``tables.<name>`` whose columns are the results ``picked`` of ``specs``.

    Column labels from the entry's columns (else the spec's label), rows ``keep`` in that order, N and
    provinces, then ``extra_rows``; notes: each column's estimation sample, ``notes``, the entry's own.

    ``picked`` are the regression dicts (:func:`pick_result`) and ``specs`` the whole results of the
    same columns, in the order of ``entry["columns"]``. Built by
    :func:`tfp_talent.report.regression_table.regression_table` without fixed-effect or covariance
    rows (the notes say them); the dependent variables and ``keep`` rows are labelled with
    :func:`~tfp_talent.study.labels.term_label`.
    """
    from tfp_talent.report.regression_table import regression_table

    sample_notes = [
        f"Column ({i + 1}): {sample_note(s, labels=labels, named=False)}" for i, s in enumerate(specs)
    ]
    return regression_table(
        picked,
        column_labels=[c.get("label") or s["label"] for c, s in zip(entry["columns"], specs, strict=True)],
        depvar_labels={s["y"]: term_label(s["y"], labels) for s in specs},
        variable_labels=labels_for(keep, labels),
        keep=keep,
        order=keep,
        stats=("nobs", "n_entities"),
        fe_rows=False,
        cov_row=False,
        extra_rows=extra_rows,
        notes=[*sample_notes, *notes, *(entry.get("notes") or [])],
        title=entry["title"],
        label=f"tab:{name}",
        units=("Province", "Provinces", "Year"),
        source=f"tables.{name}",
    )


def first_of_kind(results: Mapping[str, Mapping[str, Any]], kind: str) -> Mapping[str, Any] | None:
    """The first result (in the order of the results files) of spec kind ``kind``, or None."""
    return next((r for r in results.values() if r.get("kind") == kind), None)


def selected_thresholds(result: Mapping[str, Any], *, alpha: float = 0.10) -> int:
    """Number of thresholds chosen by sequential bootstrap tests at ``alpha`` (0 if the first fails).

    k̂ = the largest k such that the tests of 0 vs 1, ..., k−1 vs k thresholds all have p < alpha
    (Hansen 1999, §3.3; Wang 2015, Stata Journal 15(1)).

    Reads ``p_value`` ({"1": p, "2": p, ...}) of the threshold block; a missing or non-finite p stops
    the sequence. ``alpha = 0.10`` is the 10 % level of Wang's ``xthreg`` examples.
    """
    k = 0
    p = result.get("p_value") or {}
    for i in sorted(int(j) for j in p):
        pv = p[str(i)]
        if pv is not None and math.isfinite(pv) and pv < alpha:
            k = i
        else:
            break
    return k


def lr_curves(thr: Mapping[str, Any]) -> tuple[list[tuple[list[float], list[float]]], list[float]]:
    """LR(γ) curves of the thresholds of the model shown (k̂, at least 1), one per threshold, and the γ̂.

    LR(γ) = (S(γ) − S(γ̂))/σ̂² over the grid (Hansen 1999, eq. 18); γ̂ lies where it is 0 and the
    interval where it is below c = −2 ln(1 − √level) (7.35 at 95 %). Each γ̂ of model k̂ is matched to the
    stage (``lr`` keys "1", "2", "2r", ...) whose estimate equals it (to 1e-9); returns
    ``([(gamma grid, lr values), ...], [γ̂, ...])``. Raises :class:`InputError` when no stage matches.
    """
    k_show = max(1, selected_thresholds(thr))
    gammas = [float(g) for g in thr["models"][str(k_show)]["thresholds"]]
    lr = dict(thr.get("lr") or {})
    # the single-threshold model shows its own stage ("1"), not the refined double-threshold curve "2r"
    # whose estimate may coincide with it (Hansen 1999, §3.2: each stage has its own LR(γ))
    stages = ["1"] if k_show == 1 and "1" in lr else list(lr)
    out = []
    for g in gammas:
        cands = [lr[s] for s in stages if math.isclose(float(lr[s]["estimate"]), g, rel_tol=0, abs_tol=1e-9)]
        if not cands:
            raise InputError(f"no LR curve for threshold {g}", file="threshold result")
        c = cands[-1]
        out.append((list(c["gamma"]), list(c["lr"])))
    return out, gammas


def lr_titles(thr: Mapping[str, Any], n_curves: int) -> list[str] | None:
    """Panel titles of the LR figure with the bootstrap p-value of the test that selects each threshold.

    The test of k − 1 against k thresholds (``p_value[k]``); "(n.s.)" marks p ≥ 0.10, so an
    insignificant threshold is not headlined as a finding (:func:`lr_note` explains both).
    """
    p = thr.get("p_value") or {}
    if n_curves == 1:
        heads = ["Single threshold"]
    else:
        heads = [f"Threshold {j + 1} of {n_curves}" for j in range(n_curves)]
    out = []
    for j, head in enumerate(heads):
        pv = p.get(str(j + 1))
        if pv is None or not math.isfinite(float(pv)):
            out.append(head)
            continue
        tail = " (n.s.)" if float(pv) >= 0.10 else ""
        out.append(f"{head}, p = {float(pv):.3f}{tail}")
    return out


def lr_note(thr: Mapping[str, Any]) -> str:
    """Figure note explaining the p-values of :func:`lr_titles`."""
    reps = sorted({int(r) for r in ((thr.get("bootstrap") or {}).get("replications") or {}).values()})
    how = f", {'/'.join(f'{r:,}' for r in reps)} reps" if reps else ""
    return f"p: bootstrap test of k − 1 vs k thresholds (Hansen 1999{how}); n.s.: not significant at 10%."
