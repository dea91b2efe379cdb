"""Figures: FWL slope vs pyfixest, labelled axes, plotted values, byte-stable PNG/PDF.

References: pyfixest ``feols`` two-way FE (independent estimator, tolerance
1e-8); Hansen (2000) Table 1 critical values 5.94 / 7.35 / 10.59 (printed to 2
decimals); pandas groupby means; scipy normal quantile for CIs.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pyfixest as pf
import pytest
from report_sim import make_result, simulate_panel, threshold_result_dict
from scipy import stats

from tfp_talent.errors import InputError
from tfp_talent.report.figures import (
    LR_STAGE_TITLES,
    coef_plot,
    demean_twoway,
    fwl_residuals,
    fwl_slope,
    lr_critical_value,
    lr_curves_from_result,
    lr_plot,
    lr_plot_from_result,
    malmquist_plot,
    partial_scatter,
    tfp_by_region,
)
from tfp_talent.report.style import figure_bytes, save_figure


def _pyfixest_coef(panel, formula):
    fit = pf.feols(formula, data=panel, demeaner=pf.MapDemeaner(fixef_tol=1e-12))
    return float(fit.coef()["talent"])


@pytest.mark.parametrize("unbalanced", [False, True])
def test_fwl_slope_equals_pyfixest_twoway_fe(unbalanced):
    """FWL: the slope of demeaned y on demeaned x is the two-way FE coefficient (pyfixest, 1e-8)."""
    panel = simulate_panel(seed=11, unbalanced=unbalanced)
    slope = fwl_slope(fwl_residuals(panel, "ln_tfp", "talent"))
    assert slope == pytest.approx(_pyfixest_coef(panel, "ln_tfp ~ talent | province_code + year"), abs=1e-8)


def test_fwl_slope_with_controls_equals_pyfixest():
    panel = simulate_panel(seed=12)
    panel.loc[panel.index[::17], "control"] = np.nan  # rows dropped like pyfixest drops them
    slope = fwl_slope(fwl_residuals(panel, "ln_tfp", "talent", controls=["control"]))
    assert slope == pytest.approx(
        _pyfixest_coef(panel, "ln_tfp ~ talent + control | province_code + year"), abs=1e-8
    )


def test_demean_twoway_removes_both_effects():
    """After the within transform every entity mean and every year mean is zero (to 1e-10)."""
    panel = simulate_panel(seed=13)
    dm = demean_twoway(panel, ["ln_tfp"])
    assert np.abs(dm.groupby(panel["province_code"])["ln_tfp"].mean()).max() < 1e-10
    assert np.abs(dm.groupby(panel["year"])["ln_tfp"].mean()).max() < 1e-10
    with pytest.raises(InputError, match="missing values"):
        demean_twoway(panel.assign(ln_tfp=np.nan), ["ln_tfp"])


def _labelled(fig):
    axes = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    assert axes
    assert all(a.get_xlabel() for a in axes), "every axes needs an x label"
    assert axes[0].get_ylabel(), "the first axes needs a y label"


def test_tfp_by_region_plots_region_means():
    """Reference: pandas groupby mean of ln TFP by region and year; growth = mean within-province difference x 100."""
    panel = simulate_panel(seed=14)
    fig = tfp_by_region(panel, level="ln_tfp")
    _labelled(fig)
    ax_level, _ax_growth = fig.axes[:2]
    east = panel[panel["region3"] == "East"].groupby("year")["ln_tfp"].mean()
    line = next(ln for ln in ax_level.get_lines() if ln.get_label() == "East")
    np.testing.assert_allclose(line.get_ydata(), east.to_numpy(), rtol=0, atol=1e-12)
    assert [ln.get_label() for ln in ax_level.get_lines()][:3] == ["East", "Central", "West"]
    bal = simulate_panel(seed=14, unbalanced=False)
    fig2 = tfp_by_region(bal, level="ln_tfp")
    g = bal.sort_values(["province_code", "year"]).groupby("province_code")["ln_tfp"].diff() * 100
    ref = g[bal["region3"] == "West"].groupby(bal["year"]).mean().dropna()
    line = next(ln for ln in fig2.axes[1].get_lines() if ln.get_label() == "West")
    np.testing.assert_allclose(line.get_ydata(), ref.to_numpy(), atol=1e-10)
    plt.close("all")


def test_partial_scatter_labels_and_slope_in_legend():
    panel = simulate_panel(seed=15)
    fig = partial_scatter(
        panel,
        "ln_tfp",
        "talent",
        xlabel="Talent stock, residual (share)",
        ylabel="ln TFP, residual (log points)",
    )
    _labelled(fig)
    slope = fwl_slope(fwl_residuals(panel, "ln_tfp", "talent"))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert f"Two-way FE slope = {slope:.3f}" in labels
    plt.close(fig)


def test_coef_plot_intervals():
    """95% CI = b ± z_0.975 se with z from scipy.stats.norm.ppf."""
    results = [make_result(), make_result("driscoll-kraay")]
    fig = coef_plot(results, ["tertiary_share", "avg_school_years"], labels=["Clustered", "Driscoll–Kraay"])
    _labelled(fig)
    z = stats.norm.ppf(0.975)
    seg = fig.axes[0].containers[0].lines[2][0].get_segments()[0]
    assert seg[0][0] == pytest.approx(0.5123 - z * 0.1, abs=1e-12)
    assert seg[1][0] == pytest.approx(0.5123 + z * 0.1, abs=1e-12)
    with pytest.raises(InputError, match="in no result"):
        coef_plot(results, "nope", labels=["a", "b"])
    plt.close(fig)


@pytest.mark.parametrize(("alpha", "published"), [(0.10, 5.94), (0.05, 7.35), (0.01, 10.59)])
def test_lr_critical_values_match_hansen_2000(alpha, published):
    assert lr_critical_value(alpha) == pytest.approx(published, abs=0.005)


def test_lr_plot_and_malmquist_labelled():
    g = np.linspace(7, 11, 101)
    fig = lr_plot(
        [(g, 30 * (g - 8.6) ** 2)], thresholds=[8.6], xlabel="Average years of schooling (threshold γ)"
    )
    _labelled(fig)
    crit = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("95% critical value")]
    assert crit and crit[0].get_ydata()[0] == pytest.approx(lr_critical_value(0.05))
    panel = simulate_panel(seed=16)
    rng = np.random.default_rng(0)
    panel["efficiency_change"] = np.exp(rng.normal(0, 0.03, len(panel)))
    panel["technical_change"] = np.exp(rng.normal(0.02, 0.02, len(panel)))
    fig2 = malmquist_plot(panel, ec="efficiency_change", tc="technical_change")
    _labelled(fig2)
    with pytest.raises(InputError, match="positive"):
        malmquist_plot(panel.assign(technical_change=0.0), ec="efficiency_change", tc="technical_change")
    plt.close("all")


def test_saved_figures_are_byte_identical(tmp_path):
    """Same figure saved twice, and an identical figure drawn anew -> identical PNG and PDF bytes."""
    fig = coef_plot([make_result()], "tertiary_share", labels=["Baseline"])
    png, pdf = figure_bytes(fig, "png"), figure_bytes(fig, "pdf")
    assert b"CreationDate" not in pdf and b"Matplotlib" not in png
    paths = save_figure(fig, tmp_path / "coef")
    assert [p.name for p in paths] == ["coef.png", "coef.pdf"]
    assert [p.read_bytes() for p in paths] == [png, pdf]
    fig2 = coef_plot([make_result()], "tertiary_share", labels=["Baseline"])
    assert figure_bytes(fig2, "png") == png and figure_bytes(fig2, "pdf") == pdf
    plt.close("all")


def test_lr_plot_from_estimator_output():
    """Integration: the LR curves and critical value stored by threshold_fit are what is drawn."""
    d = threshold_result_dict()
    fig = lr_plot_from_result(d, xlabel="Average years of schooling (threshold γ)")
    _labelled(fig)
    assert [a.get_title() for a in fig.axes] == [
        f"{LR_STAGE_TITLES[s]}: γ̂ = {d['lr'][s]['estimate']:.3f}" for s in ("1", "2r", "2")
    ]
    crit = [ln for ln in fig.axes[0].get_lines() if "critical value" in ln.get_label()]
    assert crit[0].get_ydata()[0] == pytest.approx(d["lr_critical_value"], abs=1e-12)
    with pytest.raises(InputError, match="not in the result"):
        lr_curves_from_result(d, stages=["3"])
    plt.close(fig)
