# TFP stage: capital stock (perpetual inventory), labour input, TFP by method, robustness variants.
#
#   capital_stock       asset.rda                      -> data/processed/capital.parquet
#   capital_gfcf_check  asset.rda + panel              -> data/processed/capital_gfcf_check.json
#   labour_input        panel (+ labour.file)          -> data/processed/labour.parquet
#   tfp_method          panel + capital + labour       -> data/processed/tfp_{solow,tornqvist,malmquist}.parquet
#   tfp_combine         tfp_<method>.parquet           -> data/processed/tfp.parquet
#   production_function panel + capital + labour       -> data/processed/prodfn.json
#   tfp_variant         panel + asset.rda              -> data/processed/tfp_<variant>.parquet (tfp.variants)
#
# Each job gets as params only the settings it depends on, so Snakemake's params trigger
# re-runs exactly what a config change affects (capital.delta: capital and everything after
# it; tfp.alpha: the Solow job, the combine step and the variants that inherit alpha).
from tfp_talent.tfp.methods import method_params
from tfp_talent.tfp.pipeline import capital_params, labour_params, resolve_settings

TFP_SETTINGS = resolve_settings(config)
TFP_METHODS = TFP_SETTINGS["tfp"]["methods"]
TFP_VARIANTS = sorted((config.get("tfp") or {}).get("variants") or {})
ASSET = f"{RAW}/capital-stock-1952-2022/asset.rda"


def _labour_files(settings):
    path = settings["labour"]["file"] if settings["labour"]["source"] == "csv" else None
    return [path] if path else []


rule capital_stock:
    input:
        verified=f"{PROCESSED}/raw_verified.txt",
        asset=ASSET,
    output:
        f"{PROCESSED}/capital.parquet",
    params:
        **capital_params(TFP_SETTINGS),
    log:
        f"{LOGS}/capital_stock.log",
    script:
        "../scripts/capital_stock.py"


rule capital_gfcf_check:
    input:
        asset=ASSET,
        panel=f"{PROCESSED}/panel.parquet",
    output:
        f"{PROCESSED}/capital_gfcf_check.json",
    params:
        years=[2000, 2017],
    log:
        f"{LOGS}/capital_gfcf_check.log",
    script:
        "../scripts/capital_gfcf_check.py"


rule labour_input:
    input:
        panel=f"{PROCESSED}/panel.parquet",
        user=_labour_files(TFP_SETTINGS),
    output:
        f"{PROCESSED}/labour.parquet",
    params:
        **labour_params(TFP_SETTINGS),
    log:
        f"{LOGS}/labour_input.log",
    script:
        "../scripts/labour_input.py"


rule tfp_method:
    input:
        panel=f"{PROCESSED}/panel.parquet",
        capital=f"{PROCESSED}/capital.parquet",
        labour=f"{PROCESSED}/labour.parquet",
    output:
        f"{PROCESSED}/tfp_{{method}}.parquet",
    wildcard_constraints:
        method="solow|tornqvist|malmquist",
    params:
        settings=lambda w: method_params(TFP_SETTINGS, w.method),
    log:
        f"{LOGS}/tfp_{{method}}.log",
    script:
        "../scripts/tfp_method.py"


rule tfp_combine:
    input:
        methods=expand(f"{PROCESSED}/tfp_{{method}}.parquet", method=TFP_METHODS),
        labour=f"{PROCESSED}/labour.parquet",
    output:
        f"{PROCESSED}/tfp.parquet",
    params:
        methods=TFP_METHODS,
    log:
        f"{LOGS}/tfp_combine.log",
    script:
        "../scripts/tfp_combine.py"


rule production_function:
    input:
        panel=f"{PROCESSED}/panel.parquet",
        capital=f"{PROCESSED}/capital.parquet",
        labour=f"{PROCESSED}/labour.parquet",
    output:
        f"{PROCESSED}/prodfn.json",
    params:
        output="gdp_real",
    log:
        f"{LOGS}/production_function.log",
    script:
        "../scripts/production_function.py"


rule tfp_variant:
    input:
        verified=f"{PROCESSED}/raw_verified.txt",
        panel=f"{PROCESSED}/panel.parquet",
        asset=ASSET,
        user=lambda w: _labour_files(resolve_settings(config, w.variant)),
    output:
        f"{PROCESSED}/tfp_{{variant}}.parquet",
    wildcard_constraints:
        variant="|".join(TFP_VARIANTS) or "(?!x)x",
    params:
        settings=lambda w: resolve_settings(config, w.variant),
    log:
        f"{LOGS}/tfp_variant_{{variant}}.log",
    script:
        "../scripts/tfp_variant.py"


ALL_TARGETS.extend(
    [
        f"{PROCESSED}/capital.parquet",
        f"{PROCESSED}/capital_gfcf_check.json",
        f"{PROCESSED}/labour.parquet",
        f"{PROCESSED}/tfp.parquet",
        f"{PROCESSED}/prodfn.json",
        *expand(f"{PROCESSED}/tfp_{{variant}}.parquet", variant=TFP_VARIANTS),
    ]
)
