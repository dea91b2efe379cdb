"""Report sentences of the dynamics and channels sections (issue 13), computed from the results files.

Decision rules, stated before the numbers: the AR(2) and Hansen tests "reject" at p < 0.10; a long-run
effect exists only for ρ < 1; a channel is "supported by the data" for a talent term when the
province-cluster bootstrap interval of its indirect effect a·b excludes 0
(:mod:`tfp_talent.study.runners.mechanism`). Every sentence says that the mediation is descriptive.

Statistics, as stored by the runners (nothing is re-estimated here):

* partial adjustment ln TFP_it = ρ ln TFP_i,t−1 + β'x_it + ...: long-run effect θ = β/(1 − ρ), SE
  √(g'Vg) with g = (1/(1 − ρ), β/(1 − ρ)²) over (β, ρ), normal 95% interval θ ± 1.96·SE
  (:func:`tfp_talent.study.runners.gmm.long_run_effect`); undefined for ρ ≥ 1 (no steady state);
* system GMM (Blundell and Bond 1998): Arellano–Bond AR(2) test on the differenced residuals, Hansen J
  of the over-identifying restrictions, and the instrument count against the number of provinces
  (Roodman 2009);
* mediation: a (talent → channel M), b (M → ln TFP given talent), indirect a·b with the percentile
  interval of a province-cluster bootstrap, Sobel z = a·b / √(b²·se_a² + a²·se_b²).

Template keys: ``gmm_*`` (:func:`gmm_context`), ``fe_lag_rho``, ``fe_gmm_comparison``
(:func:`fe_lag_context`), ``channels_list`` and ``channels_verdict`` (:func:`channels_context`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfp_talent.report.tables import fmt_number, lower_first
from tfp_talent.study.labels import term_label

TEST_ALPHA = 0.10


def _describe(result: Mapping[str, Any], name: str) -> str:
    """'b (SE se; p = p, significant at x%)' of ``name``, the result's own p (no wild bootstrap here)."""
    from tfp_talent.report.document import describe_coef

    return describe_coef(result, name)


def _label(term: str, labels: Mapping[str, str]) -> str:
    """The report label of ``term`` with a lower-case first letter, for use inside a sentence."""
    text = term_label(term, labels)
    return lower_first(text)


def gmm_context(
    result: Mapping[str, Any], talent: tuple[str, str], labels: Mapping[str, str]
) -> dict[str, str]:
    """ρ, talent coefficients, long-run effects and the AR(2) / Hansen / instrument-count sentences of GMM.

    Reads the ``gmm`` block of the first result of kind ``gmm``
    (:data:`~tfp_talent.study.report_context.KIND_CONTEXT`):
    ``params`` / ``std_errors`` / ``pvalues`` of the lagged dependent variable and the talent terms,
    ``tests.ar2`` and ``tests.hansen`` (rejection at p < :data:`TEST_ALPHA`), ``instrument_check``
    (instruments ≤ provinces) and ``long_run`` (θ, SE, CI per talent term). ``talent`` is not read
    (the terms are the spec's ``roles.talent``); ``labels``: variable → report label. AR(2) is the
    Arellano–Bond test on the first-differenced residuals (H0: no second-order autocorrelation, so
    the lag-2 instruments are valid); Hansen J tests the over-identifying restrictions.

    Returns
    -------
    dict
        ``gmm_rho``, ``gmm_talent``, ``gmm_ar2_p``, ``gmm_hansen_p``, ``gmm_hansen_df``,
        ``gmm_instruments``, ``gmm_groups``, ``gmm_nobs``, the verdict sentences ``gmm_ar2_text``,
        ``gmm_hansen_text``, ``gmm_instrument_text`` and ``gmm_long_run`` (θ with SE and 95% CI per
        talent term, or the sentence that ρ ≥ 1 has no steady state).

    The instrument-count rule is Roodman's (2009): with more instruments than groups the Hansen J is
    weakened (its p drifts toward 1) and the two-step SEs are too small, even with Windmeijer's
    correction.
    """
    g = result["gmm"]
    lag = g["lagged_dependent"]
    terms = list(result["roles"]["talent"])
    ar2, hansen = g["tests"]["ar2"], g["tests"]["hansen"]
    check = g["instrument_check"]
    ctx = {
        "gmm_rho": _describe(g, lag),
        "gmm_talent": "; ".join(f"on {_label(t, labels)} of {_describe(g, t)}" for t in terms),
        "gmm_ar2_p": fmt_number(ar2["pvalue"], 3),
        "gmm_hansen_p": fmt_number(hansen["pvalue"], 3),
        "gmm_hansen_df": str(hansen["df"]),
        "gmm_instruments": str(check["n_instruments"]),
        "gmm_groups": str(check["n_groups"]),
        "gmm_nobs": str(g["nobs"]),
    }
    ctx["gmm_ar2_text"] = (
        "rejects the absence of second-order serial correlation, so the lag-2 instruments are suspect"
        if ar2["pvalue"] < TEST_ALPHA
        else "does not reject the absence of second-order serial correlation at 10%"
    )
    ctx["gmm_hansen_text"] = (
        "rejects the joint validity of the instruments at 10%"
        if hansen["pvalue"] < TEST_ALPHA
        else "does not reject the joint validity of the instruments at 10%"
    )
    ctx["gmm_instrument_text"] = (
        "no more than the number of provinces, as Roodman (2009) advises"
        if check["at_most_groups"]
        else "more than the number of provinces, so the Hansen test is weak and the SEs may be too small"
    )
    rho = g["params"][lag]
    if rho >= 1:
        ctx["gmm_long_run"] = (
            f"The estimated persistence is at least one (ρ = {fmt_number(rho, 3)}), so the partial-adjustment model has no "
            "steady state and no long-run effect β/(1 − ρ) is reported (the estimate says ln TFP is at least as persistent as a random walk)."
        )
    else:
        parts = []
        for t in terms:
            lr = g["long_run"][t]
            lo, hi = lr["ci"]
            parts.append(
                f"{_label(t, labels)} {fmt_number(lr['estimate'], 3)} (SE {fmt_number(lr['se'], 3)}; 95% CI "
                f"[{fmt_number(lo, 3)}, {fmt_number(hi, 3)}])"
            )
        ctx["gmm_long_run"] = (
            "The long-run effects β/(1 − ρ) (delta-method SEs) are: " + "; ".join(parts) + "."
        )
    return ctx


