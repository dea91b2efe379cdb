"""Exploratory spatial data analysis: global Moran's I and Geary's C, LISA and Getis-Ord Gi*.

All statistics are computed by esda on one cross-section at a time (one year, or one period mean):

* global Moran's I = (n / S0) z'Wz / z'z with z = y - ȳ, S0 = Σ_ij w_ij, E[I] = -1/(n-1)
  (Moran 1950, *Biometrika* 37; Cliff & Ord 1981, *Spatial Processes*, ch. 1-2);
* Geary's C = (n-1) Σ_ij w_ij (y_i - y_j)² / (2 S0 Σ_i z_i²), E[C] = 1 (Geary 1954, *The
  Incorporated Statistician* 5);
* local Moran I_i = (n-1) z_i Σ_j w_ij z_j / Σ_k z_k² with z standardised (esda ``Moran_Local``;
  Anselin 1995, *Geographical Analysis* 27); clusters HH / LL / HL / LH by the quadrant of
  (z_i, lag_i) among units with pseudo p < alpha, else ``ns``;
* Gi* = Σ_j w*_ij y_j / Σ_j y_j over the binary neighbour set of i including i itself (esda
  ``G_Local(star=True, transform="B")``; Getis & Ord 1992, *Geographical Analysis* 24; Ord &
  Getis 1995, *Geographical Analysis* 27), z from its analytical mean and variance:
  ``hot`` if significant with z > 0, ``cold`` if significant with z < 0, else ``ns``; ``undefined`` for a
  cross-section with negative values (G = Σ w x / Σ x needs x ≥ 0; Getis & Ord 1992).

Permutation p-values are seeded explicitly. esda's ``Moran`` and ``Geary`` draw from numpy's
global RNG: each call seeds it with :func:`call_seed` (``seed + year``) and restores the previous
state afterwards. The local statistics' conditional permutation p-values are drawn by
:mod:`tfp_talent.spatial.permutation` (numpy, seeded with the same per-call seed; esda's numba
version costs ~30 s of compilation per process). Data are put into the weights' fixed sorted id
order before any draw, so results do not depend on the row order of the input frame.

With ``fdr=True`` local significance uses Benjamini-Hochberg adjusted p-values
(Benjamini & Hochberg 1995, *JRSS B* 57; ``scipy.stats.false_discovery_control``) across the n
units of one cross-section, instead of the raw pseudo p-values.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, Unpack

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import key_label, numeric_column, require_columns, require_unique_keys
from tfp_talent.spatial.permutation import gi_star_pseudo_p, local_moran_pseudo_p
from tfp_talent.spatial.weights import SpatialWeights, normal_id

#: LISA cluster codes by esda quadrant q (1 HH, 2 LH, 3 LL, 4 HL).
QUADRANT_LABELS: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
LISA_LABELS: dict[str, str] = {
    "HH": "high-high",
    "LL": "low-low",
    "HL": "high-low",
    "LH": "low-high",
    "ns": "not significant",
}
GI_LABELS: dict[str, str] = {
    "hot": "hot spot",
    "cold": "cold spot",
    "ns": "not significant",
    "undefined": "not defined (negative values)",
}
GLOBAL_COLUMNS = [
    "variable",
    "I",
    "E[I]",
    "z",
    "p_norm",
    "p_sim",
    "C",
    "z_geary",
    "p_norm_geary",
    "p_sim_geary",
    "n",
]


def call_seed(seed: int, key: object) -> int:
    """Seed of one cross-section: ``seed + key`` for a whole-number key (a year), else
    ``seed + crc32(str(key))`` (a period label), reduced to numpy's 32-bit seed range."""
    try:
        k = int(key)  # type: ignore[call-overload]
        if k != key and str(k) != str(key):
            raise ValueError
    except (TypeError, ValueError):
        k = zlib.crc32(str(key).encode("utf-8"))
    return (int(seed) + k) % (2**32)


@contextmanager
def seeded_global_rng(seed: int) -> Iterator[None]:
    """Seed numpy's global RNG for the block and restore its previous state afterwards."""
    state = np.random.get_state()  # noqa: NPY002 - esda Moran/Geary draw from the global RNG
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


