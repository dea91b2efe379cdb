"""The report's sentences on the shift-share instrument (1999 expansion), computed from the results.

Reads the results of the specs that use the instrument (``shift_share: true``): the first panel spec
whose talent term is the instrument and whose y is a talent regressor of an IV spec (first stage),
the IV specs instrumented by it, the other panel spec on the instrument (reduced form) and the
event-study spec. Which is which is read off the results (roles, result blocks), never off spec names.
Every key of :data:`KEYS` is always returned (``not estimated in this run`` when a piece is absent),
so the template renders with any config.

The design (:mod:`tfp_talent.data.shift_share`): instrument Z_pt = E_p × g_t, E_p a province's
pre-expansion college capacity, g_t the national expansion of college entrants lagged to graduation
(``shift_share.form`` log: g_t = ln(S_{t−lag}/S_base)). Statistics, as stored with the IV result
(``extra.weak_iv``, :mod:`tfp_talent.estimators.iv_diagnostics`):

* first stage: x_pt = π Z_pt + controls + α_p + λ_t + v_pt; reduced form: ln TFP on Z_pt likewise;
  FE-2SLS: ln TFP_pt = β x_pt + ... with x instrumented by Z (clustered by province);
* strength: the cluster-robust Kleibergen–Paap rk Wald F against the Stock–Yogo (2005) 10%
  maximal-size critical value (tabulated for i.i.d. errors) and the rule of thumb 10;
* the Anderson–Rubin (1949) test of β = 0 and the AR confidence set {β₀: AR(β₀) not rejected},
  valid however weak the instrument, possibly a union of intervals or unbounded (:func:`_ar_text`);
* magnitude: b·SD_w, SD_w the within-province SD of x in the IV sample; the AR set × SD_w;
* event study: θ_t · SD(E), θ_t of y_pt = Σ_{t≠b} θ_t E_p 1[year = t] + ... relative to the base b,
  scaled by the cross-province SD of the exposure (:func:`_event_context`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from tfp_talent.report.tables import fmt_number
from tfp_talent.study.labels import term_label
from tfp_talent.study.shift_share_tables import fmt_interval_set, identification_text

NOT_RUN = "not estimated in this run"
KEYS: tuple[str, ...] = (
    "ss_design",
    "ss_first_stage",
    "ss_strength",
    "ss_reduced_form",
    "ss_iv",
    "ss_magnitude",
    "ss_alternative",
    "ss_event_pattern",
    "ss_pretrends",
)
MAIN_INSTRUMENT = "ss_instrument"


def _first_result(res: Mapping[str, Any]) -> Mapping[str, Any]:
    """The clustered regression result of a results file, else its first covariance type.

    The shift-share specs of ``config/config.yaml`` are all clustered by province.
    """
    pool = res.get("results") or {}
    return pool.get("clustered") or next(iter(pool.values()))


def _describe(result: Mapping[str, Any], name: str) -> str:
    """'b (SE se; p = p, significant at x%)' of ``name`` with the result's own (cluster-t) p."""
    from tfp_talent.report.document import describe_coef

    return describe_coef(result, name)


