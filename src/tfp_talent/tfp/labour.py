"""Labour input L and human capital h for the TFP measures (effective labour h·L).

No total employment (就业人员) by province exists in the raw data (data/raw/PROVENANCE.md),
so L is one of three documented proxies, chosen in ``config.yaml`` (``labour.source``):

* ``working_age`` (default): population aged 15–64 = working_age_share × year-end population;
* ``nonfarm``: urban-unit + private + individual employment (``emp_nonfarm``, 2008– only);
* ``csv``: a user file with columns ``province, year, value`` (any province spelling the
  registry knows) in the tidy user-series format of :mod:`tfp_talent.data.user_series`
  (read by its one reader), validated like a raw file: known provinces, integer years, no
  duplicate (province, year), values > 0, and complete for every province and sample year.

Human capital h = exp(φ(s)) from average years of schooling s with the piecewise-linear
Mincer returns of the Penn World Table: 13.4 % per year for years 0–4, 10.1 % for 4–8 and
6.8 % above 8 (Psacharopoulos 1994 returns, as used by Hall & Jones 1999 and Caselli 2005,
"Accounting for cross-country income differences", Handbook of Economic Growth 1A;
Feenstra, Inklaar & Timmer 2015, AER 105(10), PWT 8 human-capital index).

Survey gaps: the age and education shares come from the population sample survey, which
is empty for 2000, 2001 and 2010. With ``fill_gaps="inside"`` (the workflow default) the
working-age share and the years of schooling are interpolated linearly between survey
years inside a province (this fills 2010 only; 2000–2001 stay missing, so TFP starts in
2002). ``fill_gaps="interpolate"`` also holds the nearest survey year at the edges
(2000–2001 take 2002's value). Filled rows are flagged in ``labour_filled`` /
``hc_filled``. With ``fill_gaps="none"`` they stay missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tfp_talent.data.provinces import CODES
from tfp_talent.data.user_series import read_user_series
from tfp_talent.errors import InputError
from tfp_talent.io import require_columns
from tfp_talent.logs import get_logger

log = get_logger("tfp.labour")

#: (upper end of the schooling bracket in years, return per year): PWT / Caselli (2005).
PWT_MINCER_RETURNS: tuple[tuple[float, float], ...] = ((4.0, 0.134), (8.0, 0.101), (np.inf, 0.068))

LabourSource = Literal["working_age", "nonfarm", "csv"]
KEYS = ["province_code", "year"]


def mincer_phi(years: np.ndarray | pd.Series | float) -> np.ndarray:
    """φ(s) = 0.134·min(s, 4) + 0.101·min(max(s − 4, 0), 4) + 0.068·max(s − 8, 0).

    Piecewise-linear returns to schooling of the Penn World Table (Caselli 2005;
    Feenstra, Inklaar & Timmer 2015). NaN stays NaN; negative years raise InputError.

    The rates are :data:`PWT_MINCER_RETURNS` (Psacharopoulos 1994, "Returns to investment in
    education: a global update", World Development 22(9)); φ is continuous and concave, with
    φ(4) = 0.536, φ(8) = 0.940 and φ(12) = 1.212. ``years`` is a scalar or an array of
    average years of schooling of the population aged 6+ (``avg_school_years``); the result
    is a float array of the same shape.
    """
    s = np.asarray(years, dtype=float)
    if np.any(s[~np.isnan(s)] < 0):
        raise InputError("average years of schooling must be >= 0", column="avg_school_years")
    phi = np.zeros_like(s)
    lower = 0.0
    for upper, rate in PWT_MINCER_RETURNS:
        phi = phi + rate * np.clip(s - lower, 0.0, upper - lower)
        lower = upper
    return np.where(np.isnan(s), np.nan, phi)


def human_capital_index(years: np.ndarray | pd.Series | float) -> np.ndarray:
    """h = exp(φ(s)), the PWT human-capital index per worker (see :func:`mincer_phi`).

    h = 1 at s = 0 and h(12) = e^1.212 ≈ 3.36; effective labour is h·L. Same shape as ``years``.
    """
    return np.exp(mincer_phi(years))


def fill_survey_gaps(
    frame: pd.DataFrame,
    column: str,
    *,
    entity: str = "province_code",
    time: str = "year",
    extend: bool = True,
) -> tuple[pd.Series, pd.Series]:
    """Linear interpolation inside each entity; with ``extend`` also the nearest observed value at the edges.

    Returns the filled series and a bool flag (True where a value was filled).
    Entities with no observed value stay missing.

    Interpolation is linear in the row order within an entity (``time`` sorted), i.e. in the
    index of the sorted rows, not in calendar time: with one row per year the two coincide.
    ``extend=False`` is ``fill_gaps="inside"`` and ``extend=True`` ``"interpolate"`` of
    :func:`labour_input`. Both series are aligned with ``frame``'s index.
    """
    data = frame.sort_values([entity, time])

    def fill(s: pd.Series) -> pd.Series:
        """Linear fill inside one entity's series; also carried to the edges when ``extend``."""
        inside = s.interpolate(method="linear", limit_area="inside")
        return inside.ffill().bfill() if extend else inside

    filled = data.groupby(entity, sort=False)[column].transform(fill)
    flag = data[column].isna() & filled.notna()
    return filled.reindex(frame.index), flag.reindex(frame.index)


def read_labour_csv(
    path: str | Path, *, years: Sequence[int], provinces: Sequence[int] = CODES
) -> pd.DataFrame:
    """Read and validate a user labour file → ``province_code, year, labour``.

    The documented tidy format of user series (:mod:`tfp_talent.data.user_series`:
    UTF-8 CSV ``province, year, value``, optional ``# unit: ...`` line), read by
    :func:`~tfp_talent.data.user_series.read_user_series` with the raw-file rules: known
    provinces (national totals dropped and logged), integer years, numeric values > 0,
    no duplicate (province, year), every province of ``provinces`` × every year of
    ``years`` present. Each problem raises :class:`InputError` naming file, column, rows.

    The unit is the user's (recorded by the ``# unit:`` line if given); it only scales L, so it
    cancels in TFP growth and shifts ln TFP levels by a constant. Returns one row per province
    code and year, ``labour`` as float.
    """
    series = read_user_series(
        path, "labour", years=years, provinces=provinces, require_complete=True, positive=True
    )
    return series.frame[[*KEYS, "labour"]]


def labour_input(
    panel: pd.DataFrame,
    *,
    source: LabourSource = "working_age",
    human_capital: bool = True,
    fill_gaps: Literal["inside", "interpolate", "none"] = "interpolate",
    user_file: str | Path | None = None,
) -> pd.DataFrame:
    """Labour input L, human capital h and effective labour h·L per province and year.

    L by ``source`` (module docstring); h = exp(φ(avg_school_years)) with the PWT Mincer
    returns (:func:`mincer_phi`), or 1 when ``human_capital`` is False.

    Returns ``province_code, year, labour, labour_filled, avg_school_years, hc, hc_filled,
    labour_eff`` (labour in the unit of the source, 万人 for the built-in proxies;
    labour_eff = hc × labour). Missing stays NaN.

    Parameters
    ----------
    panel
        The clean panel keyed by ``province_code, year``: ``working_age_share`` (share of the
        population aged 15–64, a fraction) and ``pop_yearend`` (万人) for ``working_age``,
        ``emp_nonfarm`` (万人) for ``nonfarm``, ``avg_school_years`` for ``human_capital``.
        ``<col>_imputed`` columns, when present, are carried into the filled flags.
    source
        ``working_age``, ``nonfarm`` or ``csv`` (module docstring).
    human_capital
        Multiply L by h; False gives hc = 1 and ``avg_school_years`` NaN.
    fill_gaps
        ``inside``, ``interpolate`` or ``none`` (module docstring, :func:`fill_survey_gaps`);
        applies to the working-age share and the years of schooling, not to a user file.
    user_file
        The CSV for ``source="csv"`` (:func:`read_labour_csv`), which must cover every province
        and year of ``panel``.

    Raises
    ------
    InputError
        An unknown ``source`` or ``fill_gaps``, a missing input column, ``csv`` without
        ``user_file`` (and the errors of :func:`read_labour_csv`), or labour <= 0 in some row.
    """
    if source not in ("working_age", "nonfarm", "csv"):
        raise InputError(
            f"unknown labour source '{source}' (use working_age, nonfarm or csv)", column="labour.source"
        )
    if fill_gaps not in ("inside", "interpolate", "none"):
        raise InputError(
            f"unknown fill_gaps '{fill_gaps}' (use inside, interpolate or none)", column="labour.fill_gaps"
        )
    require_columns(panel, KEYS)
    out = panel[KEYS].copy()
    flag_prior = lambda col: (  # noqa: E731 - data-stage imputation flags, when present
        panel[f"{col}_imputed"].fillna(False).astype(bool)
        if f"{col}_imputed" in panel
        else pd.Series(False, index=panel.index)
    )
    if source == "working_age":
        require_columns(panel, ["working_age_share", "pop_yearend"])
        share = panel["working_age_share"]
        filled = pd.Series(False, index=panel.index)
        if fill_gaps != "none":
            share, filled = fill_survey_gaps(panel, "working_age_share", extend=fill_gaps == "interpolate")
        out["labour"] = (share * panel["pop_yearend"]).to_numpy()
        out["labour_filled"] = (filled | flag_prior("working_age_share")).to_numpy()
    elif source == "nonfarm":
        require_columns(panel, ["emp_nonfarm"])
        out["labour"] = panel["emp_nonfarm"].to_numpy()
        out["labour_filled"] = flag_prior("emp_nonfarm").to_numpy()
    else:
        if user_file is None:
            raise InputError("labour.source is csv but no labour.file is given", column="labour.file")
        years = sorted(int(y) for y in panel["year"].unique())
        provinces = sorted(int(c) for c in panel["province_code"].unique())
        user = read_labour_csv(user_file, years=years, provinces=provinces)
        out["labour"] = out.merge(user, on=KEYS, how="left")["labour"].to_numpy()
        out["labour_filled"] = False
    if human_capital:
        require_columns(panel, ["avg_school_years"])
        school = panel["avg_school_years"]
        hc_filled = pd.Series(False, index=panel.index)
        if fill_gaps != "none":
            school, hc_filled = fill_survey_gaps(panel, "avg_school_years", extend=fill_gaps == "interpolate")
        out["avg_school_years"] = school.to_numpy()
        out["hc"] = human_capital_index(school.to_numpy())
        out["hc_filled"] = (hc_filled | flag_prior("avg_school_years")).to_numpy()
    else:
        out["avg_school_years"] = np.nan
        out["hc"] = 1.0
        out["hc_filled"] = False
    out["labour_eff"] = out["hc"] * out["labour"]
    bad = out["labour"] <= 0
    if bad.any():
        rows = [tuple(r) for r in out.loc[bad, KEYS].itertuples(index=False, name=None)]
        raise InputError("labour input must be > 0", column="labour", rows=rows)
    n_missing = int(out["labour_eff"].isna().sum())
    log.info(
        "labour input: source=%s, human capital=%s, fill_gaps=%s; %d filled labour rows, %d filled schooling rows, "
        "%d rows without effective labour",
        source,
        human_capital,
        fill_gaps,
        int(out["labour_filled"].sum()),
        int(out["hc_filled"].sum()),
        n_missing,
    )
    cols = [*KEYS, "labour", "labour_filled", "avg_school_years", "hc", "hc_filled", "labour_eff"]
    return out[cols].sort_values(KEYS).reset_index(drop=True)
