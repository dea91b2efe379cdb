# Estimate stage: one job per specification of `specs:` in config/config.yaml.
#
#   estimate   panel.parquet + the spec's TFP file  ->  reports/results/<spec>.json
#
# One wildcard rule, so a failing specification (unknown variable, too few provinces,
# unbalanced threshold sample) stops only its own job: the other results stay intact
# (run with --keep-going to build them all). The spec dict and the seed are params, so
# editing one spec re-runs only that spec and the tables / figures / report that use it.
# (config/schema.yaml types every spec; check_config in common.smk runs the cross-checks of
# tfp_talent.config.check_study_config: kind / estimator / cov combinations, TFP variants,
# specs and covariances named by tables and figures.)
from tfp_talent.config import spec_names_of
from tfp_talent.study.spec import normalise_spec

RESULTS = "reports/results"
STUDY_LOGS = f"{LOGS}/study"
BENCH = f"{LOGS}/benchmarks"
SPECS = list(config.get("specs") or {})

def tfp_file(variant):
    """The TFP file of a variant name: baseline -> tfp.parquet, <variant> -> tfp_<variant>.parquet."""
    if variant is None:
        return None
    return f"{PROCESSED}/tfp.parquet" if variant == "baseline" else f"{PROCESSED}/tfp_{variant}.parquet"


def result_file(spec):
    return f"{RESULTS}/{spec}.json"


def _spec(spec):
    return normalise_spec(spec, config["specs"][spec])


def _estimate_inputs(wildcards):
    inputs = {"panel": f"{PROCESSED}/panel.parquet", **user_series_inputs()}
    tfp = tfp_file(_spec(wildcards.spec)["tfp"])
    if tfp:
        inputs["tfp"] = tfp
    return inputs


rule estimate:
    input:
        unpack(_estimate_inputs),
    output:
        f"{RESULTS}/{{spec}}.json",
    wildcard_constraints:
        spec="|".join(SPECS) or "(?!x)x",
    params:
        spec=lambda w: config["specs"][w.spec],
        seed=config["seed"],
    log:
        f"{STUDY_LOGS}/estimate_{{spec}}.log",
    benchmark:
        f"{BENCH}/estimate_{{spec}}.tsv"
    script:
        "../scripts/estimate_spec.py"


ALL_TARGETS.extend(result_file(s) for s in SPECS)
