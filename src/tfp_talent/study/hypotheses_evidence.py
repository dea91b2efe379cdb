"""The evidence of the hypotheses table: one statistic per claim, read from a spec's results file.

Each statistic of :data:`STATISTICS` turns a claim (``hypotheses.claims.<name>`` of the config) and
the results into an :class:`Evidence` (estimate, interval, p-value, the inference used, what it
is); :mod:`tfp_talent.study.hypotheses` applies the decision rules to it. The inference conventions
(wild bootstrap first, else t(G − 1); standardised effects b · s_w) are stated there.

Every statistic has the signature ``statistic(name, claim, results, config, labels) -> Evidence``:
``name`` is the claim's key (errors name ``hypotheses.claims.<name>``), ``claim`` its config entry,
``results`` the loaded results files by spec name, ``config`` the ``hypotheses:`` block with
``verdicts`` added (for ``level`` and the spatial rule), ``labels`` the ``report.labels``.
A claim's ``spec`` and ``cov`` pick the result (``cov`` default: the spec's first covariance);
``terms`` the coefficients; ``scale: within_sd`` multiplies by the stored within-province SD;
``display: percent`` multiplies by 100 (and marks the unit "%"), for ln TFP outcomes read as
per cent. Every statistic raises :class:`InputError` when the result lacks what it reads.

A stored interval must be at ``hypotheses.level`` (:func:`_same_level`), so the sign rule never
reads an interval of another level; intervals computed here use :func:`~tfp_talent.estimators.inference.critical_value` at that level.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import DEFAULT_LEVEL, critical_value, linear_restrictions_test
from tfp_talent.report.tables import fmt_number, lower_first
from tfp_talent.study.labels import term_label
from tfp_talent.study.wild_bootstrap import contrast_key

Results = Mapping[str, Mapping[str, Any]]
Claim = Mapping[str, Any]
Config = Mapping[str, Any]
Labels = Mapping[str, str]

VERDICTS = ("supported", "not supported", "inconclusive")
NULL_TEXT = "not defined"  # the estimate of a null statistic (NaN), in the table and the sentences

#: Defaults of ``hypotheses:`` and of one claim (the same values as config/schema.yaml; tests/study/test_hypotheses.py).
HYPOTHESES_DEFAULTS: dict[str, float] = {"level": DEFAULT_LEVEL, "p_max": 0.10}
CLAIM_DEFAULTS: dict[str, str] = {
    "scale": "none",
    "display": "number",
    "sign": "positive",
    "rule": "sign",
    "verdict": "preferred",
}


@dataclass(frozen=True)
class Evidence:
    """What a statistic says: estimate, its interval (or None), p-value, and how they were obtained.

    ``estimate`` and ``ci`` are in display units (× 100 for ``display: percent``); ``estimate`` is NaN
    for a null statistic (no long-run effect). ``inference`` names the distribution or bootstrap,
    ``what`` the quantity and spec (table column "Evidence"), ``detail`` extra numbers for the text.
    """

    estimate: float
    ci: tuple[float, float] | None
    p: float | None
    inference: str  # "wild cluster bootstrap" / "cluster-robust t(30)" / ...
    what: str  # "coefficient on talent stock, Baseline"
    unit: str = ""  # "%" when shown in per cent
    detail: str = ""  # extra numbers for the text (regional slopes, thresholds)


@dataclass(frozen=True)
class Verdict:
    """One row of the hypotheses table.

    ``name`` the claim's key, ``claim`` its text, ``verdict`` one of :data:`VERDICTS`, ``rule`` the
    decision rule in words, ``spec`` the spec read, ``level`` that of the interval.
    """

    name: str
    claim: str
    evidence: Evidence
    verdict: str
    rule: str
    spec: str
    level: float = DEFAULT_LEVEL  # of the interval (hypotheses.level)


# --------------------------------------------------------------------------- helpers


def _where(name: str) -> str:
    """The config location of claim ``name`` (``hypotheses.claims.<name>``), the ``file`` of its errors."""
    return f"hypotheses.claims.{name}"


def _field(claim: Mapping[str, Any], key: str, name: str, n: int = 0) -> Any:
    """``claim[key]`` (with at least ``n`` items when ``n`` > 0), or an InputError naming the claim."""
    value = claim.get(key)
    if value is None or (n and len(value) < n):
        need = f"{n} term(s) in" if n else "the key"
        raise InputError(f"statistic '{claim.get('statistic')}' needs {need} '{key}'", file=_where(name))
    return value


def _spec_result(results: Results, spec: str, name: str) -> Mapping[str, Any]:
    """The results file of ``spec``, or :class:`InputError` naming the claim."""
    if spec not in results:
        raise InputError(f"no results file for spec '{spec}'", file=_where(name))
    return results[spec]


def _cov_result(sr: Mapping[str, Any], cov: str | None, name: str) -> Mapping[str, Any]:
    """``results.<cov>`` of a spec result (the first covariance when ``cov`` is None)."""
    pool = sr.get("results") or {}
    if not pool:
        raise InputError(f"spec '{sr.get('spec')}' has no regression results", file=_where(name))
    key = cov or next(iter(pool))
    if key not in pool:
        raise InputError(
            f"spec '{sr.get('spec')}' has no cov '{key}' (it has {', '.join(pool)})", file=_where(name)
        )
    return pool[key]


def _claim_result(results: Results, claim: Claim, name: str) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The result of the claim's spec and, in it, the result of its ``cov`` (the first when not given)."""
    sr = _spec_result(results, _field(claim, "spec", name), name)
    return sr, _cov_result(sr, claim.get("cov"), name)


