"""Physical capital stock by the perpetual inventory method (PIM).

    K_t = (1 - delta) K_{t-1} + I_t / P_t

Zhang, Wu & Zhang (2004), 中国省际物质资本存量估算: 1952—2000, 经济研究 (10): 35–44;
Zhang (2008), Estimation of China's provincial capital stock (1952–2004) with
applications, J. Chinese Econ. Bus. Stud. 6(2): 177–196. The provincial series
follow the R package CHNCapitalStock 0.1.1 (Chen & Wan 2021, 统计与决策 37(9);
github.com/common2016/CapitalStock, function ``CompK_ZJ``), whose data file
``asset.rda`` ships with the project (investment ``invest`` = gross fixed capital
formation, 亿元 current prices; ``InvestPrice`` = investment deflator, 1952 = 1).

:func:`perpetual_inventory` works on any panel of investment and a fixed-base
deflator; :func:`china_capital_stock` adds the package's province rules:

* initial stock K_1952 = I_1952 / 0.1 (Zhang et al. 2004), or the Hall & Jones
  (1999) steady-state rule K_0 = I_0 / (g + delta) with g the average growth
  rate of real investment over the first ``hj_years`` years;
* Chongqing starts in 1996 with Sichuan's price base (its ``InvestPrice`` is on
  Sichuan's 1952 = 1 scale) and initial stock K_1996 = 1090 × 313 / 850
  (Sichuan's 1995 stock × Chongqing's share of 1996 investment, 313.61/850.35);
* Tibet's deflator is 1 up to 1989 and the retail price index from 1990; this
  rule is built into ``asset.rda`` (checked and logged here, nothing to compute).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from tfp_talent.data.provinces import BY_CODE, TIBET
from tfp_talent.data.readers_rda import read_asset_rda
from tfp_talent.errors import InputError
from tfp_talent.io import require_columns
from tfp_talent.logs import get_logger
from tfp_talent.tfp.checks import complete_panel

log = get_logger("tfp.capital")

ZHANG_DELTA = 0.096
ZHANG_INITIAL_RATE = 0.1
PACKAGE_BASE_YEAR = 1952
SICHUAN = 510000
CHONGQING = 500000
CHONGQING_START = 1996
#: CHNCapitalStock's Chongqing initial stock (1996, 1952 prices): Sichuan's 1995 stock
#: 1090 × Chongqing's share of 1996 investment 313 / 850 (R/CompK_ZJ.R).
CHONGQING_INITIAL_PACKAGE = 1090 * 313 / 850
TIBET_UNIT_DEFLATOR_BEFORE = 1990

InitialRule = Literal["zhang", "hall_jones"]


def perpetual_inventory(
    frame: pd.DataFrame,
    *,
    entity: str,
    time: str,
    investment: str,
    price: str,
    delta: float = ZHANG_DELTA,
    initial: InitialRule = "zhang",
    initial_rate: float = ZHANG_INITIAL_RATE,
    hj_years: int = 10,
    initial_stock: Mapping[object, float] | None = None,
    base_year: int | None = None,
    base_price: Mapping[object, float] | None = None,
    source: str | Path | None = None,
) -> pd.DataFrame:
    """Real capital stock K_t = (1 - delta) K_{t-1} + I_t / P_t, entity by entity.

    Zhang, Wu & Zhang (2004); Zhang (2008). Real investment is I_t / P_t with ``price``
    a fixed-base deflator (any base). The first year t0 of each entity gets the
    initial stock and its own investment enters only through it (as in CompK_ZJ):

    * ``initial="zhang"``: K_t0 = (I_t0 / P_t0) / ``initial_rate`` (0.1, Zhang et al. 2004);
    * ``initial="hall_jones"``: K_t0 = (I_t0 / P_t0) / (g + delta), Hall & Jones (1999,
      QJE 114(1)), where g = (RI_{t0+n} / RI_t0)^(1/n) - 1 is the average (geometric)
      annual growth of real investment RI over the first n = min(``hj_years``, T - 1) years;
    * ``initial_stock`` (entity -> stock in the deflator's prices) overrides both.

    With ``base_year`` the result is converted to constant prices of that year:
    K × P_base, where P_base is the entity's deflator in ``base_year`` unless
    ``base_price`` gives it. Years must be consecutive within an entity; negative
    investment (disinvestment) is kept, with a warning, as the source package does.

    Parameters
    ----------
    frame
        Long panel, one row per (entity, time); ``investment`` in current prices (any unit),
        ``price`` a fixed-base investment deflator, > 0.
    entity, time, investment, price
        Column names; ``time`` holds whole years.
    delta
        Geometric depreciation rate in [0, 1); 0.096 is Zhang et al.'s (2004) 9.6 %.
    initial, initial_rate, hj_years, initial_stock
        The initial-stock rule and its settings (list above).
    base_year, base_price
        Price base of the result: None keeps the deflator's own base.
    source
        File named in error messages.

    Returns
    -------
    pandas.DataFrame
        ``entity, time, capital, investment_real, price_index`` sorted by entity and time, with
        capital K_t and real investment I_t / P_t in prices of ``base_year`` (price_index = P / P_base).

    Raises
    ------
    InputError
        ``delta`` outside [0, 1), an unknown ``initial``, ``initial_rate`` <= 0 or ``hj_years`` < 1;
        missing, duplicate or non-numeric values, a deflator <= 0
        (:func:`~tfp_talent.tfp.checks.complete_panel`); a year missing inside an entity's span;
        ``base_year`` outside an entity's years without a ``base_price``; a Hall–Jones start
        without positive real investment.
    """
    if not 0 <= delta < 1:
        raise InputError(f"depreciation rate must be in [0, 1), got {delta}", column="delta")
    if initial not in ("zhang", "hall_jones"):
        raise InputError(
            f"unknown initial-stock rule '{initial}' (use zhang or hall_jones)", column="initial"
        )
    if initial_rate <= 0:
        raise InputError(f"initial_rate must be > 0, got {initial_rate}", column="initial_rate")
    if hj_years < 1:
        raise InputError(f"hj_years must be >= 1, got {hj_years}", column="hj_years")
    data = complete_panel(
        frame, entity=entity, time=time, columns=[investment, price], positive=[price], file=source
    )
    negative = data[investment] < 0
    if negative.any():  # kept, as in CompK_ZJ (asset.rda has Fujian 1967-1968 < 0)
        rows = [tuple(r) for r in data.loc[negative, [entity, time]].itertuples(index=False, name=None)]
        log.warning("negative investment kept in the perpetual inventory: %s", rows)
    initial_stock = dict(initial_stock or {})
    base_price = dict(base_price or {})
    pieces: list[pd.DataFrame] = []
    for ent, grp in data.groupby(entity, sort=True):
        years = grp[time].to_numpy()
        if np.any(np.diff(years) != 1):
            missing = sorted(set(range(int(years[0]), int(years[-1]) + 1)) - {int(y) for y in years})
            raise InputError(
                "the perpetual inventory needs consecutive years; missing (entity, year)",
                file=source,
                column=time,
                rows=[(ent, y) for y in missing],
            )
        real = grp[investment].to_numpy(dtype=float) / grp[price].to_numpy(dtype=float)
        if ent in initial_stock:
            k0 = float(initial_stock[ent])
        elif initial == "zhang":
            k0 = real[0] / initial_rate
        else:
            k0 = real[0] / (_hall_jones_growth(real, hj_years, ent, source) + delta)
        capital = np.empty(len(real))
        capital[0] = k0
        for i in range(1, len(real)):
            capital[i] = capital[i - 1] * (1.0 - delta) + real[i]
        factor = 1.0
        if base_year is not None:
            if ent in base_price:
                factor = float(base_price[ent])
            elif base_year in set(years.tolist()):
                factor = float(grp.loc[grp[time] == base_year, price].iloc[0])
            else:
                raise InputError(
                    f"base year {base_year} is outside the entity's years {int(years[0])}–{int(years[-1])}",
                    file=source,
                    column=time,
                    rows=[ent],
                )
        pieces.append(
            pd.DataFrame(
                {
                    entity: grp[entity].to_numpy(),
                    time: years,
                    "capital": capital * factor,
                    "investment_real": real * factor,
                    "price_index": grp[price].to_numpy(dtype=float) / factor,
                }
            )
        )
    return pd.concat(pieces, ignore_index=True)


def _hall_jones_growth(real: np.ndarray, hj_years: int, ent: object, source: str | Path | None) -> float:
    """g = (RI_n / RI_0)^(1/n) − 1, n = min(``hj_years``, T − 1): mean geometric growth of real investment.

    The g of the Hall & Jones (1999) steady-state start K_0 = RI_0 / (g + delta). Raises
    :class:`InputError` naming the entity unless RI_0 > 0 and RI_n > 0 (and T >= 2).
    """
    n = min(hj_years, len(real) - 1)
    if n < 1 or real[0] <= 0 or real[n] <= 0:
        raise InputError(
            "the Hall–Jones initial stock needs positive real investment in the first year and "
            f"{hj_years} years later",
            file=source,
            rows=[ent],
        )
    return float((real[n] / real[0]) ** (1.0 / n) - 1.0)


def asset_frame(asset: pd.DataFrame, *, source: str | Path | None = None) -> pd.DataFrame:
    """Wide investment frame ``province_code, year, invest, invest_price`` (deflator 1952 = 1).

    Accepts the tidy long frame of :func:`tfp_talent.data.readers_rda.read_asset_rda`
    (``province_code, year, variable, value, ...``) or a wide frame that already has
    ``province_code, year, invest`` and ``invest_price`` (or ``InvestPrice``).

    ``invest`` is gross fixed capital formation in 亿元 at current prices and ``invest_price`` the
    investment deflator on the 1952 = 1 base (Chongqing's on Sichuan's base, module docstring).
    The result has int64 keys and is sorted by province and year; a missing column raises
    :class:`InputError` naming ``source``.
    """
    if {"variable", "value"} <= set(asset.columns):
        wide = asset.pivot(index=["province_code", "year"], columns="variable", values="value").reset_index()
        wide.columns.name = None
    else:
        wide = asset.copy()
    wide = wide.rename(columns={"InvestPrice": "invest_price"})
    require_columns(wide, ["province_code", "year", "invest", "invest_price"], file=source)
    out = wide[["province_code", "year", "invest", "invest_price"]].astype(
        {"province_code": "int64", "year": "int64"}
    )
    return out.sort_values(["province_code", "year"], kind="mergesort").reset_index(drop=True)


def read_asset(path: str | Path, *, notes: list[str] | None = None) -> pd.DataFrame:
    """``asset.rda`` read by :func:`tfp_talent.data.readers_rda.read_asset_rda`, as :func:`asset_frame`."""
    return asset_frame(read_asset_rda(path, notes=notes), source=path)


def china_capital_stock(
    asset: pd.DataFrame,
    *,
    delta: float = ZHANG_DELTA,
    initial: InitialRule = "zhang",
    initial_rate: float = ZHANG_INITIAL_RATE,
    hj_years: int = 10,
    base_year: int | None = 2000,
    chongqing_initial: Literal["package", "proportional"] = "package",
    package_rebase: bool = False,
    source: str | Path | None = None,
) -> pd.DataFrame:
    """Provincial capital stock 1952– from ``asset.rda`` by CHNCapitalStock's ``CompK_ZJ`` rules.

    K_t = (1 - delta) K_{t-1} + I_t / P_t; K_1952 = I_1952 / 0.1 (Zhang et al. 2004) or the
    Hall–Jones rule (see :func:`perpetual_inventory`). Chongqing: from 1996, deflator on
    Sichuan's base, K_1996 = 1090 × 313 / 850 (``chongqing_initial="package"``, the package's
    constant whatever delta) or Sichuan's 1995 stock under the current rule × Chongqing's
    share of 1996 investment (``"proportional"``, the rule that constant approximates).

    Prices: computed in 1952 prices (deflator 1952 = 1), then the whole series is
    multiplied by P_base, the deflator in ``base_year`` (for Chongqing before 1996:
    Sichuan's, as in the package). ``package_rebase=True`` instead mimics
    ``CompK(bt=base_year)``, which rebases the deflator but leaves the initial stock in
    1952 yuan (only useful to reproduce the package's own test values).

    Parameters
    ----------
    asset
        ``asset.rda`` as read by :func:`read_asset` (long or wide, see :func:`asset_frame`).
    delta, initial, initial_rate, hj_years
        As in :func:`perpetual_inventory` (the package's defaults: 0.096, ``zhang``, 0.1).
    base_year
        Constant-price year of the result (2000 by default; None or 1952 keeps 1952 prices).
    chongqing_initial
        ``package`` or ``proportional`` (above).
    package_rebase
        Reproduce ``CompK(bt=...)`` instead of a full rebase (above).

    Returns
    -------
    pandas.DataFrame
        ``province_code, year, capital, investment_real, price_index, investment``
        (亿元; constant prices of ``base_year``; price_index = 1 in ``base_year``; ``investment``
        is the current-price ``invest``). Logs (no error) a deflator that is not 1 in 1952, a
        Chongqing series that does not start in 1996 and Tibet's deflator rule.

    Raises
    ------
    InputError
        An unknown ``chongqing_initial``, a ``base_year`` outside a province's years, and every
        error of :func:`perpetual_inventory`.
    """
    data = asset_frame(asset, source=source)
    if chongqing_initial not in ("package", "proportional"):
        raise InputError(
            f"unknown Chongqing rule '{chongqing_initial}' (use package or proportional)",
            column="chongqing_initial",
        )
    _check_tibet(data)
    price_1952 = data.loc[data["year"] == PACKAGE_BASE_YEAR, "invest_price"]
    if len(price_1952) and not np.allclose(price_1952, 1.0):
        log.warning("asset deflator is not 1 in 1952 for every province; the 1952 = 1 base is assumed")
    common = dict(
        entity="province_code", time="year", investment="invest", price="invest_price", source=source
    )
    rule = dict(delta=delta, initial=initial, initial_rate=initial_rate, hj_years=hj_years)
    cq = data["province_code"] == CHONGQING
    rest = perpetual_inventory(data.loc[~cq], **common, **rule)
    pieces = [rest]
    if cq.any():
        cq_data = data.loc[cq]
        if int(cq_data["year"].min()) != CHONGQING_START:
            log.warning(
                "Chongqing starts in %d, not %d as in asset.rda", int(cq_data["year"].min()), CHONGQING_START
            )
        if chongqing_initial == "package":
            k0 = CHONGQING_INITIAL_PACKAGE
        else:
            sc = rest.loc[rest["province_code"] == SICHUAN].set_index("year")
            start = int(cq_data["year"].min())
            share = float(
                cq_data.loc[cq_data["year"] == start, "invest"].iloc[0]
                / data.loc[(data["province_code"] == SICHUAN) & (data["year"] == start), "invest"].iloc[0]
            )
            k0 = float(sc.loc[start - 1, "capital"]) * share
        pieces.append(perpetual_inventory(cq_data, **common, **rule, initial_stock={CHONGQING: k0}))
    out = pd.concat(pieces, ignore_index=True).sort_values(["province_code", "year"]).reset_index(drop=True)
    out = out.merge(data[["province_code", "year", "invest"]], on=["province_code", "year"], how="left")
    out = out.rename(columns={"invest": "investment"})
    if base_year is None or (base_year == PACKAGE_BASE_YEAR and not package_rebase):
        return out
    factors = _base_prices(data, base_year)
    if package_rebase:
        return _package_rebase(out, factors, delta)
    f = out["province_code"].map(factors).to_numpy(dtype=float)
    out["capital"] = out["capital"] * f
    out["investment_real"] = out["investment_real"] * f
    out["price_index"] = out["price_index"] / f
    return out


def _base_prices(data: pd.DataFrame, base_year: int) -> dict[int, float]:
    """Deflator (1952 = 1) in ``base_year`` per province; Chongqing before 1996 uses Sichuan's."""
    at_base = data.loc[data["year"] == base_year].set_index("province_code")["invest_price"]
    factors: dict[int, float] = {}
    for code in data["province_code"].unique():
        code = int(code)
        if code in at_base.index:
            factors[code] = float(at_base.loc[code])
        elif code == CHONGQING and SICHUAN in at_base.index:
            factors[code] = float(at_base.loc[SICHUAN])
        else:
            raise InputError(
                f"base year {base_year} is not covered by the investment data of {BY_CODE[code].name_en}",
                column="base_year",
            )
    return factors


def _package_rebase(out: pd.DataFrame, factors: Mapping[int, float], delta: float) -> pd.DataFrame:
    """CompK(bt=...): deflator divided by P_bt but the initial stock kept in 1952 yuan.

    With f = P_bt (1952 = 1) and K_t the 1952-price stock from initial stock K_t0:
    K^pkg_t = (1 − delta)^(t − t0) K_t0 + f [K_t − (1 − delta)^(t − t0) K_t0], i.e. only the
    investment flows are rebased; real investment is × f and the price index ÷ f.
    """
    out = out.copy()
    for code, grp in out.groupby("province_code", sort=False):
        f = factors[int(code)]
        k = grp["capital"].to_numpy()
        age = np.arange(len(k))
        k0_part = k[0] * (1.0 - delta) ** age  # the initial stock's depreciated remainder
        out.loc[grp.index, "capital"] = k0_part + f * (k - k0_part)
        out.loc[grp.index, "investment_real"] = grp["investment_real"].to_numpy() * f
        out.loc[grp.index, "price_index"] = grp["price_index"].to_numpy() / f
    return out


def _check_tibet(data: pd.DataFrame) -> None:
    """Log whether Tibet's deflator is 1 before 1990, the rule CHNCapitalStock builds into ``asset.rda``."""
    early = data.loc[
        (data["province_code"] == TIBET) & (data["year"] < TIBET_UNIT_DEFLATOR_BEFORE), "invest_price"
    ]
    if len(early) and np.allclose(early, 1.0):
        log.info(
            "Tibet: investment deflator is 1 before %d (CHNCapitalStock rule), as expected",
            TIBET_UNIT_DEFLATOR_BEFORE,
        )
    elif len(early):
        log.warning(
            "Tibet: investment deflator is not 1 before %d, unlike CHNCapitalStock's rule",
            TIBET_UNIT_DEFLATOR_BEFORE,
        )


def compare_investment(
    asset: pd.DataFrame, panel: pd.DataFrame, *, column: str = "gfcf", years: tuple[int, int] = (2000, 2017)
) -> dict[str, object]:
    """Compare ``asset.rda`` investment with the panel's NBS expenditure-approach GFCF.

    Returns the number of province-years compared, the share identical to 0.01 %, the
    largest absolute (亿元) and relative deviation (asset / gfcf - 1) with their
    province and year, and the five largest relative deviations.

    ``panel`` needs ``province_code, year`` and ``column`` (亿元, current prices); only
    province-years in ``years`` (inclusive) with both series present are compared. Keys of the
    result: ``years, n_compared, share_identical_1e-4, max_abs_diff, max_rel_diff`` (each
    ``{province, year, value}``) and ``largest`` (records of province, year, invest, ``column``,
    abs_diff, rel_diff). Raises :class:`InputError` when no province-year is in both.
    """
    data = asset_frame(asset)
    m = data.merge(panel[["province_code", "year", column]], on=["province_code", "year"], how="inner")
    m = m.loc[m["year"].between(*years) & m[column].notna()].copy()
    if m.empty:
        raise InputError(
            f"no province-years with both asset investment and {column} in {years[0]}–{years[1]}"
        )
    m["abs_diff"] = m["invest"] - m[column]
    m["rel_diff"] = m["invest"] / m[column] - 1.0
    m["province"] = m["province_code"].map(lambda c: BY_CODE[int(c)].name_en)
    order = m["rel_diff"].abs().sort_values(ascending=False, kind="mergesort").index
    worst_abs = m.loc[m["abs_diff"].abs().idxmax()]
    top = m.loc[order[:5], ["province", "year", "invest", column, "abs_diff", "rel_diff"]]
    return {
        "years": list(years),
        "n_compared": len(m),
        "share_identical_1e-4": float((m["rel_diff"].abs() < 1e-4).mean()),
        "max_abs_diff": {
            "province": worst_abs["province"],
            "year": int(worst_abs["year"]),
            "value": float(worst_abs["abs_diff"]),
        },
        "max_rel_diff": {
            "province": m.loc[order[0], "province"],
            "year": int(m.loc[order[0], "year"]),
            "value": float(m.loc[order[0], "rel_diff"]),
        },
        "largest": [
            {
                k: (
                    float(v)
                    if isinstance(v, (float, np.floating))
                    else (int(v) if isinstance(v, (np.integer,)) else v)
                )
                for k, v in r.items()
            }
            for r in top.to_dict("records")
        ],
    }
