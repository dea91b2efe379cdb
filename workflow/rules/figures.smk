# Figures stage: one wildcard rule over `figures:` in config/config.yaml.
#
#   figure   panel + TFP file (TFP by region, maps, Malmquist EC/TC), the spec's estimation
#            sample (partial scatter) or results files (coefficient plot, threshold LR)
#            ->  reports/figures/<figure>.{png,pdf}
FIGURES_DIR = "reports/figures"
FIGURES = list(config.get("figures") or {})
TOPOJSON = f"{RAW}/geo/china_provinces_100000_full.topo.json"
_DATA_FIGURES = ("tfp_by_region", "map", "malmquist")


def _figure_inputs(wildcards):
    entry = config["figures"][wildcards.figure]
    kind = entry["kind"]
    inputs = {"results": [result_file(s) for s in spec_names_of(entry)]}
    tfp = None
    if kind in _DATA_FIGURES:
        inputs.update(panel=f"{PROCESSED}/panel.parquet", **user_series_inputs())
        tfp = tfp_file(entry.get("tfp", None if kind == "map" else "baseline"))
    if kind == "partial_scatter":
        inputs.update(panel=f"{PROCESSED}/panel.parquet", **user_series_inputs())
        tfp = tfp_file(_spec(entry["spec"])["tfp"])
    if tfp:
        inputs["tfp"] = tfp
    if kind == "map" and entry.get("style", "tile") == "choropleth":
        inputs["topo"] = TOPOJSON
    return inputs


def _figure_spec(wildcards):
    entry = config["figures"][wildcards.figure]
    return config["specs"][entry["spec"]] if entry["kind"] == "partial_scatter" else None


rule figure:
    input:
        unpack(_figure_inputs),
    output:
        png=report(f"{FIGURES_DIR}/{{figure}}.png", caption="../report/figure.rst", category="Figures"),
        pdf=f"{FIGURES_DIR}/{{figure}}.pdf",
    wildcard_constraints:
        figure="|".join(FIGURES) or "(?!x)x",
    params:
        entry=lambda w: config["figures"][w.figure],
        spec=_figure_spec,
        labels=LABELS,
    log:
        f"{STUDY_LOGS}/figure_{{figure}}.log",
    benchmark:
        f"{BENCH}/figure_{{figure}}.tsv"
    script:
        "../scripts/make_figure.py"


ALL_TARGETS.extend(f"{FIGURES_DIR}/{f}.{ext}" for f in FIGURES for ext in ("png", "pdf"))
