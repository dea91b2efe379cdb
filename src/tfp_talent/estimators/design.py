"""Preparing a user panel for the estimators: terms, lags, checks, codes.

Every estimator of :mod:`tfp_talent.estimators` goes through :func:`prepare_panel`,
so bad input is reported the same way whatever the model: a one-line
:class:`~tfp_talent.errors.InputError` naming the file, the column and the rows.

Terms
    A term is a column name or a lag written as in Stata: ``L.x`` or ``L1.x`` is
    x_{i,t-1}, ``L2.x`` is x_{i,t-2}. A lag is the value of the same entity at
    calendar period t - k (the time column must hold integers, e.g. years); it is
    missing when that period is absent, so lags never cross a gap. A column of the
    data whose name looks like a lag (``L2.x`` made by
    :func:`tfp_talent.study.transforms.add_lags`) is used as it is.

Missing values
    Rows with a missing value in any term are dropped (listwise, as Stata does);
    the number dropped is recorded. Infinite values are an error.

The prepared panel holds float arrays under safe names (``v0``, ``v1``, ...) so
that any column name, including ``L2.x`` or names with spaces, can be passed to
formula-based engines; ``names`` maps them back.

Codes
    Entities and periods are coded 0, 1, ... in sorted order of their labels (``_e`` and ``_t``
    of :attr:`PreparedPanel.frame`); the labels are kept in ``entity_labels``/``time_labels``, so
    ``entity_labels[code]`` is the user's value. Codes of the full data are kept when rows are
    dropped, so an entity whose rows are all dropped leaves an unused code (``n_entities`` and
    ``n_periods`` count only the codes with a used row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.io import numeric_column, require_columns, require_unique_keys

FIXEF_TOL = 1e-10


@dataclass(frozen=True)
class Term:
    """A regressor term: ``column`` lagged ``lag`` periods (0 = no lag).

    ``name`` is the term as written (``L2.x``), the key of the term's array in
    :class:`PreparedPanel`; ``column`` the data column it reads (``x``).
    """

    name: str
    column: str
    lag: int = 0


def parse_term(token: str, columns: Sequence[str] | pd.Index) -> Term:
    """Parse ``x``, ``L.x`` or ``Lk.x`` into a :class:`Term` (a data column of that name wins).

    ``L.x`` gives ``Term("L.x", "x", 1)``, ``L3.x`` gives ``Term("L3.x", "x", 3)``
    (:func:`tfp_talent.within.parse_lag`); a name that is not a lag is a plain term, left for
    :func:`prepare_panel` to report if the column is missing. Raises :class:`InputError` for an
    empty name or a lag order outside 1 .. :data:`tfp_talent.within.MAX_LAG`.
    """
    token = str(token).strip()
    if not token:
        raise InputError("empty variable name")
    if token in columns:
        return Term(token, token, 0)
    lag = within.parse_lag(token)
    if lag is not None:
        return Term(token, lag[1], lag[0])
    return Term(token, token, 0)


def parse_formula(formula: str) -> tuple[str, list[str]]:
    """Split ``"y ~ x1 + L2.x2"`` into ``("y", ["x1", "L2.x2"])``.

    Only sums of terms are understood (no transformations or interactions): the simple
    grammar of :func:`~tfp_talent.estimators.hausman.hausman`. :func:`~tfp_talent.estimators.panel.fit_panel`
    and :func:`~tfp_talent.estimators.iv.fit_iv` take pyfixest's full grammar
    (:mod:`tfp_talent.estimators.formula`).

    Raises :class:`InputError` when the formula has not exactly one ``~``, lacks a dependent
    variable or a regressor, or uses any of ``* : ( ) | ^`` (interactions, calls, fixed effects).
    """
    if formula.count("~") != 1:
        raise InputError(f"formula must have one '~' (as in 'y ~ x1 + x2'), got {formula!r}")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    x = [t.strip() for t in rhs.split("+") if t.strip()]
    if not lhs or not x:
        raise InputError(f"formula needs a dependent variable and at least one regressor, got {formula!r}")
    bad = [t for t in [lhs, *x] if any(c in t for c in "*:()|^")]
    if bad:
        raise InputError(
            "only sums of column names and lags (L2.x) are understood in a formula; "
            "create transformed columns in the data first",
            column=bad,
        )
    return lhs, x


@dataclass
class PreparedPanel:
    """Float arrays of the used rows, integer entity/time codes and bookkeeping.

    ``frame`` has columns ``_e`` (entity code), ``_t`` (time code, ordered by
    time) and the safe variable names ``v0 ...``; ``names`` maps safe names to the
    user's terms.

    Attributes
    ----------
    frame
        One row per used observation (data order kept), default RangeIndex.
    names, safe
        Safe name → term, and term → safe name (the inverse).
    entity, time
        Column names of the entity and the period in the user's data.
    n_entities, n_periods
        Entities and periods with at least one used row.
    n_dropped
        Rows dropped because a term was missing (listwise).
    balanced
        True when every used entity has a used row in every used period (N = n_entities·n_periods).
    entity_labels, time_labels
        Sorted unique labels of the full data; code j means ``entity_labels[j]``.
    file
        Data file name for error messages, or None.
    index
        Row labels of the used rows in the user's data (the index of residuals and predictions).
    """

    frame: pd.DataFrame
    names: dict[str, str]
    entity: str
    time: str
    n_entities: int
    n_periods: int
    n_dropped: int
    balanced: bool
    entity_labels: np.ndarray
    time_labels: np.ndarray
    file: str | None = None
    safe: dict[str, str] = field(default_factory=dict)
    index: pd.Index | None = None  # row labels of the used rows in the user's data

    @property
    def nobs(self) -> int:
        """Number of observations used (rows with every variable present)."""
        return len(self.frame)

    def col(self, term: str) -> np.ndarray:
        """Float array of a term, by the user's name (``KeyError`` for a term not prepared)."""
        return self.frame[self.safe[term]].to_numpy()


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(int64 codes in sorted label order, the labels); a missing key gets code −1 (``pd.factorize``)."""
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.int64, copy=False), np.asarray(uniques)


def _has_duplicates(key: np.ndarray, n_cells: int) -> bool:
    """True if an int64 code repeats (a count per cell when the cells are few, else a sort).

    ``n_cells`` is the number of possible codes (entities × periods); a ``bincount`` is used
    while it is at most 4·len(key) + 1024, so memory stays proportional to the data.
    """
    if n_cells <= 4 * len(key) + 1024:
        return bool(np.bincount(key, minlength=0).max(initial=0) > 1)
    return bool(np.unique(key).size < key.size)


def _check_keys(
    data: pd.DataFrame, entity: str, time: str, file: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(entity codes, time codes, entity labels, time labels); missing or repeated keys raise.

    The pair code e·T + t repeats exactly when an entity-period key does; only then (or with a
    missing key) :func:`tfp_talent.io.require_unique_keys` runs and raises :class:`InputError`
    naming the keys.
    """
    e, e_lab = _codes(data[entity])
    t, t_lab = _codes(data[time])
    # factorize marks missing keys -1; duplicates show as a repeated code pair. Only then is the
    # (slower) frame-based check run, for its message naming the keys.
    if (e < 0).any() or (t < 0).any() or _has_duplicates(e * len(t_lab) + t, len(e_lab) * len(t_lab)):
        require_unique_keys(data, [entity, time], file=file)
    return e, t, e_lab, t_lab


