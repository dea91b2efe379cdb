"""Figures of the study, drawn from plain data (panels, result dicts) in one style.

Each function returns a matplotlib :class:`~matplotlib.figure.Figure`; write it
with :func:`tfp_talent.report.style.save_figure` (PNG + PDF, byte-stable).
Maps are in :mod:`tfp_talent.report.maps`.

Functions: :func:`tfp_by_region` (region means of TFP level and growth over
time), :func:`partial_scatter` (talent vs TFP after removing two-way fixed
effects, Frisch–Waugh–Lovell), :func:`coef_plot` (coefficients with 95 % CIs
across specifications), :func:`lr_plot` (Hansen threshold LR(γ) with the
critical value), :func:`malmquist_plot` (Malmquist efficiency vs technical change
by region).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import coefficient_interval
from tfp_talent.estimators.threshold_regimes import lr_critical_value as threshold_lr_critical_value
from tfp_talent.io import require_columns
from tfp_talent.report.style import (
    FULL_WIDTH,
    PALETTE,
    REGION_COLORS,
    REGION_MARKERS,
    add_note,
    figure_style,
)
from tfp_talent.report.tables import REGION_ORDER

ENTITY = "province_code"
TIME = "year"


def _region_order(values: Sequence[Any]) -> list[str]:
    """Regions of ``values`` present, in :data:`~.tables.REGION_ORDER`, then any others sorted."""
    present = [str(v) for v in pd.unique(pd.Series(values).dropna())]
    return [r for r in REGION_ORDER if r in present] + sorted(r for r in present if r not in REGION_ORDER)


def _color(region: str, i: int) -> str:
    """The colour of ``region`` (:data:`~.style.REGION_COLORS`), else the ``i``-th palette colour."""
    return REGION_COLORS.get(region, PALETTE[i % len(PALETTE)])


# --------------------------------------------------------------------------- TFP by region


def tfp_by_region(
    panel: pd.DataFrame,
    *,
    level: str = "solow_ln_tfp",
    growth: str | None = None,
    by: str = "region3",
    growth_scale: float = 100.0,
    level_label: str = "Mean ln TFP (log points)",
    growth_label: str = "Mean TFP growth (% per year)",
    title: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """Two panels: unweighted region means of ``level`` and of TFP growth by year.

    Growth is ``growth`` × ``growth_scale`` if a growth column is given, else the
    within-province first difference of ``level`` between consecutive years
    (Δ ln TFP ≈ growth rate) × ``growth_scale``. Means are over provinces with
    data in that year.
    """
    cols = [ENTITY, TIME, by, level] + ([growth] if growth else [])
    require_columns(panel, cols, file=source)
    df = panel[cols].copy().sort_values([ENTITY, TIME])
    if growth:
        df["_g"] = df[growth] * growth_scale
    else:
        prev = within.lag(df[ENTITY], within.integer_time(df[TIME], file=source), df[level], 1)
        df["_g"] = (df[level].to_numpy(dtype=float) - prev) * growth_scale
    regions = _region_order(df[by])
    if not regions:
        raise InputError("no region labels", file=source, column=by)
    with figure_style():
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(FULL_WIDTH, 3.2), sharex=True)
        for i, r in enumerate(regions):
            sub = df[df[by].astype(str) == r]
            m_level = sub.groupby(TIME)[level].mean()
            m_growth = sub.groupby(TIME)["_g"].mean().dropna()
            kw = {"color": _color(r, i), "marker": REGION_MARKERS.get(r, "o"), "markersize": 3.5, "label": r}
            ax1.plot(m_level.index, m_level.to_numpy(), **kw)
            ax2.plot(m_growth.index, m_growth.to_numpy(), **kw)
        ax1.set_xlabel("Year")
        ax1.set_ylabel(level_label)
        ax1.set_title("Level")
        ax2.set_xlabel("Year")
        ax2.set_ylabel(growth_label)
        ax2.set_title("Growth")
        ax2.axhline(0.0, color="#555555", linewidth=0.7)
        ax1.xaxis.set_major_locator(plt.MaxNLocator(integer=True, nbins=6))
        ax1.legend(title=None, loc="best")
        if title:
            fig.suptitle(title)
        if note:
            add_note(fig, note)
    return fig


# --------------------------------------------------------------------------- FWL partial scatter


def demean_twoway(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    entity: str = ENTITY,
    time: str = TIME,
    tol: float = 1e-13,
    max_iter: int = 10_000,
) -> pd.DataFrame:
    """Residuals of ``columns`` after projecting out entity and time dummies.

    Alternating projections (von Neumann–Halperin; Gaure 2013, *lfe*,
    Comput. Stat. Data Anal. 66): subtract entity means, then time means, and
    repeat until the largest change is below ``tol`` × (1 + max |x|). Converges to
    the exact two-way within transform on balanced and unbalanced panels (one
    sweep suffices on a balanced panel). Rows must have no missing values.
    """
    x = frame[list(columns)].to_numpy(dtype=float).copy()
    if not np.isfinite(x).all():
        raise InputError("missing values; drop them before demeaning", column=list(columns))
    e_codes, _ = pd.factorize(frame[entity], sort=True)
    t_codes, _ = pd.factorize(frame[time], sort=True)
    ne, nt = e_codes.max() + 1, t_codes.max() + 1
    e_count = np.bincount(e_codes, minlength=ne).astype(float)
    t_count = np.bincount(t_codes, minlength=nt).astype(float)
    scale = 1.0 + np.abs(x).max(axis=0) if len(x) else 1.0
    for _ in range(max_iter):
        old = x.copy()
        for codes, count, n in ((e_codes, e_count, ne), (t_codes, t_count, nt)):
            sums = np.zeros((n, x.shape[1]))
            np.add.at(sums, codes, x)
            x -= (sums / count[:, None])[codes]
        if np.all(np.abs(x - old).max(axis=0) <= tol * scale):
            break
    else:
        raise InputError(f"two-way demeaning did not converge in {max_iter} iterations", column=list(columns))
    return pd.DataFrame(x, index=frame.index, columns=list(columns))


def fwl_residuals(
    panel: pd.DataFrame,
    y: str,
    x: str,
    *,
    controls: Sequence[str] = (),
    entity: str = ENTITY,
    time: str = TIME,
    source: str | None = None,
) -> pd.DataFrame:
    """Frisch–Waugh–Lovell residuals of ``y`` and ``x`` on two-way FE (and controls).

    Rows with a missing ``y``, ``x`` or control are dropped first. With controls,
    the demeaned ``y`` and ``x`` are further residualised on the demeaned
    controls by least squares. The OLS slope of ``y_res`` on ``x_res`` equals the
    coefficient on ``x`` in the two-way FE regression ``y ~ x + controls | entity + time``
    (Frisch & Waugh 1933; Lovell 1963). Returns columns ``entity``, ``time``,
    ``x_res``, ``y_res``.
    """
    cols = [y, x, *controls]
    require_columns(panel, [entity, time, *cols], file=source)
    df = panel[[entity, time, *cols]].dropna()
    if len(df) < 3:
        raise InputError(f"only {len(df)} complete rows for {y} on {x}", file=source, column=cols)
    dm = demean_twoway(df, cols, entity=entity, time=time)
    yr, xr = dm[y].to_numpy(), dm[x].to_numpy()
    if controls:
        z = dm[list(controls)].to_numpy()
        yr = yr - z @ np.linalg.lstsq(z, yr, rcond=None)[0]
        xr = xr - z @ np.linalg.lstsq(z, xr, rcond=None)[0]
    return pd.DataFrame(
        {entity: df[entity].to_numpy(), time: df[time].to_numpy(), "x_res": xr, "y_res": yr}, index=df.index
    )


def fwl_slope(residuals: pd.DataFrame) -> float:
    """OLS slope of ``y_res`` on ``x_res`` (no constant: both have mean zero).

    b = Σ x̃ỹ / Σ x̃², the FE coefficient of x by Frisch–Waugh–Lovell; InputError when Σ x̃² = 0.
    """
    xr, yr = residuals["x_res"].to_numpy(), residuals["y_res"].to_numpy()
    denom = float(xr @ xr)
    if denom <= 0.0:
        raise InputError("the regressor has no variation left after removing fixed effects")
    return float(xr @ yr) / denom


def partial_scatter(
    panel: pd.DataFrame,
    y: str,
    x: str,
    *,
    controls: Sequence[str] = (),
    bins: int = 20,
    xlabel: str,
    ylabel: str,
    title: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """Binned scatter of ``y`` against ``x`` after removing province and year effects.

    Grey dots: every observation's residuals; black dots: means within ``bins``
    equal-count bins of ``x_res``; line: the FWL slope through the origin, which
    is the two-way FE coefficient (shown in the legend).
    """
    res = fwl_residuals(panel, y, x, controls=controls, source=source)
    slope = fwl_slope(res)
    order = np.argsort(res["x_res"].to_numpy(), kind="stable")
    xs, ys = res["x_res"].to_numpy()[order], res["y_res"].to_numpy()[order]
    groups = np.array_split(np.arange(len(xs)), min(bins, len(xs)))
    bx = np.array([xs[g].mean() for g in groups if len(g)])
    by_ = np.array([ys[g].mean() for g in groups if len(g)])
    with figure_style():
        fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.75, 3.8))
        ax.scatter(
            xs, ys, s=6, color="#bbbbbb", alpha=0.6, linewidths=0, label=f"Province-years (n = {len(xs)})"
        )
        ax.scatter(bx, by_, s=22, color=PALETTE[0], zorder=3, label=f"Bin means ({len(bx)} equal-count bins)")
        grid = np.linspace(xs.min(), xs.max(), 2)
        ax.plot(grid, slope * grid, color=PALETTE[1], linewidth=1.6, label=f"Two-way FE slope = {slope:.3f}")
        ax.axhline(0.0, color="#555555", linewidth=0.5)
        ax.axvline(0.0, color="#555555", linewidth=0.5)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if title:
            ax.set_title(title)
        ax.legend(loc="best", markerscale=1.6, frameon=True, framealpha=0.9, edgecolor="none")
        base = (
            "Residuals after removing province and year fixed effects"
            + (" and controls" if controls else "")
            + " (Frisch–Waugh–Lovell)."
        )
        add_note(fig, base + (f"\n{note}" if note else ""))
    return fig


# --------------------------------------------------------------------------- coefficient plot


def coef_plot(
    results: Sequence[Mapping[str, Any]],
    variables: str | Sequence[str],
    *,
    labels: Sequence[str],
    variable_labels: Mapping[str, str] | None = None,
    level: float = 0.95,
    xlabel: str = "Coefficient (95% confidence interval)",
    title: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """Point estimates with the confidence intervals the tables use.

    The interval of a coefficient is, in this order: the wild cluster bootstrap confidence set stored
    with the result (``extra.wild_bootstrap.<v>.conf_int``, at its own level); b ± t_{df} · se with the
    result's inference degrees of freedom (``df_inference``, G − 1 when clustered); b ± z · se.
    One row per result (labelled by ``labels``), one panel per variable in ``variables``;
    specifications where a variable is absent are left blank.
    """
    names = [variables] if isinstance(variables, str) else list(variables)
    if len(labels) != len(results):
        raise InputError(f"{len(labels)} labels for {len(results)} results", file=source, column="labels")
    vlabels = dict(variable_labels or {})
    found = {v: any(v in (r.get("params") or {}) for r in results) for v in names}
    unknown = [v for v, ok in found.items() if not ok]
    if unknown:
        raise InputError("variable(s) in no result", file=source, column=unknown)
    n = len(results)
    with figure_style():
        fig, axes = plt.subplots(
            1, len(names), figsize=(FULL_WIDTH, max(2.2, 0.32 * n + 1.2)), sharey=True, squeeze=False
        )
        ypos = np.arange(n)[::-1]
        for k, (ax, v) in enumerate(zip(axes[0], names, strict=True)):
            for i, r in enumerate(results):
                ci = coefficient_interval(r, v, level)
                if ci is None:
                    continue
                b, lo, hi = ci
                ax.errorbar(
                    b,
                    ypos[i],
                    xerr=[[b - lo], [hi - b]],
                    fmt="o",
                    color=PALETTE[0],
                    ecolor=PALETTE[0],
                    capsize=2.5,
                    markersize=4,
                )
            ax.axvline(0.0, color="#555555", linewidth=0.8, linestyle="--")
            ax.set_title(vlabels.get(v, v))
            ax.set_xlabel(xlabel)
            ax.grid(axis="y", visible=False)
            if k == 0:
                ax.set_yticks(ypos)
                ax.set_yticklabels(list(labels))
                ax.set_ylabel("Specification")
            ax.set_ylim(-0.7, n - 0.3)
        if title:
            fig.suptitle(title)
        if note:
            add_note(fig, note)
    return fig


# --------------------------------------------------------------------------- threshold LR


def lr_critical_value(alpha: float = 0.05) -> float:
    """Asymptotic critical value of the threshold LR statistic at size ``alpha``: c(α) = −2 ln(1 − √(1 − α)).

    Hansen (2000), Econometrica 68, 575-603, Table 1 / eq. 16; Hansen (1999) eq. 16:
    7.35 at α = 0.05, 5.94 at 0.10, 10.59 at 0.01. The estimator's
    :func:`tfp_talent.estimators.threshold_regimes.lr_critical_value` at level 1 − α.
    """
    if not 0.0 < alpha < 1.0:
        raise InputError(f"alpha must be in (0, 1), got {alpha}")
    return threshold_lr_critical_value(1.0 - alpha)


def lr_plot(
    curves: Sequence[tuple[Sequence[float], Sequence[float]]],
    *,
    thresholds: Sequence[float],
    xlabel: str,
    alpha: float = 0.05,
    crit: float | None = None,
    titles: Sequence[str] | None = None,
    ylabel: str = "Likelihood-ratio statistic LR(γ)",
    title: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """LR(γ) against the candidate threshold γ, one panel per curve.

    The horizontal dashed line is the critical value ``crit`` (default c(α) of
    :func:`lr_critical_value`); the γ values with LR(γ) ≤ c form the confidence
    set (shaded), and γ̂ (LR = 0) is marked. ``curves`` holds one ``(gamma, lr)``
    pair per panel, ``thresholds`` the matching estimates.
    """
    if len(curves) != len(thresholds):
        raise InputError(f"{len(curves)} LR curves for {len(thresholds)} thresholds", file=source)
    if not curves:
        raise InputError("no LR curves to plot", file=source)
    if titles is not None and len(titles) != len(curves):
        raise InputError(f"{len(titles)} titles for {len(curves)} LR curves", file=source)
    c_val = lr_critical_value(alpha) if crit is None else float(crit)
    level = int(round((1 - alpha) * 100))
    k = len(curves)
    with figure_style():
        fig, axes = plt.subplots(
            1, k, figsize=(FULL_WIDTH if k > 1 else FULL_WIDTH * 0.75, 3.7), squeeze=False
        )
        for j, (ax, (g, lr), gh) in enumerate(zip(axes[0], curves, thresholds, strict=True)):
            g_arr = np.asarray(g, dtype=float)
            lr_arr = np.asarray(lr, dtype=float)
            if g_arr.shape != lr_arr.shape or g_arr.size < 2:
                raise InputError(
                    f"LR curve {j + 1}: gamma and LR differ in length or have < 2 points", file=source
                )
            o = np.argsort(g_arr, kind="stable")
            g_arr, lr_arr = g_arr[o], lr_arr[o]
            ax.fill_between(
                g_arr,
                0,
                c_val,
                where=lr_arr <= c_val,
                color=PALETTE[1],
                alpha=0.18,
                linewidth=0,
                label="Confidence set (LR ≤ critical value)",
            )
            ax.plot(g_arr, lr_arr, color=PALETTE[0], linewidth=1.3, label="LR(γ)")
            ax.axhline(
                c_val,
                color=PALETTE[1],
                linestyle="--",
                linewidth=1.1,
                label=f"{level}% critical value = {c_val:.2f}",
            )
            ax.axvline(gh, color="#555555", linewidth=0.8, linestyle=":")
            ax.plot(
                [gh],
                [0.0],
                marker="v",
                color="black",
                markersize=6,
                linestyle="none",
                label="Estimated threshold γ̂",
                clip_on=False,
            )
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel if j == 0 else "")
            ax.set_ylim(bottom=0.0)
            head = titles[j] if titles is not None else (f"Threshold {j + 1}" if k > 1 else "")
            ax.set_title(f"{head}: γ̂ = {gh:.3f}" if head else f"γ̂ = {gh:.3f}")
        handles, names = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside upper center", ncol=2)
        if title:
            fig.suptitle(title)
        if note:
            add_note(fig, note)
    return fig


#: Titles of the LR stages of :func:`tfp_talent.estimators.threshold.threshold_fit`.
LR_STAGE_TITLES = {
    "1": "Single threshold",
    "2": "Double threshold, second",
    "2r": "Double threshold, first (refined)",
    "3": "Triple threshold, third",
}


def lr_curves_from_result(
    result: Mapping[str, Any], *, stages: Sequence[str] | None = None, source: str | None = None
) -> list[dict[str, Any]]:
    """The LR(γ) curves of a ``ThresholdResult.to_dict()``: one dict per stage.

    Reads ``result["lr"]`` (or ``lr_curves``): ``{stage: {"gamma", "lr", "estimate",
    "critical_value", ...}}`` with stages ``"1"``, ``"2r"``, ``"2"``, ``"3"``
    (a list of such dicts is accepted too). ``stages`` selects and orders them;
    default: every stage present in the order 1, 2r, 2, 3.
    """
    raw = result.get("lr", result.get("lr_curves"))
    if raw is None:
        raise InputError("threshold result has no LR curves ('lr')", file=source)
    if isinstance(raw, Mapping):
        named = {str(k): v for k, v in raw.items()}
    else:
        named = {str(c.get("stage", i + 1)): c for i, c in enumerate(raw)}
    order = (
        list(stages)
        if stages is not None
        else [s for s in ("1", "2r", "2", "3") if s in named]
        + sorted(s for s in named if s not in ("1", "2r", "2", "3"))
    )
    missing = [s for s in order if s not in named]
    if missing:
        raise InputError(
            f"LR stage(s) {', '.join(missing)} not in the result; available: {', '.join(named)}", file=source
        )
    out = []
    for s in order:
        c = named[s]
        try:
            out.append(
                {
                    "stage": s,
                    "gamma": list(c["gamma"]),
                    "lr": list(c["lr"]),
                    "estimate": float(c["estimate"]),
                    "critical_value": c.get("critical_value"),
                }
            )
        except (KeyError, TypeError):
            raise InputError(f"LR stage {s!r} needs 'gamma', 'lr' and 'estimate'", file=source) from None
    return out


def lr_plot_from_result(
    result: Mapping[str, Any],
    *,
    xlabel: str,
    stages: Sequence[str] | None = None,
    title: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """:func:`lr_plot` of the LR curves of a threshold result dict (critical value from the result if stored)."""
    curves = lr_curves_from_result(result, stages=stages, source=source)
    crit = curves[0]["critical_value"]
    level = result.get("level")
    alpha = 1.0 - float(level) if isinstance(level, (int, float)) and 0 < level < 1 else 0.05
    return lr_plot(
        [(c["gamma"], c["lr"]) for c in curves],
        thresholds=[c["estimate"] for c in curves],
        xlabel=xlabel,
        alpha=alpha,
        crit=None if crit is None else float(crit),
        titles=[LR_STAGE_TITLES.get(c["stage"], f"Stage {c['stage']}") for c in curves],
        title=title,
        note=note,
        source=source,
    )


# --------------------------------------------------------------------------- Malmquist


def malmquist_plot(
    frame: pd.DataFrame,
    *,
    ec: str = "malmquist_efficiency_change",
    tc: str = "malmquist_technical_change",
    by: str = "region3",
    label_col: str | None = None,
    title: str | None = None,
    note: str | None = None,
    source: str | None = None,
) -> Figure:
    """Geometric-mean Malmquist efficiency change (EC) against technical change (TC).

    One point per province: exp(mean ln EC) and exp(mean ln TC) over its years,
    coloured by region; large markers are region geometric means. Reference
    lines at 1 (no change) and the curve EC × TC = 1 (no TFP change, since the
    Malmquist index M = EC × TC; Färe, Grosskopf, Norris & Zhang 1994, AER 84(1)).
    """
    cols = [ENTITY, by, ec, tc] + ([label_col] if label_col else [])
    require_columns(frame, cols, file=source)
    df = frame[cols].dropna(subset=[ec, tc])
    bad = df[(df[ec] <= 0) | (df[tc] <= 0)]
    if not bad.empty:
        raise InputError(
            "Malmquist components must be positive", file=source, column=[ec, tc], rows=list(bad.index)
        )
    if df.empty:
        raise InputError("no Malmquist observations", file=source, column=[ec, tc])
    logs = df.assign(_lec=np.log(df[ec]), _ltc=np.log(df[tc]))
    prov = logs.groupby(ENTITY).agg(region=(by, "first"), lec=("_lec", "mean"), ltc=("_ltc", "mean"))
    regions = _region_order(prov["region"])
    with figure_style():
        fig, ax = plt.subplots(figsize=(FULL_WIDTH * 0.75, 4.6))
        for i, r in enumerate(regions):
            sub = prov[prov["region"].astype(str) == r]
            color, marker = _color(r, i), REGION_MARKERS.get(r, "o")
            ax.scatter(
                np.exp(sub["ltc"]),
                np.exp(sub["lec"]),
                s=18,
                color=color,
                marker=marker,
                alpha=0.75,
                linewidths=0,
                label=f"{r} provinces",
            )
            ax.scatter(
                np.exp(sub["ltc"].mean()),
                np.exp(sub["lec"].mean()),
                s=110,
                color=color,
                marker=marker,
                edgecolors="black",
                linewidths=0.8,
                zorder=4,
                label=f"{r} mean",
            )
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        lo, hi = min(x0, 1.0 / y1) * 0.995, max(x1, 1.0 / y0) * 1.005
        grid = np.linspace(lo, hi, 200)
        ax.plot(
            grid,
            1.0 / grid,
            color="#555555",
            linestyle="--",
            linewidth=0.9,
            label="EC × TC = 1 (no TFP change)",
        )
        ax.axhline(1.0, color="#999999", linewidth=0.6)
        ax.axvline(1.0, color="#999999", linewidth=0.6)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("Technical change TC (index, 1 = no change)")
        ax.set_ylabel("Efficiency change EC (index, 1 = no change)")
        if title:
            ax.set_title(title)
        handles, names = ax.get_legend_handles_labels()
        order = [i for i, nm in enumerate(names) if nm.endswith("provinces")]
        order += [i for i, nm in enumerate(names) if nm.startswith("EC ×")]
        order += [i for i, nm in enumerate(names) if nm.endswith(" mean")]
        ax.legend(
            [handles[i] for i in order],
            [names[i] for i in order],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),
            ncol=2,
            fontsize=7,
        )
        base = "Small markers: geometric mean over years for each province; large markers: region means."
        add_note(fig, base + (f"\n{note}" if note else ""))
    return fig