def _pick(results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The IV specs (main instrument first), first stage, reduced form and event study among the results.

    Among the results of specs with ``shift_share: true``: ``iv`` the first IV result (instruments
    and an ``extra.weak_iv`` block) instrumented by :data:`MAIN_INSTRUMENT`, ``alt`` the first other
    IV result; ``first`` the first panel spec on the instrument whose y is an endogenous regressor of
    an IV spec, ``reduced`` the first other panel spec on it; ``event`` the first ``event_study``
    result. Each is None when absent.
    """
    uses = {n: r for n, r in results.items() if (r.get("config") or {}).get("shift_share")}
    # IV results carry instruments and the weak-IV block; the panel ones have the instrument as a regressor
    ivs = [
        r for r in uses.values() if r["roles"].get("instruments") and "weak_iv" in _first_result(r)["extra"]
    ]
    main = [r for r in ivs if MAIN_INSTRUMENT in r["roles"]["instruments"]]
    endog = {e for r in ivs for e in r["roles"].get("endog") or []}
    panels = [r for r in uses.values() if r not in ivs and MAIN_INSTRUMENT in r["roles"]["talent"]]
    first = next((r for r in panels if r["y"] in endog), None)
    reduced = next((r for r in panels if r["y"] not in endog), None)
    event = next((r for r in uses.values() if "event_study" in r), None)
    return {
        "iv": main[0] if main else None,
        "alt": next((r for r in ivs if r not in main), None),
        "first": first,
        "reduced": reduced,
        "event": event,
    }


def _ar_text(weak: Mapping[str, Any]) -> str:
    """'Anderson–Rubin test of a zero effect p = p, 95% AR confidence set S (bounded/empty/unbounded)'.

    ``weak`` is the ``extra.weak_iv`` block: ``anderson_rubin.f_pvalue`` (the clustered AR F test of
    β = 0), ``ar_conf_set`` (pieces [lo, hi]) and its ``level``.

    S as in :func:`~tfp_talent.study.shift_share_tables.fmt_interval_set`; "bounded" when every end of
    every piece is finite.
    """
    cs = fmt_interval_set(weak.get("ar_conf_set"))
    pieces = weak.get("ar_conf_set") or []
    bounded = bool(pieces) and all(math.isfinite(float(e)) for p in pieces for e in p)
    shape = "bounded" if bounded else ("empty" if not pieces else "unbounded")
    return (
        f"Anderson–Rubin test of a zero effect p = {fmt_number(weak['anderson_rubin']['f_pvalue'], 3)}, "
        f"{round(100 * weak['level'])}% AR confidence set {cs} ({shape})"
    )


def _within_sd(sample: Mapping[str, Any], var: str) -> float | None:
    """The within-province SD of ``var`` in the estimation sample, as stored at estimation time
    (``sample.within_sd``, :func:`tfp_talent.study.transforms.within_sd`); None if not stored.

    SD_w = √(Σ_it (x_it − x̄_i)² / (N − 1)), Stata ``xtsum``'s within SD; a stored null or a
    non-finite value also gives None (then ``ss_magnitude`` stays "not estimated in this run").
    """
    sd = (sample.get("within_sd") or {}).get(var)
    return float(sd) if sd is not None and math.isfinite(float(sd)) else None


def _design_text(iv: Mapping[str, Any]) -> str:
    """The construction of the instrument, from the record the estimate job stores with an IV result
    (``shift_share``, :func:`tfp_talent.data.shift_share.shift_share_record`).

    States E_p and g_t as defined in the record, the first year with g_t > 0, the validation of the
    capacity year against the NBS national count (relative gap 100 · (Σ_p capacity − national) /
    national, ``capacity_validation.rel_gap``), the provinces without exposure and the years without a
    shift. Without the record, a sentence asking to re-run the spec through the workflow.

    Record keys read: ``exposure_definition``, ``shift_definition``, ``first_positive_shift_year``,
    ``rule``, ``capacity_year``, ``capacity_validation`` (``provincial_sum``, ``national``,
    ``rel_gap``), ``provinces_missing_exposure``, ``years_missing_shift`` and ``settings.lag``. With
    g_t = ln(S_{t−lag}/S_base), the first missing year y after the first positive shift implies that
    the national series ends in y − 1 − lag, which the text states.
    """
    note = iv.get("shift_share")
    if not note:
        return (
            f"The construction of the instrument is not recorded in the result of spec '{iv['spec']}' "
            "(its 'shift_share' block, written by the estimate job from data/processed/shift_share.json; "
            "re-run the spec through the workflow)"
        )
    val = note.get("capacity_validation")
    if val:
        gap = 100 * float(val["rel_gap"])
        validation = (
            f"in {note['capacity_year']} they sum to {fmt_number(val['provincial_sum'], 0)} against "
            f"{fmt_number(val['national'], 0)} regular HEIs in the NBS national series "
            f"({'+' if gap >= 0 else ''}{fmt_number(gap, 1)}%)"
        )
    else:
        validation = f"the capacity year {note['capacity_year']} has no validation row"
    missing = [int(y) for y in note.get("years_missing_shift") or []]
    lag = (note.get("settings") or {}).get("lag")
    # g_t = ln(S_{t-lag} / S_base): the first panel year after the expansion without g_t is the first whose
    # t - lag lies past the national series' last year
    late = [y for y in missing if y > int(note["first_positive_shift_year"])]
    ends = f" (the national series ends in {min(late) - 1 - int(lag)})" if late and lag is not None else ""
    return (
        f"The exposure E_p is {note['exposure_definition']}; the shift g_t is {note['shift_definition']} "
        f"(first positive in {note['first_positive_shift_year']}), and the instrument is E_p × g_t. The municipal "
        f"college counts summed to provinces are used only for a year that passes the rule stated in advance "
        f"({note['rule']}): {validation}. "
        f"Provinces without a capacity value: {', '.join(note.get('provinces_missing_exposure') or []) or 'none'}; "
        f"years without a shift{ends}: {', '.join(map(str, missing)) or 'none'}; nothing is filled"
    )


def shift_share_context(
    config: Mapping[str, Any],
    panel: pd.DataFrame,
    results: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, str],
) -> dict[str, str]:
    """The ``ss_*`` keys of the report template (:data:`KEYS`).

    The event-study keys need only the event-study spec; the others need an IV spec on the main
    instrument (without one the first stage cannot be told from the reduced form). Every number is
    read off ``results`` (the magnitude uses the within-province SD stored with the IV result,
    ``sample.within_sd``); ``config`` and ``panel`` are not read (the signature the report's
    context builders share).

    Returns
    -------
    dict
        ``ss_design`` (:func:`_design_text`); ``ss_first_stage`` (π̂ with N and provinces);
        ``ss_strength`` (KP F, its Stock–Yogo and rule-of-thumb verdicts, identification status);
        ``ss_reduced_form``; ``ss_iv`` (β̂ of FE-2SLS and :func:`_ar_text`); ``ss_magnitude``
        (one within-province SD of x, in percentage points 100·SD_w, goes with b·SD_w log points of
        TFP, AR set × SD_w); ``ss_alternative`` (KP F and β̂ with the alternative exposure);
        ``ss_event_pattern`` and ``ss_pretrends`` (:func:`_event_context`).

    Verdicts stated in ``ss_strength``: KP F above or below the Stock–Yogo 10% value (or that none
    is tabulated for this many instruments) and above or below 10; "exactly identified" when one
    instrument meets one endogenous regressor, else
    :func:`~tfp_talent.study.shift_share_tables.identification_text`.
    """
    ctx = dict.fromkeys(KEYS, NOT_RUN)
    pick = _pick(results)
    if pick["event"] is not None:
        ctx.update(_event_context(pick["event"], labels))
    iv = pick["iv"]
    if iv is None:
        return ctx
    endog = iv["roles"]["endog"][0]
    res = _first_result(iv)
    weak = res["extra"].get("weak_iv") or {}
    ctx["ss_design"] = _design_text(iv)
    first = pick["first"]
    if first is not None:
        fr = _first_result(first)
        ctx["ss_first_stage"] = (
            f"{_describe(fr, MAIN_INSTRUMENT)} on {term_label(first['y'], labels).lower()} "
            f"(N = {fr['nobs']:,}, {fr['n_entities']} provinces)"
        )
    kp = weak.get("kleibergen_paap_f")
    sy = (weak.get("stock_yogo") or {}).get("10%")
    if kp is not None:
        if sy is None:
            verdict = " (no Stock–Yogo critical value is tabulated for this number of instruments),"
        elif kp > sy:
            verdict = (
                f", above the Stock–Yogo 10% maximal-size critical value ({fmt_number(sy, 2)}, tabulated for "
                "i.i.d. errors) and"
            )
        else:
            verdict = (
                f", below the Stock–Yogo 10% maximal-size critical value ({fmt_number(sy, 2)}, tabulated for i.i.d. "
                "errors), so the instrument counts as weak by that benchmark, and"
            )
        exact = int(weak["n_instruments"]) == int(weak["n_endog"])
        ident = (
            "the model is exactly identified (one instrument, one endogenous regressor), so there is no "
            "over-identification test"
            if exact and int(weak["n_endog"]) == 1
            else f"identification: {identification_text(weak)}"
        )
        ctx["ss_strength"] = (
            f"The cluster-robust Kleibergen–Paap rk Wald F is {fmt_number(kp, 2)}{verdict} "
            f"{'above' if kp > 10 else 'below'} the rule-of-thumb 10; {ident}"
        )
    if pick["reduced"] is not None:
        rr = _first_result(pick["reduced"])
        ctx["ss_reduced_form"] = _describe(rr, MAIN_INSTRUMENT)
    ctx["ss_iv"] = (
        f"{_describe(res, endog)} for {term_label(endog, labels).lower()}; {_ar_text(weak)}"
        if weak
        else _describe(res, endog)
    )
    sd = _within_sd(iv["sample"], endog)
    if sd is not None and endog in res["params"]:
        b = float(res["params"][endog])
        pieces = weak.get("ar_conf_set") or []
        ar = (
            fmt_interval_set([[float(lo) * sd, float(hi) * sd] for lo, hi in pieces], 3)
            if pieces
            else "empty"
        )
        ctx["ss_magnitude"] = (
            f"one within-province standard deviation of {term_label(endog, labels).lower()} "
            f"({fmt_number(100 * sd, 2)} percentage points) goes with {fmt_number(b * sd, 3)} log points of TFP "
            f"(AR set {ar})"
        )
    alt = pick["alt"]
    if alt is not None:
        ar_ = _first_result(alt)
        w = ar_["extra"].get("weak_iv") or {}
        definition = (alt.get("shift_share") or {}).get("alternative_definition")
        ctx["ss_alternative"] = (
            f"With the alternative exposure{f' ({definition})' if definition else ''} the "
            f"Kleibergen–Paap F is {fmt_number(w.get('kleibergen_paap_f'), 2)} and the 2SLS coefficient "
            f"{_describe(ar_, endog)}; {_ar_text(w) if w else ''}"
        )
    return ctx


def _event_context(res: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, str]:
    """Pattern of the event-study coefficients (per one-SD exposure) and what the pre-period allows.

    ``res`` is the event-study spec's results file; ``labels``: variable → report label.
    Reads ``event_study`` of the result (clustered block, else the first): coefficients θ_t with
    p and CI, ``exposure_sd`` SD(E), ``base_year`` b and the joint Wald tests ``tests.pre`` /
    ``tests.post``. ``ss_event_pattern``: θ_t·SD(E) with its CI × SD(E) in the middle and last post
    year, the number of negative and of 5%-significant post-b coefficients, the post joint p and the
    first significant year. ``ss_pretrends``: the joint test of the pre-b coefficients (p vs 5%), a
    note when its covariance is singular, or that the sample starts in b (no pre-trend test).
    """
    ev = res["event_study"]
    block = ev["by_cov"].get("clustered") or next(iter(ev["by_cov"].values()))
    sd = float(ev["exposure_sd"])
    base = int(ev["base_year"])
    rows = [r for r in block["coefficients"] if int(r["year"]) != base]
    post = [r for r in rows if int(r["year"]) > base]
    sig = [r for r in post if r["p"] is not None and r["p"] < 0.05]
    neg = sum(1 for r in post if r["coef"] < 0)
    last = post[-1] if post else None
    mid = post[len(post) // 2] if post else None
    t_post = block["tests"]["post"]
    parts = []
    if last is not None and mid is not None:
        parts.append(
            f"Relative to {base}, a province with one standard deviation more exposure ({fmt_number(sd, 4)}) has "
            f"ln TFP differing by {fmt_number(mid['coef'] * sd, 3)} log points in {mid['year']} "
            f"({round(100 * block['level'])}% CI [{fmt_number(mid['ci_lower'] * sd, 3)}, {fmt_number(mid['ci_upper'] * sd, 3)}]) and "
            f"{fmt_number(last['coef'] * sd, 3)} in {last['year']} "
            f"([{fmt_number(last['ci_lower'] * sd, 3)}, {fmt_number(last['ci_upper'] * sd, 3)}]); "
            f"{neg} of {len(post)} post-{base} coefficients are negative and {len(sig)} are significant at 5% "
            f"(joint test p = {fmt_number(t_post['p_value'], 3)})"
        )
        first_sig = sig[0]["year"] if sig else None
        if first_sig is not None:
            parts.append(f"the first coefficient significant at 5% is {first_sig}'s")
    pre = block["tests"]["pre"]
    years = res["sample"]["years"]
    if pre["df"] and pre["p_value"] is None:  # the Wald test is undefined (rank-deficient covariance)
        pre_text = (
            f"The joint test of the {pre['df']} coefficients before {base} cannot be computed "
            "(their cluster-robust covariance matrix is singular)"
        )
    elif pre["df"]:
        pre_text = (
            f"The {pre['df']} coefficients before {base} are jointly "
            f"{'not ' if pre['p_value'] >= 0.05 else ''}different from zero at 5% (p = {fmt_number(pre['p_value'], 3)})"
        )
    else:
        pre_text = (
            f"The estimation sample starts in {years[0]}, the base year itself ({term_label(res['y'], labels)} "
            f"has no earlier year in this run), so the data contain no year before the expanded cohorts reach "
            "the labour market and pre-trends cannot be tested"
        )
    return {"ss_event_pattern": "; ".join(parts) or NOT_RUN, "ss_pretrends": pre_text}
