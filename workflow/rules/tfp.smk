# TFP stage: capital stock (perpetual inventory), labour input, TFP by method, and the robustness variants.
#
#   capital_stock       asset.rda                      -> data/processed/[variants/<v>/]capital.parquet
#   capital_gfcf_check  asset.rda + panel              -> data/processed/capital_gfcf_check.json
#   labour_input        panel (+ labour.file)          -> data/processed/[variants/<v>/]labour.parquet
#   tfp_method          panel + capital + labour       -> data/processed/[variants/<v>/]tfp_{solow,tornqvist,malmquist}.parquet
#   tfp_combine         tfp_<method>.parquet + labour  -> data/processed/tfp.parquet | tfp_<v>.parquet (tfp.variants)
#   production_function panel + capital + labour       -> data/processed/prodfn.json
#
# A variant (config tfp.variants.<v>) is the same four rules with its settings (helpers in common.smk); a
# variant stage whose settings equal the baseline's reads the baseline file. Each job gets as params only
# the settings it depends on, so Snakemake's params trigger re-runs exactly what a config change affects
# (capital.delta: capital and everything after it; tfp.alpha: the Solow jobs and the combine steps).


rule capital_stock:
    input:
        verified=f"{PROCESSED}/raw_verified.txt",
        asset=ASSET,
    output:
        f"{PROCESSED}/{{variant_dir}}capital.parquet",
    wildcard_constraints:
        variant_dir=VARIANT_DIR,
    params:
        settings=lambda w: capital_params(tfp_settings(variant_of_dir(w.variant_dir))),
    log:
        f"{LOGS}/{{variant_dir}}capital_stock.log",
    conda:
        ENV
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
    conda:
        ENV
    script:
        "../scripts/capital_gfcf_check.py"


rule labour_input:
    input:
        panel=f"{PROCESSED}/panel.parquet",
        user=lambda w: labour_user_files(variant_of_dir(w.variant_dir)),
    output:
        f"{PROCESSED}/{{variant_dir}}labour.parquet",
    wildcard_constraints:
        variant_dir=VARIANT_DIR,
    params:
        settings=lambda w: labour_params(tfp_settings(variant_of_dir(w.variant_dir))),
    log:
        f"{LOGS}/{{variant_dir}}labour_input.log",
    conda:
        ENV
    script:
        "../scripts/labour_input.py"


rule tfp_method:
    input:
        panel=f"{PROCESSED}/panel.parquet",
        capital=lambda w: capital_file(variant_of_dir(w.variant_dir)),
        labour=lambda w: labour_file(variant_of_dir(w.variant_dir)),
    output:
        f"{PROCESSED}/{{variant_dir}}tfp_{{method}}.parquet",
    wildcard_constraints:
        variant_dir=VARIANT_DIR,
        method="|".join(TFP_METHODS),
    params:
        settings=lambda w: method_params(tfp_settings(variant_of_dir(w.variant_dir)), w.method),
    log:
        f"{LOGS}/{{variant_dir}}tfp_{{method}}.log",
    conda:
        ENV
    script:
        "../scripts/tfp_method.py"


rule tfp_combine:
    input:
        methods=lambda w: [method_file(variant_of_suffix(w.variant_suffix), m) for m in methods_of(variant_of_suffix(w.variant_suffix))],
        labour=lambda w: labour_file(variant_of_suffix(w.variant_suffix)),
    output:
        f"{PROCESSED}/tfp{{variant_suffix}}.parquet",
    wildcard_constraints:
        variant_suffix=VARIANT_SUFFIX,
    params:
        methods=lambda w: methods_of(variant_of_suffix(w.variant_suffix)),
    log:
        f"{LOGS}/tfp_combine{{variant_suffix}}.log",
    conda:
        ENV
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
    conda:
        ENV
    script:
        "../scripts/production_function.py"
