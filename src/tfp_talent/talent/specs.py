"""Specifications as data: turn one ``specs:`` entry of the config into an analysis frame and results.

A specification names a dependent variable, talent regressors, controls, a sample
filter, an estimator and covariance types (``config/config.yaml``, typed by
``config/schema.yaml``). :func:`build_analysis_frame` merges the panel with the TFP
variant the spec asks for, builds derived variables on demand, applies the sample
filter and returns the complete-case estimation sample; :func:`run_spec` estimates
it with the package's estimators and returns a JSON-safe dict.

Derived variables (built from the panel and TFP columns by name; they compose)
    ``L<k>.x``  x_{i,t-k} (``L.x`` = ``L1.x``), missing when year t-k is absent (never across gaps);
    ``D.x``     x_{it} - x_{i,t-1};
    ``ln.x``    ln x_{it} (x must be > 0);
    ``cum.x``   sum_{b < s <= t} x_{is}: a cumulated index, 0 in the province's base year b
                (the year before its first non-missing x, as the Malmquist ``ln_tfp``); missing
                from the first later gap on; ``cum.ln.malmquist_efficiency_change`` is the
                cumulated ln EC;
    ``dist_frontier``  max_j f_{jt} - f_{it}, f = the spec's ``frontier`` variable (default
                ``y`` without a leading ``D.``), the technology gap of Nelson & Phelps (1966) and
                Benhabib & Spiegel (1994), computed on all provinces with data in year t
                before any sample filter (the frontier is the national one);
    ``a×b``     the product a_{it} b_{it} (× binds loosest: ``x×L1.dist_frontier``).
Talent regressors are lagged ``lag`` years (``lag: 1`` turns ``x`` into ``L1.x``).
``products: [[a, b], ...]`` appends ``a×b`` terms after the talent terms;
``interact: {by: region3, levels: [East, Central, West]}`` replaces each talent term
x by x×1[region = r] for every level r (coefficient = the slope of x in region r)
and adds a Wald test of equal slopes to each result.

Sample (``sample:``)
    ``years: [first, last]`` (closed), ``drop:`` province codes, names or the groups
    ``municipalities`` (Beijing, Tianjin, Shanghai, Chongqing) and ``tibet``;
    ``regions:`` keep only these levels of ``region_column`` (region3 or region4);
    ``balance:`` ``none`` | ``restrict`` (drop the provinces / years that make the
    complete-case sample unbalanced, greedily, the one with the largest share of missing
    cells first, and report them) | ``require`` (stop if unbalanced);
    ``min_provinces`` (default 5): fewer provinces left is an error.
Order of operations: merge panel and TFP; winsorise the base variables of the spec at
pooled quantiles of the rows inside the sample filter; build derived variables on all
rows; apply the sample filter; drop incomplete rows (counted per variable: a row missing
two variables counts for both); balance if asked; region interactions.

Every problem raises :class:`~tfp_talent.errors.InputError` whose message starts with
``specs.<name>:`` so the user knows which entry to fix.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.data.provinces import BY_CODE, MUNICIPALITIES, TIBET, resolve
from tfp_talent.errors import InputError
from tfp_talent.logs import get_logger
from tfp_talent.talent.design import add_lags, frontier_distance, region_interactions, winsorise

log = get_logger("talent.specs")

ENTITY = "province_code"
TIME = "year"
KEYS = [ENTITY, TIME]
LABEL_COLUMNS = ("province", "province_en", "region3", "region4")
KINDS = ("panel", "hausman", "iv", "threshold")
MODELS = ("pooled", "fe", "re", "fd", "between")
COVS = ("unadjusted", "robust", "clustered", "driscoll-kraay")
BALANCE = ("none", "restrict", "require")
PRODUCT = "×"
DROP_GROUPS: dict[str, tuple[int, ...]] = {"municipalities": tuple(MUNICIPALITIES), "tibet": (TIBET,)}
BASELINE_TFP = "baseline"
MIN_THRESHOLD_YEARS = 3

SPEC_DEFAULTS: dict[str, Any] = {
    "kind": "panel",
    "label": None,
    "description": None,
    "tfp": BASELINE_TFP,
    "controls": [],
    "products": [],
    "lag": 0,
    "frontier": None,
    "winsorise": None,
    "model": "fe",
    "effects": None,
    "cov": ["clustered", "driscoll-kraay"],
    "cluster": "entity",
    "bandwidth": None,
    "convention": "stata",
    "interact": None,
    "instruments": None,
    "threshold": None,
}
SAMPLE_DEFAULTS: dict[str, Any] = {
    "years": None,
    "drop": [],
    "regions": [],
    "region_column": "region3",
    "balance": "none",
    "min_provinces": 5,
}
THRESHOLD_DEFAULTS: dict[str, Any] = {
    "n": 1,
    "trim": [0.01, 0.01, 0.05],
    "grid": 300,
    "bootstrap": 300,
    "transform": "within",
    "cov": "clustered",
    "level": 0.95,
    "min_regime_obs": 10,
    "year_effects": True,
}

_LAG = re.compile(r"^L(\d*)\.(.+)$")
_PREFIX = re.compile(r"^(D|ln|cum)\.(.+)$")


# --------------------------------------------------------------------------- errors


def _where(name: str) -> str:
    return f"specs.{name}"


@contextmanager
def spec_context(name: str) -> Iterator[None]:
    """Re-raise any :class:`InputError` as one that names ``specs.<name>`` first."""
    try:
        yield
    except InputError as err:
        if err.file is not None and err.file.startswith(_where(name)):
            raise
        problem = err.problem if err.file is None else f"{err.file}: {err.problem}"
        raise InputError(problem, file=_where(name), column=err.column, rows=err.rows, hint=err.hint) from None


# --------------------------------------------------------------------------- normalising a spec


def normalise_spec(name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The spec with defaults filled in and kind-specific requirements checked.

    Raises :class:`InputError` naming the spec for what the schema cannot express:
    a missing ``y`` or talent list, an estimator or covariance the kind does not offer,
    instruments for a non-IV spec, and the like.
    """
    if not isinstance(spec, Mapping):
        raise InputError(f"must be a mapping of settings, got {type(spec).__name__}", file=_where(name))
    out = copy.deepcopy(SPEC_DEFAULTS)
    out.update(copy.deepcopy(dict(spec)))
    sample = copy.deepcopy(SAMPLE_DEFAULTS)
    sample.update(dict(spec.get("sample") or {}))
    out["sample"] = sample
    where = _where(name)
    for key in ("y", "talent"):
        if not out.get(key):
            raise InputError(f"'{key}' is required", file=where, column=key)
    out["talent"] = _as_list(out["talent"])
    out["controls"] = _as_list(out["controls"])
    out["cov"] = _as_list(out["cov"])
    kind = out["kind"]
    if kind not in KINDS:
        raise InputError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}", file=where, column="kind")
    if out["model"] not in MODELS:
        raise InputError(f"unknown estimator (model) {out['model']!r}; use one of {', '.join(MODELS)}", file=where, column="model")
    bad_cov = [c for c in out["cov"] if c not in COVS]
    if bad_cov or not out["cov"]:
        raise InputError(
            f"unknown covariance type {', '.join(map(repr, bad_cov)) or '(none given)'}; use one of {', '.join(COVS)}",
            file=where,
            column="cov",
        )
    if sample["balance"] not in BALANCE:
        raise InputError(f"unknown balance {sample['balance']!r}; use one of {', '.join(BALANCE)}", file=where, column="sample.balance")
    if int(out["lag"]) < 0:
        raise InputError(f"lag must be >= 0, got {out['lag']}", file=where, column="lag")
    for pair in out["products"]:
        if not isinstance(pair, (list, tuple)) or len(pair) < 2:
            raise InputError(f"each product needs at least two variables, got {pair!r}", file=where, column="products")
    if out["instruments"] is not None and kind != "iv":
        raise InputError("'instruments' is only used by kind 'iv'", file=where, column="instruments")
    if out["threshold"] is not None and kind != "threshold":
        raise InputError("'threshold' is only used by kind 'threshold'", file=where, column="threshold")
    if kind == "iv":
        if not out["instruments"]:
            raise InputError("kind 'iv' needs 'instruments' (endogenous regressor -> list of instruments)", file=where, column="instruments")
        if "driscoll-kraay" in out["cov"]:
            raise InputError("driscoll-kraay is not available for IV; use clustered (or robust)", file=where, column="cov")
        if out["model"] != "fe":
            raise InputError(f"kind 'iv' estimates FE-2SLS; model must be 'fe', got {out['model']!r}", file=where, column="model")
        out["instruments"] = {str(k): _as_list(v) for k, v in dict(out["instruments"]).items()}
    if kind == "hausman" and out["model"] != "fe":
        raise InputError("kind 'hausman' compares model 'fe' with 're'; set model: fe", file=where, column="model")
    if kind == "threshold":
        thr = copy.deepcopy(THRESHOLD_DEFAULTS)
        thr.update(dict(out["threshold"] or {}))
        for key in ("rx", "qx"):
            if not thr.get(key):
                raise InputError(f"kind 'threshold' needs threshold.{key}", file=where, column=f"threshold.{key}")
        thr["rx"] = _as_list(thr["rx"])
        out["threshold"] = thr
        if sample["balance"] == "none":
            sample["balance"] = "restrict"
        if out["model"] != "fe":
            raise InputError("the threshold model has entity fixed effects; model must be 'fe'", file=where, column="model")
        if out["interact"]:
            raise InputError("region interactions are not available with kind 'threshold'", file=where, column="interact")
    if out["effects"] is None:
        out["effects"] = {"fe": "twoway", "re": "entity"}.get(out["model"], "none")
    if out["interact"]:
        inter = dict(out["interact"])
        if not inter.get("levels"):
            raise InputError("interact needs 'levels' (e.g. [East, Central, West])", file=where, column="interact.levels")
        inter.setdefault("by", "region3")
        inter.setdefault("vars", None)
        out["interact"] = inter
    if out["winsorise"] is not None:
        lo, hi = out["winsorise"]
        if not 0.0 <= lo < hi <= 1.0:
            raise InputError(f"winsorise needs 0 <= lower < upper <= 1, got {out['winsorise']}", file=where, column="winsorise")
    return out


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


