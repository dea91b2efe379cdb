"""The clean stage: raw NBS / yearbook tables -> one keyed provincial panel.

:func:`build_panel` reads every raw file listed in
:data:`tfp_talent.data.definitions.SOURCES`, picks the series of
:data:`~tfp_talent.data.definitions.RAW_SERIES` (checking each header's unit),
derives the variables of :data:`~tfp_talent.data.definitions.VARIABLES`, logs the
known quirks of the sources and the missing counts per variable and year,
validates the result (:mod:`tfp_talent.data.validate`) and returns it with its
codebook. Nothing is written here; the workflow script writes the outputs only
after everything has passed, so a failure leaves no partial output.

Missing data are never filled silently. The only imputation is the explicit
option ``impute_survey_gaps='linear'`` (config ``data.impute_survey_gaps``):
the sample-survey shares (age structure, attainment) are linearly interpolated
between the adjacent survey years inside each province's observed range
(e.g. 2010 from 2009 and 2011; never extrapolated to 2000/2001), and a
``<variable>_imputed`` boolean column flags every interpolated value and every
value derived from one.

The known limits of the sources (``data/raw/PROVENANCE.md``) and how the panel meets them:

* no total employment (就业人员) by province: two documented proxies instead, ``emp_nonfarm``
  (urban units + private + individual) and ``working_age_pop`` (15-64 share x population); a
  yearbook series can be supplied as a user series (:mod:`tfp_talent.data.user_series`);
* the GDP index stops in 2019, so ``gdp_real`` (and TFP downstream) stops in 2019;
* the sample-survey tables are empty in 2000, 2001 and 2010 and hold sample counts (1‰; 1 % in
  2005 and 2015): only shares enter the panel, and the gaps stay missing unless imputed as above;
* vintages differ: one vintage per series (:mod:`tfp_talent.data.definitions`); exports of the
  same vintage serve as cross-checks (:func:`~tfp_talent.data.validate.check_consistency`), the
  post-2020-census population and post-2023-census GDP exports are not read;
* the quirks kept as published (Beijing 2012 graduates, long decimals of 城镇人口, private
  employment jumps) are found and logged by :func:`_quirks`.

The modules of the data stage, in the order the workflow uses them (rules ``verify_raw`` and
``panel`` of ``workflow/rules/data.smk``, then ``shift_share`` and ``user_series``):

* :mod:`~tfp_talent.data.checksums` -- every raw file byte-identical to ``data/raw/SHA256SUMS``;
* :mod:`~tfp_talent.data.readers`, :mod:`~tfp_talent.data.readers_rda` -- one raw file -> one tidy
  long frame, units taken from the headers;
* :mod:`~tfp_talent.data.definitions` -- the one table of sources, raw series and panel variables;
* this module; :mod:`~tfp_talent.data.validate` (key, range and balance checks, cross-checks
  against published totals); :mod:`~tfp_talent.data.codebook` (one row per column, coverage);
* :mod:`~tfp_talent.data.history`, :mod:`~tfp_talent.data.shift_share` -- pre-expansion college
  counts and national education series -> the shift-share instrument;
* :mod:`~tfp_talent.data.user_series` -- a user's own tidy CSV, checked and merged;
* :mod:`~tfp_talent.data.provinces` -- the 31-province registry and the resolver of every spelling.

Sources (``data/raw/PROVENANCE.md``): NBS provincial annual database 2000-2019 (分省年度数据,
UTF-8 long CSV), NBS national tables, NBS web exports (GBK CSV / xlsx; cross-checks only), the
China Statistical Yearbook on Science and Technology 2010-2023 (techme ``.rda``), CHNCapitalStock's
``asset.rda``, municipal college counts 1985-2012 and NBS national education series 1978-2014.

Determinism: the same raw files give the same panel, row for row (stable sorts by province and
year, no randomness, no dependence on the order of files on disk).

Using the pieces without the workflow: a reader returns one raw table in tidy form, e.g.
``read_nbs_provincial_csv("data/raw/nbs-provincial-2000-2019/国民经济核算/地区生产总值.csv")``
(columns ``province_code, year, variable, value, unit, source_file``; filter on ``variable``);
:func:`read_sources` reads all of them, :func:`pick` takes one series with its unit checked, and
:func:`build_panel` runs the whole stage in memory (the workflow script only writes its results).

Vocabulary shared by the data modules (they refer to it as "see :mod:`tfp_talent.data.build`"):

tidy frame
    A reader's output: ``province_code`` (6-digit GB/T 2260 code, int64), ``year`` (int64),
    ``variable`` (indicator without its unit), ``value`` (float64; NaN for empty cells and
    missing-value markers), ``unit`` (as the header states it), ``source_file``. National tables
    have no ``province_code``.
notes
    Optional list to which readers and the build append each message they log (national rows
    dropped, NaN counts, quirks), so the caller can report them.
missing_markers
    ``'nan'`` (default: NBS markers such as ``…`` or ``—`` become NaN and are counted) or
    ``'error'`` (a marker raises :class:`~tfp_talent.errors.InputError`); config ``data.missing_markers``.
raw_dir
    Folder of the raw files (``data/raw`` in the workflow); source paths are relative to it.
units
    As NBS prints them: 亿元 = 10⁸ yuan, 万元 = 10⁴ yuan, 万人 = 10⁴ persons, 人年 = person-years
    (full-time equivalent), 项 = items, 千美元 = 10³ US dollars, 上年=100 = previous year = 100.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tfp_talent.data import provinces, readers, readers_rda
from tfp_talent.data.codebook import build_codebook
from tfp_talent.data.definitions import (
    IMPUTATION_DEPENDENTS,
    KEYS,
    PANEL_COLUMNS,
    RAW_SERIES,
    SCHOOL_YEARS,
    SOURCES,
    SURVEY_SHARES,
    USD_RATE,
    VARIABLES,
    RawSeries,
)
from tfp_talent.data.validate import check_consistency, validate_panel
from tfp_talent.errors import InputError
from tfp_talent.logs import get_logger

IMPUTE_OPTIONS = ("none", "linear")
_log = get_logger("data")

_READERS = {
    "nbs_csv": readers.read_nbs_provincial_csv,
    "nbs_national_csv": readers.read_nbs_national_csv,
    "nbs_export": readers.read_nbs_export,
    "yearbook_rda": readers_rda.read_yearbook_rda,
}


@dataclass
class PanelBuild:
    """Result of :func:`build_panel`: the panel, its codebook, its gaps and the build's log lines.

    Attributes
    ----------
    panel
        One row per (province_code, year), 31 provinces x ``start..end``: the columns of
        :data:`~tfp_talent.data.definitions.PANEL_COLUMNS` in that order (keys int64, labels
        text, values float64), plus boolean ``<variable>_imputed`` flags with ``impute_survey_gaps='linear'``.
    codebook
        :func:`~tfp_talent.data.codebook.build_codebook` of ``panel``.
    missing
        :func:`missing_counts` of ``panel``: missing values per variable (rows) and year (columns).
    notes
        Every message logged during the build (quirks, NaN counts, passed checks, missing data), in order.
    """

    panel: pd.DataFrame
    codebook: pd.DataFrame
    missing: pd.DataFrame  # missing counts, one row per variable, one column per year
    notes: list[str] = field(default_factory=list)


def _note(notes: list[str], message: str, *, warning: bool = False) -> None:
    """Log ``message`` (as a warning if ``warning``) and append it to ``notes``."""
    (_log.warning if warning else _log.info)(message)
    notes.append(message)


def source_file(raw_dir: str | Path, key: str) -> Path:
    """Path of raw source ``key`` under ``raw_dir``: ``raw_dir / SOURCES[key][0]`` (KeyError if unknown)."""
    return Path(raw_dir) / SOURCES[key][0]


def read_sources(
    raw_dir: str | Path, *, missing_markers: str = "nan", notes: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Read every file of :data:`SOURCES` with its reader; key -> tidy frame.

    Reader names map to :func:`~tfp_talent.data.readers.read_nbs_provincial_csv` (``nbs_csv``),
    :func:`~tfp_talent.data.readers.read_nbs_national_csv`, :func:`~tfp_talent.data.readers.read_nbs_export`
    and :func:`~tfp_talent.data.readers_rda.read_yearbook_rda`. ``missing_markers`` and ``notes``:
    module docstring. Every file is read, including the cross-check exports, so a missing
    or damaged file stops the build here with the reader's :class:`InputError`.
    Returns ``{source key: tidy frame}`` in the order of :data:`SOURCES`.
    """
    out: dict[str, pd.DataFrame] = {}
    for key, (_, reader) in SOURCES.items():
        out[key] = _READERS[reader](source_file(raw_dir, key), missing_markers=missing_markers, notes=notes)
    return out


