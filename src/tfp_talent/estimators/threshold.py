"""Hansen (1999) fixed-effects panel threshold regression with 1-3 thresholds.

Model (Hansen 1999, J. Econometrics 93:345-368, eq. 1 and 15)::

    y_it = mu_i + x_it' beta + sum_j r_it' delta_j 1{q_it in regime j} + e_it

with regime-independent regressors ``x``, regime-dependent regressor(s) ``r``
(``rx``), threshold variable ``q`` (``qx``) and thresholds
gamma_1 < ... < gamma_k splitting q into k + 1 regimes. The entity effects mu_i
are removed by a linear transform T (the same for every column); the threshold
gamma is estimated by least squares over a grid of candidate values,

    gamma_hat = argmin_gamma S(gamma),   S(gamma) = SSR of T y on [T x, T (r * 1{regime})].

Two transforms, each with the conventions of the program it reproduces:

``transform="hansen1999"`` (Hansen's GAUSS program ``thresh_p.prg``)
    Within transform (subtract each entity's time mean over all T periods),
    then drop each entity's *last* period, so N(T-1) observations enter the
    regressions (565 x 13 = 7,345 on Hansen's data: 15 years, regressors lagged
    one year, hence T = 14, minus one). The regime indicator is ``q < gamma``
    (regime 1 is ``q < gamma_1``).
``transform="within"`` (Stata ``xthreg``, Wang 2015, Stata Journal 15(1):121-134)
    Within transform on all NT observations. The regime indicator is
    ``q <= gamma`` (``xthreg`` forms regimes with ``irecode(q, gamma...)``).

Grid (``grid``): the candidate thresholds are the distinct values of q, sorted,
at the quantiles trim_1, trim_1 + 1/qn, ..., 1 - trim_1 of the distinct values
(Hansen's ``qq1 = dd[floor(sq * rows(dd))]`` with ``qn`` = ``grid``; if q has fewer
distinct values than that, repeated candidates are dropped); ``grid="all"`` uses every
distinct value between those quantiles (qn = number of distinct values).

Sequential estimation (Hansen 1999, section 5): gamma_1 from the single
threshold search; gamma_2 given gamma_1; the refinement step re-estimates
gamma_1 given gamma_2; gamma_3 given the refined (gamma_1, gamma_2). When a
threshold r is held fixed, the qn * trim_k grid points around r are excluded
(Hansen's ``delif`` rule: with nn = #(grid < r), 1-based positions
nn - qn trim_k < i <= nn + qn trim_k are dropped), and so are candidates that
leave a regime with fewer than ``min_regime_obs`` observations.

Test of k - 1 against k thresholds (Hansen 1999, eq. 12 and 23)::

    F_k = (S_{k-1} - S_k) / sigma2_k,   sigma2_k = S_k / n,

with n = N(T-1) for ``hansen1999`` and n = NT for ``within`` (the number of
observations in the regression; Stata's xthreg prints F values consistent with
n = NT - T, e.g. 35.20 where this gives 35.26 on its hansen1999.dta example). Its p-value and the 10/5/1 % critical values
come from Hansen's fixed-regressor bootstrap: keep x, r, q fixed, form
y* = yhat_0 + e*, where yhat_0 and e are the fitted values and residuals of the
(k-1)-threshold model and e* resamples whole entities' residual vectors with
replacement; re-run the sequential search (with trim_k) on y*, compute F*; the
p-value is the share of F* > F_k and the critical values are the
ceil(p B)-th order statistics of the B replicates (as in Hansen's program).
Replication r of test k draws from
``numpy.random.SeedSequence(seed, spawn_key=(k - 1, r))`` (the same stream as
``SeedSequence(seed).spawn(3)[k-1].spawn(B)[r]``), so the results do not depend
on how replications are split across processes or shards.

Confidence interval (Hansen 1999, Theorem 2 and eq. 18)::

    LR(gamma) = (S(gamma) - S(gamma_hat)) / sigma2,    c(alpha) = -2 ln(1 - sqrt(level)),

the interval being [min, max] of the grid points with LR(gamma) < c(alpha)
(7.35 for a 95 % level).

Slopes: least squares at the estimated thresholds, with ``unadjusted``, ``robust`` and
entity-``clustered`` SEs under the small-sample ``convention`` of every estimator of the package
(:mod:`tfp_talent.estimators.inference`; the entity effects count as N absorbed levels, nested in the
entity clusters). With the default ``stata``: unadjusted sigma2 = SSR / (n - N - K) (Hansen's program
and ``xtreg, fe``), robust HC1 = HC0 n / (n - N - K) (``areg, vce(robust)``), clustered
G/(G-1) (n-1)/(n-K-1) (``xtreg, fe vce(cluster id)``), K the number of slopes. Hansen's (1999, Table 5)
"het standard errors" are HC0: ``convention="none"`` (or ``"cluster"``) reproduces them.
Before this package version the robust SEs were HC0 and the clustered factor used n - K.

Computation: S(gamma) for all candidates comes from sorted cumulative
cross-products and the partitioned-regression (Frisch-Waugh) update
S_C(gamma) = S_C - b_C(gamma)' A_C(gamma)^{-1} b_C(gamma), never from one
regression per candidate; the cross-products that do not depend on y are
computed once, so a bootstrap replication costs O(NT) per search.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import (
    CONVENTION_FORMULAS,
    CONVENTIONS,
    DEFAULT_CONVENTION,
    DEFAULT_LEVEL,
)
from tfp_talent.estimators.threshold_bootstrap import run_bootstrap
from tfp_talent.estimators.threshold_engine import SearchEngine
from tfp_talent.estimators.threshold_prepare import (
    ThresholdPanel,
    as_list,
    grid_values,
    prepare_threshold_panel,
)
from tfp_talent.estimators.threshold_regimes import fit_regimes, lr_critical_value
from tfp_talent.estimators.threshold_results import (
    COV_TYPES,
    LRCurve,
    RegimeFit,
    ThresholdResult,
    ThresholdShard,
    shard_replications,
)
from tfp_talent.io import key_label

Transform = Literal["within", "hansen1999"]
CovType = Literal["unadjusted", "robust", "clustered"]

TRANSFORMS: tuple[str, ...] = ("within", "hansen1999")
DEFAULT_COV = "unadjusted"
MAX_THRESHOLDS = 3
DEFAULT_MIN_REGIME_OBS = 10
COLUMN_ARGS = ("y", "x", "rx", "qx", "entity", "time")  # the positional column arguments of threshold_fit


def _columns(columns: Sequence[Any], function: str) -> Sequence[Any]:
    """The column arguments of ``function``: exactly those of :func:`threshold_fit`."""
    if len(columns) != len(COLUMN_ARGS):
        raise InputError(f"{function} takes the columns {', '.join(COLUMN_ARGS)}, got {len(columns)}")
    return columns


def _require_choice(value: Any, choices: Sequence[str], option: str) -> None:
    """Raise :class:`InputError` (column ``option``) unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise InputError(f"{option} must be one of {', '.join(choices)}, got {value!r}", column=option)


