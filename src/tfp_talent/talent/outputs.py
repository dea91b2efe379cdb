"""The study's tables, figures and report context, assembled from config entries and results files.

The rendering itself is :mod:`tfp_talent.report` (journal-style tables, figures in
one style, the report document); this module only decides *what* goes where for
the study: which result of which specification fills which column, the rows that
say which effects and covariance a column has, the sample notes (read from each
result's ``sample`` block), labels of derived variables, and the report's numbers.
Nothing here is typed by hand: every number comes from a result dict or the data.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.report.tables import Table, fmt_int, fmt_number, stars_for
from tfp_talent.talent.specs import ENTITY, KEYS, TIME, sample_note, term_label, year_ranges

COV_SHORT = {
    "clustered": "Clustered (province)",
    "driscoll-kraay": "Driscoll–Kraay",
    "robust": "Robust",
    "unadjusted": "Conventional",
}
MODEL_NAMES = {"fe": "Fixed effects", "re": "Random effects", "pooled": "Pooled OLS", "fd": "First differences", "between": "Between", "fe-iv": "FE-2SLS", "pooled-iv": "Pooled 2SLS"}


# --------------------------------------------------------------------------- labels


def _labels_for(names: Sequence[str], labels: Mapping[str, str]) -> dict[str, str]:
    return {n: term_label(n, labels) for n in names}


# --------------------------------------------------------------------------- picking results


def pick_result(results: Mapping[str, Mapping[str, Any]], ref: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """The result dict of ``{spec, cov, model}`` from the loaded results files."""
    name = ref["spec"]
    if name not in results:
        raise InputError(f"no results file for spec '{name}'", file=where)
    res = results[name]
    model = ref.get("model")
    if model is not None:
        pool = (res.get("models") or {}).get(model)
        if pool is None:
            raise InputError(f"spec '{name}' has no model '{model}' (only kind hausman has fe and re)", file=where)
    else:
        pool = res.get("results")
        if not pool:
            raise InputError(f"spec '{name}' (kind {res.get('kind')}) has no regression results", file=where)
    cov = ref.get("cov") or next(iter(pool))
    if cov not in pool:
        raise InputError(f"spec '{name}' has no results with cov '{cov}' (it has {', '.join(pool)})", file=where)
    return dict(pool[cov])


# --------------------------------------------------------------------------- regression tables


def regression_table_from_config(
    name: str, entry: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]
) -> Table:
    """Regression table of ``tables.<name>``: one column per ``{spec, cov, model}``.

    Rows: talent terms, products, then controls (the order of the specs); N, provinces,
    within R²; province and year effects (fixed / random / none), the covariance, the
    years of the sample; first-stage F for IV columns and p-values of equal regional
    slopes for interaction columns. Notes: each spec's estimation sample
    (:func:`~tfp_talent.talent.specs.sample_note`), the Hausman tests listed in ``tests``.
    """
    from tfp_talent.report.regression_table import regression_table

    where = f"tables.{name}"
    cols = list(entry["columns"])
    picked = [pick_result(results, c, where=where) for c in cols]
    for r in picked:  # within R² is comparable only across fixed-effects columns
        if r.get("model") not in ("fe", "fe-iv"):
            r["rsquared_within"] = None
    specs = [results[c["spec"]] for c in cols]
    order: list[str] = []
    for s in specs:
        roles = s["roles"]
        for key in ("talent", "products"):
            order += [t for t in roles[key] if t not in order]
    for s in specs:
        order += [t for t in s["regressors"] if t not in order]
    names = order + [n for r in picked for n in r["params"] if n not in order and n != "const"]
    keep = list(entry.get("keep") or [n for n in dict.fromkeys(names) if not n.startswith("year_")])

    column_labels = [c.get("label") or (MODEL_NAMES.get(c["model"], c["model"]) if c.get("model") else s["label"]) for c, s in zip(cols, specs, strict=True)]
    extra: list[tuple[str, list[str]]] = []
    extra.append(("Estimator", [MODEL_NAMES.get(str(r.get("model")), str(r.get("model"))) for r in picked]))
    extra.append(("Province effects", [_province_effects(r) for r in picked]))
    extra.append(("Year effects", [_year_effects(r) for r in picked]))
    extra.append(("Standard errors", [COV_SHORT.get(str(r.get("cov_type")), str(r.get("cov_type"))) + _bandwidth(r) for r in picked]))
    extra.append(("Years", [s["sample"]["years_text"] for s in specs]))
    endogs = list(dict.fromkeys(e for s in specs if s["kind"] == "iv" for e in s["roles"]["endog"]))
    for e in endogs:
        row = []
        for r in picked:
            fs = (r.get("extra") or {}).get("first_stage") or {}
            row.append(fmt_number(fs[e]["partial_f"], 2) if e in fs else "")
        extra.append((f"First-stage F: {term_label(e, labels)}", row))
    test_names = list(dict.fromkeys(t for r in picked for t in (r.get("tests") or {})))
    for t in test_names:
        row = []
        for r in picked:
            test = (r.get("tests") or {}).get(t)
            row.append("" if test is None else f"{fmt_number(test['p_value'], 3)}")
        var = t[t.index("[") + 1 : -1] if "[" in t else t
        extra.append((f"Equal regional slopes, p: {term_label(var, labels)}", row))

    notes: list[str] = []
    by_text: dict[str, list[int]] = {}
    for i, s in enumerate(specs):
        text = sample_note(s, labels=labels, named=False)
        by_text.setdefault(text, []).append(i + 1)
    for text, numbers in by_text.items():
        which = "All columns" if len(by_text) == 1 else "Column" + ("s " if len(numbers) > 1 else " ") + ", ".join(f"({n})" for n in numbers)
        notes.append(f"{which}: {text}")
    for test in entry.get("tests") or []:
        notes.append(hausman_note(results[test["spec"]]))
    defs: dict[str, str] = {}
    for s in specs:  # lags, products and region interactions are clear from their labels
        defs.update({k: v for k, v in (s.get("definitions") or {}).items() if re.match(r"^(D\.|ln\.|cum\.|dist_frontier)", k)})
    if defs:
        notes.append("Derived variables: " + "; ".join(f"{term_label(k, labels)} = {_describe_definition(v, labels)}" for k, v in defs.items()) + ".")
    notes.extend(entry.get("notes") or [])
    depvars = {s["y"]: term_label(s["y"], labels) for s in specs}
    return regression_table(
        picked,
        column_labels=column_labels,
        depvar_labels=depvars,
        variable_labels=_labels_for(keep, labels),
        keep=keep,
        order=keep,
        stats=("nobs", "n_entities", "rsquared_within"),
        fe_rows=False,
        cov_row=False,
        extra_rows=extra,
        notes=notes,
        title=entry["title"],
        label=f"tab:{name}",
        units=("Province", "Provinces", "Year"),
        source=where,
    )


def _describe_definition(text: str, labels: Mapping[str, str]) -> str:
    """A definition with every variable token replaced by its label."""
    return re.sub(r"[A-Za-z_][A-Za-z0-9_.×:]*", lambda m: term_label(m.group(0), labels) if _is_term(m.group(0), labels) else m.group(0), text)


def _is_term(token: str, labels: Mapping[str, str]) -> bool:
    return token in labels or bool(re.match(r"^(L\d*\.|D\.|ln\.|cum\.)", token)) or "_" in token


def _province_effects(r: Mapping[str, Any]) -> str:
    model, eff = str(r.get("model")), str(r.get("effects"))
    if model == "re":
        return "Random"
    if model in ("fd",):
        return "Differenced"
    return "Fixed" if eff in ("entity", "twoway") else "No"


def _year_effects(r: Mapping[str, Any]) -> str:
    model, eff = str(r.get("model")), str(r.get("effects"))
    if model == "re":
        return "Dummies" if eff == "twoway" else "No"
    return "Fixed" if eff in ("time", "twoway") else "No"


def _bandwidth(r: Mapping[str, Any]) -> str:
    if r.get("cov_type") == "driscoll-kraay" and r.get("bandwidth") is not None:
        return f" (lag {r['bandwidth']})"
    return ""


def hausman_note(result: Mapping[str, Any]) -> str:
    """One sentence with the classic and the cluster-robust (Mundlak) Hausman tests of a hausman spec."""
    h = result.get("hausman")
    if not h:
        raise InputError(f"spec '{result.get('spec')}' has no Hausman tests (use kind hausman)", file="tables")
    c, m = h["classic"], h["mundlak"]
    classic = f"classic chi-square({c['df']}) = {fmt_number(c['statistic'], 2)}"
    if c["p_value"] is not None and math.isfinite(c["p_value"]):
        classic += f", p = {fmt_number(c['p_value'], 3)}"
    if not c.get("positive_definite", True):
        classic += " (V_FE − V_RE is not positive definite, so the classic test is not valid here"
        classic += "; a negative statistic has no p-value)" if c["statistic"] < 0 else ")"
    robust = f"cluster-robust (Mundlak) chi-square({m['df']}) = {fmt_number(m['statistic'], 2)}, p = {fmt_number(m['p_value'], 3)}"
    return f"Hausman test of fixed against random effects ({result['label']}): {classic}; {robust}. H0: the province effects are uncorrelated with the regressors."


# --------------------------------------------------------------------------- threshold


def selected_thresholds(result: Mapping[str, Any], *, alpha: float = 0.10) -> int:
    """Number of thresholds chosen by sequential bootstrap tests at ``alpha`` (0 if the first fails)."""
    k = 0
    p = result.get("p_value") or {}
    for i in sorted(int(j) for j in p):
        pv = p[str(i)]
        if pv is not None and math.isfinite(pv) and pv < alpha:
            k = i
        else:
            break
    return k


def threshold_view(result: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[dict[str, Any], int, int]:
    """The result reshaped for :func:`tfp_talent.report.tables.threshold_table` (model shown, k̂, k shown)."""
    k_hat = selected_thresholds(result)
    k_show = max(1, k_hat)
    model = result["models"][str(k_show)]
    qx = result.get("threshold_variable", "q")
    regimes = model.get("regimes") or []
    params, ses = {}, {}
    se_all = model["std_errors"]
    if isinstance(next(iter(se_all.values())), Mapping):  # one set per covariance type
        se_all = se_all[str(result.get("cov", "clustered"))]
    for name, b in model["params"].items():
        if name.startswith("year_"):
            continue
        m = re.match(r"^(.+)_r(\d+)$", name)
        label = term_label(name, labels)
        if m and m.group(1) in (result.get("regime_regressors") or []):
            i = int(m.group(2)) - 1
            rule = regimes[i] if i < len(regimes) else f"regime {i + 1}"
            rule = re.sub(r"(\d+\.\d+)", lambda mm: f"{float(mm.group(1)):.2f}", rule).replace(qx, "q").replace("<=", "≤")
            label = f"{term_label(m.group(1), labels)} ({rule})"
        params[label] = b
        ses[label] = se_all[name]
    first = [k for k in params if "(q" in k]  # regime-dependent slopes first, then the controls
    params = {k: params[k] for k in first + [k for k in params if k not in first]}
    view = {
        "f_stat": result["f_stat"],
        "p_value": result["p_value"],
        "crit_values": result["crit_values"],
        "thresholds": list(model["thresholds"]),
        "ci": result["ci"][str(k_show)],
        "params": params,
        "std_errors": ses,
        "nobs": result["nobs"],
    }
    return view, k_hat, k_show


def threshold_table_from_config(
    name: str, entry: Mapping[str, Any], spec_result: Mapping[str, Any], labels: Mapping[str, str]
) -> Table:
    """Threshold table: tests (F, bootstrap p, critical values), thresholds with CIs, regime slopes."""
    from tfp_talent.report.threshold_table import threshold_table

    thr = spec_result.get("threshold")
    if not thr:
        raise InputError(f"spec '{spec_result.get('spec')}' is not a threshold spec", file=f"tables.{name}")
    view, k_hat, k_show = threshold_view(thr, labels)
    qx = thr.get("threshold_variable", "q")
    reps = ", ".join(f"{v}" for v in (thr.get("bootstrap") or {}).get("replications", {}).values())
    notes = [
        "Sample: " + sample_note(spec_result, labels=labels, named=False),
        f"Threshold variable q: {term_label(qx, labels)}; regime-dependent regressor: "
        + ", ".join(term_label(r, labels) for r in thr.get("regime_regressors") or [])
        + f"; province fixed effects (within transform){' and year dummies (not shown)' if thr.get('year_dummies') else ''}; "
        + f"{thr.get('cov')} standard errors; bootstrap replications per test: {reps}, seed {thr['bootstrap']['seed']}.",
        (
            f"Sequential tests at 10% select {k_hat} threshold(s)."
            if k_hat
            else "No threshold is significant at 10%; panels B and C show the single-threshold model for reference."
        )
        + (f" Panels B and C: the {k_show}-threshold model." if k_hat else ""),
    ]
    notes.extend(entry.get("notes") or [])
    return threshold_table(
        view,
        variable_labels={},
        threshold_label=term_label(qx, labels),
        title=entry["title"],
        label=f"tab:{name}",
        notes=notes,
        source=f"tables.{name}",
    )


# --------------------------------------------------------------------------- descriptive tables


def merged_data(panel: pd.DataFrame, tfp: pd.DataFrame | None) -> pd.DataFrame:
    """Panel with the TFP columns it lacks (left join on province_code, year)."""
    if tfp is None:
        return panel.copy()
    add = [c for c in tfp.columns if c not in panel.columns]
    return panel.merge(tfp[[*KEYS, *add]], on=KEYS, how="left", validate="one_to_one")


def data_table_from_config(name: str, entry: Mapping[str, Any], data: pd.DataFrame, labels: Mapping[str, str]) -> Table:
    """Descriptive statistics by region or the correlation matrix of ``tables.<name>``."""
    from tfp_talent.report.data_tables import correlation_table, descriptive_table

    where = f"tables.{name}"
    variables = list(entry["variables"])
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise InputError(f"unknown variable(s) {', '.join(map(repr, missing))} (not in the panel or the TFP file)", file=where)
    frame = data
    if entry.get("years"):
        lo, hi = entry["years"]
        frame = frame[frame[TIME].between(lo, hi)]
    years = year_ranges(frame[TIME].unique())
    vlabels = _labels_for(variables, labels)
    counts = frame[variables].notna().sum()
    cover = "; ".join(
        f"{vlabels[v]} {year_ranges(frame.loc[frame[v].notna(), TIME].unique())}" for v in variables if counts[v] < len(frame)
    )
    note = f"Province-years {years}, {frame[ENTITY].nunique()} provinces; statistics use the non-missing observations of each variable."
    if cover:
        note += f" Years with data where incomplete: {cover}."
    if entry["kind"] == "descriptive":
        return descriptive_table(
            frame, variables, by=entry.get("by", "region3"), variable_labels=vlabels, title=entry["title"], label=f"tab:{name}", notes=[note], source=where
        )
    return correlation_table(frame, variables, variable_labels=vlabels, title=entry["title"], label=f"tab:{name}", notes=[note], source=where)


def build_table(
    name: str,
    entry: Mapping[str, Any],
    *,
    results: Mapping[str, Mapping[str, Any]] | None = None,
    data: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Dispatch ``tables.<name>`` by kind (regression, threshold, descriptive, correlation)."""
    labels = dict(labels or {})
    kind = entry["kind"]
    if kind == "regression":
        return regression_table_from_config(name, entry, results or {}, labels)
    if kind == "threshold":
        return threshold_table_from_config(name, entry, (results or {})[entry["spec"]], labels)
    if data is None:
        raise InputError(f"table kind '{kind}' needs the panel", file=f"tables.{name}")
    return data_table_from_config(name, entry, data, labels)


