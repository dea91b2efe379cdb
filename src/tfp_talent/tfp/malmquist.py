"""DEA-Malmquist productivity index (Färe, Grosskopf, Norris & Zhang 1994, AER 84(1)).

Output distance function of observation o against the technology of period s
(constant returns, CRS; Charnes, Cooper & Rhodes 1978):

    D^s(x_o, y_o) = 1 / θ*,   θ* = max θ  s.t.  θ y_o ≤ Y_s λ,  X_s λ ≤ x_o,  λ ≥ 0

(variable returns, VRS, Banker, Charnes & Cooper 1984: add Σ λ = 1). The Malmquist
index between t and t+1 and its decomposition (Färe et al. 1994, eqs. 9–10):

    M  = [ D^t(x_{t+1}, y_{t+1}) / D^t(x_t, y_t) × D^{t+1}(x_{t+1}, y_{t+1}) / D^{t+1}(x_t, y_t) ]^{1/2}
    EC = D^{t+1}(x_{t+1}, y_{t+1}) / D^t(x_t, y_t)                                  (efficiency change)
    TC = [ D^t(x_{t+1}, y_{t+1}) / D^{t+1}(x_{t+1}, y_{t+1}) × D^t(x_t, y_t) / D^{t+1}(x_t, y_t) ]^{1/2}
    M  = EC × TC;   with ``vrs=True``: EC = PEC × SEC, PEC = D_v^{t+1}(t+1) / D_v^t(t) (pure
    efficiency change), SEC = EC / PEC (scale efficiency change), Färe et al. (1994, sec. III).

M > 1 is productivity growth; ``tfp_growth`` = ln M and the level index ``ln_tfp`` is
its cumulated sum (0 in an entity's first period).

Frontiers: ``contemporaneous`` (default) builds the period-s technology from the
observations of period s; ``sequential`` (Tulkens & Vanden Eeckaut 1995, EJOR 80(3);
Shestalova 2003, J. Productivity Analysis 19) from every observation of periods ≤ s,
so technical regress is ruled out.

Computation. Every distance is the LP above, solved with SciPy's HiGHS
(``scipy.optimize.linprog(method="highs")``). Two exact devices make it fast:

1. *Batching*: the LPs of all observations evaluated against the same technology t (its
   own period, and periods t−1 and t+1 for the cross-period distances) are independent,
   so they are stacked block-diagonally into one LP whose objective is Σ_o θ_o; its
   optimum is every block's own optimum. The sparse constraint matrix is built once per
   batch with numpy. Batches of different technologies are independent (``workers`` > 1
   solves them in a process pool).
2. *Column generation*: only frontier observations carry λ > 0, so each batch starts from
   a few candidate reference columns (maximisers of y·u / x·v for fixed weights, which lie
   on the CRS frontier) and adds, for each block, the column with the most negative
   reduced cost y_j·π_y − x_j·π_x − π_0 under that block's duals, until no column has a
   negative one (the LP-duality certificate that the restricted solution is optimal for
   the full reference set).
Inputs and outputs are divided by their panel means first (the index is units-invariant).

References (full): Färe, Grosskopf, Norris & Zhang (1994), "Productivity growth, technical
progress, and efficiency change in industrialized countries", AER 84(1), 66–83; Charnes, Cooper
& Rhodes (1978), "Measuring the efficiency of decision making units", EJOR 2(6), 429–444;
Banker, Charnes & Cooper (1984), "Some models for estimating technical and scale inefficiencies
in data envelopment analysis", Management Science 30(9), 1078–1092; column generation as in
Dantzig & Wolfe (1960), "Decomposition principle for linear programs", Operations Research 8(1).
Column generation and batching change only the work, not the LP optima (up to the HiGHS
feasibility tolerances of :data:`HIGHS_OPTIONS`).
"""

from __future__ import annotations

import inspect
import time as _time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.tfp.checks import complete_panel, cumulate_within, period_index, require_no_gaps

Frontier = Literal["contemporaneous", "sequential"]

HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
#: A reference column enters when its reduced cost is below -RC_TOL (data scaled to mean 1).
RC_TOL = 1e-9
MAX_ROUNDS = 50
N_RANDOM_DIRECTIONS = 16
_RC_CHUNK = 512


@dataclass
class LPStats:
    """Work counters: distance LPs evaluated, batched HiGHS calls, seconds inside linprog.

    ``columns_added`` counts reference columns added by column generation. Pass one instance
    as ``stats=`` to :func:`malmquist_index` or :func:`output_distances` to accumulate them; the
    counters never change a result (they are reported by the benchmarks).
    """

    distances: int = 0
    highs_calls: int = 0
    columns_added: int = 0
    solver_seconds: float = 0.0


class DEAOptions(TypedDict, total=False):
    """The keyword options of :func:`malmquist_index` that :func:`tfp_talent.tfp.measure.measure_tfp` passes on
    (its signature holds the defaults)."""

    frontier: Frontier
    vrs: bool
    stats: LPStats | None
    workers: int


DEA_KEYS = tuple(DEAOptions.__annotations__)


def output_distances(
    ref_x: np.ndarray,
    ref_y: np.ndarray,
    eval_x: np.ndarray,
    eval_y: np.ndarray,
    *,
    vrs: bool = False,
    eval_in_ref: bool = False,
    init: Sequence[int] | np.ndarray | None = None,
    stats: LPStats | None = None,
) -> np.ndarray:
    """Output distance D(x_o, y_o) of each evaluated row against the reference technology.

    D = 1/θ*, θ* = max θ s.t. θ y_o ≤ Y λ, X λ ≤ x_o, λ ≥ 0 (and Σλ = 1 if ``vrs``);
    Färe et al. (1994). Arrays are (rows, variables). ``eval_in_ref`` says every evaluated
    point belongs to the reference set (needed for ``vrs``: each block then also carries
    its own point as a column, so the restricted VRS LP is always feasible). ``init`` are
    reference rows to start the column generation from (see module docstring).

    Parameters
    ----------
    ref_x, ref_y
        Inputs (R, K) and outputs (R, M) of the R observations spanning the technology.
    eval_x, eval_y
        Inputs (B, K) and outputs (B, M) of the B evaluated observations; all values > 0
        (callers check; :func:`malmquist_index` also scales them to mean 1).
    stats
        :class:`LPStats` to update, or None.

    Returns
    -------
    numpy.ndarray
        D, shape (B,). D <= 1 for a point inside the technology (1 on the frontier); D > 1
        is possible against another period's technology (the point lies outside it).

    Raises
    ------
    ValueError
        ``vrs`` without ``eval_in_ref``.
    RuntimeError
        HiGHS reports a status other than optimal.
    """
    ref_x, ref_y = np.atleast_2d(ref_x).astype(float), np.atleast_2d(ref_y).astype(float)
    eval_x, eval_y = np.atleast_2d(eval_x).astype(float), np.atleast_2d(eval_y).astype(float)
    if vrs and not eval_in_ref:
        raise ValueError("VRS distances are computed for observations of the reference set only")
    stats = stats if stats is not None else LPStats()
    stats.distances += len(eval_x)
    cols = np.union1d(
        _seed_columns(ref_x, ref_y, vrs=vrs), np.asarray(init if init is not None else [], dtype=int)
    )
    theta = np.full(len(eval_x), np.nan)
    pending = np.arange(len(eval_x))  # blocks not yet certified optimal
    for _ in range(MAX_ROUNDS):
        th, pi_y, pi_x, pi_0 = _solve_batch(
            ref_x[cols], ref_y[cols], eval_x[pending], eval_y[pending], vrs, eval_in_ref, stats
        )
        enter, violated = _entering_columns(ref_x, ref_y, cols, pi_y, pi_x, pi_0)
        # a block whose duals price out every reference column is optimal for the full LP; adding
        # columns later cannot change its θ, so it leaves the batch
        theta[pending[~violated]] = th[~violated]
        pending = pending[violated]
        if pending.size == 0:
            return 1.0 / theta
        stats.columns_added += int(np.setdiff1d(enter, cols).size)
        cols = np.union1d(cols, enter)
    th, *_ = _solve_batch(
        ref_x, ref_y, eval_x[pending], eval_y[pending], vrs, eval_in_ref, stats
    )  # pragma: no cover
    theta[pending] = th  # pragma: no cover - fallback: the full reference set
    return 1.0 / theta  # pragma: no cover


