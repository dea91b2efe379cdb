"""Figure kind ``event_study``: the reduced-form event study stored by a spec of kind ``event_study``.

Registered in :data:`tfp_talent.study.figures.FIGURE_KINDS`; the coefficients, intervals and tests
come from the result's ``event_study`` block (:mod:`tfp_talent.study.runners.event_study`), the
drawing is :func:`tfp_talent.report.event_plot.event_study_plot`.

The spec estimates y_it = Σ_{t≠b} θ_t · E_i · 1[year = t] + w_it'δ + α_i + λ_t + e_it with a
time-invariant exposure E_i (``ss_exposure``, the pre-expansion college capacity) and base year b;
θ_t is the gap in y between provinces one unit of E apart in year t relative to b. The figure shows
θ_t · SD(E) (SD(E) the cross-province SD stored as ``exposure_sd``), i.e. per one-SD more exposure.
In ``config/config.yaml``: ``figures.event_study`` on spec ``ss_event``. The joint tests of the note
are the Wald tests F = θ'V⁻¹θ/q of all pre-b and all post-b coefficients, stored by the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tfp_talent.errors import InputError
from tfp_talent.report.tables import fmt_number
from tfp_talent.study.labels import term_label


def event_study_figure(where: str, entry: Mapping[str, Any], inp: Any, labels: Mapping[str, str]) -> Any:
    """θ_t per one-SD higher exposure (scaled by the exposure's cross-province SD), 95 % clustered CIs.

    Arguments as the drawers of :data:`tfp_talent.study.figures.FIGURE_KINDS`; entry keys ``spec``,
    ``cov`` (default: the first stored), ``label`` (y axis), ``marker_year`` / ``marker_label`` (a
    dotted line, e.g. the first graduating expanded cohort). Intervals [lo, hi] · SD(E) as stored
    (t with ``df_inference`` df, G − 1 when clustered); the note gives the joint Wald p of the post-b
    coefficients and, when the sample has years before b, of the pre-b ones. Raises
    :class:`InputError` when the spec has no ``event_study`` block or none for ``cov``.
    """
    from tfp_talent.report.event_plot import event_study_plot

    res = inp.results.get(entry["spec"])
    if res is None or "event_study" not in res:
        raise InputError(f"spec '{entry['spec']}' is not an event_study spec", file=where)
    ev = res["event_study"]
    cov = entry.get("cov") or next(iter(ev["by_cov"]))
    if cov not in ev["by_cov"]:
        raise InputError(f"spec '{entry['spec']}' has no event study with cov '{cov}'", file=where)
    block = ev["by_cov"][cov]
    sd = float(ev["exposure_sd"])
    pre, post = block["tests"]["pre"], block["tests"]["post"]
    tests = [f"joint test of the years after {ev['base_year']}: p = {fmt_number(post['p_value'], 3)}"]
    if pre["df"]:
        tests.insert(
            0, f"joint test of the years before {ev['base_year']}: p = {fmt_number(pre['p_value'], 3)}"
        )
    s = res["sample"]
    note = (
        f"{term_label(res['y'], labels)} on {term_label(ev['exposure'], labels)} × year dummies, two-way fixed effects; "
        f"base year {ev['base_year']} = 0; coefficients × the cross-province SD of the exposure ({fmt_number(sd, 4)}); "
        f"{round(100 * block['level'])}% intervals, SEs clustered by province (t with {int(block['df_inference'])} df). "
        f"N = {s['nobs']:,}, {s['n_provinces']} provinces, {s['years_text']}; " + "; ".join(tests) + "."
    )
    return event_study_plot(
        block["coefficients"],
        base_year=int(ev["base_year"]),
        scale=sd,
        ylabel=entry.get("label", "Effect of +1 SD exposure"),
        marker_year=entry.get("marker_year"),
        marker_label=entry.get("marker_label"),
        note=note,
        source=where,
    )