# --------------------------------------------------------------------------- model terms


@dataclass
class Design:
    """The terms of a normalised spec: what is estimated, in table order."""

    y: str
    talent: list[str]
    products: list[str]
    controls: list[str]
    endog: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    threshold_q: str | None = None

    @property
    def regressors(self) -> list[str]:
        return list(dict.fromkeys([*self.talent, *self.products, *self.controls]))

    @property
    def columns(self) -> list[str]:
        extra = [self.threshold_q] if self.threshold_q else []
        return list(dict.fromkeys([self.y, *self.regressors, *self.instruments, *extra]))


def design_of(spec: Mapping[str, Any]) -> Design:
    """Terms of a normalised spec (talent lagged, products formed; no data needed)."""
    k = int(spec["lag"])
    talent = [f"L{k}.{t}" if k > 0 else t for t in spec["talent"]]
    products = [PRODUCT.join(str(v) for v in pair) for pair in spec["products"]]
    d = Design(y=str(spec["y"]), talent=talent, products=products, controls=list(spec["controls"]))
    if spec["kind"] == "iv":
        d.endog = list(spec["instruments"])
        d.instruments = list(dict.fromkeys(v for vals in spec["instruments"].values() for v in vals))
    if spec["kind"] == "threshold":
        d.threshold_q = str(spec["threshold"]["qx"])
    return d