# --------------------------------------------------------------------------- cross-sections


def cross_sections(
    frame: pd.DataFrame,
    variable: str,
    w: SpatialWeights,
    *,
    entity: str = "province_code",
    time: str = "year",
    file: str | Path | None = None,
) -> Iterator[tuple[Hashable, np.ndarray]]:
    """Yield ``(time value, y)`` with ``y`` ordered like ``w.ids``, for each time value in order.

    Every unit of ``w`` needs a finite value in every period; data entities not in ``w`` are an
    error too (both named).
    """
    require_columns(frame, [entity, time, variable], file=file)
    require_unique_keys(frame, [entity, time], file=file)
    ids = [normal_id(e) for e in frame[entity]]
    unknown = sorted(set(ids) - set(w.ids), key=str)
    if unknown:
        raise InputError(
            "entities not in the weights matrix", file=file, column=entity, rows=unknown,
            hint=f"the weights ({w.kind}) cover {w.n} units",
        )  # fmt: skip
    values = numeric_column(frame, variable, keys=[entity, time], file=file)
    data = pd.DataFrame({"_id": ids, "_t": frame[time].to_numpy(), "_y": values})
    pos = {a: i for i, a in enumerate(w.ids)}
    problems: list[tuple[object, object]] = []
    out: list[tuple[Hashable, np.ndarray]] = []
    for t, part in data.groupby("_t", sort=True):
        y = np.full(w.n, np.nan)
        y[[pos[a] for a in part["_id"]]] = part["_y"].to_numpy()
        bad = ~np.isfinite(y)
        if bad.any():
            problems.extend((w.ids[i], key_label(t)) for i in np.flatnonzero(bad))
            continue
        if np.ptp(y) == 0:
            raise InputError(
                f"is constant across units in {key_label(t)}: spatial autocorrelation is undefined",
                file=file, column=variable,
            )  # fmt: skip
        out.append((key_label(t), y))
    if problems:
        raise InputError(
            "missing or non-finite values: every unit is needed in every period",
            file=file, column=variable, rows=problems,
            hint="drop those periods or fill the values first",
        )  # fmt: skip
    yield from out


# --------------------------------------------------------------------------- global statistics


def global_autocorrelation(
    frame: pd.DataFrame,
    variables: Sequence[str],
    w: SpatialWeights,
    *,
    entity: str = "province_code",
    time: str = "year",
    permutations: int = 999,
    seed: int = 1,
    file: str | Path | None = None,
) -> pd.DataFrame:
    """Global Moran's I and Geary's C of each variable in each period (module docstring formulas).

    One row per (variable, period): ``I``, ``E[I]`` = -1/(n-1), ``z`` and two-sided ``p_norm`` under
    normality, ``p_sim`` (esda's folded pseudo p from ``permutations`` random permutations), ``C``,
    its ``z_geary`` / one-sided ``p_norm_geary`` / ``p_sim_geary``, and ``n``. Each cross-section is
    seeded with :func:`call_seed` ``(seed, period)``.
    """
    from esda.geary import Geary
    from esda.moran import Moran

    rows = []
    for var in variables:
        for t, y in cross_sections(frame, var, w, entity=entity, time=time, file=file):
            s = call_seed(seed, t)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with seeded_global_rng(s):
                    mi = Moran(y, w.to_libpysal(), transformation="o", permutations=permutations)
                with seeded_global_rng(s):
                    gc = Geary(y, w.to_libpysal(), transformation="o", permutations=permutations)
            rows.append(
                {
                    "variable": var,
                    time: t,
                    "I": float(mi.I),
                    "E[I]": float(mi.EI),
                    "z": float(mi.z_norm),
                    "p_norm": float(mi.p_norm),
                    "p_sim": float(mi.p_sim) if permutations else np.nan,
                    "C": float(gc.C),
                    "z_geary": float(gc.z_norm),
                    "p_norm_geary": float(gc.p_norm),
                    "p_sim_geary": float(gc.p_sim) if permutations else np.nan,
                    "n": int(w.n),
                }
            )
    cols = ["variable", time, *GLOBAL_COLUMNS[1:]]
    return pd.DataFrame(rows, columns=cols)


