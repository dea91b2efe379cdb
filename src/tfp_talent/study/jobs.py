"""One specification's estimation job: read its input files, estimate, write ``reports/results/<spec>.json``.

Called by the workflow's adapter ``workflow/scripts/estimate_spec.py`` (rule ``estimate``) with the
job's named input files; usable as it is for the same job outside Snakemake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from tfp_talent.data.shift_share import merge_shift_share, shift_share_record
from tfp_talent.data.user_series import read_panel_with_user_series
from tfp_talent.indices.build import indices_record, merge_indices
from tfp_talent.io import read_panel, write_json
from tfp_talent.study.run import run_spec


def read_spec_data(inputs: Mapping[str, str]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The panel and TFP frame a spec's job estimates from, read from its named input files.

    ``inputs`` are the names of the workflow's ``spec_inputs``: ``panel`` (+ ``user_series``), and
    where the spec asks for them ``shift_share`` (the instrument columns, rule shift_share) and
    ``indices`` (coupling coordination and NQPF columns, rule indices), merged into the panel;
    ``tfp`` (the spec's TFP file) or None. Used by every estimation job (single, batch, threshold
    shard and combine), so each reads its inputs the same way.
    """
    panel = read_panel_with_user_series(inputs["panel"], inputs.get("user_series"))
    if "shift_share" in inputs:
        panel = merge_shift_share(panel, read_panel(inputs["shift_share"]), source=inputs["shift_share"])
    if "indices" in inputs:
        panel = merge_indices(panel, read_panel(inputs["indices"]), source=inputs["indices"])
    tfp = read_panel(inputs["tfp"]) if "tfp" in inputs else None
    return panel, tfp


def estimate_job(
    name: str,
    spec: Mapping[str, Any],
    inputs: Mapping[str, str],
    output: str | Path,
    *,
    seed: int,
    inference: Mapping[str, Any] | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Estimate spec ``name`` from the job's ``inputs`` (panel, optional user_series, tfp, shift_share
    (+ summary), indices (+ summary)) and write its results JSON to ``output`` (atomically).

    ``inputs`` maps input names to paths, as the rule ``estimate`` names them: ``panel`` (required),
    ``user_series`` (config ``user_series:``, merged by
    :func:`~tfp_talent.data.user_series.read_panel_with_user_series`), ``tfp`` (the spec's TFP
    variant), ``shift_share`` / ``indices`` (spec keys ``shift_share: true`` / ``indices: true``: the
    instrument and index columns are merged into the panel) and their ``*_summary`` JSON files, which
    are recorded in the result as ``shift_share`` / ``indices`` blocks. ``seed``, ``inference`` and
    ``workers`` are passed to :func:`~tfp_talent.study.run.run_spec`. Returns the result dict as
    written (:func:`tfp_talent.io.write_json`).
    """
    panel, tfp = read_spec_data(inputs)
    result = run_spec(name, spec, panel, tfp, seed, workers=workers, inference=inference)
    if "shift_share_summary" in inputs:  # the result documents the instrument it used
        result["shift_share"] = shift_share_record(_read_json(inputs["shift_share_summary"]))
    if "indices_summary" in inputs:  # the result documents the weights and coverage of the indices
        result["indices"] = indices_record(_read_json(inputs["indices_summary"]))
    write_json(result, output)
    return result


def sample_line(name: str, result: Mapping[str, Any]) -> str:
    """The log line of a finished estimation: N, provinces, years, rows dropped for missing data.

    E.g. ``baseline: N = 558, 31 provinces, years 2002–2009, 2011–2020; dropped for missing data: none``;
    reads ``nobs``, ``n_provinces``, ``years_text`` and ``dropped_missing`` of the result's ``sample`` block.
    """
    s = result["sample"]
    return (
        f"{name}: N = {s['nobs']}, {s['n_provinces']} provinces, years {s['years_text']}; "
        f"dropped for missing data: {s['dropped_missing'] or 'none'}"
    )


def _read_json(path: str | Path) -> Any:
    """The parsed JSON document at ``path`` (UTF-8)."""
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)
