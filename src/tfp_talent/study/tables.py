"""The study's tables, assembled from config entries (``tables:``) and results files.

The rendering itself is :mod:`tfp_talent.report.tables`; this module only decides *what*
goes where: which result of which specification fills which column, the rows that say
which effects and covariance a column has, the sample notes (read from each result's
``sample`` block) and labels of derived variables. :data:`TABLE_KINDS` maps each table
``kind`` of ``config/schema.yaml`` to its builder; a new kind is one builder + one entry.

Builder arguments, shared by the ``*_table_from_config`` functions here and in the sibling modules
(:mod:`~tfp_talent.study.spatial_tables`, :mod:`~tfp_talent.study.identification`,
:mod:`~tfp_talent.study.dynamics_tables`, :mod:`~tfp_talent.study.shift_share_tables`):

``name``     key under ``tables:``; the table's label is ``tab:<name>``, its source ``tables.<name>``.
``entry``    that config entry (``kind``, ``title``, ``columns``, ``keep``, ``notes``, ...); its own
             ``notes`` follow the generated ones.
``results``  spec name → results file (the dict of :func:`tfp_talent.study.run.run_spec`). A column
             ``{spec, cov, model}`` picks one regression result, ``results.<cov>`` or, with ``model``,
             ``models.<model>.<cov>`` of a Hausman spec; ``cov`` defaults to the spec's first
             (:func:`tfp_talent.study.results.pick_result`).
``labels``   variable → report label (``report.labels``; :func:`tfp_talent.study.labels.term_label`).

Each builder returns a :class:`tfp_talent.report.tables.Table` and raises :class:`InputError`
(naming ``tables.<name>``) when a spec has no results file or lacks the block its kind reads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tfp_talent.data.codebook import year_ranges
from tfp_talent.errors import InputError
from tfp_talent.report.tables import Table, fmt_int, fmt_number
from tfp_talent.study.common import ENTITY, TIME
from tfp_talent.study.dynamics_tables import channels_table_from_config, dynamics_table_from_config
from tfp_talent.study.hypotheses import hypotheses_table
from tfp_talent.study.identification import identification_rows, magnitudes_table_from_config
from tfp_talent.study.labels import (
    COV_SHORT,
    MODEL_NAMES,
    describe_definition,
    labels_for,
    sample_note,
    term_label,
)
from tfp_talent.study.multiple_testing import multiple_testing_table_from_config
from tfp_talent.study.results import pick_result, selected_thresholds
from tfp_talent.study.sample import merged_data
from tfp_talent.study.shift_share_tables import shift_share_table_from_config
from tfp_talent.study.spatial_tables import (
    moran_table_from_config,
    region_table_from_config,
    spillover_table_from_config,
)
from tfp_talent.study.transforms import TREND_PREFIX

Results = Mapping[str, Mapping[str, Any]]


# --------------------------------------------------------------------------- regression tables


def rescaled(result: Mapping[str, Any], factors: Mapping[str, float]) -> dict[str, Any]:
    """A copy of ``result`` with coefficient and SE of each term in ``factors`` multiplied by its factor.

    For display only (``tables.<name>.rescale``): a coefficient of 0.0023 on a per-10,000 rate shown
    as 0.23 (× 100) keeps its t-statistic and p-values; the row label says "× factor".
    """
    if not factors:
        return dict(result)
    out = dict(result)
    for key in ("params", "std_errors"):
        block = dict(out.get(key) or {})
        for term, f in factors.items():
            if block.get(term) is not None:
                block[term] = float(block[term]) * f
        out[key] = block
    return out


def regression_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """Regression table of ``tables.<name>``: one column per ``{spec, cov, model}``.

    Rows: talent terms, products, then controls (the order of the specs); N, provinces,
    within R²; province and year effects (fixed / random / none), the covariance, the
    years of the sample; first-stage F for IV columns and p-values of equal regional
    slopes for interaction columns. Notes: each spec's estimation sample
    (:func:`~tfp_talent.study.labels.sample_note`), the Hausman tests listed in ``tests``.

    Cells: b with stars over its SE (the column's own covariance); the wild cluster bootstrap p in
    brackets where stored (:func:`wild_pvalues`), which then sets the stars. Within R² is blanked
    in columns that are not ``fe`` / ``fe-iv``. ``rescale: {term: f}`` multiplies b and SE by f
    (:func:`rescaled`). ``keep`` selects and orders the rows (default: every term but the
    constant, ``year_*`` dummies and ``trend:`` province trends). Driscoll–Kraay columns add the
    caveat of :func:`_dk_note`. Used by ``baseline``, ``robustness``, ``dk_robustness`` and the
    other tables of kind ``regression``.
    """
    from tfp_talent.report.regression_table import regression_table

    where = f"tables.{name}"
    cols = list(entry["columns"])
    picked = [pick_result(results, c, where=where) for c in cols]
    for r in picked:  # within R² is comparable only across fixed-effects columns
        if r.get("model") not in ("fe", "fe-iv"):
            r["rsquared_within"] = None
    rescale = {str(k): float(v) for k, v in (entry.get("rescale") or {}).items()}
    picked = [rescaled(r, rescale) for r in picked]
    specs = [results[c["spec"]] for c in cols]
    order: list[str] = []
    for s in specs:
        roles = s["roles"]
        for key in ("talent", "products"):
            order += [t for t in roles[key] if t not in order]
    for s in specs:
        order += [t for t in s["regressors"] if t not in order]
    names = order + [n for r in picked for n in r["params"] if n not in order and n != "const"]
    keep = list(
        entry.get("keep") or [n for n in dict.fromkeys(names) if not n.startswith(("year_", TREND_PREFIX))]
    )

    column_labels = [
        c.get("label") or (MODEL_NAMES.get(c["model"], c["model"]) if c.get("model") else s["label"])
        for c, s in zip(cols, specs, strict=True)
    ]
    return regression_table(
        picked,
        column_labels=column_labels,
        depvar_labels={s["y"]: term_label(s["y"], labels) for s in specs},
        variable_labels={
            k: f"{v} (× {rescale[k]:g})" if k in rescale else v for k, v in labels_for(keep, labels).items()
        },
        keep=keep,
        order=keep,
        stats=("nobs", "n_entities", "rsquared_within"),
        fe_rows=False,
        cov_row=False,
        extra_rows=_regression_rows(picked, specs, labels),
        notes=_regression_notes(entry, specs, results, labels) + [n for n in [_dk_note(picked)] if n],
        title=entry["title"],
        label=f"tab:{name}",
        units=("Province", "Provinces", "Year"),
        source=where,
        bootstrap_pvalues=[wild_pvalues(r) for r in picked],
        bootstrap_note=wild_bootstrap_note(picked),
    )


def wild_pvalues(result: Mapping[str, Any]) -> dict[str, float]:
    """Term -> wild cluster bootstrap p-value of a result (``extra.wild_bootstrap``; empty if none)."""
    block = (result.get("extra") or {}).get("wild_bootstrap") or {}
    return {str(k): float(v["p_value"]) for k, v in block.items()}


def wild_bootstrap_note(picked: list[Mapping[str, Any]]) -> str:
    """The note of the bracketed p-values, with the weights and replications read from the results.

    One "Webb weights, 9,999 replications" clause per distinct (weights, reps) in the columns.
    """
    blocks = [((r.get("extra") or {}).get("wild_bootstrap") or {}).values() for r in picked]
    runs = dict.fromkeys((str(v["weights"]).capitalize(), int(v["reps"])) for b in blocks for v in b)
    how = "; ".join(f"{w} weights, {fmt_int(n)} replications" for w, n in runs) or "no bootstrap"
    return (
        f"Wild cluster bootstrap p-values (WCR, {how}; clusters: provinces) in brackets; stars from them "
        "where shown, otherwise from the cluster-robust t-test with G − 1 degrees of freedom."
    )


def _dk_note(picked: list[Mapping[str, Any]]) -> str | None:
    """The caveat of Driscoll–Kraay columns: the SEs rely on many periods T, stated with the columns' T."""
    cols = [
        (i + 1, int(r["n_periods"])) for i, r in enumerate(picked) if r.get("cov_type") == "driscoll-kraay"
    ]
    if not cols:
        return None
    by_t: dict[int, list[int]] = {}
    for i, t in cols:
        by_t.setdefault(t, []).append(i)
    ts = "; ".join(
        f"T = {t} ({', '.join(f'({i})' for i in idx)})" if len(by_t) > 1 else f"T = {t}"
        for t, idx in by_t.items()
    )
    return (
        "Driscoll–Kraay standard errors are consistent as the number of years T grows (Driscoll and Kraay "
        f"1998) and can be far too small with few years; here {ts}. They are a robustness check, not the "
        "primary inference (see the wild cluster bootstrap p-values of the main tables)."
    )


def _regression_rows(
    picked: list[dict[str, Any]], specs: list[Mapping[str, Any]], labels: Mapping[str, str]
) -> list[tuple[str, list[str]]]:
    """Rows below the statistics: estimator, effects, SEs, years, first-stage F, equal-slope tests."""
    extra: list[tuple[str, list[str]]] = []
    extra.append(("Estimator", [MODEL_NAMES.get(str(r.get("model")), str(r.get("model"))) for r in picked]))
    extra.append(("Province effects", [_province_effects(r) for r in picked]))
    extra.append(("Year effects", [_year_effects(r) for r in picked]))
    extra.append(
        (
            "Standard errors",
            [COV_SHORT.get(str(r.get("cov_type")), str(r.get("cov_type"))) + _bandwidth(r) for r in picked],
        )
    )
    extra.append(("Years", [s["sample"]["years_text"] for s in specs]))
    endogs = list(dict.fromkeys(e for s in specs for e in s["roles"].get("endog") or []))
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
    extra.extend(identification_rows(picked, specs))  # issue 15: trends, leads test, long differences
    return extra


def _regression_notes(
    entry: Mapping[str, Any], specs: list[Mapping[str, Any]], results: Results, labels: Mapping[str, str]
) -> list[str]:
    """Sample notes (one per distinct sample), Hausman tests, derived-variable definitions, the entry's notes."""
    notes: list[str] = []
    by_text: dict[str, list[int]] = {}
    for i, s in enumerate(specs):
        text = sample_note(s, labels=labels, named=False)
        by_text.setdefault(text, []).append(i + 1)
    for text, numbers in by_text.items():
        which = (
            "All columns"
            if len(by_text) == 1
            else "Column" + ("s " if len(numbers) > 1 else " ") + ", ".join(f"({n})" for n in numbers)
        )
        notes.append(f"{which}: {text}")
    for test in entry.get("tests") or []:
        notes.append(hausman_note(results[test["spec"]]))
    defs: dict[str, str] = {}
    for s in specs:  # lags, products and region interactions are clear from their labels
        defs.update(
            {
                k: v
                for k, v in (s.get("definitions") or {}).items()
                if re.match(r"^(D\.|ln\.|cum\.|dist_frontier)", k)
            }
        )
    if defs:
        notes.append(
            "Derived variables: "
            + "; ".join(
                f"{term_label(k, labels)} = {describe_definition(v, labels)}" for k, v in defs.items()
            )
            + "."
        )
    notes.extend(entry.get("notes") or [])
    return notes


def _province_effects(r: Mapping[str, Any]) -> str:
    """Province effects of a column: Random (RE), Differenced (FD), Fixed or No."""
    model, eff = str(r.get("model")), str(r.get("effects"))
    if model == "re":
        return "Random"
    if model in ("fd",):
        return "Differenced"
    return "Fixed" if eff in ("entity", "twoway") else "No"


def _year_effects(r: Mapping[str, Any]) -> str:
    """Year effects of a column: Dummies (two-way RE), Fixed or No."""
    model, eff = str(r.get("model")), str(r.get("effects"))
    if model == "re":
        return "Dummies" if eff == "twoway" else "No"
    return "Fixed" if eff in ("time", "twoway") else "No"


def _bandwidth(r: Mapping[str, Any]) -> str:
    """`` (lag L)`` after Driscoll–Kraay standard errors with a set bandwidth."""
    if r.get("cov_type") == "driscoll-kraay" and r.get("bandwidth") is not None:
        return f" (lag {r['bandwidth']})"
    return ""


def hausman_note(result: Mapping[str, Any]) -> str:
    """One sentence with the classic and the cluster-robust (Mundlak) Hausman tests of a hausman spec.

    Classic H = (b_FE − b_RE)'(V_FE − V_RE)⁻¹(b_FE − b_RE) ~ χ²(df) (Hausman 1978), flagged when
    V_FE − V_RE is not positive definite; Mundlak W = γ̂'V̂(γ̂)⁻¹γ̂ ~ χ²(q) on the province means
    (:mod:`tfp_talent.estimators.hausman`). Raises :class:`InputError` without a ``hausman`` block.
    """
    h = result.get("hausman")
    if not h:
        raise InputError(
            f"spec '{result.get('spec')}' has no Hausman tests (use kind hausman)", file="tables"
        )
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


def threshold_view(result: Mapping[str, Any], labels: Mapping[str, str]) -> tuple[dict[str, Any], int, int]:
    """The result reshaped for :func:`tfp_talent.report.tables.threshold_table` (model shown, k̂, k shown).

    k̂ from the sequential bootstrap tests at 10% (:func:`~tfp_talent.study.results.selected_thresholds`);
    the k̂-threshold model is shown, the single-threshold one if k̂ = 0. Slopes ``x_r<j>`` are labelled
    by their regime rule (``q ≤ γ₁`` ...); year dummies are dropped; SEs of the result's ``cov``.
    """
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
            rule = (
                re.sub(r"(\d+\.\d+)", lambda mm: f"{float(mm.group(1)):.2f}", rule)
                .replace(qx, "q")
                .replace("<=", "≤")
            )
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
    """Threshold table: tests (F, bootstrap p, critical values), thresholds with CIs, regime slopes.

    Reads the ``threshold`` block of ``spec_result`` (Hansen 1999 fixed-effect threshold model, as
    Stata ``xthreg``): F_k = (S_{k−1} − S_k)/σ̂²_k for k − 1 against k thresholds with bootstrap p and
    critical values, γ̂ with its LR interval (:mod:`tfp_talent.estimators.threshold`). Raises
    :class:`InputError` if the spec is not of kind threshold. Used by ``tables.threshold``.
    """
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


def _data_frame_of(
    name: str, entry: Mapping[str, Any], data: pd.DataFrame, labels: Mapping[str, str]
) -> tuple[pd.DataFrame, list[str], dict[str, str], str]:
    """The rows (``years`` of the entry), variables, their labels and the coverage note of a data table.

    Raises :class:`InputError` for a variable that is neither in the panel nor in the TFP file.
    """
    where = f"tables.{name}"
    variables = list(entry["variables"])
    missing = [v for v in variables if v not in data.columns]
    if missing:
        raise InputError(
            f"unknown variable(s) {', '.join(map(repr, missing))} (not in the panel or the TFP file)",
            file=where,
        )
    frame = data
    if entry.get("years"):
        lo, hi = entry["years"]
        frame = frame[frame[TIME].between(lo, hi)]
    years = year_ranges(frame[TIME].unique())
    vlabels = labels_for(variables, labels)
    counts = frame[variables].notna().sum()
    cover = "; ".join(
        f"{vlabels[v]} {year_ranges(frame.loc[frame[v].notna(), TIME].unique())}"
        for v in variables
        if counts[v] < len(frame)
    )
    note = f"Province-years {years}, {frame[ENTITY].nunique()} provinces; statistics use the non-missing observations of each variable."
    if cover:
        note += f" Years with data where incomplete: {cover}."
    return frame, variables, vlabels, note


def descriptive_table_from_config(
    name: str, entry: Mapping[str, Any], data: pd.DataFrame, labels: Mapping[str, str]
) -> Table:
    """Descriptive statistics of ``tables.<name>`` by ``by`` (default region3).

    ``data``: the panel merged with the entry's TFP file; statistics over the non-missing rows
    of each variable (:func:`tfp_talent.report.data_tables.descriptive_table`).
    """
    from tfp_talent.report.data_tables import descriptive_table

    frame, variables, vlabels, note = _data_frame_of(name, entry, data, labels)
    return descriptive_table(
        frame, variables, by=entry.get("by", "region3"), variable_labels=vlabels, title=entry["title"],
        label=f"tab:{name}", notes=[note], source=f"tables.{name}",
    )  # fmt: skip


def correlation_table_from_config(
    name: str, entry: Mapping[str, Any], data: pd.DataFrame, labels: Mapping[str, str]
) -> Table:
    """Correlation matrix of the variables of ``tables.<name>``.

    Lower-triangular Pearson correlations on pairwise-complete rows (``report.data_tables``).
    """
    from tfp_talent.report.data_tables import correlation_table

    frame, variables, vlabels, note = _data_frame_of(name, entry, data, labels)
    return correlation_table(
        frame,
        variables,
        variable_labels=vlabels,
        title=entry["title"],
        label=f"tab:{name}",
        notes=[note],
        source=f"tables.{name}",
    )


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class TableKind:
    """How a table kind is built: ``build(name, entry, results, data, labels)``; ``needs_data``: from the panel;
    ``config_keys``: top-level config sections the builder reads, passed in the entry (:func:`table_entry`)."""

    build: Callable[[str, Mapping[str, Any], Results, pd.DataFrame | None, Mapping[str, str]], Table]
    needs_data: bool = False
    config_keys: tuple[str, ...] = ()


TABLE_KINDS: dict[str, TableKind] = {
    "regression": TableKind(build=lambda n, e, res, data, lab: regression_table_from_config(n, e, res, lab)),
    "threshold": TableKind(
        build=lambda n, e, res, data, lab: threshold_table_from_config(n, e, res[e["spec"]], lab)
    ),
    "descriptive": TableKind(
        build=lambda n, e, res, data, lab: descriptive_table_from_config(n, e, data, lab), needs_data=True
    ),
    "correlation": TableKind(
        build=lambda n, e, res, data, lab: correlation_table_from_config(n, e, data, lab), needs_data=True
    ),
    "dynamics": TableKind(build=lambda n, e, res, data, lab: dynamics_table_from_config(n, e, res, lab)),
    "channels": TableKind(build=lambda n, e, res, data, lab: channels_table_from_config(n, e, res, lab)),
}
# --- spatial (issue 12): tfp_talent.study.spatial_tables ---
TABLE_KINDS["spatial_effects"] = TableKind(
    build=lambda n, e, res, data, lab: spillover_table_from_config(n, e, res, lab)
)
TABLE_KINDS["spatial_regions"] = TableKind(
    build=lambda n, e, res, data, lab: region_table_from_config(n, e, res, lab)
)
TABLE_KINDS["moran"] = TableKind(build=lambda n, e, res, data, lab: moran_table_from_config(n, e, res, lab))
# --- identification checks (issue 15): tfp_talent.study.identification ---
TABLE_KINDS["magnitudes"] = TableKind(
    build=lambda n, e, res, data, lab: magnitudes_table_from_config(n, e, res, lab)
)
# --- multiple testing over the talent coefficients (issue 15): tfp_talent.study.multiple_testing ---
TABLE_KINDS["multiple_testing"] = TableKind(
    build=lambda n, e, res, data, lab: multiple_testing_table_from_config(n, e, res, lab)
)
# --- hypotheses (issue 15): tfp_talent.study.hypotheses; reads config sections hypotheses and verdicts ---
TABLE_KINDS["hypotheses"] = TableKind(
    build=lambda n, e, res, data, lab: hypotheses_table(n, e, res, lab),
    config_keys=("hypotheses", "verdicts"),
)


def table_entry(config: Mapping[str, Any], name: str) -> dict[str, Any]:
    """``tables.<name>`` with the config sections its kind reads (``TableKind.config_keys``) added."""
    entry = dict(config["tables"][name])
    kind = TABLE_KINDS.get(entry["kind"])
    for key in kind.config_keys if kind else ():
        entry.setdefault(key, config.get(key))
    return entry


def build_table(
    name: str,
    entry: Mapping[str, Any],
    *,
    results: Results | None = None,
    data: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """``tables.<name>`` built by the builder of its kind (:data:`TABLE_KINDS`).

    Raises :class:`InputError` for an unknown kind, or a kind that ``needs_data`` without ``data``.
    """
    kind = entry["kind"]
    if kind not in TABLE_KINDS:
        raise InputError(
            f"unknown table kind '{kind}'; use one of {', '.join(TABLE_KINDS)}", file=f"tables.{name}"
        )
    spec = TABLE_KINDS[kind]
    if spec.needs_data and data is None:
        raise InputError(f"table kind '{kind}' needs the panel", file=f"tables.{name}")
    return spec.build(name, entry, results or {}, data, dict(labels or {}))


def build_tables(
    config: Mapping[str, Any],
    *,
    results: Results,
    panel: pd.DataFrame,
    tfp_frames: Mapping[str, pd.DataFrame],
) -> dict[str, Table]:
    """Every table of ``config['tables']`` (for the report); ``tfp_frames`` maps TFP variants to frames.

    Data tables get the panel merged with their ``tfp`` variant (``study.sample.merged_data``);
    :class:`InputError` if that variant is not in ``tfp_frames``. Keys: the table names, in config order.
    """
    labels = dict((config.get("report") or {}).get("labels") or {})
    out: dict[str, Table] = {}
    for name in config.get("tables") or {}:
        entry = table_entry(config, name)
        data = None
        if TABLE_KINDS[entry["kind"]].needs_data:
            variant = entry.get("tfp")
            if variant and variant not in tfp_frames:
                raise InputError(f"TFP variant '{variant}' was not loaded", file=f"tables.{name}")
            data = merged_data(panel, tfp_frames[variant] if variant else None)
        out[name] = build_table(name, entry, results=results, data=data, labels=labels)
    return out


# --- shift-share instrument (issue 15): tfp_talent.study.shift_share_tables ---
TABLE_KINDS["shift_share_iv"] = TableKind(
    build=lambda n, e, res, data, lab: shift_share_table_from_config(n, e, res, lab)
)