def _seed_columns(x: np.ndarray, y: np.ndarray, *, vrs: bool) -> np.ndarray:
    """Rows that are on the CRS frontier for sure: maximisers of y·u / x·v for fixed weights.

    Weights: every (output m, input k) pair of unit vectors, plus 16 random positive (u, v)
    from a fixed seed; a ratio maximiser lies on the CRS frontier (D = 1). For ``vrs``
    the maximiser of each output and the minimiser of each input are added. Indices into x, y.
    """
    n_out, n_in = y.shape[1], x.shape[1]
    rng = np.random.default_rng(12345)  # fixed: candidate columns never change results, only speed
    u = np.vstack([np.eye(n_out).repeat(n_in, axis=0), rng.uniform(0.05, 1.0, (N_RANDOM_DIRECTIONS, n_out))])
    v = np.vstack([np.tile(np.eye(n_in), (n_out, 1)), rng.uniform(0.05, 1.0, (N_RANDOM_DIRECTIONS, n_in))])
    seeds = np.argmax((y @ u.T) / (x @ v.T), axis=0)
    if vrs:
        seeds = np.concatenate([seeds, np.argmax(y, axis=0), np.argmin(x, axis=0)])
    return np.unique(seeds)


def _solve_batch(
    cx: np.ndarray, cy: np.ndarray, ex: np.ndarray, ey: np.ndarray, vrs: bool, self_col: bool, stats: LPStats
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Solve the block-diagonal LP: block b = evaluated row b against columns (cx, cy) [+ itself].

    Variables of block b: θ_b, λ_b1..λ_br. Rows of block b: M output rows
    θ_b y_bm − Σ_j λ_bj y_jm ≤ 0, K input rows Σ_j λ_bj x_jk ≤ x_bk (and Σ_j λ_bj = 1 for VRS).
    Returns θ (B,), output duals (B, M), input duals (B, K), convexity duals (B,).
    """
    from scipy import (
        sparse,  # imported here: the tfp package (and the workflow's start-up) need not load SciPy
    )
    from scipy.optimize import linprog

    n_blocks, n_in = ex.shape
    n_out = ey.shape[1]
    lam_x = np.broadcast_to(cx, (n_blocks, *cx.shape))
    lam_y = np.broadcast_to(cy, (n_blocks, *cy.shape))
    if self_col:
        lam_x = np.concatenate([lam_x, ex[:, None, :]], axis=1)
        lam_y = np.concatenate([lam_y, ey[:, None, :]], axis=1)
    r = lam_x.shape[1]
    n_var, n_row = 1 + r, n_out + n_in
    b_idx = np.arange(n_blocks)
    # theta entries
    th_rows = (b_idx[:, None] * n_row + np.arange(n_out)[None, :]).ravel()
    th_cols = np.repeat(b_idx * n_var, n_out)
    th_vals = ey.ravel()
    # lambda entries: rows (block, variable), cols (block, column)
    row_of = b_idx[:, None, None] * n_row + np.arange(n_row)[None, None, :]  # (B, 1, n_row)
    col_of = b_idx[:, None, None] * n_var + 1 + np.arange(r)[None, :, None]  # (B, r, 1)
    lam_vals = np.concatenate([-lam_y, lam_x], axis=2)  # (B, r, n_row)
    rows = np.concatenate([th_rows, np.broadcast_to(row_of, lam_vals.shape).ravel()])
    cols = np.concatenate([th_cols, np.broadcast_to(col_of, lam_vals.shape).ravel()])
    vals = np.concatenate([th_vals, lam_vals.ravel()])
    a_ub = sparse.csr_array((vals, (rows, cols)), shape=(n_blocks * n_row, n_blocks * n_var))
    b_ub = np.zeros((n_blocks, n_row))
    b_ub[:, n_out:] = ex
    c = np.zeros(n_blocks * n_var)
    c[::n_var] = -1.0
    a_eq = b_eq = None
    if vrs:
        eq_cols = (b_idx[:, None] * n_var + 1 + np.arange(r)[None, :]).ravel()
        eq_rows = np.repeat(b_idx, r)
        a_eq = sparse.csr_array(
            (np.ones(eq_cols.size), (eq_rows, eq_cols)), shape=(n_blocks, n_blocks * n_var)
        )
        b_eq = np.ones(n_blocks)
    start = _time.perf_counter()
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub.ravel(),
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=(0, None),
        method="highs",
        options=HIGHS_OPTIONS,
    )
    stats.solver_seconds += _time.perf_counter() - start
    stats.highs_calls += 1
    if res.status != 0:
        raise RuntimeError(f"DEA linear program not solved by HiGHS: {res.message}")
    theta = res.x[::n_var]
    pi = res.ineqlin.marginals.reshape(n_blocks, n_row)
    pi_0 = res.eqlin.marginals if vrs else np.zeros(n_blocks)
    return theta, pi[:, :n_out], pi[:, n_out:], pi_0


def _entering_columns(
    x: np.ndarray, y: np.ndarray, cols: np.ndarray, pi_y: np.ndarray, pi_x: np.ndarray, pi_0: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each block, the reference row outside ``cols`` with the most negative reduced cost.

    Reduced cost of λ_j in block b (minimising −θ): r_bj = y_j·π_y,b − x_j·π_x,b − π_0,b,
    with π the HiGHS marginals (≤ 0 for the ≤ rows). Returns the entering rows (those
    below -RC_TOL) and, per block, whether it has one.
    """
    outside = np.setdiff1d(np.arange(len(x)), cols)
    violated = np.zeros(len(pi_y), dtype=bool)
    if outside.size == 0:
        return np.array([], dtype=int), violated
    xo, yo = x[outside].T.copy(), y[outside].T.copy()
    enter: list[np.ndarray] = []
    for lo in range(0, len(pi_y), _RC_CHUNK):
        hi = lo + _RC_CHUNK
        rc = pi_y[lo:hi] @ yo
        rc -= pi_x[lo:hi] @ xo
        rc -= pi_0[lo:hi, None]
        best = np.argmin(rc, axis=1)
        bad = rc[np.arange(len(best)), best] < -RC_TOL
        violated[lo:hi] = bad
        enter.append(outside[best[bad]])
    return np.unique(np.concatenate(enter)), violated


def _technology_batch(
    task: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, bool],
) -> tuple[np.ndarray, np.ndarray | None, LPStats]:
    """Distances of the evaluated rows against one technology; VRS distances of its own rows.

    ``task`` = (ref_x, ref_y, ev_x, ev_y, n_own, vrs): the first ``n_own`` evaluated rows are the
    technology's own period. Returns (CRS D of every evaluated row, VRS D of the own rows or None,
    :class:`LPStats`). A module-level function so a process pool can pickle it.
    """
    ref_x, ref_y, ev_x, ev_y, n_own, vrs = task
    stats = LPStats()
    d = output_distances(ref_x, ref_y, ev_x, ev_y, stats=stats)
    dv = None
    if vrs:
        dv = output_distances(
            ref_x, ref_y, ev_x[:n_own], ev_y[:n_own], vrs=True, eval_in_ref=True, stats=stats
        )
    return d, dv, stats


