"""Result of :func:`tfp_talent.estimators.gmm.fit_gmm`: estimates, tests, text summary and JSON-safe dict.

z-statistics, normal p-values and intervals come from
:class:`~tfp_talent.estimators.inference.NormalInference` (b / se, 2·(1 − Φ(|z|)), b ± z_{(1+level)/2}·se),
as R plm's ``summary.pgmm`` and xtabond2 without ``small``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tfp_talent.estimators.gmm_tests import TestStat
from tfp_talent.estimators.inference import NormalInference

__all__ = ["GmmResult"]


@dataclass
class GmmResult(NormalInference):
    """Estimates and tests of one dynamic-panel GMM model.

    ``params``/``std_errors`` are Series by regressor (lags as ``L1.n``, dummies as ``year=1980``);
    ``tests`` holds ``sargan``, ``hansen``, ``ar1``, ``ar2`` (:class:`TestStat`); ``diff_hansen`` one test per
    instrument group. ``nobs`` counts the rows of the transformed equation, ``nobs_levels`` those of the level
    equation (system GMM).

    Attributes
    ----------
    params, std_errors, cov
        Final-step b, sqrt(diag V) and V (DataFrame by regressor); V as in the module docstring of
        :mod:`tfp_talent.estimators.gmm` (``cov_type``: ``robust`` or ``unadjusted``).
    params_onestep
        One-step b1 (equal to ``params`` when ``model="onestep"``).
    depvar, model, transformation, effects, convention, first_step, collapse, fod
        The specification: ``model`` ``"onestep"`` / ``"twostep"``, ``transformation`` ``"d"``
        (difference) / ``"ld"`` (system), ``effects`` ``"twoways"`` / ``"individual"``.
    nobs, nobs_levels, n_groups, n_periods
        Complete transformed rows, complete level rows (0 in difference GMM), entities with at least
        one complete row, and periods of the calendar grid (t_max − t_min + 1).
    n_instruments, instrument_names
        L, the instrument columns kept (all-zero columns dropped), and their names.
    warnings
        Notes on generalised inverses and on instruments outnumbering groups.
    level
        Default level of :meth:`conf_int`.
    """

    params: pd.Series
    std_errors: pd.Series
    cov: pd.DataFrame
    params_onestep: pd.Series
    depvar: str
    model: str
    transformation: str
    effects: str
    cov_type: str
    convention: str
    first_step: str
    collapse: bool
    fod: bool
    nobs: int
    nobs_levels: int
    n_groups: int
    n_periods: int
    n_instruments: int
    instrument_names: list[str]
    tests: dict[str, TestStat]
    diff_hansen: list[TestStat] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    level: float = 0.95

    @property
    def tvalues(self) -> pd.Series:
        """z-statistics b / se (linearmodels' name)."""
        return self.zvalues

    def summary(self) -> str:
        """Text table: coefficients, SEs, z, p, interval; then N obs, groups, instruments and tests.

        The header names the estimator (one- or two-step, difference or system, first differences or
        orthogonal deviations) and the SE type (Windmeijer-corrected for two-step robust); each test line
        is ``name(df) = stat  p = ...  [note]``; warnings close the table.
        """
        kind = "system" if self.transformation == "ld" else "difference"
        se = {
            "robust": "Windmeijer-corrected" if self.model == "twostep" else "robust",
            "unadjusted": "unadjusted",
        }
        lines = [
            f"Dynamic panel GMM: {self.model} {kind} GMM ({'orthogonal deviations' if self.fod else 'first differences'}), "
            f"effects={self.effects}, convention={self.convention}",
            f"Dependent variable: {self.depvar}   SEs: {se[self.cov_type]}",
            f"Observations: {self.nobs}"
            + (f" (+ {self.nobs_levels} in levels)" if self.nobs_levels else "")
            + f"   Groups: {self.n_groups}   Periods: {self.n_periods}   Instruments: {self.n_instruments}",
        ]
        ci = self.conf_int()
        pct = f"{100 * self.level:g}%"
        w = max(12, *(len(str(k)) for k in self.params.index))
        lines.append(
            f"{'':<{w}} {'coef':>11} {'std err':>11} {'z':>9} {'P>|z|':>7} {pct + ' lower':>11} {'upper':>11}"
        )
        for k in self.params.index:
            lines.append(
                f"{k!s:<{w}} {self.params[k]:>11.6f} {self.std_errors[k]:>11.6f} {self.tvalues[k]:>9.3f} "
                f"{self.pvalues[k]:>7.3f} {ci.loc[k, 'lower']:>11.6f} {ci.loc[k, 'upper']:>11.6f}"
            )
        for t in [*self.tests.values(), *self.diff_hansen]:
            df = f"({t.df})" if t.df is not None else ""
            lines.append(f"{t.name}{df} = {t.stat:.6g}  p = {t.pvalue:.4g}  [{t.note}]")
        lines += [f"warning: {w_}" for w_ in self.warnings]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (floats, ints, strings, lists; non-finite numbers as None).

        Keys: ``estimator`` (``"gmm"``), the specification fields, ``regressors``; ``params``,
        ``std_errors``, ``tvalues``, ``pvalues`` and ``params_onestep`` as {regressor: value};
        ``conf_int`` {regressor: [lower, upper]} at ``level``; ``cov`` {row: {column: value}};
        the counts; ``instruments`` (names); ``tests`` {sargan, hansen, ar1, ar2: :meth:`TestStat.to_dict`};
        ``diff_hansen`` (list) and ``warnings``.
        """

        def ser(s: pd.Series) -> dict[str, float | None]:
            """A Series as {label: number or None}."""
            return {str(k): _num(v) for k, v in s.items()}

        ci = self.conf_int()
        return {
            "estimator": "gmm",
            "depvar": self.depvar,
            "model": self.model,
            "transformation": self.transformation,
            "effects": self.effects,
            "cov_type": self.cov_type,
            "convention": self.convention,
            "first_step": self.first_step,
            "collapse": self.collapse,
            "fod": self.fod,
            "regressors": [str(k) for k in self.params.index],
            "params": ser(self.params),
            "std_errors": ser(self.std_errors),
            "tvalues": ser(self.tvalues),
            "pvalues": ser(self.pvalues),
            "conf_int": {str(k): [_num(ci.loc[k, "lower"]), _num(ci.loc[k, "upper"])] for k in ci.index},
            "level": float(self.level),
            "cov": {str(r): ser(self.cov.loc[r]) for r in self.cov.index},
            "params_onestep": ser(self.params_onestep),
            "nobs": int(self.nobs),
            "nobs_levels": int(self.nobs_levels),
            "n_groups": int(self.n_groups),
            "n_periods": int(self.n_periods),
            "n_instruments": int(self.n_instruments),
            "instruments": list(self.instrument_names),
            "tests": {k: t.to_dict() for k, t in self.tests.items()},
            "diff_hansen": [t.to_dict() for t in self.diff_hansen],
            "warnings": list(self.warnings),
        }


def _num(v: float) -> float | None:
    """``float(v)``, or None when it is NaN or infinite (JSON has no such numbers)."""
    v = float(v)
    return v if math.isfinite(v) else None
