"""Dynamic-panel GMM: difference GMM (Arellano & Bond 1991) and system GMM (Blundell & Bond 1998).

Model: y_it = Σ_j ρ_j y_i,t−j + x_it'β + a_i (+ λ_t) + e_it, with a_i removed by first differences or
forward orthogonal deviations, and (system GMM) the level equation added with lagged differences as
instruments. The instruments, the stacked rows and the first-step matrix H are described in
:mod:`tfp_talent.estimators.gmm_instruments`; the tests in :mod:`tfp_talent.estimators.gmm_tests`.

Estimator (Hansen 1982; Arellano & Bond 1991; Roodman 2009, eqs. 10-18), with Z'X = Σ_i Z_i'X_i etc.
accumulated per entity:

* one-step: A1 = (Σ Z_i'H_iZ_i)⁻¹, b1 = (X'Z A1 Z'X)⁻¹ X'Z A1 Z'y = B1 X'Z A1 Z'y;
* two-step: A2 = S⁻¹, S = Σ_i Z_i'ê1_i ê1_i'Z_i, b2 = B2 X'Z A2 Z'y, B2 = (X'Z A2 Z'X)⁻¹;
* covariance ``cov="robust"`` (default): one-step B1 X'Z A1 S A1 Z'X B1 (Roodman 2009, eq. 15);
  two-step Windmeijer's (2005, eq. 3.3) corrected V_c = B2 + D B2 + B2 D' + D V1r D', column k of D
  = B2 X'Z A2 (C_k + C_k') A2 Z'ê2, C_k = Σ_i Z_i'x_ik ê1_i'Z_i. ``cov="unadjusted"``: one-step σ̂²B1
  (σ̂² as the Sargan test), two-step B2. z-statistics and normal p-values / intervals, as plm and xtabond2.

Conventions (``convention``): ``"plm"`` (default, the references in the tests are R plm 2.6 ``pgmm``) and
``"xtabond2"`` (Stata, Roodman 2009). They share the estimator, the first-step H (``first_step="full"``
is plm's ``fsm="full"`` = xtabond2's default ``h(3)``), the Windmeijer correction and the Hansen J; they
differ in

==========================  ================================  ==========================================
item                        plm                               xtabond2
==========================  ================================  ==========================================
``tests["sargan"]``         J at the two-step weight           one-step, non-robust (σ̂² scaled) Sargan
                            (plm's ``sargan()``; = Hansen)     (Hansen J reported separately)
level-eq. GMM instrument    Δv_{t−1} whatever the lag a        Δv_{t−a+1}
IV-style in system GMM      own column per equation            one column for both equations
AR test ψ term              difference-equation residuals      whole stacked residual vector
constant, system GMM,       none                               included
``effects="individual"``
==========================  ================================  ==========================================

With a = 2, difference GMM, or no IV-style instruments the estimates coincide. Verified: plm 2.6 on
Arellano & Bond (1991) Table 4(b) and Blundell & Bond (1998) Table 4; xtabond2 on Roodman's (2009, §5)
two-step system example (tests/estimators/test_gmm.py). xtabond2's ``small`` option (t instead of z, V
scaled by (n−1)/(n−k)·G/(G−1)) is not offered. All-zero instrument columns are dropped (they carry no
moment; plm keeps them, xtabond2 drops collinear ones) and the count reported is of the remaining ones.
A weight matrix whose smallest eigenvalue is below 1e-9 is inverted by a generalised inverse (plm's rule;
``result.warnings`` says so). The result warns (``result.warnings`` and a Python
:class:`InstrumentCountWarning`) when instruments outnumber groups (Roodman 2009b, "too many instruments").

README text. ``fit_gmm`` (CLI ``tfp-talent gmm``) estimates Arellano-Bond difference GMM and Blundell-Bond
system GMM, one- or two-step, with robust / Windmeijer-corrected SEs, GMM-style (optionally collapsed)
and IV-style instruments, time dummies, first differences or forward orthogonal deviations; it reports
the Arellano-Bond AR(1)/AR(2) tests, Sargan and Hansen J, difference-in-Hansen tests per instrument group
and the instrument count. Defaults follow R plm's ``pgmm``, whose published examples it reproduces to 1e-5;
``convention="xtabond2"`` switches to Stata xtabond2's conventions (table above) and reproduces its output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.estimators.gmm_instruments import (
    CONVENTIONS,
    FIRST_STEPS,
    GmmDesign,
    GmmSpec,
    build_design,
    parse_formula,
    parse_gmm,
    parse_terms,
    transform,
)
from tfp_talent.estimators.gmm_result import GmmResult
from tfp_talent.estimators.gmm_tests import (
    TestStat,
    ar_test,
    chi2_test,
    difference_in_hansen,
    hansen_j,
    inv_psd,
    sargan_xtabond2,
)

MODELS = {"onestep": "onestep", "twostep": "twostep", "twosteps": "twostep"}
TRANSFORMATIONS = {"d": "d", "difference": "d", "ld": "ld", "system": "ld"}
EFFECTS = {"twoways": "twoways", "twoway": "twoways", "individual": "individual", "entity": "individual"}
GMM_COVS = ("robust", "unadjusted")
EQUATIONS = ("both", "diff", "level")
CHUNK_ELEMENTS = 4_000_000  # instrument-block elements built at a time (32 MB)


class InstrumentCountWarning(UserWarning):
    """More instruments than groups: Hansen's J is weak and two-step SEs unreliable (Roodman 2009b)."""


