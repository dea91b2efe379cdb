"""Pre-expansion higher-education capacity and a shift-share (Bartik) instrument from the 1999 expansion.

China's higher-education expansion (高校扩招) raised national entrants from 108.4 万 (1998)
to 154.9 万 (1999) and 721.4 万 (2014). Provinces that had more colleges before it
absorbed more of the expansion (Che & Zhang 2018, *J. Finance* 73(3), "Human capital,
technology adoption and firm performance: impacts of China's higher education expansion
in the late 1990s"), so the instrument for the provincial talent stock is

    Z_pt = E_p x g_t,    g_t = ln(S_{t-lag} / S_base)        (form="log", the default)
                         g_t = S_{t-lag} / S_base - 1        (form="growth")

with E_p a province's pre-expansion exposure and S_t a national series (entrants by
default, lagged to the year the cohort leaves college). Inputs (``data/raw/history/``,
see ``data/raw/PROVENANCE.md`` section 9):

* ``colleges-by-municipality-1985-2012/china_univ_by_municipality.dta`` -- college counts
  by campus for 469 municipalities x 1985-2012, summed here to provinces
  (:func:`read_college_counts`). Municipalities are coded on post-1997 boundaries
  (cityid = the 6-digit GB/T 2260 code; ``provid`` = its first two digits in every row):
  Chongqing's municipalities (cityid 50xxxx) and Hainan's (46xxxx) appear under their own
  province codes in 1985 and 1990, before Chongqing (1997) and Hainan (1988) were split off
  Sichuan and Guangdong. The rule is therefore: province = cityid // 10000 x 10000 in every
  year, i.e. capacity on today's boundaries; nothing is reassigned.
* ``nbs-national-1978-2014/教育/高等学校普通本、专科学校和学生情况.csv`` -- the national
  series (:func:`read_national_education`).

The municipal counts are trusted only as far as they match the national HEI totals:
:func:`validate_college_counts` refuses a capacity year whose relative gap exceeds
``max_gap`` (1985 +2.95 %, 1990 +1.12 % pass; 1998 +20.3 % is refused: campuses of merged
institutions are kept separate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TypedDict, Unpack

import numpy as np
import pandas as pd

from tfp_talent.data import provinces
from tfp_talent.data.readers import parse_numbers, read_utf8_csv, require_file
from tfp_talent.errors import InputError

#: Summable count columns of the municipal file (the ``sh_*`` shares and ``dcampus`` are not summed).
COUNT_COLUMNS: tuple[str, ...] = (
    "ncampus",
    "nc_bach",
    "nc_jcol",
    "nc_priv",
    "nc_985p",
    "nc_mins",
    "nc_tech",
    "nc_humn",
    "nc_pedm",
    "nc_comp",
)
_KEY_COLUMNS: tuple[str, ...] = ("cityid", "provid", "year")

#: Output column -> NBS indicator of the national table.
NATIONAL_INDICATORS: dict[str, str] = {
    "heis": "普通高等学校数",
    "entrants": "普通高等学校招生数",
    "enrolment": "普通高等学校在校学生数",
    "graduates": "普通高等学校毕(结)业生数",
    "entrants_bach": "普通高等学校本科招生数",
    "graduates_bach": "普通高等学校本科毕(结)业生数",
}
#: Units: the national file's headers carry none; these are the units of the same indicators in
#: the NBS provincial table (``普通高等学校数(所)``, ``...(万人)``), and the 2000 provincial sums equal
#: the national values (1,041 HEIs; 220.61 万 entrants; tested).
NATIONAL_UNITS: dict[str, str] = {
    "heis": "所 (institutions)",
    "entrants": "万人",
    "enrolment": "万人",
    "graduates": "万人",
    "entrants_bach": "万人",
    "graduates_bach": "万人",
}
#: Output column -> indicator of the national census table, and units (census years only).
CENSUS_INDICATORS: dict[str, str] = {
    "population": "人口普查总人口",
    "college_per100k": "人口普查每十万人口中受大专及以上教育人口数",
}
CENSUS_UNITS: dict[str, str] = {"population": "万人", "college_per100k": "per 100,000 people"}
#: The count validated against the national HEI total (the only one with a national counterpart).
VALIDATED_MEASURE: str = "ncampus"
#: First year of the expansion: a capacity year must precede it.
EXPANSION_YEAR: int = 1999
EXPOSURE_KINDS: tuple[str, ...] = ("per10k", "share")
SHIFT_FORMS: tuple[str, ...] = ("log", "growth")


# ----------------------------------------------------------------------------- readers


def sum_college_counts(frame: pd.DataFrame, *, source: str | Path | None = None) -> pd.DataFrame:
    """Sum municipal college counts to provinces: C_pt = sum over municipalities m in p of c_mt.

    Province p of municipality m is ``cityid // 10000 * 10000`` (today's boundaries; the
    file's ``provid`` must equal the first two digits in every row). A count missing in any
    municipality makes the province sum missing (never treated as 0). Returns
    ``province_code, year, n_municipalities, <COUNT_COLUMNS>`` for every registry province and
    every year of the file, sorted; a province absent from the file has missing counts.

    Raises :class:`InputError` (Stata obs numbers named) for a missing column, non-integer keys, a
    ``provid`` that contradicts ``cityid``, a code outside the registry, a duplicated
    municipality-year, or a negative or non-numeric count. On the shipped file the 1990 sums
    give ``ncampus`` 1,087 over the 31 provinces (national HEIs: 1,075).
    """
    missing = [c for c in (*_KEY_COLUMNS, *COUNT_COLUMNS) if c not in frame.columns]
    if missing:
        raise InputError("missing column(s) in the municipal college file", file=source, column=missing)
    frame = frame.reset_index(drop=True)
    keys = frame[list(_KEY_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad_key = keys.isna().any(axis=1) | (keys.round() != keys).any(axis=1)
    if bad_key.any():
        raise InputError(
            "cityid, provid and year must be integers",
            file=source,
            column=list(_KEY_COLUMNS),
            rows=_obs(bad_key),
        )
    keys = keys.astype("int64")
    code = keys["cityid"] // 10000 * 10000
    wrong = code // 10000 != keys["provid"]
    if wrong.any():
        rows = [
            f"{c} (provid {p}, year {y})" for c, p, y in keys.loc[wrong].itertuples(index=False, name=None)
        ]
        raise InputError(
            "provid is not the first two digits of cityid", file=source, column="provid", rows=rows
        )
    unknown = sorted(set(code) - set(provinces.CODES))
    if unknown:
        raise InputError(
            "unknown province code(s) from cityid",
            file=source,
            column="cityid",
            rows=unknown,
            hint="codes are listed in tfp_talent/data/provinces.py",
        )
    dup = keys.duplicated(["cityid", "year"], keep=False)
    if dup.any():
        rows = sorted(set(keys.loc[dup, ["cityid", "year"]].itertuples(index=False, name=None)))
        raise InputError(
            "duplicated municipality-year rows", file=source, column=["cityid", "year"], rows=rows
        )
    counts = frame[list(COUNT_COLUMNS)].apply(pd.to_numeric, errors="coerce").astype("float64")
    bad = (counts < 0) | (counts.isna() & frame[list(COUNT_COLUMNS)].notna())
    if bad.to_numpy().any():
        raise InputError(
            "negative or non-numeric college count(s)",
            file=source,
            column=[c for c in COUNT_COLUMNS if bad[c].any()],
            rows=_obs(bad.any(axis=1)),
        )
    work = counts.assign(province_code=code.to_numpy(), year=keys["year"].to_numpy())
    grouped = work.groupby(["province_code", "year"], sort=True)
    sums = (
        grouped[list(COUNT_COLUMNS)]
        .sum()
        .mask(counts.isna().groupby([work["province_code"], work["year"]]).any())
    )
    sums.insert(0, "n_municipalities", grouped.size())
    years = sorted(work["year"].unique())
    grid = pd.MultiIndex.from_product([list(provinces.CODES), years], names=["province_code", "year"])
    out = sums.reindex(grid).reset_index()
    out["n_municipalities"] = out["n_municipalities"].fillna(0).astype("int64")
    return out


def read_college_counts(path: str | Path) -> pd.DataFrame:
    """Read ``china_univ_by_municipality.dta`` and sum it to provinces (:func:`sum_college_counts`).

    Source: github.com/junyanyao/Educational-Data-Science @ ffe715e (file label "University
    characteristics; multiple campuses are counted as a separate college if they are located in
    different geo6dig"). ``ncampus`` = bachelor-level + junior colleges (``nc_bach + nc_jcol`` in
    every row up to 1994; one municipality differs by one from 1995), counted by campus; units:
    institutions (campuses).
    """
    path = Path(path)
    require_file(path)
    try:
        frame = pd.read_stata(path, convert_categoricals=False)
    except Exception as err:
        raise InputError(f"cannot be read as a Stata file: {err}".splitlines()[0], file=path) from None
    return sum_college_counts(frame, source=path.as_posix())


def read_national_education(path: str | Path) -> pd.DataFrame:
    """Read the NBS national higher-education table (wide, one row per ``YYYY年``).

    Source: NBS national database, scraped by github.com/yiyuezhuo/National-Data @ 60fd721,
    ``data/zb/教育/高等学校普通本、专科学校和学生情况.csv``. Returns ``year`` and the columns of
    :data:`NATIONAL_INDICATORS` (HEIs in institutions, the rest in 万人, see
    :data:`NATIONAL_UNITS`; also in ``frame.attrs['units']``), sorted by year. Empty cells stay
    missing (the bachelor-level series start in 1998); nothing is interpolated.
    """
    return _read_wide_national(Path(path), NATIONAL_INDICATORS, NATIONAL_UNITS)


def read_national_census(path: str | Path) -> pd.DataFrame:
    """Read the NBS national census indicators (``人口/人口普查人口基本情况.csv``, same source and layout).

    Returns the census years only (1982, 1990, 2000, 2010; the other rows of the file are empty):
    ``year, population`` (人口普查总人口, 万人) and ``college_per100k`` (每十万人口中受大专及以上教育
    人口数: people with junior-college education or more per 100,000; 615 in 1982, 1,422 in 1990).
    """
    frame = _read_wide_national(Path(path), CENSUS_INDICATORS, CENSUS_UNITS)
    value_cols = list(CENSUS_INDICATORS)
    out = frame[frame[value_cols].notna().any(axis=1)].reset_index(drop=True)
    out.attrs = frame.attrs
    return out


def _read_wide_national(path: Path, indicators: Mapping[str, str], units: Mapping[str, str]) -> pd.DataFrame:
    """The wide NBS national layout: first column ``YYYY年``, one column per indicator.

    The headers carry no units: ``units`` are attached as ``attrs['units']``. Refused: a year cell
    not ``YYYY年``, a year twice, a missing indicator column, a non-numeric cell.
    """
    frame = read_utf8_csv(path, expected=list(indicators.values()))
    year_col = frame.columns[0]
    label = year_col if year_col and not year_col.startswith("Unnamed") else "(first column)"
    lines = [f"line {i + 2}" for i in range(len(frame))]
    text = frame[year_col].str.strip()
    parsed = text.str.fullmatch(r"\d{4}年")
    if not parsed.all():
        rows = [f"{ln}: {t!r}" for ln, t, ok in zip(lines, text, parsed, strict=True) if not ok]
        raise InputError("year cell(s) not written as YYYY年", file=path, column=label, rows=rows)
    out = pd.DataFrame({"year": text.str[:4].astype("int64")})
    dup = out["year"].duplicated(keep=False)
    if dup.any():
        raise InputError(
            "duplicated year rows", file=path, column=label, rows=sorted(set(out.loc[dup, "year"]))
        )
    for name, header in indicators.items():
        out[name] = parse_numbers(
            frame[header].tolist(), file=path, columns=[header] * len(frame), rows=lines
        )
    out = out.sort_values("year", kind="mergesort").reset_index(drop=True)
    out.attrs["units"] = dict(units)
    out.attrs["source_file"] = path.as_posix()
    return out


# ----------------------------------------------------------------------------- validation


def college_count_gaps(colleges: pd.DataFrame, national: pd.DataFrame) -> pd.DataFrame:
    """Provincial sums against the national HEI count, every year both cover.

    gap_t = sum_p C_pt - N_t and rel_gap_t = gap_t / N_t, with N_t = 普通高等学校数 (NBS national).
    Only ``ncampus`` (all colleges) has a national counterpart; the bachelor-level count is
    checked through the ncampus gap of the same year. Returns ``year, provincial_sum, national,
    gap, rel_gap`` sorted by year; a year with a missing provincial count has a missing sum.
    """
    measure = VALIDATED_MEASURE
    _require_columns(colleges, ["province_code", "year", measure], "colleges")
    _require_columns(national, ["year", "heis"], "national")
    sums = (
        colleges.groupby("year")[measure]
        .sum(min_count=1)
        .where(~colleges[measure].isna().groupby(colleges["year"]).any())
    )
    table = pd.DataFrame({"provincial_sum": sums}).join(
        national.set_index("year")["heis"].rename("national"), how="inner"
    )
    table["gap"] = table["provincial_sum"] - table["national"]
    table["rel_gap"] = table["gap"] / table["national"]
    return table.reset_index().sort_values("year", kind="mergesort").reset_index(drop=True)


def validate_college_counts(
    colleges: pd.DataFrame,
    national: pd.DataFrame,
    years: Iterable[int] = (1985, 1990),
    *,
    max_gap: float = 0.05,
) -> pd.DataFrame:
    """The gap table of :func:`college_count_gaps` for ``years``; refuses a year with |rel_gap| > max_gap.

    Rule: a year may serve as the capacity year only if the municipal college counts, summed
    over provinces, are within ``max_gap`` (default 5 %) of the NBS national number of regular
    HEIs. Measured: 1985 1,046 vs 1,016 (+2.95 %), 1990 1,087 vs 1,075 (+1.12 %), 1998 1,229 vs
    1,022 (+20.3 %, refused); 1986-1991 pass (within 1.9 %), 1992-2007 fail (+5.9 % to +37 %). The
    check is on ``ncampus``, the only count with a national counterpart; it vouches for ``nc_bach``
    of the same year. A year missing from either source is refused as well; a year from 1999 on
    is refused by :func:`pre_expansion_capacity` (2008-2012 pass this check but are post-expansion).
    """
    measure = VALIDATED_MEASURE
    if not 0 <= max_gap < 1:
        raise InputError(f"max_gap must be in [0, 1), not {max_gap!r}", column="max_gap")
    years = sorted({int(y) for y in years})
    table = college_count_gaps(colleges, national)
    table = table[table["year"].isin(years)].reset_index(drop=True)
    absent = sorted(set(years) - set(table["year"]))
    if absent:
        raise InputError(
            "capacity year(s) not covered by both the college counts and the national series",
            column=measure,
            rows=absent,
        )
    bad = table[~(table["rel_gap"].abs() <= max_gap)]
    if not bad.empty:
        rows = [
            f"{y}: {s:.0f} vs {n:.0f} ({g:+.1%})"
            for y, s, n, g in bad[["year", "provincial_sum", "national", "rel_gap"]].itertuples(index=False)
        ]
        raise InputError(
            f"provincial {measure} sums differ from the national HEI count by more than max_gap={max_gap:.0%}",
            column=measure,
            rows=rows,
            hint="use a pre-expansion year (1985 or 1990); the mid-1990s merger wave keeps merged campuses separate",
        )
    table["passes"] = True
    return table


# ----------------------------------------------------------------------------- exposure


def pre_expansion_capacity(
    colleges: pd.DataFrame,
    population: pd.Series | None = None,
    *,
    year: int = 1990,
    measure: str = "ncampus",
    kind: str = "per10k",
) -> pd.Series:
    """A province's pre-expansion higher-education capacity E_p (a Series by province_code).

    kind="per10k": E_p = C_p,year / P_p, colleges per 10,000 people, with C the municipal count
    summed to the province and P the population in 万人 (= 10,000 people). No provincial
    population before 2000 is shipped (the NBS provincial panel, 总人口.csv, starts in 2000), so
    the caller passes the 2000 year-end resident population (the panel's ``pop_yearend``): a
    post-period denominator, one year into the expansion, assumed not driven by it.
    kind="share": E_p = C_p,year / sum_q C_q,year, the province's share of the nation's colleges
    (no denominator; a size measure, larger for populous provinces).
    ``year`` must precede the expansion (< 1999); validate it first (:func:`validate_college_counts`).
    Default: per10k of 1990 (the validated year closest to the expansion, gap +1.1 %).
    Raises :class:`InputError` for an unknown ``kind``, ``year >= 1999``, no counts in ``year``,
    or (per10k) no, non-positive or badly indexed ``population``; a province without population
    gets a missing E_p. The Series is named e.g. ``ncampus_per10k_1990``.
    """
    if kind not in EXPOSURE_KINDS:
        raise InputError(f"kind must be one of {', '.join(EXPOSURE_KINDS)}, not {kind!r}", column="kind")
    if year >= EXPANSION_YEAR:
        raise InputError(
            f"capacity year {year} is not before the {EXPANSION_YEAR} expansion", column="year", rows=[year]
        )
    _require_columns(colleges, ["province_code", "year", measure], "colleges")
    counts = colleges[colleges["year"] == year].set_index("province_code")[measure]
    if counts.empty:
        raise InputError(f"no college counts for year {year}", column="year", rows=[year])
    if kind == "share":
        return (counts / counts.sum(min_count=len(counts))).sort_index().rename(f"{measure}_share_{year}")
    if population is None:
        raise InputError(
            "kind='per10k' needs the provincial population (万人), e.g. pop_yearend of 2000",
            column="population",
        )
    pop = _check_by_province(population, "population")
    if (pop <= 0).any():
        raise InputError("population must be positive", column="population", rows=pop.index[pop <= 0])
    return (counts / pop.reindex(counts.index)).sort_index().rename(f"{measure}_per10k_{year}")


def exposure_from_panel(
    panel: pd.DataFrame, column: str = "he_enrolment_per10k", *, year: int = 2000
) -> pd.Series:
    """The alternative exposure E_p = x_p,year from the package's clean panel (given, not read here).

    Default: regular higher-education enrolment per 10,000 people in 2000 (普通高等学校在校学生数 /
    年末常住人口 x 10,000, NBS provincial database). Note that 2000 is one year into the expansion:
    the 1999 intake is already enrolled, so the exposure partly reflects the shift itself.
    Raises :class:`InputError` for a missing column, no rows in ``year``, or a bad province index.
    """
    _require_columns(panel, ["province_code", "year", column], "panel")
    cross = panel[panel["year"] == year]
    if cross.empty:
        raise InputError(f"the panel has no rows for year {year}", column="year", rows=[year])
    return _check_by_province(cross.set_index("province_code")[column], f"panel.{column}").rename(
        f"{column}_{year}"
    )


# ----------------------------------------------------------------------------- instrument


def national_shift(
    national: pd.DataFrame,
    *,
    shift: str = "entrants",
    lag: int = 4,
    base_year: int = 1998,
    years: Iterable[int] = range(2000, 2020),
    form: str = "log",
) -> pd.Series:
    """The national shift g_t = ln(S_{t-lag} / S_base) (form="log") or S_{t-lag} / S_base - 1 ("growth").

    S is an NBS national series (entrants by default, 万人); ``lag`` = years from entry to
    labour-market entry (4 for a bachelor's degree, 3 for junior college; 0 with
    shift="graduates"). A year t whose S_{t-lag} is missing or outside the national series
    (1978-2014) gets a missing shift, never an extrapolated one: with lag 4 the shift ends in
    2018. Returns a Series indexed by year.

    ``shift``: a column of ``national`` (:data:`NATIONAL_INDICATORS`); ``base_year``: S_base, 1998
    (the last pre-expansion intake); ``years``: the t to return; ``form``: one of
    :data:`SHIFT_FORMS`. Raises :class:`InputError` for an unknown form, a negative or
    non-integer lag, a duplicated year, or no positive S in ``base_year``.
    Defaults on the shipped series: g_2002 = 0, g_2003 = ln(154.86 / 108.4) = 0.357, g_2018 =
    1.895, and g_2000 = -0.115 < 0 (the 1996 intake was smaller than 1998's); g_2019 is missing.
    """
    if form not in SHIFT_FORMS:
        raise InputError(f"form must be one of {', '.join(SHIFT_FORMS)}, not {form!r}", column="form")
    if isinstance(lag, bool) or not isinstance(lag, (int, np.integer)) or lag < 0:
        raise InputError(f"lag must be a non-negative integer, not {lag!r}", column="lag")
    _require_columns(national, ["year", shift], "national")
    dup = national["year"].duplicated(keep=False)
    if dup.any():
        raise InputError(
            "duplicated years in the national series",
            column="year",
            rows=sorted(set(national.loc[dup, "year"])),
        )
    series = national.set_index("year")[shift].astype("float64")
    base = series.get(base_year, np.nan)
    if not np.isfinite(base) or base <= 0:
        raise InputError(
            f"the national {shift} series has no positive value in base year {base_year}",
            column=shift,
            rows=[base_year],
        )
    years = sorted({int(t) for t in years})
    lagged = series.reindex([t - lag for t in years]).to_numpy()
    ratio = lagged / base
    values = np.log(ratio) if form == "log" else ratio - 1.0
    return pd.Series(values, index=pd.Index(years, name="year"), name=f"{shift}_shift")


class ShiftOptions(TypedDict, total=False):
    """The keyword options of :func:`national_shift` (its signature holds the defaults)."""

    shift: str
    lag: int
    base_year: int
    years: Iterable[int]
    form: str


def shift_share_instrument(
    exposure: pd.Series, national: pd.DataFrame, **shift_options: Unpack[ShiftOptions]
) -> pd.DataFrame:
    """Shift-share instrument Z_pt = E_p x g_t (Bartik 1991; Che & Zhang 2018, J. Finance 73(3)).

    E_p: pre-expansion exposure by province (:func:`pre_expansion_capacity` or
    :func:`exposure_from_panel`); g_t: the national shift of :func:`national_shift`, by default
    g_t = ln(S_{t-4} / S_1998) with S = national entrants: the cohort entering college in t-4
    graduates in t, so g_t turns positive in 2003, when the first expanded (1999) cohort of
    bachelor students enters the labour market. The log is the default because entrants grew
    6.7-fold (1998-2014) and the log keeps the shift on a growth scale. Years whose lagged
    shift is missing (t - lag > 2014: 2019 for lag 4) and provinces with a missing exposure get a
    missing value. ``shift_options`` are those of :func:`national_shift`. Returns ``province_code, year,
    value``, sorted (independent of input order).
    """
    exp = _check_by_province(exposure, "exposure")
    g = national_shift(national, **shift_options)
    grid = pd.MultiIndex.from_product([exp.index, g.index], names=["province_code", "year"])
    values = np.outer(exp.to_numpy(dtype="float64"), g.to_numpy()).ravel()
    return pd.DataFrame({"value": values}, index=grid).reset_index()


# ----------------------------------------------------------------------------- summary


def history_summary(
    colleges: pd.DataFrame,
    national: pd.DataFrame,
    instrument: pd.DataFrame | None = None,
    *,
    capacity_year: int = 1990,
    measure: str = "ncampus",
    max_gap: float = 0.05,
    validation_years: Iterable[int] = (1985, 1990),
) -> dict[str, object]:
    """Validation table and coverage of the history inputs, for the report (plain dict, JSON-ready).

    ``validation`` lists every year's provincial sum, national HEI count and relative gap
    (:func:`college_count_gaps`), with ``passes`` = |rel_gap| <= max_gap and ``usable`` = passes and
    year < 1999 (pre-expansion); ``capacity_year`` must be usable (else InputError). ``coverage``
    gives the years of each source and, if ``instrument`` is given, the years in which it is missing.
    Keys: ``rule`` (the acceptance rule in words), ``capacity_year``, ``measure``, ``max_gap``,
    ``validation``, ``validation_years`` (its rows for ``validation_years`` and the capacity year)
    and ``coverage`` (``college_years``, ``college_provinces``, ``national_years``, ...).
    """
    years = sorted({int(y) for y in validation_years} | {int(capacity_year)})
    if capacity_year >= EXPANSION_YEAR:
        raise InputError(
            f"capacity year {capacity_year} is not before the {EXPANSION_YEAR} expansion",
            column="capacity_year",
            rows=[capacity_year],
        )
    validate_college_counts(colleges, national, years=[capacity_year], max_gap=max_gap)
    gaps = college_count_gaps(colleges, national)
    gaps["passes"] = gaps["rel_gap"].abs() <= max_gap
    gaps["usable"] = gaps["passes"] & (gaps["year"] < EXPANSION_YEAR)
    coverage: dict[str, object] = {
        "college_years": [int(colleges["year"].min()), int(colleges["year"].max())],
        "college_provinces": int(colleges.loc[colleges["year"] == capacity_year, measure].notna().sum()),
        "national_years": {
            col: _span(national.loc[national[col].notna(), "year"])
            for col in NATIONAL_INDICATORS
            if col in national
        },
    }
    if instrument is not None:
        _require_columns(instrument, ["province_code", "year", "value"], "instrument")
        by_year = instrument.groupby("year")["value"].apply(lambda v: bool(v.isna().all()))
        coverage["instrument_years"] = _span(instrument["year"])
        coverage["instrument_missing_years"] = [int(y) for y in by_year.index[by_year]]
    return {
        "rule": (
            f"capacity year accepted if it precedes {EXPANSION_YEAR} and "
            f"|provincial {VALIDATED_MEASURE} sum / national HEIs - 1| <= {max_gap}"
        ),
        "capacity_year": int(capacity_year),
        "measure": measure,
        "max_gap": float(max_gap),
        "validation": [_record(r) for r in gaps.to_dict("records")],
        "validation_years": [_record(r) for r in gaps[gaps["year"].isin(years)].to_dict("records")],
        "coverage": coverage,
    }


# ----------------------------------------------------------------------------- helpers


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], label: str) -> None:
    """Raise :class:`InputError` naming the ``columns`` the ``label`` frame lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"the {label} frame lacks the column(s) needed", column=missing)


def _check_by_province(series: pd.Series | Mapping[int, float], label: str) -> pd.Series:
    """A numeric Series indexed by registry province codes, unique, sorted."""
    series = pd.Series(series)
    try:
        index = pd.Index(series.index).astype("int64")
    except (TypeError, ValueError):
        raise InputError(
            "index must hold 6-digit province codes", column=label, rows=list(series.index)[:8]
        ) from None
    unknown = sorted(set(index) - set(provinces.CODES))
    if unknown:
        raise InputError(
            "unknown province code(s)",
            column=label,
            rows=unknown,
            hint="codes are listed in tfp_talent/data/provinces.py",
        )
    if index.duplicated().any():
        raise InputError(
            "duplicated province code(s)", column=label, rows=sorted(set(index[index.duplicated()]))
        )
    values = pd.to_numeric(pd.Series(series.to_numpy(), index=index, name=series.name), errors="coerce")
    bad = values.isna() & pd.Series(series.to_numpy(), index=index).notna()
    if bad.any():
        raise InputError("non-numeric value(s)", column=label, rows=list(index[bad.to_numpy()]))
    return values.astype("float64").sort_index()


def _obs(mask: pd.Series) -> list[str]:
    """Stata observation numbers (1-based) of the rows flagged in ``mask``."""
    return [f"obs {i + 1}" for i in np.flatnonzero(mask.to_numpy())]


def _span(years: pd.Series) -> list[int] | None:
    """``[first, last]`` year, or None if there is none."""
    return None if years.empty else [int(years.min()), int(years.max())]


def _record(row: Mapping[str, object]) -> dict[str, object]:
    """A table row with plain bool / int / float values, NaN as None (JSON-ready)."""
    out: dict[str, object] = {}
    for key, value in row.items():
        if isinstance(value, (bool, np.bool_)):
            out[key] = bool(value)
        elif isinstance(value, (int, np.integer)):
            out[key] = int(value)
        else:
            out[key] = None if pd.isna(value) else float(value)
    return out
