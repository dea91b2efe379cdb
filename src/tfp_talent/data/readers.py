"""Readers for the raw formats in ``data/raw/``: each returns one tidy long frame.

Every provincial reader returns the columns of :data:`TIDY_COLUMNS`,
``(province_code, year, variable, value, unit, source_file)``, one row per
province, year and indicator, with missing cells kept as NaN rows (never
dropped). Formats:

* :func:`read_nbs_provincial_csv` -- NBS provincial annual database, UTF-8 long
  CSV ``省份编码, 省份, 年份, 指标(单位), ...`` (``data/raw/nbs-provincial-2000-2019/``).
* :func:`read_nbs_national_csv` -- the same layout without provinces
  (``data/raw/nbs-national-2000-2019/``); returns ``(year, variable, value, unit, source_file)``.
* :func:`read_nbs_export` -- NBS web exports (data.stats.gov.cn ``分省年度数据``):
  GBK wide CSV or ``.xlsx`` with header lines ``数据库：/指标：/时间：``, a
  ``地区,2019年,...`` row and footnote lines ``注：/数据来源：`` (``data/raw/nbs-exports/``).
* :func:`read_yearbook_rda` -- China Statistical Yearbook on Science and Technology
  ``.rda`` files of the techme R package (long; ``province, year, chn_block4,
  value, units, variables``); :func:`read_yearbook_national` returns its 全国 rows.
* :func:`read_asset_rda` -- ``asset.rda`` of the CHNCapitalStock R package
  (pinyin ``prv``, float ``yr``). These two ``.rda`` readers live in
  :mod:`tfp_talent.data.readers_rda` and use the checks defined here.

Units come from the headers (the ``(单位)`` suffix of an indicator, the ``units``
column of the yearbook); only ``asset.rda``, which states none, gets documented
units from its package. Province names go through
:mod:`tfp_talent.data.provinces`; national-total rows are dropped on purpose and
the count is logged. Empty cells and the NBS missing-value markers
(``…``, ``—``, ``—-``, ...) become NaN and are counted and logged; any other
non-numeric cell, an unknown province, a duplicated (province, year, variable),
a missing or renamed header, a year not written as a 4-digit integer where
one is required, or a wrong text encoding raises
:class:`~tfp_talent.errors.InputError` naming the file, column and rows.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tfp_talent.data import provinces
from tfp_talent.errors import InputError
from tfp_talent.logs import get_logger

TIDY_COLUMNS: list[str] = ["province_code", "year", "variable", "value", "unit", "source_file"]
NATIONAL_COLUMNS: list[str] = ["year", "variable", "value", "unit", "source_file"]

#: Cell texts NBS uses for "not available / not applicable"; read as NaN (counted, logged).
MISSING_MARKERS: frozenset[str] = frozenset({"…", "……", "...", "—", "——", "—-", "-", "--", "－"})

#: Units of ``asset.rda`` (it has no unit column): CHNCapitalStock 0.1.1 documentation and
#: Zhang, Wu & Zhang (2004), 经济研究: investment in current prices, price index 1952 = 1.
ASSET_UNITS: dict[str, str] = {
    "invest": "亿元",
    "InvestIndex": "1952=100",
    "InvestPrice": "1952=1",
    "depr": "亿元",
}

_UNIT_SUFFIX = re.compile(r"^(?P<name>.*?)\s*[(（](?P<unit>[^()（）]*)[)）]\s*$")
_YEAR = re.compile(r"^\d{4}$")
_EXPORT_YEAR = re.compile(r"^(\d{4})年$")
_HEADER_KEY = re.compile(r"^\s*(数据库|指标|时间)\s*[:：]\s*(.*)$")
_FOOTNOTE = re.compile(r"^\s*(注|数据来源)")

_log = get_logger("data")


# ----------------------------------------------------------------------------- helpers


def _note(notes: list[str] | None, message: str, *, warning: bool = False) -> None:
    """Log ``message`` and append it to ``notes`` (if given) so callers can report it."""
    (_log.warning if warning else _log.info)(message)
    if notes is not None:
        notes.append(message)


def split_indicator(header: str) -> tuple[str, str]:
    """Split ``'地区生产总值(亿元)'`` into ``('地区生产总值', '亿元')``.

    The unit is the last parenthesised group at the end of the header (ASCII or
    full-width brackets), so ``'普通高等学校毕(结)业生数(万人)'`` gives
    ``('普通高等学校毕(结)业生数', '万人')``. A header without one gives unit ``''``.
    Full-width brackets work the same: ``'地区生产总值（亿元）'`` -> ``('地区生产总值', '亿元')``.
    """
    text = str(header).strip()
    match = _UNIT_SUFFIX.match(text)
    if match is None:
        return text, ""
    return match.group("name").strip(), match.group("unit").strip()


def require_file(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` exists and is not empty."""
    if not path.exists():
        raise InputError(
            "raw file not found", file=path, hint="restore data/raw (see data/raw/PROVENANCE.md)"
        )
    if path.stat().st_size == 0:
        raise InputError("raw file is empty", file=path)