def wild_bootstrap_of(cov_result: Mapping[str, Any], term: str) -> Mapping[str, Any] | None:
    """The wild-bootstrap entry ``{p_value, conf_int, reps, weights, ...}`` of ``term``, or None.

    Stored by the panel runner as ``results.<cov>.extra.wild_bootstrap.<term>``
    (:mod:`tfp_talent.study.wild_bootstrap`); a standardised contrast ``"a - b"`` is looked up in
    ``extra.wild_bootstrap_contrasts``.
    """
    extra = cov_result.get("extra") or {}
    for block in (extra.get("wild_bootstrap"), extra.get("wild_bootstrap_contrasts")):
        entry = (block or {}).get(term)
        if isinstance(entry, Mapping) and entry.get("p_value") is not None:
            return entry
    return None


def level_text(level: float) -> str:
    """``'95%'`` from 0.95."""
    return f"{level * 100:g}%"


def _same_level(stored: Any, level: float, what: str, name: str) -> None:
    """A stored interval decides the sign rule only if it is at the rule's level (else the rule would read another interval)."""
    if stored is not None and not math.isclose(float(stored), level):
        raise InputError(
            f"the {what} interval is stored at level {float(stored):g}, the rule reads level {level:g}; "
            f"make hypotheses.level and the {what} level equal",
            file=_where(name),
        )


def _wild_text(wb: Mapping[str, Any]) -> str:
    """``'wild cluster bootstrap, Webb weights, 9,999 reps'`` for a stored bootstrap entry."""
    return (
        f"wild cluster bootstrap, {str(wb.get('weights', '')).capitalize()} weights, {int(wb['reps']):,} reps"
    )


def _dist_text(cov_result: Mapping[str, Any]) -> str:
    """The stored reference distribution: ``'cluster-robust t(30)'``, ``'Driscoll–Kraay t(18)'``, or z."""
    df = cov_result.get("df_inference")
    cov = str(cov_result.get("cov_type", "clustered"))
    name = {"clustered": "cluster-robust", "driscoll-kraay": "Driscoll–Kraay"}.get(cov, cov)
    if df is None or not math.isfinite(float(df)):
        return f"{name} z"
    return f"{name} t({int(round(float(df)))})"