def pick(tidy: dict[str, pd.DataFrame], series: RawSeries, raw_dir: str | Path) -> pd.Series:
    """One raw series as a Series indexed by (province_code, year) (or year for national tables).

    Parameters
    ----------
    tidy
        Reader frames by source key (:func:`read_sources`).
    series
        The indicator and the unit its header must state (a :data:`RAW_SERIES` entry or :data:`USD_RATE`).
    raw_dir
        Only to name the file in errors.

    Returns the ``value`` column (float, NaN kept) named ``series.indicator``. Raises
    :class:`InputError` naming the file and the expected column when the indicator is missing
    (renamed header) or its header states another unit, e.g. 万元 where 亿元 is expected, so a
    silent change of scale in a raw file cannot reach the panel.

    E.g. ``pick(tidy, RAW_SERIES['gdp_nominal'], 'data/raw')`` is a Series named 地区生产总值 with a
    (province_code, year) index and 620 values (31 provinces x 2000-2019), in 亿元; the table it
    comes from holds 14 indicators (GDP, value added by sector, GDP per capita, ...).
    """
    frame = tidy[series.source]
    path = source_file(raw_dir, series.source)
    sub = frame.loc[frame["variable"] == series.indicator]
    if sub.empty:
        available = sorted(set(frame["variable"]))
        raise InputError(
            f"expected column not found (available: {', '.join(available[:12])})",
            file=path,
            column=series.header,
            hint="the header was renamed or removed; restore the raw file (see data/raw/PROVENANCE.md)",
        )
    units = sorted(set(sub["unit"]))
    if units != [series.unit]:
        raise InputError(
            f"unit is {', '.join(repr(u) for u in units)}, expected {series.unit!r}",
            file=path,
            column=series.header,
        )
    index = [c for c in KEYS if c in sub.columns]
    return sub.set_index(index)["value"].rename(series.indicator)