# --------------------------------------------------------------------------- local statistics


def _significant(p: np.ndarray, alpha: float, fdr: bool) -> tuple[np.ndarray, np.ndarray]:
    """(p used for the decision, significant?) with p < alpha, BH-adjusted p if ``fdr``."""
    used = p
    if fdr:
        from scipy.stats import false_discovery_control  # imported here: scipy.stats is slow to import

        used = false_discovery_control(p, method="bh")
    return used, used < alpha


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must be between 0 and 1 (got {alpha!r})")


class LocalOptions(TypedDict, total=False):
    """Keyword options of the local statistics and :func:`explore_periods` (defaults in ``LOCAL_DEFAULTS``)."""

    entity: str
    time: str
    alpha: float
    fdr: bool
    permutations: int
    seed: int
    file: str | Path | None


LOCAL_DEFAULTS: dict[str, Any] = {
    "entity": "province_code",
    "time": "year",
    "alpha": 0.05,
    "fdr": False,
    "permutations": 999,
    "seed": 1,
    "file": None,
}


def _local_options(options: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(LOCAL_DEFAULTS))
    if unknown:
        raise InputError(f"unknown option(s) {', '.join(unknown)}; use {', '.join(LOCAL_DEFAULTS)}")
    opts = {**LOCAL_DEFAULTS, **options}
    _check_alpha(opts["alpha"])
    return opts


def _local_frame(
    frame: pd.DataFrame,
    variables: Sequence[str],
    w: SpatialWeights,
    opts: Mapping[str, Any],
    statistic: Callable[[Hashable, np.ndarray], dict[str, Any]],
    columns: list[str],
) -> pd.DataFrame:
    """One row per (variable, period, unit): the keys, ``value`` and the ``columns`` of ``statistic(t, y)``."""
    entity, time = opts["entity"], opts["time"]
    parts = []
    for var in variables:
        for t, y in cross_sections(frame, var, w, entity=entity, time=time, file=opts["file"]):
            cols = {"variable": var, time: [t] * w.n, entity: list(w.ids), "value": y}
            parts.append(pd.DataFrame({**cols, **statistic(t, y)}))
    return _concat(parts, ["variable", time, entity, "value", *columns])


def local_moran(
    frame: pd.DataFrame, variables: Sequence[str], w: SpatialWeights, **options: Unpack[LocalOptions]
) -> pd.DataFrame:
    """LISA (local Moran) of each unit in each period with its cluster label.

    Columns: variable, period, entity, ``value``, ``z`` (standardised, population SD), ``lag``
    (Σ_j w_ij z_j), ``Ii``, ``p_sim`` (conditional permutation pseudo p), ``p_used`` (``p_sim`` or
    its BH adjustment), ``cluster`` (HH, LL, HL, LH if ``p_used < alpha``, else ``ns``).
    """
    from esda.moran import Moran_Local

    opts = _local_options(options)
    permutations = opts["permutations"]
    if permutations < 1:
        raise InputError("local Moran needs permutations >= 1 for its pseudo p-values")

    def statistic(t: Hashable, y: np.ndarray) -> dict[str, Any]:
        lm = Moran_Local(y, w.to_libpysal(), transformation="o", permutations=0)
        p_sim = local_moran_pseudo_p(lm.z, w.matrix, lm.Is, permutations, call_seed(opts["seed"], t))
        used, sig = _significant(p_sim, opts["alpha"], opts["fdr"])
        labels = np.where(sig, [QUADRANT_LABELS[int(q)] for q in lm.q], "ns")
        return {"z": lm.z, "lag": w.lag(lm.z), "Ii": lm.Is, "p_sim": p_sim, "p_used": used, "cluster": labels}

    return _local_frame(
        frame, variables, w, opts, statistic, ["z", "lag", "Ii", "p_sim", "p_used", "cluster"]
    )


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def gi_star_weights(w: SpatialWeights) -> SpatialWeights:
    """Binary neighbour sets of ``w`` with each unit its own neighbour (w*_ii = 1), as Gi* uses them.

    Getis & Ord (1992) and Ord & Getis (1995) define Gi* on a binary neighbourhood (contiguity,
    k nearest or a distance band); the analytical variance of esda's ``G_Local`` with transform
    ``"B"`` assumes exactly that. Weight values of ``w`` (row standardisation, inverse distance)
    are therefore not used, only which pairs are neighbours. Raises :class:`InputError` if every
    unit neighbours every other (e.g. inverse distance without a cutoff): Gi* is then constant.
    """
    nb = (w.raw != 0).astype(float)
    off = ~np.eye(w.n, dtype=bool)
    if nb[off].all():
        raise InputError(
            f"Getis-Ord Gi* needs neighbour sets, but every unit neighbours every other in the {w.kind} weights",
            file=w.source,
            hint="use contiguity, k-nearest-neighbour weights or a distance cutoff (cutoff_km)",
        )
    np.fill_diagonal(nb, 1.0)
    return SpatialWeights(w.ids, nb, nb, f"{w.kind} neighbour sets + self", "none", w.source, w.island_links)


