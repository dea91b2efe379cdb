"""Derived indicators for composite indices: ratios of clean-panel columns, with their unit conversions.

Registry :data:`DERIVED` (one entry per indicator):

* ``rd_intensity``: R&D intensity = rd_expenditure / gdp_nominal; rd_expenditure is in 万元 (10^4 yuan) and
  gdp_nominal in 亿元 (10^8 yuan), so rd_intensity = rd_expenditure / (gdp_nominal x 10^4), a ratio
  (0.02 = 2 % of GDP). Available 2010-2019 (rd_expenditure).
* ``patents_per10k``: patents_granted (项) / pop_yearend (万人 = 10^4 people): patents per 10,000 people.
* ``gdp_real_per_capita``: gdp_real (亿元, 2000 prices) x 10^8 / (pop_yearend x 10^4) = gdp_real /
  pop_yearend x 10^4, yuan per person at 2000 prices.

Not available: the advanced industrial structure index (产业结构高级化, tertiary / secondary value added).
The clean panel has tertiary value added (``va_tertiary`` behind ``tertiary_va_share``) but no
secondary-sector value added (see :mod:`tfp_talent.data.definitions`), so it is not derived here; use
``tertiary_va_share`` (tertiary VA / GDP), or add a secondary-VA column to the data and compute the ratio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import key_label, numeric_column, require_columns

YUAN_PER_WAN = 1e4  # 1 万元 = 10^4 yuan
WAN_PER_YI = 1e4  # 1 亿元 = 10^4 万元


@dataclass(frozen=True)
class Derived:
    """A derived indicator: numerator / (denominator x scale) with stated units.

    ``name`` is the column it becomes; ``label``/``label_zh`` the English and Chinese names of
    tables; ``unit`` the unit of the result; ``formula`` the text recorded in the indices summary.
    """

    name: str
    label: str
    label_zh: str
    unit: str
    numerator: str
    denominator: str
    scale: float
    formula: str

    @property
    def inputs(self) -> tuple[str, str]:
        """The two clean-panel columns it needs: (numerator, denominator)."""
        return (self.numerator, self.denominator)


DERIVED: dict[str, Derived] = {
    d.name: d
    for d in (
        Derived(
            "rd_intensity",
            "R&D expenditure / GDP",
            "R&D经费投入强度",
            "ratio",
            "rd_expenditure",
            "gdp_nominal",
            WAN_PER_YI,
            "rd_expenditure(万元) / (gdp_nominal(亿元) x 10^4)",
        ),
        Derived(
            "patents_per10k",
            "Patents granted per 10,000 people",
            "每万人专利授权数",
            "per 10,000 people",
            "patents_granted",
            "pop_yearend",
            1.0,
            "patents_granted(项) / pop_yearend(万人)",
        ),
        Derived(
            "gdp_real_per_capita",
            "Real GDP per person (2000 prices)",
            "人均实际GDP",
            "yuan (2000 prices)",
            "gdp_real",
            "pop_yearend",
            1.0 / YUAN_PER_WAN,
            "gdp_real(亿元) x 10^8 / (pop_yearend(万人) x 10^4)",
        ),
    )
}


def derive(
    frame: pd.DataFrame, name: str, *, keys: Sequence[str] | None = None, file: str | Path | None = None
) -> pd.Series:
    """The derived indicator ``name`` of :data:`DERIVED` on the rows of ``frame``.

    NaN where an input is missing (left to the caller's missing-value check); a denominator <= 0
    stops with :class:`InputError` naming the rows.

    value = numerator / (denominator × scale), e.g. rd_intensity = rd_expenditure /
    (gdp_nominal × 10^4). ``keys`` label the rows in errors (default: the index). Also raises
    :class:`InputError` for an unknown ``name``, a missing input column or non-numeric text.
    """
    if name not in DERIVED:
        raise InputError(f"unknown derived indicator; known: {', '.join(DERIVED)}", file=file, column=name)
    spec = DERIVED[name]
    require_columns(frame, list(spec.inputs), file=file)
    key_list = list(keys) if keys else []
    num = numeric_column(frame, spec.numerator, keys=key_list or [spec.numerator], file=file)
    den = numeric_column(frame, spec.denominator, keys=key_list or [spec.denominator], file=file)
    bad = den <= 0
    if bad.any():
        rows = (
            [
                tuple(key_label(v) for v in r)
                for r in frame.loc[bad, key_list].itertuples(index=False, name=None)
            ]
            if key_list
            else list(frame.index[bad])
        )
        raise InputError(f"must be > 0 to derive {name}", file=file, column=spec.denominator, rows=rows)
    return pd.Series(num / (den * spec.scale), index=frame.index, name=name)


def with_derived(
    frame: pd.DataFrame,
    names: Sequence[str],
    *,
    keys: Sequence[str] | None = None,
    file: str | Path | None = None,
) -> pd.DataFrame:
    """``frame`` with every name of ``names`` that is a :data:`DERIVED` indicator and not already a
    column added.

    A column already present is used as it is (derived upstream); other names are left for the
    caller's missing-column check. Returns a copy with the new columns, or ``frame`` itself when there
    is nothing to add; ``frame`` is never modified.
    """
    todo = [n for n in dict.fromkeys(names) if n in DERIVED and n not in frame.columns]
    if not todo:
        return frame
    out = frame.copy()
    for n in todo:
        out[n] = derive(frame, n, keys=keys, file=file)
    return out
