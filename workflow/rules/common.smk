# Shared helpers for the rule files. Every stage appends its final outputs to ALL_TARGETS.
import sys

from snakemake.exceptions import WorkflowError
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "src"))  # run from a checkout even before `pip install -e .`

RAW = "data/raw"
PROCESSED = "data/processed"
LOGS = "logs"
ALL_TARGETS = []

from tfp_talent.config import check_config
from tfp_talent.errors import InputError

try:
    check_config(config)
except InputError as err:
    raise WorkflowError(f"bad configuration: {err}") from None