def _grid(start: int, end: int, data_years: list[int]) -> pd.MultiIndex:
    """Registry provinces x every year from min(start, data) to max(end, data), no gaps."""
    lo, hi = min(start, *data_years), max(end, *data_years)
    return pd.MultiIndex.from_product([list(provinces.CODES), list(range(lo, hi + 1))], names=list(KEYS))


def real_gdp(nominal: pd.DataFrame, index: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Real GDP at constant prices of ``base_year`` from a chained previous-year index.

    ``gdp_real[t] = gdp_nominal[base] * prod_{s=base+1..t} gdp_index[s] / 100`` for
    ``t >= base`` (NBS 地区生产总值指数, previous year = 100); a missing index makes
    every later year NaN (the chain is broken, not skipped). Years before the base
    are NaN. Both frames: provinces in rows, consecutive years in columns.

    The NBS index measures volume growth at the previous year's prices, so chaining it from one
    base year is the usual way to get provincial GDP at constant prices (a Laspeyres-type chain).
    Example: base 2000, nominal 100, index 108 in 2001 and 110 in 2002 -> real 100, 108, 118.8.
    The result is in 亿元 at ``base_year`` prices, so ``gdp_nominal / gdp_real`` is a deflator
    equal to 1 in the base year. Returns a frame shaped like ``nominal``.
    """
    years = [y for y in nominal.columns if y >= base_year]
    growth = (index[[y for y in years if y > base_year]] / 100.0).cumprod(axis=1, skipna=False)
    real = pd.DataFrame(np.nan, index=nominal.index, columns=nominal.columns)
    real[base_year] = nominal[base_year]
    for y in years[1:]:
        real[y] = nominal[base_year] * growth[y]
    return real


def _interpolate_inside(frame: pd.DataFrame) -> pd.DataFrame:
    """Linear interpolation along years (columns), only between observed years.

    x_t = x_a + (t - a) (x_b - x_a) / (b - a) for a < t < b, a and b the nearest observed years;
    leading and trailing gaps stay NaN (``limit_area='inside'``: nothing is extrapolated).
    E.g. a survey share 0.20 in 2009 and 0.24 in 2011 gives 0.22 in 2010; 2000 and 2001 stay NaN
    because no survey year precedes them.
    """
    return frame.interpolate(axis=1, method="linear", limit_area="inside")


def derive_panel(
    raw: pd.DataFrame, usd_rate: pd.Series, *, base_year: int, impute_survey_gaps: str = "none"
) -> pd.DataFrame:
    """Derive the panel variables from the wide raw frame (index province_code, year).

    ``raw`` has one column per :data:`RAW_SERIES` alias and a complete grid of
    consecutive years; ``usd_rate`` is yuan per 100 US dollars by year. The
    formulas are those of the ``derivation`` texts in
    :data:`tfp_talent.data.definitions.VARIABLES`; in the raw aliases:

    * gdp_real by :func:`real_gdp` (base ``base_year``); gdp_deflator = gdp_nominal / gdp_real;
    * working_age_share = survey_15_64 / survey_pop; working_age_pop = share x pop_yearend (万人);
    * edu_<level>_share = survey_<level> / (sum of the five attainment counts; NaN unless all five
      are present); avg_school_years = sum of share x :data:`SCHOOL_YEARS` (0, 6, 9, 12, 16);
      tertiary_share_15plus = survey_tertiary / (survey_pop - survey_0_14);
    * emp_nonfarm = emp_urban_units + emp_private + emp_individual (NaN if any part is);
    * labour_share = labour_compensation / gdp_income; researcher_share = rd_researchers_fte / rd_fte;
    * he_*_per10k = count (万人) / pop_yearend (万人) x 10⁴; rd_fte_per10k_wap = rd_fte / working_age_pop;
    * trade_gdp = trade_usd x 10³ x rate / 100 / (gdp_nominal x 10⁸), both sides in yuan;
      fiscal_exp_gdp, tertiary_va_share and urbanisation_rate are plain ratios to GDP / population.

    With ``impute_survey_gaps='linear'`` the :data:`SURVEY_SHARES` are interpolated first
    (:func:`_interpolate_inside`, over every year of ``raw``, also those outside the final window),
    the variables built from them use the interpolated values, and ``<col>_imputed`` flags mark
    the interpolated shares and, through :data:`IMPUTATION_DEPENDENTS`, every non-missing value
    derived from one. Units: levels as their source, ``gdp_real`` in 亿元 of ``base_year``,
    ``working_age_pop`` in 万人, shares and ratios dimensionless (trade and GDP both in yuan).
    E.g. Beijing 2019 on the shipped data (base 2000): gdp_nominal 35,445.1 亿元, gdp_real
    18,406.9 (2000 prices), gdp_deflator 1.93; tertiary_share 0.505, avg_school_years 12.68;
    trade_gdp 0.81; he_enrolment_per10k 279.3; rd_fte_per10k_wap 186.6 person-years per 10,000.
    Returns a frame on ``raw``'s index; raises :class:`InputError` for an
    ``impute_survey_gaps`` other than ``'none'`` / ``'linear'``.
    """
    if impute_survey_gaps not in IMPUTE_OPTIONS:
        raise InputError(
            f"must be one of {', '.join(IMPUTE_OPTIONS)}, not {impute_survey_gaps!r}",
            column="data.impute_survey_gaps",
        )
    out = pd.DataFrame(index=raw.index)
    wide = lambda s: s.unstack("year")  # noqa: E731 - province x year
    long = lambda f: f.stack(future_stack=True).reindex(raw.index)  # noqa: E731

    out["gdp_nominal"] = raw["gdp_nominal"]
    out["gdp_index"] = raw["gdp_index"]
    out["gdp_real"] = long(real_gdp(wide(raw["gdp_nominal"]), wide(raw["gdp_index"]), base_year))
    out["gdp_deflator"] = out["gdp_nominal"] / out["gdp_real"]
    out["pop_yearend"] = raw["pop_yearend"]

    shares = pd.DataFrame(index=raw.index)
    shares["working_age_share"] = raw["survey_15_64"] / raw["survey_pop"]
    edu_counts = raw[["survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"]]
    edu_total = edu_counts.sum(axis=1, min_count=5)
    for level in ("none", "primary", "junior", "senior", "tertiary"):
        shares[f"edu_{level}_share"] = raw[f"survey_{level}"] / edu_total
    # 15+ base: everyone with tertiary attainment is 15 or older, so the 6+ count over the 15+ sample population
    shares["tertiary_share_15plus"] = raw["survey_tertiary"] / (raw["survey_pop"] - raw["survey_0_14"])
    flags = pd.DataFrame(False, index=raw.index, columns=list(SURVEY_SHARES))
    if impute_survey_gaps == "linear":
        for col in SURVEY_SHARES:
            before = shares[col]
            after = long(_interpolate_inside(wide(before)))
            flags[col] = before.isna() & after.notna()
            shares[col] = after

    out["working_age_share"] = shares["working_age_share"]
    out["working_age_pop"] = shares["working_age_share"] * raw["pop_yearend"]
    out["emp_urban_units"] = raw["emp_urban_units"]
    out["emp_private"] = raw["emp_private"]
    out["emp_individual"] = raw["emp_individual"]
    out["emp_nonfarm"] = raw["emp_urban_units"] + raw["emp_private"] + raw["emp_individual"]
    out["labour_share"] = raw["labour_compensation"] / raw["gdp_income"]
    out["gfcf"] = raw["gfcf"]
    out["inv_price_index"] = raw["inv_price_index"]
    for col in (
        "edu_none_share",
        "edu_primary_share",
        "edu_junior_share",
        "edu_senior_share",
        "edu_tertiary_share",
    ):
        out[col] = shares[col]
    out["tertiary_share"] = shares["edu_tertiary_share"]
    out["avg_school_years"] = sum(shares[c] * w for c, w in SCHOOL_YEARS.items())
    out["tertiary_share_15plus"] = shares["tertiary_share_15plus"]
    out["he_enrolment_per10k"] = raw["he_enrolment"] / raw["pop_yearend"] * 1e4
    out["he_graduates_per10k"] = raw["he_graduates"] / raw["pop_yearend"] * 1e4
    out["rd_fte"] = raw["rd_fte"]
    out["rd_researchers_fte"] = raw["rd_researchers_fte"]
    out["rd_fte_per10k_wap"] = raw["rd_fte"] / out["working_age_pop"]
    out["researcher_share"] = raw["rd_researchers_fte"] / raw["rd_fte"]
    out["rd_expenditure"] = raw["rd_expenditure"]
    out["patents_granted"] = raw["patents_granted"]
    rate = pd.Series(raw.index.get_level_values("year"), index=raw.index).map(usd_rate)
    out["trade_gdp"] = (raw["trade_usd"] * 1e3 * rate / 100.0) / (raw["gdp_nominal"] * 1e8)
    out["fiscal_exp_gdp"] = raw["fiscal_exp"] / raw["gdp_nominal"]
    out["tertiary_va_share"] = raw["va_tertiary"] / raw["gdp_nominal"]
    out["urbanisation_rate"] = raw["pop_urban"] / raw["pop_yearend"]

    if impute_survey_gaps == "linear":
        for col in SURVEY_SHARES:
            out[f"{col}_imputed"] = flags[col].astype(bool)
        for col, deps in IMPUTATION_DEPENDENTS.items():
            out[f"{col}_imputed"] = flags[list(deps)].any(axis=1) & out[col].notna()
    return out


def _quirks(raw: pd.DataFrame, raw_dir: str | Path, notes: list[str]) -> None:
    """Log the known quirks of the sources (values are kept as published).

    Checked on ``raw``: Beijing 2012 expected undergraduate < junior-college graduates (the swap
    of PROVENANCE.md; warning); 城镇人口 values that are not whole persons (value x 10⁴ not an
    integer after rounding to 6 decimals); private-enterprise employment more than 5 times higher
    the next year (every earlier year of that province listed; warning); years in which urban-unit
    employment is published for only some provinces. The unused technical-personnel table is noted.

    On the shipped data all four fire: Beijing 2012 (3.7853 < 11.9139 万), 193 城镇人口 values,
    Beijing's private employment 2000-2001 (9.08 and 8.80 万 before a jump), and 2004 (12 provinces).
    """
    he = source_file(raw_dir, "higher_edu")
    try:
        ug = raw.at[(110000, 2012), "he_expected_grad_ug"]
        jc = raw.at[(110000, 2012), "he_expected_grad_jc"]
    except KeyError:
        ug = jc = np.nan
    if ug < jc:
        _note(
            notes,
            f"{he}: Beijing 2012 expected graduates look swapped (undergraduate {ug} < junior college {jc}); "
            "the panel uses only totals (在校学生数, 毕(结)业生数), which are unaffected",
            warning=True,
        )
    _note(
        notes,
        "科技/公有经济企事业单位专业技术人员数.csv (scope change in 2009, one stray Inner Mongolia 2016 value) is not used by the panel",
    )
    urban = raw["pop_urban"].dropna()
    long_dec = urban[(urban * 1e4).round(6) % 1 != 0]
    if len(long_dec):
        shown = ", ".join(f"({p}, {y}) {v!r}" for (p, y), v in long_dec.head(3).items())
        _note(
            notes,
            f"{source_file(raw_dir, 'population')}: {len(long_dec)} 城镇人口 values carry more than 4 decimals (e.g. {shown}); kept as published",
        )
    priv = raw["emp_private"].unstack("year")
    jump = (priv.shift(-1, axis=1) / priv) > 5  # next year more than 5 times this year's value
    low: list[tuple[int, int]] = []
    for code, row in jump.iterrows():
        if row.any():
            last = max(y for y, j in row.items() if j)
            low += [(code, y) for y in priv.columns if y <= last and pd.notna(priv.at[code, y])]
    if low:
        shown = ", ".join(f"({p}, {y}) {priv.at[p, y]:g}" for p, y in low)
        _note(
            notes,
            f"{source_file(raw_dir, 'emp_private')}: private-enterprise employment jumps more than 5-fold the next year "
            f"(probably a narrower scope before): {shown}; kept as published (emp_nonfarm is missing in those years anyway)",
            warning=True,
        )
    units = raw["emp_urban_units"].unstack("year").notna().sum()
    partial = units[(units > 0) & (units < len(provinces.CODES))]
    for year, n in partial.items():
        _note(
            notes,
            f"{source_file(raw_dir, 'emp_urban_units')}: 城镇单位就业人员 published for only {n} of 31 provinces in {year}; kept as published",
        )


def missing_counts(panel: pd.DataFrame) -> pd.DataFrame:
    """Missing values per variable (rows) and year (columns) of a keyed panel.

    Counts NaN of every value column (keys, labels and ``*_imputed`` flags excluded); returns an
    int64 frame indexed by ``variable`` with one integer column per year of ``panel``. On the
    shipped data e.g. ``rd_fte`` is 31 in 2000-2009 and 0 from 2010; ``gfcf`` 31 in 2018-2019.
    """
    values = [
        c
        for c in panel.columns
        if c not in (*KEYS, "province", "province_en", "region3", "region4") and not c.endswith("_imputed")
    ]
    counts = panel[values].isna().groupby(panel["year"]).sum().T
    counts.index.name = "variable"
    counts.columns = [int(c) for c in counts.columns]
    return counts.astype("int64")


def build_panel(
    raw_dir: str | Path = "data/raw",
    *,
    start: int = 2000,
    end: int = 2019,
    impute_survey_gaps: str = "none",
    missing_markers: str = "nan",
) -> PanelBuild:
    """Build, validate and document the provincial panel (31 provinces x ``start..end``).

    Reads the raw files of :data:`SOURCES` under ``raw_dir``; returns the panel with
    exactly the columns of :data:`PANEL_COLUMNS` (plus ``<variable>_imputed`` flags
    when ``impute_survey_gaps='linear'``), sorted by (province_code, year), its
    codebook and the missing counts. Raises :class:`InputError` (file, column,
    rows) for any bad input or failed validation; writes nothing.

    Parameters
    ----------
    raw_dir
        Folder of the raw files (module docstring); the codebook always names them
        under ``data/raw``, the layout of the repository.
    start, end
        Years of the panel (config ``years``). ``start`` is also the price base of ``gdp_real``,
        so it must have nominal GDP; ``start > end`` is refused.
    impute_survey_gaps
        ``'none'`` (default) or ``'linear'`` (module docstring; config ``data.impute_survey_gaps``).
    missing_markers
        Passed to the readers (module docstring).

    Steps: read (:func:`read_sources`), pick every :data:`RAW_SERIES` with its unit check
    (:func:`pick`), put them on the full province x year grid, log the quirks (:func:`_quirks`)
    and the passed consistency checks (:func:`~tfp_talent.data.validate.check_consistency`),
    derive (:func:`derive_panel`), keep ``start..end``, add the registry labels, log the missing
    counts and all-NaN columns, then :func:`~tfp_talent.data.validate.validate_panel`.

    Example, on the shipped data (about two seconds)::

        result = build_panel("data/raw", start=2000, end=2019)
        result.panel.shape                   # (620, 40)
        result.missing.loc["rd_fte", 2009]   # 31: the S&T yearbook series start in 2010
        result.notes[-1]                     # 'panel: 620 rows (31 provinces x 2000-2019), 40 columns'
    """
    if start > end:
        raise InputError(f"years.start ({start}) is after years.end ({end})", column="years")
    notes: list[str] = []
    tidy = read_sources(raw_dir, missing_markers=missing_markers, notes=notes)

    series = {alias: pick(tidy, s, raw_dir) for alias, s in RAW_SERIES.items()}
    data_years = sorted({int(y) for s in series.values() for y in s.index.get_level_values("year")})
    grid = _grid(start, end, data_years)
    raw = pd.DataFrame({alias: s.reindex(grid) for alias, s in series.items()}, index=grid)
    gdp_years = series["gdp_nominal"].dropna().index.get_level_values("year")
    if start not in set(gdp_years):
        raise InputError(
            f"years.start ({start}) has no nominal GDP (published {gdp_years.min()}-{gdp_years.max()}); "
            "real GDP is expressed in prices of years.start",
            file=source_file(raw_dir, "gdp"),
            column="years.start",
        )
    usd_rate = pick(tidy, USD_RATE, raw_dir)
    _quirks(raw, raw_dir, notes)
    for msg in check_consistency(tidy, raw_dir):
        _note(notes, msg)

    derived = derive_panel(raw, usd_rate, base_year=start, impute_survey_gaps=impute_survey_gaps)
    edu_dev = (
        raw[["survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"]].sum(
            axis=1, min_count=5
        )
        / raw["survey_pop6"]
        - 1
    ).abs()
    if edu_dev.notna().any():
        _note(
            notes,
            f"{source_file(raw_dir, 'survey_edu')}: attainment counts sum to the published 6+ total within {edu_dev.max():.2%} (shares use the sum of the five counts)",
        )

    window = derived.loc[derived.index.get_level_values("year").isin(range(start, end + 1))].reset_index()
    reg = provinces.registry_frame().set_index("province_code")
    labels = pd.DataFrame(
        {
            "province": window["province_code"].map(reg["name_short"]),
            "province_en": window["province_code"].map(reg["name_en"]),
            "region3": window["province_code"].map(reg["region3"]),
            "region4": window["province_code"].map(reg["region4"]),
        }
    )
    panel = pd.concat([window[list(KEYS)], labels, window.drop(columns=list(KEYS))], axis=1)
    flags = [c for c in panel.columns if c.endswith("_imputed")]
    panel = (
        panel[list(PANEL_COLUMNS) + flags].sort_values(list(KEYS), kind="mergesort").reset_index(drop=True)
    )
    panel = panel.astype({"province_code": "int64", "year": "int64"})
    for col in PANEL_COLUMNS[6:]:
        panel[col] = panel[col].astype("float64")

    if flags:
        counts = {c[: -len("_imputed")]: int(panel[c].sum()) for c in flags}
        _note(
            notes,
            "impute_survey_gaps=linear: interpolated values "
            + ", ".join(f"{k} {v}" for k, v in counts.items() if v),
            warning=True,
        )
    missing = missing_counts(panel)
    for var, row in missing.iterrows():
        gaps = {int(y): int(n) for y, n in row.items() if n}
        if gaps:
            _note(
                notes,
                f"missing {var}: "
                + ", ".join(f"{y}:{n}" for y, n in gaps.items())
                + f" (of 31 provinces; total {sum(gaps.values())})",
            )
    empty = [v.name for v in VARIABLES if v.name in panel and panel[v.name].isna().all()]
    if empty:
        _note(notes, f"all-NaN column(s) for years {start}-{end}: {', '.join(empty)}", warning=True)

    validate_panel(panel, start=start, end=end, raw_dir=raw_dir)
    codebook = build_codebook(panel, raw_dir="data/raw")
    _note(
        notes,
        f"panel: {len(panel)} rows ({panel['province_code'].nunique()} provinces x {start}-{end}), {panel.shape[1]} columns",
    )
    return PanelBuild(panel=panel, codebook=codebook, missing=missing, notes=notes)