def malmquist_index(
    frame: pd.DataFrame,
    *,
    entity: str,
    time: str,
    outputs: str | Sequence[str],
    inputs: Sequence[str],
    frontier: Frontier = "contemporaneous",
    vrs: bool = False,
    source: str | Path | None = None,
    stats: LPStats | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """Output-oriented CRS Malmquist index M = EC × TC between consecutive periods.

    Färe, Grosskopf, Norris & Zhang (1994); formulas in the module docstring. Outputs and
    inputs must be present and > 0; an entity may not skip a period between its first and
    last one. Returns ``entity, time, efficiency, malmquist, tfp_growth (= ln M), ln_tfp,
    efficiency_change, technical_change`` and with ``vrs`` also ``efficiency_vrs,
    pure_efficiency_change, scale_efficiency_change``. ``efficiency`` is D^t(x_t, y_t).
    The index columns are NaN in an entity's first period (ln_tfp = 0 there).
    ``workers`` > 1 solves the per-period batches in a process pool (same results).

    Parameters
    ----------
    frame
        Panel with one row per (``entity``, ``time``) (vocabulary: :mod:`tfp_talent.tfp.checks`).
    outputs, inputs
        Output column(s) y and input columns x (e.g. Y; K and h·L), all > 0, none repeated.
    frontier
        ``contemporaneous`` or ``sequential`` (module docstring).
    vrs
        Also compute the VRS distances and the split EC = PEC × SEC; M and TC stay CRS, as in
        Färe et al. (1994).
    stats, workers
        Work counters (:class:`LPStats`) and the number of processes.

    Raises
    ------
    InputError
        An unknown ``frontier``, a column used twice, missing or non-positive values, a skipped
        period inside an entity's span, or fewer than two periods.
    """
    if frontier not in ("contemporaneous", "sequential"):
        raise InputError(
            f"unknown frontier '{frontier}' (use contemporaneous or sequential)", column="frontier"
        )
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    inputs = list(inputs)
    cols = [*outputs, *inputs]
    if len(set(cols)) != len(cols):
        raise InputError("the same column is used twice as output or input", column=cols)
    data = complete_panel(frame, entity=entity, time=time, columns=cols, positive=cols, file=source)
    require_no_gaps(data, entity=entity, time=time, method="the Malmquist index", file=source)
    periods, pos = period_index(data, time)
    if len(periods) < 2:
        raise InputError("the Malmquist index needs at least two periods", file=source, column=time)
    stats = stats if stats is not None else LPStats()
    x = data[inputs].to_numpy(dtype=float)
    y = data[outputs].to_numpy(dtype=float)
    x, y = x / x.mean(axis=0), y / y.mean(axis=0)
    n_per = len(periods)
    at = [np.flatnonzero(pos == t) for t in range(n_per)]
    ref = [at[t] if frontier == "contemporaneous" else np.flatnonzero(pos <= t) for t in range(n_per)]

    ent = data[entity].to_numpy()
    has_prev = np.zeros(len(data), dtype=bool)
    has_prev[1:] = (ent[1:] == ent[:-1]) & (pos[1:] == pos[:-1] + 1)
    # one batch per technology t: its own period, the next period's rows (for D^t(x_{t+1})) and
    # the previous period's rows (for D^t(x_{t-1}), i.e. D^{t+1}(x_t) of the pair t-1, t)
    tasks, layout = [], []
    for t in range(n_per):
        later = at[t + 1][has_prev[at[t + 1]]] if t + 1 < n_per else np.array([], dtype=int)
        here_with_prev = at[t][has_prev[at[t]]]
        rows = np.concatenate([at[t], later, here_with_prev - 1])
        tasks.append((x[ref[t]], y[ref[t]], x[rows], y[rows], len(at[t]), vrs))
        layout.append((at[t], later, here_with_prev))
    if workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_technology_batch, tasks))
    else:
        results = [_technology_batch(task) for task in tasks]
    d_same = np.full(len(data), np.nan)
    d_vrs = np.full(len(data), np.nan)
    d_cur_on_prev = np.full(len(data), np.nan)  # D^t(x_{t+1}, y_{t+1}), stored on row t+1
    d_prev_on_cur = np.full(len(data), np.nan)  # D^{t+1}(x_t, y_t), stored on row t+1
    for (here, later, here_with_prev), (d, dv, st) in zip(layout, results, strict=True):
        d_same[here] = d[: len(here)]
        d_cur_on_prev[later] = d[len(here) : len(here) + len(later)]
        d_prev_on_cur[here_with_prev] = d[len(here) + len(later) :]
        if vrs:
            d_vrs[here] = dv
        stats.distances += st.distances
        stats.highs_calls += st.highs_calls
        stats.columns_added += st.columns_added
        stats.solver_seconds += st.solver_seconds

    lag_same = np.full(len(data), np.nan)
    lag_same[1:] = np.where(has_prev[1:], d_same[:-1], np.nan)
    malm = np.sqrt((d_cur_on_prev / lag_same) * (d_same / d_prev_on_cur))
    ec = d_same / lag_same
    tc = np.sqrt((d_cur_on_prev / d_same) * (lag_same / d_prev_on_cur))
    out = data[[entity, time]].copy()
    out["efficiency"] = d_same
    out["malmquist"] = malm
    out["tfp_growth"] = np.log(malm)
    out["ln_tfp"] = cumulate_within(data, out["tfp_growth"].to_numpy(), entity=entity, time=time)
    out["efficiency_change"] = ec
    out["technical_change"] = tc
    if vrs:
        lag_vrs = np.full(len(data), np.nan)
        lag_vrs[1:] = np.where(has_prev[1:], d_vrs[:-1], np.nan)
        out["efficiency_vrs"] = d_vrs
        out["pure_efficiency_change"] = d_vrs / lag_vrs
        out["scale_efficiency_change"] = ec / out["pure_efficiency_change"]
    return out