def _scale(sr: Mapping[str, Any], term: str, how: str | None, name: str) -> float:
    """s_w of ``term`` (``sample.within_sd`` of the result) when ``how`` is ``within_sd``, else 1."""
    if not how or how == "none":
        return 1.0
    sds = (sr.get("sample") or {}).get("within_sd") or {}
    if term not in sds:
        raise InputError(
            f"spec '{sr.get('spec')}' stores no within-province SD of '{term}' (re-run its estimate)",
            file=_where(name),
        )
    return float(sds[term])


def _display(claim: Mapping[str, Any]) -> tuple[float, str]:
    """(multiplier, unit): (100, "%") for ``display: percent``, else (1, "")."""
    return (100.0, "%") if claim.get("display") == "percent" else (1.0, "")


# --------------------------------------------------------------------------- statistics


def coefficient(name: str, claim: Claim, results: Results, config: Config, labels: Labels) -> Evidence:
    """One coefficient b (times s_w with ``scale: within_sd``), wild-bootstrap p/CI if stored, else t(G − 1).

    ``terms[0]`` is the coefficient. Without a stored bootstrap: CI = b ± c·se with c the
    two-sided ``level`` quantile of t(df_inference) (normal when df is infinite), p the stored
    p-value. The scale and display factors multiply estimate and interval alike.
    """
    sr, cr = _claim_result(results, claim, name)
    term = _field(claim, "terms", name, 1)[0]
    if term not in cr["params"]:
        raise InputError(f"spec '{claim['spec']}' has no coefficient '{term}'", file=_where(name))
    level = float(config.get("level", HYPOTHESES_DEFAULTS["level"]))
    s = _scale(sr, term, claim.get("scale"), name)
    mult, unit = _display(claim)
    b = float(cr["params"][term])
    wb = wild_bootstrap_of(cr, term)
    if wb is not None:
        _same_level(
            wb.get("level") if wb.get("conf_int") is not None else None, level, "wild bootstrap", name
        )
        ci = tuple(float(c) for c in wb["conf_int"]) if wb.get("conf_int") is not None else None
        p = float(wb["p_value"])
        inference = _wild_text(wb)
    else:
        se = float(cr["std_errors"][term])
        c = critical_value(level, cr.get("df_inference"))
        ci = (b - c * se, b + c * se)
        p = float(cr["pvalues"][term])
        inference = _dist_text(cr)
    scaled = " × within-province SD" if s != 1.0 else ""
    what = f"{term_label(term, labels)}{scaled}, {sr.get('label', claim['spec'])}"
    k = s * mult
    return Evidence(
        estimate=b * k,
        ci=None if ci is None else (ci[0] * k, ci[1] * k),
        p=p,
        inference=inference,
        what=what,
        unit=unit,
        detail=f"s_w = {fmt_number(s, 4)}" if s != 1.0 else "",
    )


