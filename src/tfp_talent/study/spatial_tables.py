"""Tables of the spatial specs (kind ``spatial``): spillover effects by weights matrix, spillovers by
region of origin, and global Moran's I by year.

Numbers come from the ``spatial`` block of each results file (:mod:`tfp_talent.study.runners.spatial`):
LeSage & Pace (2009, §2.7) direct / indirect / total effects with simulated inference (standard
deviation of ``draws`` simulated effects in parentheses, 2.5-97.5 percentile interval in brackets,
stars from the normal p-value of estimate / simulated SD), the spatial coefficient with its
information-matrix SE, LM / robust LM tests on the non-spatial FE model (Anselin et al. 1996;
Elhorst 2014) and the Wald and LR tests of the SDM against the SAR (θ = 0) and the SEM (θ = −λβ).

Effects of a regressor x_k in y = λWy + Xβ + WXθ + α_i + λ_t + e: with S(λ) = (I − λW)⁻¹ the N × N
derivatives ∂y/∂x_k' = S(λ)(β_k I + θ_k W); direct = tr(·)/N (the own-province effect averaged over
provinces), total = 1'(·)1/N (= (β_k + θ_k)/(1 − λ) for a row-standardised W), indirect = total −
direct (:mod:`tfp_talent.estimators.spatial_effects`). The SAR has θ = 0; the SEM stores no effects.
The builders take the arguments of :mod:`tfp_talent.study.tables` (``name``, ``entry``,
``results``, ``labels``); ``config/config.yaml`` uses them for ``spatial_spillovers``,
``spatial_regions`` and ``moran``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tfp_talent.data.codebook import year_ranges
from tfp_talent.errors import InputError
from tfp_talent.report.tables import Cell, Section, Table, fmt_int, fmt_number, stars_for
from tfp_talent.study.labels import term_label
from tfp_talent.study.results import entry_table

Results = Mapping[str, Mapping[str, Any]]
EFFECT_LABELS = {"direct": "Direct", "indirect": "Indirect (spillover)", "total": "Total"}
REGION_EFFECT_LABELS = {
    "direct": "Direct (own province)",
    "indirect": "Indirect: all other provinces",
    "outside": "  of which other regions",
    "inside": "  of which same region",
    "total": "Total",
}
TEST_LABELS = {
    "lm_lag": "LM lag",
    "robust_lm_lag": "Robust LM lag",
    "lm_error": "LM error",
    "robust_lm_error": "Robust LM error",
    "wald_sdm_vs_sar": "Wald SDM → SAR (θ = 0)",
    "lr_sdm_vs_sar": "LR SDM → SAR",
    "wald_sdm_vs_sem": "Wald SDM → SEM (θ = −λβ)",
    "lr_sdm_vs_sem": "LR SDM → SEM",
}
MODEL_LABELS = {"sdm": "SDM", "sar": "SAR", "sem": "SEM"}


def spatial_block(results: Results, name: str, *, where: str) -> Mapping[str, Any]:
    """The ``spatial`` block of spec ``name``'s result; :class:`InputError` if it is not a spatial spec.

    The block holds ``model`` (sdm / sar / sem), ``weights`` (``text``, ``ids``, ``matrix``, ``raw``,
    ``kind``, for economic weights ``economic_base_years``), ``fit`` (``params``, ``std_errors``,
    ``pvalues``, ``param_names`` with the spatial coefficient first, ``effects_table``, ``tests``,
    ``nobs``, ``n_entities``, ``log_likelihood``, ``effects``, ``convention``, ``draws``, ``seed``)
    and optionally ``esda`` and ``region_effects``. ``where`` names the table or figure in errors.
    """
    if name not in results:
        raise InputError(f"no results file for spec '{name}'", file=where)
    block = results[name].get("spatial")
    if not block:
        raise InputError(f"spec '{name}' is not of kind spatial", file=where)
    return block


def effect_cells(row: Mapping[str, Any], digits: int = 3) -> tuple[Cell, str, str]:
    """(estimate with stars, '(sd)', '[lo, hi]') of one effect with simulated inference.

    Stars from ``p_sim``, the two-sided normal p of estimate / ``se_sim`` (the SD of the simulated
    effects); ``[lo, hi]`` the ``ci_sim`` percentiles (blank when not simulated). ``row`` is one
    entry of ``effects_table[var][effect]`` or of ``region_effects.effects[var][region][effect]``;
    ``digits`` decimals throughout.
    """
    est = Cell(fmt_number(row["estimate"], digits), stars_for(row.get("p_sim")))
    lo, hi = row.get("ci_sim") or (None, None)
    ci = f"[{fmt_number(lo, digits)}, {fmt_number(hi, digits)}]" if lo is not None else ""
    return est, f"({fmt_number(row.get('se_sim'), digits)})", ci


def _test_cell(t: Mapping[str, Any] | None) -> str:
    """'statistic (p)' of a stored test (2 and 3 decimals); blank when the model has no such test."""
    if not t:
        return ""
    return f"{fmt_number(t['statistic'], 2)} ({fmt_number(t['pvalue'], 3)})"


def spillover_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """``tables.<name>`` of kind ``spatial_effects``: one column per spatial spec in ``columns``.

    Panels: each talent variable's direct, indirect and total effect (estimate, SD, interval);
    the spatial coefficient; the model-choice tests (statistic and p-value); sample rows.

    ``entry.columns`` lists ``{spec, label}`` of spatial specs (one W each); the dependent variable
    named in the note is the first column's. Rows are the ``keep`` variables (default: the first
    column's talent terms), each with
    :func:`effect_cells`; the spatial coefficient (λ, or ρ of the SEM error process) with stars from
    its p and its information-matrix SE; the tests of :data:`TEST_LABELS` (LM: χ²(1); Wald and LR:
    χ²(k)); N, provinces, years, log-likelihood and fixed effects. Notes name each column's model and
    W, the simulation (:func:`_inference_note`) and, for economic-distance weights, the years of the
    GDP per capita they use. Raises :class:`InputError` when a column's spec is not spatial.

    Reading the panels: the direct effect is the average effect of a province's own talent on its own
    TFP, including the feedback through its neighbours; the indirect effect is the summed effect on
    all other provinces (a negative one is a "siphon", :mod:`~tfp_talent.study.spatial_report`); the
    total is their sum. Only the SDM and SAR store effects (``fit.effects_table``); a SEM spreads
    shocks through its errors only and has none, so the columns are SDM or SAR specs.
    """
    where = f"tables.{name}"
    cols = list(entry["columns"])
    blocks = [spatial_block(results, c["spec"], where=where) for c in cols]
    no_effects = [c["spec"] for c, b in zip(cols, blocks, strict=True) if "effects_table" not in b["fit"]]
    if no_effects:
        raise InputError(
            f"spec(s) {', '.join(no_effects)} have no direct/indirect effects (a SEM has none; use SDM or SAR specs)",
            file=where,
            column="columns",
        )
    specs = [results[c["spec"]] for c in cols]
    variables = list(entry.get("keep") or specs[0]["roles"]["talent"])
    sections = []
    for var in variables:
        rows: list[list[str | Cell]] = []
        for eff, label in EFFECT_LABELS.items():
            cells = [effect_cells(b["fit"]["effects_table"][var][eff]) for b in blocks]
            rows.append([label, *[c[0] for c in cells]])
            rows.append(["", *[c[1] for c in cells]])
            rows.append(["", *[c[2] for c in cells]])
        sections.append(Section(rows, title=term_label(var, labels)))
    spatial_rows: list[list[str | Cell]] = []
    for label, key in (("Spatial lag λ (ρ for the SEM)", None),):
        row: list[str | Cell] = [label]
        se_row: list[str | Cell] = [""]
        for b in blocks:
            fit = b["fit"]
            sname = fit["param_names"][0] if key is None else key
            row.append(Cell(fmt_number(fit["params"][sname], 3), stars_for(fit["pvalues"][sname])))
            se_row.append(f"({fmt_number(fit['std_errors'][sname], 3)})")
        spatial_rows += [row, se_row]
    sections.append(Section(spatial_rows))
    test_rows = [
        [lab, *[_test_cell(b["fit"]["tests"].get(k)) for b in blocks]] for k, lab in TEST_LABELS.items()
    ]
    sections.append(Section(test_rows, title="Tests: statistic (p-value)"))
    stats: list[list[str | Cell]] = [
        ["Observations", *[fmt_int(b["fit"]["nobs"]) for b in blocks]],
        ["Provinces", *[str(b["fit"]["n_entities"]) for b in blocks]],
        ["Years", *[s["sample"]["years_text"] for s in specs]],
        ["Log-likelihood", *[fmt_number(b["fit"]["log_likelihood"], 2) for b in blocks]],
        ["Effects", *[_effects_text(b["fit"]) for b in blocks]],
    ]
    sections.append(Section(stats))
    header = [[(c.get("label") or s["label"], 1) for c, s in zip(cols, specs, strict=True)]]
    notes = [
        f"Dependent variable: {term_label(specs[0]['y'], labels)}. "
        + "; ".join(
            f"({i}) {MODEL_LABELS[b['model']]}, W = {b['weights']['text']}" for i, b in enumerate(blocks, 1)
        )
        + ". Every W is row-standardised.",
        _inference_note(blocks[0]["fit"]),
        "Controls (and, in the SDM, their spatial lags) as in the baseline; coefficients in the results files. "
        "Tests: LM on the non-spatial two-way FE model, each χ²(1); Wald and LR χ²(k), k = number of regressors.",
    ]
    econ = [
        b["weights"].get("economic_base_years") for b in blocks if b["weights"].get("economic_base_years")
    ]
    if econ:
        notes.append(
            "Economic weights: g = mean real GDP per capita (gdp_real / pop_yearend, 2000 prices) over "
            f"{year_ranges(econ[0])}."
        )
    return entry_table(name, entry, header=header, sections=sections, notes=notes)


def _effects_text(fit: Mapping[str, Any]) -> str:
    """'province + year FE (<convention>)' from the fit's ``effects`` (``twoways`` / ``individual``)."""
    eff = {"twoways": "province + year", "individual": "province"}.get(fit["effects"], fit["effects"])
    return f"{eff} FE ({fit['convention']})"


