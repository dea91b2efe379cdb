"""The report's sentences on talent–industry mismatch and the NQPF index (issue 13), computed from the results.

Reads the results of the specs that use the indices file (``indices: true``, which record the
weights, coverage and correlations of rule ``indices`` under ``indices``): the spec with ``mismatch``
among its talent terms and the spec whose dependent variable is ``nqpf``. Which is which is read off
the results (roles, y), never off spec names. Every key of :data:`KEYS` is always returned
(``not estimated in this run`` when a piece is absent), so the template renders with any config;
a null (an undefined correlation) is written as "not defined", never as a number.

The indices (rule ``indices``, :mod:`tfp_talent.indices`): each subsystem k (talent, industry) has a
global entropy index U_k = Σ_j w_j z_ij, the entropy weights w_j = d_j / Σ d estimated once over all
province-years (:mod:`tfp_talent.indices.entropy`); coupling C (``indices.form``: classic
2√(U₁U₂)/(U₁ + U₂), or Wang et al. 2021), level T = Σ a_k U_k (default a_k = 1/2), coordination
D = √(C·T) in the ten bands of 廖重斌 (1999) (band ≥ 6: D ≥ 0.5,
"barely coordinated" or better) and mismatch 1 − D (:mod:`tfp_talent.indices.coupling`). The NQPF
index is one entropy index over the indicators of three dimensions, each dimension's weight the sum of
its indicators' (:mod:`tfp_talent.indices.nqpf`). The correlations with ln TFP are Pearson's, pooled
and within provinces (both series demeaned by province).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tfp_talent.indices.derived import DERIVED
from tfp_talent.report.tables import fmt_number
from tfp_talent.study.labels import term_label

NOT_RUN = "not estimated in this run"
MISMATCH = "mismatch"
NQPF = "nqpf"
KEYS: tuple[str, ...] = (
    "indices_coverage",
    "indices_coupling_weights",
    "indices_pattern",
    "indices_mismatch",
    "indices_nqpf_weights",
    "indices_nqpf_tfp",
    "indices_nqpf_talent",
)
SYSTEM_TEXT = {"talent": "talent subsystem", "industry": "industry subsystem"}
DIMENSION_TEXT = {
    "labourers": "new-type labourers (新型劳动者)",
    "means": "means of labour (新型劳动资料)",
    "objects": "objects of labour (新型劳动对象)",
}


def _clustered(res: Mapping[str, Any]) -> Mapping[str, Any]:
    """The clustered regression result of a results file, else its first."""
    pool = res.get("results") or {}
    return pool.get("clustered") or next(iter(pool.values()))


def _years(years: Sequence[int]) -> str:
    """'first–last' of the years (one year as is, none as 'no year'); gaps are not shown."""
    ys = sorted(int(y) for y in years)
    if not ys:
        return "no year"
    return str(ys[0]) if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"


def _label(name: str, labels: Mapping[str, str]) -> str:
    """The report label of an indicator; a derived indicator without one gets its registry label.

    ``report.labels`` first; then :data:`tfp_talent.indices.derived.DERIVED` (``patents_per10k``,
    ``rd_intensity``: built on the fly by rule ``indices``); else :func:`term_label`'s default.
    """
    if name not in labels and name in DERIVED:
        return DERIVED[name].label
    return term_label(name, labels)


def _weights(weights: Mapping[str, float], labels: Mapping[str, str]) -> str:
    """'label w, ...' with the largest weight first.

    ``weights`` are the entropy weights w_j = d_j / Σ_k d_k of one subsystem or dimension (3 decimals).
    """
    order = sorted(weights.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{_label(k, labels)} {fmt_number(v, 3)}" for k, v in order)


def _corr(x: Any) -> str:
    """A correlation with 2 decimals, or 'not defined' for a stored null."""
    return "not defined" if x is None else fmt_number(x, 2)


def _pick(results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``record`` (the ``indices`` block of the first spec using the indices file), ``mismatch`` (the
    first such spec with ``mismatch`` among its talent terms) and ``nqpf`` (the first with y = nqpf)."""
    uses = [r for r in results.values() if r.get("indices")]
    mismatch = next((r for r in uses if MISMATCH in (r.get("roles") or {}).get("talent", [])), None)
    nqpf = next((r for r in uses if r.get("y") == NQPF), None)
    return {"record": uses[0]["indices"] if uses else None, "mismatch": mismatch, "nqpf": nqpf}


