"""Formulas as pyfixest/fixest users write them, and the expansion of terms into columns.

Grammar (pyfixest's three-part formula; Bergé 2018, fixest; Fischer et al., pyfixest)::

    y ~ x1 + x2 + C(g) + log(x3) + L(x4, 2) + L.x5 | entity + time | endog ~ inst1 + inst2

* the part after the first ``|`` names the fixed effects: the entity column, the time
  column or both (``| id`` entity effects, ``| id + year`` two-way, ``| year`` time effects);
  ``| 0`` or no such part leaves the model and effects to the keywords;
* a last part ``endog ~ instruments`` makes an IV formula (:func:`~tfp_talent.estimators.iv.fit_iv`);
* terms: a column name is used as it is (numeric columns only, see defect 2 below); a lag
  ``L(x, k)``, ``L(x)``, ``Lk.x`` or ``L.x`` is x_{i,t-k} by calendar period within entity, missing
  across gaps (:mod:`tfp_talent.within`); every other term — ``C(x)``, ``log(x)``, ``x:z``,
  ``x*z``, ``{x**2}``, a pandas ``category`` column — is materialised by **formulaic** (the
  formula library of pyfixest and linearmodels) with treatment coding against an intercept, so
  a categorical with L levels gives L − 1 dummies named ``x[T.level]`` (``C(x)[T.level]``),
  the first level dropped. ``1``, ``0`` and ``-1`` are ignored (the model decides the constant).

Categories are never a slope (issue 11, defect 2): a ``category`` column always becomes dummies,
and a text column holding numbers is refused by :func:`~tfp_talent.estimators.design.prepare_panel`
unless it is written ``C(x)`` (categories) or converted to numbers first.

Missing values: a formula term is missing where any variable it uses is missing (dummies
included, so a missing category is not read as the base level). A transformation that turns
finite inputs into NaN or ±inf (``log`` of a number <= 0) is an error naming the rows, not a
silent drop.

Examples of :func:`parse` (depvar; terms; fixed effects; endog ~ instruments)::

    "y ~ x + L(z, 2)"                    y; [x, L2.z]; None; -
    "y ~ x | id + year"                  y; [x]; [id, year]; -
    "y ~ 1 | id | x ~ L2.x + w"          y; []; [id]; [x] ~ [L2.x, w]
    "y ~ w | 0 | x ~ z"                  y; [w]; []; [x] ~ [z]  (empty list: the keywords decide)

The pipeline of :func:`~tfp_talent.estimators.panel.fit_panel` and :func:`~tfp_talent.estimators.iv.fit_iv`:
:func:`parse` → :func:`resolve_panel` (entity and time columns) → :func:`effects_of` (model
effects from the ``|`` part) → :func:`expand_terms` (columns of the non-plain terms, with the
:class:`TermExpansion` kept for prediction) → :func:`~tfp_talent.estimators.design.prepare_panel`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.errors import InputError

_LAG_CALL = re.compile(r"^[Ll]\(\s*([A-Za-z_][\w.]*)\s*(?:,\s*(\d+)\s*)?\)$")
_NAME = re.compile(r"^[A-Za-z_]\w*$")
_NO_TERM = {"1", "0", "-1", "+1"}


@dataclass(frozen=True)
class ParsedFormula:
    """The parts of a formula: dependent variable, regressor terms, fixed effects, IV part.

    ``terms``, ``endog`` and ``instruments`` hold the terms as written except lags, which are
    normalised to ``Lk.x`` (:func:`lag_name`); ``1``, ``0``, ``-1`` and ``+1`` are left out.
    ``fixed_effects`` is None without a ``|`` part and lists the names after the first ``|``
    otherwise (empty for ``| 0``).
    """

    depvar: str
    terms: list[str]
    fixed_effects: list[str] | None  # None: no fixed-effects part
    endog: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)

    @property
    def is_iv(self) -> bool:
        """True when the formula has an ``endog ~ instruments`` part."""
        return bool(self.endog)


def is_formula(value: object) -> bool:
    """True for a string holding ``~``."""
    return isinstance(value, str) and "~" in value


def split_top(text: str, sep: str) -> list[str]:
    """Split ``text`` at ``sep`` outside parentheses, brackets and braces.

    ``split_top("x + L(z, 2) + {a+b}", "+")`` gives ``["x", "L(z, 2)", "{a+b}"]``; the parts are
    stripped of surrounding blanks and may be empty (``"x + "`` gives ``["x", ""]``).
    """
    out, depth, cur = [], 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [p.strip() for p in out]


def _terms(text: str, formula: str) -> list[str]:
    """The ``+``-separated terms of ``text`` with lags normalised; an empty term (``x + + z``) raises."""
    parts = split_top(text, "+")
    if any(not p for p in parts) and text.strip():
        raise InputError(f"empty term in formula {formula!r}")
    return [lag_name(p) for p in parts if p and p not in _NO_TERM]


def parse(formula: str) -> ParsedFormula:
    """Split ``"y ~ x | fe | endog ~ inst"`` into its parts (see the module docstring).

    The parts are separated by ``|`` outside brackets; a last part holding ``~`` is the IV part,
    a middle part the fixed effects. Returns a :class:`ParsedFormula`.

    Raises
    ------
    InputError
        For unbalanced brackets, more than three parts, a ``~`` missing or repeated in the
        main part or in a fixed-effects part, not exactly one dependent variable, an empty term
        or fixed-effects part, an IV part without endogenous regressors or instruments, and a
        malformed lag (:func:`lag_name`).
    """
    depth = 0
    for ch in formula:
        depth += (ch in "([{") - (ch in ")]}")
        if depth < 0:
            break
    if depth != 0:
        raise InputError(f"unbalanced brackets in formula {formula!r}")
    parts = split_top(formula, "|")
    if len(parts) > 3:
        raise InputError(f"a formula has at most three parts 'y ~ x | fe | endog ~ inst', got {formula!r}")
    main, rest = parts[0], parts[1:]
    iv_part = rest.pop() if rest and "~" in rest[-1] else None
    if any("~" in p for p in rest) or main.count("~") != 1:
        raise InputError(
            f"formula must read 'y ~ x1 + x2 | fe1 + fe2 | endog ~ instruments', got {formula!r}"
        )
    lhs, rhs = (s.strip() for s in main.split("~"))
    if not lhs or len(split_top(lhs, "+")) != 1:
        raise InputError(f"formula needs one dependent variable left of '~', got {formula!r}")
    fes = None
    if rest:
        fes = _terms(rest[0], formula)
        if not rest[0].strip():
            raise InputError(f"empty fixed-effects part in formula {formula!r}")
    endog: list[str] = []
    inst: list[str] = []
    if iv_part is not None:
        e_txt, z_txt = (s.strip() for s in iv_part.split("~", 1))
        endog, inst = _terms(e_txt, formula), _terms(z_txt, formula)
        if not endog or not inst:
            raise InputError(f"the IV part needs 'endog ~ instruments', got {iv_part!r} in {formula!r}")
    return ParsedFormula(lhs, _terms(rhs, formula), fes, endog, inst)


def lag_name(term: str) -> str:
    """``L(x, k)`` / ``L(x)`` → ``Lk.x`` / ``L1.x`` (the lag names of :mod:`~tfp_talent.estimators.design`).

    ``l(x, 2)`` is accepted as well; any other term is returned stripped. A call ``L(...)`` that is
    not a column name and a whole number (``L(x, -1)``, ``L(log(x))``) raises :class:`InputError`.
    """
    m = _LAG_CALL.match(term.strip())
    if m:
        return f"L{m.group(2) or 1}.{m.group(1)}"
    if re.match(r"^[Ll]\(", term.strip()):
        raise InputError(
            f"a lag is written L(column, k) with a column name and a whole number k, got {term!r}"
        )
    return term.strip()


def resolve_panel(
    data: pd.DataFrame, entity: str | None, time: str | None, fixed_effects: Sequence[str] | None = None
) -> tuple[pd.DataFrame, str, str]:
    """The data with entity/time as columns, and their names.

    From ``entity=``/``time=`` when given; else from a two-level pandas MultiIndex (entity,
    time), as linearmodels takes it; else, with a two-name fixed-effects part ``| id + year``,
    the first name is the entity and the second the time (fixest's habit).

    With a MultiIndex, unnamed levels are called ``entity`` and ``time``; when ``entity`` or
    ``time`` names a level, the levels are copied into columns and the MultiIndex is kept as the
    row index, so residuals and predictions carry it. Keywords win over the index names and over
    the formula. Raises :class:`InputError` if ``data`` is not a DataFrame, the MultiIndex has not
    two levels, or neither source names both columns.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame")
    if isinstance(data.index, pd.MultiIndex):
        if data.index.nlevels != 2:
            raise InputError(f"a MultiIndex must have two levels (entity, time), got {data.index.nlevels}")
        names = [n if n is not None else d for n, d in zip(data.index.names, ("entity", "time"), strict=True)]
        entity = entity or names[0]
        time = time or names[1]
        if entity in names or time in names:
            flat = data.reset_index(names=names)
            flat.index = data.index  # results (resid, fitted, predict) keep the user's MultiIndex
            data = flat
    elif (entity is None or time is None) and fixed_effects is not None and len(fixed_effects) == 2:
        entity = entity or fixed_effects[0]
        time = time or fixed_effects[1]
    if entity is None or time is None:
        raise InputError(
            "say which columns are the entity and the period: entity= and time=, "
            "or a MultiIndex (entity, time) on the data, or '| entity + time' in the formula"
        )
    return data, entity, time


def effects_of(fixed_effects: Sequence[str], entity: str, time: str) -> str:
    """``entity``, ``time`` or ``twoway`` from the fixed-effects names of a formula.

    ``["id"]`` → ``entity``, ``["year"]`` → ``time``, ``["id", "year"]`` (either order) →
    ``twoway``, with ``entity="id"``, ``time="year"``. Any other name raises :class:`InputError`:
    other groupings enter as ``C(column)`` dummies.
    """
    dims = {entity: "entity", time: "time"}
    unknown = [f for f in fixed_effects if f not in dims]
    if unknown:
        raise InputError(
            f"fixed effects can be the entity ({entity!r}) and/or time ({time!r}) column; "
            "for other groupings add C(column) as regressors",
            column=unknown,
        )
    used = {dims[f] for f in fixed_effects}
    return "twoway" if len(used) == 2 else used.pop()


def _is_plain(term: str, data: pd.DataFrame) -> bool:
    """A term passed to :func:`prepare_panel` as it is: a numeric/text column or a lag of one.

    A ``category`` column is not plain (it becomes dummies); neither is an expression such as
    ``C(g)``, ``log(x)`` or ``x:z``, which formulaic evaluates.
    """
    if term in data.columns:
        return not isinstance(data[term].dtype, pd.CategoricalDtype)
    # a lag, or a bare name that is not a column (prepare_panel reports it as missing)
    return bool(within.LAG_RE.match(term) or _NAME.match(term))


@dataclass
class TermExpansion:
    """How terms became columns; :meth:`apply` repeats it on new data (same categories).

    ``columns`` maps every term to its column names (a plain term to itself, ``C(g)`` to its
    dummies ``C(g)[T.b]``, ...); ``spec`` is formulaic's ``ModelSpec`` of the materialised terms
    (None when all terms are plain); ``term_vars`` maps each materialised term to the data
    columns it reads.
    """

    columns: dict[str, list[str]]  # term -> its column names
    spec: Any = None  # formulaic ModelSpec of the materialised terms, or None
    term_vars: dict[str, list[str]] = field(default_factory=dict)

    def names(self, terms: Sequence[str]) -> list[str]:
        """The column names of ``terms`` in order, each once (``KeyError`` for a term not expanded)."""
        return list(dict.fromkeys(c for t in terms for c in self.columns[t]))

    def apply(self, data: pd.DataFrame) -> pd.DataFrame:
        """``data`` with the materialised columns rebuilt by the stored spec (levels of the fit).

        A category level not seen in the estimation sample gives missing dummies, not the base
        level (:func:`_unseen_levels`); ``data`` is returned unchanged when every term is plain.
        """
        if self.spec is None:
            return data
        return _materialise(data, self.spec, self.term_vars, None)[0]


def expand_terms(
    data: pd.DataFrame, terms: Sequence[str], *, file: str | None = None
) -> tuple[pd.DataFrame, TermExpansion]:
    """Materialise the non-plain terms with formulaic; return the data with their columns added.

    Plain terms (numeric or text columns, lags ``Lk.x``) are left to
    :func:`~tfp_talent.estimators.design.prepare_panel`, so the common case costs nothing.

    The other terms are evaluated together as formulaic's ``model_matrix("1 + t1 + t2 ...")``
    (treatment coding against the intercept, ``na_action="ignore"``) on the columns they use, and
    their columns are appended to a copy of ``data`` (a name that is already a column is not
    overwritten). Repeated terms are expanded once. Returns (data with the new columns,
    :class:`TermExpansion`). Raises :class:`InputError` (naming ``file``) when formulaic cannot
    read or evaluate a term, a term uses columns that are not in the data, a term gives no
    column, or a transformation is not finite where its inputs are.
    """
    columns: dict[str, list[str]] = {}
    complex_terms: list[str] = []
    for t in dict.fromkeys(terms):
        if _is_plain(t, data):
            columns[t] = [t]
        else:
            complex_terms.append(t)
    if not complex_terms:
        return data, TermExpansion(columns)
    from formulaic import Formula, model_matrix

    term_vars: dict[str, list[str]] = {}
    for t in complex_terms:
        try:
            needed = sorted(Formula(t).required_variables)
        except Exception as err:  # formulaic's parser raises several types
            raise InputError(
                f"cannot read formula term {t!r}: {str(err).splitlines()[0]}", file=file
            ) from None
        vars_ = [v for v in needed if v in data.columns]
        missing = [v for v in needed if v not in data.columns]
        if missing:
            raise InputError(
                f"formula term {t!r} uses columns that are not in the data", file=file, column=missing
            )
        term_vars[t] = vars_
    fml = "1 + " + " + ".join(complex_terms)
    sub = data[sorted({v for vs in term_vars.values() for v in vs})]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mm = model_matrix(fml, sub, na_action="ignore")
    except Exception as err:  # formulaic raises several types; report its first line
        raise InputError(
            f"cannot evaluate formula terms {fml[4:]!r}: {str(err).splitlines()[0]}", file=file
        ) from None
    spec = mm.model_spec
    out, cols = _materialise(data, spec, term_vars, file, mm)
    columns.update(cols)
    return out, TermExpansion(columns, spec, term_vars)


def _materialise(
    data: pd.DataFrame, spec: Any, term_vars: dict[str, list[str]], file: str | None, mm: Any = None
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Evaluate ``spec`` on ``data``; NaN where a term's inputs are missing; refuse non-finite transforms.

    ``mm`` is the model matrix when it was just built (by :func:`expand_terms`), else it is
    rebuilt from ``spec`` (by :meth:`TermExpansion.apply`). A term's columns are NaN on the rows
    where any input column is missing or holds a category level unseen by ``spec``. Returns
    (data with the new columns, term → column names).
    """
    if mm is None:
        sub = data[sorted({v for vs in term_vars.values() for v in vs})]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mm = spec.get_model_matrix(sub, na_action="ignore")
    new: dict[str, np.ndarray] = {}
    cols: dict[str, list[str]] = {}
    by_term = {str(s.term): list(s.columns) for s in spec.structure}
    unseen = _unseen_levels(data, spec)
    for t, vars_ in term_vars.items():
        key = _structure_key(t, by_term)
        names = [c for k in key for c in by_term[k]]
        if not names:
            raise InputError(f"formula term {t!r} gives no column", file=file)
        inputs_missing = np.zeros(len(data), dtype=bool)
        for v in vars_:
            inputs_missing |= data[v].isna().to_numpy()
            if v in unseen:
                inputs_missing |= unseen[v]
        for c in names:
            vals = np.asarray(mm[c], dtype=float).copy()
            bad = ~np.isfinite(vals) & ~inputs_missing
            if bad.any():
                raise InputError(
                    f"formula term {t!r} is not finite (e.g. log of a number <= 0) where its inputs are",
                    file=file,
                    column=c,
                    rows=list(data.index[bad]),
                )
            vals[inputs_missing] = np.nan
            new[c] = vals
        cols[t] = names
    keep = {c: v for c, v in new.items() if c not in data.columns}
    out = pd.concat([data, pd.DataFrame(keep, index=data.index)], axis=1) if keep else data
    return out, cols


def _unseen_levels(data: pd.DataFrame, spec: Any) -> dict[str, np.ndarray]:
    """Rows whose category was not among the estimation sample's levels, per source column.

    formulaic would code such a row as the base level (all dummies 0); a prediction for it is
    missing instead.
    """
    from formulaic import Formula

    out: dict[str, np.ndarray] = {}
    for expr, (kind, state) in spec.encoder_state.items():
        levels = state.get("categories") if isinstance(state, dict) else None
        if str(getattr(kind, "value", kind)) != "categorical" or levels is None:
            continue
        names = [v for v in Formula(expr).required_variables if v in data.columns]
        if len(names) == 1:
            col = data[names[0]]
            out[names[0]] = (col.notna() & ~col.isin(levels)).to_numpy() | out.get(names[0], False)
    return out


def _structure_key(term: str, by_term: dict[str, list[str]]) -> list[str]:
    """The formulaic terms a user term expands to (``x*z`` → ``x``, ``z``, ``x:z``)."""
    from formulaic import Formula

    wanted = [str(s) for s in Formula(term) if str(s) != "1"]
    return [w for w in wanted if w in by_term]