# --------------------------------------------------------------------------- public entry point


def fit_gmm(
    data: pd.DataFrame,
    formula: str | None = None,
    *,
    entity: str,
    time: str,
    gmm: str | Mapping[str, Sequence[int]],
    y: str | None = None,
    lags_y: Sequence[int] = (1,),
    x: Mapping[str, Sequence[int]] | Sequence[str] | None = None,
    iv: str | Mapping[str, Sequence[int]] | Sequence[str] | None = None,
    effects: str = "twoways",
    model: str = "onestep",
    transformation: str = "d",
    collapse: bool = False,
    fod: bool = False,
    cov: str = "robust",
    first_step: str = "full",
    convention: str = "plm",
    gmm_equation: str = "both",
    iv_equation: str = "both",
    level: float = 0.95,
    file: str | Path | None = None,
) -> GmmResult:
    """Difference or system GMM for a dynamic panel (formulas in the module docstring).

    The model is either ``formula="n ~ L(1:2).n + L(0:1).w + k"`` (``L(a:b).v`` = lags a…b of v, ``L.v``,
    ``L2.v``, ``v``) or ``y="n", lags_y=[1, 2], x={"w": [0, 1], "k": [0]}`` (a list ``["w", "k"]`` means lag 0).
    Arguments mirror R plm's ``pgmm``:

    data
        Long panel, one row per (``entity``, ``time``); ``time`` must hold whole numbers (years), gaps allowed
        (the rows are laid on the calendar grid of :mod:`tfp_talent.estimators.gmm_instruments`).
    formula, y, lags_y, x
        The model, in one of the two forms above; ``lags_y`` are the lags (>= 1) of y on the right-hand side.
    gmm
        GMM-style instruments, ``{"n": (2, 99)}`` or ``"L(2:99).n + L(2:99).w"`` (lags a…b, capped by the data).
    iv
        IV-style instruments ``{"w": [0, 1]}`` (or ``"L(0:1).w"``). ``None`` (default, as plm): every regressor
        variable not among ``gmm`` with its lags; ``{}`` for none.
    effects
        ``"twoways"`` (time dummies, default) or ``"individual"``.
    model
        ``"onestep"`` (default, as plm) or ``"twostep"``.
    transformation
        ``"d"`` difference GMM (default) or ``"ld"`` system GMM.
    collapse, fod
        Collapse the GMM-style instruments (Roodman 2009, §4.2); forward orthogonal deviations instead of
        first differences (xtabond2 ``orthogonal``).
    cov
        ``"robust"`` (default: one-step robust / two-step Windmeijer) or ``"unadjusted"``.
    first_step
        H of the one-step weight: ``"full"`` (default), ``"blocks"`` or ``"identity"``.
    convention
        ``"plm"`` (default) or ``"xtabond2"`` (table in the module docstring).
    gmm_equation, iv_equation
        System GMM: instrument the ``"both"`` equations (default), only the transformed (``"diff"``) or only
        the level equation (``"level"``); xtabond2's ``equation()`` suboption.
    level
        Level of the normal intervals of :meth:`GmmResult.conf_int` (default 0.95).
    file
        File name quoted in error messages.

    Returns
    -------
    GmmResult
        Final-step estimates b (b1 for one-step, b2 for two-step), their covariance V, the one-step
        estimates, the tests ``sargan``, ``hansen``, ``ar1``, ``ar2``, the difference-in-Hansen tests and
        the instrument count (:class:`~tfp_talent.estimators.gmm_result.GmmResult`).

    Raises
    ------
    InputError
        One line for: missing columns, duplicate entity-time keys, a time column that is not whole numbers,
        infinite values, too few periods for the lags, an unknown ``model`` / ``cov`` / ``transformation``
        / ``effects`` / ``first_step`` / ``convention`` / equation choice, a ``level`` outside (0, 1), no
        GMM-style instrument, y among its own regressors, fewer instruments than regressors, and
        regressors the instruments do not identify (rank of X'Z A1 Z'X below K).

    Warns
    -----
    InstrumentCountWarning
        When the instruments (after dropping all-zero columns) outnumber the groups.
    """
    file_s = None if file is None else str(file)
    spec = _spec(
        formula, y, lags_y, x, gmm, iv, effects, transformation, collapse, fod, first_step, convention
    )
    for name, val in (("gmm_equation", gmm_equation), ("iv_equation", iv_equation)):
        allowed = EQUATIONS if spec.system else ("both", "diff")
        if val not in allowed:
            kind = "system" if spec.system else "difference"
            raise InputError(f"{name} must be one of {', '.join(allowed)} in {kind} GMM; got {val!r}")
    spec = dataclasses.replace(spec, gmm_equation=gmm_equation, iv_equation=iv_equation)
    mdl = MODELS.get(model)
    if mdl is None:
        raise InputError(f"model must be one of onestep, twostep; got {model!r}")
    if cov not in GMM_COVS:
        raise InputError(f"cov must be one of {', '.join(GMM_COVS)}; got {cov!r}")
    if not 0 < level < 1:
        raise InputError(f"confidence level must be between 0 and 1, got {level}")
    if not isinstance(data, pd.DataFrame):
        raise InputError("data must be a pandas DataFrame", file=file_s)
    with one_blas_thread():
        design = build_design(data, spec, entity=entity, time=time, file=file_s)
        return estimate(design, model=mdl, cov=cov, level=level, file=file_s)