def _pattern(c: Mapping[str, Any]) -> str:
    """The sentence ``indices_pattern`` from the coupling record ``c``.

    Mean D in the first and last year (``D_by_year``) and its direction; the modal band and the number
    of province-years with D ≥ 0.5 (bands ≥ 6, ``bands``); mean D by region and the mean gap
    U_talent − U_industry (``D_by_region``, ``gap_by_region``); corr(U_talent, U_industry) across
    province-years; mean and minimum of C. When mean C ≥ 0.9 the text adds that D mostly tracks the
    level T (C near 1 for most province-years, so D ≈ √T).

    ``bands`` counts province-years by band number 1..10
    (:func:`tfp_talent.indices.coupling.coordination_band`), ``band_labels`` names them; the regions
    are sorted by mean D, highest first.
    """
    by_year = c["D_by_year"]
    first, last = min(by_year, key=int), max(by_year, key=int)
    bands, labels = c["bands"], c["band_labels"]
    n = sum(int(v) for v in bands.values())
    top = max(bands, key=lambda k: int(bands[k]))
    coordinated = sum(int(v) for k, v in bands.items() if int(k) >= 6)
    regions = c.get("D_by_region") or {}
    gaps = c.get("gap_by_region") or {}
    region_text = (
        "By region, mean D is "
        + ", ".join(f"{k} {fmt_number(v, 3)}" for k, v in sorted(regions.items(), key=lambda kv: -kv[1]))
        + "; the mean gap U_talent − U_industry is "
        + ", ".join(f"{k} {fmt_number(v, 3)}" for k, v in gaps.items())
        + " (positive: talent supply ahead of the industrial structure by this measure). "
        if regions
        else ""
    )
    return (
        f"Mean D {'rises' if by_year[last] > by_year[first] else 'falls' if by_year[last] < by_year[first] else 'stays'} "
        f"from {fmt_number(by_year[first], 3)} in {first} to {fmt_number(by_year[last], 3)} in {last}; "
        f"the most common band is {labels[top]} ({bands[top]} of {n} province-years), and {coordinated} "
        f"province-years reach D ≥ 0.5 (barely coordinated or better). {region_text}"
        f"The two subsystem indices correlate at {_corr(c.get('corr_u_talent_u_industry'))} across province-years; "
        f"the coupling degree C averages {fmt_number(c.get('C_mean'), 3)} (minimum {fmt_number(c.get('C_min'), 3)})"
        + (
            ", so D mostly tracks the level T of the two subsystems rather than their balance."
            if (c.get("C_mean") or 0) >= 0.9
            else "."
        )
    )


