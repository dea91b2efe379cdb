"""The shift-share instrument file of the workflow: exposure x national expansion by province and year.

Built by rule ``shift_share`` (``workflow/rules/history.smk``) from the functions of
:mod:`tfp_talent.data.history`, with the choices of config ``shift_share:``
(:data:`SHIFT_SHARE_DEFAULTS`, the same values as ``config/schema.yaml``):

    E_p   = C_p,capacity_year / P_p,2000          colleges per 10,000 people (exposure: per10k)
            or C_p,capacity_year / sum_q C_q      the province's share of the nation's colleges (share)
    g_t   = ln(S_{t-lag} / S_base_year)           the national expansion (shift: entrants or graduates)
    Z_pt  = E_p x g_t                             (Bartik 1991; Che & Zhang 2018, J. Finance 73(3))

C = municipal college counts summed to provinces (``china_univ_by_municipality.dta``), accepted for
the capacity year only if the provincial sums are within ``max_gap`` of the NBS national HEI count
(:func:`~tfp_talent.data.history.validate_college_counts`); P = 2000 year-end population of the
panel (the earliest provincial population shipped: a post-period denominator, one year into the
expansion). Alternative exposure: the panel's ``alternative.column`` in ``alternative.year``
(default: regular higher-education enrolment per 10,000 people in 2000, one year into the
expansion, so it partly reflects the shift itself).

Downstream, a specification that uses the instrument gets these columns joined onto the panel
by :func:`merge_shift_share`, and its result records the definitions (:func:`shift_share_record`).

Rule ``shift_share`` writes the frame to ``data/processed/shift_share.parquet`` and the summary
to ``shift_share.json`` and, through :func:`summary_markdown`, ``shift_share.md``.

Output columns (:data:`COLUMNS`): ``province_code, year, ss_exposure, ss_shift, ss_instrument,
ss_exposure_alt, ss_instrument_alt``. Nothing is filled: a province without a college count in the
capacity year stops the build (InputError naming it: the national check needs every province); a
province with a missing population or alternative-exposure value keeps missing exposure and
instrument values (named in the summary); a year whose lagged national value lies outside the
national series (1978-2014) has a missing shift.

Identification: with one national shift, all cross-sectional variation of Z_pt comes from the
exposure. In a balanced panel with province and year effects the within-transformed instrument
is (E_p - mean E)(g_t - mean g), so the first stage compares provinces with high and low
pre-expansion capacity as the expansion unfolds; the instrument is valid if E_p is as good as
randomly assigned given the controls (the exposure-exogeneity view of Goldsmith-Pinkham, Sorkin
& Swift 2020, AER 110(8), "Bartik Instruments: What, When, Why, and How"). Capacity measured
before 1999 keeps E_p free of the expansion itself; the alternative exposure (2000 enrolment) is
not, and serves as a robustness check only.

Settings (config ``shift_share:``; allowed values in ``config/schema.yaml``):

``capacity_year``      year of the college counts in E_p, 1985-1998 (default 1990)
``measure``            count summed to provinces: ``ncampus`` (all colleges) or ``nc_bach``
``exposure``           ``per10k`` (C / population) or ``share`` (C / national sum)
``population_year``    year of the panel's ``pop_yearend`` in the per10k denominator (2000)
``shift``              national series S: ``entrants`` (default), ``graduates`` or ``enrolment``
``lag``, ``base_year``, ``form``   of g_t: 4, 1998, ``log`` (or ``growth``: S_{t-lag}/S_base - 1)
``max_gap``            largest accepted |provincial sum / national HEIs - 1| (0.05)
``validation_years``   years whose gaps the summary reports (1985, 1990)
``alternative``        ``{column, year}`` of the panel for the alternative exposure
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.data import history, provinces
from tfp_talent.errors import InputError

#: Config ``shift_share:`` defaults (also stated in config/schema.yaml; tests/test_defaults.py checks both).
SHIFT_SHARE_DEFAULTS: dict[str, Any] = {
    "capacity_year": 1990,
    "measure": "ncampus",
    "exposure": "per10k",
    "population_year": 2000,
    "shift": "entrants",
    "lag": 4,
    "base_year": 1998,
    "form": "log",
    "max_gap": 0.05,
    "validation_years": [1985, 1990],
    "alternative": {"column": "he_enrolment_per10k", "year": 2000},
}
#: Columns of data/processed/shift_share.parquet.
COLUMNS: tuple[str, ...] = (
    "province_code",
    "year",
    "ss_exposure",
    "ss_shift",
    "ss_instrument",
    "ss_exposure_alt",
    "ss_instrument_alt",
)
KEYS = ("province_code", "year")
POPULATION_COLUMN = "pop_yearend"


def shift_share_settings(settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Config ``shift_share:`` completed with :data:`SHIFT_SHARE_DEFAULTS` (unknown keys refused).

    Given keys replace the defaults; ``alternative`` is merged key by key (giving only its
    ``year`` keeps the default column): ``{'alternative': {'year': 2001}, 'lag': 3}`` gives
    ``alternative = {'column': 'he_enrolment_per10k', 'year': 2001}`` and ``lag = 3``, the rest
    default; ``{'foo': 1}`` raises ``column 'shift_share.foo': unknown key(s) ...``. Types and
    ranges are the schema's business, not checked here. Returns a new dict (the defaults are
    never modified).
    """
    out = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in SHIFT_SHARE_DEFAULTS.items()}
    given = dict(settings or {})
    unknown = sorted(set(given) - set(out))
    if unknown:
        raise InputError(
            "unknown key(s) in shift_share settings", column=[f"shift_share.{k}" for k in unknown]
        )
    for key, value in given.items():
        out[key] = {**out[key], **dict(value)} if key == "alternative" else value
    return out


