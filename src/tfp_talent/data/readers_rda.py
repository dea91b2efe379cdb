"""Readers of the R data files: the S&T yearbook tables (techme ``.rda``) and CHNCapitalStock's ``asset.rda``.

Both return tidy long frames (province code, year, variable, value, unit) like the NBS readers of
:mod:`tfp_talent.data.readers`, whose checks they share.

Sources (``data/raw/PROVENANCE.md``, sections 4 and 5):

* ``science-tech-yearbook-2010-2023/*.rda`` -- China Statistical Yearbook on Science and
  Technology by province, from the techme R package (github.com/huhuaping/techme @ 9ad60a1,
  MIT). Long: ``province`` (Chinese short name, 全国 included), ``year`` (text), ``chn_block4``
  (item), ``value``, ``units``, ``variables`` (code). The panel reads ``RDLaborHour.rda`` (R&D
  personnel FTE, 人年) and ``RDActivity.rda`` (intramural R&D expenditure, 万元), 2010-2023.
* ``capital-stock-1952-2022/asset.rda`` -- investment series of CHNCapitalStock 0.1.1
  (github.com/common2016/CapitalStock @ 35640d3, GPL-2), 1952-2022, read by
  :mod:`tfp_talent.tfp.capital`.

The files are read with ``pyreadr`` (imported on first use); each must hold one data frame.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tfp_talent.data import provinces
from tfp_talent.data.readers import (
    ASSET_UNITS,
    TIDY_COLUMNS,
    check_duplicates,
    parse_numbers,
    parse_years,
    require_file,
    resolve_provinces,
)
from tfp_talent.errors import InputError


def _read_rda(path: Path, expected: list[str]) -> pd.DataFrame:
    """The one data frame of an ``.rda`` file (``pyreadr.read_r``), with string column names.

    Raises :class:`InputError` if the file is missing or empty, is not an R data file, holds no or
    several data frames, lacks a column of ``expected`` or has no rows.
    """
    require_file(path)
    try:
        import pyreadr

        objects = pyreadr.read_r(str(path))
    except Exception as err:
        raise InputError(
            f"cannot be read as an R data file: {type(err).__name__}: {err}".splitlines()[0], file=path
        ) from None
    frames = [v for v in objects.values() if isinstance(v, pd.DataFrame)]
    if len(frames) != 1:
        raise InputError(f"expected one data frame in the .rda file, found {len(frames)}", file=path)
    frame = frames[0].copy()
    frame.columns = [str(c) for c in frame.columns]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing or renamed column(s); found: {', '.join(frame.columns)}", file=path, column=missing
        )
    if frame.empty:
        raise InputError("data frame has no rows", file=path)
    return frame.reset_index(drop=True)


_YEARBOOK_COLUMNS = ["province", "year", "chn_block4", "value", "units", "variables"]


def _yearbook_frame(path: Path, *, missing_markers: str, notes: list[str] | None) -> pd.DataFrame:
    """A yearbook frame with ``year_int`` (:func:`parse_years`), ``num`` (:func:`parse_numbers`) and
    ``row`` labels (``row <i>``, 1-based) added; national rows still in."""
    frame = _read_rda(path, _YEARBOOK_COLUMNS)
    rows = [f"row {i + 1}" for i in range(len(frame))]
    frame["year_int"] = parse_years(frame["year"].tolist(), file=path, column="year", rows=rows)
    frame["row"] = rows
    frame["num"] = parse_numbers(
        frame["value"].tolist(),
        file=path,
        columns=["value"] * len(frame),
        rows=rows,
        missing_markers=missing_markers,
        notes=notes,
    )
    return frame


def read_yearbook_rda(
    path: str | Path, *, missing_markers: str = "nan", notes: list[str] | None = None
) -> pd.DataFrame:
    """Read a Science & Technology Yearbook ``.rda`` (techme package) into the tidy frame.

    Columns used: ``province`` (Chinese short names, some printed with inserted
    spaces ``'北   京'`` or misspelt ``'内蒙占'``; resolved by the registry),
    ``year`` (string), ``chn_block4`` (item -> ``variable``, e.g. 合计, 研究人员),
    ``value`` and ``units``. The 全国 rows are dropped (logged); use
    :func:`read_yearbook_national` for them.

    Items: ``RDLaborHour.rda`` has 合计 (total), 研究人员 (researchers) and the split by activity
    基础研究 / 应用研究 / 试验发展 (basic, applied, experimental development), all in 人年;
    ``RDActivity.rda`` has 合计 and the same activities in 万元. The ``variables`` code is not used.

    Returns the tidy frame sorted by variable, province and year; ``unit`` is the file's own
    ``units`` text (人年, 万元), which :func:`tfp_talent.data.build.pick` checks. Raises
    :class:`InputError` for a bad year or value (``missing_markers``: see :mod:`tfp_talent.data.build`),
    an unknown province name, or a (province, year, item) present twice, listing the rows.
    """
    path = Path(path)
    frame = _yearbook_frame(path, missing_markers=missing_markers, notes=notes)
    frame = resolve_provinces(frame, "province", file=path, notes=notes)
    out = pd.DataFrame(
        {
            "province_code": frame["province_code"].astype("int64"),
            "year": frame["year_int"].astype("int64"),
            "variable": frame["chn_block4"].astype(str).str.strip(),
            "value": frame["num"].astype("float64"),
            "unit": frame["units"].astype(str).str.strip(),
            "source_file": path.as_posix(),
        }
    )
    dup = out.duplicated(["province_code", "year", "variable"], keep=False)
    if dup.any():
        rows = [
            f"{r} ({p}, {y}, {v})"
            for r, p, y, v in zip(
                frame.loc[dup.values, "row"],
                frame.loc[dup.values, "province"],
                out.loc[dup, "year"],
                out.loc[dup, "variable"],
                strict=True,
            )
        ]
        raise InputError(
            "duplicated (province, year, item) rows",
            file=path,
            column=["province", "year", "chn_block4"],
            rows=rows,
        )
    return out.sort_values(["variable", "province_code", "year"], kind="mergesort").reset_index(drop=True)


def read_yearbook_national(
    path: str | Path, *, missing_markers: str = "nan", notes: list[str] | None = None
) -> pd.DataFrame:
    """The 全国 (national) rows of a Science & Technology Yearbook ``.rda``.

    Returns ``(year, variable, value, unit, source_file)``; used to check that the
    provinces sum to the published national totals.

    Any spelling of :func:`~tfp_talent.data.provinces.is_national` counts as a national row; a
    (year, item) present twice is refused. Sorted by variable and year.
    """
    path = Path(path)
    frame = _yearbook_frame(path, missing_markers=missing_markers, notes=notes)
    frame = frame.loc[frame["province"].map(provinces.is_national)]
    out = pd.DataFrame(
        {
            "year": frame["year_int"].astype("int64"),
            "variable": frame["chn_block4"].astype(str).str.strip(),
            "value": frame["num"].astype("float64"),
            "unit": frame["units"].astype(str).str.strip(),
            "source_file": path.as_posix(),
        }
    )
    check_duplicates(out, ["year", "variable"], file=path, label="national (year, item) rows")
    return out.sort_values(["variable", "year"], kind="mergesort").reset_index(drop=True)


def read_asset_rda(path: str | Path, *, notes: list[str] | None = None) -> pd.DataFrame:
    """Read ``asset.rda`` (CHNCapitalStock 0.1.1) into the tidy frame.

    Variables ``invest`` (gross fixed capital formation, 亿元, current prices),
    ``InvestIndex`` (real investment index, 1952 = 100), ``InvestPrice``
    (investment price index, 1952 = 1) and ``depr`` (depreciation, 亿元); units in
    :data:`ASSET_UNITS` (the file states none). ``prv`` is pinyin (``shaanxi`` =
    陕西, ``shanxi`` = 山西); ``yr`` is stored as float and must be integral.

    Returns the tidy frame (one row per province, year and variable) sorted by variable,
    province and year. Raises :class:`InputError` for a missing column, a non-integral ``yr``, an
    unknown province or a duplicated province-year. The values are R doubles already: they are
    converted with ``pd.to_numeric`` (R's NA stays NaN) rather than checked cell by cell.

    How the package built the series (its notes, ``data/raw/PROVENANCE.md`` section 5): after 2018
    investment is extended by fixed-asset-investment growth; from 2020 the retail price index
    replaces the investment price index; Chongqing is separate from Sichuan from 1996; Tibet's
    deflator is 1 before 1990. The series are read as published; the capital stock is computed
    in :mod:`tfp_talent.tfp.capital`.
    """
    path = Path(path)
    frame = _read_rda(path, ["prv", "yr", *ASSET_UNITS])
    yr = pd.to_numeric(frame["yr"], errors="coerce")
    bad = yr.isna() | (yr != yr.round())
    if bad.any():
        raise InputError(
            "non-integer year(s)",
            file=path,
            column="yr",
            rows=[f"row {i + 1}: {frame.at[i, 'yr']!r}" for i in frame.index[bad]],
        )
    frame["year"] = yr.astype("int64")
    frame = resolve_provinces(frame, "prv", file=path, notes=notes)
    check_duplicates(frame, ["province_code", "year"], file=path, label="province-year rows")
    long = frame.melt(
        id_vars=["province_code", "year"],
        value_vars=list(ASSET_UNITS),
        var_name="variable",
        value_name="value",
    )
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype("float64")
    long["unit"] = long["variable"].map(ASSET_UNITS)
    long["source_file"] = path.as_posix()
    out = long[TIDY_COLUMNS].sort_values(["variable", "province_code", "year"], kind="mergesort")
    return out.reset_index(drop=True).astype({"province_code": "int64", "year": "int64"})