def indices_context(
    config: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> dict[str, str]:
    """The ``indices_*`` keys of the report template (:data:`KEYS`).

    ``indices_coverage`` (years and N with both indices, years without, nothing imputed);
    ``indices_coupling_weights`` (entropy weights per subsystem, largest first); ``indices_pattern``
    (:func:`_pattern`); ``indices_mismatch`` (the mismatch coefficient and the talent terms held with it,
    :func:`~tfp_talent.study.report_context.describe`, wild bootstrap p where stored);
    ``indices_nqpf_weights`` (dimensions, their weights and indicators); ``indices_nqpf_tfp`` (the
    pooled and within correlations with each ln TFP measure, the mismatch spec's y first);
    ``indices_nqpf_talent`` (talent coefficients with NQPF as the outcome; partly mechanical, since
    talent stock and quality are NQPF indicators). Every key defaults to
    :data:`NOT_RUN`. ``config`` is not read; ``labels``: variable → report label.

    The ``indices`` record (of the first spec with ``indices: true``) has ``coupling`` (``years``,
    ``years_missing``, ``nobs``, ``weights`` by subsystem, ``D_by_year``, ``bands``, ``band_labels``,
    ``D_by_region``, ``gap_by_region``, ``corr_u_talent_u_industry``, ``C_mean``, ``C_min``) and ``nqpf``
    (``dimensions``, ``weights``, ``dimension_weights``, ``years``, ``nobs``, ``tfp_correlation``).
    """
    from tfp_talent.study.report_context import describe  # the report's coefficient text (wild bootstrap p)

    ctx = dict.fromkeys(KEYS, NOT_RUN)
    pick = _pick(results)
    rec = pick["record"]
    if rec is None:
        return ctx
    c, n = rec["coupling"], rec["nqpf"]
    missing = c.get("years_missing") or []
    ctx["indices_coverage"] = (
        f"Both indices exist for {_years(c['years'])} ({c['nobs']} province-years): "
        + (
            f"in {_years(missing)} at least one indicator is missing and nothing is imputed, so those years have no index"
            if missing
            else "every year considered has every indicator"
        )
        + "."
    )
    systems = sorted(c["weights"], key=lambda s: (list(SYSTEM_TEXT).index(s) if s in SYSTEM_TEXT else 99, s))
    ctx["indices_coupling_weights"] = "; ".join(
        f"{SYSTEM_TEXT.get(s, s)}: {_weights(c['weights'][s], labels)}" for s in systems
    )
    ctx["indices_pattern"] = _pattern(c)
    mm = pick["mismatch"]
    if mm is not None:
        res = _clustered(mm)
        talent = [t for t in mm["roles"]["talent"] if t != MISMATCH]
        ctx["indices_mismatch"] = (
            f"In the baseline design on {mm['sample']['years_text']} (N = {mm['sample']['nobs']}) the coefficient on "
            f"mismatch is {describe(res, MISMATCH)}; with mismatch held fixed, "
            + "; ".join(f"{term_label(t, labels)} {describe(res, t)}" for t in talent)
            + ". Because D rises with the level of both subsystems, and the talent subsystem contains talent stock "
            "and quality, the mismatch coefficient mixes imbalance with the level of talent and of industry."
        )
    dims = n["dimensions"]
    dw = n["dimension_weights"]
    ctx["indices_nqpf_weights"] = (
        f"The NQPF index is one entropy over {sum(len(v) for v in dims.values())} indicators in {len(dims)} dimensions: "
        + "; ".join(
            f"{DIMENSION_TEXT.get(d, d)}, weight {fmt_number(dw.get(d), 3)}: "
            + _weights({k: n["weights"][k] for k in cols}, labels)
            for d, cols in dims.items()
        )
        + f" ({_years(n['years'])}, {n['nobs']} province-years)."
    )
    corr = n.get("tfp_correlation") or {}
    head_y = (pick["mismatch"] or {}).get("y", "solow_ln_tfp")  # the TFP measure of the mismatch spec first
    if corr:
        ctx["indices_nqpf_tfp"] = (
            "Its correlation with ln TFP: "
            + "; ".join(
                f"{term_label(k, labels)} {_corr(v.get('pearson'))} pooled, {_corr(v.get('within'))} within provinces "
                f"(N = {v.get('nobs')})"
                for k, v in sorted(corr.items(), key=lambda kv: (kv[0] != head_y, kv[0]))
            )
            + "."
        )
    nq = pick["nqpf"]
    if nq is not None:
        res = _clustered(nq)
        ctx["indices_nqpf_talent"] = (
            f"As an outcome in the two-way fixed-effects design ({nq['sample']['years_text']}, N = {nq['sample']['nobs']}): "
            + "; ".join(f"{term_label(t, labels)} {describe(res, t)}" for t in nq["roles"]["talent"])
            + ". The index contains talent stock and quality among its labourer indicators, so these slopes are partly "
            "mechanical and say little about productivity."
        )
    return ctx