def prepare_panel(
    data: pd.DataFrame,
    terms: Sequence[str],
    *,
    entity: str,
    time: str,
    file: str | Path | None = None,
    min_obs: int = 2,
) -> PreparedPanel:
    """Check ``data`` and return the used rows of ``terms`` as a :class:`PreparedPanel`.

    Raises :class:`InputError` for: missing columns, missing or duplicate
    entity-time keys (naming the keys), non-numeric or infinite values (naming the
    rows), a lag on a non-integer time column, fewer than ``min_obs`` complete rows.

    Parameters
    ----------
    data
        Long panel with the entity and time columns, one row per entity-period.
    terms
        Column names and lags ``Lk.x`` (module docstring, Terms); repeated terms are used once.
        The entity and time columns cannot be terms, and category or numbers-as-text columns
        are refused (:func:`refuse_codes`).
    entity, time
        Entity and period columns (different columns); whole-number periods when a lag is asked.
    file
        Data file name, named in every error message.
    min_obs
        Fewest complete rows accepted (default 2).

    Returns
    -------
    PreparedPanel
        The complete rows (listwise deletion over all terms), codes and bookkeeping.
    """
    file_s = None if file is None else str(file)
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", file=file_s)
    if entity == time:
        raise InputError("entity and time must be different columns", file=file_s, column=entity)
    parsed: list[Term] = []
    seen: set[str] = set()
    for tok in terms:
        term = parse_term(tok, data.columns)
        if term.name in seen:
            continue
        seen.add(term.name)
        parsed.append(term)
    require_columns(data, [entity, time, *dict.fromkeys(t.column for t in parsed)], file=file_s)
    clash = [t.name for t in parsed if t.column in (entity, time)]
    if clash:
        raise InputError("the entity and time columns cannot be used as variables", file=file_s, column=clash)

    e, t, e_lab, t_lab = _check_keys(data, entity, time, file_s)
    base: dict[str, np.ndarray] = {}
    for term in parsed:
        if term.column not in base:
            refuse_codes(data[term.column], term.name, file_s)
            base[term.column] = numeric_column(data, term.column, keys=[entity, time], file=file_s)

    tval: np.ndarray | None = None
    if any(term.lag for term in parsed):
        tval = within.integer_time(data[time], column=[term.name for term in parsed if term.lag], file=file_s)

    arrays: dict[str, np.ndarray] = {}
    for term in parsed:
        x = base[term.column]
        arrays[term.name] = x if term.lag == 0 else within.lag(e, tval, x, term.lag)  # type: ignore[arg-type]

    stacked_ok = np.ones(len(data), dtype=bool)
    for name, x in arrays.items():
        fin = np.isfinite(x)
        if not fin.all():
            inf = np.isinf(x)
            if inf.any():
                raise InputError("has infinite values", file=file_s, column=name, rows=list(data.index[inf]))
            stacked_ok &= fin
    n_dropped = int((~stacked_ok).sum())
    nobs = int(stacked_ok.sum())
    if nobs < min_obs:
        raise InputError(
            f"too few complete observations: {nobs} rows have all of {', '.join(arrays)} "
            f"(of {len(data)} rows; need at least {min_obs})",
            file=file_s,
        )

    safe = {name: f"v{i}" for i, name in enumerate(arrays)}
    if n_dropped:
        cols = {"_e": e[stacked_ok], "_t": t[stacked_ok]}
        cols.update({safe[n]: x[stacked_ok] for n, x in arrays.items()})
    else:
        cols = {"_e": e, "_t": t}
        cols.update({safe[n]: x for n, x in arrays.items()})
    frame = pd.DataFrame(cols, copy=False)
    ue = np.bincount(frame["_e"].to_numpy(), minlength=len(e_lab))
    ut = np.bincount(frame["_t"].to_numpy(), minlength=len(t_lab))
    n_ent = int((ue > 0).sum())
    n_per = int((ut > 0).sum())
    balanced = bool(nobs == n_ent * n_per)
    return PreparedPanel(
        frame=frame,
        names={v: k for k, v in safe.items()},
        entity=entity,
        time=time,
        n_entities=n_ent,
        n_periods=n_per,
        n_dropped=n_dropped,
        balanced=balanced,
        entity_labels=e_lab,
        time_labels=t_lab,
        file=file_s,
        safe=safe,
        index=data.index[stacked_ok] if n_dropped else data.index,
    )


