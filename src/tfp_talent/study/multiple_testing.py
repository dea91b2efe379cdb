"""Multiple-testing control over a family of talent coefficients (table kind ``multiple_testing``).

The family: every wild-bootstrapped coefficient (``results.clustered.extra.wild_bootstrap``,
:mod:`tfp_talent.study.wild_bootstrap`) of the specs listed as ``columns`` of the table entry.
From their wild cluster bootstrap p-values p_1..p_m two adjustments are computed:

* **Holm (1979)** step-down adjusted p-values (family-wise error rate):
  with p_(1) ≤ … ≤ p_(m), p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j)).
* **Sharpened FDR q-values** (false discovery rate): the two-stage procedure of Benjamini,
  Krieger & Yekutieli (2006, Biometrika 93(3)) as computed by Anderson (2008, JASA 103(484),
  and his Stata code ``fdr_sharpened_qvalues.do``). For a level q: stage 1 is Benjamini–Hochberg at
  q' = q/(1 + q), rejecting the r_1 smallest p-values, r_1 the largest rank r with
  p_(r) ≤ q'·r/m; stage 2 is Benjamini–Hochberg at q'' = q'·m/(m − r_1) (all rejected if
  r_1 = m). The q-value of a hypothesis is the smallest q on the grid 0.001, 0.002, …, 1 at
  which it is rejected (1 if never). Ties keep the order of the family (Stata's ``sort``). The
  grid is k/1000 exactly (Anderson's loop subtracts 0.001 in floating point).

Both use the wild bootstrap p-values, so the family is tested with the primary inference of
:mod:`tfp_talent.study.wild_bootstrap`; the unadjusted cluster-robust t p-values are shown for
comparison. Holm controls P(any false rejection) ≤ α under any dependence; the sharpened q-values
control the expected share of false rejections among the rejections (BKY 2006 prove it under
independence; their simulations support it under positive dependence).

References: Holm, S. (1979), "A simple sequentially rejective multiple test procedure", Scand. J.
Statist. 6(2), 65-70; Benjamini, Y., Krieger, A. M. & Yekutieli, D. (2006), "Adaptive linear
step-up procedures that control the false discovery rate", Biometrika 93(3), 491-507; Anderson,
M. L. (2008), "Multiple inference and gender differences in the effects of early intervention",
JASA 103(484), 1481-1495.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tfp_talent.errors import InputError
from tfp_talent.report.tables import Cell, Section, Table, fmt_int, fmt_number, stars_for
from tfp_talent.study.labels import term_label
from tfp_talent.study.results import entry_table, pick_result

FDR_GRID = 1000  # q-values on the grid k / FDR_GRID, as Anderson (2008)
DEFAULT_LEVEL = 0.10  # the level of the "survives" counts (schema: tables.*.level)


def holm_adjusted(p: Sequence[float]) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values (formula in the module docstring).

    Returns an array in the order of ``p``; ties are ranked in their order in ``p`` (stable sort),
    which does not change the adjusted values. ``[0.01, 0.04, 0.03]`` -> ``[0.03, 0.06, 0.06]``.
    """
    pv = np.asarray(p, dtype=float)
    m = pv.size
    order = np.argsort(pv, kind="stable")
    adj = np.minimum(1.0, (m - np.arange(m)) * pv[order])
    out = np.empty(m)
    out[order] = np.maximum.accumulate(adj)
    return out


def _bh_rejections(p_sorted: np.ndarray, level: float) -> int:
    """Benjamini–Hochberg: the largest rank r with p_(r) ≤ level·r/m (0 if none)."""
    m = p_sorted.size
    ok = np.flatnonzero(p_sorted <= level * np.arange(1, m + 1) / m)
    return int(ok[-1] + 1) if ok.size else 0


def sharpened_qvalues(p: Sequence[float], grid: int = FDR_GRID) -> np.ndarray:
    """Anderson's (2008) sharpened FDR q-values of BKY (2006) (module docstring).

    ``grid``: the q-values are multiples of 1/grid (default :data:`FDR_GRID` = 1000, Anderson's
    step 0.001); the loop runs from q = 1 down, so each hypothesis keeps the smallest q at which the
    two-stage procedure still rejects it. Returns an array in the order of ``p`` (empty for empty
    ``p``). Raises :class:`InputError` when a p-value lies outside [0, 1].
    """
    pv = np.asarray(p, dtype=float)
    m = pv.size
    if m == 0:
        return pv.copy()
    if not np.all((pv >= 0) & (pv <= 1)):
        raise InputError("p-values must lie in [0, 1]")
    order = np.argsort(pv, kind="stable")
    p_sorted = pv[order]
    q_sorted = np.ones(m)
    for k in range(grid, 0, -1):
        q = k / grid
        q1 = q / (1.0 + q)
        r1 = _bh_rejections(p_sorted, q1)
        r2 = m if r1 == m else _bh_rejections(p_sorted, q1 * m / (m - r1))
        q_sorted[:r2] = q
    out = np.empty(m)
    out[order] = q_sorted
    return out


