# Shared settings and helpers of the rule files (paths from config `paths`, the lists of specs, tables,
# figures and targets, every input function and path helper the rules use). The Snakefile includes
# this file first; the other rule files hold rules only and use nothing but the names defined here.
import time
from pathlib import Path

from snakemake.exceptions import WorkflowError

from tfp_talent.config import check_config, spec_names_of
from tfp_talent.data.definitions import panel_source_paths
from tfp_talent.errors import InputError
from tfp_talent.study.spec import KINDS, normalise_spec
from tfp_talent.study.figures import FIGURE_KINDS
from tfp_talent.study.tables import TABLE_KINDS, table_entry
from tfp_talent.study.threshold_shards import sharded_replications
from tfp_talent.tfp.methods import method_params
from tfp_talent.tfp.pipeline import capital_params, labour_params, resolve_settings

try:
    check_config(config)
except InputError as err:
    raise WorkflowError(f"bad configuration: {err}") from None

# --------------------------------------------------------------------------- paths (config `paths:`)
RAW = config["paths"]["raw"]
PROCESSED = config["paths"]["processed"]
REPORTS = config["paths"]["reports"]
LOGS = config["paths"]["logs"]
RESULTS = f"{REPORTS}/results"
TABLES_DIR = f"{REPORTS}/tables"
FIGURES_DIR = f"{REPORTS}/figures"
STUDY_LOGS = f"{LOGS}/study"
BENCH = f"{LOGS}/benchmarks"
RUN_STAMP = f"{LOGS}/workflow_started.txt"
ASSET = f"{RAW}/capital-stock-1952-2022/asset.rda"
TOPOJSON = f"{RAW}/geo/china_provinces_full.topo.json"
REPORT_TEMPLATE = "reports/templates/report.md.tmpl"  # a shipped input (in git), not an output location
# The software environment of every rule (relative to the rule files). Used with --software-deployment-method
# conda only; conda is not available on the machines this project is tested on (see README, Cluster).
ENV = "../envs/tfp_talent.yaml"


def one_of(names):
    """Wildcard constraint matching exactly ``names`` (and nothing when the list is empty)."""
    return "|".join(names) or "(?!x)x"