def base_columns(term: str) -> list[str]:
    """The data columns a (possibly derived) term is built from (``dist_frontier`` excluded)."""
    if PRODUCT in term:
        return [c for part in term.split(PRODUCT) for c in base_columns(part)]
    m = _LAG.match(term)
    if m:
        return base_columns(m.group(2))
    m = _PREFIX.match(term)
    if m:
        return base_columns(m.group(2))
    if term == "dist_frontier":
        return []
    return [term]


class _Builder:
    """Builds derived columns on demand (memoised in ``frame``) and records their definitions."""

    def __init__(self, frame: pd.DataFrame, *, name: str, frontier: str, tfp: str | None) -> None:
        self.frame = frame
        self.name = name
        self.frontier = frontier
        self.tfp = tfp
        self.definitions: dict[str, str] = {}

    def need(self, term: str) -> str:
        term = str(term).strip()
        if term in self.frame.columns:
            s = self.frame[term]
            if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
                raise InputError(f"variable '{term}' is not numeric", file=_where(self.name), column=term)
            return term
        if PRODUCT in term:
            parts = [self.need(p) for p in term.split(PRODUCT)]
            values = self.frame[parts[0]].to_numpy(dtype=float).copy()
            for p in parts[1:]:
                values = values * self.frame[p].to_numpy(dtype=float)
            self._add(term, values, " × ".join(parts))
            return term
        m = _LAG.match(term)
        if m:
            k = int(m.group(1)) if m.group(1) else 1
            if not 1 <= k <= 20:
                raise InputError(f"lag order must be between 1 and 20 in '{term}'", file=_where(self.name), column=term)
            base = self.need(m.group(2))
            lagged = add_lags(self.frame[[ENTITY, TIME, base]], [base], [k], entity=ENTITY, time=TIME)
            self._add(term, lagged[f"L{k}.{base}"].to_numpy(dtype=float), f"{base} lagged {k} year{'s' if k > 1 else ''}")
            return term
        m = _PREFIX.match(term)
        if m:
            op, base = m.group(1), self.need(m.group(2))
            x = self.frame[base].to_numpy(dtype=float)
            if op == "D":
                lagged = add_lags(self.frame[[ENTITY, TIME, base]], [base], [1], entity=ENTITY, time=TIME)
                self._add(term, x - lagged[f"L1.{base}"].to_numpy(dtype=float), f"first difference of {base}")
            elif op == "ln":
                bad = np.isfinite(x) & (x <= 0)
                if bad.any():
                    rows = list(self.frame.loc[bad, KEYS].itertuples(index=False, name=None))
                    raise InputError(f"'{term}': {base} must be > 0 to take logs", file=_where(self.name), column=base, rows=rows)
                with np.errstate(invalid="ignore"):
                    self._add(term, np.log(x), f"natural log of {base}")
            else:
                self._add(term, within.cumulate(self.frame[ENTITY], self.frame[TIME], x), f"{base} cumulated within province (0 in the year before its first change)")
            return term
        if term == "dist_frontier":
            f = self.need(self.frontier)
            values = frontier_distance(self.frame[[TIME, f]], f, time=TIME).to_numpy(dtype=float)
            self._add(term, values, f"max over provinces of {f} in the year minus own {f}")
            return term
        source = "the panel" + (f" or the TFP file of variant '{self.tfp}'" if self.tfp else "")
        raise InputError(
            f"unknown variable '{term}': not a column of {source} and not a derived name "
            "(L<k>.x, D.x, ln.x, cum.x, dist_frontier, a×b)",
            file=_where(self.name),
            column=term,
            hint="fix the name in config/config.yaml (panel columns: data/processed/codebook.md)",
        )

    def _add(self, name: str, values: np.ndarray, definition: str) -> None:
        self.frame[name] = values
        self.definitions[name] = definition


