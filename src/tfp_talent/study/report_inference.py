"""Report text on inference with few clusters: wild bootstrap against cluster-t p-values, multiple testing.

Every number comes from the results files: the wild cluster bootstrap block of the headline spec
(``results.clustered.extra.wild_bootstrap``, :mod:`tfp_talent.study.wild_bootstrap`) and the family of
the first ``tables:`` entry whose kind has report text here (:data:`TABLE_CONTEXT`, kind
``multiple_testing``, :mod:`tfp_talent.study.multiple_testing`). Template keys: ``inference_wild_text``
and ``inference_fdr_text``.

Statistics reported, none recomputed here: the WCR wild cluster bootstrap-t p-value of H0: β = 0
(restricted residuals, Webb or Rademacher weights drawn per province; Roodman, MacKinnon, Nielsen and
Webb 2019, as Stata's ``boottest``) and its confidence set by test inversion, beside the
cluster-robust t-test p with G − 1 degrees of freedom; for the family of m coefficients, the counts
with p < level (cluster t, wild), with Holm-adjusted p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j))
< level, and with sharpened q-value ≤ level (Benjamini, Krieger and Yekutieli 2006; Anderson 2008).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tfp_talent.report.tables import fmt_int, fmt_number
from tfp_talent.study.labels import term_label
from tfp_talent.study.multiple_testing import DEFAULT_LEVEL, family, ordered_block, survivors
from tfp_talent.study.results import pick_result


def _ci(v: Mapping[str, Any]) -> str:
    """'[lo, hi]' of a wild bootstrap entry's ``conf_int``, 3 decimals."""
    lo, hi = v["conf_int"]
    return f"[{fmt_number(lo, 3)}, {fmt_number(hi, 3)}]"


def wild_text(
    config: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> str:
    """Wild bootstrap vs cluster-robust t p-values of the headline spec's tested terms (one paragraph).

    Reads ``extra.wild_bootstrap`` of the clustered result of ``report.headline.spec``: per term
    (in the spec's role order) the wild p, the cluster-t p and the confidence set at the stored
    level, with the number of clusters, weights, replications and seed of the first term. Without
    a bootstrap block, a sentence that the p-values are cluster-robust t-tests. Raises
    :class:`InputError` when the headline spec has no clustered result.

    The paragraph also states why: with only G (``n_clusters``) provinces the cluster-robust t
    over-rejects (Cameron, Gelbach and Miller 2008; MacKinnon and Webb 2017), so the wild p is the
    primary inference of the fixed-effects tables and the Driscoll–Kraay SEs a robustness table.
    Template key ``inference_wild_text``; ``labels``: variable → report label.
    """
    head = (config.get("report") or {}).get("headline") or {"spec": "baseline"}
    res = pick_result(results, {"spec": head["spec"], "cov": "clustered"}, where="report")
    block = (res.get("extra") or {}).get("wild_bootstrap") or {}
    if not block:
        return (
            "The headline specification has no wild cluster bootstrap p-values (it is not a fixed-effects "
            "panel clustered by province, or the bootstrap is switched off); its p-values are cluster-robust t-tests."
        )
    first = next(iter(block.values()))
    parts = [
        f"{term_label(t, labels).lower() if t in labels else t} {fmt_number(v['p_value'], 3)} "
        f"(cluster-robust t-test: {fmt_number(res['pvalues'][t], 3)}; {100 * v['level']:g}% confidence set {_ci(v)})"
        for t, v in ordered_block(block, results[head["spec"]])
    ]
    return (
        f"With only {first['n_clusters']} provinces as clusters, cluster-robust t-tests over-reject "
        "(Cameron, Gelbach and Miller 2008; MacKinnon and Webb 2017). The primary p-values of the "
        "fixed-effects tables are therefore wild cluster restricted bootstrap p-values (Roodman et al. 2019; "
        f"{str(first['weights']).capitalize()} weights, {fmt_int(first['reps'])} replications, seed {first['seed']}), "
        "with the cluster-robust standard errors kept in parentheses; the Driscoll–Kraay standard errors, "
        "which need many years, are a robustness table. For the baseline, the wild bootstrap p-values are: "
        + "; ".join(parts)
        + "."
    )


def _count(n: int, one: str, many: str) -> str:
    """'none have' / '1 has' / 'n have': a count with the verb or noun in the right number."""
    return f"{'none' if n == 0 else n} {one if n == 1 else many}"


def multiple_testing_text(
    entry: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> str:
    """How many talent coefficients of the family are significant before and after the corrections.

    ``entry``: the ``tables:`` entry of kind ``multiple_testing`` (its ``columns`` define the family,
    its ``level`` the threshold, default :data:`~tfp_talent.study.multiple_testing.DEFAULT_LEVEL`);
    counts from :func:`~tfp_talent.study.multiple_testing.survivors` (module docstring). Raises
    :class:`InputError` if a column's spec has no wild bootstrap block.

    Reported: m (the family size), the number of fixed-effects specs, the counts with cluster-t p and
    wild p below the level, with sharpened q ≤ level (FDR) and with Holm-adjusted p below it (FWER).
    Template key ``inference_fdr_text``.

    Holm controls the probability of any false rejection in the family; the sharpened q-values control
    the expected share of false rejections among the rejections, so more coefficients may survive them.
    """
    rows = family(entry, results, where="report")
    level = float(entry.get("level", DEFAULT_LEVEL))
    n = survivors(rows, level)
    n_specs = len({r["spec"] for r in rows})
    pct = f"{100 * level:g}%"
    return (
        f"Across the family of {n['m']} talent coefficients in {n_specs} fixed-effects specifications, "
        f"{_count(n['cluster'], 'has', 'have')} a cluster-robust t-test p-value below {pct} and "
        f"{_count(n['wild'], 'has', 'have')} a wild bootstrap p-value below {pct}. Controlling the false "
        "discovery rate over the family (sharpened q-values of Benjamini, Krieger and Yekutieli 2006, as in "
        f"Anderson 2008), {_count(n['fdr'], 'coefficient survives', 'coefficients survive')} at {pct}; "
        f"with Holm's family-wise correction, {_count(n['holm'], 'does', 'do')}."
    )


#: Report text of a table kind, from the first ``tables:`` entry of that kind: (entry, results, labels) -> ctx.
TABLE_CONTEXT: dict[
    str, Callable[[Mapping[str, Any], Mapping[str, Mapping[str, Any]], Mapping[str, str]], dict[str, str]]
] = {
    "multiple_testing": lambda e, res, lab: {"inference_fdr_text": multiple_testing_text(e, res, lab)},
}


def inference_context(
    config: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> dict[str, str]:
    """``inference_wild_text`` and ``inference_fdr_text`` (empty if no multiple-testing table is configured).

    The second key (and any other of :data:`TABLE_CONTEXT`) comes from the first ``tables:`` entry of
    its kind; ``labels``: variable → report label.
    """
    ctx = {"inference_wild_text": wild_text(config, results, labels), "inference_fdr_text": ""}
    done: set[str] = set()
    for entry in (config.get("tables") or {}).values():
        kind = entry.get("kind")
        if kind in TABLE_CONTEXT and kind not in done:
            ctx.update(TABLE_CONTEXT[kind](entry, results, labels))
            done.add(kind)
    return ctx
