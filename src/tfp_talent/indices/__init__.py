"""Composite indices of the applied literature: entropy weights, coupling coordination, NQPF.

* :mod:`~tfp_talent.indices.entropy` -- global (panel) entropy-weight method 熵值法: weights
  w_j = d_j / sum d, d_j = 1 - e_j, and the index S_i = sum_j w_j (x'_ij + shift);
* :mod:`~tfp_talent.indices.coupling` -- coupling coordination degree 耦合协调度 of entropy-weighted
  subsystems: C, T, D = sqrt(C T), ten bands (廖重斌 1999), mismatch 1 - D and U_talent - U_industry;
* :mod:`~tfp_talent.indices.nqpf` -- new quality productive forces 新质生产力 index over three dimensions
  (labourers, means of labour, objects of labour);
* :mod:`~tfp_talent.indices.derived` -- ratios such as R&D intensity and patents per 10,000 people,
  with their unit conversions.

Used by ``tfp-talent entropy`` and ``tfp-talent coupling`` (:mod:`tfp_talent.cli.entropy`).
The workflow's indices file (coupling and NQPF per province-year) is built by
:mod:`tfp_talent.indices.build`.

Arguments shared by the index functions: ``frame`` one row per unit-year, all rows pooled;
``negative`` the indicators where larger is worse; ``shift`` the s of the entropy method;
``keys`` the columns that label rows in error messages; ``file`` the file named in them. Nothing
is imputed: a missing indicator value stops with the rows named.
"""

from tfp_talent.indices.coupling import (
    BANDS,
    CouplingResult,
    coordination_band,
    coupling_coordination,
    coupling_coordination_systems,
    coupling_degree,
    coupling_table,
)
from tfp_talent.indices.derived import DERIVED, derive, with_derived
from tfp_talent.indices.entropy import DEFAULT_SHIFT, EntropyResult, entropy_weights
from tfp_talent.indices.nqpf import DEFAULT_DIMENSIONS, NQPFResult, nqpf_index

__all__ = [
    "BANDS",
    "DEFAULT_DIMENSIONS",
    "DEFAULT_SHIFT",
    "DERIVED",
    "CouplingResult",
    "EntropyResult",
    "NQPFResult",
    "coordination_band",
    "coupling_coordination",
    "coupling_coordination_systems",
    "coupling_degree",
    "coupling_table",
    "derive",
    "entropy_weights",
    "nqpf_index",
    "with_derived",
]