def sd_difference(name: str, claim: Claim, results: Results, config: Config, labels: Labels) -> Evidence:
    """d = b_a s_a − b_b s_b (terms [a, b]), Var(d) = c'Vc, c = (s_a, −s_b); t(G − 1), Wald test of d = 0.

    Is one standardised talent measure's effect larger than the other's? The stored WCR test of the
    same contrast (``extra.wild_bootstrap_contrasts["a - b"]``, config
    ``inference.wild_bootstrap.contrasts``) is used when present; otherwise the stored covariance
    matrix ``cov`` of the result (it must hold both terms), the interval d ± c·√(c'Vc) and the Wald
    p of :func:`~tfp_talent.estimators.inference.linear_restrictions_test`.
    """
    sr, cr = _claim_result(results, claim, name)
    a, b_ = _field(claim, "terms", name, 2)[:2]
    missing = [t for t in (a, b_) if t not in cr["params"]]
    if missing:
        raise InputError(
            f"spec '{claim['spec']}' has no coefficient {', '.join(repr(t) for t in missing)}",
            file=_where(name),
        )
    level = float(config.get("level", HYPOTHESES_DEFAULTS["level"]))
    sa, sb = _scale(sr, a, "within_sd", name), _scale(sr, b_, "within_sd", name)
    names = list(cr["params"])
    cov = cr.get("cov")
    if not isinstance(cov, Mapping) or a not in cov or b_ not in cov:
        raise InputError(
            f"spec '{claim['spec']}' stores no covariance of '{a}' and '{b_}'", file=_where(name)
        )
    beta = np.array([float(cr["params"][n]) for n in names])
    v = np.array([[float(cov[r][c]) for c in names] for r in names])
    c = np.zeros(len(names))
    c[names.index(a)], c[names.index(b_)] = sa, -sb
    d = float(c @ beta)
    se = float(math.sqrt(c @ v @ c))
    df = cr.get("df_inference")
    df_t = math.inf if df is None else float(df)
    wb = wild_bootstrap_of(cr, contrast_key(a, b_))
    if wb is not None:  # the WCR test of the same contrast, stored at estimation time
        _same_level(wb.get("level"), level, "wild bootstrap", name)
        p, ci = float(wb["p_value"]), tuple(float(x) for x in wb["conf_int"])
        inference = _wild_text(wb)
    else:
        _, p, _ = linear_restrictions_test(beta, v, c[None, :], df_t=df_t)
        q = critical_value(level, df_t)
        ci, inference = (d - q * se, d + q * se), _dist_text(cr) + " (covariance of the two coefficients)"
    mult, unit = _display(claim)
    return Evidence(
        estimate=d * mult,
        ci=(ci[0] * mult, ci[1] * mult),
        p=float(p),
        inference=inference,
        what=f"{term_label(a, labels)} minus {term_label(b_, labels).lower()}, each × within-province SD, "
        f"{sr.get('label', claim['spec'])}",
        unit=unit,
        detail=f"s_w = {fmt_number(sa, 4)} and {fmt_number(sb, 4)}",
    )


def equal_slopes(name: str, claim: Claim, results: Results, config: Config, labels: Labels) -> Evidence:
    """The Wald F test of equal regional slopes of ``terms[0]`` stored with the region-slopes spec.

    Reads ``tests["equal_slopes[<term>]"]`` of the result (:func:`tfp_talent.study.runners.panel.wald_equal`;
    the spec needs ``interact``). Estimate = F, no interval; F(m − 1, df) or χ²(m − 1) when the
    result is normal; ``detail`` lists the slope and SE of each region. Rule ``test`` only.
    """
    sr, cr = _claim_result(results, claim, name)
    var = _field(claim, "terms", name, 1)[0]
    test = (cr.get("tests") or {}).get(f"equal_slopes[{var}]")
    if test is None:
        raise InputError(
            f"spec '{claim['spec']}' has no test of equal regional slopes of '{var}'", file=_where(name)
        )
    slopes = [
        f"{v.rpartition(':')[2]} {fmt_number(cr['params'][v], 3)} (SE {fmt_number(cr['std_errors'][v], 3)})"
        for v in test["variables"]
    ]
    df = cr.get("df_inference")
    dist = (
        f"F({test['df']}, {int(round(float(df)))})"
        if df is not None and math.isfinite(float(df))
        else f"χ²({test['df']})"
    )
    return Evidence(
        estimate=float(test["f_stat"]),
        ci=None,
        p=float(test["p_value"]),
        inference=f"Wald {dist}, {_dist_text(cr).split(' ')[0]} covariance",
        what=f"F test of equal East / Central / West slopes of {term_label(var, labels).lower()}, {sr.get('label', claim['spec'])}",
        detail="slopes " + "; ".join(slopes),
    )