#: The defaults of the :data:`DEA_KEYS` options (from :func:`malmquist_index`'s signature, their one home).
DEA_DEFAULTS: dict[str, Any] = {k: inspect.signature(malmquist_index).parameters[k].default for k in DEA_KEYS}

_EFFECTIVE = "__effective_labour__"


def measure_malmquist(
    frame: pd.DataFrame, *, alpha: float | None = None, labour_share: str | None = None, **common: Any
) -> pd.DataFrame:
    """Registry adapter: Malmquist index with output Y and inputs K and h·L (no factor shares).

    ``common`` holds the :class:`~tfp_talent.tfp.checks.ProductionColumns` and the
    :class:`DEAOptions` of :func:`tfp_talent.tfp.measure.measure_tfp`. With ``hc`` the labour input
    is the product h·L (its factors checked first, so errors name the user's columns). Raises
    :class:`InputError` when ``alpha`` or ``labour_share`` is given.
    """
    if alpha is not None or labour_share is not None:
        raise InputError("the malmquist method uses no factor shares; drop alpha / the labour-share column")
    entity, time, labour, hc, source = (common[k] for k in ("entity", "time", "labour", "hc", "source"))
    data = frame
    labour_input = labour
    if hc is not None:
        data = frame.assign(
            **{
                _EFFECTIVE: pd.to_numeric(frame[labour], errors="coerce")
                * pd.to_numeric(frame[hc], errors="coerce")
            }
        )
        labour_input = _EFFECTIVE
        # report problems with the user's own columns, not with the product
        complete_panel(
            frame, entity=entity, time=time, columns=[labour, hc], positive=[labour, hc], file=source
        )
    return malmquist_index(
        data,
        entity=entity,
        time=time,
        outputs=common["output"],
        inputs=[common["capital"], labour_input],
        source=source,
        **{k: common[k] for k in DEA_KEYS if k in common},
    )


def malmquist_from_settings(data: pd.DataFrame, params: Mapping[str, Any], **common: Any) -> pd.DataFrame:
    """Registry adapter for the workflow: frontier and VRS split from ``params``.

    ``params`` = ``{"frontier": ..., "vrs": ...}`` from config ``tfp:``; ``labour`` is already
    effective labour h·L (``labour_eff`` of :func:`tfp_talent.tfp.pipeline.tfp_inputs`).
    """
    return malmquist_index(
        data,
        entity=common["entity"],
        time=common["time"],
        outputs=common["output"],
        inputs=[common["capital"], common["labour"]],
        frontier=params["frontier"],
        vrs=bool(params["vrs"]),
        source=common.get("source"),
    )
