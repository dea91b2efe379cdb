"""Törnqvist growth accounting with time-varying factor shares.

    Δln A_t = Δln Y_t − (1 − s̄_L,t) Δln K_t − s̄_L,t Δln(h_t L_t),   s̄_L,t = (s_L,t + s_L,t−1) / 2

Törnqvist (1936); exact for a translog production function with constant returns and
competitive factor shares (Diewert 1976, J. Econometrics 4(2), "Exact and superlative
index numbers"; Caves, Christensen & Diewert 1982). s_L is the labour share of income
(provincial labour compensation / income-approach GDP). The level index is the
cumulated growth, ln A = 0 in an entity's first period.

The income-approach accounts stop in 2017; :func:`fill_labour_share` sets the shares of
later years by a documented rule and flags the rows it filled.

Full references: Diewert (1976), J. Econometrics 4(2), 115–145; Caves, Christensen & Diewert
(1982), "The economic theory of index numbers and the measurement of input, output, and
productivity", Econometrica 50(6), 1393–1414. The capital share is 1 − s_L (constant returns:
the two shares sum to one), so a capital-income series is not needed. With a constant share
s_L = 1 − α the index equals the growth of the Solow residual of :mod:`tfp_talent.tfp.solow`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, Unpack

import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.tfp.checks import (
    ProductionColumns,
    cumulate_within,
    lag_within,
    production_logs,
    require_no_gaps,
    require_share,
)
from tfp_talent.tfp.malmquist import DEA_KEYS

ShareRule = Literal["carry_forward", "province_mean"]


def tornqvist_index(
    frame: pd.DataFrame,
    *,
    labour_share: str,
    source: str | Path | None = None,
    **columns: Unpack[ProductionColumns],
) -> pd.DataFrame:
    """Törnqvist TFP growth Δln A_t = Δln Y − (1 − s̄_L) Δln K − s̄_L Δln(hL) and its cumulated level.

    Törnqvist (1936); Diewert (1976). ``labour_share`` must lie in (0, 1); values must be
    present and > 0; an entity may not skip a period between its first and last one
    (the level index is a chain). Returns ``entity, time, tfp_growth, ln_tfp,
    labour_share_mean`` (growth NaN and level 0 in an entity's first period).

    ``columns``: :class:`~tfp_talent.tfp.checks.ProductionColumns` (vocabulary in
    :mod:`tfp_talent.tfp.checks`); with ``hc`` the labour term is Δln(hL) = Δln L + Δln h.
    ``labour_share_mean`` is s̄_L,t, the two-period mean share that weights period t's change.
    Raises :class:`InputError` for invalid data, a share outside (0, 1) or a skipped period.
    """
    data, ln_y, ln_k, ln_l = production_logs(frame, columns, extra=[labour_share], source=source)
    entity, time = columns["entity"], columns["time"]
    require_share(data, labour_share, entity=entity, time=time, file=source)
    require_no_gaps(data, entity=entity, time=time, method="the Törnqvist index", file=source)
    s = data[labour_share].to_numpy()
    lag = lambda v: lag_within(data, v, entity=entity, time=time)  # noqa: E731
    s_bar = 0.5 * (s + lag(s))
    growth = (ln_y - lag(ln_y)) - (1.0 - s_bar) * (ln_k - lag(ln_k)) - s_bar * (ln_l - lag(ln_l))
    out = data[[entity, time]].copy()
    out["tfp_growth"] = growth
    out["ln_tfp"] = cumulate_within(data, growth, entity=entity, time=time)
    out["labour_share_mean"] = s_bar
    return out


def fill_labour_share(
    frame: pd.DataFrame, *, entity: str, time: str, share: str, rule: ShareRule = "carry_forward"
) -> tuple[pd.Series, pd.Series]:
    """Fill missing labour shares of each entity and flag the filled rows.

    ``carry_forward``: the entity's last observed share before the missing year (the
    first observed share for years before it) — for the provinces, 2018–2019 take 2017's;
    ``province_mean``: the entity's mean share over its observed years.
    Returns (filled share, bool flag). An entity with no observed share raises InputError.

    Both series are aligned with ``frame``'s index; the flag is True exactly where ``share`` was
    missing. An unknown ``rule`` raises :class:`InputError` naming ``tfp.share_rule``.
    """
    if rule not in ("carry_forward", "province_mean"):
        raise InputError(
            f"unknown labour-share rule '{rule}' (use carry_forward or province_mean)",
            column="tfp.share_rule",
        )
    data = frame.sort_values([entity, time])
    grouped = data.groupby(entity, sort=False)[share]
    none = grouped.transform(lambda s: s.notna().sum() == 0)
    if none.any():
        raise InputError(
            "no observed labour share for entity",
            column=share,
            rows=sorted(set(data.loc[none, entity].tolist())),
        )
    if rule == "carry_forward":
        filled = grouped.transform(lambda s: s.ffill().bfill())
    else:
        filled = data[share].fillna(grouped.transform("mean"))
    flag = data[share].isna()
    return filled.reindex(frame.index), flag.reindex(frame.index)


def measure_tornqvist(
    frame: pd.DataFrame, *, alpha: float | None = None, labour_share: str | None = None, **common: Any
) -> pd.DataFrame:
    """Registry adapter: Törnqvist index with a labour-share column, or a constant s_L = 1 − α.

    Exactly one of ``labour_share`` and ``alpha`` must be given (else :class:`InputError`);
    ``alpha`` must lie in (0, 1). The Malmquist options in ``common`` are dropped.
    """
    if (labour_share is None) == (alpha is None):
        raise InputError(
            "the tornqvist method needs either a labour-share column or a constant alpha (not both)"
        )
    common = {k: v for k, v in common.items() if k not in DEA_KEYS}
    data = frame
    if labour_share is None:
        if not 0 < alpha < 1:  # type: ignore[operator]
            raise InputError(f"alpha must lie strictly between 0 and 1, got {alpha}", column="alpha")
        labour_share = "__labour_share__"
        data = frame.assign(**{labour_share: 1.0 - alpha})  # type: ignore[operator]
    return tornqvist_index(data, **common, labour_share=labour_share)


def tornqvist_from_settings(data: pd.DataFrame, params: Mapping[str, Any], **common: Any) -> pd.DataFrame:
    """Registry adapter for the workflow: the panel's ``labour_share``, gaps filled by ``params["share_rule"]``
    and flagged (``labour_share_used``, ``share_filled``).

    ``params["share_rule"]`` is ``carry_forward`` or ``province_mean`` (:func:`fill_labour_share`);
    the filled years are logged. Returns :func:`tornqvist_index`'s columns plus the two above.
    """
    from tfp_talent.logs import get_logger

    entity, time = common["entity"], common["time"]
    share, filled = fill_labour_share(
        data, entity=entity, time=time, share="labour_share", rule=params["share_rule"]
    )
    data = data.assign(labour_share_used=share.to_numpy(), share_filled=filled.to_numpy())
    if filled.any():
        get_logger("tfp.pipeline").info(
            "tornqvist: labour share filled (%s) in years %s",
            params["share_rule"],
            sorted(data.loc[data["share_filled"], time].unique().tolist()),
        )
    res = tornqvist_index(data, **common, labour_share="labour_share_used")
    return res.merge(data[[entity, time, "labour_share_used", "share_filled"]], on=[entity, time], how="left")
