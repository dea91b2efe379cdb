"""The indices file of the workflow: talent-industry coupling coordination and the NQPF index by
province-year.

Built by rule ``indices`` (``workflow/rules/indices.smk``) from the clean panel with the choices of
config ``indices:`` (:data:`INDICES_DEFAULTS`, the same values as ``config/schema.yaml``):

* U_talent, U_industry: global entropy indices of each subsystem's indicators (weights within the
  subsystem, pooled over all province-years of the sample;
  :func:`tfp_talent.indices.entropy.entropy_weights`);
* C = 2 sqrt(U1 U2) / (U1 + U2) (``form: classic``; or Wang et al. 2021), T = (U1 + U2) / 2,
  D = sqrt(C T), its band (廖重斌 1999), ``mismatch`` = 1 − D and ``talent_gap`` = U_talent − U_industry
  (:func:`tfp_talent.indices.coupling.coupling_coordination`);
* ``nqpf`` = sum of the dimension sub-indices ``nqpf_<dimension>`` (one global entropy over all NQPF
  indicators; :func:`tfp_talent.indices.nqpf.nqpf_index`).

The regressor of the study is ``mismatch`` = 1 − D (the literature's coordination degree turned into a
shortfall): it is 0 when both subsystems are at the sample's top and in balance, so it mixes a low level
of the two subsystems with their imbalance; ``talent_gap`` (the sign of the imbalance) is stored beside it.

Nothing is imputed. A row enters an index only if it lies in ``years`` and every indicator of that
index is present; every other row has a missing index, and the summary names, by year, which
indicators were missing (with the shipped data the complete years are 2011-2019: R&D FTE start in
2011 and the education survey skips 2010). The entropy weights are estimated on the complete rows.

Coupling and NQPF have separate complete-row sets: a province-year may have a coupling
coordination degree but no NQPF index, or the reverse. Because the weights are pooled over the
complete rows, changing ``years`` (or the indicator lists) changes every weight and so every
index value, also in the years kept; indices of two runs are comparable only with equal settings.

Columns of the file (:data:`COUPLING_COLUMNS`, then ``nqpf`` and ``nqpf_<dimension>``):
``u_talent``/``u_industry`` (U_k in [shift, 1 + shift]), ``coupling_c`` (C in [0, 1]),
``coupling_t`` (T), ``coordination_d`` (D), ``coordination_band`` (1..10, nullable Int64),
``mismatch`` (1 − D) and ``talent_gap`` (U_talent − U_industry).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.indices.coupling import BANDS, coupling_coordination
from tfp_talent.indices.derived import DERIVED, with_derived
from tfp_talent.indices.entropy import DEFAULT_SHIFT
from tfp_talent.indices.nqpf import DEFAULT_DIMENSIONS, nqpf_index

#: Config ``indices:`` defaults (also stated in config/schema.yaml; tests/test_defaults.py checks both).
INDICES_DEFAULTS: dict[str, Any] = {
    "years": None,
    "talent": ["tertiary_share", "avg_school_years", "rd_fte_per10k_wap", "he_graduates_per10k"],
    "industry": ["tertiary_va_share", "trade_gdp", "patents_per10k"],
    "nqpf": {k: list(v) for k, v in DEFAULT_DIMENSIONS.items()},
    "negative": [],
    "form": "classic",
    "shift": DEFAULT_SHIFT,
}
KEYS = ("province_code", "year")
#: Columns of data/processed/indices.parquet (besides the keys; nqpf_<dimension> follow ``nqpf``).
COUPLING_COLUMNS: tuple[str, ...] = (
    "u_talent",
    "u_industry",
    "coupling_c",
    "coupling_t",
    "coordination_d",
    "coordination_band",
    "mismatch",
    "talent_gap",
)
MISMATCH_DEFINITION = "mismatch = 1 − D, D = sqrt(C T) the talent–industry coupling coordination degree"


def indices_settings(settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Config ``indices:`` completed with :data:`INDICES_DEFAULTS` (unknown keys refused).

    A key given as None keeps its default, except ``years`` (None = every year of the panel;
    otherwise ``[first, last]``, inclusive). Values are not validated here (config/schema.yaml
    does that). Raises :class:`InputError` naming each unknown ``indices.<key>``.
    """
    out: dict[str, Any] = {
        k: ({d: list(c) for d, c in v.items()} if isinstance(v, Mapping) else v)
        for k, v in INDICES_DEFAULTS.items()
    }
    given = dict(settings or {})
    unknown = sorted(set(given) - set(out))
    if unknown:
        raise InputError("unknown key(s) in indices settings", column=[f"indices.{k}" for k in unknown])
    out.update({k: v for k, v in given.items() if v is not None or k == "years"})
    return out