def fit_at_thresholds(
    data: pd.DataFrame,
    *columns: str | Sequence[str] | None,
    thresholds: Sequence[float],
    transform: Transform = "within",
    convention: str = DEFAULT_CONVENTION,
    file: str | None = None,
) -> RegimeFit:
    """Fixed-effects regression with regimes at *given* thresholds (no search; ``thresholds=[]`` is linear FE).

    ``columns`` are the six column arguments of :func:`threshold_fit` (``y, x, rx, qx, entity, time``).
    Same transform and regime conventions as :func:`threshold_fit`; the SSR of two such fits gives
    Hansen's F = (S_restricted / S_unrestricted - 1) n, n = number of observations used.

    ``thresholds`` are sorted; k thresholds give k + 1 regimes, the regime-dependent slopes named
    ``<rx>_r1`` … ``<rx>_r{k+1}``. ``convention`` is the small-sample convention of the SEs
    (:mod:`tfp_talent.estimators.inference`). Returns a
    :class:`~tfp_talent.estimators.threshold_results.RegimeFit` with all three covariances; raises
    :class:`InputError` for the data problems of :func:`threshold_fit` and an unknown transform or
    convention.
    """
    y, x, rx, qx, entity, time = _columns(columns, "fit_at_thresholds")
    _require_choice(transform, TRANSFORMS, "transform")
    xs, rxs = as_list(x), as_list(rx)
    panel = prepare_threshold_panel(data, y, xs, rxs, qx, entity, time, transform, file)
    _require_choice(convention, CONVENTIONS, "convention")
    return fit_regimes(panel, transform, list(thresholds), xs, rxs, qx, convention)