def build_tables(
    config: Mapping[str, Any],
    *,
    results: Mapping[str, Mapping[str, Any]],
    panel: pd.DataFrame,
    tfp_frames: Mapping[str, pd.DataFrame],
) -> dict[str, Table]:
    """Every table of ``config['tables']`` (for the report); ``tfp_frames`` maps TFP variants to frames."""
    labels = dict((config.get("report") or {}).get("labels") or {})
    out: dict[str, Table] = {}
    for name, entry in (config.get("tables") or {}).items():
        data = None
        if entry["kind"] in ("descriptive", "correlation"):
            variant = entry.get("tfp")
            if variant and variant not in tfp_frames:
                raise InputError(f"TFP variant '{variant}' was not loaded", file=f"tables.{name}")
            data = merged_data(panel, tfp_frames[variant] if variant else None)
        out[name] = build_table(name, entry, results=results, data=data, labels=labels)
    return out


# --------------------------------------------------------------------------- figures


def province_means(data: pd.DataFrame, variable: str, years: Sequence[int] | None, scale: float = 1.0) -> pd.Series:
    """Mean of ``variable`` over ``years`` (closed range) per province, × ``scale``; NaN where no data."""
    frame = data if not years else data[data[TIME].between(years[0], years[1])]
    return frame.groupby(ENTITY)[variable].mean() * scale


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
    """Draw ``figures.<name>`` (a matplotlib Figure) by kind.

    ``data`` is the panel merged with the TFP file (tfp_by_region, map, malmquist);
    ``analysis`` the estimation sample of the spec (partial_scatter); ``results``
    the loaded results files (coef_plot, threshold_lr).
    """
    from tfp_talent.report import figures as F
    from tfp_talent.report import maps as M

    labels = {**dict(labels or {}), **dict(entry.get("labels") or {})}  # a figure may shorten labels
    where = f"figures.{name}"
    kind = entry["kind"]
    if kind in ("tfp_by_region", "map", "malmquist") and data is None:
        raise InputError(f"figure kind '{kind}' needs the panel", file=where)
    if kind == "tfp_by_region":
        level, growth = entry.get("level", "solow_ln_tfp"), entry.get("growth")
        return F.tfp_by_region(
            data, level=level, growth=growth,
            level_label=f"Mean {term_label(level, labels)} (log points)",
            note="Unweighted means over the provinces of each region (NBS three-region split).", source=where,
        )  # fmt: skip
    if kind == "map":
        var = entry["variable"]
        if var not in data.columns:
            raise InputError(f"unknown variable '{var}'", file=where)
        values = province_means(data, var, entry.get("years"), float(entry.get("scale", 1.0)))
        label = entry.get("label", term_label(var, labels))
        if entry.get("style", "tile") == "tile":
            return M.tile_map(values, label=label, source=where)
        if topo_path is None:
            raise InputError("a choropleth needs the TopoJSON file", file=where)
        return M.choropleth(values, M.read_topojson(topo_path), label=label, source=where)
    if kind == "malmquist":
        return F.malmquist_plot(data, ec="malmquist_efficiency_change", tc="malmquist_technical_change", source=where)
    if kind == "partial_scatter":
        if analysis is None or results is None:
            raise InputError("a partial scatter needs the spec's estimation sample and result", file=where)
        res = results[entry["spec"]]
        x = entry["x"]
        if x not in res["regressors"]:
            raise InputError(f"'{x}' is not a regressor of spec '{entry['spec']}' ({', '.join(res['regressors'])})", file=where)
        controls = [r for r in res["regressors"] if r != x]
        s = res["sample"]
        return F.partial_scatter(
            analysis, res["y"], x, controls=controls,
            xlabel=f"{term_label(x, labels)}, residual", ylabel=f"{term_label(res['y'], labels)}, residual",
            note=f"Estimation sample of '{res['label']}': N = {s['nobs']:,}, {s['n_provinces']} provinces, {s['years_text']}.",
            source=where,
        )  # fmt: skip
    if kind == "coef_plot":
        cols = list(entry["columns"])
        picked = [pick_result(results or {}, c, where=where) for c in cols]
        labs = [c.get("label") or (results or {})[c["spec"]]["label"] for c in cols]
        return F.coef_plot(
            picked, list(entry["variables"]), labels=labs, variable_labels=_labels_for(entry["variables"], labels),
            note="Point estimates with 95% confidence intervals b ± 1.96 SE; clustered by province unless stated.", source=where,
        )  # fmt: skip
    if kind == "threshold_lr":
        res = (results or {})[entry["spec"]]
        thr = res.get("threshold")
        if not thr:
            raise InputError(f"spec '{entry['spec']}' is not a threshold spec", file=where)
        curves, gammas = lr_curves(thr)
        qx = thr.get("threshold_variable", "q")
        return F.lr_plot(curves, thresholds=gammas, xlabel=f"Threshold γ: {term_label(qx, labels)}", source=where)
    raise InputError(f"unknown figure kind '{kind}'", file=where)