def build_shift_share(
    colleges: pd.DataFrame,
    national: pd.DataFrame,
    panel: pd.DataFrame,
    settings: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The instrument frame (:data:`COLUMNS`, every panel province x panel year) and its summary dict.

    ``colleges``: :func:`~tfp_talent.data.history.read_college_counts`; ``national``:
    :func:`~tfp_talent.data.history.read_national_education`; ``panel``: the clean panel (its years,
    ``pop_yearend`` of ``population_year`` and the alternative exposure column); ``settings``:
    config ``shift_share:`` (module docstring), completed by :func:`shift_share_settings`. The
    capacity year is validated first (InputError if its provincial sums miss the national HEI
    count by more than ``max_gap`` or if it is not before 1999).

    Columns: ``ss_exposure`` E_p (:func:`~tfp_talent.data.history.pre_expansion_capacity`),
    ``ss_shift`` g_t (:func:`~tfp_talent.data.history.national_shift`), ``ss_instrument`` =
    E_p x g_t, and ``ss_exposure_alt`` / ``ss_instrument_alt`` with the panel's alternative
    exposure (:func:`~tfp_talent.data.history.exposure_from_panel`); one row per panel province
    and year, sorted. The summary is :func:`~tfp_talent.data.history.history_summary` plus the
    keys of :func:`_describe`. Raises :class:`InputError` also when the panel lacks a needed
    column, a province has no count in the capacity year, or the panel has no ``population_year``.

    On the shipped data with the defaults: 620 rows; E_p runs from 0.0042 (Chongqing) to 0.0425
    (Beijing) colleges per 10,000 people, mean 0.0112; g_t is first positive in 2003 and missing
    only in 2019 (31 missing instrument values); the two exposures correlate 0.81 (Pearson) and
    0.43 (Spearman) across the 31 provinces.
    """
    s = shift_share_settings(settings)
    for col in (*KEYS, POPULATION_COLUMN, s["alternative"]["column"]):
        if col not in panel.columns:
            raise InputError("the panel lacks a column the shift-share instrument needs", column=col)
    years = sorted(int(y) for y in panel["year"].unique())
    codes = sorted(int(c) for c in panel["province_code"].unique())
    cap = colleges[colleges["year"] == int(s["capacity_year"])]
    gap = (
        cap.loc[cap[s["measure"]].isna(), "province_code"]
        if s["measure"] in cap
        else cap["province_code"][:0]
    )
    if len(gap):  # the national check needs every province: stop and name them (nothing is filled)
        raise InputError(
            f"no {s['measure']} count in capacity year {s['capacity_year']} for province(s) "
            + ", ".join(provinces.BY_CODE[int(c)].name_en for c in gap),
            column=s["measure"],
            rows=[int(c) for c in gap],
            hint="choose another shift_share.capacity_year in config/config.yaml",
        )
    summary = history.history_summary(
        colleges,
        national,
        capacity_year=int(s["capacity_year"]),
        measure=s["measure"],
        max_gap=float(s["max_gap"]),
        validation_years=s["validation_years"],
    )
    population = None
    if s["exposure"] == "per10k":
        pop = panel.loc[panel["year"] == int(s["population_year"]), ["province_code", POPULATION_COLUMN]]
        if pop.empty:
            raise InputError(
                f"the panel has no {POPULATION_COLUMN} for population_year {s['population_year']}",
                column="shift_share.population_year",
            )
        population = pop.set_index("province_code")[POPULATION_COLUMN]
    exposure = history.pre_expansion_capacity(
        colleges, population, year=int(s["capacity_year"]), measure=s["measure"], kind=s["exposure"]
    ).reindex(codes)
    alt = history.exposure_from_panel(
        panel, s["alternative"]["column"], year=int(s["alternative"]["year"])
    ).reindex(codes)
    shift_args = {
        "shift": s["shift"],
        "lag": int(s["lag"]),
        "base_year": int(s["base_year"]),
        "years": years,
        "form": s["form"],
    }
    shift = history.national_shift(national, **shift_args)
    main = history.shift_share_instrument(exposure.dropna(), national, **shift_args)
    other = history.shift_share_instrument(alt.dropna(), national, **shift_args)
    grid = pd.MultiIndex.from_product([codes, years], names=list(KEYS)).to_frame(index=False)
    frame = grid.assign(
        ss_exposure=grid["province_code"].map(exposure).astype("float64"),
        ss_shift=grid["year"].map(shift).astype("float64"),
    )
    frame = frame.merge(main.rename(columns={"value": "ss_instrument"}), on=list(KEYS), how="left")
    frame = frame.assign(ss_exposure_alt=frame["province_code"].map(alt).astype("float64"))
    frame = frame.merge(other.rename(columns={"value": "ss_instrument_alt"}), on=list(KEYS), how="left")
    frame = frame[list(COLUMNS)].sort_values(list(KEYS)).reset_index(drop=True)
    frame = frame.astype({"province_code": "int64", "year": "int64"})
    summary.update(_describe(frame, exposure, alt, colleges, population, s))
    return frame, summary


def _describe(
    frame: pd.DataFrame,
    exposure: pd.Series,
    alt: pd.Series,
    colleges: pd.DataFrame,
    population: pd.Series | None,
    s: Mapping[str, Any],
) -> dict[str, Any]:
    """Settings, per-province exposures, missing provinces and years, the shift by year (JSON-ready).

    Also the definitions in words (``exposure_definition``, ``shift_definition``,
    ``alternative_definition``), the first year with g_t > 0, summary statistics of E_p and the
    Pearson and Spearman correlations of the two exposures across provinces (None if n <= 2).
    ``exposure_stats``: n, mean, sample sd (n - 1), min and max of E_p over the provinces that have it.
    Provinces are listed by English name; ``shift`` maps each year (as text, for JSON) to g_t.
    """
    year, measure = int(s["capacity_year"]), s["measure"]
    counts = colleges[colleges["year"] == year].set_index("province_code")[measure]
    rows = []
    for code in exposure.index:
        p = provinces.BY_CODE[int(code)]
        rows.append(
            {
                "province_code": int(code),
                "province": p.name_short,
                "province_en": p.name_en,
                "colleges": _num(counts.get(code)),
                "population": None if population is None else _num(population.get(code)),
                "exposure": _num(exposure.get(code)),
                "exposure_alt": _num(alt.get(code)),
            }
        )
    by_year = frame.drop_duplicates("year").set_index("year")["ss_shift"]
    both = pd.DataFrame({"a": exposure, "b": alt}).dropna()
    return {
        "settings": dict(s),
        "columns": list(COLUMNS),
        "exposure_definition": (
            f"{measure} colleges in {year} per 10,000 people ({POPULATION_COLUMN} of {s['population_year']})"
            if s["exposure"] == "per10k"
            else f"province share of the nation's {measure} colleges in {year}"
        ),
        "shift_definition": (
            f"ln({s['shift']}_(t-{s['lag']}) / {s['shift']}_{s['base_year']})"
            if s["form"] == "log"
            else f"{s['shift']}_(t-{s['lag']}) / {s['shift']}_{s['base_year']} - 1"
        ),
        "alternative_definition": (
            f"{s['alternative']['column']} in {s['alternative']['year']}"
            + (
                " (one year into the 1999 expansion: it partly reflects the shift itself)"
                if int(s["alternative"]["year"]) >= history.EXPANSION_YEAR
                else ""
            )
        ),
        "provinces_missing_exposure": [
            provinces.BY_CODE[int(c)].name_en for c in exposure.index[exposure.isna()]
        ],
        "provinces_missing_exposure_alt": [provinces.BY_CODE[int(c)].name_en for c in alt.index[alt.isna()]],
        "years_missing_shift": [int(y) for y in by_year.index[by_year.isna()]],
        "first_positive_shift_year": next((int(y) for y, v in by_year.items() if v > 0), None),
        "shift": {str(int(y)): _num(v) for y, v in by_year.items()},
        "exposure_by_province": rows,
        "exposure_stats": {
            "n": int(exposure.notna().sum()),
            "mean": _num(exposure.mean()),
            "sd": _num(exposure.std()),
            "min": _num(exposure.min()),
            "max": _num(exposure.max()),
        },
        "exposure_correlation": {
            "pearson": _num(both["a"].corr(both["b"])) if len(both) > 2 else None,
            "spearman": _num(both["a"].corr(both["b"], method="spearman")) if len(both) > 2 else None,
            "n": len(both),
        },
        "n_rows": len(frame),
        "n_missing_instrument": int(frame["ss_instrument"].isna().sum()),
    }


def summary_markdown(summary: Mapping[str, Any]) -> str:
    """A short Markdown account of the summary dict: the rule, the validation table, exposures, gaps.

    ``summary``: the second value of :func:`build_shift_share`. Sections: the definitions and the
    validation rule, the gap table (year, provincial sum, national HEIs, gap, passes, usable), the
    exposure table by province, and the correlation of the two exposures. Returns the text.
    """
    s = summary["settings"]
    lines = [
        "# Shift-share instrument (1999 higher-education expansion)",
        "",
        f"- Exposure E_p: {summary['exposure_definition']}.",
        f"- Shift g_t: {summary['shift_definition']} (NBS national series; first positive in "
        f"{summary['first_positive_shift_year']}).",
        "- Instrument: ss_instrument = E_p × g_t; alternative ss_instrument_alt = "
        f"{summary['alternative_definition']} × g_t.",
        f"- Validation rule: {summary['rule']}; capacity year used: {summary['capacity_year']}.",
        f"- Provinces with missing exposure: {', '.join(summary['provinces_missing_exposure']) or 'none'}; "
        f"years with missing shift: {', '.join(map(str, summary['years_missing_shift'])) or 'none'} "
        "(nothing is filled).",
        "",
        "| year | provincial sum | national HEIs | gap | passes | usable |",
        "|---|---|---|---|---|---|",
    ]
    for r in summary["validation"]:
        lines.append(
            f"| {r['year']} | {_fmt(r['provincial_sum'], 0)} | {_fmt(r['national'], 0)} | "
            f"{_pct(r['rel_gap'])} | {'yes' if r['passes'] else 'no'} | {'yes' if r['usable'] else 'no'} |"
        )
    lines += [
        "",
        f"| province | colleges {s['capacity_year']} | population | E_p | alternative |",
        "|---|---|---|---|---|",
    ]
    for r in summary["exposure_by_province"]:
        lines.append(
            f"| {r['province_en']} | {_fmt(r['colleges'], 0)} | {_fmt(r['population'], 1)} | "
            f"{_fmt(r['exposure'], 4)} | {_fmt(r['exposure_alt'], 1)} |"
        )
    corr = summary["exposure_correlation"]
    lines += [
        "",
        f"Correlation of the two exposures across provinces: Pearson {_fmt(corr['pearson'], 2)}, "
        f"Spearman {_fmt(corr['spearman'], 2)} (n = {corr['n']}).",
        "",
    ]
    return "\n".join(lines)


def shift_share_record(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What a result of a spec using the instrument records about it (from the summary dict).

    Definitions, settings, the validation row of the capacity year, missing provinces and years.
    A plain dict copied out of ``summary`` (None for ``capacity_validation`` if the year has no row).
    :mod:`tfp_talent.study.jobs` stores it under ``shift_share`` in every result whose spec
    reads the instrument, so a reported IV estimate carries the instrument's definition.
    """
    cap = int(summary["capacity_year"])
    row = next((r for r in summary["validation"] if int(r["year"]) == cap), None)
    return {
        "exposure_definition": summary["exposure_definition"],
        "shift_definition": summary["shift_definition"],
        "alternative_definition": summary["alternative_definition"],
        "rule": summary["rule"],
        "capacity_year": cap,
        "capacity_validation": row,
        "first_positive_shift_year": summary["first_positive_shift_year"],
        "provinces_missing_exposure": list(summary["provinces_missing_exposure"]),
        "years_missing_shift": list(summary["years_missing_shift"]),
        "exposure_correlation": dict(summary["exposure_correlation"]),
        "settings": dict(summary["settings"]),
    }


def merge_shift_share(
    panel: pd.DataFrame, shift_share: pd.DataFrame, *, source: str = "data/processed/shift_share.parquet"
) -> pd.DataFrame:
    """Left-join the instrument columns onto ``panel`` by (province_code, year); a name clash is refused.

    ``shift_share``: the frame of :func:`build_shift_share` (as read from ``source``, named in the
    errors). Raises :class:`InputError` if it lacks a column of :data:`COLUMNS` or the panel has
    one already; pandas refuses a duplicated key (``validate='one_to_one'``). Panel rows and
    order are kept; a panel year outside the file gets missing instrument values.
    """
    missing = [c for c in COLUMNS if c not in shift_share.columns]
    if missing:
        raise InputError("the shift-share file lacks column(s)", file=source, column=missing)
    names = [c for c in COLUMNS if c not in KEYS]
    clash = [c for c in names if c in panel.columns]
    if clash:
        raise InputError("shift-share column(s) already in the panel", file=source, column=clash)
    return panel.merge(shift_share[list(COLUMNS)], on=list(KEYS), how="left", validate="one_to_one")


def _num(value: Any) -> float | None:
    """``float(value)``, or None for None / NaN."""
    return None if value is None or pd.isna(value) else float(value)


def _fmt(value: float | None, digits: int) -> str:
    """``value`` with thousands separators and ``digits`` decimals; '' for None / NaN / inf."""
    return "" if value is None or not np.isfinite(value) else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    """A signed percentage with two decimals (``+1.12%``); '' for None."""
    return "" if value is None else f"{value:+.2%}"
