"""Composite "new quality productive forces" index (新质生产力, NQPF) by the global entropy method.

The applied literature builds NQPF from the three elements of productive forces: new-type labourers
(新型劳动者), new-type means of labour (新型劳动资料) and new-type objects of labour (新型劳动对象), each
measured by several indicators and weighted by the entropy method (e.g. 叶天驰 & 胡海生 2024, 中国新质生产力
发展水平测度与区域差异分析, 运筹与模糊学 14(3): 1315-1323, 30 provinces 2011-2020). Such papers use far more
indicators than the clean panel holds; :data:`DEFAULT_DIMENSIONS` is what the panel supports, all positive:

* labourers: ``tertiary_share`` (大专及以上 share), ``avg_school_years``, ``rd_fte_per10k_wap``;
* means of labour: ``rd_intensity`` (R&D expenditure / GDP), ``patents_per10k`` (patents per 10,000 people),
  derived on the fly by :mod:`tfp_talent.indices.derived` when absent;
* objects of labour: ``tertiary_va_share`` (tertiary VA / GDP), ``trade_gdp`` (trade / GDP).

Method: one global entropy over all indicators of all dimensions (weights w_j sum to 1 over all of
them, :func:`tfp_talent.indices.entropy.entropy_weights`); the dimension sub-index is
S_ik = sum_{j in k} w_j z_ij and the overall index S_i = sum_k S_ik, so the sub-indices add up to the
index and a dimension's weight is W_k = sum_{j in k} w_j. With the default indicators the complete
years are 2011-2019 (R&D FTE from 2011, no education survey in 2010); other years stop with the rows
that have missing values.

The index is a measurement device, not an estimate: its weights come from the dispersion of the
indicators in the sample (low-entropy indicators weigh more), so W_k says which dimension varies
most across province-years, not which matters most for productivity. S_i lies in [shift, 1 + shift].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.indices.derived import with_derived
from tfp_talent.indices.entropy import DEFAULT_SHIFT, EntropyResult, entropy_weights

DEFAULT_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "labourers": ("tertiary_share", "avg_school_years", "rd_fte_per10k_wap"),
    "means": ("rd_intensity", "patents_per10k"),
    "objects": ("tertiary_va_share", "trade_gdp"),
}
DIMENSION_LABELS_ZH: dict[str, str] = {
    "labourers": "新型劳动者",
    "means": "新型劳动资料",
    "objects": "新型劳动对象",
}
NQPF_NAME = "nqpf"


@dataclass
class NQPFResult:
    """Result of :func:`nqpf_index`: ``index`` (S_i), ``dimensions`` (S_ik, one column per dimension).

    ``dimension_of`` maps each indicator to its dimension; ``entropy`` is the one global
    :class:`~tfp_talent.indices.entropy.EntropyResult` over all indicators. Rows follow the input.
    """

    index: pd.Series
    dimensions: pd.DataFrame
    dimension_of: dict[str, str]
    entropy: EntropyResult

    @property
    def weights(self) -> pd.DataFrame:
        """Indicator weights with their dimension (as :meth:`EntropyResult.summary`, plus ``dimension``)."""
        out = self.entropy.summary()
        out.insert(0, "dimension", [self.dimension_of[c] for c in out.index])
        return out

    @property
    def dimension_weights(self) -> pd.Series:
        """W_k = sum of the weights of dimension k's indicators (sums to 1)."""
        return self.weights.groupby("dimension", sort=False)["weight"].sum()

    def summary(self) -> pd.DataFrame:
        """One row per dimension: Chinese label, weight W_k, mean and range of the sub-index."""
        dims = self.dimensions
        return pd.DataFrame(
            {
                "label_zh": [DIMENSION_LABELS_ZH.get(k, "") for k in dims.columns],
                "weight": self.dimension_weights.reindex(dims.columns).to_numpy(),
                "mean": dims.mean().to_numpy(),
                "min": dims.min().to_numpy(),
                "max": dims.max().to_numpy(),
            },
            index=pd.Index(dims.columns, name="dimension"),
        )

    def to_dict(self) -> dict[str, Any]:
        """Dimensions, indicator and dimension weights as JSON-ready values (per-row values not included)."""
        dims: dict[str, list[str]] = {}
        for col, dim in self.dimension_of.items():
            dims.setdefault(dim, []).append(col)
        return {
            "dimensions": dims,
            "dimension_weights": {str(k): float(v) for k, v in self.dimension_weights.items()},
            "entropy": self.entropy.to_dict(),
        }


def nqpf_index(
    frame: pd.DataFrame,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    negative: Sequence[str] = (),
    *,
    shift: float = DEFAULT_SHIFT,
    keys: Sequence[str] | None = None,
    file: str | Path | None = None,
) -> NQPFResult:
    """NQPF index S_i = sum_k S_ik, S_ik = sum_{j in dimension k} w_j (x'_ij + shift), global entropy w_j.

    ``dimensions`` maps a dimension name to its indicator columns (default :data:`DEFAULT_DIMENSIONS`);
    names in :data:`tfp_talent.indices.derived.DERIVED` (``rd_intensity``, ``patents_per10k``) are
    computed when absent. ``negative`` lists negative indicators. Formulas and sources: module docstring
    and :func:`tfp_talent.indices.entropy.entropy_weights`. An indicator may be in one dimension only.

    ``shift``, ``keys`` and ``file`` are passed to the entropy method. Raises :class:`InputError`
    for no dimension, an empty dimension, an indicator in two dimensions, and the errors of
    :func:`~tfp_talent.indices.entropy.entropy_weights` and of the derived indicators.
    """
    dims = {k: list(v) for k, v in (DEFAULT_DIMENSIONS if dimensions is None else dimensions).items()}
    if not dims:
        raise InputError("at least one dimension is needed", file=file)
    dimension_of: dict[str, str] = {}
    for name, cols in dims.items():
        if not cols:
            raise InputError(f"dimension '{name}' has no indicators", file=file)
        for col in cols:
            if col in dimension_of:
                raise InputError(
                    f"is in both dimensions '{dimension_of[col]}' and '{name}'", file=file, column=col
                )
            dimension_of[col] = name
    indicators = list(dimension_of)
    data = with_derived(frame, indicators, keys=keys, file=file)
    res = entropy_weights(data, indicators, negative, shift=shift, keys=keys, file=file, name=NQPF_NAME)
    weighted = res.normalised * res.weights
    sub = pd.DataFrame({name: weighted[cols].sum(axis=1) for name, cols in dims.items()}, index=frame.index)
    return NQPFResult(index=res.index, dimensions=sub, dimension_of=dimension_of, entropy=res)