# --------------------------------------------------------------------------- sample


def resolve_drop(name: str, drop: Sequence[Any]) -> list[int]:
    """Province codes of a ``sample.drop`` list (codes, names, or ``municipalities`` / ``tibet``)."""
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


def year_ranges(years: Sequence[int]) -> str:
    """Compact text of a set of years: ``2002–2009, 2011–2019``."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return "none"
    parts: list[str] = []
    start = prev = ys[0]
    for y in ys[1:] + [None]:  # type: ignore[list-item]
        if y is not None and y == prev + 1:
            prev = y
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(parts)


def balance_panel(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int], list[int]]:
    """Largest balanced sub-panel found greedily: drop the province or year with the largest
    share of missing cells until every remaining province has every remaining year.

    Returns the balanced rows and the dropped provinces and years.
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


@dataclass
class AnalysisFrame:
    """The estimation sample of one spec and what was done to get it."""

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
    """
    s = normalise_spec(name, spec)  # idempotent
    where = _where(name)
    with spec_context(name):
        for frame_, label in ((panel, "panel"), (tfp, "TFP file")):
            if frame_ is not None:
                missing = [k for k in KEYS if k not in frame_.columns]
                if missing:
                    raise InputError(f"{label} has no key column(s) {', '.join(missing)}", file=where)
        data = panel.copy()
        if s["tfp"] is not None:
            if tfp is None:
                raise InputError(f"needs the TFP file of variant '{s['tfp']}' but none was given", file=where, column="tfp")
            add = [c for c in tfp.columns if c not in data.columns]
            data = data.merge(tfp[[*KEYS, *add]], on=KEYS, how="left", validate="one_to_one")
        data = data.sort_values(KEYS).reset_index(drop=True)

    design = design_of(s)
    frontier = s["frontier"] or re.sub(r"^D\.", "", design.y)
    builder = _Builder(data, name=name, frontier=frontier, tfp=s["tfp"])
    sample_cfg = s["sample"]

    # unknown variables first (clear error before any work)
    terms = design.columns
    if s["interact"] and s["interact"].get("vars"):
        terms = terms + [v for v in _as_list(s["interact"]["vars"]) if v not in terms]
    known = set(data.columns)
    for term in terms:
        for col in base_columns(term):
            if col not in known:
                builder.need(col)  # raises the unknown-variable error
    if "dist_frontier" in " ".join(terms) and frontier not in known:
        builder.need(frontier)

    # sample filter (as a mask: derived variables use all rows)
    in_filter = np.ones(len(data), dtype=bool)
    years = sample_cfg["years"]
    if years is not None:
        lo, hi = int(years[0]), int(years[1])
        if lo > hi:
            raise InputError(f"sample.years: first year {lo} is after last year {hi}", file=where, column="sample.years")
        in_filter &= data[TIME].between(lo, hi).to_numpy()
    drop = resolve_drop(name, sample_cfg["drop"])
    if drop:
        in_filter &= ~data[ENTITY].isin(drop).to_numpy()
    region_col = sample_cfg["region_column"]
    if sample_cfg["regions"]:
        if region_col not in data.columns:
            raise InputError(f"no region column '{region_col}' in the panel", file=where, column="sample.region_column")
        levels = [str(r) for r in sample_cfg["regions"]]
        unknown = sorted(set(levels) - set(data[region_col].astype(str).unique()))
        if unknown:
            raise InputError(
                f"unknown region(s) {', '.join(unknown)} in sample.regions; {region_col} has "
                f"{', '.join(sorted(data[region_col].astype(str).unique()))}",
                file=where,
                column="sample.regions",
            )
        in_filter &= data[region_col].astype(str).isin(levels).to_numpy()
    if not in_filter.any():
        raise InputError("the sample filter leaves no rows", file=where, column="sample")

    # winsorise base variables at quantiles of the filtered rows
    winsorised: list[str] = []
    if s["winsorise"] is not None:
        lo_q, hi_q = (float(v) for v in s["winsorise"])
        bases = list(dict.fromkeys(c for t in terms for c in base_columns(t) if c in data.columns))
        if any("dist_frontier" in t for t in terms) and frontier in data.columns and frontier not in bases:
            bases.append(frontier)
        with spec_context(name):
            clipped = winsorise(data.loc[in_filter, bases], bases, lo_q, hi_q)
            for c in bases:
                lo_v, hi_v = clipped[c].min(), clipped[c].max()
                data[c] = data[c].clip(lo_v, hi_v)
        winsorised = bases

    with spec_context(name):
        for term in terms:
            builder.need(term)
    data = builder.frame

    rows_filter = int(in_filter.sum())
    sub = data.loc[in_filter]
    cols = design.columns
    values = sub[cols].to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    dropped_by_var = {c: int(n) for c, n in zip(cols, bad.sum(axis=0), strict=True) if n}
    complete = sub.loc[~bad.any(axis=1)].copy()
    n_incomplete = int(bad.any(axis=1).sum())
    if dropped_by_var:
        log.info(
            "%s: %d of %d rows in the sample filter dropped for missing values (%s)",
            where, n_incomplete, rows_filter, ", ".join(f"{k}: {v}" for k, v in dropped_by_var.items()),
        )
    min_prov = int(sample_cfg["min_provinces"])
    _check_provinces(complete, min_prov, where, "after dropping incomplete rows")

    dropped_unbalanced: dict[str, Any] = {"provinces": [], "years": [], "rows": 0}
    balanced = _is_balanced(complete)
    if sample_cfg["balance"] == "require" and not balanced:
        missing = _missing_cells(complete)
        raise InputError(
            f"the spec requires a balanced panel but {len(missing)} province-years are missing "
            f"from the complete-case sample",
            file=where,
            column="sample.balance",
            rows=missing,
            hint="use sample.balance: restrict to drop them, or narrow sample.years",
        )
    if sample_cfg["balance"] == "restrict" and not balanced:
        missing = _missing_cells(complete)
        before = len(complete)
        complete, dp, dy = balance_panel(complete)
        dropped_unbalanced = {"provinces": dp, "years": dy, "rows": before - len(complete), "missing_cells": [list(m) for m in missing]}
        log.info("%s: balanced panel: dropped provinces %s, years %s (%d rows)", where, dp, dy, before - len(complete))
        n_years = complete[TIME].nunique()
        if complete[ENTITY].nunique() < min_prov or n_years < (MIN_THRESHOLD_YEARS if s["kind"] == "threshold" else 2):
            raise InputError(
                f"a balanced panel cannot be formed: keeping every province with all years leaves "
                f"{complete[ENTITY].nunique()} provinces and {n_years} years "
                f"(need >= {min_prov} provinces); missing province-years",
                file=where,
                column="sample.balance",
                rows=missing,
                hint="narrow sample.years or drop the provinces with gaps",
            )
        balanced = True
    _check_provinces(complete, min_prov, where, "after balancing")

    regressors = design.regressors
    talent_terms = list(design.talent)
    interactions: dict[str, list[str]] = {}
    if s["interact"]:
        inter = s["interact"]
        vars_ = _as_list(inter["vars"]) or list(design.talent)
        unknown = [v for v in vars_ if v not in regressors]
        if unknown:
            raise InputError(
                f"interact.vars {', '.join(map(repr, unknown))} are not regressors of the spec ({', '.join(regressors)})",
                file=where,
                column="interact.vars",
            )
        with spec_context(name):
            complete, _ = region_interactions(complete, vars_, region=inter["by"], levels=[str(v) for v in inter["levels"]])
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
        regressors = new

    provinces = sorted(int(p) for p in complete[ENTITY].unique())
    years_used = sorted(int(y) for y in complete[TIME].unique())
    sample = {
        "nobs": int(len(complete)),
        "n_provinces": len(provinces),
        "provinces": provinces,
        "n_years": len(years_used),
        "years": years_used,
        "years_text": year_ranges(years_used),
        "balanced": bool(balanced),
        "filter": {
            "years": None if years is None else [int(years[0]), int(years[1])],
            "drop": drop,
            "regions": [str(r) for r in sample_cfg["regions"]],
            "region_column": region_col,
        },
        "rows_in_filter": rows_filter,
        "dropped_missing": dropped_by_var,
        "n_dropped_missing": n_incomplete,
        "dropped_unbalanced": dropped_unbalanced,
        "winsorised": winsorised,
    }
    keep_cols = [*KEYS, *[c for c in LABEL_COLUMNS if c in complete.columns], *dict.fromkeys([*cols, *regressors])]
    return AnalysisFrame(
        name=name,
        spec=s,
        design=design,
        frame=complete[keep_cols].reset_index(drop=True),
        regressors=regressors,
        talent_terms=talent_terms,
        interactions=interactions,
        sample=sample,
        definitions={k: v for k, v in builder.definitions.items() if k in set(cols) | set(regressors) | {"dist_frontier"}},
    )


def _check_provinces(frame: pd.DataFrame, minimum: int, where: str, when: str) -> None:
    n = int(frame[ENTITY].nunique())
    if n < minimum:
        names = ", ".join(BY_CODE[int(c)].name_en if int(c) in BY_CODE else str(c) for c in sorted(frame[ENTITY].unique()))
        raise InputError(
            f"the sample has {n} province(s) {when} ({names or 'none'}); at least {minimum} are needed",
            file=where,
            column="sample",
            hint="widen sample.years / sample.regions or drop fewer provinces (sample.min_provinces sets the minimum)",
        )


def _is_balanced(frame: pd.DataFrame) -> bool:
    return len(frame) == frame[ENTITY].nunique() * frame[TIME].nunique()


def _missing_cells(frame: pd.DataFrame) -> list[tuple[str, int]]:
    present = pd.crosstab(frame[ENTITY], frame[TIME]).astype(bool)
    cells = []
    for code in present.index:
        for year in present.columns:
            if not present.loc[code, year]:
                label = BY_CODE[int(code)].name_en if int(code) in BY_CODE else str(code)
                cells.append((label, int(year)))
    return cells


# --------------------------------------------------------------------------- estimation


def run_spec(
    name: str,
    spec: Mapping[str, Any],
    panel: pd.DataFrame,
    tfp: pd.DataFrame | None,
    seed: int,
    *,
    workers: int = 1,
) -> dict[str, Any]:
    """Estimate one specification; return a JSON-safe dict.

    Keys: ``spec`` (name), ``kind``, ``label``, ``config`` (the normalised spec),
    ``seed``, ``y``, ``regressors``, ``roles`` (talent / products / controls /
    interactions), ``definitions`` of derived variables, ``sample`` (N, provinces,
    years, rows dropped per variable, balancing), ``results`` (one
    ``PanelResult.to_dict()`` per covariance type, for kinds panel, hausman and iv);
    kind ``hausman`` adds ``models`` (``fe`` and ``re`` per covariance) and ``hausman``
    (classic and cluster-robust Mundlak tests); kind ``threshold`` adds ``threshold``.
    """
    s = normalise_spec(name, spec)
    af = build_analysis_frame(panel, tfp, s, name=name)
    where = _where(name)
    out: dict[str, Any] = {
        "spec": name,
        "kind": s["kind"],
        "label": s["label"] or name,
        "description": s["description"],
        "config": s,
        "seed": int(seed),
        "y": af.design.y,
        "regressors": af.regressors,
        "roles": {
            "talent": af.talent_terms,
            "products": af.design.products,
            "controls": af.design.controls,
            "interactions": af.interactions,
            "endog": af.design.endog,
            "instruments": af.design.instruments,
        },
        "definitions": af.definitions,
        "sample": af.sample,
    }
    common = dict(entity=ENTITY, time=TIME, convention=s["convention"], file=f"{where} (estimation sample)")
    with spec_context(name):
        if s["kind"] in ("panel", "hausman"):
            from tfp_talent.estimators.panel import fit_panel

            results = {}
            for cov in s["cov"]:
                res = fit_panel(af.frame, af.design.y, af.regressors, model=s["model"], effects=s["effects"], **_cov_args(s, cov), **common)
                results[cov] = _with_tests(res.to_dict(), res, af)
            out["results"] = results
            if s["kind"] == "hausman":
                out.update(_hausman_block(s, af, results, common))
        elif s["kind"] == "iv":
            from tfp_talent.estimators.iv import fit_iv

            endog = af.design.endog
            missing = [e for e in endog if e not in af.regressors]
            if missing:
                raise InputError(
                    f"instrumented variable(s) {', '.join(map(repr, missing))} are not regressors of the spec ({', '.join(af.regressors)})",
                    column="instruments",
                )
            exog = [r for r in af.regressors if r not in endog]
            results = {}
            for cov in s["cov"]:
                args = _cov_args(s, cov)
                args.pop("bandwidth", None)
                res = fit_iv(af.frame, af.design.y, exog, endog, s["instruments"], effects=s["effects"], cov=cov, cluster=args["cluster"], **common)
                d = res.to_dict()
                fs = res.extra.get("first_stage", {})
                d["first_stage_f"] = min((v["partial_f"] for v in fs.values()), default=None)
                results[cov] = d
            out["results"] = results
        else:
            out["threshold"] = _threshold_block(s, af, seed, workers)
    return out


def _cov_args(s: Mapping[str, Any], cov: str) -> dict[str, Any]:
    return {
        "cov": cov,
        "cluster": s["cluster"] if cov == "clustered" else None,
        "bandwidth": s["bandwidth"] if cov == "driscoll-kraay" else None,
    }


def _with_tests(d: dict[str, Any], res: Any, af: AnalysisFrame) -> dict[str, Any]:
    """Add Wald tests of equal regional slopes (one per interacted variable)."""
    if not af.interactions:
        return d
    tests = {}
    for var, names in af.interactions.items():
        tests[f"equal_slopes[{var}]"] = wald_equal(res.params, res.cov, names, res.df_inference)
    d["tests"] = tests
    return d


def wald_equal(params: pd.Series, cov: pd.DataFrame, names: Sequence[str], df_inference: float) -> dict[str, Any]:
    """Wald test of b_1 = b_2 = ... = b_m: W = (Rb)'(RVR')⁻¹(Rb), R the m−1 successive differences.

    χ²(m − 1) p-value and F = W/(m − 1) with F(m − 1, df) where the result uses a t
    distribution with df degrees of freedom (Wooldridge 2010, §4.2.3).
    """
    from scipy import stats

    names = list(names)
    m = len(names)
    b = params[names].to_numpy(dtype=float)
    v = cov.loc[names, names].to_numpy(dtype=float)
    r = np.zeros((m - 1, m))
    for i in range(m - 1):
        r[i, 0], r[i, i + 1] = 1.0, -1.0
    rb = r @ b
    w = float(rb @ np.linalg.solve(r @ v @ r.T, rb))
    q = m - 1
    f = w / q
    p_f = float(stats.chi2.sf(w, q)) if math.isinf(df_inference) else float(stats.f.sf(f, q, df_inference))
    return {"variables": names, "wald": w, "df": q, "p_chi2": float(stats.chi2.sf(w, q)), "f_stat": f, "p_value": p_f}


def _hausman_block(s: Mapping[str, Any], af: AnalysisFrame, fe_results: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
    from tfp_talent.estimators.hausman import hausman
    from tfp_talent.estimators.panel import fit_panel

    eff = s["effects"] if s["effects"] in ("entity", "twoway") else "entity"
    re_results = {}
    for cov in s["cov"]:
        res = fit_panel(af.frame, af.design.y, af.regressors, model="re", effects=eff, **_cov_args(s, cov), **common)
        re_results[cov] = res.to_dict()
    classic = hausman(af.frame, af.design.y, af.regressors, effects=eff, method="classic", **common).to_dict()
    mundlak = hausman(
        af.frame, af.design.y, af.regressors, effects=eff, method="mundlak", cov="clustered", cluster=s["cluster"], **common
    ).to_dict()
    return {"models": {"fe": fe_results, "re": re_results}, "hausman": {"classic": classic, "mundlak": mundlak}}


def _threshold_block(s: Mapping[str, Any], af: AnalysisFrame, seed: int, workers: int) -> dict[str, Any]:
    from tfp_talent.estimators import threshold as thr_mod

    thr = s["threshold"]
    rx = [str(v) for v in thr["rx"]]
    qx = str(thr["qx"])
    missing = [v for v in rx if v not in af.regressors]
    if missing:
        raise InputError(
            f"threshold.rx {', '.join(map(repr, missing))} must be regressors of the spec ({', '.join(af.regressors)})",
            column="threshold.rx",
        )
    x = [r for r in af.regressors if r not in rx]
    frame = af.frame
    year_dummies: list[str] = []
    if thr["year_effects"]:
        years = sorted(int(v) for v in frame[TIME].unique())
        dummies = {f"year_{y}": (frame[TIME] == y).astype(float).to_numpy() for y in years[1:]}
        frame = frame.assign(**dummies)
        year_dummies = list(dummies)
    res = thr_mod.threshold_fit(
        frame, af.design.y, [*x, *year_dummies], rx, qx, ENTITY, TIME,
        n_thresholds=int(thr["n"]), trim=thr["trim"], grid=thr["grid"], bootstrap=int(thr["bootstrap"]),
        seed=int(seed), transform=thr["transform"], level=float(thr["level"]), cov=thr["cov"],
        n_jobs=max(1, int(workers)), progress=False, min_regime_obs=int(thr["min_regime_obs"]),
        file=f"{_where(af.name)} (estimation sample)",
    )
    out = _json_ready(res.to_dict())
    out["year_dummies"] = year_dummies
    out["regime_regressors"] = rx
    out["threshold_variable"] = qx
    return out


def _json_ready(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_ready(v) for v in obj]
    if isinstance(obj, pd.Series):
        return {str(k): _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, pd.DataFrame):
        return {str(c): _json_ready(obj[c]) for c in obj.columns}
    if isinstance(obj, np.ndarray):
        return [_json_ready(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


# --------------------------------------------------------------------------- notes for tables


def term_label(term: str, labels: Mapping[str, str]) -> str:
    """Readable label of a (possibly derived) term, composed from ``labels`` of base variables.

    ``L1.x`` -> "<x>, t−1"; ``D.x`` -> "Δ <x>"; ``ln.x`` -> "ln <x>"; ``cum.x`` -> "cumulated <x>";
    ``a×b`` -> "<a> × <b>"; ``x:East`` -> "<x> × East"; ``year_2005`` -> "Year 2005".
    """
    if term in labels:
        return labels[term]
    if PRODUCT in term:
        return " × ".join(term_label(p, labels) for p in term.split(PRODUCT))
    m = _LAG.match(term)
    if m:
        k = int(m.group(1) or 1)
        return f"{term_label(m.group(2), labels)}, t−{k}"
    m = _PREFIX.match(term)
    if m:
        prefix = {"D": "Δ ", "ln": "ln ", "cum": "cumulated "}[m.group(1)]
        return prefix + term_label(m.group(2), labels)
    if ":" in term:
        base, _, level = term.rpartition(":")
        return f"{term_label(base, labels)} × {level}"
    m = re.match(r"^year_(\d{4})$", term)
    if m:
        return f"Year {m.group(1)}"
    return term



def sample_note(result: Mapping[str, Any], *, labels: Mapping[str, str] | None = None, named: bool = True) -> str:
    """One sentence describing a result's estimation sample (for table notes and the report).

    With ``named`` it starts with the spec's label.
    """
    s = result["sample"]
    labels = dict(labels or {})
    head = f"N = {s['nobs']:,}, {s['n_provinces']} provinces, years {s['years_text']}"
    parts = [f"{result.get('label') or result['spec']}: {head}" if named else head]
    drop = s["filter"]["drop"]
    if drop:
        parts.append("excluding " + ", ".join(BY_CODE[c].name_en if c in BY_CODE else str(c) for c in drop))
    if s["filter"]["regions"]:
        parts.append("regions " + ", ".join(s["filter"]["regions"]))
    if s["n_dropped_missing"]:
        per = ", ".join(f"{term_label(k, labels)} {v}" for k, v in s["dropped_missing"].items())
        parts.append(f"{s['n_dropped_missing']} of {s['rows_in_filter']} province-years dropped for missing data ({per})")
    ub = s.get("dropped_unbalanced") or {}
    if ub.get("rows"):
        what = []
        if ub.get("provinces"):
            what.append("provinces " + ", ".join(BY_CODE[c].name_en if c in BY_CODE else str(c) for c in ub["provinces"]))
        if ub.get("years"):
            what.append("years " + ", ".join(str(y) for y in ub["years"]))
        parts.append(f"{ub['rows']} rows dropped to balance the panel ({'; '.join(what)})")
    if s.get("winsorised"):
        w = (result.get("config") or {}).get("winsorise") or []
        at = f" at the {w[0]:g} and {w[1]:g} quantiles" if len(w) == 2 else ""
        parts.append(f"{', '.join(term_label(v, labels) for v in s['winsorised'])} winsorised{at}")
    return "; ".join(parts) + "."


# --------------------------------------------------------------------------- config checks


def check_study_config(config: Mapping[str, Any], *, source: str = "config/config.yaml") -> None:
    """Cross-checks of ``specs``, ``tables``, ``figures`` that the schema cannot express.

    Every spec is normalised (kind-specific requirements); its TFP variant must be
    ``baseline``, null or a key of ``tfp.variants``; tables and figures may only name
    existing specs and covariance types those specs estimate.
    """
    specs = dict(config.get("specs") or {})
    variants = set(((config.get("tfp") or {}).get("variants") or {}).keys())
    normal = {}
    for name, spec in specs.items():
        s = normalise_spec(name, spec)
        if s["tfp"] is not None and s["tfp"] != BASELINE_TFP and s["tfp"] not in variants:
            raise InputError(
                f"unknown TFP variant '{s['tfp']}'; use baseline or one of tfp.variants ({', '.join(sorted(variants)) or 'none'})",
                file=_where(name),
                column="tfp",
            )
        normal[name] = s
    for group in ("tables", "figures"):
        for tname, entry in dict(config.get(group) or {}).items():
            for ref in referenced_specs(entry):
                sname, cov = ref.get("spec"), ref.get("cov")
                if sname not in normal:
                    raise InputError(f"unknown spec '{sname}'; defined: {', '.join(sorted(normal))}", file=source, column=f"{group}.{tname}")
                if cov is not None and cov not in normal[sname]["cov"]:
                    raise InputError(
                        f"spec '{sname}' does not estimate cov '{cov}' (it has {', '.join(normal[sname]['cov'])})",
                        file=source,
                        column=f"{group}.{tname}",
                    )
                model = ref.get("model")
                if model is not None and model not in ("fe", "re"):
                    raise InputError(f"model '{model}' of spec '{sname}': use fe or re (kind hausman)", file=source, column=f"{group}.{tname}")
                if model is not None and normal[sname]["kind"] != "hausman":
                    raise InputError(f"model '{model}' is only available for specs of kind hausman ('{sname}' is {normal[sname]['kind']})", file=source, column=f"{group}.{tname}")


def referenced_specs(entry: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The ``{spec, cov, model}`` references of a table or figure entry."""
    refs: list[dict[str, Any]] = []
    if entry.get("spec"):
        refs.append({"spec": entry["spec"], "cov": entry.get("cov"), "model": entry.get("model")})
    for col in entry.get("columns") or []:
        refs.append({"spec": col["spec"], "cov": col.get("cov"), "model": col.get("model")})
    for panel in entry.get("panels") or []:
        for col in panel.get("columns") or []:
            refs.append({"spec": col["spec"], "cov": col.get("cov"), "model": col.get("model")})
    for test in entry.get("tests") or []:
        refs.append({"spec": test["spec"], "cov": None, "model": None})
    return refs


def spec_names_of(entry: Mapping[str, Any]) -> list[str]:
    """Distinct spec names a table or figure entry needs (its rule's inputs)."""
    return list(dict.fromkeys(r["spec"] for r in referenced_specs(entry)))
