"""The study's figures, drawn from config entries (``figures:``), the data and the results files.

Drawing is :mod:`tfp_talent.report.figures` and :mod:`tfp_talent.report.maps`; this module
picks the data, labels and notes. :data:`FIGURE_KINDS` maps each figure ``kind`` of
``config/schema.yaml`` to its builder; a new kind is one builder + one entry.
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
    (a spec's estimation sample), ``results`` (the loaded results files), the TopoJSON file."""

    results: Mapping[str, Mapping[str, Any]]
    data: pd.DataFrame | None
    analysis: pd.DataFrame | None
    topo_path: str | Path | None


def province_means(
    data: pd.DataFrame, variable: str, years: Sequence[int] | None, scale: float = 1.0
) -> pd.Series:
    """Mean of ``variable`` over ``years`` (closed range) per province, × ``scale``; NaN where no data."""
    frame = data if not years else data[data[TIME].between(years[0], years[1])]
    return frame.groupby(ENTITY)[variable].mean() * scale


def _tfp_by_region(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """Mean ln TFP level (and growth, if set) by region over time."""
    from tfp_talent.report import figures as F

    level, growth = entry.get("level", "solow_ln_tfp"), entry.get("growth")
    return F.tfp_by_region(
        inp.data, level=level, growth=growth,
        level_label=f"Mean {term_label(level, labels)} (log points)",
        note="Unweighted means over the provinces of each region (NBS three-region split).", source=where,
    )  # fmt: skip


def _map(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """Province means of ``variable`` over ``years`` × ``scale``: a tile map, or a choropleth from the TopoJSON
    (colours by ``colour_scale``: linear, quantile classes or log; :func:`tfp_talent.report.maps.colour_norm`)."""
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
    """Malmquist efficiency and technical change (their product is TFP change)."""
    from tfp_talent.report import figures as F

    return F.malmquist_plot(
        inp.data, ec="malmquist_efficiency_change", tc="malmquist_technical_change", source=where
    )


def _partial_scatter(
    where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]
) -> Any:
    """y against x after removing the spec's other regressors and two-way effects (Frisch–Waugh–Lovell)."""
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
    """Coefficients of ``variables`` with the tables' 95% intervals, one marker per ``{spec, cov, model}``."""
    from tfp_talent.report import figures as F

    cols = list(entry["columns"])
    picked = [pick_result(inp.results, c, where=where) for c in cols]
    labs = [c.get("label") or inp.results[c["spec"]]["label"] for c in cols]
    return F.coef_plot(
        picked, list(entry["variables"]), labels=labs, variable_labels=labels_for(entry["variables"], labels),
        note=COEF_PLOT_NOTE, source=where,
    )  # fmt: skip


def _threshold_lr(where: str, entry: Mapping[str, Any], inp: FigureInputs, labels: Mapping[str, str]) -> Any:
    """LR(γ) curves of the thresholds of the model shown, with the 95% critical value (Hansen 1999)."""
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
    """

    draw: Callable[[str, Mapping[str, Any], FigureInputs, Mapping[str, str]], Any]
    needs_data: bool = False
    default_tfp: str | None = "baseline"
    needs_analysis: bool = False
    needs_topo: bool | Callable[[Mapping[str, Any]], bool] = False

    def topo(self, entry: Mapping[str, Any]) -> bool:
        """True if a figure of this kind with ``entry`` is drawn on the province polygons."""
        return self.needs_topo(entry) if callable(self.needs_topo) else bool(self.needs_topo)


def _is_choropleth(entry: Mapping[str, Any]) -> bool:
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
    the loaded results files (coef_plot, threshold_lr).
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