def index_columns(settings: Mapping[str, Any] | None = None) -> list[str]:
    """Every column of the indices file besides the keys.

    :data:`COUPLING_COLUMNS`, ``nqpf`` and one ``nqpf_<dimension>`` per dimension of the settings'
    ``nqpf`` mapping (default: labourers, means, objects), in that order.
    """
    dims = indices_settings(settings)["nqpf"]
    return [*COUPLING_COLUMNS, "nqpf", *(f"nqpf_{d}" for d in dims)]


def _complete(
    data: pd.DataFrame, indicators: Sequence[str], years: Sequence[int] | None
) -> tuple[np.ndarray, dict[str, Any]]:
    """Rows in ``years`` with every indicator present, and the coverage record of the summary.

    "Present" means not missing and finite. The record holds ``indicators``, ``years`` (those
    with at least one complete row), ``years_missing`` (considered years without one),
    ``rows_incomplete`` (year -> indicator -> number of rows missing it), ``nobs`` and
    ``n_provinces`` of the complete rows.
    """
    in_years = (
        np.ones(len(data), dtype=bool)
        if years is None
        else data["year"].between(int(years[0]), int(years[1])).to_numpy()
    )
    present = data[list(indicators)].notna().to_numpy() & np.isfinite(
        data[list(indicators)].to_numpy(dtype=float, na_value=np.nan)
    )
    ok = in_years & present.all(axis=1)
    incomplete: dict[str, dict[str, int]] = {}
    for year in sorted(data.loc[in_years, "year"].unique()):
        rows = (data["year"] == year).to_numpy() & in_years
        miss = {
            c: int((~present[rows, j]).sum()) for j, c in enumerate(indicators) if (~present[rows, j]).any()
        }
        if miss:
            incomplete[str(int(year))] = miss
    used = sorted(int(y) for y in data.loc[ok, "year"].unique())
    considered = sorted(int(y) for y in data.loc[in_years, "year"].unique())
    return ok, {
        "indicators": list(indicators),
        "years": used,
        "years_missing": [y for y in considered if y not in used],
        "rows_incomplete": incomplete,
        "nobs": int(ok.sum()),
        "n_provinces": int(data.loc[ok, "province_code"].nunique()),
    }


def _correlations(frame: pd.DataFrame, tfp: pd.DataFrame | None) -> dict[str, Any]:
    """Pearson correlation of ``nqpf`` with each ln TFP column, pooled and within province (demeaned).

    The ln TFP columns are those of ``tfp`` ending in ``_ln_tfp`` (e.g. ``solow_ln_tfp``), joined
    on the keys. ``within`` correlates the deviations from each province's mean over the rows
    where both are present. With fewer than 3 such rows both are None. ``tfp`` None gives {}.
    """
    if tfp is None:
        return {}
    cols = [c for c in tfp.columns if c.endswith("_ln_tfp")]
    both = frame[[*KEYS, "nqpf"]].merge(tfp[[*KEYS, *cols]], on=list(KEYS), how="inner")
    out: dict[str, Any] = {}
    for col in cols:
        rows = both.dropna(subset=["nqpf", col])
        if len(rows) < 3:
            out[col] = {"pearson": None, "within": None, "nobs": len(rows)}
            continue
        demean = rows[["nqpf", col]] - rows.groupby("province_code")[["nqpf", col]].transform("mean")
        out[col] = {
            "pearson": float(np.corrcoef(rows["nqpf"], rows[col])[0, 1]),
            "within": float(np.corrcoef(demean["nqpf"], demean[col])[0, 1]),
            "nobs": len(rows),
        }
    return out


