# Estimate stage: one job per specification of `specs:` in config/config.yaml.
#
#   estimate           panel.parquet + the spec's TFP file  ->  reports/results/<spec>.json
#   threshold_shard    the same inputs, bootstrap shard i of config bootstrap.shards (threshold specs)
#                      ->  data/processed/bootstrap/<spec>/shard_<i>.json (temporary)
#   threshold_combine  the shards + the same inputs  ->  reports/results/<spec>.json, byte-identical to
#                      one estimate job (tfp_talent.study.threshold_shards)
#
# One wildcard rule, so a failing specification (unknown variable, too few provinces,
# unbalanced threshold sample) stops only its own job: the other results stay intact
# (run with --keep-going to build them all). The spec dict and the seed are params, so
# editing one spec re-runs only that spec and the tables / figures / report that use it.
# (config/schema.yaml types every spec; check_config in common.smk runs the cross-checks of
# tfp_talent.config.check_study_config: kind / estimator / cov combinations, TFP variants,
# specs and covariances named by tables and figures.)


rule estimate:
    input:
        unpack(estimate_inputs),
    output:
        f"{RESULTS}/{{spec}}.json",
    wildcard_constraints:
        spec=one_of(SCRIPT_SPECS),
    params:
        spec=lambda w: config["specs"][w.spec],
        seed=config["seed"],
        inference=config.get("inference") or {},
    log:
        f"{STUDY_LOGS}/estimate_{{spec}}.log",
    benchmark:
        f"{BENCH}/estimate_{{spec}}.tsv"
    conda:
        ENV
    script:
        "../scripts/estimate_spec.py"


# Batches of quick specs (config batching.estimates, in config order; common.smk ESTIMATE_BATCHES): one
# job writes the results of up to `estimates` specs, each byte-identical to its own estimate job. A bad
# spec stops its batch (the error line names the spec); the other batches stay intact.
for number, batch in enumerate(ESTIMATE_BATCHES, start=1):

    rule:
        name:
            f"estimate_batch_{number}"
        input:
            batch_input_files(batch),
        output:
            [result_file(s) for s in batch],
        params:
            specs={s: config["specs"][s] for s in batch},
            inputs=batch_job_inputs(batch),
            seed=config["seed"],
            inference=config.get("inference") or {},
        log:
            f"{STUDY_LOGS}/estimate_batch_{number}.log",
        benchmark:
            f"{BENCH}/estimate_batch_{number}.tsv"
        localrule: True
        conda:
            ENV
        script:
            "../scripts/estimate_batch.py"


rule threshold_shard:
    input:
        unpack(estimate_inputs),
    output:
        temp(SHARD_FILE),
    wildcard_constraints:
        spec=one_of(SHARDED_SPECS),
        shard=r"[1-9][0-9]*",
    params:
        spec=lambda w: config["specs"][w.spec],
        seed=config["seed"],
        n_shards=BOOTSTRAP_SHARDS,
    log:
        f"{STUDY_LOGS}/threshold_shard_{{spec}}_{{shard}}.log",
    benchmark:
        f"{BENCH}/threshold_shard_{{spec}}_{{shard}}.tsv"
    conda:
        ENV
    script:
        "../scripts/threshold_shard.py"


rule threshold_combine:
    input:
        unpack(estimate_inputs),
        shards=shard_files,
    output:
        f"{RESULTS}/{{spec}}.json",
    wildcard_constraints:
        spec=one_of(SHARDED_SPECS),
    params:
        spec=lambda w: config["specs"][w.spec],
        seed=config["seed"],
    log:
        f"{STUDY_LOGS}/threshold_combine_{{spec}}.log",
    benchmark:
        f"{BENCH}/threshold_combine_{{spec}}.tsv"
    conda:
        ENV
    script:
        "../scripts/threshold_combine.py"
