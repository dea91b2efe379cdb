"""Readable text for the study's tables, figures and report: term labels, sample notes, model names.

Labels of base variables come from ``report.labels`` of the config; labels of derived
terms are composed from them by the grammar of :mod:`tfp_talent.study.terms`.

:data:`COV_SHORT` names each covariance type (``cov``, see :mod:`tfp_talent.estimators.inference`)
in table headers and notes; :data:`MODEL_NAMES` each estimator (``model`` of a spec, plus the IV
models ``fe-iv`` and ``pooled-iv`` that :func:`tfp_talent.estimators.iv.fit_iv` reports).
A label given in ``report.labels`` for a derived term itself (e.g. ``L1.tertiary_share``) wins
over the composed one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from tfp_talent import within
from tfp_talent.data.provinces import BY_CODE
from tfp_talent.study.terms import PREFIX_LABELS, PREFIX_RE, PRODUCT, is_operator_term

COV_SHORT = {
    "clustered": "Clustered (province)",
    "driscoll-kraay": "Driscoll–Kraay",
    "robust": "Robust",
    "unadjusted": "Conventional",
}
MODEL_NAMES = {
    "fe": "Fixed effects",
    "re": "Random effects",
    "pooled": "Pooled OLS",
    "fd": "First differences",
    "between": "Between",
    "fe-iv": "FE-2SLS",
    "pooled-iv": "Pooled 2SLS",
}
_YEAR_DUMMY = re.compile(r"^year_(\d{4})$")


def term_label(term: str, labels: Mapping[str, str]) -> str:
    """Readable label of a (possibly derived) term, composed from ``labels`` of base variables.

    ``L1.x`` -> "<x>, t−1"; ``D.x`` -> "Δ <x>"; ``ln.x`` -> "ln <x>"; ``cum.x`` -> "cumulated <x>"; ``ma3.x`` -> "3-year mean of <x>";
    ``a×b`` -> "<a> × <b>"; ``x:East`` -> "<x> × East"; ``year_2005`` -> "Year 2005".

    ``F2.x`` -> "<x>, t+2". Rules are tried in that order (an exact entry of ``labels`` first, then
    products, lags, leads, prefixes, region interactions, year dummies); a term no rule matches is
    returned unchanged.
    """
    if term in labels:
        return labels[term]
    if PRODUCT in term:
        return " × ".join(term_label(p, labels) for p in term.split(PRODUCT))
    m = within.LAG_RE.match(term)
    if m:
        k = int(m.group(1) or 1)
        return f"{term_label(m.group(2), labels)}, t−{k}"
    m = within.LEAD_RE.match(term)
    if m:
        return f"{term_label(m.group(2), labels)}, t+{int(m.group(1) or 1)}"
    m = PREFIX_RE.match(term)
    if m:
        return PREFIX_LABELS[m.group(1)] + term_label(m.group(2), labels)
    if ":" in term:
        base, _, level = term.rpartition(":")
        return f"{term_label(base, labels)} × {level}"
    m = _YEAR_DUMMY.match(term)
    if m:
        return f"Year {m.group(1)}"
    return term


def labels_for(names: Sequence[str], labels: Mapping[str, str]) -> dict[str, str]:
    """``{name: term_label(name)}`` for every name."""
    return {n: term_label(n, labels) for n in names}


def describe_definition(text: str, labels: Mapping[str, str]) -> str:
    """A definition with every variable token replaced by its label.

    A token is a run of ``[A-Za-z_][A-Za-z0-9_.×:]*`` in ``text`` (a definition of
    :attr:`~tfp_talent.study.terms.TermBuilder.definitions`); it is replaced by :func:`term_label` when
    it is labelled, an operator term or contains ``_`` (plain English words are left alone).
    """
    return re.sub(
        r"[A-Za-z_][A-Za-z0-9_.×:]*",
        lambda m: term_label(m.group(0), labels) if _is_term(m.group(0), labels) else m.group(0),
        text,
    )


def _is_term(token: str, labels: Mapping[str, str]) -> bool:
    """Whether a word of a definition names a variable (labelled, an operator term, or snake_case)."""
    return token in labels or is_operator_term(token) or "_" in token


def province_names(codes: Sequence[int]) -> str:
    """English names of province codes, comma-separated (a code not in the registry as itself).

    ``[110000, 540000]`` -> ``"Beijing, Tibet"`` (names of :data:`tfp_talent.data.provinces.BY_CODE`).
    """
    return ", ".join(BY_CODE[c].name_en if c in BY_CODE else str(c) for c in codes)


def sample_note(
    result: Mapping[str, Any], *, labels: Mapping[str, str] | None = None, named: bool = True
) -> str:
    """One sentence describing a result's estimation sample (for table notes and the report).

    With ``named`` it starts with the spec's label.

    Reads the result's ``sample`` block (:func:`tfp_talent.study.sample.build_analysis_frame`):
    "N = 558, 31 provinces, years 2002–2009, 2011–2020", then, where they apply, the provinces
    excluded by ``sample.drop``, the ``sample.regions`` kept, the province-years dropped for missing
    data (per variable, labelled with ``labels``), the rows dropped to balance the panel, and the
    winsorised variables with the quantiles of the spec's ``winsorise``. Parts are joined by "; ".
    """
    s = result["sample"]
    labels = dict(labels or {})
    head = f"N = {s['nobs']:,}, {s['n_provinces']} provinces, years {s['years_text']}"
    parts = [f"{result.get('label') or result['spec']}: {head}" if named else head]
    drop = s["filter"]["drop"]
    if drop:
        parts.append("excluding " + province_names(drop))
    if s["filter"]["regions"]:
        parts.append("regions " + ", ".join(s["filter"]["regions"]))
    if s["n_dropped_missing"]:
        per = ", ".join(f"{term_label(k, labels)} {v}" for k, v in s["dropped_missing"].items())
        parts.append(
            f"{s['n_dropped_missing']} of {s['rows_in_filter']} province-years dropped for missing data ({per})"
        )
    ub = s.get("dropped_unbalanced") or {}
    if ub.get("rows"):
        what = []
        if ub.get("provinces"):
            what.append("provinces " + province_names(ub["provinces"]))
        if ub.get("years"):
            what.append("years " + ", ".join(str(y) for y in ub["years"]))
        parts.append(f"{ub['rows']} rows dropped to balance the panel ({'; '.join(what)})")
    if s.get("winsorised"):
        w = (result.get("config") or {}).get("winsorise") or []
        at = f" at the {w[0]:g} and {w[1]:g} quantiles" if len(w) == 2 else ""
        parts.append(f"{', '.join(term_label(v, labels) for v in s['winsorised'])} winsorised{at}")
    return "; ".join(parts) + "."