def one_blas_thread() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread while estimating (threadpoolctl, when installed).

    The matrices here are small (L x L with L in the tens or hundreds) or thin: one thread is as fast, and on
    a busy machine multi-threaded OpenBLAS is 10-20x slower (benchmarks/README.md, "Dynamic panel GMM").
    The BLAS libraries are looked up once per process.
    """
    controller = _blas_controller()
    if controller is None:  # pragma: no cover - only slower
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@functools.cache
def _blas_controller() -> Any:
    """One ``threadpoolctl.ThreadpoolController`` per process (its library scan is slow); None without it."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return None
    return ThreadpoolController()


def _spec(
    formula: str | None,
    y: str | None,
    lags_y: Sequence[int],
    x: Mapping[str, Sequence[int]] | Sequence[str] | None,
    gmm: str | Mapping[str, Sequence[int]],
    iv: str | Mapping[str, Sequence[int]] | Sequence[str] | None,
    effects: str,
    transformation: str,
    collapse: bool,
    fod: bool,
    first_step: str,
    convention: str,
) -> GmmSpec:
    """Normalise the model arguments of :func:`fit_gmm` into a :class:`GmmSpec` (one-line InputError if bad).

    ``x`` as a mapping {var: lag or lags}, a list of terms (``"w"``, ``"L(0:1).w"``) or None (no exogenous
    regressors); ``iv=None`` takes every regressor variable not among ``gmm`` with its lags (plm's default).
    The aliases of :data:`MODELS`, :data:`TRANSFORMATIONS` and :data:`EFFECTS` are mapped to their names.
    Raises :class:`InputError` for both or neither model forms, lags of y below 1, y on both sides, no
    GMM-style instrument and an unknown transformation, effects, first step or convention.
    """
    if formula is not None:
        if y is not None or x is not None:
            raise InputError("give either formula= or y=/x=, not both")
        y, lags_list, xs = parse_formula(formula)
    else:
        if y is None:
            raise InputError("the model needs formula='y ~ ...' or y=")
        lags_list = list(lags_y)
        if x is None:
            xs = {}
        elif isinstance(x, Mapping):
            xs = {
                str(k): sorted({int(v) for v in (lags if isinstance(lags, (list, tuple, range)) else [lags])})
                for k, lags in x.items()
            }
        else:
            xs = {}
            for tok in x:
                for var, lags in parse_terms(str(tok)).items():
                    xs[var] = sorted(set(xs.get(var, [])) | set(lags))
    if not lags_list or min(lags_list) < 1:
        raise InputError(
            f"the lags of {y!r} on the right-hand side must be 1 or more (got {lags_list})", column=y
        )
    if y in xs:
        raise InputError(f"{y!r} appears on both sides; give its lags in lags_y (or as L(1:2).{y})", column=y)
    gmm_d = parse_gmm(gmm)
    if not gmm_d:
        raise InputError("at least one GMM-style instrument is needed, e.g. gmm={'n': (2, 99)}")
    if iv is None:
        iv_d = {v: tuple(lags) for v, lags in xs.items() if v not in gmm_d}
    elif isinstance(iv, str):
        iv_d = {v: tuple(lags) for v, lags in parse_terms(iv).items()}
    elif isinstance(iv, Mapping):
        iv_d = {
            str(v): tuple(int(k) for k in (lags if isinstance(lags, (list, tuple, range)) else [lags]))
            for v, lags in iv.items()
        }
    else:
        iv_d = {v: tuple(lags) for v, lags in parse_terms(" + ".join(map(str, iv))).items()} if iv else {}
    tr = TRANSFORMATIONS.get(transformation)
    eff = EFFECTS.get(effects)
    for name, val, ok in (
        ("transformation", transformation, tr),
        ("effects", effects, eff),
        ("first_step", first_step, first_step in FIRST_STEPS or None),
        ("convention", convention, convention in CONVENTIONS or None),
    ):
        if ok is None:
            choices = {
                "transformation": "d, ld",
                "effects": "twoways, individual",
                "first_step": ", ".join(FIRST_STEPS),
                "convention": ", ".join(CONVENTIONS),
            }[name]
            raise InputError(f"{name} must be one of {choices}; got {val!r}")
    return GmmSpec(
        y=str(y),
        lags_y=tuple(sorted({int(v) for v in lags_list})),
        x={k: tuple(v) for k, v in xs.items()},
        gmm=gmm_d,
        iv=iv_d,
        system=tr == "ld",
        fod=bool(fod),
        collapse=bool(collapse),
        effects=str(eff),
        first_step=first_step,
        convention=convention,
    )


