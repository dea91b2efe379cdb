"""Every number and sentence of the report template, computed from the config, the panel and the results.

Nothing here is typed by hand: the headline coefficients come from the headline spec's
results, and each spec kind with report numbers of its own (:data:`KIND_CONTEXT`) adds them
from the first result of that kind.

:func:`report_context` is the one entry point (``workflow/scripts/make_report.py`` fills
``reports/templates/report.md.tmpl`` with it). It merges the keys of the section builders, each of
which reads the loaded config, the results files (spec name → the dict of
:func:`tfp_talent.study.run.run_spec`) and the report labels (``report.labels``):

* ``gmm_*``, ``fe_lag_rho``, ``fe_gmm_comparison``, ``channels_*``: :mod:`~tfp_talent.study.report_dynamics`;
* ``indices_*``: :mod:`~tfp_talent.study.report_indices`;
* ``spatial_*``: :mod:`~tfp_talent.study.spatial_report`;
* ``measurement_*``: :mod:`~tfp_talent.study.report_measurement` (reads the panel too);
* ``identification_*``, ``magnitudes_text``: :mod:`~tfp_talent.study.report_identification`;
* ``ss_*``: :mod:`~tfp_talent.study.report_shift_share`;
* ``inference_*``: :mod:`~tfp_talent.study.report_inference`;
* ``hypotheses_*``: :mod:`~tfp_talent.study.hypotheses`; ``abstract``, ``conclusion``,
  ``multiple_testing``, ``summary_<table>``: :mod:`~tfp_talent.study.paper_text`.

A coefficient is written by :func:`describe`: "b (SE se; p = p, significant at x%)", with the wild
cluster bootstrap p where stored. Tables and figures (``$table_*``, ``$figure_*``) are filled by
:mod:`tfp_talent.report.document`, not here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from tfp_talent.report.tables import fmt_int, fmt_number, stars_for
from tfp_talent.study.common import ENTITY, TIME
from tfp_talent.study.hypotheses import hypotheses_context
from tfp_talent.study.labels import sample_note, term_label
from tfp_talent.study.paper_text import paper_context
from tfp_talent.study.report_dynamics import channels_context, fe_lag_context, gmm_context
from tfp_talent.study.report_identification import identification_context
from tfp_talent.study.report_indices import indices_context
from tfp_talent.study.report_inference import inference_context
from tfp_talent.study.report_measurement import measurement_context
from tfp_talent.study.report_shift_share import shift_share_context
from tfp_talent.study.results import first_of_kind, pick_result, selected_thresholds
from tfp_talent.study.spatial_report import spatial_context

LABOUR_TEXT = {
    "working_age": "the working-age population (15–64 share of the population sample survey × year-end population)",
    "nonfarm": "non-farm employment (urban units + private enterprises + individual businesses, complete from 2008)",
    "csv": "a user-supplied employment series",
}

SURVEY_GAP_TEXT = {
    "inside": "interpolated linearly between survey years (2010 only) for the labour input, and flagged in the TFP "
    "file; 2000 and 2001 stay missing, so TFP starts in 2002; regressions drop the years without survey data and "
    "report how many rows that removes",
    "interpolate": "interpolated linearly between survey years (2010) and held at the 2002 value for 2000-2001 for "
    "the labour input, and flagged in the TFP file; regressions drop the years without survey data and report how "
    "many rows that removes",
    "none": "left missing; regressions drop those years and report how many rows that removes",
}


def describe(result: Mapping[str, Any], name: str) -> str:
    """'b (SE se; p = p, significant at x%)' of one coefficient (see report.document.describe_coef).

    The p-value is the wild cluster bootstrap p when the result stores one for ``name``
    (``extra.wild_bootstrap``, the primary inference of the FE tables), else the result's own.
    "significant at 1% / 5% / 10%" follows the table stars (p < 0.01, 0.05, 0.10); b and SE with
    3 decimals. Raises :class:`InputError` if the result has no estimate for ``name``.

    Example: ``'0.512 (SE 0.100; wild bootstrap p = 0.010, significant at 1%)'``; "nan" when the
    stored b, SE or p is null. Shared by :mod:`~tfp_talent.study.report_indices`.
    """
    from tfp_talent.report.document import describe_coef

    wild = ((result.get("extra") or {}).get("wild_bootstrap") or {}).get(name)
    if wild:
        return describe_coef(result, name, p_value=wild["p_value"], p_label="wild bootstrap p")
    return describe_coef(result, name)


def _hausman_context(
    result: Mapping[str, Any], talent: tuple[str, str], labels: Mapping[str, str]
) -> dict[str, str]:
    """Hausman test numbers of the report (cluster-robust Mundlak form; the classic statistic too).

    Keys ``hausman_stat``, ``hausman_df``, ``hausman_p`` (the Mundlak Wald χ²(q) on the province means
    of the regressors, clustered by province), ``hausman_method`` and ``hausman_classic_stat``
    ((b_FE − b_RE)'(V_FE − V_RE)⁻¹(b_FE − b_RE); :mod:`tfp_talent.estimators.hausman`).
    The Mundlak form is the one reported because it matches the clustered inference of the tables
    and stays valid when V_FE − V_RE is not positive definite; ``talent`` and ``labels`` are not read.
    """
    # the cluster-robust (Mundlak) form matches the clustered inference of the tables and is
    # valid when V_FE - V_RE is not positive definite; the classic form is in the table note
    h = result["hausman"]
    return {
        "hausman_stat": fmt_number(h["mundlak"]["statistic"], 2),
        "hausman_df": str(h["mundlak"]["df"]),
        "hausman_p": fmt_number(h["mundlak"]["p_value"], 3),
        "hausman_method": "cluster-robust (Mundlak) form",
        "hausman_classic_stat": fmt_number(h["classic"]["statistic"], 2),
    }


def _iv_context(
    result: Mapping[str, Any], talent: tuple[str, str], labels: Mapping[str, str]
) -> dict[str, str]:
    """First-stage partial F and the talent coefficients of the first IV spec (its first covariance).

    Keys ``iv_first_stage_f`` (the partial F of the excluded instruments for each endogenous regressor,
    ``extra.first_stage.<x>.partial_f``), ``iv_stock`` and ``iv_quality`` (:func:`describe`; empty if
    the term is not in the IV model).

    The partial F is the Wald test that the q excluded instruments have zero first-stage coefficients,
    divided by q, with the covariance and small-sample factor of the column
    (:func:`tfp_talent.estimators.iv.fit_iv`); the regressor is named by its lower-cased report label
    where ``labels`` has one, else by its column name.
    """
    stock, quality = talent
    res = next(iter(result["results"].values()))
    fs = res["extra"]["first_stage"]
    return {
        "iv_first_stage_f": "; ".join(
            f"{fmt_number(v['partial_f'], 2)} for {term_label(k, labels).lower() if k in labels else k}"
            for k, v in fs.items()
        ),
        "iv_stock": describe(res, stock) if stock in res["params"] else "",
        "iv_quality": describe(res, quality) if quality in res["params"] else "",
    }


def _threshold_context(
    result: Mapping[str, Any], talent: tuple[str, str], labels: Mapping[str, str]
) -> dict[str, str]:
    """F, bootstrap p, γ̂₁ with its CI and k̂ of the first threshold spec (and the second test if run).

    Keys ``threshold_f1`` / ``threshold_p1`` (test of 0 against 1 threshold, Hansen 1999),
    ``bootstrap_reps``, ``threshold_gamma1`` with ``threshold_ci1`` (the LR confidence interval
    {γ: LR(γ) ≤ c(α)} of the single-threshold model), ``threshold_selected`` (k̂ of the sequential
    tests at 10%, :func:`~tfp_talent.study.results.selected_thresholds`) and, if run,
    ``threshold_f2`` / ``threshold_p2`` (one against two thresholds). F_k = (S_{k−1} − S_k)/σ̂²_k
    with its fixed-regressor bootstrap p (:mod:`tfp_talent.estimators.threshold`).
    """
    thr = result["threshold"]
    lo, hi = thr["ci"]["1"][0]
    ctx = {
        "threshold_f1": fmt_number(thr["f_stat"]["1"], 2),
        "threshold_p1": fmt_number(thr["p_value"]["1"], 3),
        "bootstrap_reps": fmt_int(thr["bootstrap"]["replications"]["1"]),
        "threshold_gamma1": fmt_number(thr["thresholds"]["1"][0], 2),
        "threshold_ci1": f"[{fmt_number(lo, 2)}, {fmt_number(hi, 2)}]",
        "threshold_selected": str(selected_thresholds(thr)),
    }
    if "2" in thr["f_stat"]:
        ctx["threshold_f2"] = fmt_number(thr["f_stat"]["2"], 2)
        ctx["threshold_p2"] = fmt_number(thr["p_value"]["2"], 3)
    return ctx


#: Report numbers of a spec kind, taken from the first result of that kind: (result, (stock, quality), labels) -> ctx.
KIND_CONTEXT: dict[str, Callable[[Mapping[str, Any], tuple[str, str], Mapping[str, str]], dict[str, str]]] = {
    "hausman": _hausman_context,
    "iv": _iv_context,
    "threshold": _threshold_context,
    "gmm": gmm_context,
}


def report_context(
    config: Mapping[str, Any],
    panel: pd.DataFrame,
    results: Mapping[str, Mapping[str, Any]],
    *,
    raw_checksums: str,
    reproducibility: str,
) -> dict[str, str]:
    """Every value the report template needs, from the config, the panel and the results files.

    Parameters
    ----------
    config
        The loaded ``config/config.yaml`` (``report.headline``, ``report.labels``, ``labour``,
        ``tfp.alpha``, ``capital.delta`` and the sections the builders of the module docstring read).
    panel
        The province-year panel: ``n_provinces``, ``year_start``, ``year_end``, ``n_obs_panel``.
    results
        Spec name → results file, in the order of the results files.
    raw_checksums, reproducibility
        Pre-rendered text blocks (checksums of ``data/raw``, software versions), inserted as given.

    Returns
    -------
    dict
        Template key → text. Its own keys: the data and TFP settings (``labour_proxy``,
        ``survey_gap_rule``, ``delta``, ``alpha``), the headline results
        (``baseline_stock_clustered`` / ``baseline_quality_clustered``: :func:`describe` of the first two
        talent terms of ``report.headline.spec`` with clustered SEs, ``baseline_nobs``,
        ``baseline_provinces``, ``baseline_years``, ``baseline_sample``, ``headline_stars``), those of
        :data:`KIND_CONTEXT`, ``catchup_interaction`` (the first spec with talent products) and
        ``specifications`` (:func:`specifications_markdown`).

    Raises
    ------
    InputError
        When the headline spec has no results file or no clustered result
        (:func:`~tfp_talent.study.results.pick_result`), or a section builder finds a block missing.
    """
    labels = dict((config.get("report") or {}).get("labels") or {})
    head = (config.get("report") or {}).get("headline") or {"spec": "baseline", "cov": "clustered"}
    base_cl = pick_result(results, {"spec": head["spec"], "cov": "clustered"}, where="report")
    talent = results[head["spec"]]["roles"]["talent"]
    stock, quality = talent[0], talent[1] if len(talent) > 1 else talent[0]
    labour = dict(config.get("labour") or {})
    tfp_cfg = dict(config.get("tfp") or {})
    capital = dict(config.get("capital") or {})
    human_capital = (
        ", times human capital per worker h = exp(φ(years of schooling)) with the Penn World Table's Mincer returns"
        if labour.get("human_capital", True)
        else ""
    )
    ctx: dict[str, str] = {
        "n_provinces": str(panel[ENTITY].nunique()),
        "year_start": str(int(panel[TIME].min())),
        "year_end": str(int(panel[TIME].max())),
        "n_obs_panel": fmt_int(len(panel)),
        "raw_checksums": raw_checksums.rstrip("\n"),
        "labour_proxy": LABOUR_TEXT.get(labour.get("source", "working_age"), str(labour.get("source")))
        + human_capital,
        "survey_gap_rule": SURVEY_GAP_TEXT[labour.get("fill_gaps", "inside")],
        "delta": fmt_number(capital.get("delta", 0.096), 3),
        "alpha": fmt_number(tfp_cfg.get("alpha", 0.4), 2),
        "baseline_stock_clustered": describe(base_cl, stock),
        "baseline_quality_clustered": describe(base_cl, quality),
        "baseline_nobs": fmt_int(base_cl["nobs"]),
        "baseline_provinces": str(base_cl["n_entities"]),
        "baseline_years": results[head["spec"]]["sample"]["years_text"],
        "baseline_sample": sample_note(results[head["spec"]], labels=labels),
        "reproducibility": reproducibility.rstrip("\n"),
    }
    for kind, context in KIND_CONTEXT.items():
        first = first_of_kind(results, kind)
        if first is not None:
            ctx.update(context(first, (stock, quality), labels))
    catch = [r for r in results.values() if r.get("roles", {}).get("products")]
    if catch:
        c = catch[0]
        res = c["results"].get("clustered") or next(iter(c["results"].values()))
        prods = c["roles"]["products"]
        ctx["catchup_interaction"] = describe(res, prods[0])
        if len(prods) > 1:
            ctx["catchup_interaction_quality"] = describe(res, prods[1])
    ctx.update(fe_lag_context(results, labels))
    ctx.update(channels_context(results, labels))
    ctx.update(indices_context(config, results, labels))  # mismatch and NQPF index (issue 13)
    ctx.update(spatial_context(config, results, labels))  # spatial (issue 12): verdict rule from config
    ctx.update(measurement_context(config, panel, results))  # measurement (issue 15, item 1)
    ctx.update(
        identification_context(config, results, labels)
    )  # identification checks, magnitudes (issue 15)
    ctx.update(shift_share_context(config, panel, results, labels))  # shift-share IV (issue 15)
    ctx.update(inference_context(config, results, labels))  # wild bootstrap and multiple testing (issue 15)
    # the verdict and the paper's generated prose (issue 15): tfp_talent.study.hypotheses, .paper_text
    ctx.update(hypotheses_context(config, results, labels))
    ctx.update(paper_context(config, results, labels))
    ctx["specifications"] = specifications_markdown(config, results)
    ctx["headline_stars"] = stars_for(base_cl["pvalues"].get(stock))
    return ctx


def specifications_markdown(config: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]]) -> str:
    """A Markdown list: each spec's name, label, description and estimation sample (from its result).

    One line per spec of ``config['specs']`` that has a results file, in config order: name, label,
    description, dependent variable, N, provinces and years (``sample``). Template key ``specifications``.
    Specs configured but not estimated in this run are left out, so the list is what was estimated.
    """
    labels = dict((config.get("report") or {}).get("labels") or {})
    lines = []
    for name in config.get("specs") or {}:
        r = results.get(name)
        if r is None:
            continue
        desc = r.get("description") or ""
        s = r["sample"]
        lines.append(
            f"- `{name}` ({r['label']}): {desc}. Dependent variable {term_label(r['y'], labels)}; "
            f"N = {s['nobs']:,}, {s['n_provinces']} provinces, {s['years_text']}."
        )
    return "\n".join(lines)
