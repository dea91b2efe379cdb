"""Validation of the clean panel and consistency checks against national totals.

:func:`validate_panel` checks the built panel: keys non-null and unique, exactly
the 31 provinces and the configured years, shares in [0, 1] (labour share in
(0, 1)), strictly positive values where logs are taken downstream
(:data:`~tfp_talent.data.definitions.POSITIVE`), attainment shares summing to 1.

:func:`check_consistency` checks the raw sources against totals published
elsewhere:

* 2019 regular higher-education enrolment summed over the 31 provinces equals the
  national 3031.53 万人 (NBS national figure, see ``definitions.NATIONAL_HE_ENROLMENT``), within
  the rounding of the published figure (0.005 万);
* R&D personnel FTE, researchers' FTE and R&D expenditure summed over provinces
  equal the yearbook's own 全国 rows in every year (relative tolerance 1e-4: the
  yearbook rounds each province);
* the NBS web exports (nominal GDP xlsx; employment CSVs) agree with the provincial
  database series where both exist, within the exports' rounding (absolute 0.05 in the series'
  unit; 0.051 for private + individual employment, see ``definitions.CROSS_CHECKS``).

The tolerances are the rounding of the published numbers, not a judgement of fit: 0.005 万 is
half the last digit of 3031.53 (:data:`ENROLMENT_ATOL`, plus 1e-9 for the float sum); 1e-4 is
a bound on the yearbook's rounding of each province (measured at most 2.3e-05,
:data:`YEARBOOK_RTOL`); 0.05 is half of the 0.1 to which the employment exports are rounded.

Every failure raises :class:`~tfp_talent.errors.InputError` naming the file(s),
the column and the offending rows. The checks reject; they never change a value. Missing values
pass every range check (the missing counts are logged by the build instead), and a cross-check
compares only the years or province-years both sides publish.

What an error looks like (one line, wrapped here; a made-up value; the column's raw file named)::

    data/raw/nbs-provincial-2000-2019/国民经济核算/收入法地区生产总值.csv: column 'labour_share':
    share outside (0, 1) (rows: (110000, 2005, 1.02))

A failure points to a changed raw file or a wrong derivation: restore the file (``data/raw`` is
checksummed) or correct the definition rather than loosen a tolerance.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tfp_talent.data import provinces
from tfp_talent.data.definitions import (
    CROSS_CHECKS,
    KEYS,
    NATIONAL_HE_ENROLMENT,
    POSITIVE,
    RAW_SERIES,
    SCHOOL_YEARS,
    SHARES,
    RawSeries,
    source_paths,
    variable,
)
from tfp_talent.errors import InputError
from tfp_talent.io import require_unique_keys

#: Relative tolerance of province sums against the yearbook's national rows.
YEARBOOK_RTOL = 1e-4
#: Absolute tolerance of the enrolment check (the national figure has 2 decimals).
ENROLMENT_ATOL = 0.005 + 1e-9


def _files(raw_dir: str | Path, name: str) -> str:
    """The raw file(s) of panel column ``name`` joined by `` + `` (for the error's ``file``).

    ``data/processed/panel`` for a name without a definition, the registry module for the keys.
    """
    try:
        paths = source_paths(variable(name))
    except KeyError:
        return "data/processed/panel"
    return " + ".join(str(Path(raw_dir) / p) for p in paths) or "tfp_talent.data.provinces"


def validate_panel(panel: pd.DataFrame, *, start: int, end: int, raw_dir: str | Path = "data/raw") -> None:
    """Raise :class:`InputError` for the first failed check of the built panel.

    Checked in this order (``start``, ``end``: the configured years; ``raw_dir`` only names the
    raw files behind a failing column in the error):

    1. the keys (province_code, year) are present, never missing and unique
       (:func:`tfp_talent.io.require_unique_keys`);
    2. the provinces are exactly the 31 of the registry, the years exactly ``start..end``, and
       every province has every year (balanced);
    3. each column of ``SHARES`` lies in [0, 1] (``labour_share``, a factor share, strictly in
       (0, 1)); each column of ``POSITIVE`` is > 0 (logs are taken downstream);
    4. the five attainment shares sum to 1 (|sum - 1| <= 1e-9) and are either all present or all
       missing in a row.

    The error lists the offending (province_code, year, value) rows. Returns None when all pass.
    The balance and exact-year checks matter downstream: the threshold and spatial specifications
    need every province in every year (values may still be missing). E.g. the built panel
    without its first row fails with ``data/processed/panel: column 'year': unbalanced panel
    (rows: 110000: 19 years)``.
    """
    where = "data/processed/panel"
    require_unique_keys(panel, list(KEYS), file=where)
    codes = set(panel["province_code"].astype(int))
    expected = set(provinces.CODES)
    if codes != expected:
        raise InputError(
            "the panel must hold exactly the 31 provinces",
            file=where,
            column="province_code",
            rows=[f"missing {c}" for c in sorted(expected - codes)]
            + [f"unexpected {c}" for c in sorted(codes - expected)],
        )
    years = set(panel["year"].astype(int))
    want = set(range(start, end + 1))
    if years != want:
        raise InputError(
            f"the panel must hold years {start}-{end}",
            file=where,
            column="year",
            rows=[f"missing {y}" for y in sorted(want - years)]
            + [f"unexpected {y}" for y in sorted(years - want)],
        )
    n = panel.groupby("province_code")["year"].size()
    if (n != len(want)).any():
        raise InputError(
            "unbalanced panel",
            file=where,
            column="year",
            rows=[f"{c}: {k} years" for c, k in n[n != len(want)].items()],
        )

    def offending(mask: pd.Series, col: str) -> list[tuple[int, int, float]]:
        """Rows (entity-time keys) where ``mask`` is true, for error messages."""
        sub = panel.loc[mask]
        return [
            (int(p), int(y), float(v))
            for p, y, v in zip(sub["province_code"], sub["year"], sub[col], strict=True)
        ]

    edu = panel[list(SCHOOL_YEARS)]
    total = edu.sum(axis=1, min_count=len(SCHOOL_YEARS))
    # (message, column whose rows are listed, column(s) named, offending rows), checked in this order
    checks: list[tuple[str, str, str | list[str], pd.Series]] = []
    for col in (c for c in SHARES if c in panel):
        v = panel[col]
        if col == "labour_share":  # a factor share strictly inside (0, 1)
            checks.append(("share outside (0, 1)", col, col, v.notna() & ((v <= 0) | (v >= 1))))
        else:
            checks.append(("share outside [0, 1]", col, col, v.notna() & ((v < 0) | (v > 1))))
    for col in (c for c in POSITIVE if c in panel):
        v = panel[col]
        checks.append(("value must be positive (logs are taken of it)", col, col, v.notna() & ~(v > 0)))
    attainment = ("edu_tertiary_share", list(SCHOOL_YEARS))
    checks.append(
        ("attainment shares do not sum to 1", *attainment, total.notna() & ((total - 1).abs() > 1e-9))
    )
    checks.append(
        ("attainment shares partly missing", *attainment, edu.notna().any(axis=1) & edu.isna().any(axis=1))
    )
    for message, col, named, bad in checks:
        if bad.any():
            raise InputError(message, file=_files(raw_dir, col), column=named, rows=offending(bad, col))


def _series(tidy: dict[str, pd.DataFrame], s: RawSeries) -> pd.DataFrame:
    """The rows of ``s.indicator`` in the tidy frame of ``s.source`` (units checked by the build)."""
    frame = tidy[s.source]
    return frame.loc[frame["variable"] == s.indicator]


def check_consistency(tidy: dict[str, pd.DataFrame], raw_dir: str | Path = "data/raw") -> list[str]:
    """Check the raw sources against national totals and against each other.

    ``tidy`` maps source keys of :data:`SOURCES` to reader frames (as returned by
    :func:`tfp_talent.data.build.read_sources`). Returns one line per passed check;
    raises :class:`InputError` on the first failure. ``raw_dir`` is where the yearbook files are
    read again for their 全国 rows (the tidy frames no longer hold them) and names the files.

    1. Enrolment: for each year of ``NATIONAL_HE_ENROLMENT`` the table covers, all 31 provinces
       must be present and non-missing and |sum_p enrolment_p - national| <= 0.005 万
       (:data:`ENROLMENT_ATOL`); a year the table lacks is skipped.
    2. Yearbook: for R&D FTE, researchers' FTE and R&D expenditure, |sum_p x_pt / x_national,t - 1|
       <= :data:`YEARBOOK_RTOL` in every year with both values (the 全国 rows are read here with
       :func:`~tfp_talent.data.readers_rda.read_yearbook_national`).
    3. Exports: for each entry of ``CROSS_CHECKS``, |export_pt - sum of the database parts_pt| <= its
       tolerance in every province-year both publish; a larger gap points to another vintage.

    On the shipped data all pass, e.g. ``check: 2019 higher-education enrolment summed over 31
    provinces = 3031.5262 万 = national 3031.53 万`` and ``check: RDLaborHour.rda 合计 provinces sum
    to 全国 in 14 years (max relative gap 1.4e-05)``.
    """
    raw_dir = Path(raw_dir)
    passed: list[str] = []

    # 1. higher-education enrolment vs the published national total
    he = RAW_SERIES["he_enrolment"]
    enrol = _series(tidy, he)
    for year, national in NATIONAL_HE_ENROLMENT.items():
        rows = enrol.loc[enrol["year"] == year]
        if rows.empty:
            continue
        total = float(rows["value"].sum(min_count=1))
        if not abs(total - national) <= ENROLMENT_ATOL or rows["value"].isna().any() or len(rows) != 31:
            raise InputError(
                f"{year} enrolment summed over {rows['value'].notna().sum()} provinces is {total:.4f} 万, "
                f"but the national total is {national} 万 (China Statistical Yearbook 2020)",
                file=raw_dir / he.path,
                column=he.header,
                rows=[f"year {year}"],
            )
        passed.append(
            f"check: {year} higher-education enrolment summed over 31 provinces = {total:.4f} 万 = national {national} 万"
        )

    # 2. yearbook provinces vs the yearbook's 全国 rows
    from tfp_talent.data.readers_rda import read_yearbook_national

    national: dict[Path, pd.DataFrame] = {}
    for alias in ("rd_fte", "rd_researchers_fte", "rd_expenditure"):
        s = RAW_SERIES[alias]
        path = raw_dir / s.path
        if path not in national:
            national[path] = read_yearbook_national(path)
        nat = national[path]
        nat = nat.loc[nat["variable"] == s.indicator].set_index("year")["value"]
        prov = _series(tidy, s).groupby("year")["value"].sum(min_count=1)
        both = pd.concat([prov.rename("provinces"), nat.rename("national")], axis=1).dropna()
        rel = (both["provinces"] / both["national"] - 1).abs()
        bad = rel[rel > YEARBOOK_RTOL]
        if len(bad):
            raise InputError(
                f"provinces do not sum to the 全国 row (relative tolerance {YEARBOOK_RTOL:g})",
                file=path,
                column=s.indicator,
                rows=[
                    f"{y}: {both.at[y, 'provinces']:.0f} vs {both.at[y, 'national']:.0f}" for y in bad.index
                ],
            )
        if len(both):
            passed.append(
                f"check: {path.name} {s.indicator} provinces sum to 全国 in {len(both)} years (max relative gap {rel.max():.1e})"
            )

    # 3. NBS web exports vs the provincial database (same vintage, rounded to 0.1)
    for name, (export, parts, atol) in CROSS_CHECKS.items():
        ex = _series(tidy, export).set_index(list(KEYS))["value"]
        db = sum(_series(tidy, RAW_SERIES[p]).set_index(list(KEYS))["value"] for p in parts)
        both = pd.concat([ex.rename("export"), db.rename("database")], axis=1).dropna()
        gap = (both["export"] - both["database"]).abs()
        bad = gap[gap > atol]
        if len(bad):
            files = " vs ".join(
                [str(raw_dir / export.path)] + [str(raw_dir / RAW_SERIES[p].path) for p in parts]
            )
            raise InputError(
                f"export and provincial database disagree by more than {atol:g} (different vintage?)",
                file=files,
                column=export.header,
                rows=[
                    (p, y, both.at[(p, y), "export"], round(float(both.at[(p, y), "database"]), 4))
                    for p, y in bad.index
                ],
            )
        if len(both):
            passed.append(
                f"check: {Path(export.path).name} agrees with the provincial database for {name} "
                f"in {len(both)} province-years (max gap {gap.max():.3f})"
            )
    return passed