def _inference_note(fit: Mapping[str, Any]) -> str:
    """The note on simulated effects inference: draws and seed of the fit, star levels, SE of λ."""
    return (
        "Effects (LeSage & Pace 2009): SD of the simulated effects in parentheses, 95% percentile interval in "
        f"brackets, from {fit['draws']} draws of the estimates' asymptotic normal distribution (seed {fit['seed']}); "
        "* p < 0.10, ** p < 0.05, *** p < 0.01 (normal p of estimate / SD). λ: SE from the information matrix."
    )


def region_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """``tables.<name>`` of kind ``spatial_regions``: effects of talent by the region whose talent rises.

    One column per region of ``spec``'s region-origin effects; rows: direct, indirect on all other
    provinces, split into other regions and the same region, total
    (:mod:`tfp_talent.study.runners.spatial_regions`).

    For a rise of x in one province of region r the SDM has slopes β_r and θ_r, so the derivatives
    are the columns j ∈ r of S(λ)(β_r I + θ_r W): direct = mean over j ∈ r of the (j, j) element;
    indirect = mean column sum without the diagonal, split into rows outside r ("other regions")
    and inside r ("same region"); total = direct + indirect. Inference from the stored draws
    (``draws_used`` of ``draws``: those with admissible λ). Raises :class:`InputError` when the
    spec has no ``region_effects``.

    Reads ``spatial.region_effects`` of ``entry.spec``: ``effects[var][region][effect]`` (rows of
    :func:`effect_cells`), ``regions`` (the provinces of each region), ``draws``, ``draws_used`` and
    ``seed``; the column order is that of the stored regions. The bottom panel gives each region's
    number of provinces, and λ and N once (one model for all columns).
    """
    where = f"tables.{name}"
    block = spatial_block(results, entry["spec"], where=where)
    reg = block.get("region_effects")
    if not reg:
        raise InputError(f"spec '{entry['spec']}' has no region interactions", file=where)
    res = results[entry["spec"]]
    variables = list(reg["effects"])
    regions = list(next(iter(reg["effects"].values())))
    sections = []
    for var in variables:
        rows: list[list[str | Cell]] = []
        for eff, label in REGION_EFFECT_LABELS.items():
            cells = [effect_cells(reg["effects"][var][r][eff]) for r in regions]
            rows += [
                [label, *[c[0] for c in cells]],
                ["", *[c[1] for c in cells]],
                ["", *[c[2] for c in cells]],
            ]
        sections.append(Section(rows, title=f"{term_label(var, labels)} rises in a province of the region"))
    sections.append(
        Section(
            [
                ["Provinces in the region", *[str(len(reg["regions"][r])) for r in regions]],
                [
                    "Spatial lag λ",
                    *([fmt_number(block["fit"]["params"]["lambda"], 3)] + [""] * (len(regions) - 1)),
                ],
                ["Observations", *([fmt_int(block["fit"]["nobs"])] + [""] * (len(regions) - 1))],
            ]
        )
    )
    notes = [
        f"One SDM ({res['label']}; W = {block['weights']['text']}, two-way FE) in which talent and its spatial lag "
        "have a slope for each region of the province whose talent changes. Effects of a unit rise in talent in one "
        "province of the column's region, averaged over that region's provinces: on itself (direct), summed over all "
        "other provinces (indirect), and that sum split into provinces of other regions and of the same region "
        "(LeSage & Pace 2009, §2.7, column sums of S(λ)(β_r I + θ_r W)).",
        f"Simulated inference from {reg['draws_used']} of {reg['draws']} draws (seed {reg['seed']}): SD in "
        "parentheses, 95% percentile interval in brackets; * p < 0.10, ** p < 0.05, *** p < 0.01.",
    ]
    header = [[(r, 1) for r in regions]]
    return entry_table(name, entry, header=header, sections=sections, notes=notes)


