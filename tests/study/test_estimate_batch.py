"""A batch job (config batching.estimates) writes the same bytes as one job per spec.

Reference: the same specification estimated alone in a fresh Python process. Specs run one after the
other in a batch process, so any state one estimation leaves behind (caches, random generators,
warnings filters) would show up as a difference in the next one's file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from study_sim import study_panel

from tfp_talent.study.jobs import estimate_job

ROOT = Path(__file__).resolve().parents[2]
SPECS = ("baseline", "het_region", "iv_lag2", "baseline_fe_re", "ss_event")


def test_batch_results_equal_single_jobs(tmp_path):
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    panel, tfp = study_panel()
    panel.to_parquet(tmp_path / "panel.parquet")
    tfp.to_parquet(tmp_path / "tfp.parquet")
    inputs = {"panel": str(tmp_path / "panel.parquet"), "tfp": str(tmp_path / "tfp.parquet")}
    for name in SPECS:  # one process, one spec after the other, as rule estimate_batch_<i>
        estimate_job(name, cfg["specs"][name], inputs, tmp_path / f"batch_{name}.json", seed=cfg["seed"],
                     inference=cfg["inference"])  # fmt: skip
    code = (
        "import sys, yaml; from tfp_talent.study.jobs import estimate_job\n"
        "cfg = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n"
        "name, d = sys.argv[2], sys.argv[3]\n"
        "estimate_job(name, cfg['specs'][name], {'panel': d + '/panel.parquet', 'tfp': d + '/tfp.parquet'},\n"
        "             d + f'/single_{name}.json', seed=cfg['seed'], inference=cfg['inference'])\n"
    )
    for name in SPECS[1:]:  # the first one ran first in the batch too
        subprocess.run(
            [sys.executable, "-c", code, str(ROOT / "config" / "config.yaml"), name, str(tmp_path)],
            check=True,
            cwd=ROOT,
        )
        assert (tmp_path / f"batch_{name}.json").read_bytes() == (
            tmp_path / f"single_{name}.json"
        ).read_bytes()
