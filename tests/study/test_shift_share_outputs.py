"""Outputs of the shift-share design: table kind ``shift_share_iv``, figure kind ``event_study``, report text.

The ``ss_*`` specs of config/config.yaml are estimated on the simulated study panel
(tests/study/study_sim.py: ss_instrument = ss_exposure × ss_shift, talent stock depending on it).

References
    * Indirect least squares: with one instrument and one endogenous regressor, the same sample,
      controls and fixed effects, the 2SLS coefficient is π_RF / π_FS, the reduced-form over the
      first-stage coefficient of the instrument (algebraic identity; checked to 1e-6, it holds to
      rounding error).
    * The weak-IV statistics by hand from the first stage and the reduced form: with one instrument
      the cluster-robust Kleibergen–Paap rk Wald F is the squared cluster-robust t of the instrument in
      the first stage, and the Anderson–Rubin statistic at β₀ the squared t of the instrument in the
      regression of y − β₀·x on it (at β₀ = 0: the reduced form); the two differ from the panel t² only
      by their documented small-sample factors, ivreg2's (N − L − sdofminus) for the IV statistics
      (tfp_talent.estimators.iv_diagnostics) against N − K_c = N − k − T of the FE panel
      (tfp_talent.estimators.inference), so F = t² · (N − L − sdofminus)/(N − k − T). The AR set's
      ends are the β₀ at which the AR F equals the F(1, G − 1) critical value.
    * The figure's drawn points against the stored coefficients × the stored exposure SD (1e-12);
      the report's numbers against the result dicts formatted with fmt_number.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
import yaml
from matplotlib.container import ErrorbarContainer
from scipy import stats
from study_sim import study_panel

from tfp_talent.data.shift_share import shift_share_record
from tfp_talent.errors import InputError
from tfp_talent.report.event_plot import event_study_plot
from tfp_talent.report.tables import fmt_number, stars_for
from tfp_talent.study.figures import build_figure
from tfp_talent.study.labels import term_label
from tfp_talent.study.report_shift_share import KEYS, NOT_RUN, shift_share_context
from tfp_talent.study.run import run_spec
from tfp_talent.study.shift_share_tables import fmt_interval_set
from tfp_talent.study.tables import build_table, table_entry

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[2]
SS_SPECS = ("ss_first_stage", "ss_reduced_form", "ss_iv", "ss_iv_alt", "ss_event")
IV = "tertiary_share"
Z = "ss_instrument"

# the summary the rule shift_share writes (data/processed/shift_share.json), the fields the record keeps;
# values made up for the simulated panel (its shift is first positive in 2003 and never missing)
SUMMARY = {
    "exposure_definition": "ncampus colleges in 1990 per 10,000 people (pop_yearend of 2000)",
    "shift_definition": "ln(entrants_(t-4) / entrants_1998)",
    "alternative_definition": "he_enrolment_per10k in 2000",
    "rule": "capacity year accepted if it precedes 1999 and |provincial ncampus sum / national HEIs - 1| <= 0.05",
    "capacity_year": 1990,
    "validation": [
        {"year": 1985, "provincial_sum": 1046.0, "national": 1016.0, "rel_gap": 30 / 1016, "passes": True},
        {"year": 1990, "provincial_sum": 1087.0, "national": 1075.0, "rel_gap": 12 / 1075, "passes": True},
    ],
    "first_positive_shift_year": 2003,
    "provinces_missing_exposure": [],
    "years_missing_shift": [],
    "exposure_correlation": {"n": 31, "pearson": 0.81, "spearman": 0.43},
    "settings": {"lag": 4, "base_year": 1998, "capacity_year": 1990, "shift": "entrants"},
}


@pytest.fixture(scope="module")
def cfg() -> dict:
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def labels(cfg) -> dict:
    return dict(cfg["report"]["labels"])


@pytest.fixture(scope="module")
def sim() -> tuple:
    return study_panel()


def run_ss(cfg: Mapping, panel, tfp, names=SS_SPECS, edit=None) -> dict[str, dict]:
    """The configured ss_* specs on a panel, each with the instrument record the estimate job adds."""
    out = {}
    for name in names:
        spec = copy.deepcopy(cfg["specs"][name])
        if edit and name in edit:
            spec.update(edit[name])
        res = run_spec(name, spec, panel, tfp, cfg["seed"])
        res["shift_share"] = shift_share_record(SUMMARY)
        out[name] = res
    return out


@pytest.fixture(scope="module")
def results(cfg, sim) -> dict[str, dict]:
    return run_ss(cfg, *sim)


def clustered(res: Mapping) -> Mapping:
    return res["results"]["clustered"]


def table_rows(table) -> dict[str, list[str]]:
    """Stub -> cells; the SE row under a coefficient row is keyed '<stub> (se)'."""
    out: dict[str, list[str]] = {}
    last = ""
    for row in table.rows():
        key = row[0] or f"{last} (se)"
        out[key] = row[1:]
        last = row[0] or last
    return out


# --------------------------------------------------------------------------- table shift_share_iv


def test_table_columns_are_the_configured_specs(cfg):
    cols = cfg["tables"]["shift_share_iv"]["columns"]
    assert [c["spec"] for c in cols] == ["ss_first_stage", "ss_reduced_form", "ss_iv", "ss_iv_alt"]
    assert all(c["cov"] == "clustered" for c in cols)


def test_first_stage_reduced_form_and_iv_share_sample_and_controls(results):
    """The precondition of the identity: on the study panel the rows missing (the 2010 survey gap of
    tertiary_share and avg_school_years, common to both) leave the three specs the same 527 rows."""
    fs, rf, iv = (results[n] for n in ("ss_first_stage", "ss_reduced_form", "ss_iv"))
    for key in ("nobs", "provinces", "years"):
        assert fs["sample"][key] == rf["sample"][key] == iv["sample"][key], key
    exog = [t for t in iv["regressors"] if t != IV]
    assert fs["regressors"] == rf["regressors"] == [Z, *exog]
    assert iv["roles"]["endog"] == [IV] and iv["roles"]["instruments"] == [Z]
    assert fs["y"] == IV and rf["y"] == iv["y"]


def test_iv_coefficient_is_reduced_form_over_first_stage(cfg, results, labels):
    fs, rf, iv = (clustered(results[n]) for n in ("ss_first_stage", "ss_reduced_form", "ss_iv"))
    ils = rf["params"][Z] / fs["params"][Z]
    assert iv["params"][IV] == pytest.approx(ils, abs=1e-6)
    table = build_table("shift_share_iv", table_entry(cfg, "shift_share_iv"), results=results, labels=labels)
    rows = table_rows(table)
    stock, instr = term_label(IV, labels), term_label(Z, labels)
    # the table shows the IV coefficient (3 decimals, stars from its p) and the two ILS ingredients
    assert rows[stock][2] == fmt_number(ils, 3) + stars_for(iv["pvalues"][IV])
    assert rows[stock][:2] == ["", ""]
    assert rows[instr][0] == fmt_number(fs["params"][Z], 3) + stars_for(fs["pvalues"][Z])
    assert rows[instr][1] == fmt_number(rf["params"][Z], 3) + stars_for(rf["pvalues"][Z])
    assert rows[f"{stock} (se)"][2] == f"({fmt_number(iv['std_errors'][IV], 3)})"


def test_ils_with_different_samples_holds_once_the_reduced_form_requires_the_talent_stock(cfg, sim):
    """Talent stock missing in 5 more rows (2005): the first stage and the IV drop them, the reduced form
    (ln TFP on the instrument) keeps them, so the samples differ and π_RF/π_FS is not the 2SLS slope.
    With ``sample.require: [tertiary_share]`` the reduced form drops the same rows and the identity holds."""
    panel, tfp = copy.deepcopy(sim[0]), sim[1]
    hit = panel.index[(panel["year"] == 2005)][:5]
    panel.loc[hit, IV] = np.nan
    names = ("ss_first_stage", "ss_reduced_form", "ss_iv")
    plain = run_ss(cfg, panel, tfp, names)
    assert plain["ss_reduced_form"]["sample"]["nobs"] == plain["ss_iv"]["sample"]["nobs"] + 5
    ratio = clustered(plain["ss_reduced_form"])["params"][Z] / clustered(plain["ss_first_stage"])["params"][Z]
    assert abs(ratio - clustered(plain["ss_iv"])["params"][IV]) > 1e-4
    sample = {**cfg["specs"]["ss_reduced_form"]["sample"], "require": [IV]}
    same = run_ss(cfg, panel, tfp, names, edit={"ss_reduced_form": {"sample": sample}})
    assert same["ss_reduced_form"]["sample"]["nobs"] == same["ss_iv"]["sample"]["nobs"]
    fs, rf, iv = (clustered(same[n]) for n in names)
    assert iv["params"][IV] == pytest.approx(rf["params"][Z] / fs["params"][Z], abs=1e-6)


def test_weak_iv_rows_show_the_stored_diagnostics(cfg, results, labels):
    table = build_table("shift_share_iv", table_entry(cfg, "shift_share_iv"), results=results, labels=labels)
    rows = table_rows(table)
    weak = [clustered(results[n])["extra"]["weak_iv"] for n in ("ss_iv", "ss_iv_alt")]
    expected = {
        "Kleibergen–Paap rk Wald F": [fmt_number(w["kleibergen_paap_f"], 2) for w in weak],
        "Stock–Yogo 10% critical value": [fmt_number(w["stock_yogo"]["10%"], 2) for w in weak],
        "Anderson–Rubin test of β = 0, p": [fmt_number(w["anderson_rubin"]["f_pvalue"], 3) for w in weak],
        "Anderson–Rubin 95% confidence set": [fmt_interval_set(w["ar_conf_set"]) for w in weak],
        "Identification": ["exactly identified (1 instrument, 1 endogenous)"] * 2,
    }
    for stub, cells in expected.items():
        assert rows[stub] == ["", "", *cells], stub  # the first stage and reduced form have no IV statistics
    assert all(w["level"] == 0.95 for w in weak)
    # the interval text is the stored set: one bounded piece here, written [lo, hi] with 3 decimals
    lo, hi = weak[0]["ar_conf_set"][0]
    assert rows["Anderson–Rubin 95% confidence set"][2] == f"[{fmt_number(lo, 3)}, {fmt_number(hi, 3)}]"
    assert rows["Observations"] == [str(results[n]["sample"]["nobs"]) for n in SS_SPECS[:4]]


def _dof_ratio(weak: Mapping, first: Mapping) -> float:
    """(N − L − sdofminus)/(N − k − T): ivreg2's small-sample count over the FE panel's (module docstring)."""
    n, k = first["nobs"], len(first["regressors"])
    L = int(weak["n_instruments"]) + int(weak["n_exog"])
    return (n - L - int(weak["sdofminus"])) / (n - k - first["n_periods"])


def test_kleibergen_paap_f_and_anderson_rubin_by_hand(results):
    fs, rf = clustered(results["ss_first_stage"]), clustered(results["ss_reduced_form"])
    weak = clustered(results["ss_iv"])["extra"]["weak_iv"]
    g = weak["n_clusters"]
    assert g == 31 and int(weak["sdofminus"]) == fs["n_periods"] - 1
    ratio = _dof_ratio(weak, fs)
    t_fs = fs["params"][Z] / fs["std_errors"][Z]
    t_rf = rf["params"][Z] / rf["std_errors"][Z]
    assert weak["kleibergen_paap_f"] == pytest.approx(t_fs**2 * ratio, rel=1e-8)
    # one endogenous regressor: the Sanderson–Windmeijer F is the KP F
    assert weak["sanderson_windmeijer"][IV]["f"] == pytest.approx(weak["kleibergen_paap_f"], rel=1e-12)
    ar = weak["anderson_rubin"]
    assert ar["beta0"] == [0.0]
    assert ar["f"] == pytest.approx(t_rf**2 * ratio, rel=1e-8)
    assert ar["f_pvalue"] == pytest.approx(stats.f.sf(ar["f"], 1, g - 1), rel=1e-8)


def test_anderson_rubin_set_ends_are_where_the_ar_test_rejects_at_5_percent(cfg, sim, results):
    """At each end β₀ of the AR set, the reduced form of y − β₀·x has F = F_0.95(1, G − 1) (root-finding tol)."""
    panel, tfp = sim
    weak = clustered(results["ss_iv"])["extra"]["weak_iv"]
    (lo, hi), *rest = weak["ar_conf_set"]
    assert not rest and lo < clustered(results["ss_iv"])["params"][IV] < hi
    crit = stats.f.ppf(0.95, 1, weak["n_clusters"] - 1)
    x = panel.set_index(["province_code", "year"])[IV]
    for b0 in (lo, hi):
        shifted = tfp.copy()
        shifted["solow_ln_tfp"] = (
            tfp["solow_ln_tfp"].to_numpy()
            - b0 * x.loc[list(zip(tfp["province_code"], tfp["year"], strict=True))].to_numpy()
        )
        rf = clustered(
            run_spec("ss_reduced_form", cfg["specs"]["ss_reduced_form"], panel, shifted, cfg["seed"])
        )
        f = (rf["params"][Z] / rf["std_errors"][Z]) ** 2 * _dof_ratio(weak, rf)
        assert f == pytest.approx(crit, rel=1e-4)


# --------------------------------------------------------------------------- figure event_study


@pytest.fixture(scope="module")
def event_figure(cfg, results, labels):
    import matplotlib.pyplot as plt

    fig = build_figure("event_study", cfg["figures"]["event_study"], results=results, labels=labels)
    yield fig
    plt.close(fig)


def test_event_figure_axes_zero_line_and_base_year(cfg, results, event_figure):
    entry = cfg["figures"]["event_study"]
    ev = results["ss_event"]["event_study"]
    (ax,) = event_figure.axes
    assert ax.get_xlabel() == "Year" and ax.get_ylabel() == "Effect of +1 SD exposure"
    years = [r["year"] for r in ev["by_cov"]["clustered"]["coefficients"]]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in years]
    # the zero line: horizontal, dashed, at y = 0 across the axes
    zero = [ln for ln in ax.lines if list(ln.get_ydata()) == [0.0, 0.0] and ln.get_linestyle() == "--"]
    assert len(zero) == 1 and list(zero[0].get_xdata()) == [0, 1]
    # the base year: an open (white-filled) marker at (base, 0), no interval
    base = ev["base_year"]
    open_markers = [ln for ln in ax.lines if ln.get_markerfacecolor() == "white"]
    assert len(open_markers) == 1
    assert list(open_markers[0].get_xdata()) == [base] and list(open_markers[0].get_ydata()) == [0.0]
    # the marker year: a dotted vertical line half a year before it, with its label
    vline = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert len(vline) == 1 and list(vline[0].get_xdata()) == [entry["marker_year"] - 0.5] * 2
    assert [t.get_text() for t in ax.texts] == [entry["marker_label"]]


def test_event_figure_points_are_the_stored_coefficients_times_the_exposure_sd(results, event_figure):
    ev = results["ss_event"]["event_study"]
    sd = ev["exposure_sd"]
    rows = [r for r in ev["by_cov"]["clustered"]["coefficients"] if r["year"] != ev["base_year"]]
    (ax,) = event_figure.axes
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == len(rows) == 17
    for bar, r in zip(bars, rows, strict=True):
        (x, y), *_ = bar.lines[0].get_xydata()
        assert x == r["year"]
        assert y == pytest.approx(r["coef"] * sd, abs=1e-12)
        ((x0, y0), (x1, y1)), *_ = [s for coll in bar.lines[2] for s in coll.get_segments()]
        assert x0 == x1 == r["year"]
        assert (y0, y1) == pytest.approx((r["ci_lower"] * sd, r["ci_upper"] * sd), abs=1e-12)


def test_event_figure_note_states_the_design_and_fits_the_figure(results, event_figure):
    ev = results["ss_event"]["event_study"]
    note = event_figure.get_supxlabel()
    flat = note.replace("\n", " ")
    assert f"base year {ev['base_year']} = 0" in flat
    assert f"({fmt_number(ev['exposure_sd'], 4)})" in flat
    assert f"N = {results['ss_event']['sample']['nobs']:,}" in flat
    post = ev["by_cov"]["clustered"]["tests"]["post"]
    assert f"p = {fmt_number(post['p_value'], 3)}" in flat
    event_figure.canvas.draw()
    (text,) = [t for t in event_figure.texts if t.get_text() == note]
    box = text.get_window_extent(event_figure.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= event_figure.bbox.width  # not cut off at the right edge


def test_event_figure_refuses_a_missing_cov_or_a_non_event_spec(cfg, results, labels):
    entry = cfg["figures"]["event_study"]
    with pytest.raises(InputError, match="no event study with cov 'driscoll-kraay'"):
        build_figure("event_study", {**entry, "cov": "driscoll-kraay"}, results=results, labels=labels)
    with pytest.raises(InputError, match="not an event_study spec"):
        build_figure("event_study", {**entry, "spec": "ss_iv"}, results=results, labels=labels)
    with pytest.raises(InputError, match="base year 2002 not among"):
        event_study_plot([{"year": 2003, "coef": 0.1}], base_year=2002)


# --------------------------------------------------------------------------- report text

NUMBER = re.compile(r"(?<![\w.])(-?)(\d+(?:,\d{3})*(?:\.\d+)?)(?![\w])")
# thresholds of the method written into the sentences (significance levels, benchmarks), not results
CONSTANTS = re.compile(r"(significant at|at|Stock–Yogo) (1|5|10)%|rule-of-thumb 10")


def numbers_in(text: str) -> list[str]:
    """Number tokens; a '-' counts as a sign only after a space or a bracket (not in 'post-2002')."""
    out = []
    for m in NUMBER.finditer(CONSTANTS.sub("", text)):
        out.append(m.group(1) + m.group(2))
    return out


def _leaves(obj: Any) -> Iterator[Any]:
    if isinstance(obj, Mapping):
        for v in obj.values():
            yield from _leaves(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            yield from _leaves(v)
    else:
        yield obj


def formatted(values: Iterator[Any]) -> set[str]:
    """Every way the report prints a number: fmt_number with 0–4 decimals, integers with separators,
    and the numbers inside stored strings (definitions, year ranges)."""
    out: set[str] = set()
    for v in values:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, str):
            out.update(m.group(1) + m.group(2) for m in NUMBER.finditer(v))
            continue
        if isinstance(v, int | float) and math.isfinite(v):
            out.update(fmt_number(v, d) for d in range(5))
            if float(v).is_integer():
                out.add(f"{int(v):,}")
    return out


def derived(results: Mapping[str, Mapping]) -> list[float]:
    """The products the report states, recomputed from the result dicts: event coefficients and their
    interval ends per one-SD exposure, the IV slope and AR ends per within-province SD, that SD in
    percentage points, the validation gap in per cent, interval levels in per cent, counts of years."""
    out: list[float] = []
    ev = results["ss_event"]["event_study"]
    for block in ev["by_cov"].values():
        out.append(100 * block["level"])
        post = [r for r in block["coefficients"] if r["year"] > ev["base_year"]]
        out += [len(post), sum(r["coef"] < 0 for r in post), sum(r["p"] < 0.05 for r in post)]
        out += [v * ev["exposure_sd"] for r in post for v in (r["coef"], r["ci_lower"], r["ci_upper"])]
    for name in ("ss_iv", "ss_iv_alt"):
        res = clustered(results[name])
        sd = results[name]["sample"]["within_sd"][IV]
        out += [100 * sd, res["params"][IV] * sd, 100 * res["extra"]["weak_iv"]["level"]]
        out += [e * sd for piece in res["extra"]["weak_iv"]["ar_conf_set"] for e in piece]
    row = results["ss_iv"]["shift_share"]["capacity_validation"]
    out.append(100 * row["rel_gap"])
    return out


def test_every_number_in_the_report_comes_from_the_results(cfg, sim, results, labels):
    ctx = shift_share_context(cfg, sim[0], results, labels)
    assert set(ctx) == set(KEYS) and NOT_RUN not in ctx.values()
    known = formatted(_leaves(results)) | formatted(iter(derived(results))) | formatted(iter(labels.values()))
    for key, text in ctx.items():
        stray = [n for n in numbers_in(text) if n not in known]
        assert not stray, (key, stray, text)


def test_report_sentences_quote_the_results(cfg, sim, results, labels):
    """Targeted checks with references computed here: describe-style coefficients, the within SD by the
    xtsum formula on the IV sample, the event coefficients per one-SD exposure."""
    ctx = shift_share_context(cfg, sim[0], results, labels)
    fs, rf, iv = (clustered(results[n]) for n in ("ss_first_stage", "ss_reduced_form", "ss_iv"))
    weak = iv["extra"]["weak_iv"]
    assert ctx["ss_first_stage"].startswith(
        f"{fmt_number(fs['params'][Z], 3)} (SE {fmt_number(fs['std_errors'][Z], 3)}"
    )
    assert f"N = {fs['nobs']:,}, {fs['n_entities']} provinces" in ctx["ss_first_stage"]
    assert ctx["ss_reduced_form"].startswith(f"{fmt_number(rf['params'][Z], 3)} (SE ")
    assert ctx["ss_iv"].startswith(f"{fmt_number(rf['params'][Z] / fs['params'][Z], 3)} (SE ")
    assert f"AR confidence set {fmt_interval_set(weak['ar_conf_set'])} (bounded)" in ctx["ss_iv"]
    assert f"Wald F is {fmt_number(weak['kleibergen_paap_f'], 2)}, above the Stock–Yogo" in ctx["ss_strength"]
    assert "exactly identified" in ctx["ss_strength"]
    # within-province SD of the talent stock on the IV sample (Stata xtsum's within SD, by hand)
    panel = sim[0]
    s = results["ss_iv"]["sample"]
    rows = panel[panel["province_code"].isin(s["provinces"]) & panel["year"].isin(s["years"])]
    dev = rows[IV] - rows.groupby("province_code")[IV].transform("mean")
    sd = float(np.sqrt((dev**2).sum() / (len(rows) - 1)))
    assert len(rows) == s["nobs"]
    assert (
        f"({fmt_number(100 * sd, 2)} percentage points) goes with {fmt_number(iv['params'][IV] * sd, 3)}"
        in (ctx["ss_magnitude"])
    )
    ev = results["ss_event"]["event_study"]
    post = [r for r in ev["by_cov"]["clustered"]["coefficients"] if r["year"] > ev["base_year"]]
    last = post[-1]
    assert f"{fmt_number(last['coef'] * ev['exposure_sd'], 3)} in {last['year']}" in ctx["ss_event_pattern"]
    assert f"of {len(post)} post-{ev['base_year']} coefficients" in ctx["ss_event_pattern"]
    # the configured sample starts in the base year: the text says pre-trends cannot be tested
    assert "pre-trends cannot be tested" in ctx["ss_pretrends"]
    # the design sentence quotes the record: 1,087 vs 1,075 colleges, +1.1 %
    assert "in 1990 they sum to 1087 against 1075 regular HEIs" in ctx["ss_design"]
    assert "(+1.1%)" in ctx["ss_design"]


def test_design_sentence_derives_the_end_of_the_national_series():
    """Lag 4 and 2019 the only year without a shift: g_2019 needs S_2015, so the series ends in 2014."""
    from tfp_talent.study.report_shift_share import _design_text

    record = shift_share_record({**SUMMARY, "years_missing_shift": [2019]})
    text = _design_text({"spec": "ss_iv", "shift_share": record})
    assert "years without a shift (the national series ends in 2014): 2019; nothing is filled" in text
    text = _design_text({"spec": "ss_iv", "shift_share": shift_share_record(SUMMARY)})
    assert "years without a shift: none; nothing is filled" in text


def test_no_shift_share_results_leave_every_key_not_run(cfg, sim, labels):
    panel, tfp = sim
    only_baseline = {"baseline": run_spec("baseline", cfg["specs"]["baseline"], panel, tfp, cfg["seed"])}
    for res in ({}, only_baseline):
        ctx = shift_share_context(cfg, panel, res, labels)
        assert ctx == dict.fromkeys(KEYS, NOT_RUN)


def test_event_study_alone_fills_only_the_event_keys(cfg, sim, results, labels):
    ctx = shift_share_context(cfg, sim[0], {"ss_event": results["ss_event"]}, labels)
    event_keys = {"ss_event_pattern", "ss_pretrends"}
    assert all(ctx[k] != NOT_RUN for k in event_keys)
    assert all(ctx[k] == NOT_RUN for k in set(KEYS) - event_keys)


def test_missing_first_stage_or_reduced_form_or_alternative(cfg, sim, results, labels):
    for drop, key in (
        ("ss_first_stage", "ss_first_stage"),
        ("ss_reduced_form", "ss_reduced_form"),
        ("ss_iv_alt", "ss_alternative"),
    ):
        part = {n: r for n, r in results.items() if n != drop}
        ctx = shift_share_context(cfg, sim[0], part, labels)
        assert ctx[key] == NOT_RUN, drop
        assert all(ctx[k] != NOT_RUN for k in set(KEYS) - {key}), drop


def test_iv_result_without_the_instrument_record_says_so(cfg, sim, results, labels):
    part = {n: dict(r) for n, r in results.items()}
    for r in part.values():
        r.pop("shift_share")
    ctx = shift_share_context(cfg, sim[0], part, labels)
    assert ctx["ss_design"].startswith(
        "The construction of the instrument is not recorded in the result of spec 'ss_iv'"
    )
    assert "None" not in ctx["ss_design"]
    assert ctx["ss_alternative"].startswith("With the alternative exposure the Kleibergen–Paap F")


def test_interval_sets_and_identification_text_by_hand():
    """AR sets as written in the table: bounded, a union with infinite ends (JSON keeps them as strings),
    the whole line, empty, absent; the identification row for exactly and over-identified models."""
    from tfp_talent.study.shift_share_tables import identification_text

    assert fmt_interval_set([[1.2814, 2.3617]]) == "[1.281, 2.362]"
    assert fmt_interval_set([["-inf", -0.5], [0.25, "inf"]]) == "(−∞, -0.500] ∪ [0.250, ∞)"
    assert fmt_interval_set([[-math.inf, math.inf]]) == "(−∞, ∞)"
    assert fmt_interval_set([]) == "empty"
    assert fmt_interval_set(None) == ""
    assert (
        identification_text({"n_endog": 1, "n_instruments": 1})
        == "exactly identified (1 instrument, 1 endogenous)"
    )
    over = {"n_endog": 1, "n_instruments": 2, "identification": {"name": "Hansen J", "p_value": 0.4321}}
    assert identification_text(over) == "Hansen J p = 0.432"


def test_unbounded_ar_set_is_called_unbounded_and_scaled_in_the_magnitude(cfg, sim, results, labels):
    """A weak instrument's AR set (−∞, a] ∪ [b, ∞): the IV sentence calls it unbounded; the magnitude
    sentence scales the finite ends by the within SD and keeps the infinite ones."""
    part = copy.deepcopy(results)
    weak = part["ss_iv"]["results"]["clustered"]["extra"]["weak_iv"]
    weak["ar_conf_set"] = [["-inf", -1.0], [0.5, "inf"]]
    ctx = shift_share_context(cfg, sim[0], part, labels)
    assert "95% AR confidence set (−∞, -1.000] ∪ [0.500, ∞) (unbounded)" in ctx["ss_iv"]
    sd = part["ss_iv"]["sample"]["within_sd"][IV]
    assert f"(AR set (−∞, {fmt_number(-sd, 3)}] ∪ [{fmt_number(0.5 * sd, 3)}, ∞))" in ctx["ss_magnitude"]


def test_over_identified_or_untabulated_strength_sentence(cfg, sim, results, labels):
    """No claim of exact identification for an over-identified result; no Stock–Yogo verdict without a value."""
    part = copy.deepcopy(results)
    weak = part["ss_iv"]["results"]["clustered"]["extra"]["weak_iv"]
    weak.update(
        n_instruments=2,
        stock_yogo={},
        identification={"name": "Hansen J", "p_value": 0.25},
    )
    text = shift_share_context(cfg, sim[0], part, labels)["ss_strength"]
    assert "exactly identified" not in text and "weak" not in text
    assert text.endswith("identification: Hansen J p = 0.250")
    assert "no Stock–Yogo critical value is tabulated" in text


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.3, "The 2 coefficients before 2002 are jointly not different from zero at 5% (p = 0.300)"),
        (0.01, "The 2 coefficients before 2002 are jointly different from zero at 5% (p = 0.010)"),
        (None, "The joint test of the 2 coefficients before 2002 cannot be computed"),
    ],
)
def test_pretrend_sentence_follows_the_stored_pre_test(cfg, sim, results, labels, p, expected):
    part = copy.deepcopy(results)
    block = part["ss_event"]["event_study"]["by_cov"]["clustered"]
    block["tests"]["pre"] = {"f": None if p is None else 1.0, "p_value": p, "df": 2, "years": [2000, 2001]}
    assert shift_share_context(cfg, sim[0], part, labels)["ss_pretrends"].startswith(expected)