# --------------------------------------------------------------------------------------------------
# Main entry point
# --------------------------------------------------------------------------------------------------


def _fingerprint(panel: ThresholdPanel, spec: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the panel arrays, entity and period labels and the options that fix the result.

    Shards of one bootstrap must carry the same fingerprint (:func:`.threshold_results.check_shards`):
    same data in the same sorted order and same options (``n_jobs`` and ``progress`` are not part of it).
    """
    h = hashlib.sha256()
    for arr in (panel.y, panel.x, panel.r, panel.q):
        h.update(str(arr.shape).encode())
        h.update(np.ascontiguousarray(arr, dtype=np.float64).tobytes())
    h.update("\x1f".join(str(key_label(e)) for e in panel.entities).encode())
    h.update("\x1f".join(str(key_label(p)) for p in panel.periods).encode())
    keys = (
        "y",
        "x",
        "rx",
        "qx",
        "entity",
        "time",
        "transform",
        "grid",
        "trim",
        "n_thresholds",
        "bootstrap",
        "seed",
        "level",
        "cov",
        "convention",
        "min_regime_obs",
    )
    h.update(repr([(k, spec[k]) for k in keys]).encode())
    return h.hexdigest()


def _normalise_options(opts: Mapping[str, Any]) -> tuple[list[float], list[int]]:
    """Check :func:`threshold_fit`'s options; return the trim and bootstrap count per threshold.

    A scalar ``trim`` or ``bootstrap`` is repeated for every threshold. Raises :class:`InputError`
    (the option as column) for ``n_thresholds`` outside 1-3, the wrong number of trims or counts, a trim
    outside [0, 0.5), a negative count, a grid that is not an integer >= 2 or ``"all"``, an unknown
    transform / cov / convention, a level outside (0, 1), and ``n_jobs``, ``min_regime_obs`` below 1
    or a negative ``seed``.
    """
    n_thresholds, trim, grid, bootstrap = opts["n_thresholds"], opts["trim"], opts["grid"], opts["bootstrap"]
    transform, level, cov, convention = opts["transform"], opts["level"], opts["cov"], opts["convention"]
    n_jobs, min_regime_obs, seed = opts["n_jobs"], opts["min_regime_obs"], opts["seed"]
    if not isinstance(n_thresholds, (int, np.integer)) or not 1 <= n_thresholds <= MAX_THRESHOLDS:
        raise InputError(f"n_thresholds must be 1, 2 or 3, got {n_thresholds!r}", column="n_thresholds")
    trims = [float(trim)] * n_thresholds if isinstance(trim, (int, float)) else [float(t) for t in trim]
    if len(trims) != n_thresholds:
        raise InputError(f"give one trim per threshold ({n_thresholds}), got {len(trims)}", column="trim")
    for t in trims:
        if not 0.0 <= t < 0.5:
            raise InputError(f"trim must be in [0, 0.5), got {t}", column="trim")
    boots = (
        [int(bootstrap)] * n_thresholds
        if isinstance(bootstrap, (int, np.integer))
        else [int(b) for b in bootstrap]
    )
    if len(boots) != n_thresholds or any(b < 0 for b in boots):
        raise InputError(
            f"bootstrap must be a non-negative number (or one per threshold), got {bootstrap!r}",
            column="bootstrap",
        )
    if isinstance(grid, str):
        if grid != "all":
            raise InputError(f"grid must be a positive integer or 'all', got {grid!r}", column="grid")
    elif not isinstance(grid, (int, np.integer)) or grid < 2:
        raise InputError(f"grid must be an integer >= 2 or 'all', got {grid!r}", column="grid")
    _require_choice(transform, TRANSFORMS, "transform")
    _require_choice(cov, COV_TYPES, "cov")
    _require_choice(convention, CONVENTIONS, "convention")
    lr_critical_value(level)
    if not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1:
        raise InputError(f"n_jobs must be a positive integer, got {n_jobs!r}", column="n_jobs")
    if not isinstance(min_regime_obs, (int, np.integer)) or min_regime_obs < 1:
        raise InputError(
            f"min_regime_obs must be a positive integer, got {min_regime_obs!r}", column="min_regime_obs"
        )
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}", column="seed")
    return trims, boots


def _estimate(
    data: pd.DataFrame, columns: Sequence[Any], opts: Mapping[str, Any]
) -> tuple[ThresholdResult, SearchEngine, dict[int, tuple[np.ndarray, np.ndarray, float]], list[int]]:
    """Point estimates (sequential search, refinement, LR intervals, slopes) and the bootstrap null models.

    Returns the result (with empty ``boot_stats``), the search engine, the null models
    {k: (fitted, residuals, trim_k)} of the tests with replications (the (k − 1)-threshold fit in the
    transformed space) and the replication counts. Stages: ``"1"`` (γ1), ``"2"`` (γ2 | γ1), ``"2r"``
    (γ1 refined | γ2), ``"3"`` (γ3 | γ1, γ2); the intervals of model k come from the stage that
    estimated each threshold last. Raises :class:`InputError` when the first trim leaves a regime with
    fewer than ``min_regime_obs`` observations at some candidate.
    """
    y, x, rx, qx, entity, time = columns
    trims, boots = _normalise_options(opts)
    n_thresholds, grid, seed, transform = opts["n_thresholds"], opts["grid"], opts["seed"], opts["transform"]
    level, cov, convention = opts["level"], opts["cov"], opts["convention"]
    min_regime_obs, file = opts["min_regime_obs"], opts["file"]
    xs, rxs = as_list(x), as_list(rx)
    panel = prepare_threshold_panel(data, y, xs, rxs, qx, entity, time, transform, file)
    grid_vals, qn = grid_values(panel.q, grid, trims[0])
    engine = SearchEngine(panel, transform, grid_vals, qn, int(min_regime_obs))
    n_in = engine.n_ent * engine.n_per
    low = engine.count_on
    small = np.minimum(low, n_in - low)
    if small.min() < min_regime_obs:
        j = int(np.argmin(small))
        raise InputError(
            f"trim {trims[0]} leaves only {int(small[j])} observation(s) in a regime at the candidate "
            f"threshold {grid_vals[j]:.6g}; each regime needs at least {min_regime_obs}",
            file=file,
            column=qx,
            hint="increase the first trim (or lower min_regime_obs)",
        )
    crit = lr_critical_value(level)
    n = engine.n_out
    s0, b0 = engine.project(engine.y_t)
    curves: dict[str, LRCurve] = {}

    def stage(name: str, fixed: list[int], trim_k: float) -> tuple[int, float, float]:
        """One search given the ``fixed`` grid indices; stores its LR curve; (index, SSR, S_C)."""
        c, smin, cand, ssr, s_c = engine.best(s0, b0, fixed, trim_k)
        lr = (ssr / smin - 1.0) * n
        inside = grid_vals[cand][lr < crit]
        curves[name] = LRCurve(
            stage=name,
            fixed=sorted(float(grid_vals[f]) for f in fixed),
            gamma=grid_vals[cand],
            lr=lr,
            estimate=float(grid_vals[c]),
            ci=(float(inside.min()), float(inside.max())),
            critical_value=crit,
        )
        return c, smin, s_c

    ssr: dict[int, float] = {0: s0}
    f_stat: dict[int, float] = {}
    chosen: dict[int, list[int]] = {}
    nulls_idx: dict[int, list[int]] = {1: []}
    c1, s1, _ = stage("1", [], trims[0])
    f_stat[1] = (s0 / s1 - 1.0) * n
    chosen[1] = [c1]
    ssr[1] = s1
    if n_thresholds >= 2:
        c2, s2, _ = stage("2", [c1], trims[1])
        f_stat[2] = (s1 / s2 - 1.0) * n
        nulls_idx[2] = [c1]
        c1r, s2r, _ = stage("2r", [c2], trims[1])
        chosen[2] = [c1r, c2]
        ssr[2] = s2r
    if n_thresholds >= 3:
        c3, s3, _ = stage("3", chosen[2], trims[2])
        f_stat[3] = (ssr[2] / s3 - 1.0) * n
        nulls_idx[3] = list(chosen[2])
        chosen[3] = [*chosen[2], c3]
        ssr[3] = s3
    stage_of = {1: {c1: "1"}}
    if n_thresholds >= 2:
        stage_of[2] = {chosen[2][0]: "2r", chosen[2][1]: "2"}
    if n_thresholds >= 3:
        stage_of[3] = {**stage_of[2], chosen[3][2]: "3"}
    thresholds: dict[int, list[float]] = {}
    cis: dict[int, list[list[float]]] = {}
    models: dict[int, RegimeFit] = {}
    for k, idx in chosen.items():
        order = sorted(idx, key=lambda i: grid_vals[i])
        thresholds[k] = [float(grid_vals[i]) for i in order]
        cis[k] = [list(curves[stage_of[k][i]].ci) for i in order]
        models[k] = fit_regimes(panel, transform, thresholds[k], xs, rxs, qx, convention)
    spec = {
        "y": y,
        "x": xs,
        "rx": rxs,
        "qx": qx,
        "entity": entity,
        "time": time,
        "transform": transform,
        "grid": grid,
        "trim": trims,
        "n_thresholds": int(n_thresholds),
        "bootstrap": boots,
        "seed": int(seed),
        "level": float(level),
        "cov": cov,
        "convention": convention,
        "small_sample_formula": {c: CONVENTION_FORMULAS[convention][c] for c in COV_TYPES},
        "min_regime_obs": int(min_regime_obs),
        "regime_rule": "q < gamma" if transform == "hansen1999" else "q <= gamma",
        "grid_points": len(grid_vals),
    }
    result = ThresholdResult(
        spec=spec,
        nobs=n,
        n_entities=engine.n_ent,
        n_periods=engine.n_per,
        thresholds=thresholds,
        ci=cis,
        ssr=ssr,
        f_stat=f_stat,
        boot_stats={k: np.empty(0) for k in f_stat},
        models=models,
        lr_curves=curves,
        fingerprint=_fingerprint(panel, spec),
        lr_critical_value=crit,
    )
    nulls: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
    for k in f_stat:
        if boots[k - 1] > 0:
            fitted, resid = engine.null_fit(nulls_idx[k])
            nulls[k] = (fitted, resid, trims[k - 1])
    return result, engine, nulls, boots


def threshold_fit(
    data: pd.DataFrame,
    y: str,
    x: str | Sequence[str] | None,
    rx: str | Sequence[str],
    qx: str,
    entity: str,
    time: str,
    *,
    n_thresholds: int = 1,
    trim: float | Sequence[float] = 0.01,
    grid: int | str = 400,
    bootstrap: int | Sequence[int] = 300,
    seed: int = 1,
    transform: Transform = "within",
    level: float = DEFAULT_LEVEL,
    cov: CovType = DEFAULT_COV,
    convention: str = DEFAULT_CONVENTION,
    n_jobs: int = 1,
    progress: bool = True,
    min_regime_obs: int = DEFAULT_MIN_REGIME_OBS,
    file: str | None = None,
) -> ThresholdResult:
    """Hansen (1999) fixed-effects panel threshold regression with 1-3 thresholds (see the module docstring).

    Parameters
    ----------
    data
        Balanced panel, one row per (entity, time).
    y, x, rx, qx, entity, time
        Dependent variable, regime-independent regressors, regime-dependent regressor(s), threshold
        variable, entity and time columns.
    n_thresholds
        Largest number of thresholds estimated (models with 1..n_thresholds are all reported).
    trim
        One trimming fraction per threshold (or one for all): ``trim[0]`` bounds the grid (quantiles of
        the distinct values of q), ``trim[k-1]`` (k >= 2) is the share of grid points excluded around
        each fixed threshold in search k and in bootstrap test k (Hansen: 0.01 0.01 0.05).
    grid
        Number of quantiles qn of Hansen's grid (400 in Hansen 1999) or ``"all"`` distinct values.
    bootstrap
        Replications per test (or one number per test); 0 skips the test's bootstrap.
    seed
        Seed of the bootstrap (see :func:`replication_rng`).
    transform
        ``"within"`` (Stata xthreg: all NT observations, regime 1 is q <= gamma) or ``"hansen1999"``
        (Hansen's program: within, then drop each entity's last period; regime 1 is q < gamma).
    level
        Level of the LR confidence intervals of the thresholds.
    cov
        Covariance reported under ``std_errors``: ``unadjusted``, ``robust`` or ``clustered`` (by
        entity); all three are in ``models[k].std_errors``.
    convention
        Small-sample convention of the SEs (:data:`tfp_talent.estimators.inference.CONVENTIONS`).
    n_jobs
        Processes for the bootstrap; results are identical for any value.
    progress
        Show a progress bar on stderr.
    min_regime_obs
        Smallest number of observations allowed in a regime.
    file
        File name used in error messages.

    Returns
    -------
    ThresholdResult
        Keyed by k = 1..n_thresholds: thresholds, LR intervals, SSR S_k (S_0 the linear FE model), F_k,
        bootstrap F* (p-values and critical values as properties), the slopes of the k-threshold model
        (:class:`~tfp_talent.estimators.threshold_results.RegimeFit`) and the LR curves by stage.

    Raises
    ------
    InputError
        Invalid options (:func:`_normalise_options`); an unbalanced panel, missing or infinite values,
        too few periods or entities, a constant or collinear regressor, one absorbed by the entity
        effects (:func:`~tfp_talent.estimators.threshold_prepare.prepare_threshold_panel`); a trim that
        leaves no candidate or too small a regime.
    """
    opts = {k: v for k, v in locals().items() if k not in ("data", *COLUMN_ARGS, "progress")}
    result, engine, nulls, boots = _estimate(data, (y, x, rx, qx, entity, time), opts)
    reps = {k: list(range(boots[k - 1])) for k in nulls}
    stats = run_bootstrap(engine, nulls, reps, int(seed), int(n_jobs), progress)
    for k, got in stats.items():
        result.boot_stats[k] = np.array([got[r] for r in sorted(got)], dtype=np.float64)
    return result


def bootstrap_shard(
    data: pd.DataFrame,
    *columns: str | Sequence[str] | None,
    shard_index: int,
    n_shards: int,
    progress: bool = True,
    **options: Any,
) -> ThresholdShard:
    """Run only the bootstrap replications of one shard (:func:`shard_replications` of every test).

    ``columns`` are the six column arguments of :func:`threshold_fit` (``y, x, rx, qx, entity, time``)
    and ``options`` its keyword arguments (its defaults apply);
    :func:`~tfp_talent.estimators.threshold_results.combine_shards` of all ``n_shards`` shards equals
    :func:`threshold_fit` with the same arguments, exactly (each replication has its own seed).

    ``shard_index`` is 0-based, ``0 <= shard_index < n_shards``; the shard runs the contiguous block
    of replications floor(i B / n) … floor((i + 1) B / n) − 1 of every test. The point estimates are
    computed in every shard (they are cheap next to the bootstrap). Raises :class:`InputError` for an
    unknown option (:func:`_fit_options`) or an invalid shard, and as :func:`threshold_fit`.
    """
    opts = _fit_options(options)
    seed, n_jobs = opts["seed"], opts["n_jobs"]
    result, engine, nulls, boots = _estimate(data, _columns(columns, "bootstrap_shard"), opts)
    reps = {k: shard_replications(boots[k - 1], shard_index, n_shards) for k in nulls}
    stats = run_bootstrap(engine, nulls, reps, int(seed), int(n_jobs), progress)
    return ThresholdShard(
        result=result, shard_index=int(shard_index), n_shards=int(n_shards), replications=stats
    )


def _fit_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`threshold_fit`'s keyword options with its defaults filled in (one place for the defaults).

    The allowed names are read from the signature (keyword-only parameters but ``progress``); raises
    :class:`InputError` naming any unknown option and listing the allowed ones.
    """
    import inspect

    params = inspect.signature(threshold_fit).parameters
    allowed = {
        k: v.default
        for k, v in params.items()
        if v.kind is inspect.Parameter.KEYWORD_ONLY and k != "progress"
    }
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise InputError(f"unknown threshold option(s) {', '.join(unknown)}; use {', '.join(allowed)}")
    return {**allowed, **options}
