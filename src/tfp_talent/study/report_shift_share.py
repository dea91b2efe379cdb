"""The report's sentences on the shift-share instrument (1999 expansion), computed from the results.

Reads the results of the specs that use the instrument (``shift_share: true``): the first panel spec
whose talent term is the instrument and whose y is a talent regressor of an IV spec (first stage),
the IV specs instrumented by it, the other panel spec on the instrument (reduced form) and the
event-study spec. Which is which is read off the results (roles, result blocks), never off spec names.
Every key of :data:`KEYS` is always returned (``not estimated in this run`` when a piece is absent),
so the template renders with any config.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.report.tables import fmt_number
from tfp_talent.study.common import ENTITY, TIME
from tfp_talent.study.labels import term_label
from tfp_talent.study.shift_share_tables import fmt_interval_set

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
    pool = res.get("results") or {}
    return pool.get("clustered") or next(iter(pool.values()))


def _describe(result: Mapping[str, Any], name: str) -> str:
    from tfp_talent.report.document import describe_coef

    return describe_coef(result, name)


def _pick(results: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The IV specs (main instrument first), first stage, reduced form and event study among the results."""
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
    cs = fmt_interval_set(weak.get("ar_conf_set"))
    pieces = weak.get("ar_conf_set") or []
    bounded = bool(pieces) and all(math.isfinite(float(e)) for p in pieces for e in p)
    shape = "bounded" if bounded else ("empty" if not pieces else "unbounded")
    return (
        f"Anderson–Rubin test of a zero effect p = {fmt_number(weak['anderson_rubin']['f_pvalue'], 3)}, "
        f"{round(100 * weak['level'])}% AR confidence set {cs} ({shape})"
    )


def _within_sd(panel: pd.DataFrame, var: str, sample: Mapping[str, Any]) -> float | None:
    """SD of x_it − x̄_i over the estimation sample's provinces and years (the within-province SD)."""
    if var not in panel.columns:
        return None
    rows = panel[panel[ENTITY].isin(sample["provinces"]) & panel[TIME].isin(sample["years"])]
    x = rows[var] - rows.groupby(ENTITY)[var].transform("mean")
    sd = float(np.nanstd(x.to_numpy(dtype=float), ddof=1)) if x.notna().sum() > 1 else math.nan
    return sd if math.isfinite(sd) else None


def shift_share_context(
    config: Mapping[str, Any],
    panel: pd.DataFrame,
    results: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, str],
) -> dict[str, str]:
    """The ``ss_*`` keys of the report template (:data:`KEYS`)."""
    ctx = dict.fromkeys(KEYS, NOT_RUN)
    pick = _pick(results)
    iv = pick["iv"]
    if iv is None:
        return ctx
    note = iv.get("shift_share") or {}
    val = note.get("capacity_validation") or {}
    endog = iv["roles"]["endog"][0]
    res = _first_result(iv)
    weak = res["extra"].get("weak_iv") or {}
    ctx["ss_design"] = (
        f"The exposure E_p is {note.get('exposure_definition', 'the pre-expansion capacity')}; the shift g_t is "
        f"{note.get('shift_definition', 'the national expansion')} (first positive in "
        f"{note.get('first_positive_shift_year')}), and the instrument is E_p × g_t. The municipal college counts "
        f"summed to provinces are used only for a year that passes the rule stated in advance ({note.get('rule', '')}): "
        f"in {note.get('capacity_year')} they sum to {fmt_number(val.get('provincial_sum'), 0)} against "
        f"{fmt_number(val.get('national'), 0)} regular HEIs in the NBS national series "
        f"({'+' if (val.get('rel_gap') or 0) >= 0 else ''}{fmt_number(100 * (val.get('rel_gap') or 0), 1)}%). "
        f"Provinces without a capacity value: {', '.join(note.get('provinces_missing_exposure') or []) or 'none'}; "
        f"years without a shift (the national series ends in 2014): "
        f"{', '.join(map(str, note.get('years_missing_shift') or [])) or 'none'}; nothing is filled"
    )
    kp = weak.get("kleibergen_paap_f")
    sy = (weak.get("stock_yogo") or {}).get("10%")
    if kp is not None:
        verdict = (
            "above the Stock–Yogo 10% maximal-size critical value"
            if sy is not None and kp > sy
            else "below the Stock–Yogo 10% maximal-size critical value, so the instrument counts as weak by that benchmark"
        )
        ctx["ss_strength"] = (
            f"The cluster-robust Kleibergen–Paap rk Wald F is {fmt_number(kp, 2)}, {verdict} "
            f"({fmt_number(sy, 2)}, tabulated for i.i.d. errors) and "
            f"{'above' if kp > 10 else 'below'} the rule-of-thumb 10; the model is exactly identified "
            f"(one instrument, one endogenous regressor), so there is no over-identification test"
        )
    ctx["ss_iv"] = (
        f"{_describe(res, endog)} for {term_label(endog, labels).lower()}; {_ar_text(weak)}"
        if weak
        else _describe(res, endog)
    )
    sd = _within_sd(panel, endog, iv["sample"])
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
    for key, role, text in _SENTENCES:
        if pick[role] is not None:
            ctx[key] = text(pick[role], _first_result(pick[role]), endog, labels)
    ev_res = pick["event"]
    if ev_res is not None:
        ctx.update(_event_context(ev_res, labels))
    return ctx