def getis_ord(
    frame: pd.DataFrame,
    variables: Sequence[str],
    w: SpatialWeights,
    *,
    inference: str = "sim",
    **options: Unpack[LocalOptions],
) -> pd.DataFrame:
    """Getis-Ord Gi* of each unit in each period, with hot / cold spot labels.

    Columns: variable, period, entity, ``value``, ``G``, ``z`` (analytical z of Gi*), ``p_norm``
    (one-sided, as esda), ``p_sim`` (conditional permutation pseudo p), ``p_used`` (``p_sim`` if
    ``inference="sim"``, else ``p_norm``; BH-adjusted with ``fdr``) and ``cluster``: ``hot`` if
    ``p_used < alpha`` and z > 0, ``cold`` if ``p_used < alpha`` and z < 0, else ``ns``. Weights:
    :func:`gi_star_weights`.
    """
    from esda.getisord import G_Local

    opts = _local_options(options)
    permutations = opts["permutations"]
    if inference not in ("sim", "norm"):
        raise InputError(f"inference must be 'sim' or 'norm' (got {inference!r})")
    if inference == "sim" and permutations < 1:
        raise InputError("inference='sim' needs permutations >= 1")
    ws = gi_star_weights(w)

    def statistic(t: Hashable, y: np.ndarray) -> dict[str, Any]:
        if np.nanmin(y) < 0:  # G = Σ w x / Σ x needs x >= 0 (Getis & Ord 1992): not defined here
            nan = np.full(w.n, np.nan)
            return {"G": nan, "z": nan, "p_norm": nan, "p_sim": nan, "p_used": nan, "cluster": "undefined"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = G_Local(y, ws.to_libpysal(), transform="B", permutations=0, star=True)
        p_sim = (
            gi_star_pseudo_p(y, ws.matrix, g.Gs, permutations, call_seed(opts["seed"], t))
            if permutations
            else np.full(w.n, np.nan)
        )
        p = p_sim if inference == "sim" else np.asarray(g.p_norm, dtype=float)
        used, sig = _significant(p, opts["alpha"], opts["fdr"])
        z = np.asarray(g.Zs, dtype=float)
        labels = np.where(sig & (z > 0), "hot", np.where(sig & (z < 0), "cold", "ns"))
        return {"G": g.Gs, "z": z, "p_norm": g.p_norm, "p_sim": p_sim, "p_used": used, "cluster": labels}

    return _local_frame(
        frame, variables, w, opts, statistic, ["G", "z", "p_norm", "p_sim", "p_used", "cluster"]
    )


# --------------------------------------------------------------------------- periods


def period_label(start: int, end: int) -> str:
    """``"2002-2009"``: the label of the period of years start..end inclusive."""
    return f"{int(start)}-{int(end)}"


def period_means(
    frame: pd.DataFrame,
    variables: Sequence[str],
    periods: Sequence[tuple[int, int]],
    *,
    entity: str = "province_code",
    time: str = "year",
    file: str | Path | None = None,
) -> pd.DataFrame:
    """Mean of each variable over each period (years start..end inclusive) per entity.

    Returns one row per (entity, period) with a ``period`` column (:func:`period_label`) and a
    ``years`` column (years with data). A unit with no data in a period has NaN (and the
    statistics stop naming it). Periods must be ordered pairs of whole years.
    """
    require_columns(frame, [entity, time, *variables], file=file)
    require_unique_keys(frame, [entity, time], file=file)
    checked = []
    for p in periods:
        try:
            a, b = (int(p[0]), int(p[1]))
        except (TypeError, ValueError, IndexError):
            raise InputError(
                f"a period must be a (start, end) pair of years (got {p!r})", file=file
            ) from None
        if a > b:
            raise InputError(f"period {p!r} ends before it starts", file=file)
        checked.append((a, b))
    years = pd.to_numeric(frame[time], errors="coerce")
    values = {v: numeric_column(frame, v, keys=[entity, time], file=file) for v in variables}
    data = pd.DataFrame({entity: frame[entity].to_numpy(), "_t": years.to_numpy(), **values})
    out = []
    for a, b in checked:
        part = data[(data["_t"] >= a) & (data["_t"] <= b)]
        g = part.groupby(entity, sort=True)
        means = g[list(variables)].mean()
        means.insert(0, "years", g["_t"].nunique())
        means.insert(0, "period", period_label(a, b))
        out.append(means.reset_index())
    return pd.concat(out, ignore_index=True)


@dataclass(frozen=True)
class ExploreResults:
    """Global, LISA and Gi* results of one set of variables and periods on one weights matrix."""

    global_stats: pd.DataFrame
    lisa: pd.DataFrame
    gi: pd.DataFrame
    weights_kind: str
    alpha: float
    fdr: bool
    permutations: int
    time: str
    entity: str

    @property
    def rule(self) -> str:
        """The significance rule in words, e.g. ``pseudo p < 0.05, 999 permutations``."""
        p = "BH-adjusted pseudo p" if self.fdr else "pseudo p"
        return f"{p} < {self.alpha:g}, {self.permutations} permutations"


def explore_periods(
    frame: pd.DataFrame,
    variables: Sequence[str],
    w: SpatialWeights,
    periods: Sequence[tuple[int, int]],
    **options: Unpack[LocalOptions],
) -> ExploreResults:
    """Global Moran/Geary, LISA and Gi* on period means (e.g. ``[(2002, 2009), (2011, 2019)]``).

    Each period's cross-section is the mean over its years (:func:`period_means`); seeds follow
    :func:`call_seed` with the period label.
    """
    opts = _local_options(options)
    entity, alpha, fdr, permutations = opts["entity"], opts["alpha"], opts["fdr"], opts["permutations"]
    means = period_means(frame, variables, periods, entity=entity, time=opts["time"], file=opts["file"])
    kw = {
        "entity": entity,
        "time": "period",
        "permutations": permutations,
        "seed": opts["seed"],
        "file": opts["file"],
    }
    return ExploreResults(
        global_stats=global_autocorrelation(means, variables, w, **kw),
        lisa=local_moran(means, variables, w, alpha=alpha, fdr=fdr, **kw),
        gi=getis_ord(means, variables, w, alpha=alpha, fdr=fdr, **kw),
        weights_kind=w.kind,
        alpha=alpha,
        fdr=fdr,
        permutations=permutations,
        time="period",
        entity=entity,
    )


# --------------------------------------------------------------------------- the western cold spot


@dataclass(frozen=True)
class ColdSpotFinding:
    """LISA and Gi* class of the named provinces per variable and period, and one sentence."""

    table: pd.DataFrame
    sentence: str


def _province_name(code: Hashable) -> str:
    from tfp_talent.data.provinces import BY_CODE

    p = BY_CODE.get(code) if isinstance(code, int) else None
    return p.name_en if p else str(code)


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 2:
        return f" {word} ".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _either(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ("either " if len(names) == 2 else "any of ") + _join(names, "or")


def cold_spot_finding(
    results: ExploreResults, provinces: Sequence[Hashable] = (650000, 630000)
) -> ColdSpotFinding:
    """For each province, variable and period: the LISA class and the Gi* class, and a sentence.

    The table holds one row per province, variable and period (``lisa``: HH/LL/HL/LH/ns; ``gi``:
    hot/cold/ns/undefined); the sentence is :func:`cold_spot_sentence` of it, whichever way it goes.
    """
    t, e = results.time, results.entity
    keys = ["variable", t, e]
    lisa = results.lisa.set_index(keys)["cluster"]
    gi = results.gi.set_index(keys)["cluster"]
    rows = []
    for code in provinces:
        for (var, per), _ in results.lisa.groupby(["variable", t], sort=False):
            key = (var, per, code)
            if key not in lisa.index:
                raise InputError(f"province {code} is not in the results", rows=[code])
            rows.append(
                {"province": code, "name": _province_name(code), "variable": var, t: per,
                 "lisa": lisa.loc[key], "gi": gi.loc[key]}
            )  # fmt: skip
    table = pd.DataFrame(rows, columns=["province", "name", "variable", t, "lisa", "gi"])
    rule = f"{results.weights_kind} weights, {results.rule}"
    return ColdSpotFinding(table, cold_spot_sentence(table, provinces, time=t, rule=rule))


LISA_WORDS = {
    "HH": "high-high",
    "HL": "high-low, its own value high",
    "LH": "low-high",
    "ns": "not significant",
}


def cold_spot_sentence(
    table: pd.DataFrame,
    provinces: Sequence[Hashable],
    *,
    time: str,
    rule: str,
    labels: Mapping[str, str] | None = None,
) -> str:
    """The cold-spot finding for ``provinces`` from the table of :func:`cold_spot_finding`.

    Two different things are kept apart: a LISA low-low cluster (the province's own value is low and
    so are its neighbours') and a Gi* cold spot (the weighted sum over the province and its neighbours
    is low), which a province with a high own value among low neighbours (LISA high-low) can also be.
    A province counts as a cold spot of a variable-period case only if it is LISA low-low; Gi*-only
    cases are listed with their LISA class. Variable names are shown with ``labels``.
    """
    lab = dict(labels or {})
    names = [_province_name(c) for c in provinces]
    cases = list(dict.fromkeys(zip(table["variable"], table[time], strict=True)))

    def case(r: Mapping[str, Any]) -> str:
        return f"{lab.get(r['variable'], r['variable'])} {r[time]}"

    parts = []
    for code, name in zip(provinces, names, strict=True):
        mine = table[table["province"] == code]
        low_low = mine[mine["lisa"] == "LL"]
        gi_only = mine[(mine["gi"] == "cold") & (mine["lisa"] != "LL")]
        text = f"{name} is a low-low cluster in {len(low_low)} of {len(cases)} cases"
        if len(low_low):
            text += f" ({', '.join(case(r) for _, r in low_low.iterrows())})"
        if len(gi_only):
            listed = "; ".join(
                f"{case(r)}: LISA {LISA_WORDS.get(r['lisa'], r['lisa'])}" for _, r in gi_only.iterrows()
            )
            text += f", and lies in a Gi* cold spot without being low-low in {len(gi_only)} ({listed})"
        parts.append(text)
    undefined = sorted({lab.get(v, v) for v in table.loc[table["gi"] == "undefined", "variable"]})
    tail = (
        f" Gi* is not defined for {_join(undefined)} (negative values; Getis and Ord 1992 need x ≥ 0), "
        "so only LISA classes are used there."
        if undefined
        else ""
    )
    return (
        f"Cold spots at {_join(names)}, tested in {len(cases)} variable-period cases (LISA low-low: a low "
        f"value among low-valued neighbours; Gi* cold: a low-valued neighbourhood; {rule}): "
        f"{'; '.join(parts)}.{tail}"
    )