def spatial(name: str, claim: Claim, results: Results, config: Config, labels: Labels) -> Evidence:
    """The effect the spatial rule (``verdicts: spatial``) reads: the indirect effect or the East's spillover.

    ``verdict: preferred`` (default) reads ``spatial.fit.effects_table[variable][effect]`` of the
    rule's ``spec`` with its ``ci_<ci>`` interval (``sim`` or ``delta``); ``verdict: east`` reads
    ``spatial.region_effects.effects[variable][region][effect]`` of the ``east`` spec with its
    simulated interval (:mod:`tfp_talent.study.runners.spatial_regions`). No p-value (the rule is
    the interval). The rule's ``level`` must equal ``hypotheses.level``.
    """
    rule = dict((config.get("verdicts") or {}).get("spatial") or {})
    if not rule:
        raise InputError("statistic spatial needs the rule verdicts.spatial", file=_where(name))
    var = rule["variable"]
    ci_kind = rule.get("ci", "sim")
    _same_level(
        rule.get("level"), float(config.get("level", HYPOTHESES_DEFAULTS["level"])), "verdicts.spatial", name
    )
    scaled = " × within-province SD" if claim.get("scale") == "within_sd" else ""
    subject = f"{term_label(var, labels).lower()}{scaled}"
    if claim.get("verdict", CLAIM_DEFAULTS["verdict"]) == "east":
        east = dict(rule.get("east") or {})
        sr = _spec_result(results, east["spec"], name)
        effect = east.get("effect", "outside")
        row = sr["spatial"]["region_effects"]["effects"][var][east["region"]][effect]
        ci = row["ci_sim"]
        what = (
            f"spillover of {subject} in an {east['region']} province on the other regions, {sr.get('label')}"
        )
    else:
        sr = _spec_result(results, rule["spec"], name)
        effect = rule.get("effect", "indirect")
        row = sr["spatial"]["fit"]["effects_table"][var][effect]
        ci = row[f"ci_{ci_kind}"]
        what = f"{effect} effect of {subject}, {sr.get('label')}"
    k = _scale(sr, var, claim.get("scale"), name)
    mult, unit = _display(claim)
    k *= mult
    return Evidence(
        estimate=float(row["estimate"]) * k,
        ci=(float(ci[0]) * k, float(ci[1]) * k),
        p=None,
        inference="simulated interval (rule of verdicts.spatial)",
        what=what,
        unit=unit,
    )


def threshold_test(name: str, claim: Claim, results: Results, config: Config, labels: Labels) -> Evidence:
    """F test of no threshold against one, bootstrap p (Hansen 1999); the estimate shown is γ̂₁ with its CI.

    Reads ``thresholds["1"]``, ``ci["1"]`` (the LR inversion interval), ``p_value["1"]``,
    ``f_stat["1"]`` and ``bootstrap.replications["1"]`` of the result's ``threshold`` block. Rule
    ``test`` only (the location of γ has no sign to predict).
    """
    sr = _spec_result(results, _field(claim, "spec", name), name)
    thr = sr.get("threshold")
    if not thr:
        raise InputError(f"spec '{claim['spec']}' is not a threshold spec", file=_where(name))
    lo, hi = thr["ci"]["1"][0]
    reps = thr["bootstrap"]["replications"]["1"]
    return Evidence(
        estimate=float(thr["thresholds"]["1"][0]),
        ci=(float(lo), float(hi)),
        p=float(thr["p_value"]["1"]),
        inference=f"bootstrap, {int(reps):,} reps",
        what=f"threshold γ̂ in {term_label(thr.get('threshold_variable', 'q'), labels).lower()} "
        f"(F = {fmt_number(thr['f_stat']['1'], 2)}), {sr.get('label')}",
    )


def _finite(x: Any) -> float | None:
    """``x`` as a float, or None when it is None or not finite (JSON null / NaN)."""
    return None if x is None or not math.isfinite(float(x)) else float(x)