def _cell_text(cell: object) -> str:
    """A cell as text: floats keep their exact repr, None/NaN become ''."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return "" if math.isnan(cell) else repr(cell)
    return str(cell)


def parse_numbers(
    cells: Sequence[object] | pd.Series,
    *,
    file: str | Path,
    columns: Sequence[str],
    rows: Sequence[object],
    missing_markers: str = "nan",
    notes: list[str] | None = None,
) -> np.ndarray:
    """Parse raw cells to floats.

    Empty cells and :data:`MISSING_MARKERS` become NaN and are counted in one
    logged note per file; with ``missing_markers='error'`` a marker raises
    instead. Any other non-numeric or non-finite cell raises :class:`InputError`
    naming ``file``, the column(s) and the rows (``rows[i]`` labels cell ``i``).

    ``columns[i]`` names the column of cell ``i``; ``missing_markers`` and ``notes``: see
    :mod:`tfp_talent.data.build`. Floats read from Excel or R keep their exact ``repr``; ``nan`` and
    ``inf`` texts are refused like any other non-number. Returns a float array, one value a cell.
    E.g. cells ``'1.5', '', '…'`` give ``[1.5, nan, nan]`` and the note ``f.csv: 1 empty cell(s)
    and 1 missing-value marker(s) ('…' x1; rows line 4) read as NaN`` (a warning: markers).
    """
    if missing_markers not in ("nan", "error"):
        raise InputError(
            f"missing_markers must be 'nan' or 'error', not {missing_markers!r}",
            column="data.missing_markers",
        )
    texts = [_cell_text(c).strip() for c in cells]
    out = np.full(len(texts), np.nan, dtype=float)
    empty = 0
    markers: Counter[str] = Counter()
    marker_rows: list[object] = []
    bad: list[tuple[int, str]] = []
    for i, text in enumerate(texts):
        if text == "":
            empty += 1
            continue
        if text in MISSING_MARKERS:
            markers[text] += 1
            marker_rows.append(rows[i])
            continue
        try:
            value = float(text)
        except ValueError:
            bad.append((i, text))
            continue
        if not math.isfinite(value):
            bad.append((i, text))
            continue
        out[i] = value
    if bad:
        bad_cols = sorted({columns[i] for i, _ in bad})
        raise InputError(
            "non-numeric cell(s) " + ", ".join(sorted({repr(t) for _, t in bad})[:8]),
            file=file,
            column=bad_cols,
            rows=[rows[i] for i, _ in bad],
            hint="numbers must be plain decimals; NBS missing-value markers (…, —, —-) and empty cells are read as missing",
        )
    if markers and missing_markers == "error":
        raise InputError(
            "missing-value marker(s) " + ", ".join(f"{m!r} x{n}" for m, n in sorted(markers.items())),
            file=file,
            rows=marker_rows,
            hint="data.missing_markers is 'error'; set it to 'nan' to read them as missing",
        )
    if empty or markers:
        detail = ", ".join(f"{m!r} x{n}" for m, n in sorted(markers.items()))
        msg = f"{file}: {empty} empty cell(s)"
        if markers:
            shown = ", ".join(str(r) for r in marker_rows[:8])
            msg += f" and {sum(markers.values())} missing-value marker(s) ({detail}; rows {shown})"
        _note(notes, msg + " read as NaN", warning=bool(markers))
    return out


def check_duplicates(frame: pd.DataFrame, keys: list[str], *, file: str | Path, label: str) -> None:
    """Raise :class:`InputError` listing every ``keys`` tuple that occurs more than once."""
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        rows = sorted({tuple(r) for r in frame.loc[dup, keys].itertuples(index=False, name=None)})
        raise InputError(f"duplicated {label} (each must appear once)", file=file, column=keys, rows=rows)


def parse_years(
    values: Sequence[object], *, file: str | Path, column: str, rows: Sequence[object]
) -> list[int]:
    """Years must be written as 4-digit integers (``2019``; ``2019.0`` from R/Excel also accepted).

    Returns the years as ints in input order; raises :class:`InputError` listing every bad cell
    with its row label (``2019年``, ``19``, empty), so nothing is guessed.
    """
    years: list[int] = []
    bad: list[object] = []
    for value, row in zip(values, rows, strict=True):
        text = _cell_text(value).strip()
        if text.endswith(".0"):
            text = text[:-2]
        if _YEAR.fullmatch(text):
            years.append(int(text))
        else:
            years.append(-1)
            bad.append(f"{row}: {text!r}")
    if bad:
        raise InputError(
            "year(s) not written as 4-digit integers",
            file=file,
            column=column,
            rows=bad,
            hint="write years as 2019, not 2019年 or 19",
        )
    return years


def resolve_provinces(
    frame: pd.DataFrame, column: str, *, file: Path, notes: list[str] | None
) -> pd.DataFrame:
    """:func:`~tfp_talent.data.provinces.resolve_frame` with notes: national rows dropped, variants used."""
    drops: list[str] = []
    out = provinces.resolve_frame(frame, column, source=str(file), log=drops)
    for msg in drops:
        _note(notes, msg)
    variants = sorted({str(n) for n in out[column] if provinces.normalise_name(n) in _VARIANT_KEYS})
    if variants:
        _note(
            notes,
            f"{file}: resolved known misspelling(s) {', '.join(repr(v) for v in variants)} via provinces.KNOWN_VARIANTS",
        )
    return out


_VARIANT_KEYS = frozenset(provinces.normalise_name(v) for v in provinces.KNOWN_VARIANTS)


def _is_province_name(name: str) -> bool:
    """True if ``name`` resolves to a registry province."""
    try:
        provinces.resolve([name])
    except InputError:
        return False
    return True


# ----------------------------------------------------------------------------- NBS long CSV


def require_header(
    header: Sequence[str], expected: Sequence[str], problem: str, *, file: str | Path, hint: str | None = None
) -> None:
    """Raise :class:`InputError` (``problem``, column = the missing names) unless ``header`` has every
    ``expected`` name."""
    missing = [c for c in expected if c not in header]
    if missing:
        raise InputError(problem, file=file, column=missing, hint=hint)


def read_utf8_csv(path: Path, *, expected: list[str]) -> pd.DataFrame:
    """Read a UTF-8 CSV as text cells; raise InputError for encoding, shape or header problems.

    Every cell stays a string (nothing converted, nothing read as NA); headers are stripped.
    Rejected: a missing or empty file, bytes that are not UTF-8 (a BOM is accepted; a GBK file
    is named as such), duplicated header names, a missing ``expected`` column, text pandas cannot
    parse, and a file without data rows.
    """
    require_file(path)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        try:
            raw.decode("gbk")
            guess = " (it decodes as GBK: an NBS web export? use read_nbs_export)"
        except UnicodeDecodeError:
            guess = ""
        raise InputError(
            f"not valid UTF-8 ({err.reason} at byte {err.start}){guess}",
            file=path,
            hint="NBS database CSVs are UTF-8; re-save the file as UTF-8 or restore it from data/raw",
        ) from None
    header = next(csv.reader(io.StringIO(text)), [])
    header = [h.strip() for h in header]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError("duplicated header name(s)", file=path, column=dupes)
    require_header(
        header,
        expected,
        f"missing or renamed header column(s); the header is: {', '.join(header[:12])}",
        file=path,
        hint=f"expected the NBS layout {', '.join(expected)}, <indicator (unit)>, ...",
    )
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except Exception as err:
        raise InputError(f"cannot be parsed as CSV: {err}".splitlines()[0], file=path) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty:
        raise InputError("file has no data rows", file=path)
    return frame


def _melt_indicators(
    frame: pd.DataFrame, id_cols: list[str], *, path: Path, missing_markers: str, notes: list[str] | None
) -> pd.DataFrame:
    """Wide -> long: one row per ``id_cols`` x indicator column, ``value`` parsed, ``variable`` and
    ``unit`` split from the header (:func:`split_indicator`); an indicator under two units is refused."""
    value_cols = [c for c in frame.columns if c not in id_cols]
    if not value_cols:
        raise InputError("no indicator columns after the key columns", file=path)
    long = frame.melt(id_vars=id_cols, value_vars=value_cols, var_name="header", value_name="cell")
    rows = [f"line {i + 2}" for i in long["_line"]]
    long["value"] = parse_numbers(
        long["cell"].tolist(),
        file=path,
        columns=long["header"].tolist(),
        rows=rows,
        missing_markers=missing_markers,
        notes=notes,
    )
    split = {h: split_indicator(h) for h in value_cols}
    long["variable"] = long["header"].map(lambda h: split[h][0])
    long["unit"] = long["header"].map(lambda h: split[h][1])
    names = [split[h][0] for h in value_cols]
    same = sorted({n for n in names if names.count(n) > 1})
    if same:
        raise InputError("indicator name(s) appear twice (with different units?)", file=path, column=same)
    return long


def read_nbs_provincial_csv(
    path: str | Path, *, missing_markers: str = "nan", notes: list[str] | None = None
) -> pd.DataFrame:
    """Read one NBS provincial-database table (UTF-8, long) into the tidy frame.

    Layout (NBS 分省年度数据 as scraped into ``data/raw/nbs-provincial-2000-2019/``):
    ``省份编码, 省份, 年份, <indicator (unit)>, ...``, one row per province-year.
    ``variable`` is the indicator without its unit suffix and ``unit`` the suffix
    (``地区生产总值(亿元)`` -> ``地区生产总值``, ``亿元``). The 6-digit 省份编码 must agree with
    the code resolved from 省份.

    Returns the tidy frame (:data:`TIDY_COLUMNS`) sorted by variable, province and year. Raises
    :class:`InputError` for the problems of :func:`read_utf8_csv`, a bad year, an unknown
    province, a code that contradicts the name, a duplicated province-year and any cell
    :func:`parse_numbers` refuses.
    """
    path = Path(path)
    frame = read_utf8_csv(path, expected=["省份编码", "省份", "年份"])
    frame["_line"] = np.arange(len(frame))
    lines = [f"line {i + 2}" for i in frame["_line"]]
    frame["year"] = parse_years(frame["年份"].tolist(), file=path, column="年份", rows=lines)
    frame = resolve_provinces(frame, "省份", file=path, notes=notes)
    stated = pd.to_numeric(frame["省份编码"].str.strip(), errors="coerce")
    wrong = stated.ne(frame["province_code"])
    if wrong.any():
        bad = [
            f"line {i + 2}: {c} {n}"
            for i, c, n in zip(
                frame.loc[wrong, "_line"], frame.loc[wrong, "省份编码"], frame.loc[wrong, "省份"], strict=True
            )
        ]
        raise InputError("省份编码 does not match the province name", file=path, column="省份编码", rows=bad)
    check_duplicates(frame, ["province_code", "year"], file=path, label="province-year rows")
    keys = ["_line", "province_code", "year"]
    long = _melt_indicators(
        frame[keys + [c for c in frame.columns if c not in (*keys, "省份编码", "省份", "年份")]],
        keys,
        path=path,
        missing_markers=missing_markers,
        notes=notes,
    )
    long["source_file"] = path.as_posix()
    out = long[TIDY_COLUMNS].sort_values(["variable", "province_code", "year"], kind="mergesort")
    return out.reset_index(drop=True).astype({"province_code": "int64", "year": "int64", "value": "float64"})


def read_nbs_national_csv(
    path: str | Path, *, missing_markers: str = "nan", notes: list[str] | None = None
) -> pd.DataFrame:
    """Read an NBS national annual table (UTF-8, long ``年份, <indicator (unit)>, ...``).

    Returns ``(year, variable, value, unit, source_file)``; e.g. 人民币汇率(年平均价).csv
    gives ``人民币对美元汇率`` in unit ``美元=100`` (yuan per 100 US dollars).
    Sorted by variable and year; a duplicated year is refused.
    """
    path = Path(path)
    frame = read_utf8_csv(path, expected=["年份"])
    frame["_line"] = np.arange(len(frame))
    lines = [f"line {i + 2}" for i in frame["_line"]]
    frame["year"] = parse_years(frame["年份"].tolist(), file=path, column="年份", rows=lines)
    check_duplicates(frame, ["year"], file=path, label="years")
    keys = ["_line", "year"]
    long = _melt_indicators(
        frame[keys + [c for c in frame.columns if c not in (*keys, "年份")]],
        keys,
        path=path,
        missing_markers=missing_markers,
        notes=notes,
    )
    long["source_file"] = path.as_posix()
    out = long[NATIONAL_COLUMNS].sort_values(["variable", "year"], kind="mergesort")
    return out.reset_index(drop=True).astype({"year": "int64", "value": "float64"})


# ----------------------------------------------------------------------------- NBS web exports


def _export_rows(path: Path) -> list[list[object]]:
    """The cells of an NBS export as rows: GBK CSV or xlsx (first sheet).

    Excel cells are taken as they are (no header row, nothing read as NA). A CSV must be GBK: a
    non-ASCII file that decodes as UTF-8 is refused (a re-saved export), as is an unknown suffix.
    """
    require_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            sheet = pd.read_excel(
                path, header=None, dtype=object, sheet_name=0, keep_default_na=False, na_values=[]
            )
        except Exception as err:
            raise InputError(
                f"cannot be read as an Excel workbook: {type(err).__name__}: {err}".splitlines()[0], file=path
            ) from None
        return [list(r) for r in sheet.itertuples(index=False, name=None)]
    if suffix != ".csv":
        raise InputError(f"unknown export type '{suffix}' (expected .csv or .xlsx)", file=path)
    raw = path.read_bytes()
    if not raw.isascii():
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise InputError(
                "file is UTF-8 text, but NBS web exports are GBK",
                file=path,
                hint="pass the original GBK download (or use read_nbs_provincial_csv for UTF-8 database tables)",
            )
    try:
        text = raw.decode("gbk")
    except UnicodeDecodeError as err:
        raise InputError(
            f"not valid GBK text ({err.reason} at byte {err.start})",
            file=path,
            hint="NBS web exports are GBK-encoded; restore the original download",
        ) from None
    return [list(r) for r in csv.reader(io.StringIO(text))]


def read_nbs_export(
    path: str | Path, *, missing_markers: str = "nan", notes: list[str] | None = None
) -> pd.DataFrame:
    """Read an NBS web export (GBK ``.csv`` or ``.xlsx``, wide) into the tidy frame.

    Layout (data.stats.gov.cn download)::

        数据库：分省年度数据
        指标：地区生产总值(亿元)
        时间：最近20年
        地区,2024年,2023年,...
        北京市,49670.2,47353.7,...
        ...
        注：...
        数据来源：国家统计局

    ``variable`` and ``unit`` come from the 指标 line, years from the ``2019年``
    headers. Rows end at the first footnote (注/数据来源) or blank line.

    Rejected: a UTF-8 (re-saved) CSV or invalid GBK, no 指标 line, no ``地区`` row, a year header
    not written ``YYYY年`` or repeated, a province row after the footnotes, a row longer than the
    header, a province listed twice, and the cell problems of :func:`parse_numbers`. The 全国 row
    is dropped (noted); footnotes go to the debug log. Returns the tidy frame by province and year.
    """
    path = Path(path)
    rows = [[_cell_text(c).strip() for c in r] for r in _export_rows(path)]
    meta: dict[str, str] = {}
    header_at = None
    for i, row in enumerate(rows):
        first = row[0] if row else ""
        if first == "地区":
            header_at = i
            break
        match = _HEADER_KEY.match(first)
        if match:
            meta[match.group(1)] = match.group(2).strip()
    if "指标" not in meta:
        raise InputError(
            "missing header line '指标：<indicator>(<unit>)' before the table",
            file=path,
            column="指标",
            hint="NBS exports start with 数据库：/指标：/时间： lines",
        )
    if header_at is None:
        raise InputError("no header row starting with '地区' (region) found", file=path, column="地区")
    variable, unit = split_indicator(meta["指标"])
    header = rows[header_at]
    while header and header[-1] == "":
        header.pop()
    year_cols: list[tuple[int, int]] = []
    bad_years: list[str] = []
    for j, h in enumerate(header[1:], start=1):
        m = _EXPORT_YEAR.fullmatch(h)
        if m:
            year_cols.append((j, int(m.group(1))))
        else:
            bad_years.append(h)
    if bad_years or not year_cols:
        raise InputError(
            "year header(s) not of the form '2019年'",
            file=path,
            column=bad_years or ["<no year columns>"],
            rows=[f"line {header_at + 1}"],
        )
    seen = [y for _, y in year_cols]
    if len(set(seen)) != len(seen):
        raise InputError(
            "a year column appears twice",
            file=path,
            column=sorted({f"{y}年" for y in seen if seen.count(y) > 1}),
        )
    data: list[tuple[int, list[str]]] = []
    end = len(rows)
    for i in range(header_at + 1, len(rows)):
        row = rows[i]
        first = row[0] if row else ""
        if first == "" or _FOOTNOTE.match(first):
            end = i
            break
        data.append((i, row))
    footer = [r[0] for r in rows[end:] if r and r[0]]
    for i, row in enumerate(rows[end:], start=end):
        first = row[0] if row else ""
        starts_a_row = (
            first and not _FOOTNOTE.match(first) and not first[0].isspace() and first[0] != "\u3000"
        )
        if starts_a_row and (provinces.is_national(first) or _is_province_name(first)):
            raise InputError(
                "data row after the footnotes/blank line", file=path, rows=[f"line {i + 1}: {first}"]
            )
    if not data:
        raise InputError("no data rows under the '地区' header", file=path)
    too_long = [f"line {i + 1}" for i, r in data if len([c for c in r[len(header) :] if c != ""]) > 0]
    if too_long:
        raise InputError("row(s) with more cells than the header", file=path, rows=too_long)
    names = [(i + 1, row[0]) for i, row in data]
    codes = provinces.resolve([n for _, n in names if not provinces.is_national(n)], source=str(path))
    if len(set(codes)) != len(codes):
        real = [(ln, n) for ln, n in names if not provinces.is_national(n)]
        dup = [f"line {ln}: {n}" for (ln, n), c in zip(real, codes, strict=True) if codes.count(c) > 1]
        raise InputError(
            "duplicated province rows (each province must appear once)", file=path, column="地区", rows=dup
        )
    records = []
    for i, row in data:
        cells = row + [""] * (len(header) - len(row))
        for j, year in year_cols:
            records.append((i + 1, cells[0], year, cells[j]))
    frame = pd.DataFrame(records, columns=["line", "地区", "year", "cell"])
    frame = resolve_provinces(frame, "地区", file=path, notes=notes)
    check_duplicates(frame, ["province_code", "year"], file=path, label="province rows")
    frame["value"] = parse_numbers(
        frame["cell"].tolist(),
        file=path,
        columns=[f"{y}年" for y in frame["year"]],
        rows=[
            f"line {ln} ({name}, {y}年)"
            for ln, name, y in zip(frame["line"], frame["地区"], frame["year"], strict=True)
        ],
        missing_markers=missing_markers,
        notes=notes,
    )
    if footer:
        _log.debug("%s: footnotes: %s", path, " | ".join(footer))
    frame["variable"] = variable
    frame["unit"] = unit
    frame["source_file"] = path.as_posix()
    out = frame[TIDY_COLUMNS].sort_values(["province_code", "year"], kind="mergesort").reset_index(drop=True)
    return out.astype({"province_code": "int64", "year": "int64", "value": "float64"})