def _first_stage_text(
    spec: Mapping[str, Any], res: Mapping[str, Any], endog: str, labels: Mapping[str, str]
) -> str:
    return (
        f"{_describe(res, MAIN_INSTRUMENT)} on {term_label(spec['y'], labels).lower()} "
        f"(N = {res['nobs']:,}, {res['n_entities']} provinces)"
    )


def _reduced_form_text(
    spec: Mapping[str, Any], res: Mapping[str, Any], endog: str, labels: Mapping[str, str]
) -> str:
    return _describe(res, MAIN_INSTRUMENT)


def _alternative_text(
    spec: Mapping[str, Any], res: Mapping[str, Any], endog: str, labels: Mapping[str, str]
) -> str:
    w = res["extra"].get("weak_iv") or {}
    return (
        f"With the alternative exposure ({(spec.get('shift_share') or {}).get('alternative_definition', '')}) the "
        f"Kleibergen–Paap F is {fmt_number(w.get('kleibergen_paap_f'), 2)} and the 2SLS coefficient "
        f"{_describe(res, endog)}; {_ar_text(w) if w else ''}"
    )


#: Context key, role of :func:`_pick`, sentence from (spec result, its first result, endogenous term, labels).
_SENTENCES: tuple[tuple[str, str, Callable[..., str]], ...] = (
    ("ss_first_stage", "first", _first_stage_text),
    ("ss_reduced_form", "reduced", _reduced_form_text),
    ("ss_alternative", "alt", _alternative_text),
)


def _event_context(res: Mapping[str, Any], labels: Mapping[str, str]) -> dict[str, str]:
    """Pattern of the event-study coefficients (per one-SD exposure) and what the pre-period allows."""
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
            f"(95% CI [{fmt_number(mid['ci_lower'] * sd, 3)}, {fmt_number(mid['ci_upper'] * sd, 3)}]) and "
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
    if pre["df"]:
        pre_text = (
            f"The {pre['df']} coefficients before {base} are jointly "
            f"{'not ' if (pre['p_value'] or 0) >= 0.05 else ''}different from zero at 5% (p = {fmt_number(pre['p_value'], 3)})"
        )
    else:
        pre_text = (
            f"The estimation sample starts in {years[0]}, the base year itself ({term_label(res['y'], labels)} "
            f"has no earlier year in this run), so the data contain no year before the expanded cohorts reach "
            "the labour market and pre-trends cannot be tested"
        )
    return {"ss_event_pattern": "; ".join(parts) or NOT_RUN, "ss_pretrends": pre_text}
