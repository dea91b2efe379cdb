"""Table kind ``shift_share_iv``: first stage, reduced form and FE-2SLS with the shift-share instrument.

Registered in :data:`tfp_talent.study.tables.TABLE_KINDS`. Columns are ``{spec, cov}`` of specs of
kind ``panel`` (first stage: the talent stock on the instrument; reduced form: ln TFP on the
instrument) and ``iv`` (FE-2SLS, :func:`~tfp_talent.estimators.iv.fit_iv`). Below the coefficients
the IV columns carry the weak-instrument diagnostics that ``fit_iv`` stores in ``extra.weak_iv``
(:mod:`tfp_talent.estimators.iv_diagnostics`): the Kleibergen–Paap rk Wald F (= the cluster-robust
first-stage F with one endogenous regressor and one instrument), the Stock–Yogo (2005) 10 % maximal-size
critical value, the Anderson–Rubin (1949) test of β = 0 and the AR confidence set by test inversion
(robust to weak instruments; possibly unbounded), and the identification status (exactly identified:
no over-identification test).

Statistics, as :mod:`tfp_talent.estimators.iv_diagnostics` stores them (nothing is recomputed here):
the Kleibergen–Paap (2006) rk Wald F with cluster-robust covariance and ivreg2's small-sample
scaling; the Anderson–Rubin statistic of H0: β = β₀, the Wald test that the excluded instruments
have zero coefficients in the regression of y − x β₀ on them and the exogenous regressors
(F(q, G − 1), clustered); the AR confidence set {β₀: AR p > 1 − level} by test inversion, a union of
intervals that may be empty or unbounded. The builder takes the arguments of
:mod:`tfp_talent.study.tables`; ``config/config.yaml`` uses it for ``tables.shift_share_iv``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tfp_talent.report.tables import Table, fmt_number
from tfp_talent.study.labels import MODEL_NAMES
from tfp_talent.study.results import columns_table, pick_result

Results = Mapping[str, Mapping[str, Any]]


def fmt_interval_set(pieces: Sequence[Sequence[Any]] | None, digits: int = 3) -> str:
    """An AR confidence set as text: ``[a, b]``, unions joined by ∪, ``(−∞, ∞)`` or ``empty``.

    ``pieces`` are [lo, hi] pairs (ends may be ±inf, stored as the JSON strings "inf" / "-inf");
    an infinite end gets an open bracket. None (no set stored) gives "".
    """
    if pieces is None:
        return ""
    if not pieces:
        return "empty"

    def end(v: Any) -> str:
        """One end: ∞ / −∞ for an infinite value, else ``digits`` decimals."""
        x = float(v)  # JSON keeps infinite ends as the strings "inf" / "-inf"
        return ("∞" if x > 0 else "−∞") if math.isinf(x) else fmt_number(x, digits)

    parts = []
    for lo, hi in pieces:
        left = "(" if end(lo) == "−∞" else "["
        right = ")" if end(hi) == "∞" else "]"
        parts.append(f"{left}{end(lo)}, {end(hi)}{right}")
    return " ∪ ".join(parts)


def _weak(r: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The weak-instrument block ``extra.weak_iv`` of a result (IV columns only), or None."""
    return (r.get("extra") or {}).get("weak_iv")


def _row(picked: Sequence[Mapping[str, Any]], fn: Any) -> list[str]:
    """One table row: ``fn(weak_iv)`` in the IV columns, blank in the others."""
    return [fn(w) if (w := _weak(r)) is not None else "" for r in picked]


def identification_text(weak: Mapping[str, Any]) -> str:
    """'exactly identified (1 instrument, 1 endogenous)' or the over-identification test.

    Exactly identified when the number of instruments q equals the endogenous k; otherwise the stored
    over-identification test (``identification.name`` with its p), or "over-identified" without one.
    """
    k, q = int(weak["n_endog"]), int(weak["n_instruments"])
    ident = weak.get("identification") or {}
    if q == k:
        return f"exactly identified ({q} instrument{'s' if q > 1 else ''}, {k} endogenous)"
    p = ident.get("p_value")
    return f"{ident.get('name', 'overid')} p = {fmt_number(p, 3)}" if p is not None else "over-identified"


def shift_share_table_from_config(
    name: str, entry: Mapping[str, Any], results: Results, labels: Mapping[str, str]
) -> Table:
    """``tables.<name>`` of kind ``shift_share_iv`` (module docstring); rows keep the specs' term order.

    Rows: the endogenous regressors and instruments first, then the other regressors (or ``keep``),
    b over its clustered SE; below, estimator, years and, in IV columns, the KP F, the Stock–Yogo 10%
    value, the AR p, the AR set at the level of the first IV column (default 95%) and the
    identification status. Within R² is blanked in columns that are not ``fe`` / ``fe-iv``.

    ``entry.columns`` are ``{spec, cov}``; in ``config/config.yaml`` the first stage
    (``ss_first_stage``), reduced form (``ss_reduced_form``) and the IV with the main and the
    alternative exposure (``ss_iv``, ``ss_iv_alt``), all clustered by province. Raises
    :class:`InputError` (:func:`~tfp_talent.study.results.pick_result`) for a missing spec or cov.
    """
    where = f"tables.{name}"
    cols = list(entry["columns"])
    picked = [pick_result(results, c, where=where) for c in cols]
    specs = [results[c["spec"]] for c in cols]
    order: list[str] = []  # instrumented regressors and instruments first, then the other terms
    for key in ("endog", "talent"):
        order += [t for s in specs for t in s["roles"].get(key) or [] if t not in order]
    order += [t for s in specs for t in s["regressors"] if t not in order]
    order = list(dict.fromkeys(order))
    keep = list(entry.get("keep") or order)
    level = next((w["level"] for r in picked if (w := _weak(r)) is not None), 0.95)
    extra: list[tuple[str, list[str]]] = [
        ("Estimator", [MODEL_NAMES.get(str(r.get("model")), str(r.get("model"))) for r in picked]),
        ("Years", [s["sample"]["years_text"] for s in specs]),
        ("Kleibergen–Paap rk Wald F", _row(picked, lambda w: fmt_number(w["kleibergen_paap_f"], 2))),
        (
            "Stock–Yogo 10% critical value",
            _row(picked, lambda w: fmt_number((w.get("stock_yogo") or {}).get("10%"), 2)),
        ),
        (
            "Anderson–Rubin test of β = 0, p",
            _row(picked, lambda w: fmt_number(w["anderson_rubin"]["f_pvalue"], 3)),
        ),
        (
            f"Anderson–Rubin {round(100 * level)}% confidence set",
            _row(picked, lambda w: fmt_interval_set(w.get("ar_conf_set"))),
        ),
        ("Identification", _row(picked, identification_text)),
    ]
    note = (
        "Two-way fixed effects; standard errors clustered by province in parentheses. The instrument is a "
        "province's 1990 college capacity times the national expansion of college entrants lagged to graduation "
        "(data/processed/shift_share.md). The Kleibergen–Paap F and the Anderson–Rubin statistics are cluster-robust "
        "(ivreg2's small-sample scaling); the AR set collects the β₀ not rejected at the stated level and is valid "
        "however weak the instrument is; the Stock–Yogo value is tabulated for i.i.d. errors and is a guide only."
    )
    for r in picked:
        if r.get("model") not in ("fe", "fe-iv"):
            r["rsquared_within"] = None
    return columns_table(name, entry, picked, specs, keep=keep, extra_rows=extra, notes=[note], labels=labels)
