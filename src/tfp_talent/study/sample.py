"""The estimation sample of a spec: merge -> terms -> filter -> winsorise -> complete -> balance -> interact.

Sample settings (``sample:`` of a spec)
    ``years: [first, last]`` (closed), ``drop:`` province codes, names or the groups
    ``municipalities`` (Beijing, Tianjin, Shanghai, Chongqing) and ``tibet``;
    ``regions:`` keep only these levels of ``region_column`` (region3 or region4);
    ``balance:`` ``none`` | ``restrict`` (drop the provinces / years that make the
    complete-case sample unbalanced, greedily, the one with the largest share of missing
    cells first, and report them) | ``require`` (stop if unbalanced);
    ``min_provinces`` (default 5): fewer provinces left is an error;
    ``require:`` terms that must be non-missing in every row of the sample without being regressors
    (e.g. ``[ma3.tertiary_share]``: the raw measures on the rows of the 3-year-mean spec).

Order of operations (:func:`build_analysis_frame`): merge panel and TFP; winsorise the base
variables of the spec at pooled quantiles of the rows inside the sample filter; build derived
variables on all rows (so lags, leads and the frontier see years and provinces outside the filter);
apply the sample filter; drop incomplete rows (counted per variable: a row missing two
variables counts for both); balance if asked; region interactions; within SDs, then province
trends or long differences (:func:`identification_steps`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.data.codebook import year_ranges
from tfp_talent.data.provinces import BY_CODE, MUNICIPALITIES, TIBET, resolve
from tfp_talent.errors import InputError
from tfp_talent.logs import get_logger
from tfp_talent.study.common import ENTITY, KEYS, LABEL_COLUMNS, TIME, as_list, spec_context, spec_where
from tfp_talent.study.spec import KINDS, design_of, normalise_spec
from tfp_talent.study.terms import FRONTIER, Design, TermBuilder, base_columns
from tfp_talent.study.transforms import (
    entity_trends,
    long_differences,
    region_interactions,
    twoway_within_sd,
    winsorise,
    within_sd,
)

log = get_logger("study.sample")

DROP_GROUPS: dict[str, tuple[int, ...]] = {"municipalities": tuple(MUNICIPALITIES), "tibet": (TIBET,)}


@dataclass
class AnalysisFrame:
    """The estimation sample of one spec and what was done to get it.

    What every runner receives as ``af`` (:mod:`tfp_talent.study.runners`).

    Attributes
    ----------
    name
        The spec's key under ``specs:``.
    spec
        The normalised spec (:func:`~tfp_talent.study.spec.normalise_spec`).
    design
        Its terms (:class:`~tfp_talent.study.terms.Design`), before region interactions.
    frame
        The estimation sample: one row per province-year (one per province after long differences),
        columns ``province_code``, ``year``, the label columns present and every term used; index 0..N-1.
    regressors
        The regressors as estimated: interacted terms replaced by ``x:r``, trend terms appended.
    talent_terms
        The talent terms as estimated (after lags, leads and region interactions).
    interactions
        ``{x: ["x:East", "x:Central", ...]}`` for every interacted regressor (empty without ``interact``).
    sample
        The ``sample`` block of the result (keys in :func:`build_analysis_frame`).
    definitions
        Text definitions of the derived terms used (``{term: text}``).
    """

    name: str
    spec: dict[str, Any]
    design: Design
    frame: pd.DataFrame
    regressors: list[str]
    talent_terms: list[str]
    interactions: dict[str, list[str]]
    sample: dict[str, Any]
    definitions: dict[str, str]


def build_analysis_frame(
    panel: pd.DataFrame, tfp: pd.DataFrame | None, spec: Mapping[str, Any], *, name: str = "spec"
) -> AnalysisFrame:
    """Merge ``panel`` and ``tfp``, build the spec's variables and return its estimation sample.

    ``spec`` may be raw (from the config) or normalised; see the module docstring for
    the order of operations. Raises :class:`InputError` naming ``specs.<name>``.

    The frontier variable of ``dist_frontier`` is the spec's ``frontier``, else y without a leading
    ``D.`` (the distance of a province's TFP level to the best province in the year).

    Returns
    -------
    AnalysisFrame
        Its ``sample`` block holds ``nobs``, ``n_provinces`` and ``provinces`` (codes), ``n_years``,
        ``years`` and ``years_text`` (the years the estimates use), ``balanced``, ``filter`` (the
        resolved ``years``, ``drop`` codes, ``regions``, ``region_column``, ``require``),
        ``rows_in_filter``, ``dropped_missing`` (rows dropped per variable) and
        ``n_dropped_missing`` (rows dropped in all), ``dropped_unbalanced`` (provinces, years, rows),
        ``winsorised`` (the base columns clipped), and the entries of :func:`identification_steps`
        (``within_sd``, ``within_sd_twoway``; ``trends`` or ``long_difference`` and ``sd`` if asked).
    """
    s = normalise_spec(name, spec)  # idempotent
    where = spec_where(name)
    data = merge_inputs(panel, tfp, s, name=name)
    design = design_of(s)
    frontier = s["frontier"] or re.sub(r"^D\.", "", design.y)
    builder = TermBuilder(data, name=name, frontier=frontier, tfp=s["tfp"])
    terms = design.columns
    if s["interact"] and s["interact"].get("vars"):
        terms = terms + [v for v in as_list(s["interact"]["vars"]) if v not in terms]
    check_terms(builder, terms)
    in_filter, drop = filter_mask(data, s["sample"], name=name)
    winsorised = winsorise_bases(data, terms, frontier, in_filter, s["winsorise"], name=name)
    with spec_context(name):
        for term in terms:
            builder.need(term)
    data = builder.frame

    cols = design.columns
    complete, dropped_by_var, n_incomplete = complete_rows(data.loc[in_filter], cols, where=where)
    min_prov = int(s["sample"]["min_provinces"])
    _check_provinces(complete, min_prov, where, "after dropping incomplete rows")
    complete, balanced, dropped_unbalanced = balance_sample(
        complete, s["sample"]["balance"], min_prov, KINDS[s["kind"]].min_balanced_years, where=where
    )
    _check_provinces(complete, min_prov, where, "after balancing")
    complete, regressors, talent_terms, interactions = interact_regions(
        complete, s, design, builder, name=name
    )
    complete, regressors, checks = identification_steps(
        complete, s, [design.y, *regressors], regressors, name=name
    )

    years_used = sorted(int(y) for y in checks.pop("years_used"))
    provinces = sorted(int(p) for p in complete[ENTITY].unique())
    years = s["sample"]["years"]
    sample = {
        "nobs": len(complete),
        "n_provinces": len(provinces),
        "provinces": provinces,
        "n_years": len(years_used),
        "years": years_used,
        "years_text": year_ranges(years_used),
        "balanced": bool(balanced),
        "filter": {
            "years": None if years is None else [int(years[0]), int(years[1])],
            "drop": drop,
            "regions": [str(r) for r in s["sample"]["regions"]],
            "region_column": s["sample"]["region_column"],
            "require": [str(t) for t in s["sample"].get("require") or []],
        },
        "rows_in_filter": int(in_filter.sum()),
        "dropped_missing": dropped_by_var,
        "n_dropped_missing": n_incomplete,
        "dropped_unbalanced": dropped_unbalanced,
        "winsorised": winsorised,
        **checks,
    }
    keep_cols = [
        *KEYS,
        *[c for c in LABEL_COLUMNS if c in complete.columns],
        *dict.fromkeys([*cols, *regressors]),
    ]
    used = set(cols) | set(regressors) | {FRONTIER}
    return AnalysisFrame(
        name=name,
        spec=s,
        design=design,
        frame=complete[keep_cols].reset_index(drop=True),
        regressors=regressors,
        talent_terms=talent_terms,
        interactions=interactions,
        sample=sample,
        definitions={k: v for k, v in builder.definitions.items() if k in used},
    )


# --------------------------------------------------------------------------- the steps


def merged_data(panel: pd.DataFrame, tfp: pd.DataFrame | None) -> pd.DataFrame:
    """Panel with the TFP columns it lacks (left join on province_code, year; one row per key on each side).

    Columns present in both keep the panel's values; a key repeated on either side raises pandas'
    ``MergeError`` (``validate="one_to_one"``). ``tfp`` None returns a copy of ``panel``.
    """
    if tfp is None:
        return panel.copy()
    add = [c for c in tfp.columns if c not in panel.columns]
    return panel.merge(tfp[[*KEYS, *add]], on=KEYS, how="left", validate="one_to_one")


def merge_inputs(
    panel: pd.DataFrame, tfp: pd.DataFrame | None, spec: Mapping[str, Any], *, name: str
) -> pd.DataFrame:
    """Step 1: the panel merged with the TFP file the spec asks for (:func:`merged_data`), sorted by keys.

    Raises :class:`InputError` when a frame lacks ``province_code`` or ``year``, or when the spec names
    a TFP variant (``tfp`` not null) but no TFP file was given. With ``tfp: null`` a given file is
    ignored.
    """
    where = spec_where(name)
    with spec_context(name):
        for frame_, label in ((panel, "panel"), (tfp, "TFP file")):
            if frame_ is not None:
                missing = [k for k in KEYS if k not in frame_.columns]
                if missing:
                    raise InputError(f"{label} has no key column(s) {', '.join(missing)}", file=where)
        if spec["tfp"] is not None and tfp is None:
            raise InputError(
                f"needs the TFP file of variant '{spec['tfp']}' but none was given", file=where, column="tfp"
            )
        data = merged_data(panel, tfp if spec["tfp"] is not None else None)
        return data.sort_values(KEYS).reset_index(drop=True)


def check_terms(builder: TermBuilder, terms: Sequence[str]) -> None:
    """Step 2: stop on an unknown variable before any work (every base column must be data or derivable).

    Each base column of ``terms`` (:func:`~tfp_talent.study.terms.base_columns`) that is not in the
    frame is passed to :meth:`TermBuilder.need`, which raises the unknown-variable error; with a
    ``dist_frontier`` term the frontier variable is checked the same way.
    """
    known = set(builder.frame.columns)
    for term in terms:
        for col in base_columns(term):
            if col not in known:
                builder.need(col)  # raises the unknown-variable error
    if FRONTIER in " ".join(terms) and builder.frontier not in known:
        builder.need(builder.frontier)


def filter_mask(data: pd.DataFrame, sample: Mapping[str, Any], *, name: str) -> tuple[np.ndarray, list[int]]:
    """Step 3: the rows inside ``years``, without ``drop``, in ``regions``; and the dropped province codes.

    A mask, not a subset: derived variables are built on all rows.

    ``years`` is a closed range [first, last] (None = all years); ``drop`` is resolved by
    :func:`resolve_drop`; ``regions`` keeps the rows whose ``region_column`` value is listed.
    Raises :class:`InputError` for a reversed year range, a missing region column, an unknown region
    level, or a filter that leaves no rows.
    """
    where = spec_where(name)
    in_filter = np.ones(len(data), dtype=bool)
    years = sample["years"]
    if years is not None:
        lo, hi = int(years[0]), int(years[1])
        if lo > hi:
            raise InputError(
                f"sample.years: first year {lo} is after last year {hi}", file=where, column="sample.years"
            )
        in_filter &= data[TIME].between(lo, hi).to_numpy()
    drop = resolve_drop(name, sample["drop"])
    if drop:
        in_filter &= ~data[ENTITY].isin(drop).to_numpy()
    region_col = sample["region_column"]
    if sample["regions"]:
        if region_col not in data.columns:
            raise InputError(
                f"no region column '{region_col}' in the panel", file=where, column="sample.region_column"
            )
        levels = [str(r) for r in sample["regions"]]
        have = data[region_col].astype(str)
        unknown = sorted(set(levels) - set(have.unique()))
        if unknown:
            raise InputError(
                f"unknown region(s) {', '.join(unknown)} in sample.regions; {region_col} has "
                f"{', '.join(sorted(have.unique()))}",
                file=where,
                column="sample.regions",
            )
        in_filter &= have.isin(levels).to_numpy()
    if not in_filter.any():
        raise InputError("the sample filter leaves no rows", file=where, column="sample")
    return in_filter, drop


def winsorise_bases(
    data: pd.DataFrame,
    terms: Sequence[str],
    frontier: str,
    in_filter: np.ndarray,
    bounds: Sequence[float] | None,
    *,
    name: str,
) -> list[str]:
    """Step 4: clip the base columns of ``terms`` (and the frontier variable) in place, on all rows,
    at their pooled ``bounds`` quantiles over the rows inside the filter; return the columns clipped.

    ``bounds = [lower, upper]`` (spec key ``winsorise``, e.g. [0.01, 0.99]; None: nothing is done).
    The quantiles are those of :func:`~tfp_talent.study.transforms.winsorise` (linear interpolation)
    on the filtered rows; the clip applies to every row, so lags and the frontier of the derived
    terms see clipped values too. Derived terms are built afterwards from the clipped bases.
    """
    if bounds is None:
        return []
    lo_q, hi_q = (float(v) for v in bounds)
    bases = list(dict.fromkeys(c for t in terms for c in base_columns(t) if c in data.columns))
    if any(FRONTIER in t for t in terms) and frontier in data.columns and frontier not in bases:
        bases.append(frontier)
    with spec_context(name):
        clipped = winsorise(data.loc[in_filter, bases], bases, lo_q, hi_q)
        for c in bases:
            data[c] = data[c].clip(clipped[c].min(), clipped[c].max())
    return bases


def complete_rows(
    sub: pd.DataFrame, cols: Sequence[str], *, where: str
) -> tuple[pd.DataFrame, dict[str, int], int]:
    """Step 5: the rows of ``sub`` with every column finite; rows dropped per column; rows dropped in all.

    A row missing two variables counts for both in the per-column dict (columns with no drop are
    left out) and once in the total; ``where`` names the spec in the log line.
    """
    bad = ~np.isfinite(sub[list(cols)].to_numpy(dtype=float))
    dropped_by_var = {c: int(n) for c, n in zip(cols, bad.sum(axis=0), strict=True) if n}
    complete = sub.loc[~bad.any(axis=1)].copy()
    n_incomplete = int(bad.any(axis=1).sum())
    if dropped_by_var:
        log.info(
            "%s: %d of %d rows in the sample filter dropped for missing values (%s)",
            where, n_incomplete, len(sub), ", ".join(f"{k}: {v}" for k, v in dropped_by_var.items()),
        )  # fmt: skip
    return complete, dropped_by_var, n_incomplete


def balance_sample(
    complete: pd.DataFrame, balance: str, min_provinces: int, min_years: int, *, where: str
) -> tuple[pd.DataFrame, bool, dict[str, Any]]:
    """Step 6: ``require`` stops on an unbalanced sample, ``restrict`` keeps :func:`balance_panel` of it.

    Returns the sample, whether it is balanced, and what balancing dropped.

    ``balance`` is ``sample.balance`` (``none`` keeps an unbalanced sample as it is). The dropped
    block holds ``provinces``, ``years``, ``rows`` and, after ``restrict``, ``missing_cells``
    ([province name, year] pairs of the complete-case sample). Raises :class:`InputError` with
    ``require`` on an unbalanced sample, and with ``restrict`` when fewer than ``min_provinces``
    provinces or ``min_years`` years (the kind's ``min_balanced_years``) remain.
    """
    dropped: dict[str, Any] = {"provinces": [], "years": [], "rows": 0}
    balanced = _is_balanced(complete)
    if balanced or balance == "none":
        return complete, balanced, dropped
    missing = _missing_cells(complete)
    if balance == "require":
        raise InputError(
            f"the spec requires a balanced panel but {len(missing)} province-years are missing "
            f"from the complete-case sample",
            file=where,
            column="sample.balance",
            rows=missing,
            hint="use sample.balance: restrict to drop them, or narrow sample.years",
        )
    before = len(complete)
    complete, dp, dy = balance_panel(complete)
    dropped = {
        "provinces": dp,
        "years": dy,
        "rows": before - len(complete),
        "missing_cells": [list(m) for m in missing],
    }
    log.info(
        "%s: balanced panel: dropped provinces %s, years %s (%d rows)", where, dp, dy, before - len(complete)
    )
    n_years = complete[TIME].nunique()
    if complete[ENTITY].nunique() < min_provinces or n_years < min_years:
        raise InputError(
            f"a balanced panel cannot be formed: keeping every province with all years leaves "
            f"{complete[ENTITY].nunique()} provinces and {n_years} years "
            f"(need >= {min_provinces} provinces); missing province-years",
            file=where,
            column="sample.balance",
            rows=missing,
            hint="narrow sample.years or drop the provinces with gaps",
        )
    return complete, True, dropped


def interact_regions(
    complete: pd.DataFrame, spec: Mapping[str, Any], design: Design, builder: TermBuilder, *, name: str
) -> tuple[pd.DataFrame, list[str], list[str], dict[str, list[str]]]:
    """Step 7: replace each interacted regressor x by x×1[region = r] for every level r (``interact:``).

    Returns the sample, the regressors, the talent terms and ``{x: [x:r, ...]}``; the new
    columns' definitions go to ``builder.definitions``.

    The interacted variables are ``interact.vars`` (default: the talent terms), which must be
    regressors; ``interact.by`` is the region column and ``interact.levels`` its levels. The
    un-interacted x leaves the regressors, so with all levels listed the coefficient on ``x:r`` is
    the slope of x in region r (:func:`~tfp_talent.study.transforms.region_interactions`).
    """
    regressors = design.regressors
    talent_terms = list(design.talent)
    if not spec["interact"]:
        return complete, regressors, talent_terms, {}
    inter = spec["interact"]
    vars_ = as_list(inter["vars"]) or list(design.talent)
    unknown = [v for v in vars_ if v not in regressors]
    if unknown:
        raise InputError(
            f"interact.vars {', '.join(map(repr, unknown))} are not regressors of the spec ({', '.join(regressors)})",
            file=spec_where(name),
            column="interact.vars",
        )
    levels = [str(v) for v in inter["levels"]]
    with spec_context(name):
        complete, _ = region_interactions(complete, vars_, region=inter["by"], levels=levels)
    interactions: dict[str, list[str]] = {}
    new: list[str] = []
    for r in regressors:
        if r in vars_:
            names = [f"{r}:{lvl}" for lvl in inter["levels"]]
            interactions[r] = names
            new.extend(names)
            for nm in names:
                builder.definitions[nm] = f"{r} × 1[{inter['by']} = {nm.split(':')[-1]}]"
        else:
            new.append(r)
    talent_terms = [n for t in talent_terms for n in interactions.get(t, [t])]
    return complete, new, talent_terms, interactions


def identification_steps(
    complete: pd.DataFrame,
    spec: Mapping[str, Any],
    variables: Sequence[str],
    regressors: list[str],
    *,
    name: str,
) -> tuple[pd.DataFrame, list[str], dict[str, Any]]:
    """Step 8 (issue 15): within SDs of ``variables``; province trends or long differences if the spec asks.

    Returns the sample, the regressors and the sample-block entries: ``within_sd`` (Stata ``xtsum``'s
    within SD, :func:`~tfp_talent.study.transforms.within_sd`) and ``within_sd_twoway`` (net of province
    and year effects) of the panel sample; ``trends`` (the trend terms, the reference province) or
    ``long_difference`` (periods, rows per province and period, provinces dropped) and ``sd`` of the
    long differences; ``years_used`` (the panel years the estimates use).
    """
    variables = list(dict.fromkeys(variables))
    out: dict[str, Any] = {
        "years_used": list(complete[TIME].unique()),
        "within_sd": within_sd(complete, variables, entity=ENTITY),
        "within_sd_twoway": twoway_within_sd(complete, variables, entity=ENTITY, time=TIME),
    }
    if spec["trends"] is not None:
        with spec_context(name):
            complete, terms = entity_trends(
                complete, entity=ENTITY, time=TIME, drop_first=spec["effects"] in ("time", "twoway")
            )
        codes = sorted(int(c) for c in complete[ENTITY].unique())
        out["trends"] = {
            "kind": spec["trends"],
            "terms": terms,
            "reference": codes[0] if len(terms) < len(codes) else None,
        }
        regressors = [*regressors, *terms]
    ld = spec["long_difference"]
    if ld is not None:
        keep = [c for c in LABEL_COLUMNS if c in complete.columns]
        with spec_context(name):
            complete, info = long_differences(
                complete, variables, ld["periods"], entity=ENTITY, time=TIME, keep=keep
            )
        if info["dropped"]:
            log.info(
                "%s: long differences drop provinces without rows in both periods: %s",
                spec_where(name),
                info["dropped"],
            )
        _check_provinces(
            complete, int(spec["sample"]["min_provinces"]), spec_where(name), "after long differencing"
        )
        out["long_difference"] = info
        out["sd"] = {c: float(complete[c].std(ddof=1)) for c in variables}
    return complete, regressors, out


# --------------------------------------------------------------------------- helpers


def resolve_drop(name: str, drop: Sequence[Any]) -> list[int]:
    """Province codes of a ``sample.drop`` list (codes, names, or ``municipalities`` / ``tibet``).

    Groups are :data:`DROP_GROUPS` (case-insensitive); an integer that is a known code is taken as it
    is; anything else is resolved as a province name by :func:`tfp_talent.data.provinces.resolve`
    (which raises :class:`InputError` for an unknown name). Returns sorted unique codes.
    """
    codes: list[int] = []
    for item in drop:
        key = str(item).strip().lower()
        if key in DROP_GROUPS:
            codes.extend(DROP_GROUPS[key])
        elif isinstance(item, (int, np.integer)) and int(item) in BY_CODE:
            codes.append(int(item))
        else:
            with spec_context(name):
                codes.extend(resolve([item], source="sample.drop"))
    return sorted(set(codes))


def balance_panel(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int], list[int]]:
    """Largest balanced sub-panel found greedily: drop the province or year with the largest
    share of missing cells until every remaining province has every remaining year.

    Returns the balanced rows and the dropped provinces and years.

    Each step compares the largest share of provinces missing in one year with the largest share of
    years missing for one province: the year goes if its share is strictly larger, else the province
    (ties drop a province: the threshold model's asymptotics are in N with T fixed, so years are
    worth more). Greedy, so not always the largest balanced sub-panel; sorted codes and years.
    """
    present = pd.crosstab(frame[ENTITY], frame[TIME]).astype(bool)
    dropped_p: list[int] = []
    dropped_y: list[int] = []
    while not present.empty and not present.to_numpy().all():
        miss_p = 1.0 - present.mean(axis=1)
        miss_y = 1.0 - present.mean(axis=0)
        # a year missing for a larger share of provinces than any province's share of missing
        # years goes first; on ties a province goes (the threshold model is N-large, T-fixed)
        if miss_y.max() > miss_p.max():
            y = miss_y.idxmax()
            dropped_y.append(int(y))
            present = present.drop(columns=y)
        else:
            p = miss_p.idxmax()
            dropped_p.append(int(p))
            present = present.drop(index=p)
    keep = frame[ENTITY].isin(present.index) & frame[TIME].isin(present.columns)
    return frame.loc[keep].copy(), sorted(dropped_p), sorted(dropped_y)


def _check_provinces(frame: pd.DataFrame, minimum: int, where: str, when: str) -> None:
    """Raise :class:`InputError` naming the provinces left when fewer than ``minimum`` remain ``when``."""
    n = int(frame[ENTITY].nunique())
    if n < minimum:
        names = ", ".join(
            BY_CODE[int(c)].name_en if int(c) in BY_CODE else str(c) for c in sorted(frame[ENTITY].unique())
        )
        raise InputError(
            f"the sample has {n} province(s) {when} ({names or 'none'}); at least {minimum} are needed",
            file=where,
            column="sample",
            hint="widen sample.years / sample.regions or drop fewer provinces (sample.min_provinces sets the minimum)",
        )


def _is_balanced(frame: pd.DataFrame) -> bool:
    """Whether the rows are every province × every year (rows = provinces × years; keys are unique)."""
    return len(frame) == frame[ENTITY].nunique() * frame[TIME].nunique()


def _missing_cells(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """The (English province name, year) pairs absent from the rows' province × year grid."""
    present = pd.crosstab(frame[ENTITY], frame[TIME]).astype(bool)
    cells = []
    for code in present.index:
        for year in present.columns:
            if not present.loc[code, year]:
                label = BY_CODE[int(code)].name_en if int(code) in BY_CODE else str(code)
                cells.append((label, int(year)))
    return cells