def lr_curves(thr: Mapping[str, Any]) -> tuple[list[tuple[list[float], list[float]]], list[float]]:
    """LR(γ) curves of the thresholds of the model shown (k̂, at least 1), one per threshold."""
    k_show = max(1, selected_thresholds(thr))
    gammas = [float(g) for g in thr["models"][str(k_show)]["thresholds"]]
    curves_all = list((thr.get("lr") or {}).values())
    out = []
    for g in gammas:
        cands = [c for c in curves_all if math.isclose(float(c["estimate"]), g, rel_tol=0, abs_tol=1e-9)]
        if not cands:
            raise InputError(f"no LR curve for threshold {g}", file="threshold result")
        c = cands[-1]
        out.append((list(c["gamma"]), list(c["lr"])))
    return out, gammas


# --------------------------------------------------------------------------- report context


def describe(result: Mapping[str, Any], name: str) -> str:
    """'b (SE se; p = p, significant at x%)' of one coefficient (see report.document.describe_coef)."""
    from tfp_talent.report.document import describe_coef

    return describe_coef(result, name)


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


def report_context(
    config: Mapping[str, Any],
    panel: pd.DataFrame,
    results: Mapping[str, Mapping[str, Any]],
    *,
    raw_checksums: str,
    reproducibility: str,
) -> dict[str, str]:
    """Every value the report template needs, from the config, the panel and the results files."""
    labels = dict((config.get("report") or {}).get("labels") or {})
    head = (config.get("report") or {}).get("headline") or {"spec": "baseline", "cov": "clustered"}
    base_cl = pick_result(results, {"spec": head["spec"], "cov": "clustered"}, where="report")
    base_dk = pick_result(results, {"spec": head["spec"], "cov": "driscoll-kraay"}, where="report")
    talent = results[head["spec"]]["roles"]["talent"]
    stock, quality = talent[0], talent[1] if len(talent) > 1 else talent[0]
    labour = dict(config.get("labour") or {})
    tfp_cfg = dict(config.get("tfp") or {})
    capital = dict(config.get("capital") or {})
    ctx: dict[str, str] = {
        "n_provinces": str(panel[ENTITY].nunique()),
        "year_start": str(int(panel[TIME].min())),
        "year_end": str(int(panel[TIME].max())),
        "n_obs_panel": fmt_int(len(panel)),
        "raw_checksums": raw_checksums.rstrip("\n"),
        "labour_proxy": LABOUR_TEXT.get(labour.get("source", "working_age"), str(labour.get("source")))
        + (", times human capital per worker h = exp(φ(years of schooling)) with the Penn World Table's Mincer returns" if labour.get("human_capital", True) else ""),
        "survey_gap_rule": SURVEY_GAP_TEXT[labour.get("fill_gaps", "inside")],
        "delta": fmt_number(capital.get("delta", 0.096), 3),
        "alpha": fmt_number(tfp_cfg.get("alpha", 0.4), 2),
        "baseline_stock_clustered": describe(base_cl, stock),
        "baseline_quality_clustered": describe(base_cl, quality),
        "baseline_stock_dk": describe(base_dk, stock),
        "baseline_quality_dk": describe(base_dk, quality),
        "baseline_nobs": fmt_int(base_cl["nobs"]),
        "baseline_provinces": str(base_cl["n_entities"]),
        "baseline_years": results[head["spec"]]["sample"]["years_text"],
        "baseline_sample": sample_note(results[head["spec"]], labels=labels),
        "reproducibility": reproducibility.rstrip("\n"),
    }
    hs = [r for r in results.values() if r.get("kind") == "hausman"]
    if hs:
        h = hs[0]["hausman"]
        # the cluster-robust (Mundlak) form matches the clustered inference of the tables and is
        # valid when V_FE - V_RE is not positive definite; the classic form is in the table note
        ctx["hausman_stat"] = fmt_number(h["mundlak"]["statistic"], 2)
        ctx["hausman_df"] = str(h["mundlak"]["df"])
        ctx["hausman_p"] = fmt_number(h["mundlak"]["p_value"], 3)
        ctx["hausman_method"] = "cluster-robust (Mundlak) form"
        ctx["hausman_classic_stat"] = fmt_number(h["classic"]["statistic"], 2)
    ivs = [r for r in results.values() if r.get("kind") == "iv"]
    if ivs:
        iv = ivs[0]
        res = next(iter(iv["results"].values()))
        fs = res["extra"]["first_stage"]
        ctx["iv_first_stage_f"] = "; ".join(f"{fmt_number(v['partial_f'], 2)} for {term_label(k, labels).lower() if k in labels else k}" for k, v in fs.items())
        ctx["iv_stock"] = describe(res, stock) if stock in res["params"] else ""
        ctx["iv_quality"] = describe(res, quality) if quality in res["params"] else ""
    catch = [r for r in results.values() if r.get("roles", {}).get("products")]
    if catch:
        c = catch[0]
        res = c["results"].get("clustered") or next(iter(c["results"].values()))
        prods = c["roles"]["products"]
        ctx["catchup_interaction"] = describe(res, prods[0])
        if len(prods) > 1:
            ctx["catchup_interaction_quality"] = describe(res, prods[1])
    thrs = [r for r in results.values() if r.get("kind") == "threshold"]
    if thrs:
        thr = thrs[0]["threshold"]
        ctx["threshold_f1"] = fmt_number(thr["f_stat"]["1"], 2)
        ctx["threshold_p1"] = fmt_number(thr["p_value"]["1"], 3)
        ctx["bootstrap_reps"] = fmt_int(thr["bootstrap"]["replications"]["1"])
        ctx["threshold_gamma1"] = fmt_number(thr["thresholds"]["1"][0], 2)
        lo, hi = thr["ci"]["1"][0]
        ctx["threshold_ci1"] = f"[{fmt_number(lo, 2)}, {fmt_number(hi, 2)}]"
        ctx["threshold_selected"] = str(selected_thresholds(thr))
        if "2" in thr["f_stat"]:
            ctx["threshold_f2"] = fmt_number(thr["f_stat"]["2"], 2)
            ctx["threshold_p2"] = fmt_number(thr["p_value"]["2"], 3)
    ctx["specifications"] = specifications_markdown(config, results)
    ctx["headline_stars"] = stars_for(base_cl["pvalues"].get(stock))
    return ctx


def specifications_markdown(config: Mapping[str, Any], results: Mapping[str, Mapping[str, Any]]) -> str:
    """A Markdown list: each spec's name, label, description and estimation sample (from its result)."""
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