def long_run(name: str, claim: Claim, results: Results, config: Config, labels: Labels) -> Evidence:
    """Long-run effect θ = β / (1 − ρ) of ``terms[0]`` in a dynamic (GMM) spec, delta-method SE and interval.

    Read from ``gmm.long_run.<term>`` of the result (:mod:`tfp_talent.study.runners.gmm`). With ρ̂ ≥ 1
    there is no steady state: the estimate, interval and p-value are null (the verdict is then
    inconclusive) and the row says why.
    """
    sr = _spec_result(results, _field(claim, "spec", name), name)
    term = _field(claim, "terms", name, 1)[0]
    lr = ((sr.get("gmm") or {}).get("long_run") or {}).get(term)
    if lr is None:
        raise InputError(
            f"spec '{claim['spec']}' stores no long-run effect of '{term}' (not a GMM spec?)",
            file=_where(name),
        )
    est, p = _finite(lr.get("estimate")), _finite(lr.get("p_value"))
    lo, hi = (list(lr.get("ci") or []) + [None, None])[:2]
    ci = (float(lo), float(hi)) if _finite(lo) is not None and _finite(hi) is not None else None
    mult, unit = _display(claim)
    rho = _finite(lr.get("rho"))
    detail = f"ρ̂ = {fmt_number(rho, 3)}" if rho is not None else ""
    if est is None:
        detail = str(lr.get("note") or "no long-run effect") + " (null)"
    return Evidence(
        estimate=math.nan if est is None else est * mult,
        ci=None if ci is None else (ci[0] * mult, ci[1] * mult),
        p=p,
        inference="delta method, the GMM covariance" if est is not None else "not defined",
        what=f"long-run effect β/(1 − ρ) of {lower_first(term_label(term, labels))}, {sr.get('label', claim['spec'])}",
        unit=unit,
        detail=detail,
    )


def mediation(name: str, claim: Claim, results: Results, config: Config, labels: Labels) -> Evidence:
    """Indirect effect a·b of ``terms[0]`` through a mechanism spec's channel, with its cluster-bootstrap interval.

    Descriptive (the FE design does not identify the channel's effect on TFP): a = talent -> channel,
    b = channel -> ln TFP holding talent fixed, read from ``mediation.effects.<term>`` of the result
    (:mod:`tfp_talent.study.runners.mechanism`); the interval is the province-cluster bootstrap
    percentile interval stored there, the p-value the Sobel test (a note).
    """
    sr = _spec_result(results, _field(claim, "spec", name), name)
    term = _field(claim, "terms", name, 1)[0]
    med = sr.get("mediation") or {}
    eff = (med.get("effects") or {}).get(term)
    if eff is None:
        raise InputError(
            f"spec '{claim['spec']}' stores no mediation effect of '{term}' (not a mechanism spec?)",
            file=_where(name),
        )
    mult, unit = _display(claim)
    lo, hi = (list(eff.get("ci") or []) + [None, None])[:2]
    ci = (float(lo) * mult, float(hi) * mult) if _finite(lo) is not None and _finite(hi) is not None else None
    boot = med.get("bootstrap") or {}
    reps = boot.get("replications")
    a, b = float(eff["a"]), float(eff["b"])
    return Evidence(
        estimate=float(eff["indirect"]) * mult,
        ci=ci,
        p=_finite(eff.get("sobel_p")),
        inference=f"province-cluster bootstrap interval{f', {int(reps):,} reps' if reps else ''}; p: Sobel (note)",
        what=f"indirect effect a·b of {lower_first(term_label(term, labels))} via {med.get('channel', claim['spec'])} "
        "(descriptive)",
        unit=unit,
        detail=f"a = {fmt_number(a, 4)}, b = {fmt_number(b, 4)}",
    )


Statistic = Callable[[str, Claim, Results, Config, Labels], Evidence]

#: The evidence a claim can name (``statistic:`` of ``hypotheses.claims.<name>``).
STATISTICS: dict[str, Statistic] = {
    "coefficient": coefficient,
    "sd_difference": sd_difference,
    "equal_slopes": equal_slopes,
    "spatial": spatial,
    "threshold_test": threshold_test,
    "long_run": long_run,  # dynamics (issue 13): beta / (1 - rho) of a GMM spec
    "mediation": mediation,  # channels (issue 13): descriptive a*b of a mechanism spec
}

#: Statistics without a sign to predict (an F statistic, a threshold location): only rule ``test`` applies.
TEST_ONLY: frozenset[str] = frozenset({"equal_slopes", "threshold_test"})
