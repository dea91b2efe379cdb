"""Rule indices (tfp_talent.indices.build) on the simulated study panel.

Reference: the library functions (entropy_weights, coupling_coordination, nqpf_index), applied by
hand to the complete rows of the panel, and the simulated panel's known survey gaps (tertiary share
and schooling missing in 2000, 2001, 2010; R&D FTE per 10,000 missing before 2011).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from study_sim import study_indices, study_panel

from tfp_talent.errors import InputError
from tfp_talent.indices.build import INDICES_DEFAULTS, build_indices, index_columns, merge_indices
from tfp_talent.indices.coupling import coupling_coordination
from tfp_talent.indices.derived import derive
from tfp_talent.indices.entropy import entropy_weights
from tfp_talent.indices.nqpf import nqpf_index

KEYS = ["province_code", "year"]


@pytest.fixture(scope="module")
def built():
    panel, tfp = study_panel()
    raw = panel.drop(columns=index_columns())
    frame, summary = study_indices(raw, tfp)
    return raw, tfp, frame, summary


def test_only_complete_rows_get_an_index_and_the_summary_says_which_years(built):
    raw, _, frame, summary = built
    assert len(frame) == len(raw) and list(frame[KEYS].itertuples(index=False)) == list(
        raw[KEYS].itertuples(index=False)
    )
    have = frame.loc[frame["coordination_d"].notna(), "year"].unique()
    assert sorted(have) == list(range(2011, 2020))  # R&D FTE from 2011; the survey gap 2010
    assert frame.loc[frame["year"] < 2011, index_columns()].isna().all().all()  # nothing imputed
    c = summary["coupling"]
    assert c["years"] == list(range(2011, 2020)) and c["years_missing"] == list(range(2000, 2011))
    assert c["rows_incomplete"]["2010"] == {
        "tertiary_share": 31,
        "avg_school_years": 31,
        "rd_fte_per10k_wap": 31,
    }
    assert c["rows_incomplete"]["2005"] == {"rd_fte_per10k_wap": 31}
    assert c["nobs"] == 31 * 9 and summary["nqpf"]["nobs"] == 31 * 9
    json.dumps(summary)  # JSON-ready


def test_coupling_columns_equal_the_library_on_the_complete_rows(built):
    raw, _, frame, summary = built
    data = raw.assign(patents_per10k=derive(raw, "patents_per10k"))
    talent, industry = INDICES_DEFAULTS["talent"], INDICES_DEFAULTS["industry"]
    ok = data["year"].between(2011, 2019)
    ref = coupling_coordination(data[ok], talent, industry)
    got = frame[ok.to_numpy()]
    for col, refcol in [("u_talent", "U_talent"), ("u_industry", "U_industry"), ("coupling_c", "C"),
                        ("coupling_t", "T"), ("coordination_d", "D"), ("mismatch", "mismatch"),
                        ("talent_gap", "gap")]:  # fmt: skip
        np.testing.assert_allclose(got[col].to_numpy(), ref.table[refcol].to_numpy(), rtol=1e-12)
    assert (got["coordination_band"].to_numpy() == ref.table["band_level"].to_numpy()).all()
    # the subsystem weights are one entropy per subsystem over the complete rows
    w = entropy_weights(data[ok], talent).weights
    assert summary["coupling"]["systems"]["talent"]["weights"] == pytest.approx(w.to_dict())
    assert sum(summary["coupling"]["systems"]["industry"]["weights"].values()) == pytest.approx(1.0)
    # D = sqrt(C T), mismatch = 1 - D, by hand
    np.testing.assert_allclose(got["coordination_d"], np.sqrt(got["coupling_c"] * got["coupling_t"]))
    np.testing.assert_allclose(got["mismatch"], 1 - got["coordination_d"])


def test_nqpf_equals_the_library_and_its_dimensions_add_up(built):
    raw, tfp, frame, summary = built
    ok = raw["year"].between(2011, 2019)
    ref = nqpf_index(raw[ok], INDICES_DEFAULTS["nqpf"])
    got = frame[ok.to_numpy()]
    np.testing.assert_allclose(got["nqpf"].to_numpy(), ref.index.to_numpy(), rtol=1e-12)
    dims = got[[f"nqpf_{d}" for d in INDICES_DEFAULTS["nqpf"]]].sum(axis=1)
    np.testing.assert_allclose(dims.to_numpy(), got["nqpf"].to_numpy(), rtol=1e-12)
    assert summary["nqpf"]["dimension_weights"] == pytest.approx(ref.dimension_weights.to_dict())
    # correlation with ln TFP, pooled: numpy on the merged rows
    both = got[KEYS + ["nqpf"]].merge(tfp, on=KEYS)
    r = np.corrcoef(both["nqpf"], both["solow_ln_tfp"])[0, 1]
    assert summary["nqpf"]["tfp_correlation"]["solow_ln_tfp"]["pearson"] == pytest.approx(r)
    assert summary["nqpf"]["tfp_correlation"]["solow_ln_tfp"]["nobs"] == 279


def test_years_setting_restricts_and_bad_settings_stop(built):
    raw, _, _, _ = built
    frame, summary = build_indices(raw, {"years": [2015, 2019]})
    assert sorted(frame.loc[frame["nqpf"].notna(), "year"].unique()) == list(range(2015, 2020))
    assert summary["coupling"]["years_missing"] == [] and summary["nqpf"]["tfp_correlation"] == {}
    with pytest.raises(InputError, match="unknown key"):
        build_indices(raw, {"weights": [0.5, 0.5]})
    with pytest.raises(InputError, match="not in the panel"):
        build_indices(raw, {"industry": ["secondary_va_share"]})


def test_merge_refuses_a_clash_and_keeps_the_rows(built):
    raw, _, frame, _ = built
    merged = merge_indices(raw, frame)
    assert len(merged) == len(raw) and merged["mismatch"].notna().sum() == 279
    with pytest.raises(InputError, match="already in the panel"):
        merge_indices(merged, frame)
    assert not math.isnan(merged["nqpf"].max())
    assert isinstance(merged, pd.DataFrame)


def test_report_text_lists_the_weights_and_writes_nulls_as_nulls(built):
    from tfp_talent.indices.build import indices_record
    from tfp_talent.study.report_indices import KEYS, NOT_RUN, indices_context

    assert indices_context({}, {}, {}) == dict.fromkeys(KEYS, NOT_RUN)
    _, _, _, summary = built
    rec = json.loads(json.dumps(indices_record(summary)))
    rec["nqpf"]["tfp_correlation"]["solow_ln_tfp"]["pearson"] = None  # e.g. too few rows
    ctx = indices_context({}, {"x": {"indices": rec, "roles": {"talent": []}, "y": "other"}}, {})
    w = summary["coupling"]["systems"]["talent"]["weights"]["rd_fte_per10k_wap"]
    assert f"rd_fte_per10k_wap {w:.3f}" in ctx["indices_coupling_weights"]
    assert "Patents granted per 10,000 people" in ctx["indices_coupling_weights"]  # derived: registry label
    assert "not defined pooled" in ctx["indices_nqpf_tfp"] and "nan" not in ctx["indices_nqpf_tfp"]
    assert (
        "2011–2019 (279 province-years)" in ctx["indices_coverage"] and "2000–2010" in ctx["indices_coverage"]
    )
    assert ctx["indices_mismatch"] == NOT_RUN and ctx["indices_nqpf_talent"] == NOT_RUN


def test_region_series_plots_the_region_means_by_year():
    """Hand means: East (1, 3) -> 2 in 2011; a year without data is left out, not filled."""
    from tfp_talent.study.indices_figures import region_series

    df = pd.DataFrame(
        {
            "province_code": [1, 2, 3, 1, 2, 3],
            "year": [2011, 2011, 2011, 2012, 2012, 2012],
            "region3": ["East", "East", "West", "East", "East", "West"],
            "d": [1.0, 3.0, 5.0, 2.0, 6.0, np.nan],
        }
    )
    fig = region_series(df, ["d"])
    lines = {ln.get_label(): ln for ln in fig.axes[0].get_lines()}
    assert list(lines["East"].get_ydata()) == [2.0, 4.0]
    assert list(lines["West"].get_xdata()) == [2011] and list(lines["West"].get_ydata()) == [5.0]
    with pytest.raises(InputError):
        region_series(df, ["missing_column"])


SNAKEMAKE = Path(sys.executable).with_name("snakemake")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
def test_rule_indices_writes_what_the_builder_returns(tmp_path, built):
    """`snakemake data/processed/indices.parquet` (rule indices only) on the simulated panel and TFP file."""
    raw, tfp, frame, summary = built
    work = tmp_path / "work"
    (work / "data" / "processed").mkdir(parents=True)
    shutil.copytree(ROOT / "config", work / "config")
    raw.to_parquet(work / "data" / "processed" / "panel.parquet")
    tfp.to_parquet(work / "data" / "processed" / "tfp.parquet")
    cmd = [str(SNAKEMAKE), "-s", str(ROOT / "Snakefile"), "-d", str(work), "-c1", "--nolock",
           "data/processed/indices.parquet", "--allowed-rules", "indices"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    out = pd.read_parquet(work / "data" / "processed" / "indices.parquet")
    pd.testing.assert_frame_equal(out, frame, check_dtype=False)
    written = json.loads((work / "data" / "processed" / "indices.json").read_text(encoding="utf-8"))
    assert written["coupling"]["systems"]["talent"]["weights"] == pytest.approx(
        summary["coupling"]["systems"]["talent"]["weights"]
    )
    assert written["coupling"]["years"] == list(range(2011, 2020))
    assert (work / "logs" / "indices.log").exists()