def ordered_block(block: Mapping[str, Any], spec_result: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The bootstrap block's (term, result) pairs in the spec's order of roles (JSON files sort keys).

    Order: the ``roles`` of the result (talent, then products, then controls); terms not among them
    go last.
    """
    roles = spec_result.get("roles") or {}
    order = [t for key in ("talent", "products", "controls") for t in roles.get(key) or []]
    return sorted(block.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


def family(
    entry: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], *, where: str
) -> list[dict[str, Any]]:
    """One dict per coefficient of the family: spec, label, term, coef, p_cluster, p_wild, holm, q.

    ``entry`` is the table entry (``tables.<name>``); each of its ``columns`` names a ``spec`` (and
    optionally ``cov``, default ``clustered``, and ``label``). The family is every wild-bootstrapped
    term of those results, in column order; each dict also carries ``weights`` and ``reps`` of its
    bootstrap. ``holm`` and ``q`` are computed over the whole family. Raises :class:`InputError`
    (``where``) for a spec without wild bootstrap p-values, or as
    :func:`~tfp_talent.study.results.pick_result`.
    """
    rows: list[dict[str, Any]] = []
    for col in entry["columns"]:
        ref = {"spec": col["spec"], "cov": col.get("cov") or "clustered"}
        res = pick_result(results, ref, where=where)
        block = (res.get("extra") or {}).get("wild_bootstrap")
        if not block:
            raise InputError(
                f"spec '{col['spec']}' has no wild cluster bootstrap p-values (a fixed-effects panel spec "
                "clustered by province, with wild_bootstrap on, has them)",
                file=where,
            )
        label = col.get("label") or results[col["spec"]]["label"]
        for term, wb in ordered_block(block, results[col["spec"]]):
            rows.append(
                {
                    "spec": col["spec"],
                    "label": label,
                    "term": term,
                    "coef": float(res["params"][term]),
                    "p_cluster": float(res["pvalues"][term]),
                    "p_wild": float(wb["p_value"]),
                    "weights": wb["weights"],
                    "reps": int(wb["reps"]),
                }
            )
    p = [r["p_wild"] for r in rows]
    for r, h, q in zip(rows, holm_adjusted(p), sharpened_qvalues(p), strict=True):
        r["holm"], r["q"] = float(h), float(q)
    return rows


def survivors(rows: Sequence[Mapping[str, Any]], level: float) -> dict[str, int]:
    """How many coefficients have p < level: unadjusted cluster t, wild bootstrap, Holm, and q ≤ level.

    Keys ``m`` (family size), ``cluster``, ``wild``, ``holm`` and ``fdr``, the counts the table note
    states.
    """
    return {
        "m": len(rows),
        "cluster": sum(r["p_cluster"] < level for r in rows),
        "wild": sum(r["p_wild"] < level for r in rows),
        "holm": sum(r["holm"] < level for r in rows),
        "fdr": sum(r["q"] <= level for r in rows),
    }


def multiple_testing_table_from_config(
    name: str, entry: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> Table:
    """Table of the family: per coefficient b (stars from the wild p), cluster-t p, wild p, Holm p, q.

    Table kind ``multiple_testing``: one section per spec (titled with its label), one row per
    coefficient; notes state the family, the bootstrap runs (weights, replications), the adjustments
    and the counts of :func:`survivors` at the entry's ``level`` (default :data:`DEFAULT_LEVEL`,
    0.10). ``labels`` are ``report.labels``.
    """
    where = f"tables.{name}"
    rows = family(entry, results, where=where)
    level = float(entry.get("level", DEFAULT_LEVEL))
    sections: list[Section] = []
    for spec in dict.fromkeys(r["spec"] for r in rows):
        mine = [r for r in rows if r["spec"] == spec]
        body: list[list[str | Cell]] = [
            [
                term_label(r["term"], labels),
                Cell(fmt_number(r["coef"], 3), stars_for(r["p_wild"])),
                fmt_number(r["p_cluster"], 3),
                fmt_number(r["p_wild"], 3),
                fmt_number(r["holm"], 3),
                fmt_number(r["q"], 3),
            ]
            for r in mine
        ]
        sections.append(Section(body, title=mine[0]["label"]))
    n = survivors(rows, level)
    runs = "; ".join(
        f"{w.capitalize()} weights, {fmt_int(b)} replications"
        for w, b in dict.fromkeys((r["weights"], r["reps"]) for r in rows)
    )
    pct = f"{100 * level:g}%"
    notes = [
        f"Family: the {n['m']} talent coefficients of the {len(sections)} fixed-effects specifications shown "
        f"(SEs clustered by province). Wild cluster bootstrap p-values: WCR bootstrap-t (Roodman et al. 2019), {runs}; "
        "stars from them (* p < 0.1, ** p < 0.05, *** p < 0.01).",
        "Holm: step-down adjusted p-values controlling the family-wise error rate (Holm 1979). q: sharpened "
        "false-discovery-rate q-values (Benjamini, Krieger and Yekutieli 2006, as computed by Anderson 2008), "
        "both from the wild bootstrap p-values.",
        f"At {pct}: {n['cluster']} of {n['m']} coefficients have a cluster-robust t-test p below {pct}, "
        f"{n['wild']} a wild bootstrap p below {pct}, {n['holm']} a Holm-adjusted p below {pct}, and "
        f"{n['fdr']} a q-value of at most {pct:s}.",
    ]
    header = [
        [("Coefficient", 1), ("p, cluster t", 1), ("p, wild bootstrap", 1), ("Holm p", 1), ("FDR q", 1)]
    ]
    return entry_table(name, entry, header=header, sections=sections, notes=notes)
