"""Sharpened FDR q-values and Holm p-values (table kind ``multiple_testing``); wild-bootstrap defaults.

References
    * Hand-worked examples of Anderson's (2008) q-value procedure (BKY 2006 two-stage, grid 0.001),
      worked in the docstrings below (exact: the q-values are grid points).
    * statsmodels 0.15.0 ``multipletests``: ``fdr_tsbky`` (the same BKY two-stage procedure) gives the
      rejections {q <= alpha} at grid levels alpha; ``holm`` the Holm adjusted p-values (1e-12).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from tfp_talent.study.multiple_testing import holm_adjusted, sharpened_qvalues, survivors
from tfp_talent.study.wild_bootstrap import WILD_BOOTSTRAP_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def test_two_hypotheses_by_hand():
    """p = (0.01, 0.04), m = 2. Stage 1 at q' = q/(1+q) rejects p_(1) once 0.01 <= q'/2, i.e. q' >= 0.02;
    then stage 2 runs at 2q' >= 0.04 and rejects p_(2) (0.04 <= 2q'). Below q' = 0.02 nothing is rejected.
    So both q-values are the first grid q with q/(1+q) >= 0.02: q >= 0.0204 -> 0.021 (BH would give 0.04)."""
    np.testing.assert_allclose(sharpened_qvalues([0.04, 0.01]), [0.021, 0.021], rtol=0, atol=1e-12)


def test_three_hypotheses_by_hand():
    """p = (0.001, 0.3, 0.9), m = 3.
    p_(1): rejected once 0.001 <= q'/3, q' >= 0.003: q >= 0.003009 -> 0.004.
    p_(2): stage 1 rejects one (r1 = 1) for 0.003 <= q' < 0.45, stage 2 at 1.5q' rejects p_(2) when
    0.3 <= 1.5q'·2/3 = q': q' >= 0.3, q >= 0.4286 -> 0.429.
    p_(3): needs r1 = 2 (0.3 <= q'·2/3, q' >= 0.45), then stage 2 at 3q' >= 0.9 rejects all:
    q >= 0.8182 -> 0.819."""
    np.testing.assert_allclose(
        sharpened_qvalues([0.3, 0.001, 0.9]), [0.429, 0.004, 0.819], rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("seed", range(5))
def test_rejections_match_statsmodels_bky_and_holm(seed):
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 0.02, 6), rng.uniform(0, 1, 24)])
    q = sharpened_qvalues(p)
    for alpha in (0.05, 0.10, 0.20):
        reject = multipletests(p, alpha=alpha, method="fdr_tsbky")[0]
        np.testing.assert_array_equal(q <= alpha + 1e-12, reject)
    np.testing.assert_allclose(holm_adjusted(p), multipletests(p, method="holm")[1], rtol=0, atol=1e-12)
    assert np.all(q >= 0) and np.all(q <= 1)


def test_survivor_counts():
    rows = [
        {"p_cluster": 0.01, "p_wild": 0.02, "holm": 0.06, "q": 0.05},
        {"p_cluster": 0.08, "p_wild": 0.12, "holm": 0.24, "q": 0.1},
    ]
    assert survivors(rows, 0.10) == {"m": 2, "cluster": 2, "wild": 1, "holm": 1, "fdr": 2}


def test_wild_bootstrap_defaults_match_schema():
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text(encoding="utf-8"))
    node = schema["properties"]["inference"]["properties"]["wild_bootstrap"]["properties"]
    assert {k: v["default"] for k, v in node.items()} == WILD_BOOTSTRAP_DEFAULTS
    assert schema["$defs"]["spec"]["properties"]["wild_bootstrap"]["default"] is True
