"""The study's figures, drawn from config entries (``figures:``), the data and the results files.

Drawing is :mod:`tfp_talent.report.figures` and :mod:`tfp_talent.report.maps`; this module
picks the data, labels and notes. :data:`FIGURE_KINDS` maps each figure ``kind`` of
``config/schema.yaml`` to its builder; a new kind is one builder + one entry.

Drawing arguments, shared by every ``draw`` function of :data:`FIGURE_KINDS` (here and in
:mod:`~tfp_talent.study.spatial_figures`, :mod:`~tfp_talent.study.shift_share_figures`,
:mod:`~tfp_talent.study.indices_figures`):

``where``   ``figures.<name>``, the figure's source line and the file named in every error.
``entry``   the config entry ``figures.<name>`` (``kind``, ``spec``, ``variable``, ``years``, ``label``, ...).
``inp``     :class:`FigureInputs`: what the workflow loaded for this kind (:class:`FigureKind`).
``labels``  variable → report label (``report.labels``, overridden by the entry's own ``labels``).

Each returns a matplotlib ``Figure``; the report embeds it as ``$figure_<name>`` and cites it as
``$ref_figure_<name>`` (:mod:`tfp_talent.report.document`). Errors are :class:`InputError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.study.common import ENTITY, TIME
from tfp_talent.study.indices_figures import region_series_figure
from tfp_talent.study.labels import labels_for, term_label
from tfp_talent.study.results import lr_curves, lr_note, lr_titles, pick_result
from tfp_talent.study.shift_share_figures import event_study_figure
from tfp_talent.study.spatial_figures import _lisa_map, _moran_scatter


@dataclass(frozen=True)
class FigureInputs:
    """What a figure may be drawn from: ``data`` (the panel merged with the TFP file), ``analysis``
    (a spec's estimation sample), ``results`` (the loaded results files), the TopoJSON file.

    Attributes
    ----------
    results
        Spec name → results file (:func:`tfp_talent.study.run.run_spec`); empty when none is loaded.
    data
        Province-year panel merged with the entry's TFP variant (or none), for ``needs_data`` kinds.
    analysis
        The estimation sample of ``entry.spec`` (rows and columns the estimate used), for
        ``partial_scatter``.
    topo_path
        Path of the province TopoJSON (choropleths, LISA maps), else None.
    """

    results: Mapping[str, Mapping[str, Any]]
    data: pd.DataFrame | None
    analysis: pd.DataFrame | None
    topo_path: str | Path | None


def province_means(
    data: pd.DataFrame, variable: str, years: Sequence[int] | None, scale: float = 1.0
) -> pd.Series:
    """Mean of ``variable`` over ``years`` (closed range) per province, × ``scale``; NaN where no data.

    x̄_i = scale · mean_{t ∈ [y₀, y₁], x_it observed} x_it, indexed by province code; ``years=None``
    averages over all years of ``data``. The values of the ``map`` figures.
    """
    frame = data if not years else data[data[TIME].between(years[0], years[1])]
    return frame.groupby(ENTITY)[variable].mean() * scale


def _tfp_by_region(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """Mean ln TFP level (and growth, if set) by region over time.

    Entry keys: ``level`` (default ``solow_ln_tfp``) and ``growth`` (a growth column; without it the
    growth panel is the within-province first difference of ``level``,
    :func:`tfp_talent.report.figures.tfp_by_region`). Unweighted means over the NBS three regions.
    """
    from tfp_talent.report import figures as F

    level, growth = entry.get("level", "solow_ln_tfp"), entry.get("growth")
    return F.tfp_by_region(
        inp.data, level=level, growth=growth,
        level_label=f"Mean {term_label(level, labels)} (log points)",
        note="Unweighted means over the provinces of each region (NBS three-region split).", source=where,
    )  # fmt: skip


def _map(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """Province means of ``variable`` over ``years`` × ``scale``: a tile map or a TopoJSON choropleth.

    Choropleth colours by ``colour_scale``: linear, quantile classes or log
    (:func:`tfp_talent.report.maps.colour_norm`).

    Entry keys: ``variable``, ``years`` ([first, last]), ``scale`` (e.g. 100 for per cent),
    ``label``, ``style`` (``tile``, default, or ``choropleth``). Values: :func:`province_means`.
    Raises :class:`InputError` for a variable not in ``inp.data`` or a choropleth without TopoJSON.
    Used by ``map_talent_stock``, ``map_talent_quality``, ``map_tfp_growth`` and the index maps.
    """
    from tfp_talent.report import maps as M

    data = inp.data
    var = entry["variable"]
    if var not in data.columns:
        raise InputError(f"unknown variable '{var}'", file=where)
    values = province_means(data, var, entry.get("years"), float(entry.get("scale", 1.0)))
    label = entry.get("label", term_label(var, labels))
    if entry.get("style", "tile") == "tile":
        return M.tile_map(values, label=label, source=where)
    if inp.topo_path is None:
        raise InputError("a choropleth needs the TopoJSON file", file=where)
    return M.choropleth(
        values,
        M.read_topojson(inp.topo_path),
        label=label,
        colour_scale=entry.get("colour_scale", "linear"),
        source=where,
    )


def _malmquist(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """Malmquist efficiency and technical change (their product is TFP change).

    Per province the geometric means exp(mean ln EC) and exp(mean ln TC) of the columns
    ``malmquist_efficiency_change`` and ``malmquist_technical_change`` of the TFP file, with the
    curve EC × TC = 1 (no TFP change; :func:`tfp_talent.report.figures.malmquist_plot`).
    """
    from tfp_talent.report import figures as F

    return F.malmquist_plot(
        inp.data, ec="malmquist_efficiency_change", tc="malmquist_technical_change", source=where
    )


def _partial_scatter(
    where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]
) -> Any:
    """y against x after removing the spec's other regressors and two-way effects (Frisch–Waugh–Lovell).

    ỹ and x̃ are the residuals of y and x on the other regressors and province and year effects in
    the estimation sample ``inp.analysis`` of ``entry.spec``; the slope of ỹ on x̃ through the origin
    equals the two-way FE coefficient on x (:func:`tfp_talent.report.figures.partial_scatter`, binned
    means of 20 equal-count bins). Raises :class:`InputError` without the sample or the result, or if
    ``entry.x`` is not a regressor of the spec.

    Entry keys ``spec`` and ``x``; y is the spec's dependent variable. The note gives N, provinces and
    years of the estimation sample (``sample`` of the results file), so the slope can be matched to
    the table column. Used by ``partial_scatter`` and ``partial_scatter_quality``.
    """
    from tfp_talent.report import figures as F

    if inp.analysis is None or not inp.results:
        raise InputError("a partial scatter needs the spec's estimation sample and result", file=where)
    res = inp.results[entry["spec"]]
    x = entry["x"]
    if x not in res["regressors"]:
        raise InputError(
            f"'{x}' is not a regressor of spec '{entry['spec']}' ({', '.join(res['regressors'])})", file=where
        )
    controls = [r for r in res["regressors"] if r != x]
    s = res["sample"]
    return F.partial_scatter(
        inp.analysis, res["y"], x, controls=controls,
        xlabel=f"{term_label(x, labels)}, residual", ylabel=f"{term_label(res['y'], labels)}, residual",
        note=f"Estimation sample of '{res['label']}': N = {s['nobs']:,}, {s['n_provinces']} provinces, {s['years_text']}.",
        source=where,
    )  # fmt: skip


COEF_PLOT_NOTE = "95% intervals: wild cluster bootstrap confidence sets (FE specs), else b ± t(G − 1) SE clustered by province."


def _coef_plot(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """Coefficients of ``variables`` with the tables' 95% intervals, one marker per ``{spec, cov, model}``.

    Interval (:data:`COEF_PLOT_NOTE`): the stored wild cluster bootstrap confidence set, else
    b ± t_df(0.975)·SE with the result's ``df_inference`` (G − 1 when clustered), else b ± 1.96·SE
    (:func:`tfp_talent.report.figures.coef_plot`). Entry keys: ``columns`` (as in a regression
    table, each with an optional ``label``) and ``variables``. Used by ``figures.coef_plot``.
    """
    from tfp_talent.report import figures as F

    cols = list(entry["columns"])
    picked = [pick_result(inp.results, c, where=where) for c in cols]
    labs = [c.get("label") or inp.results[c["spec"]]["label"] for c in cols]
    return F.coef_plot(
        picked, list(entry["variables"]), labels=labs, variable_labels=labels_for(entry["variables"], labels),
        note=COEF_PLOT_NOTE, source=where,
    )  # fmt: skip


def _threshold_lr(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """LR(γ) curves of the thresholds of the model shown, with the 95% critical value (Hansen 1999).

    LR(γ) = (S(γ) − S(γ̂))/σ̂² over the grid of the threshold search, one panel per threshold of the
    k̂-threshold model (at least one, :func:`~tfp_talent.study.results.lr_curves`); the dashed line is
    c(0.05) = −2 ln(1 − √0.95) = 7.35 and {γ: LR(γ) ≤ c} the confidence set. Panel titles carry
    the bootstrap p of each threshold's test. Raises :class:`InputError` for a non-threshold spec.
    """
    from tfp_talent.report import figures as F

    thr = inp.results[entry["spec"]].get("threshold")
    if not thr:
        raise InputError(f"spec '{entry['spec']}' is not a threshold spec", file=where)
    curves, gammas = lr_curves(thr)
    qx = thr.get("threshold_variable", "q")
    return F.lr_plot(
        curves,
        thresholds=gammas,
        xlabel=f"Threshold γ: {term_label(qx, labels)}",
        titles=lr_titles(thr, len(curves)),
        note=lr_note(thr),
        source=where,
    )


@dataclass(frozen=True)
class FigureKind:
    """How a figure kind is drawn: ``draw(where, entry, inputs, labels)``, and what it reads.

    ``needs_data``: the panel merged with a TFP file (variant ``entry.tfp``, else ``default_tfp``);
    ``needs_analysis``: the estimation sample of ``entry.spec`` (panel + that spec's TFP file);
    ``needs_topo``: the province polygons (a bool, or a test of the entry). The workflow derives a
    figure's input files from these (``workflow/rules/common.smk``, ``figure_inputs``).
    ``default_tfp`` is None for kinds whose columns are in the panel itself (maps of panel
    variables, region series), so no TFP file is merged unless the entry names one.
    """

    draw: Callable[[str, Mapping[str, Any], FigureInputs, Mapping[str, str]], Any]
    needs_data: bool = False
    default_tfp: str | None = "baseline"
    needs_analysis: bool = False
    needs_topo: bool | Callable[[Mapping[str, Any]], bool] = False

    def topo(self, entry: Mapping[str, Any]) -> bool:
        """True if a figure of this kind with ``entry`` is drawn on the province polygons.

        The workflow then adds the TopoJSON file to the figure's inputs.
        """
        return self.needs_topo(entry) if callable(self.needs_topo) else bool(self.needs_topo)


def _is_choropleth(entry: Mapping[str, Any]) -> bool:
    """Whether a ``map`` entry is drawn on the TopoJSON polygons (``style: choropleth``)."""
    return entry.get("style", "tile") == "choropleth"


FIGURE_KINDS: dict[str, FigureKind] = {
    "tfp_by_region": FigureKind(draw=_tfp_by_region, needs_data=True),
    "map": FigureKind(draw=_map, needs_data=True, default_tfp=None, needs_topo=_is_choropleth),
    "partial_scatter": FigureKind(draw=_partial_scatter, needs_analysis=True),
    "coef_plot": FigureKind(draw=_coef_plot),
    "threshold_lr": FigureKind(draw=_threshold_lr),
    "malmquist": FigureKind(draw=_malmquist, needs_data=True),
}
# --- spatial (issue 12): drawn from the ESDA stored by a spatial spec (tfp_talent.study.spatial_figures) ---
FIGURE_KINDS["moran_scatter"] = FigureKind(draw=_moran_scatter)
FIGURE_KINDS["lisa_map"] = FigureKind(draw=_lisa_map, needs_topo=True)
# --- shift-share instrument (issue 15): the reduced-form event study (tfp_talent.study.shift_share_figures) ---
FIGURE_KINDS["event_study"] = FigureKind(draw=event_study_figure)
# --- coupling coordination (issue 13): region means of index columns by year (tfp_talent.study.indices_figures) ---
FIGURE_KINDS["region_series"] = FigureKind(draw=region_series_figure, needs_data=True, default_tfp=None)


def build_figure(
    name: str,
    entry: Mapping[str, Any],
    *,
    results: Mapping[str, Mapping[str, Any]] | None = None,
    data: pd.DataFrame | None = None,
    analysis: pd.DataFrame | None = None,
    topo_path: str | Path | None = None,
    labels: Mapping[str, str] | None = None,
) -> Any:
    """Draw ``figures.<name>`` (a matplotlib Figure) with the builder of its kind (:data:`FIGURE_KINDS`).

    ``data`` is the panel merged with the TFP file (tfp_by_region, map, malmquist);
    ``analysis`` the estimation sample of the spec (partial_scatter); ``results``
    the loaded results files (coef_plot, threshold_lr and the ESDA, event-study kinds).
    The entry's ``labels`` override ``labels`` for this figure only.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the workflow saves it (``workflow/rules/figures.smk``), the report embeds it.

    Raises
    ------
    InputError
        For an unknown ``kind``, a kind that needs the panel without ``data``, or whatever
        the kind's own drawer rejects (missing spec, variable or block).
    """
    labels = {**dict(labels or {}), **dict(entry.get("labels") or {})}  # a figure may shorten labels
    where = f"figures.{name}"
    kind = entry["kind"]
    if kind not in FIGURE_KINDS:
        raise InputError(f"unknown figure kind '{kind}'", file=where)
    fig_kind = FIGURE_KINDS[kind]
    if fig_kind.needs_data and data is None:
        raise InputError(f"figure kind '{kind}' needs the panel", file=where)
    inputs = FigureInputs(results=results or {}, data=data, analysis=analysis, topo_path=topo_path)
    return fig_kind.draw(where, entry, inputs, labels)
