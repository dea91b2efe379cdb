"""User-supplied provincial series: one documented tidy format, one reader, one merge.

A user may bring a series the shipped raw data lack (a yearbook employment series for
the labour input, a talent or control variable for the specifications). The format is
a UTF-8 CSV with one row per province and year and the unit in a header comment::

    # unit: 万人
    # source: China Statistical Yearbook 2020, table 4-3 (any other '# key: value' lines are kept as notes)
    province,year,value
    北京,2018,1237.8
    天津,2018,896.6
    ...

* ``province``: any spelling :mod:`tfp_talent.data.provinces` knows (北京市, 北京,
  beijing, Beijing, 110000); national-total rows (全国) are dropped and logged;
* ``year``: a whole number (``2019``, not ``2019年``);
* ``value``: a number (no NBS missing-value markers such as ``…`` or ``—``, no empty
  cells: leave a row out instead; nothing is filled);
* ``# unit: <unit>``: a comment line before the header; required for the series of
  config ``user_series:`` and checked against the unit given there; optional for the
  labour file of ``labour.source: csv`` (whose scale only shifts ln TFP by a constant).
  Lines starting with ``#`` elsewhere are ignored; extra columns are ignored.

The format is narrower than the NBS readers' on purpose: a user series is typed by hand or
exported from a spreadsheet, so no missing-value markers, no empty cells and one value column;
every ambiguity is refused rather than guessed.

Validation (the rules of the shipped raw files, :mod:`tfp_talent.data.readers`):
valid UTF-8 (a UTF-8 byte-order mark is accepted), the three columns present, every
line with as many fields as the header (a truncated last line is named), every
province known (unknown names listed with their lines), integer years, numeric and
finite values, values > 0 when the series is declared positive (logs are taken), no
duplicate (province, year), and, unless ``require_complete=False``, every province ×
every sample year present (the missing ones listed). Each problem raises
:class:`~tfp_talent.errors.InputError` naming the file, the column and the rows.

The series of config ``user_series:`` are read by :func:`load_user_series` (rule
``user_series`` writes them to ``data/processed/user_series.parquet``) and joined to
the panel under their config names by :func:`merge_user_series`, so specifications can
use them like any panel variable. The labour input's CSV
(:func:`tfp_talent.tfp.labour.read_labour_csv`) is read by the same
:func:`read_user_series`.

A config entry (keys typed in ``config/schema.yaml``; its optional ``label`` is not read here)::

    user_series:
      employment_total:
        file: data/user/employment_total.csv
        unit: 万人          # the file's '# unit:' line must say the same
        positive: true      # enters in logs
        complete: true      # default: every province in every sample year
        years: [2005, 2019] # optional: a sub-range of years.start..years.end
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from tfp_talent.data.provinces import BY_CODE, CODES, is_national, resolve
from tfp_talent.data.readers import require_header
from tfp_talent.errors import InputError
from tfp_talent.logs import get_logger

log = get_logger("data.user_series")

KEYS = ["province_code", "year"]
COLUMNS = ("province", "year", "value")
_META = re.compile(r"^#\s*([A-Za-z_][\w -]*?)\s*:\s*(.*?)\s*$")
_YEAR = re.compile(r"^\d{4}(\.0+)?$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class UserSeries:
    """A validated user series: ``frame`` has ``province_code, year, <name>`` (float), sorted.

    Attributes
    ----------
    name, path
        The series name (its column in ``frame``) and the file it was read from.
    unit
        The file's ``# unit:`` text, or None if it states none.
    frame
        ``province_code, year, <name>``: the sample rows only, sorted, values float.
    meta
        Every ``# key: value`` line before the header (keys lower-cased), ``unit`` included.
    sha256
        Hex digest of the file's bytes, recorded in the logs and the workflow's descriptions.
    """

    name: str
    path: Path
    unit: str | None
    frame: pd.DataFrame
    meta: dict[str, str] = field(default_factory=dict)
    sha256: str = ""

    def describe(self) -> dict[str, Any]:
        """JSON-ready description: file, unit, header notes, digest, rows, coverage.

        Keys ``name, file, unit, meta, sha256, rows, provinces`` (distinct codes) and ``years``
        (``[first, last]``, or None for an empty frame).
        """
        years = self.frame["year"]
        return {
            "name": self.name,
            "file": str(self.path),
            "unit": self.unit,
            "meta": dict(self.meta),
            "sha256": self.sha256,
            "rows": int(len(self.frame)),
            "provinces": int(self.frame["province_code"].nunique()),
            "years": [int(years.min()), int(years.max())] if len(years) else None,
        }


def _line_of_byte(data: bytes, position: int) -> int:
    """1-based line number of byte ``position``."""
    return data[:position].count(b"\n") + 1


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 text (BOM dropped); InputError with the byte and line otherwise, naming GB18030 if it fits."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = _line_of_byte(data, err.start)
        try:
            data.decode("gb18030")
            guess = " (it looks like GBK/GB18030, e.g. an Excel or NBS export)"
        except UnicodeDecodeError:
            guess = ""
        raise InputError(
            f"not valid UTF-8 text: byte 0x{data[err.start]:02x} at line {line}{guess}",
            file=path,
            hint="save the file as UTF-8 (CSV UTF-8 in Excel)",
        ) from None


def _short(code: int) -> str:
    """Short Chinese name of a province code (for error rows)."""
    return BY_CODE[code].name_short


def read_user_series(
    path: str | Path,
    name: str,
    *,
    years: Iterable[int] | None = None,
    provinces: Sequence[int] = CODES,
    require_complete: bool = True,
    positive: bool = False,
    unit: str | None = None,
    require_unit: bool = False,
) -> UserSeries:
    """Read and validate one tidy ``province, year, value`` CSV (format: module docstring).

    Parameters
    ----------
    path
        The CSV file (UTF-8; ``# unit: ...`` comment line before the header).
    name
        Name of the series (the column of the returned frame).
    years
        Sample years: rows of other years are dropped (and counted in the log); with
        ``require_complete`` every one of them must be present. ``None`` keeps all years.
    provinces
        Province codes of the sample (default: all 31); rows of other provinces are dropped.
    require_complete
        Require every province of ``provinces`` in every year of ``years``.
    positive
        Require values > 0 (the series enters in logs).
    unit
        Expected unit; the file's ``# unit:`` line must state exactly this (after
        stripping spaces). ``None`` accepts any unit.
    require_unit
        Require a ``# unit:`` line (always true when ``unit`` is given).

    Returns a :class:`UserSeries` whose ``frame`` has ``province_code, year, <name>``.
    Raises :class:`InputError` naming the file, the column and the offending rows.

    Example (a complete 万人 series for 2005-2019, entering in logs)::

        s = read_user_series("data/user/emp.csv", "employment_total", years=range(2005, 2020),
                             positive=True, unit="万人")
        s.frame.columns.tolist()   # ['province_code', 'year', 'employment_total'], 31 x 15 rows

    Checks, in this order (the first failing one raises): suffix ``.csv``, file present and not
    blank, UTF-8, a header line with the three columns, at least one data row, the ``# unit:``
    line, the field count of every line, province names, years, values, positivity, duplicates,
    and last, on the rows inside the sample, completeness. Rows of other provinces or years are
    dropped only after the checks, so a bad row outside the sample still raises. The log records
    the file, unit, row count and the first 12 hex digits of its SHA-256.
    """
    p = Path(path)
    if p.suffix.lower() != ".csv":
        raise InputError(f"a user series must be a .csv file, not '{p.suffix}'", file=p)
    if not p.exists():
        raise InputError("file not found", file=p)
    data = p.read_bytes()
    if not data.strip():
        raise InputError(
            "file is empty", file=p, hint="expected a '# unit: ...' line and the header 'province,year,value'"
        )
    text = _decode(p, data)

    meta: dict[str, str] = {}
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            if header is None and (m := _META.match(stripped)):
                meta[m.group(1).strip().lower()] = m.group(2)
            continue
        fields = next(csv.reader([line]))
        if header is None:
            header, header_line = [f.strip() for f in fields], lineno
        else:
            rows.append((lineno, fields))
    if header is None:
        raise InputError("no header line 'province,year,value'", file=p)
    problem = f"missing column(s) in the header (line {header_line}: {','.join(header)}); expected province,year,value"
    require_header(header, COLUMNS, problem, file=p)
    if not rows:
        raise InputError("no data rows after the header", file=p)

    file_unit = meta.get("unit") or None
    if unit is not None or require_unit:
        if file_unit is None:
            raise InputError(
                "no '# unit: ...' line before the header" + (f" (expected unit {unit!r})" if unit else ""),
                file=p,
                column="unit",
                hint="add a first line like '# unit: 万人'",
            )
        if unit is not None and _norm_unit(file_unit) != _norm_unit(unit):
            raise InputError(
                f"the file states unit {file_unit!r} but {unit!r} is expected", file=p, column="unit"
            )

    short = [(ln, f) for ln, f in rows if len(f) != len(header)]
    if short:
        raise InputError(
            f"wrong number of fields (the header has {len(header)}; a truncated or broken line?)",
            file=p,
            rows=[f"line {ln}: {len(f)} field(s)" for ln, f in short],
        )
    col = {c: header.index(c) for c in COLUMNS}
    lines = [ln for ln, _ in rows]
    prov = [f[col["province"]].strip() for _, f in rows]
    year_text = [f[col["year"]].strip() for _, f in rows]
    value_text = [f[col["value"]].strip() for _, f in rows]

    # provinces: national totals dropped deliberately, unknown names listed with their lines
    national = [is_national(x) for x in prov]
    n_national = sum(national)
    if n_national:
        log.info("%s: dropped %d national-total rows (province = 全国)", p, n_national)
    code_of: dict[str, int] = {}
    unknown: dict[str, list[int]] = {}
    for ln, name_, nat in zip(lines, prov, national):
        if nat or name_ in code_of:
            continue
        try:
            code_of[name_] = resolve([name_])[0]
        except InputError:
            unknown.setdefault(name_, []).append(ln)
    if unknown:
        raise InputError(
            f"unknown province name(s): {', '.join(repr(u) for u in unknown)}",
            file=p,
            column="province",
            rows=[f"line {lns[0]}: {u!r}" for u, lns in unknown.items()],
            hint="known spellings are listed in tfp_talent/data/provinces.py (add a variant to KNOWN_VARIANTS)",
        )
    keep = [i for i, nat in enumerate(national) if not nat]

    bad_years = [(lines[i], year_text[i]) for i in keep if not _YEAR.match(year_text[i])]
    if bad_years:
        hint = (
            "write years as 4-digit numbers (2019, not 2019年)"
            if any("年" in t for _, t in bad_years)
            else None
        )
        raise InputError(
            "years must be integers",
            file=p,
            column="year",
            rows=[f"line {ln}: {t!r}" for ln, t in bad_years],
            hint=hint,
        )

    values: list[float] = []
    bad_values: list[str] = []
    for i in keep:
        v = _number(value_text[i])
        if v is None:
            bad_values.append(f"line {lines[i]}: {prov[i]} {year_text[i]} {value_text[i]!r}")
        values.append(v if v is not None else math.nan)
    if bad_values:
        raise InputError(
            "missing or non-numeric values (empty cells and NBS markers such as '…' or '—' are not accepted; "
            "leave the row out instead)",
            file=p,
            column="value",
            rows=bad_values,
        )

    frame = pd.DataFrame(
        {
            "province_code": [code_of[prov[i]] for i in keep],
            "year": [int(float(year_text[i])) for i in keep],
            name: values,
            "_line": [lines[i] for i in keep],
        }
    )
    if positive:
        bad = frame[name] <= 0
        if bad.any():
            raise InputError(
                "values must be > 0 (the series enters in logs)",
                file=p,
                column="value",
                rows=[(_short(c), y) for c, y in frame.loc[bad, KEYS].itertuples(index=False, name=None)],
            )
    dup = frame.duplicated(KEYS, keep=False)
    if dup.any():
        pairs = sorted({(c, y) for c, y in frame.loc[dup, KEYS].itertuples(index=False, name=None)})
        dup_lines = ", ".join(str(x) for x in frame.loc[dup, "_line"].head(8))
        raise InputError(
            f"duplicate (province, year) rows (lines {dup_lines})",
            file=p,
            column=["province", "year"],
            rows=[(_short(c), y) for c, y in pairs],
        )

    wanted_provinces = [int(c) for c in provinces]
    in_sample = frame["province_code"].isin(wanted_provinces)
    wanted_years: list[int] | None = None
    if years is not None:
        wanted_years = sorted(int(y) for y in years)
        in_sample &= frame["year"].isin(wanted_years)
    dropped = int((~in_sample).sum())
    if dropped:
        log.info("%s: %d rows outside the sample provinces/years ignored", p, dropped)
    frame = frame.loc[in_sample]
    if require_complete:
        want_years = wanted_years if wanted_years is not None else sorted(frame["year"].unique().tolist())
        wanted = pd.MultiIndex.from_product([wanted_provinces, want_years], names=KEYS)
        missing = wanted.difference(pd.MultiIndex.from_frame(frame[KEYS]))
        if len(missing):
            absent = [c for c in wanted_provinces if c not in set(frame["province_code"])]
            what = f"; provinces with no rows: {', '.join(_short(c) for c in absent)}" if absent else ""
            raise InputError(
                f"incomplete: the sample needs every province and year ({len(missing)} province-years missing{what})",
                file=p,
                column="value",
                rows=[(_short(c), y) for c, y in missing],
            )
    out = frame.drop(columns="_line").sort_values(KEYS).reset_index(drop=True)
    out[name] = out[name].astype(float)
    digest = hashlib.sha256(data).hexdigest()
    log.info(
        "%s: series %s, unit %s, %d rows, sha256 %s",
        p,
        name,
        file_unit or "(not stated)",
        len(out),
        digest[:12],
    )
    return UserSeries(name=name, path=p, unit=file_unit, frame=out, meta=meta, sha256=digest)


def _norm_unit(unit: str) -> str:
    """A unit with every whitespace removed, for comparison (``'万 人'`` == ``'万人'``)."""
    return re.sub(r"\s+", "", unit)


def _number(text: str) -> float | None:
    """A finite float from a cell, or None (empty, text, NaN, inf)."""
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def load_user_series(
    section: Mapping[str, Mapping[str, Any]],
    *,
    years: Iterable[int],
    provinces: Sequence[int] = CODES,
    source: str = "config/config.yaml",
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Read every series of config ``user_series:`` → wide frame and descriptions.

    ``section`` maps a variable name to ``{file, unit, positive, complete, years}``
    (typed in ``config/schema.yaml``): ``unit`` the unit the file must state,
    ``positive`` values > 0, ``complete`` every province in every year of ``years``
    (or of the entry's own ``years: [first, last]``). Returns ``province_code, year``
    and one float column per series (the union of keys over series, sorted) and
    ``{name: UserSeries.describe()}``.

    ``complete`` defaults to True and ``positive`` to False; a ``# unit:`` line is always required.
    ``provinces``: the sample codes (default all 31); ``source``: the config file named in errors.
    Example: ``load_user_series({'employment_total': {'file': 'data/user/emp.csv', 'unit': '万人',
    'positive': True}}, years=range(2000, 2020))`` -> a frame ``province_code, year,
    employment_total`` (620 rows if complete) and ``{'employment_total': {... 'sha256': ...}}``.
    Series are read in name order. Raises :class:`InputError` for a name that is not lower-case
    ``[a-z][a-z0-9_]*``, an entry without ``file``, and every problem of :func:`read_user_series`.
    """
    sample_years = sorted(int(y) for y in years)
    frame = pd.DataFrame({k: pd.Series(dtype="int64") for k in KEYS})
    info: dict[str, dict[str, Any]] = {}
    for name, entry in sorted(section.items()):
        if not _NAME.match(str(name)):
            raise InputError(
                f"series name {name!r} must start with a lower-case letter and use a-z, 0-9 and _",
                file=source,
                column=f"user_series.{name}",
            )
        entry = dict(entry or {})
        if not entry.get("file"):
            raise InputError("no file given", file=source, column=f"user_series.{name}.file")
        own = entry.get("years")
        ys = [y for y in sample_years if own is None or own[0] <= y <= own[1]]
        series = read_user_series(
            entry["file"],
            name,
            years=ys,
            provinces=provinces,
            require_complete=bool(entry.get("complete", True)),
            positive=bool(entry.get("positive", False)),
            unit=entry.get("unit"),
            require_unit=True,
        )
        frame = frame.merge(series.frame, on=KEYS, how="outer", validate="one_to_one")
        info[name] = series.describe()
    frame = frame.astype(dict.fromkeys(KEYS, "int64")).sort_values(KEYS).reset_index(drop=True)
    return frame, info


