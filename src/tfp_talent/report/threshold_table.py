"""The panel threshold table (Hansen 1999): threshold tests, estimates with CIs, regime slopes.

Three panels in one five-column table (estimate; p-value, SE or CI; critical values at 10, 5, 1 %):
A the sequential F tests of k − 1 against k thresholds, F_k = (S_{k−1} − S_k) / σ̂²_k, with bootstrap
p-values and critical values; B the threshold estimates γ̂_j with their likelihood-ratio confidence
intervals; C the slopes of the model with the most thresholds, regime-dependent slopes ``x_r1``,
``x_r2``, ... labelled by their regime (q ≤ γ₁, γ₁ < q ≤ γ₂, ..., q > γ_k). The result dicts are those
of :mod:`tfp_talent.estimators.threshold_results`; the lenient readers below also accept dicts keyed by
k and critical values keyed by level.

Typical use, on the JSON of ``tfp-talent threshold``::

    result = json.loads(Path("thr.json").read_text(encoding="utf-8"))
    write_table(threshold_table(result, threshold_label="R&D intensity"), "reports/tables/threshold")
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import norm_sf
from tfp_talent.report.tables import (
    Cell,
    Section,
    Table,
    as_mapping,
    fmt_int,
    fmt_number,
    stars_for,
)


def _seq(value: Any) -> list[Any]:
    """A list from a scalar, a list, or a mapping ordered by its keys' natural order.

    Mapping keys are ordered numerically when every key contains a number (``"1"``, ``"2"``, ``"10"``;
    ``"k=2"``; ``"10%"``), else kept in insertion order; None gives ``[]`` and a NumPy array its elements.
    ``_seq({"10": a, "2": b})`` is ``[b, a]`` (2 before 10, not the string order).
    """
    if value is None:
        return []
    if isinstance(value, Mapping):
        keys = list(value.keys())
        numbers = [re.sub(r"[^0-9.]", "", str(k)) for k in keys]
        if all(re.fullmatch(r"\d+(\.\d+)?", n) for n in numbers):
            keys = [
                k for _, k in sorted(zip((float(n) for n in numbers), keys, strict=True), key=lambda t: t[0])
            ]
        return [value[k] for k in keys]
    if isinstance(value, (list, tuple, np.ndarray)):
        return list(value)
    return [value]


def _crit_triplet(value: Any, where: str) -> tuple[Any, Any, Any]:
    """Critical values at 10 %, 5 %, 1 % from a list ``[c10, c5, c1]`` or a dict keyed by level.

    Dict keys may be percentages or fractions, with or without ``%`` (``"10%"``, ``10``, ``"0.10"``); keys
    that are not numbers are ignored. Raises :class:`InputError` (column ``crit_values``) when a level is
    missing or a list does not have exactly three values.
    ``{"10%": 9.1, "5%": 11.2, "1%": 15.8}`` and ``[9.1, 11.2, 15.8]`` both give ``(9.1, 11.2, 15.8)``.
    """
    if isinstance(value, Mapping):
        found: dict[str, Any] = {}
        for k, v in value.items():
            key = str(k).strip().rstrip("%").strip()
            try:
                lvl = float(key)
            except ValueError:
                continue
            lvl = lvl / 100 if lvl >= 1 else lvl
            found[f"{lvl:.2f}"] = v
        missing = [lvl for lvl in ("0.10", "0.05", "0.01") if lvl not in found]
        if missing:
            raise InputError(
                f"critical values lack level(s) {', '.join(missing)}", file=where, column="crit_values"
            )
        return found["0.10"], found["0.05"], found["0.01"]
    vals = _seq(value)
    if len(vals) != 3:
        raise InputError(
            f"expected 3 critical values (10%, 5%, 1%), got {len(vals)}", file=where, column="crit_values"
        )
    return vals[0], vals[1], vals[2]


def threshold_table(
    result: Mapping[str, Any],
    *,
    variable_labels: Mapping[str, str] | None = None,
    threshold_label: str = "threshold variable",
    digits: int = 3,
    title: str = "Panel threshold model",
    label: str | None = None,
    notes: Sequence[str] | str = (),
    source: str | None = None,
) -> Table:
    """Hansen (1999) threshold model: tests, threshold estimates with CIs, regime slopes.

    Reads ``ThresholdResult.to_dict()``: ``f_stat``, ``p_value`` and
    ``crit_values`` (one entry per test of k - 1 versus k thresholds, as lists
    or dicts keyed by k; critical values ``[c10, c5, c1]`` or ``{"10%": ...}``;
    ``None`` without bootstrap), ``thresholds`` and ``ci`` (one ``[lower, upper]``
    per threshold; if keyed by k, those of the largest model, whose ``params``
    and ``std_errors`` are the regime slopes and controls shown), ``nobs``. Stars on slopes use
    ``pvalues`` if present, else two-sided normal p-values of b / se.
    Reference: Hansen (1999), J. Econometrics 93, 345-368, Tables 2-3 layout;
    Wang (2015), Stata Journal 15(1), ``xthreg`` output.

    The normal p-value is p = 2 (1 − Φ(|b / se|)) (:func:`~tfp_talent.estimators.inference.norm_sf`),
    left out when se is missing, zero or not finite. Stars on the F statistics come from the bootstrap
    p-values; a regime-dependent slope ``x_rj`` is labelled "label of x × (regime j)".

    Parameters
    ----------
    result
        The threshold result mapping (see above); a single critical-value set is taken as one test.
    variable_labels
        Parameter name -> row label; an explicit label of ``x_rj`` replaces the generated regime label.
    threshold_label
        Name of the threshold variable q, shown beside each γ and in the note.
    digits
        Decimals of every number; ``title``, ``label``, ``notes`` and ``source`` as in
        :mod:`tfp_talent.report.data_tables`.

    Returns
    -------
    Table
        Panels A (tests), B (thresholds) and C (slopes and controls, then ``Observations``), two header rows
        (``Critical values`` spanning the 10 %, 5 % and 1 % columns) and a note explaining the panels.

    Raises
    ------
    InputError
        When the result has no thresholds, the number of CIs differs from the number of thresholds, the
        F statistics, p-values and critical-value sets differ in number, or ``params`` / ``std_errors``
        are missing.
    """
    where = source or "threshold result"
    labels = dict(variable_labels or {})
    f_stats = _seq(result.get("f_stat"))
    p_values = _seq(result.get("p_value"))
    crits = (
        _seq(result.get("crit_values"))
        if not _is_single_triplet(result.get("crit_values"))
        else [result.get("crit_values")]
    )
    gammas = [float(g) for g in _final_model(result.get("thresholds"))]
    cis = _final_model(result.get("ci"))
    if not gammas:
        raise InputError("threshold result has no 'thresholds'", file=where)
    if cis and len(cis) != len(gammas):
        raise InputError(
            f"{len(cis)} confidence intervals for {len(gammas)} thresholds", file=where, column="ci"
        )
    if not (len(f_stats) == len(p_values) == len(crits)):
        raise InputError(
            f"tests disagree in length: {len(f_stats)} F, {len(p_values)} p-values, {len(crits)} critical-value sets",
            file=where,
            column=["f_stat", "p_value", "crit_values"],
        )
    test_names = {1: "Single threshold", 2: "Double threshold", 3: "Triple threshold"}
    test_rows: list[list[str | Cell]] = []
    for i, (f, p, c) in enumerate(zip(f_stats, p_values, crits, strict=True)):
        c10, c5, c1 = (None, None, None) if c is None else _crit_triplet(c, where)
        test_rows.append(
            [
                test_names.get(i + 1, f"{i + 1} thresholds"),
                Cell(fmt_number(f, digits), stars_for(None if p is None else float(p))),
                fmt_number(p, digits),
                fmt_number(c10, digits),
                fmt_number(c5, digits),
                fmt_number(c1, digits),
            ]
        )
    thr_rows: list[list[str | Cell]] = []
    for i, g in enumerate(gammas):
        lo, hi = cis[i] if cis else (None, None)
        ci_text = f"[{fmt_number(lo, digits)}, {fmt_number(hi, digits)}]" if cis else ""
        thr_rows.append([f"γ{_sub(i + 1)} ({threshold_label})", fmt_number(g, digits), ci_text, "", "", ""])

    params = as_mapping(result, "params", where)
    ses = as_mapping(result, "std_errors", where)
    pvals = result.get("pvalues") if isinstance(result.get("pvalues"), Mapping) else None
    slope_rows: list[list[str | Cell]] = []
    k = len(gammas)
    for name, b in params.items():
        m = re.fullmatch(r"(.+)_r(\d+)", name)
        if name not in labels and m and 1 <= int(m.group(2)) <= k + 1:
            j = int(m.group(2))
            regime = (
                "q ≤ γ₁"
                if j == 1
                else f"q > γ{_sub(k)}"
                if j == k + 1
                else f"γ{_sub(j - 1)} < q ≤ γ{_sub(j)}"
            )
            labels[name] = f"{labels.get(m.group(1), m.group(1))} × ({regime})"
        se = ses.get(name)
        if pvals is not None and pvals.get(name) is not None:
            p = float(pvals[name])
        elif b is not None and se not in (None, 0.0) and math.isfinite(se):  # type: ignore[arg-type]
            p = float(2.0 * norm_sf(abs(b / se)))  # type: ignore[operator]
        else:
            p = None
        se_text = fmt_number(se, digits)
        slope_rows.append(
            [
                labels.get(name, name),
                Cell(fmt_number(b, digits), stars_for(p)),
                f"({se_text})" if se_text else "",
                "",
                "",
                "",
            ]
        )
    if result.get("nobs") is not None:
        slope_rows.append(["Observations", fmt_int(result.get("nobs")), "", "", "", ""])

    sections = [
        Section(
            test_rows, title="Panel A: Threshold tests (F statistic, bootstrap p-value, critical values)"
        ),
        Section(thr_rows, title="Panel B: Threshold estimates (95% confidence interval)"),
        Section(slope_rows, title="Panel C: Regime-dependent slopes and controls (standard errors)"),
    ]
    header = [
        [("", 1), ("", 1), ("Critical values", 3)],
        [("Estimate", 1), ("p-value, (SE) or [95% CI]", 1), ("10%", 1), ("5%", 1), ("1%", 1)],
    ]
    note_list = [notes] if isinstance(notes, str) else list(notes)
    note_list.append(
        f"q: {threshold_label}. Panel A: F tests of k − 1 against k thresholds (k = 1 single, 2 double, 3 triple) "
        "with bootstrap p-values and critical values (Hansen 1999). "
        "Panel B: thresholds with 95% confidence intervals from inverting the likelihood-ratio statistic. "
        "Panel C: standard errors in parentheses; * p < 0.1, ** p < 0.05, *** p < 0.01."
    )
    return Table(title=title, header=header, sections=sections, notes=note_list, label=label)


def _final_model(value: Any) -> list[Any]:
    """Entries of the model with the most thresholds when keyed by k (``{"1": [...], "2": [...]}``).

    A plain list is returned as it is (already the final model's entries); an empty mapping gives ``[]``.
    """
    if isinstance(value, Mapping):
        items = _seq(value)
        return list(items[-1]) if items else []
    return _seq(value)


def _is_single_triplet(value: Any) -> bool:
    """True if ``value`` is one set of critical values rather than one per test.

    One set is a mapping keyed by level (a key with ``%`` or starting with ``0.``) or a flat list of
    numbers; a list of lists or a mapping keyed by k is one set per test.
    """
    if isinstance(value, Mapping):
        return any("%" in str(k) or str(k).startswith("0.") for k in value)
    return bool(
        isinstance(value, (list, tuple)) and value and not isinstance(value[0], (list, tuple, Mapping))
    )


def _sub(i: int) -> str:
    """``i`` in Unicode subscript digits (12 -> ``₁₂``), for γ₁, γ₂, ... in the labels."""
    return str(i).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


# --------------------------------------------------------------------------- LaTeX
