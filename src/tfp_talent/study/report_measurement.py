"""Report sentences on measurement (issue 15, item 1), computed from the results files and the panel.

The specs compared are named in the ``measurement:`` block of the config:

* ``h_free`` / ``with_h``: the baseline (Solow TFP from raw labour L) and the same regression on TFP net of
  human capital h = exp(φ(s)) (effective labour h·L). ln TFP_with_h = ln TFP_h_free − (1 − α) φ(s), and the
  samples are the same, so by the linearity of least squares the quality coefficient falls by exactly
  (1 − α) times the partial coefficient of φ(s) on s: a mechanical bias toward zero, not a finding;
* ``stock_measures``: other measures of the talent stock (15+ base, graduates and enrolment per 10,000);
* ``moving_average``: the talent terms as centred 3-year means (``ma3.x``, strict: missing at survey gaps), and
  ``moving_average_rows``: the single-year measures on the same rows (``sample.require``);
* ``eiv``: FE-2SLS with the survey share instrumented by an administrative measure (errors in variables);
  an instrument is called weak when its first-stage partial F is below :data:`WEAK_F` (Staiger and Stock 1997);
* ``population_break``: the provinces whose year-end population falls by more than ``drop`` log points into
  ``year`` (the registered-to-resident switch), and the spec that avoids the break.

Survey noise is described from the panel: the share of year-on-year changes (consecutive years of one
province) of the tertiary share that are negative, and the within-province correlation of the two talent
measures net of province and year effects (the variation the two-way fixed-effects regressions use).

Each spec's clustered result is used (else its first covariance type). Coefficients are written by
:func:`_describe` with enough decimals for two significant digits of the SE. The h identity: with
ln TFP_h = ln TFP − (1 − α) φ(s) on the same rows, OLS is linear in y, so
b_s(ln TFP_h) = b_s(ln TFP) − (1 − α) · b_s(φ(s)), b_s(φ(s)) the partial coefficient of φ(s) on s given
the other regressors and effects; the reported difference b_s(h-free) − b_s(with h) equals
(1 − α) b_s(φ(s)) exactly (α from ``tfp.alpha``, default :data:`~tfp_talent.tfp.solow.DEFAULT_ALPHA`).

Template keys: ``measurement_h`` and ``measurement_h_limitation`` (the h comparison, or a sentence
that it was not run) and ``measurement_talent`` (:func:`_stock_text`, :func:`_noise_text`,
:func:`_break_text`, joined).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.report.tables import fmt_int, fmt_number, lower_first
from tfp_talent.study.common import ENTITY, TIME
from tfp_talent.study.labels import term_label
from tfp_talent.study.results import pick_result
from tfp_talent.tfp.solow import DEFAULT_ALPHA

#: First-stage partial F below which an instrument is called weak (Staiger and Stock 1997 rule of thumb).
WEAK_F = 10.0
NOT_RUN = "not estimated in this run"


def _describe(result: Mapping[str, Any], name: str) -> str:
    """describe_coef with enough decimals that the SE shows two significant digits (at least 3).

    digits = max(3, ⌊−log₁₀ SE⌋ + 1): an SE of 0.0042 gets 4 decimals (0.0042), 0.042 gets 3. The
    p is the result's own (cluster-robust t), not the wild bootstrap p.
    """
    from tfp_talent.report.document import describe_coef

    se = (result.get("std_errors") or {}).get(name)
    digits = 3
    if se is not None and np.isfinite(se) and se > 0:
        digits = max(3, int(-np.floor(np.log10(se))) + 1)
    return describe_coef(result, name, digits=digits)


def _term(term: str, labels: Mapping[str, str]) -> str:
    """Lower-case label of a term; ``ma3.x`` as '3-year mean of <x>'."""
    if term.startswith("ma3."):
        return "3-year mean of " + _lower(term_label(term[4:], labels))
    return _lower(term_label(term, labels))


def _lower(text: str) -> str:
    """``text`` with a lower-case first letter."""
    return lower_first(text)


def _clustered(results: Mapping[str, Mapping[str, Any]], spec: str | None) -> dict[str, Any] | None:
    """The clustered result of ``spec`` (else its first covariance type); None if unset or not estimated."""
    if not spec or spec not in results:
        return None
    pool = results[spec].get("results") or {}
    cov = "clustered" if "clustered" in pool else next(iter(pool), None)
    return None if cov is None else pick_result(results, {"spec": spec, "cov": cov}, where="report")


def _talent_coefs(
    results: Mapping[str, Mapping[str, Any]], spec: str | None, labels: Mapping[str, str]
) -> tuple[dict[str, Any], str] | None:
    """The clustered result of ``spec`` and its talent coefficients as text (``'stock b (SE); ...'``).

    Terms are the spec's ``roles.talent`` in order, labelled by :func:`_term` (``ma3.x`` spelled out).
    None when ``spec`` is unset or was not estimated.
    """
    res = _clustered(results, spec)
    if res is None:
        return None
    terms = results[str(spec)]["roles"]["talent"]
    return res, "; ".join(f"{_term(t, labels)} {_describe(res, t)}" for t in terms)


def negative_change_share(panel: pd.DataFrame, column: str) -> tuple[float, int]:
    """Share of changes x_{it} − x_{i,t−1} < 0 among consecutive years with both values, and their count.

    Only pairs of calendar-consecutive years of one province enter (a survey gap breaks the pair).
    For a stock that can fall only through deaths and out-migration, a large share of negative
    changes is a sign of sampling noise. Returns (NaN, 0) when there is no such pair.
    """
    p = panel[[ENTITY, TIME, column]].sort_values([ENTITY, TIME])
    prev = p.groupby(ENTITY)[column].shift()
    consecutive = p.groupby(ENTITY)[TIME].diff() == 1
    d = (p[column] - prev)[consecutive & prev.notna() & p[column].notna()]
    return (float((d < 0).mean()) if len(d) else float("nan")), len(d)


def within_correlation(panel: pd.DataFrame, a: str, b: str) -> float:
    """Correlation of a and b net of province and year effects (residuals of a least-squares regression of each on
    province and year dummies, rows where both exist): the variation a two-way fixed-effects regression uses.

    corr(ã, b̃), ã = M_D a with M_D = I − D(D'D)⁺D' and D the province and year dummies (least squares
    by ``numpy.linalg.lstsq``, so the collinear dummy is harmless); equal to the correlation of the
    two-way within residuals in a balanced or unbalanced panel.
    """
    p = panel[[ENTITY, TIME, a, b]].dropna()
    dummies = pd.get_dummies(p[[ENTITY, TIME]].astype(str), drop_first=False).to_numpy(dtype=float)
    y = p[[a, b]].to_numpy(dtype=float)
    resid = y - dummies @ np.linalg.lstsq(dummies, y, rcond=None)[0]
    return float(np.corrcoef(resid[:, 0], resid[:, 1])[0, 1])


def break_provinces(panel: pd.DataFrame, year: int, drop: float) -> list[tuple[str, float]]:
    """(province, Δ ln pop_yearend into ``year``) for each province whose population falls by > ``drop``.

    Δ ln P_i = ln P_{i,year} − ln P_{i,year−1} (the previous row of the province), kept where
    Δ ln P_i < −``drop`` (log points), sorted from the largest fall; names from ``province_en``.
    """
    p = panel[[ENTITY, TIME, "province_en", "pop_yearend"]].sort_values([ENTITY, TIME])
    lnpop = np.log(p["pop_yearend"])
    p = p.assign(d=lnpop - lnpop.groupby(p[ENTITY]).shift())
    at = p[(p[TIME] == year) & (p["d"] < -drop)].sort_values("d")
    return [(str(n), float(v)) for n, v in zip(at["province_en"], at["d"])]


def measurement_context(
    config: Mapping[str, Any], panel: pd.DataFrame, results: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """``measurement_h``, ``measurement_talent`` and ``measurement_h_limitation`` of the report template.

    Parameters
    ----------
    config
        The whole config: the ``measurement:`` block (spec names, module docstring), ``tfp.alpha``
        and ``report.labels``.
    panel
        The province-year panel (``tertiary_share``, ``avg_school_years``, ``pop_yearend``,
        ``province_en``) for the survey-noise and population-break numbers.
    results
        Spec name → results file; specs named in ``measurement:`` but not estimated are skipped.

    Returns
    -------
    dict
        The three keys; ``measurement_h`` needs both ``h_free`` and ``with_h`` and at least two talent
        terms (stock, quality), else it says the comparison was not run.
    """
    m = dict(config.get("measurement") or {})
    labels = dict((config.get("report") or {}).get("labels") or {})
    alpha = float((config.get("tfp") or {}).get("alpha", DEFAULT_ALPHA))
    out: dict[str, str] = {}
    h_free, with_h = _clustered(results, m.get("h_free")), _clustered(results, m.get("with_h"))
    talent = list(results[m["h_free"]]["roles"]["talent"]) if h_free is not None else []
    if h_free is not None and with_h is not None and len(talent) >= 2:
        stock, quality = talent[0], talent[1]
        diff = h_free["params"][quality] - with_h["params"][quality]
        out["measurement_h"] = (
            "The dependent variable of the talent regressions is TFP computed from raw labour input L, without "
            "the schooling-based human capital h = exp(φ(s)) of the Penn World Table. With h, ln TFP would be "
            f"ln TFP − (1 − α) φ(s) (α = {fmt_number(alpha, 2)}), a function of average schooling s, which is "
            "itself the talent-quality regressor: the quality coefficient would then measure only effects beyond "
            "the private Mincer return that is netted out, biased toward zero by construction. On the same "
            f"{fmt_int(h_free['nobs'])} province-years, the quality coefficient is {_describe(h_free, quality)} "
            f"with the h-free TFP and {_describe(with_h, quality)} with the h-adjusted TFP (spec "
            f"`{m['with_h']}`); the difference, {fmt_number(diff, 3)}, is (1 − α) times the partial regression "
            "coefficient of φ(s) on s, an identity of least squares, not a finding. The stock coefficient is "
            f"{_describe(h_free, stock)} without and {_describe(with_h, stock)} with h. The TFP robustness "
            "variants (α, δ, non-farm labour) are h-free too, so each differs from the baseline in its own setting only."
        )
        out["measurement_h_limitation"] = (
            "The baseline TFP uses raw labour input (no human capital h), so it mixes the returns to schooling into "
            "measured TFP; the h-adjusted TFP, which nets out the Mincer returns, is a robustness column "
            f"(`{m['with_h']}`), where the schooling coefficient measures effects beyond the private return only."
        )
    else:
        out["measurement_h"] = f"The comparison of TFP with and without human capital was {NOT_RUN}."
        out["measurement_h_limitation"] = out["measurement_h"]
    out["measurement_talent"] = " ".join(
        s
        for s in (
            _stock_text(m, results, labels),
            _noise_text(m, panel, results, labels),
            _break_text(m, panel, results),
        )
        if s
    )
    return out


def _stock_text(
    m: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> str:
    """The talent-stock paragraph: why a 15+ base is the only other base, and the stock coefficient
    (first talent term) of each ``stock_measures`` spec that was estimated.

    The 15+ share is tertiary_6+ / (sample population − population aged 0–14): nobody aged 6–14 has
    tertiary attainment, so the 6+ count of the tertiary-educated is the 15+ count.
    """
    parts = []
    for spec in m.get("stock_measures") or []:
        res = _clustered(results, spec)
        if res is None:
            continue
        stock = results[spec]["roles"]["talent"][0]
        parts.append(f"{_term(stock, labels)} {_describe(res, stock)}")
    head = (
        "**Talent-stock base.** The sample-survey table of attainment (按受教育程度分人口数) covers the population "
        "aged 6+ by sex only, and the age structure (0–14, 15–64, 65+) is published in a separate table; neither "
        "crosses attainment with age, so a 15–64 or 25–64 base cannot be built (the tertiary-educated aged 65+ "
        "are not known). A 15+ base can: nobody aged 6–14 has tertiary attainment, so the 6+ count of the "
        "tertiary-educated over the sample population minus those aged 0–14 is the tertiary share of the 15+ "
        "population."
    )
    if not parts:
        return head
    return (
        head
        + " With other measures of the stock (table below), the stock coefficient is: "
        + "; ".join(parts)
        + "."
    )


def _noise_text(
    m: Mapping[str, Any],
    panel: pd.DataFrame,
    results: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, str],
) -> str:
    """The survey-noise paragraph.

    The share of negative year-on-year changes of ``tertiary_share`` (:func:`negative_change_share`)
    and the two-way within correlation of ``tertiary_share`` and ``avg_school_years``
    (:func:`within_correlation`); then, where estimated, the talent coefficients with centred 3-year
    means (``moving_average``) and with the single-year shares on the same rows
    (``moving_average_rows``), and the errors-in-variables FE-2SLS of each ``eiv`` spec with its
    first-stage partial F (weak below :data:`WEAK_F`).

    Classical measurement error in a regressor biases its FE coefficient toward zero by the factor
    Var(x*)/(Var(x*) + Var(u)) of the within variation; averaging three surveys cuts the noise variance
    of independent sampling errors to a third, and an instrument with errors independent of the survey
    errors removes the bias (at the price of a weak first stage).
    """
    share, n = negative_change_share(panel, "tertiary_share")
    rho = within_correlation(panel, "tertiary_share", "avg_school_years")
    text = (
        f"**Survey noise.** {fmt_number(100 * share, 0)} % of the {fmt_int(n)} year-on-year changes of the "
        "tertiary share are negative, although the stock of tertiary-educated people falls only through deaths and "
        "out-migration: much of the within-province variation of the survey shares is sampling noise of the 1‰ "
        "surveys, which biases fixed-effects estimates toward zero; net of province and year effects the two "
        f"talent measures correlate {fmt_number(rho, 2)}."
    )
    ma = _talent_coefs(results, m.get("moving_average"), labels)
    if ma is not None:
        text += (
            f" With centred 3-year means of the shares (missing, not interpolated, where a neighbouring survey year "
            f"is absent: at the ends and around the 2010 gap; N = {fmt_int(ma[0]['nobs'])}): {ma[1]}."
        )
        raw = _talent_coefs(results, m.get("moving_average_rows"), labels)
        if raw is not None:
            text += (
                f" The single-year shares on the same {fmt_int(raw[0]['nobs'])} province-years give {raw[1]}."
            )
    eiv = []
    for spec in m.get("eiv") or []:
        res = _clustered(results, spec)
        if res is None:
            continue
        fs = (res.get("extra") or {}).get("first_stage") or {}
        for endog, inst in (results[spec]["config"].get("instruments") or {}).items():
            f = (fs.get(endog) or {}).get("partial_f")
            weak = "" if f is None else (", a weak instrument" if f < WEAK_F else "")
            eiv.append(
                f"instrumented by {', '.join(_term(i, labels) for i in inst)} "
                f"(first-stage F = {fmt_number(f, 2)}{weak}), {_term(endog, labels)} {_describe(res, endog)}"
            )
    if eiv:
        text += (
            " Errors-in-variables IV, which instruments the survey share with an administrative measure of the "
            "stock whose errors are unrelated to survey sampling: " + "; ".join(eiv) + "."
        )
    return text


def _break_text(m: Mapping[str, Any], panel: pd.DataFrame, results: Mapping[str, Mapping[str, Any]]) -> str:
    """The population-break paragraph (``population_break: {year, drop, spec}``), "" if not configured.

    The provinces of :func:`break_provinces` with their falls in per cent (100 · Δ ln P), and the
    stock and quality coefficients of ``spec`` (the years after the break only) if it was estimated.
    A fall in measured population lowers labour input, so the break raises measured TFP growth in
    ``year``; year effects absorb only the part common to all provinces. ``results`` gives ``spec``.
    """
    pb = m.get("population_break")
    if not pb:
        return ""
    year = int(pb["year"])
    provs = break_provinces(panel, year, float(pb["drop"]))
    named = ", ".join(f"{p} {fmt_number(100 * d, 1)} %" for p, d in provs)
    text = (
        f"**Population break.** From {year - 1} to {year} year-end population falls by more than "
        f"{fmt_number(100 * float(pb['drop']), 0)} % in {len(provs)} provinces ({named}): NBS switches them from "
        "registered to resident population, which lowers labour input and raises measured TFP growth in "
        f"{year} (see the TFP-growth figures); year effects absorb only its common part."
    )
    res = _clustered(results, pb.get("spec"))
    if res is not None:
        talent = results[pb["spec"]]["roles"]["talent"]
        text += (
            f" On {results[pb['spec']]['sample']['years_text']} only (spec `{pb['spec']}`, all years on the resident "
            f"basis, N = {fmt_int(res['nobs'])}) the stock coefficient is {_describe(res, talent[0])} and the quality "
            f"coefficient {_describe(res, talent[1])}."
        )
    return text
