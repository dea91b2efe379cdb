"""Specification and per-entity design of the dynamic-panel GMM estimator (:mod:`.gmm`).

The panel is laid on a calendar grid: entity i (sorted labels) × period t = t_min … t_max
(an integer time column, e.g. years). Each variable becomes an (N, T) array with NaN for
absent entity-years, so lags never cross gaps. The estimating equations are stacked per
entity in R rows:

* transformed ("difference") rows, grid positions TL1 … T-1 (0-based): first differences
  Δv_t = v_t − v_{t−1}, or forward orthogonal deviations (Arellano & Bover 1995)
  v*_t = c_t (v_t − mean of the entity's later complete rows), c_t = √(m/(m+1)), stored one
  period late as in xtabond2 (Roodman 2009, p. 104) so that instrument lags mean the same;
* level rows (system GMM only), positions TL2 … T-1.

TL1 = max(p + 1, a_min) and TL2 = max(p, a_min − 1), p the longest lag among the regressors
and a_min the shortest GMM-instrument lag: R plm's ``pgmm`` choice (its ``lost.ts``).
A row enters when y and every regressor are observed (for a difference, at t and t−1).
Missing instrument values are set to 0 (plm and xtabond2 do the same).

Instruments, Z_i (R × L) for entity i:

* GMM-style, ``gmm={"n": (a, b)}`` (Holtz-Eakin, Newey & Rosen 1988; Arellano & Bond 1991):
  in the transformed row of period t the levels n_{t−a} … n_{t−b}, one column per (t, lag),
  or with ``collapse`` one column per lag (Roodman 2009, §4.2); in the level rows of system
  GMM (Blundell & Bond 1998) the lagged difference Δn_{t−a+1} (one column per t, or one in
  all with ``collapse``). R plm always uses Δn_{t−1} there; with a = 2 (the usual case) the two agree.
* IV-style, ``iv={"w": [0, 1]}``: the (lagged) variable, transformed in the transformed rows and
  in levels in the level rows (``iv_equation="both"``, or only one of them: ``"diff"``, ``"level"``;
  likewise ``gmm_equation`` for the GMM-style instruments of system GMM). plm gives each equation its own column (block-diagonal);
  xtabond2's ``ivstyle(..., eq(both))`` stacks both in one column (``convention``).
* Time dummies (``effects="twoways"``): difference GMM has the differenced dummies of
  periods TL1 … T-1 as regressors and IV instruments; system GMM has a constant and dummies
  of periods TL2+1 … T-1 in levels, transformed in the difference rows, instrumented in the
  level equation only (plm; xtabond2 ``ivstyle(yr*, eq(level))`` as in Roodman's replication
  of Blundell & Bond).

The first-step weight is (Σ Z_i'H_i Z_i)⁻¹ with H_i the a-priori covariance of the stacked
errors when var(e) = I: for the transformed rows M M' (M the transform; 2 on the diagonal and −1
next to it for differences, I for orthogonal deviations), I for the level rows, and between
them M (``first_step="full"``: plm's ``fsm="full"`` and xtabond2's default ``h(3)``), zero
(``"blocks"``: plm ``"GI"``, xtabond2 ``h(2)``, DPD) or H = I (``"identity"``: xtabond2 ``h(1)``).

The instrument matrix is never formed for all entities at once: :meth:`GmmDesign.instruments`
builds the dense per-entity blocks of a slice of entities (zeros where an instrument does not
apply), from which the estimator accumulates Z'X, Z'y and Z'HZ.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.io import key_label, numeric_column, require_columns, require_unique_keys

TERM_RE = re.compile(r"^L(?:\((\d+)(?::(\d+))?\)|(\d*))\.(.+)$")
FIRST_STEPS = ("full", "blocks", "identity")
CONVENTIONS = ("plm", "xtabond2")
CONST = "const"


# --------------------------------------------------------------------------- specification


def parse_term(token: str) -> tuple[str, list[int]]:
    """``"L(0:2).w"`` → ``("w", [0, 1, 2])``; ``"L2.w"`` → ``("w", [2])``; ``"L.w"`` → lag 1; ``"w"`` → lag 0.

    The lag syntax is Stata's time-series operator (``L2.w``) and plm's ``lag(w, 0:2)`` written as
    ``L(0:2).w``. Raises :class:`InputError` for an empty or unreadable term (brackets, ``~``, ``+`` or
    ``:`` outside ``L(a:b).``) and for a range a:b with b < a.
    """
    tok = token.strip()
    m = TERM_RE.match(tok)
    if not m:
        if not tok or any(c in tok for c in "()~+:"):
            raise InputError(f"cannot read the term {token!r}; write x, L.x, L2.x or L(0:2).x")
        return tok, [0]
    lo, hi, single, var = m.groups()
    if lo is not None:
        a, b = int(lo), int(hi) if hi is not None else int(lo)
    else:
        a = b = int(single) if single else 1
    if b < a:
        raise InputError(f"lag range {a}:{b} in {token!r} is empty; write L(low:high)")
    return var.strip(), list(range(a, b + 1))


def parse_terms(text: str) -> dict[str, list[int]]:
    """``"L(1:2).n + L(0:1).w + k"`` → ``{"n": [1, 2], "w": [0, 1], "k": [0]}`` (lags merged per variable)."""
    out: dict[str, list[int]] = {}
    for tok in text.split("+"):
        if tok.strip():
            var, lags = parse_term(tok)
            out[var] = sorted(set(out.get(var, [])) | set(lags))
    return out


def parse_formula(formula: str) -> tuple[str, list[int], dict[str, list[int]]]:
    """``"n ~ L(1:2).n + L(0:1).w + k"`` → ``("n", [1, 2], {"w": [0, 1], "k": [0]})``."""
    if formula.count("~") != 1:
        raise InputError(f"formula must have one '~' (as in 'n ~ L(1:2).n + w'), got {formula!r}")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not lhs:
        raise InputError(f"formula needs a dependent variable, got {formula!r}")
    terms = parse_terms(rhs)
    lags_y = terms.pop(lhs, [])
    return lhs, lags_y, terms


def parse_gmm(spec: str | Mapping[str, Sequence[int]]) -> dict[str, tuple[int, int]]:
    """GMM-style instruments as ``{var: (a, b)}`` from ``"L(2:99).n + L(2:99).w"`` or a mapping.

    A mapping value may be one lag or a sequence; its minimum and maximum become (a, b), so ``(2, 99)``
    and ``range(2, 100)`` agree. b may exceed the data: lags before the grid are simply absent.
    Raises :class:`InputError` for no lags, a negative lag, or a pair (low, high) with high < low.
    """
    items = parse_terms(spec).items() if isinstance(spec, str) else spec.items()
    out: dict[str, tuple[int, int]] = {}
    for var, lags in items:
        lags = [int(v) for v in (lags if isinstance(lags, (list, tuple, range)) else [lags])]
        if not lags or min(lags) < 0 or (len(lags) == 2 and lags[1] < lags[0]):
            raise InputError(f"GMM lags for {var!r} must be (low, high) with 0 <= low <= high, got {lags}")
        out[str(var)] = (min(lags), max(lags))
    return out


@dataclass(frozen=True)
class GmmSpec:
    """A normalised model: y on its lags ``lags_y`` and ``x`` (var → lags), with instruments.

    Built by :func:`tfp_talent.estimators.gmm._spec` from :func:`~tfp_talent.estimators.gmm.fit_gmm`'s
    arguments. ``gmm`` maps a variable to its GMM-style lag range (a, b), ``iv`` to its IV-style lags;
    ``system`` is True for system GMM (``transformation="ld"``), ``fod`` for forward orthogonal
    deviations; ``effects`` is ``"twoways"`` or ``"individual"``; ``first_step`` one of
    :data:`FIRST_STEPS`, ``convention`` one of :data:`CONVENTIONS`; ``gmm_equation`` / ``iv_equation``
    (``"both"``, ``"diff"``, ``"level"``) restrict the instruments to one equation of system GMM.
    """

    y: str
    lags_y: tuple[int, ...]
    x: dict[str, tuple[int, ...]]
    gmm: dict[str, tuple[int, int]]
    iv: dict[str, tuple[int, ...]]
    system: bool
    fod: bool
    collapse: bool
    effects: str
    first_step: str
    convention: str
    gmm_equation: str = "both"
    iv_equation: str = "both"

    @property
    def max_lag(self) -> int:
        """Longest lag among the regressors (y's lags included)."""
        return max([*self.lags_y, *(lag for lags in self.x.values() for lag in lags), 0])

    @property
    def lost(self) -> tuple[int, int]:
        """(TL1, TL2): first transformed and first level row (0-based grid positions), as plm."""
        a_min = min(a for a, _ in self.gmm.values())
        return max(self.max_lag + 1, a_min), max(self.max_lag, a_min - 1)


def term_name(var: str, lag: int) -> str:
    """Display name of a lagged variable: ``w`` for lag 0, ``L2.w`` for lag 2."""
    return var if lag == 0 else f"L{lag}.{var}"


# --------------------------------------------------------------------------- design


@dataclass
class GmmDesign:
    """Per-entity stacked rows of one model (see the module docstring).

    ``y`` (N, R), ``X`` (N, R, K) and ``H`` (N, R, R) are zero outside ``valid`` rows;
    ``n_diff`` rows are transformed, the rest levels. ``level_y`` (N, T) / ``level_X``
    (N, T, K) / ``level_valid`` are the untransformed rows, for the Arellano–Bond tests.

    ``x_names`` name the K regressors (lags of y, then ``x``, then ``const`` and ``time=year``
    dummies); ``diff_rows`` / ``level_rows`` are the grid positions (0-based) of the transformed and
    level rows; ``entity_labels`` (N, sorted) and ``time_labels`` (T, t_min … t_max) label the grid;
    ``columns`` holds each variable's (N, T) grid. ``inst_names`` / ``inst_groups`` name the L
    instrument columns and the group each belongs to (``"GMM n (transformed)"``, ``"GMM n (levels)"``,
    ``"IV"``, ``"time dummies"``, ...), the groups of the difference-in-Hansen tests; ``_blocks``
    holds one builder per group, called by :meth:`instruments`.
    """

    spec: GmmSpec
    y: np.ndarray
    X: np.ndarray
    valid: np.ndarray
    H: np.ndarray
    n_diff: int
    x_names: list[str]
    level_y: np.ndarray
    level_X: np.ndarray
    level_valid: np.ndarray
    diff_rows: np.ndarray
    level_rows: np.ndarray
    entity_labels: np.ndarray
    time_labels: np.ndarray
    columns: dict[str, np.ndarray] = field(repr=False, default_factory=dict)
    inst_names: list[str] = field(default_factory=list)
    inst_groups: list[str] = field(default_factory=list)
    _blocks: list[tuple[str, str, object]] = field(default_factory=list, repr=False)

    @property
    def n_entities(self) -> int:
        """Number of entities on the grid (with or without usable rows)."""
        return self.y.shape[0]

    @property
    def n_instruments(self) -> int:
        """Number of instrument columns before all-zero ones are dropped."""
        return len(self.inst_names)

    def instruments(self, sl: slice) -> np.ndarray:
        """Dense (n, R, L) instrument blocks of the entities in ``sl`` (zero rows where not ``valid``)."""
        parts = [build(sl) for _, _, build in self._blocks]  # type: ignore[operator]
        n = len(range(*sl.indices(self.n_entities)))
        Z = np.concatenate(parts, axis=2) if parts else np.zeros((n, self.y.shape[1], 0))
        Z = np.nan_to_num(Z, nan=0.0, copy=False)
        Z *= self.valid[sl][:, :, None]
        return Z


def _lag(a: np.ndarray, k: int) -> np.ndarray:
    """Lag along the grid axis 1 (NaN where t − k is before the grid)."""
    if k == 0:
        return a
    out = np.full_like(a, np.nan)
    out[:, k:] = a[:, :-k]
    return out


def transform(values: np.ndarray, valid: np.ndarray, fod: bool) -> np.ndarray:
    """First differences or forward orthogonal deviations of (N, T, c) ``values`` on ``valid`` rows.

    Returns (N, T, c) on the grid: position t holds Δv_t, or the deviation of period t−1 (one
    late); NaN where undefined. FOD: v*_{t} = √(m/(m+1)) (v_t − Σ_{s>t, valid} v_s / m), m the
    number of later valid rows (Arellano & Bover 1995).
    """
    out = np.full(values.shape, np.nan)
    v = np.where(valid[:, :, None], values, np.nan)
    if not fod:
        out[:, 1:] = v[:, 1:] - v[:, :-1]
        return out
    w = np.where(valid[:, :, None], values, 0.0)
    later_sum = np.cumsum(w[:, ::-1], axis=1)[:, ::-1]
    later_sum = np.concatenate([later_sum[:, 1:], np.zeros_like(later_sum[:, :1])], axis=1)
    later_n = np.cumsum(valid[:, ::-1], axis=1)[:, ::-1].astype(float)
    later_n = np.concatenate([later_n[:, 1:], np.zeros_like(later_n[:, :1])], axis=1)[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        dev = np.sqrt(later_n / (later_n + 1.0)) * (v - later_sum / later_n)
    dev[np.broadcast_to(later_n == 0, dev.shape)] = np.nan
    out[:, 1:] = dev[:, :-1]
    return out


def build_design(
    data: pd.DataFrame,
    spec: GmmSpec,
    *,
    entity: str,
    time: str,
    file: str | None = None,
) -> GmmDesign:
    """Check ``data`` and lay out the stacked per-entity rows of ``spec`` (see the module docstring).

    Parameters
    ----------
    data
        Long panel with the columns ``entity``, ``time`` and every variable of ``spec``.
    spec
        The normalised model (:class:`GmmSpec`).
    entity, time
        Key columns; ``time`` must hold whole numbers (the grid runs from its minimum to its maximum).
    file
        File name quoted in error messages.

    Returns
    -------
    GmmDesign
        Rows, first-step H and instrument builders; variables enter as (N, T) grids with NaN for
        absent entity-years.

    Raises
    ------
    InputError
        Missing columns, the entity or time column used as a variable, duplicate (entity, time) keys, a
        non-integer time column, non-numeric or infinite values (rows named), fewer periods than the lags
        need (TL1 + 1), and (xtabond2 convention) GMM lags below 1 in the level equation of system GMM.
    """
    variables = list(dict.fromkeys([spec.y, *spec.x, *spec.gmm, *spec.iv]))
    require_columns(data, [entity, time, *variables], file=file)
    if entity == time or any(v in (entity, time) for v in variables):
        raise InputError(
            "the entity and time columns cannot be used as variables", file=file, column=[entity, time]
        )
    require_unique_keys(data, [entity, time], file=file)
    tval = within.integer_time(data[time], column=time, file=file)
    e_codes, e_labels = pd.factorize(data[entity], sort=True)
    t0 = int(tval.min())
    T = int(tval.max()) - t0 + 1
    N = len(e_labels)
    tl1, tl2 = spec.lost
    needed = tl1 + 1  # one transformed row at grid position TL1 (0-based)
    if needed > T:
        raise InputError(
            f"too few periods: the lags ask for at least {needed} periods "
            f"(first transformed row at period {t0 + tl1}), the data span {T} ({t0}-{t0 + T - 1})",
            file=file,
            column=time,
            hint="shorten the lags of the regressors or the GMM instruments",
        )
    pos = (tval - t0).astype(np.int64)
    base: dict[str, np.ndarray] = {}
    for v in variables:
        col = numeric_column(data, v, keys=[entity, time], file=file)
        inf = np.isinf(col)
        if inf.any():
            rows = [
                (key_label(a), key_label(b)) for a, b in data.loc[inf, [entity, time]].itertuples(index=False)
            ]
            raise InputError("has infinite values", file=file, column=v, rows=rows)
        grid = np.full((N, T), np.nan)
        grid[e_codes, pos] = col
        base[v] = grid

    # regressors in levels (N, T, K)
    x_names = [term_name(spec.y, k) for k in spec.lags_y]
    cols = [_lag(base[spec.y], k) for k in spec.lags_y]
    for v, lags in spec.x.items():
        for k in lags:
            x_names.append(term_name(v, k))
            cols.append(_lag(base[v], k))
    y_lev = base[spec.y]
    level_valid = np.isfinite(y_lev) & np.all(np.isfinite(np.stack(cols, axis=2)), axis=2)
    time_labels = np.arange(t0, t0 + T)
    dummies, d_names = _time_dummies(spec, N, T, tl1, tl2, time, time_labels)
    x_names += d_names
    X_lev = np.stack(cols + dummies, axis=2)

    diff_rows = np.arange(tl1, T)
    level_rows = np.arange(tl2, T) if spec.system else np.arange(0)
    ty = transform(y_lev[:, :, None], level_valid, spec.fod)[:, :, 0]
    tX = transform(X_lev, level_valid, spec.fod)
    t_valid = np.isfinite(ty) & np.all(np.isfinite(tX), axis=2)
    y_rows = [ty[:, diff_rows]]
    X_rows = [tX[:, diff_rows]]
    v_rows = [t_valid[:, diff_rows]]
    if spec.system:
        y_rows.append(y_lev[:, level_rows])
        X_rows.append(X_lev[:, level_rows])
        v_rows.append(level_valid[:, level_rows])
    valid = np.concatenate(v_rows, axis=1)
    y = np.where(valid, np.concatenate(y_rows, axis=1), 0.0)
    X = np.where(valid[:, :, None], np.concatenate(X_rows, axis=1), 0.0)

    design = GmmDesign(
        spec=spec,
        y=y,
        X=X,
        valid=valid,
        H=_first_step_h(spec, level_valid, diff_rows, level_rows),
        n_diff=len(diff_rows),
        x_names=x_names,
        level_y=np.where(level_valid, y_lev, 0.0),
        level_X=np.where(level_valid[:, :, None], X_lev, 0.0),
        level_valid=level_valid,
        diff_rows=diff_rows,
        level_rows=level_rows,
        entity_labels=np.asarray(e_labels),
        time_labels=time_labels,
        columns=base,
    )
    _add_instrument_blocks(design, time, X_lev, level_valid, d_names)
    return design


def _time_dummies(
    spec: GmmSpec, N: int, T: int, tl1: int, tl2: int, time: str, labels: np.ndarray
) -> tuple[list[np.ndarray], list[str]]:
    """Level-form constant and period dummies (see the module docstring); they are transformed like x.

    Constant: system GMM with ``effects="twoways"``, or any system GMM under ``xtabond2``. Dummies
    (``effects="twoways"``) for the grid positions TL1 … T-1 (difference GMM) or TL2+1 … T-1 (system
    GMM), named ``time=<label>``. Returns the (N, T) columns and their names.
    """
    cols: list[np.ndarray] = []
    names: list[str] = []
    with_const = spec.system and (spec.effects == "twoways" or spec.convention == "xtabond2")
    if with_const:
        cols.append(np.ones((N, T)))
        names.append(CONST)
    if spec.effects == "twoways":
        first = tl2 + 1 if spec.system else tl1
        for s in range(first, T):
            d = np.zeros((N, T))
            d[:, s] = 1.0
            cols.append(d)
            names.append(f"{time}={labels[s]}")
    return cols, names


def _first_step_h(
    spec: GmmSpec, level_valid: np.ndarray, diff_rows: np.ndarray, level_rows: np.ndarray
) -> np.ndarray:
    """H_i (N, R, R): M M' for transformed rows, I for levels, M (or 0) between (module docstring).

    M (Rd × T) is the transform applied to the identity on each entity's valid rows (``transform`` of I),
    so gaps and the one-period shift of orthogonal deviations are handled as for the data. With first
    differences M M' has 2 on the diagonal and −1 beside it; with orthogonal deviations it is I.
    ``first_step="identity"`` returns I (R × R) for every entity.
    """
    N, T = level_valid.shape
    R = len(diff_rows) + len(level_rows)
    if spec.first_step == "identity":
        return np.broadcast_to(np.eye(R), (N, R, R))
    eye = np.broadcast_to(np.eye(T), (N, T, T))
    M = np.nan_to_num(transform(eye, level_valid, spec.fod)[:, diff_rows], nan=0.0)  # (N, Rd, T)
    H = np.zeros((N, R, R))
    nd = len(diff_rows)
    H[:, :nd, :nd] = np.einsum("nrt,nst->nrs", M, M)
    if spec.system:
        H[:, nd:, nd:] = np.eye(len(level_rows))
        if spec.first_step == "full":
            H[:, :nd, nd:] = M[:, :, level_rows]
            H[:, nd:, :nd] = np.swapaxes(H[:, :nd, nd:], 1, 2)
    return H


def _add_instrument_blocks(
    design: GmmDesign, time: str, X_lev: np.ndarray, level_valid: np.ndarray, d_names: list[str]
) -> None:
    """Register the instrument builders of ``design`` in order: GMM-style, IV-style, time dummies.

    Fills ``design.inst_names``, ``inst_groups`` and ``_blocks`` (column naming: ``L2.n@1980`` one
    column per (lag, period), ``L2.n (collapsed)``, ``D.L1.n@1980 (levels)``). Level-equation GMM
    instruments are Δv_{t−q}, q = 1 (plm) or a − 1 (xtabond2); raises :class:`InputError` when q < 0.
    """
    spec = design.spec
    nd, R = design.n_diff, design.y.shape[1]
    labels = design.time_labels

    def add(name_list: list[str], group: str, build: object) -> None:
        """Append one group of instrument columns and its builder."""
        design.inst_names.extend(name_list)
        design.inst_groups.extend([group] * len(name_list))
        design._blocks.append((group, ",".join(name_list), build))

    for v, (a, b) in spec.gmm.items():
        src = design.columns[v]
        # transformed rows: levels v_{t-l}, l = a..b
        pairs = [(r, lag) for r, t in enumerate(design.diff_rows) for lag in range(a, b + 1) if t - lag >= 0]
        if spec.gmm_equation == "level":
            pass
        elif spec.collapse:
            lags = sorted({lag for _, lag in pairs})
            names = [f"L{lag}.{v} (collapsed)" for lag in lags]
            add(
                names,
                f"GMM {v} (transformed)",
                _collapsed_block(src, design.diff_rows, lags, 0, R, lag_diff=False),
            )
        else:
            names = [f"L{lag}.{v}@{labels[design.diff_rows[r]]}" for r, lag in pairs]
            src_pos = [design.diff_rows[r] - lag for r, lag in pairs]
            add(
                names,
                f"GMM {v} (transformed)",
                _diag_block(src, [r for r, _ in pairs], src_pos, R, lag_diff=False),
            )
        if spec.system and spec.gmm_equation != "diff":
            q = 1 if spec.convention == "plm" else a - 1
            if q < 0:
                raise InputError(f"system GMM needs GMM lags of at least 1 (got {a} for {v!r})", column=v)
            rows = [(nd + r, t) for r, t in enumerate(design.level_rows) if t - q - 1 >= 0]
            if spec.collapse:
                names = [f"D.L{q}.{v} (levels, collapsed)"]
                build = _collapsed_block(src, design.level_rows, [q], nd, R, lag_diff=True)
            else:
                names = [f"D.L{q}.{v}@{labels[t]} (levels)" for _, t in rows]
                build = _diag_block(src, [r for r, _ in rows], [t - q for _, t in rows], R, lag_diff=True)
            add(names, f"GMM {v} (levels)", build)

    iv_cols, iv_names = [], []
    for v, lags in spec.iv.items():
        for k in lags:
            iv_cols.append(_lag(design.columns[v], k))
            iv_names.append(term_name(v, k))
    if iv_cols:
        ivl = np.stack(iv_cols, axis=2)
        ivt = transform(ivl, level_valid, spec.fod)
        if not spec.system or spec.iv_equation == "diff":
            add(iv_names, "IV", _rows_block(ivt[:, design.diff_rows], None, R, nd))
        elif spec.iv_equation == "level":
            add(iv_names, "IV", _rows_block(None, ivl[:, design.level_rows], R, nd))
        elif spec.convention == "plm":
            add(
                [f"{n} (transformed)" for n in iv_names],
                "IV (transformed)",
                _rows_block(ivt[:, design.diff_rows], None, R, nd),
            )
            add(
                [f"{n} (levels)" for n in iv_names],
                "IV (levels)",
                _rows_block(None, ivl[:, design.level_rows], R, nd),
            )
        else:
            add(iv_names, "IV", _rows_block(ivt[:, design.diff_rows], ivl[:, design.level_rows], R, nd))
    if d_names:
        k0 = design.X.shape[2] - len(d_names)
        if spec.system:  # constant and dummies instrument the level equation only
            label = "time dummies" if len(d_names) > 1 else "constant"
            add(d_names, label, _rows_block(None, X_lev[:, design.level_rows, k0:], R, nd))
        else:
            add(d_names, "time dummies", _rows_block(design.X[:, :nd, k0:], None, R, nd))


def _diag_block(src: np.ndarray, rows: list[int], src_pos: list[int], R: int, *, lag_diff: bool):
    """One column per (row, source period): src[:, p] (or src[:, p] − src[:, p−1]) in that row only.

    The uncollapsed GMM-style block (Arellano & Bond 1991): ``rows[j]`` (stacked row) and ``src_pos[j]``
    (grid position of the instrumenting level) define column j; ``lag_diff`` takes the difference.
    Returns ``build(sl)`` giving the (n, R, len(rows)) block of the entities in ``sl``.
    """
    rows_a, pos_a = np.asarray(rows, dtype=np.int64), np.asarray(src_pos, dtype=np.int64)
    cols_a = np.arange(len(rows_a))

    def build(sl: slice) -> np.ndarray:
        """Dense block of entities ``sl``: column j holds its value in row ``rows[j]`` only."""
        s = src[sl]
        vals = s[:, pos_a] - s[:, pos_a - 1] if lag_diff else s[:, pos_a]
        Z = np.zeros((s.shape[0], R, len(rows_a)))
        Z[:, rows_a, cols_a] = vals
        return Z

    return build


def _collapsed_block(
    src: np.ndarray, grid_rows: np.ndarray, lags: list[int], offset: int, R: int, *, lag_diff: bool
):
    """One column per lag l: src[:, t−l] (or its difference) in every row t where it is defined.

    Roodman (2009, §4.2) collapsed instruments: L columns per variable instead of one per (t, lag).
    ``grid_rows`` are the grid positions of the stacked rows from ``offset`` on (0 for transformed rows,
    ``n_diff`` for level rows). Returns ``build(sl)`` giving the (n, R, len(lags)) block.
    """
    first = 1 if lag_diff else 0

    def build(sl: slice) -> np.ndarray:
        """Dense block of entities ``sl``; zero where t − l (or t − l − 1) lies before the grid."""
        s = src[sl]
        Z = np.zeros((s.shape[0], R, len(lags)))
        for j, lag in enumerate(lags):
            for r, t in enumerate(grid_rows):
                p = t - lag
                if p - first >= 0:
                    Z[:, offset + r, j] = s[:, p] - s[:, p - 1] if lag_diff else s[:, p]
        return Z

    return build


def _rows_block(diff_part: np.ndarray | None, level_part: np.ndarray | None, R: int, nd: int):
    """Columns given row-wise: ``diff_part`` (N, Rd, c) in the transformed rows, ``level_part`` in the level rows.

    IV-style instruments and time dummies; either part may be None (zeros in those rows). Giving both
    stacks the two equations in one column (xtabond2's ``eq(both)``). Returns ``build(sl)``.
    """

    def build(sl: slice) -> np.ndarray:
        """Dense (n, R, c) block of entities ``sl``."""
        ref = diff_part if diff_part is not None else level_part
        assert ref is not None
        n, c = ref[sl].shape[0], ref.shape[2]
        Z = np.zeros((n, R, c))
        if diff_part is not None:
            Z[:, :nd] = diff_part[sl]
        if level_part is not None:
            Z[:, nd:] = level_part[sl]
        return Z

    return build