def fe_lag_context(results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]) -> dict[str, str]:
    """ρ of the first FE regression with the lagged dependent variable as a regressor; the Nickell sentence.

    ``fe_lag_rho``: :func:`_describe` of ``L1.<y>`` (clustered result, else the first). With a gmm spec
    too, ``fe_gmm_comparison`` says whether ρ_FE < ρ_GMM, the direction of the Nickell (1981) bias of
    order 1/T. Empty dict without such an FE spec.

    The FE spec is the first with regression ``results`` and ``L1.<y>`` among its regressors; the GMM
    spec the first with a ``gmm`` block (ρ_GMM its coefficient on the lagged dependent variable).
    """
    fe = next(
        (r for r in results.values() if "results" in r and f"L1.{r['y']}" in (r.get("regressors") or [])),
        None,
    )
    gmm = next((r for r in results.values() if "gmm" in r), None)
    if fe is None:
        return {}
    res = fe["results"].get("clustered") or next(iter(fe["results"].values()))
    lag = f"L1.{fe['y']}"
    ctx = {"fe_lag_rho": _describe(res, lag)}
    if gmm is not None:
        rho_fe, rho_gmm = res["params"][lag], gmm["gmm"]["params"][gmm["gmm"]["lagged_dependent"]]
        ctx["fe_gmm_comparison"] = (
            "below the system-GMM estimate, the direction of the Nickell (1981) bias of FE with a lagged dependent variable"
            if rho_fe < rho_gmm
            else "above the system-GMM estimate, although the Nickell (1981) bias of FE pushes ρ down"
        )
    return ctx


def channels_context(results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]) -> dict[str, str]:
    """The indirect effects per channel and the verdict by the stated rule (bootstrap CI excludes 0).

    Reads every result with a ``mediation`` block (kind ``mechanism``). ``channels_list``: one Markdown
    item per channel with a, b, a·b (4 decimals), its 95% bootstrap interval and the Sobel z per talent
    term; ``channels_verdict``: the channels whose ``supported`` flag is set (interval excludes 0) and
    the caveat that b is not identified. Without mechanism specs, a sentence saying so and "".

    Each ``mediation`` block holds ``channel``, ``mediator``, ``effects`` (per talent term: a, b,
    ``indirect`` = a·b, ``ci``, ``sobel_z``, ``supported``) and ``bootstrap`` (``replications``,
    ``level``, ``seed``); the number of draws in the verdict is that of the first channel.
    """
    mech = [r for r in results.values() if "mediation" in r]
    if not mech:
        return {"channels_list": "No channel specification was estimated.", "channels_verdict": ""}
    lines, supported = [], []
    for r in mech:
        md = r["mediation"]
        items = []
        for t, e in md["effects"].items():
            lo, hi = e["ci"]
            ci = (
                "no bootstrap"
                if lo is None
                else f"95% bootstrap CI [{fmt_number(lo, 4)}, {fmt_number(hi, 4)}]"
            )
            items.append(
                f"{_label(t, labels)}: a = {fmt_number(e['a'], 4)}, b = {fmt_number(e['b'], 4)}, "
                f"a·b = {fmt_number(e['indirect'], 4)} ({ci}; Sobel z = {fmt_number(e['sobel_z'], 2)})"
            )
            if e["supported"]:
                supported.append(f"{md['channel']} for {_label(t, labels)}")
        lines.append(
            f"- {md['channel']} ({term_label(md['mediator'], labels)}; N = {r['sample']['nobs']}, "
            f"{r['sample']['years_text']}): " + "; ".join(items) + "."
        )
    reps = mech[0]["mediation"]["bootstrap"]["replications"]
    verdict = (
        "By the rule stated in advance (the province-cluster bootstrap interval of a·b, "
        f"{reps} draws, excludes 0), the data support "
        + ("; ".join(supported) + ", and no other channel" if supported else "none of the channels")
        + ". This is descriptive: the fixed-effects design does not identify the effect of a channel on TFP "
        "(b), so neither a·b nor its interval is a causal effect."
    )
    return {"channels_list": "\n".join(lines), "channels_verdict": verdict}
