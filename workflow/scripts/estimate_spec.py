"""Adapter: panel (+ TFP file) and one spec of config `specs:` -> reports/results/<spec>.json."""

from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.io import read_panel, write_json
from tfp_talent.logs import script_run
from tfp_talent.study.run import run_spec

with script_run(snakemake.log[0]) as log:  # noqa: F821
    inp = snakemake.input  # noqa: F821
    name = snakemake.wildcards.spec  # noqa: F821
    panel = read_panel_with_user_series(inp.panel, getattr(inp, "user_series", None))
    tfp = read_panel(inp.tfp) if "tfp" in inp.keys() else None
    result = run_spec(name, snakemake.params.spec, panel, tfp, snakemake.params.seed, workers=snakemake.threads)  # noqa: F821
    write_json(result, snakemake.output[0])  # noqa: F821
    s = result["sample"]
    log.info("%s: N = %d, %d provinces, years %s; dropped for missing data: %s", name, s["nobs"], s["n_provinces"], s["years_text"], s["dropped_missing"] or "none")