def refuse_codes(values: pd.Series, term: str, file: str | None) -> None:
    """Category codes are never read as one slope (issue 11, defect 2).

    A pandas ``category`` column reaching here (as the dependent variable, a lag or an
    instrument) and a text column whose values all read as numbers (``"1"`` ... ``"9"``) raise
    :class:`InputError`: say which it is, ``C(x)`` for categories (dummies) or numbers
    (``pd.to_numeric``). Regressors of category dtype are turned into dummies before this
    (:func:`tfp_talent.estimators.formula.expand_terms`).

    ``values`` is the column, ``term`` the name it is used under (in the message), ``file`` the
    data file. Returns None when the column may be read as numbers.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        raise InputError(
            f"is categorical, so it cannot be used as {term!r} (a number): use it as a regressor "
            "(dummies) or convert it to numbers",
            file=file,
            column=str(values.name),
        )
    if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        present = values.dropna()
        holds_text = pd.api.types.infer_dtype(present, skipna=True) in ("string", "mixed", "mixed-integer")
        if len(present) and holds_text and pd.to_numeric(present, errors="coerce").notna().all():
            raise InputError(
                "holds numbers stored as text; say which it is: C(x) in a formula for categories "
                "(dummies), or convert the column to numbers (pd.to_numeric) for a slope",
                file=file,
                column=str(values.name),
            )


def check_regressors(
    X: np.ndarray,
    names: Sequence[str],
    *,
    file: str | None = None,
    after: str = "",
    has_constant: bool = False,
) -> None:
    """Raise :class:`InputError` if a column of ``X`` is constant or perfectly collinear.

    ``X`` is the design as the estimator sees it (e.g. after a transformation
    described by ``after``, such as "removing the entity means"). A column is
    reported as collinear when the pivoted QR decomposition finds it a linear
    combination of the others (relative tolerance 1e-10); the message names it and
    the columns it is a combination of.

    Before the QR step each column is scaled to unit length; a column of (near) zero length, or
    with ``has_constant`` one whose deviations from its mean are below 1e-12 of its length, is
    reported as constant. With ``has_constant`` a constant column is added first, so a regressor
    that is a combination of the constant and the others is reported too (``const`` is named
    only when nothing else is). ``names`` are the labels of the columns of ``X``; ``file`` is
    named in the message.
    """
    import scipy.linalg

    if X.shape[1] == 0:
        return
    scale = np.sqrt((X**2).sum(axis=0))
    where = f" {after}" if after else ""
    zero = scale <= 1e-300
    if has_constant:
        centred = X - X.mean(axis=0)
        zero |= np.sqrt((centred**2).sum(axis=0)) <= 1e-12 * np.maximum(scale, 1e-300)
    if zero.any():
        bad = [names[i] for i in np.flatnonzero(zero)]
        raise InputError(
            f"regressor does not vary{where} (it is constant), so its coefficient is not identified; drop it",
            file=file,
            column=bad,
        )
    Xs = X / scale
    if has_constant:
        Xs = np.column_stack([np.ones(X.shape[0]) / np.sqrt(X.shape[0]), Xs])
    _, R, piv = scipy.linalg.qr(Xs, mode="economic", pivoting=True)
    d = np.abs(np.diag(R))
    rank = int((d > 1e-10 * d[0]).sum()) if d.size else 0
    if rank == Xs.shape[1]:
        return
    all_names = (["const"] if has_constant else []) + list(names)
    dependent = [int(j) for j in piv[rank:]]
    keep = [int(j) for j in piv[:rank]]
    target = dependent[0]
    coef, *_ = np.linalg.lstsq(Xs[:, keep], Xs[:, target], rcond=None)
    partners = [all_names[keep[i]] for i in np.flatnonzero(np.abs(coef) > 1e-8)]
    bad = [all_names[j] for j in dependent if all_names[j] != "const"] or [all_names[target]]
    raise InputError(
        f"perfectly collinear regressors{where}: {', '.join(repr(b) for b in bad)} "
        f"is a linear combination of {', '.join(repr(p) for p in partners) or 'the others'}; drop one of them",
        file=file,
        column=bad,
    )


def demean(values: np.ndarray, entity_codes: np.ndarray, time_codes: np.ndarray, effects: str) -> np.ndarray:
    """Remove entity, time or two-way means (alternating projections, tol 1e-10).

    One-way: x̃_it = x_it − x̄_i (or − x̄_t). Two-way: the residual of x on entity and period
    dummies, found by alternately subtracting entity and period means until the change is below
    :data:`FIXEF_TOL` (the method of alternating projections; Gaure 2013, "OLS with multiple high
    dimensional category variables"); exact for unbalanced panels, as Stata's ``reghdfe`` and
    fixest. Computed by pyfixest's ``demean`` (unit weights, at most 100,000 iterations).

    Parameters
    ----------
    values
        N × m float array (one column per variable).
    entity_codes, time_codes
        Integer codes of each row (``_e`` and ``_t`` of :class:`PreparedPanel`).
    effects
        ``none`` (``values`` returned as it is), ``entity``, ``time`` or ``twoway``.

    Raises
    ------
    InputError
        When the projections do not converge.
    """
    from pyfixest.core.demean import (
        demean as pf_demean,  # the function pyfixest.estimation re-exports, without its plotting imports
    )

    if effects == "none":
        return values
    cols = {"entity": [entity_codes], "time": [time_codes], "twoway": [entity_codes, time_codes]}[effects]
    flist = np.column_stack(cols).astype(np.uint64)
    out, converged = pf_demean(
        np.ascontiguousarray(values, dtype=float),
        flist,
        np.ones(values.shape[0]),
        tol=FIXEF_TOL,
        maxiter=100_000,
    )
    if not converged:
        raise InputError(
            "the fixed-effects projection did not converge (check for disconnected entity-period groups)"
        )
    return out