def moran_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """``tables.<name>`` of kind ``moran``: global Moran's I with permutation p by year and period mean.

    Columns: Moran's I and its pseudo p for each variable of ``spec``'s ESDA; rows: each year of the
    sample, then each period mean. ``years`` ([first, last]) keeps only those years.

    I = (n/S0) z'Wz / z'z with z = y − ȳ on each cross-section, E[I] = −1/(n − 1); p is esda's
    folded pseudo p, (1 + min(#{I* ≥ I}, R − #{I* ≥ I}))/(1 + R) over R random permutations I*.
    ``variables`` defaults to all variables of the ESDA. Raises :class:`InputError` without an ESDA
    or for a variable not in it.

    Records: ``esda.global_by_year`` and ``esda.global_by_period`` (``variable``, ``year`` or
    ``period``, ``I``, ``E[I]``, ``p_sim``, ``n``). Each cross-section's permutations are seeded by the
    config seed plus the year (or plus the crc32 of the period label), so the table is reproducible;
    stars from ``p_sim``. The note gives n and E[I] of the first year.
    """
    where = f"tables.{name}"
    block = spatial_block(results, entry["spec"], where=where)
    esda = block.get("esda")
    if not esda:
        raise InputError(f"spec '{entry['spec']}' has no ESDA (set spatial.esda)", file=where)
    variables: Sequence[str] = list(entry.get("variables") or esda["variables"])
    unknown = [v for v in variables if v not in esda["variables"]]
    if unknown:
        raise InputError(f"variables {unknown} are not in the ESDA of '{entry['spec']}'", file=where)

    def rows_of(records: list[Mapping[str, Any]], key: str) -> list[list[str | Cell]]:
        """One row per ``key`` value (year or period): I with stars and p for each variable."""
        by = {(r["variable"], str(r[key])): r for r in records}
        keys = list(dict.fromkeys(str(r[key]) for r in records))
        if key == "year" and entry.get("years"):
            lo, hi = entry["years"]
            keys = [k for k in keys if lo <= int(k) <= hi]
        out: list[list[str | Cell]] = []
        for k in keys:
            row: list[str | Cell] = [k]
            for v in variables:
                r = by[(v, k)]
                row += [Cell(fmt_number(r["I"], 3), stars_for(r["p_sim"])), fmt_number(r["p_sim"], 3)]
            out.append(row)
        return out

    sections = [
        Section(rows_of(esda["global_by_year"], "year"), title="By year"),
        Section(rows_of(esda["global_by_period"], "period"), title="Period means"),
    ]
    header = [
        [(term_label(v, labels), 2) for v in variables],
        [(t, 1) for _ in variables for t in ("Moran's I", "p")],
    ]
    first = esda["global_by_year"][0]
    notes = [
        f"Global Moran's I = (n/S0) z'Wz / z'z on each cross-section of the estimation sample of '{entry['spec']}' "
        f"(n = {first['n']}; W = {block['weights']['text']}, row-standardised); E[I] = {fmt_number(first['E[I]'], 3)}.",
        f"p: folded pseudo p-value from {esda['permutations']} random permutations (esda), seeded per "
        "cross-section (config seed + year, or + crc32 of the period label); * p < 0.10, ** p < 0.05, *** p < 0.01.",
    ]
    return entry_table(name, entry, header=header, sections=sections, notes=notes, stub_header="Year")