# --------------------------------------------------------------------------- estimation


@dataclass
class _Moments:
    """Per-entity moment blocks of :func:`accumulate_moments` (L instrument columns, K regressors).

    ``zx`` (N, L, K) = Z_i'X_i and ``zy`` (N, L) = Z_i'y_i; ``ZHZ`` (L, L) = Σ_i Z_i'H_iZ_i (first-step weight
    before inversion); ``zx_d``, ``zy_d`` the same products over the transformed rows only (system GMM, for
    plm's AR tests; None in difference GMM); ``keep`` (L,) marks the instrument columns not all zero.
    """

    zx: np.ndarray  # (N, L, K) per-entity Z_i'X_i
    zy: np.ndarray  # (N, L)
    ZHZ: np.ndarray  # (L, L)
    zx_d: np.ndarray | None  # difference rows only (system GMM, plm AR tests)
    zy_d: np.ndarray | None
    keep: np.ndarray  # instrument columns that are not all zero


def accumulate_moments(design: GmmDesign, *, chunk_elements: int = CHUNK_ELEMENTS) -> _Moments:
    """Σ-ready per-entity moments, building the instrument blocks for a few entities at a time.

    For each slice of entities the dense blocks Z_i (R × L) come from :meth:`GmmDesign.instruments` and give
    Z_i'X_i, Z_i'y_i and the slice's share of Σ Z_i'H_iZ_i. ``chunk_elements`` bounds the elements of one
    slice's Z (entities per slice = chunk_elements // (R L), at least one), so memory stays near
    8 · chunk_elements bytes whatever N; the sums do not depend on it. Returns :class:`_Moments`.
    """
    N, R, K = design.X.shape
    L = design.n_instruments
    nd = design.n_diff
    split = design.spec.system
    zx, zy = np.empty((N, L, K)), np.empty((N, L))
    zx_d = np.empty((N, L, K)) if split else None
    zy_d = np.empty((N, L)) if split else None
    ZHZ = np.zeros((L, L))
    keep = np.zeros(L, dtype=bool)
    step = max(1, chunk_elements // max(1, R * L))
    for start in range(0, N, step):
        sl = slice(start, min(N, start + step))
        Z = design.instruments(sl)
        Zt = np.swapaxes(Z, 1, 2)  # batched BLAS products, one thread (see one_blas_thread)
        zx[sl] = Zt @ design.X[sl]
        zy[sl] = (Zt @ design.y[sl][:, :, None])[:, :, 0]
        if split:
            zx_d[sl] = Zt[:, :, :nd] @ design.X[sl, :nd]  # type: ignore[index]
            zy_d[sl] = (Zt[:, :, :nd] @ design.y[sl, :nd, None])[:, :, 0]  # type: ignore[index]
        HZ = design.H[sl] @ Z
        ZHZ += Z.reshape(-1, L).T @ HZ.reshape(-1, L)
        keep |= (Z != 0).any(axis=(0, 1))
    return _Moments(zx, zy, ZHZ, zx_d, zy_d, keep)


def estimate(
    design: GmmDesign,
    *,
    model: str = "onestep",
    cov: str = "robust",
    level: float = 0.95,
    file: str | None = None,
) -> GmmResult:
    """One- and two-step GMM on a built :class:`GmmDesign` (formulas in the module docstring).

    Parameters
    ----------
    design
        The stacked rows and instruments of :func:`~tfp_talent.estimators.gmm_instruments.build_design`.
    model
        ``"onestep"`` or ``"twostep"`` (already normalised; :func:`fit_gmm` maps the aliases).
    cov
        ``"robust"`` (one-step robust, two-step Windmeijer) or ``"unadjusted"``.
    level, file
        Interval level recorded in the result; file name for error messages.

    Returns
    -------
    GmmResult
        As :func:`fit_gmm`. Raises :class:`InputError` when no transformed row is complete, when there
        are fewer instruments than coefficients (L < K) or when X'Z A1 Z'X has rank below K.
    """
    with one_blas_thread():
        return _estimate(design, model, cov, level, file)


def _estimate(design: GmmDesign, model: str, cov: str, level: float, file: str | None) -> GmmResult:
    """:func:`estimate` inside the one-thread BLAS limit: the steps of the module docstring in order.

    Drops all-zero instrument columns; forms A1 = (Z'HZ)⁻¹ (generalised inverse if singular), b1, the
    one-step moments g1_i = Z_i'(y_i − X_i b1), S = Σ g1_i g1_i', A2 = S⁻¹ and the one-step robust
    V1r = B1 X'Z A1 S A1 Z'X B1; σ̂² = Σ ê1² / (div · n), div = 2 for first differences with a non-identity
    H, else 1 (n = transformed rows). Then b2 and Windmeijer's V for ``twostep``; Hansen J at A2; the
    Sargan of ``convention``; AR(1), AR(2) at the final step; difference-in-Hansen per instrument group.
    """
    spec = design.spec
    mom = accumulate_moments(design)
    keep = mom.keep
    zx, zy, ZHZ = mom.zx[:, keep], mom.zy[:, keep], mom.ZHZ[np.ix_(keep, keep)]
    names = [n for n, k in zip(design.inst_names, keep, strict=True) if k]
    groups = [g for g, k in zip(design.inst_groups, keep, strict=True) if k]
    K = design.X.shape[2]
    L = len(names)
    nd = design.n_diff
    n_obs = int(design.valid[:, :nd].sum())
    n_lev = int(design.valid[:, nd:].sum())
    n_groups = int(design.valid.any(axis=1).sum())
    if n_obs == 0:
        raise InputError(
            "no complete rows for the transformed equation (check the lags and missing values)", file=file
        )
    if L < K:
        raise InputError(
            f"the instruments do not identify the model: {L} instruments for {K} coefficients "
            f"({', '.join(design.x_names)}); add GMM/IV instruments or lags",
            file=file,
        )
    ZX, Zy = zx.sum(axis=0), zy.sum(axis=0)
    notes: list[str] = []
    A1, sing = inv_psd(ZHZ)
    if sing:
        notes.append("the first-step matrix Z'HZ is singular; a generalised inverse is used")
    M1 = ZX.T @ A1 @ ZX
    if np.linalg.matrix_rank(M1) < K:
        raise InputError(
            f"the regressors are not identified by the instruments (rank {np.linalg.matrix_rank(M1)} of {K}: "
            f"{', '.join(design.x_names)}); drop collinear regressors or add instruments",
            file=file,
        )
    B1 = np.linalg.inv(M1)
    b1 = B1 @ ZX.T @ A1 @ Zy
    g1 = zy - _times(zx, b1)
    S = g1.T @ g1
    A2, sing = inv_psd(S)
    if sing:
        notes.append("the second-step matrix S is singular; a generalised inverse is used")
    V1r = B1 @ ZX.T @ A1 @ S @ A1 @ ZX @ B1
    e1 = design.y - _times(design.X, b1)
    div = 1.0 if (spec.fod or spec.first_step == "identity") else 2.0
    sigma2 = float((e1[:, :nd] ** 2).sum()) / div / n_obs

    if model == "twostep":
        B2 = np.linalg.inv(ZX.T @ A2 @ ZX)
        b = B2 @ ZX.T @ A2 @ Zy
        g = zy - _times(zx, b)
        A, B = A2, B2
        V = _windmeijer(zx, g1, g.sum(axis=0), ZX, A2, B2, V1r) if cov == "robust" else B2
    else:
        b, g, A, B = b1, g1, A1, B1
        V = V1r if cov == "robust" else sigma2 * B1
    gbar = g.sum(axis=0)
    df = L - K
    tests: dict[str, TestStat] = {}
    hansen = hansen_j(gbar, A2, df)
    if spec.convention == "plm":
        tests["sargan"] = chi2_test("Sargan", hansen.stat, df, "plm sargan(): J at the two-step weight")
    else:
        tests["sargan"] = sargan_xtabond2(g1.sum(axis=0), A1, sigma2, df)
    tests["hansen"] = hansen
    e_d, X_d = _differenced_residuals(design, b)
    if spec.system and spec.convention == "plm":
        g_tilde = mom.zy_d[:, keep] - _times(mom.zx_d[:, keep], b)  # type: ignore[index]
    else:
        g_tilde = g
    for m in (1, 2):
        tests[f"ar{m}"] = ar_test(m, e_d, X_d, g_tilde, ZX, A, B, V)
    diff_h = difference_in_hansen(groups, ZX, Zy, S, hansen.stat, K)

    if n_groups < L:
        msg = f"{L} instruments exceed the {n_groups} groups: Hansen's J is weak and SEs may be too small; collapse or limit lags"
        notes.append(msg)
        warnings.warn(msg, InstrumentCountWarning, stacklevel=3)
    se = np.sqrt(np.clip(np.diag(V), 0, None))
    idx = pd.Index(design.x_names)
    return GmmResult(
        params=pd.Series(b, index=idx),
        std_errors=pd.Series(se, index=idx),
        cov=pd.DataFrame(V, index=idx, columns=idx),
        params_onestep=pd.Series(b1, index=idx),
        depvar=spec.y,
        model=model,
        transformation="ld" if spec.system else "d",
        effects=spec.effects,
        cov_type=cov,
        convention=spec.convention,
        first_step=spec.first_step,
        collapse=spec.collapse,
        fod=spec.fod,
        nobs=n_obs,
        nobs_levels=n_lev,
        n_groups=n_groups,
        n_periods=len(design.time_labels),
        n_instruments=L,
        instrument_names=names,
        tests=tests,
        diff_hansen=diff_h,
        warnings=notes,
        level=level,
    )


def _times(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(..., K) array times a K-vector."""
    return np.einsum("...k,k->...", a, b)


def _windmeijer(zx, g1, g2bar, ZX, A2, B2, V1r) -> np.ndarray:
    """Windmeijer (2005) corrected two-step covariance (module docstring); column k of D in one pass.

    Windmeijer (2005), "A finite sample correction for the variance of linear efficient two-step GMM
    estimators", J. Econometrics 126(1), 25-51, eq. 3.3. With a = A2 Σ_i Z_i'ê2_i, (C_k + C_k') a is
    Σ_i [Z_i'x_ik (ê1_i'Z_i a) + Z_i'ê1_i (x_ik'Z_i a)], so D = B2 X'Z A2 [(C_k + C_k') a]_k needs no
    L × L matrix per regressor. ``zx`` (N, L, K), ``g1`` (N, L) one-step moments, ``g2bar`` (L,)
    Σ of the two-step moments, ``V1r`` the one-step robust covariance. Returns V_c (K, K).
    """
    a = A2 @ g2bar
    s1 = np.einsum("nl,l->n", g1, a)
    t = np.einsum("nlk,l->nk", zx, a)  # x_ik'Z_i a
    CCa = np.einsum("nlk,n->lk", zx, s1) + np.einsum("nl,nk->lk", g1, t)  # (C_k + C_k') a, column k
    D = B2 @ ZX.T @ A2 @ CCa
    return B2 + D @ B2 + B2 @ D.T + D @ V1r @ D.T


def _differenced_residuals(design: GmmDesign, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First-differenced residuals and regressors on the transformed rows (AR tests use differences even
    after orthogonal deviations, as xtabond2).

    Returns ``e_d`` (N, Rd) and ``X_d`` (N, Rd, K), Rd = ``design.n_diff``, zero where a row is missing: the
    transformed rows themselves for first differences; for orthogonal deviations the level residuals
    y − X b are differenced on the same grid positions.
    """
    nd = design.n_diff
    if not design.spec.fod:
        e = design.y[:, :nd] - _times(design.X[:, :nd], b)
        return np.where(design.valid[:, :nd], e, 0.0), design.X[:, :nd]
    e_lev = design.level_y - _times(design.level_X, b)
    stacked = np.concatenate([e_lev[:, :, None], design.level_X], axis=2)
    d = transform(stacked, design.level_valid, fod=False)[:, design.diff_rows]
    ok = np.all(np.isfinite(d), axis=2)
    d = np.where(ok[:, :, None], d, 0.0)
    return d[:, :, 0], d[:, :, 1:]