def build_indices(
    panel: pd.DataFrame,
    settings: Mapping[str, Any] | None = None,
    tfp: pd.DataFrame | None = None,
    *,
    source: str = "data/processed/panel.parquet",
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The indices frame (one row per panel province-year; :func:`index_columns`) and its summary dict.

    Formulas and the missing-value rule: module docstring. ``tfp`` (the TFP file) only adds the
    correlation of the NQPF index with each ln TFP measure to the summary.

    Parameters
    ----------
    panel
        The clean panel keyed by ``province_code, year``; derived indicators
        (:data:`~tfp_talent.indices.derived.DERIVED`) are added when absent. ``region3``, if
        present, adds means of D and of the gap by region to the summary.
    settings
        Config ``indices:`` (:func:`indices_settings`).
    source
        The panel's file, named in errors.

    Returns
    -------
    (pandas.DataFrame, dict)
        The frame ``province_code, year`` + :func:`index_columns`, one row per panel row in the
        panel's order, and the summary: ``rule, years_considered, imputation,
        mismatch_definition, derived`` (formulas of the derived indicators used), ``coupling``
        (coverage, weights, bands, D and gap by year and region, corr(U_talent, U_industry),
        mean and min of C), ``nqpf`` (coverage, weights, ``tfp_correlation``) and ``settings``.

    Raises
    ------
    InputError
        Missing key columns or indicators, unknown settings, and the errors of
        :func:`~tfp_talent.indices.coupling.coupling_coordination` and
        :func:`~tfp_talent.indices.nqpf.nqpf_index` (e.g. no complete row, a constant indicator).
    """
    cfg = indices_settings(settings)
    keys = list(KEYS)
    missing = [k for k in keys if k not in panel.columns]
    if missing:
        raise InputError("the panel lacks key column(s)", file=source, column=missing)
    dims = {k: list(v) for k, v in cfg["nqpf"].items()}
    nqpf_cols = [c for cols in dims.values() for c in cols]
    wanted = [*cfg["talent"], *cfg["industry"], *nqpf_cols]
    data = with_derived(panel.reset_index(drop=True), wanted, keys=keys, file=source)
    absent = [c for c in dict.fromkeys(wanted) if c not in data.columns]
    if absent:
        raise InputError("indicator(s) not in the panel", file=source, column=absent)
    neg = list(cfg["negative"])
    frame = data[keys].copy()

    ok_c, cover_c = _complete(data, [*cfg["talent"], *cfg["industry"]], cfg["years"])
    sub = data.loc[ok_c]
    cc = coupling_coordination(
        sub,
        cfg["talent"],
        cfg["industry"],
        [c for c in neg if c in cfg["talent"] or c in cfg["industry"]],
        form=cfg["form"],
        shift=float(cfg["shift"]),
        keys=keys,
        file=source,
    )
    t = cc.table
    src = {
        "u_talent": "U_talent",
        "u_industry": "U_industry",
        "coupling_c": "C",
        "coupling_t": "T",
        "coordination_d": "D",
        "mismatch": "mismatch",
        "talent_gap": "gap",
    }
    for out_col, col in src.items():
        frame[out_col] = np.nan
        frame.loc[ok_c, out_col] = t[col].to_numpy()
    frame["coordination_band"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame.loc[ok_c, "coordination_band"] = t["band_level"].to_numpy()
    frame = frame[[*keys, *COUPLING_COLUMNS]]

    ok_n, cover_n = _complete(data, nqpf_cols, cfg["years"])
    nq = nqpf_index(
        data.loc[ok_n],
        dims,
        [c for c in neg if c in nqpf_cols],
        shift=float(cfg["shift"]),
        keys=keys,
        file=source,
    )
    frame["nqpf"] = np.nan
    frame.loc[ok_n, "nqpf"] = nq.index.to_numpy()
    for d in dims:
        frame[f"nqpf_{d}"] = np.nan
        frame.loc[ok_n, f"nqpf_{d}"] = nq.dimensions[d].to_numpy()

    region = data["region3"] if "region3" in data.columns else None
    summary = {
        "rule": "indices",
        "years_considered": None if cfg["years"] is None else [int(y) for y in cfg["years"]],
        "imputation": "none: a row with a missing indicator has a missing index",
        "mismatch_definition": MISMATCH_DEFINITION,
        "derived": {n: DERIVED[n].formula for n in dict.fromkeys(wanted) if n in DERIVED},
        "coupling": {
            **cover_c,
            **cc.to_dict(),
            "talent": list(cfg["talent"]),
            "industry": list(cfg["industry"]),
            "band_labels": {str(i + 1): b[1] for i, b in enumerate(BANDS)},
            "D_by_year": _means(frame.loc[ok_c], "year", "coordination_d"),
            "gap_by_year": _means(frame.loc[ok_c], "year", "talent_gap"),
            "D_by_region": {}
            if region is None
            else _means(frame.loc[ok_c].assign(r=region[ok_c]), "r", "coordination_d"),
            "gap_by_region": {}
            if region is None
            else _means(frame.loc[ok_c].assign(r=region[ok_c]), "r", "talent_gap"),
            "corr_u_talent_u_industry": float(np.corrcoef(t["U_talent"], t["U_industry"])[0, 1]),
            "C_mean": float(t["C"].mean()),
            "C_min": float(t["C"].min()),
        },
        "nqpf": {**cover_n, **nq.to_dict(), "tfp_correlation": _correlations(frame.loc[ok_n], tfp)},
        "settings": dict(cfg),
    }
    return frame.reset_index(drop=True), summary


def _means(frame: pd.DataFrame, by: str, col: str) -> dict[str, float]:
    """Mean of ``col`` by the values of ``by``, keyed by their text (JSON-ready)."""
    return {str(k): float(v) for k, v in frame.groupby(by)[col].mean().items()}


def indices_record(summary: Mapping[str, Any]) -> dict[str, Any]:
    """What a result of a spec using the indices records about them: definitions, weights, coverage,
    correlations.

    A subset of the :func:`build_indices` summary: the mismatch definition and imputation rule,
    coupling years, nobs, form, indicator weights per subsystem, D by year and region, gap by
    region, band counts and labels, corr(U_talent, U_industry), mean and min of C; NQPF years,
    nobs, dimensions and their weights, indicator weights and TFP correlations; the derived
    indicators' formulas. Raises KeyError if ``summary`` lacks one of them.
    """
    c, n = summary["coupling"], summary["nqpf"]
    return {
        "mismatch_definition": summary["mismatch_definition"],
        "imputation": summary["imputation"],
        "coupling": {
            "years": c["years"],
            "nobs": c["nobs"],
            "years_missing": c["years_missing"],
            "form": c["form"],
            "weights": {s: dict(r["weights"]) for s, r in c["systems"].items()},
            "D_by_year": dict(c["D_by_year"]),
            "gap_by_region": dict(c["gap_by_region"]),
            "D_by_region": dict(c["D_by_region"]),
            "bands": dict(c["bands"]),
            "band_labels": dict(c["band_labels"]),
            "corr_u_talent_u_industry": c["corr_u_talent_u_industry"],
            "C_mean": c["C_mean"],
            "C_min": c["C_min"],
        },
        "nqpf": {
            "years": n["years"],
            "nobs": n["nobs"],
            "dimensions": dict(n["dimensions"]),
            "dimension_weights": dict(n["dimension_weights"]),
            "weights": dict(n["entropy"]["weights"]),
            "tfp_correlation": dict(n["tfp_correlation"]),
        },
        "derived": dict(summary["derived"]),
    }


def merge_indices(
    panel: pd.DataFrame, indices: pd.DataFrame, *, source: str = "data/processed/indices.parquet"
) -> pd.DataFrame:
    """Left-join the index columns onto ``panel`` by (province_code, year); a name clash is refused.

    ``indices`` is the frame of :func:`build_indices` (read from ``source``) and must hold the keys,
    :data:`COUPLING_COLUMNS` and ``nqpf``; the join is one-to-one, so panel rows without an index
    get NaN. Raises :class:`InputError` for missing columns or an index column already in
    ``panel``, and pandas' MergeError for duplicate keys.
    """
    names = [c for c in indices.columns if c not in KEYS]
    missing = [c for c in (*KEYS, *COUPLING_COLUMNS, "nqpf") if c not in indices.columns]
    if missing:
        raise InputError("the indices file lacks column(s)", file=source, column=missing)
    clash = [c for c in names if c in panel.columns]
    if clash:
        raise InputError("index column(s) already in the panel", file=source, column=clash)
    return panel.merge(indices, on=list(KEYS), how="left", validate="one_to_one")


__all__ = [
    "COUPLING_COLUMNS",
    "INDICES_DEFAULTS",
    "build_indices",
    "index_columns",
    "indices_record",
    "indices_settings",
    "merge_indices",
]