# --------------------------------------------------------------------------- data stage
def checksummed_files():
    """Every file listed in data/raw/SHA256SUMS (so editing one re-runs verify_raw)."""
    sums = Path(RAW) / "SHA256SUMS"
    if not sums.exists():
        return []
    lines = [line for line in sums.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [f"{RAW}/{line.split(maxsplit=1)[1].lstrip('*').strip()}" for line in lines]


def panel_raw_files():
    return [f"{RAW}/{path}" for path in panel_source_paths()]


USER_SERIES = dict(config.get("user_series") or {})
USER_SERIES_FILE = f"{PROCESSED}/user_series.parquet"


def user_series_inputs():
    """{"user_series": parquet} when config names user series, else {} (for other rules' inputs)."""
    return {"user_series": USER_SERIES_FILE} if USER_SERIES else {}


# --------------------------------------------------------------------------- history stage (shift-share instrument)
COLLEGES_DTA = f"{RAW}/history/colleges-by-municipality-1985-2012/china_univ_by_municipality.dta"
NATIONAL_EDUCATION_CSV = f"{RAW}/history/nbs-national-1978-2014/教育/高等学校普通本、专科学校和学生情况.csv"
SHIFT_SHARE_FILE = f"{PROCESSED}/shift_share.parquet"


def shift_share_inputs(spec):
    """The instrument file and its summary for a normalised spec with ``shift_share: true``, else {}."""
    if not spec["shift_share"]:
        return {}
    return {"shift_share": SHIFT_SHARE_FILE, "shift_share_summary": f"{PROCESSED}/shift_share.json"}


# --------------------------------------------------------------------------- indices stage (coupling coordination, NQPF)
INDICES_FILE = f"{PROCESSED}/indices.parquet"
INDICES_SUMMARY = f"{PROCESSED}/indices.json"


def indices_inputs(entry):
    """The indices file and its summary for a spec or figure entry with ``indices: true``, else {}."""
    if not entry.get("indices"):
        return {}
    return {"indices": INDICES_FILE, "indices_summary": INDICES_SUMMARY}


# --------------------------------------------------------------------------- TFP stage and its variants
# A robustness variant (config `tfp.variants.<v>`) runs the same rules as the baseline: capital_stock,
# labour_input and tfp_method write data/processed/variants/<v>/..., tfp_combine data/processed/tfp_<v>.parquet.
# A variant stage whose settings (and upstream settings) equal the baseline's reads the baseline's file
# instead (alpha05 re-runs only the Solow job). The wildcard `variant_dir` is "" (baseline) or "variants/<v>/";
# `variant_suffix` is "" (tfp.parquet) or "_<v>" (tfp_<v>.parquet). Variant names never equal method names
# (config/schema.yaml), so tfp_<method>.parquet and tfp_<variant>.parquet cannot be confused.
TFP_SETTINGS = resolve_settings(config)
TFP_METHODS = TFP_SETTINGS["tfp"]["methods"]
TFP_VARIANTS = sorted((config.get("tfp") or {}).get("variants") or {})
VARIANT_DIR = f"(variants/({'|'.join(TFP_VARIANTS)})/)?" if TFP_VARIANTS else ""
VARIANT_SUFFIX = f"(_({'|'.join(TFP_VARIANTS)}))?" if TFP_VARIANTS else ""


def variant_of_dir(variant_dir):
    """'variants/<v>/' -> '<v>'; '' -> None (the baseline)."""
    return variant_dir.split("/")[1] if variant_dir else None


def variant_of_suffix(variant_suffix):
    """'_<v>' -> '<v>'; '' -> None (the baseline)."""
    return variant_suffix[1:] or None


def tfp_settings(variant):
    return TFP_SETTINGS if variant is None else resolve_settings(config, variant)


def methods_of(variant):
    """The TFP measures a variant computes (tfp.variants.<v>.methods, else tfp.methods)."""
    return tfp_settings(variant)["tfp"]["methods"]


def _stage_dir(variant, stage):
    """'' when the variant's ``stage`` ("capital", "labour" or a method) and everything it depends on
    use the baseline settings (so the baseline file serves), else 'variants/<variant>/'."""
    if variant is None:
        return ""
    own = tfp_settings(variant)
    same_capital = capital_params(own) == capital_params(TFP_SETTINGS)
    same_labour = labour_params(own) == labour_params(TFP_SETTINGS)
    if stage == "capital":
        same = same_capital
    elif stage == "labour":
        same = same_labour
    else:
        same = same_capital and same_labour and method_params(own, stage) == method_params(TFP_SETTINGS, stage)
    return "" if same else f"variants/{variant}/"


def capital_file(variant):
    return f"{PROCESSED}/{_stage_dir(variant, 'capital')}capital.parquet"


def labour_file(variant):
    return f"{PROCESSED}/{_stage_dir(variant, 'labour')}labour.parquet"


def method_file(variant, method):
    return f"{PROCESSED}/{_stage_dir(variant, method)}tfp_{method}.parquet"


def labour_user_files(variant):
    """The labour CSV a variant reads (labour.source csv), as a list of inputs."""
    labour = tfp_settings(variant)["labour"]
    return [labour["file"]] if labour["source"] == "csv" and labour["file"] else []


def tfp_file(variant):
    """The TFP file of a variant name: baseline -> tfp.parquet, <variant> -> tfp_<variant>.parquet."""
    if variant is None:
        return None
    return f"{PROCESSED}/tfp.parquet" if variant == "baseline" else f"{PROCESSED}/tfp_{variant}.parquet"


# --------------------------------------------------------------------------- estimate stage
# A threshold spec with a bootstrap is split into config `bootstrap.shards` shard jobs (rule
# threshold_shard) and combined (rule threshold_combine) into the same bytes as one estimate job.
SPECS = list(config.get("specs") or {})
BOOTSTRAP_SHARDS = int(config["bootstrap"]["shards"])


def spec_of(name):
    return normalise_spec(name, config["specs"][name])


def _is_sharded(name):
    return BOOTSTRAP_SHARDS > 1 and sharded_replications(name, config["specs"][name]) > 0


SHARDED_SPECS = [s for s in SPECS if _is_sharded(s)]
SINGLE_SPECS = [s for s in SPECS if s not in SHARDED_SPECS]
# Specs of batchable kinds are estimated `batching.estimates` at a time, in config order, by the rules
# estimate_batch_<i> (numbered from 1); the others by rule estimate, one job each.
ESTIMATE_BATCH = int(config["batching"]["estimates"])
BATCHED_SPECS = [s for s in SINGLE_SPECS if ESTIMATE_BATCH > 1 and KINDS[spec_of(s)["kind"]].batchable]
ESTIMATE_BATCHES = [BATCHED_SPECS[i : i + ESTIMATE_BATCH] for i in range(0, len(BATCHED_SPECS), ESTIMATE_BATCH)]
SCRIPT_SPECS = [s for s in SINGLE_SPECS if s not in BATCHED_SPECS]
SHARD_FILE = f"{PROCESSED}/bootstrap/{{spec}}/shard_{{shard}}.json"


def result_file(spec):
    return f"{RESULTS}/{spec}.json"


def estimate_inputs(wildcards):
    """Panel (+ user series) and the spec's TFP file."""
    return spec_inputs(wildcards.spec)


def batch_input_files(batch):
    """Every input file of the specs of one batch (the DAG's inputs of rule estimate_batch_<i>)."""
    return list(dict.fromkeys(path for s in batch for path in spec_inputs(s).values()))


def batch_job_inputs(batch):
    """Spec -> its named input files, for the batch adapter (the same names as rule estimate's)."""
    return {s: spec_inputs(s) for s in batch}


def spec_inputs(name):
    """Panel (+ user series), the spec's TFP file and the other files its kind or keys need."""
    inputs = {"panel": f"{PROCESSED}/panel.parquet", **user_series_inputs()}
    spec = spec_of(name)
    tfp = tfp_file(spec["tfp"])
    if tfp:
        inputs["tfp"] = tfp
    inputs.update(KINDS[spec["kind"]].inputs(spec))  # e.g. the province map of kind spatial
    inputs.update(shift_share_inputs(spec))  # the instrument file (spec key shift_share)
    inputs.update(indices_inputs(spec))  # coupling coordination and NQPF (spec key indices)
    return inputs


def shard_files(wildcards):
    """The shard files of a sharded spec, numbered from 1."""
    return [SHARD_FILE.format(spec=wildcards.spec, shard=i) for i in range(1, BOOTSTRAP_SHARDS + 1)]


# --------------------------------------------------------------------------- tables, figures, report
TABLES = list(config.get("tables") or {})
FIGURES = list(config.get("figures") or {})
LABELS = (config.get("report") or {}).get("labels") or {}


def table_entry_of(name):
    """tables.<name> with the config sections its kind reads (e.g. hypotheses, verdicts)."""
    return table_entry(config, name)


def table_inputs(wildcards):
    entry = table_entry_of(wildcards.table)
    inputs = {"results": [result_file(s) for s in spec_names_of(entry)]}
    if TABLE_KINDS[entry["kind"]].needs_data:
        inputs.update(panel=f"{PROCESSED}/panel.parquet", **user_series_inputs())
        tfp = tfp_file(entry.get("tfp"))
        if tfp:
            inputs["tfp"] = tfp
    return inputs


def figure_inputs(wildcards):
    entry = config["figures"][wildcards.figure]
    kind = FIGURE_KINDS[entry["kind"]]
    inputs = {"results": [result_file(s) for s in spec_names_of(entry)]}
    tfp = None
    if kind.needs_data:
        inputs.update(panel=f"{PROCESSED}/panel.parquet", **user_series_inputs())
        tfp = tfp_file(entry.get("tfp", kind.default_tfp))
    if kind.needs_analysis:
        inputs.update(panel=f"{PROCESSED}/panel.parquet", **user_series_inputs())
        tfp = tfp_file(spec_of(entry["spec"])["tfp"])
    if tfp:
        inputs["tfp"] = tfp
    inputs.update(indices_inputs(entry))  # a figure of an index column (figure key indices)
    if kind.topo(entry):
        inputs["topo"] = TOPOJSON
    return inputs


def figure_spec(wildcards):
    entry = config["figures"][wildcards.figure]
    return config["specs"][entry["spec"]] if FIGURE_KINDS[entry["kind"]].needs_analysis else None


# Font folders searched before the system fonts when typesetting reports/paper.pdf (config report.pdf).
PDF_FONT_PATHS = list(((config.get("report") or {}).get("pdf") or {}).get("font_paths") or [])


def report_tfp_files():
    """TFP files of the descriptive / correlation tables (variant -> path)."""
    tables = (config.get("tables") or {}).values()
    variants = {e.get("tfp") for e in tables if TABLE_KINDS[e["kind"]].needs_data}
    return {v: tfp_file(v) for v in sorted(v for v in variants if v)}


# --------------------------------------------------------------------------- targets of `rule all`
ALL_TARGETS = [
    f"{PROCESSED}/raw_verified.txt",
    *(f"{PROCESSED}/{name}" for name in ("panel.parquet", "panel.csv", "codebook.csv", "codebook.md")),
    *([USER_SERIES_FILE, f"{PROCESSED}/user_series.json"] if USER_SERIES else []),
    *(f"{PROCESSED}/{name}" for name in ("capital.parquet", "capital_gfcf_check.json", "labour.parquet")),
    f"{PROCESSED}/tfp.parquet",
    f"{PROCESSED}/prodfn.json",
    *(f"{PROCESSED}/shift_share.{ext}" for ext in ("parquet", "json", "md")),
    INDICES_FILE,
    INDICES_SUMMARY,
    *(f"{PROCESSED}/tfp_{v}.parquet" for v in TFP_VARIANTS),
    *(result_file(s) for s in SPECS),
    *(f"{TABLES_DIR}/{t}.{ext}" for t in TABLES for ext in ("tex", "html", "md")),
    *(f"{FIGURES_DIR}/{f}.{ext}" for f in FIGURES for ext in ("png", "pdf")),
    f"{REPORTS}/report.md",
    f"{REPORTS}/report.html",
    f"{REPORTS}/paper.pdf",
]