def merge_user_series(
    panel: pd.DataFrame,
    series: pd.DataFrame | Mapping[str, Mapping[str, Any]],
    *,
    source: str = "data/processed/user_series.parquet",
) -> pd.DataFrame:
    """Join user series onto ``panel`` by ``(province_code, year)`` (a left join: the panel's rows).

    ``series`` is the wide frame of :func:`load_user_series` (as written by rule
    ``user_series``) or a config ``user_series:`` mapping, read here for the panel's
    provinces and years. A series whose name is already a panel column is refused
    (rename it in the config), so a user series never silently replaces shipped data.

    Raises :class:`InputError` if the panel lacks ``province_code`` or ``year`` or for a name
    clash; pandas refuses duplicated keys (``validate='one_to_one'``). Province-years the series
    lacks get NaN; its rows outside the panel are dropped. With a config mapping, every series is
    read for exactly the panel's provinces and years, so ``complete: true`` is checked against the
    panel actually used (e.g. a sample without Tibet does not need Tibet's rows).
    """
    for k in KEYS:
        if k not in panel.columns:
            raise InputError(f"the panel has no key column {k!r}", column=k)
    if isinstance(series, Mapping):
        years = sorted(int(y) for y in panel["year"].unique())
        provinces = sorted(int(c) for c in panel["province_code"].unique())
        series, _ = load_user_series(series, years=years, provinces=provinces)
    names = [c for c in series.columns if c not in KEYS]
    clash = [c for c in names if c in panel.columns]
    if clash:
        raise InputError(
            "user series named like a panel column (a user series never replaces shipped data)",
            file=source,
            column=clash,
            hint="give it another name under user_series: in config/config.yaml",
        )
    return panel.merge(series[[*KEYS, *names]], on=KEYS, how="left", validate="one_to_one")


def read_panel_with_user_series(
    panel_path: str | Path, user_series_path: str | Path | None = None
) -> pd.DataFrame:
    """The clean panel, with the validated user series joined on when the workflow has any.

    The one place where workflow scripts load the panel, so every stage (estimates,
    tables, figures, report) sees the same variables.

    Both files are read with :func:`tfp_talent.io.read_panel`; with ``user_series_path`` the
    series are joined by :func:`merge_user_series` (the path named in its errors).
    """
    from tfp_talent.io import read_panel

    panel = read_panel(panel_path)
    if user_series_path is None:
        return panel
    return merge_user_series(panel, read_panel(user_series_path), source=str(user_series_path))
