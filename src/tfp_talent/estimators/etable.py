"""Tables of results outside the workflow: ``summary()`` of one model, ``etable()`` of several.

:func:`etable` is pyfixest's ``etable`` habit on this package's table model: one column
per result, coefficients with stars over standard errors, N, entities and within R², the
fixed-effects and covariance rows, rendered as Markdown, LaTeX (booktabs) or HTML by
:mod:`tfp_talent.report.render` from :func:`tfp_talent.report.regression_table.regression_table`.
The panel's dimensions are named after the results' entity and time columns (``firm`` →
"Firm fixed effects", "Firms"), unless ``units`` says otherwise.

:func:`etable` passes each result's :meth:`~tfp_talent.estimators.results.PanelResult.to_dict`
to the table model, the form in which the workflow stores its results.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tfp_talent.errors import InputError

if TYPE_CHECKING:
    from tfp_talent.estimators.results import PanelResult

FORMATS = ("md", "tex", "html")


def units_of(result: PanelResult) -> tuple[str, str, str]:
    """(Entity, Entities, Period) labels from the result's entity and time column names.

    Underscores become blanks and the first letter is capitalised; the plural adds ``s`` unless
    the name ends in one (consonant + ``y`` becomes ``ies``): ``province``/``year`` → ("Province",
    "Provinces", "Year"), ``firm_id`` → ("Firm id", "Firm ids", ...). Without names: ("Entity",
    "Entities", "Period").
    """
    entity = str(result.extra.get("entity") or "entity").replace("_", " ")
    time = str(result.extra.get("time") or "period").replace("_", " ")
    ent = entity[:1].upper() + entity[1:]
    if ent.endswith("s"):
        plural = ent
    elif ent.endswith("y") and ent[-2:-1] not in ("a", "e", "i", "o", "u"):
        plural = ent[:-1] + "ies"  # entity -> entities, country -> countries
    else:
        plural = ent + "s"
    return ent, plural, time[:1].upper() + time[1:]


def etable(
    results: Sequence[PanelResult],
    type: str = "md",
    *,
    units: tuple[str, str, str] | None = None,
    **table_options: Any,
) -> str:
    """A multi-model regression table of ``results`` as Markdown (``md``), LaTeX (``tex``) or HTML.

    ``table_options`` go to :func:`~tfp_talent.report.regression_table.regression_table`
    (``column_labels``, ``variable_labels``, ``keep``, ``order``, ``stats``, ``notes``, ``title``,
    ``digits``, ...). Stars: * p < 0.10, ** p < 0.05, *** p < 0.01 (each result's own p-values).

    Parameters
    ----------
    results
        One or more fitted results (one column each, in order).
    type
        ``md``, ``tex`` (a booktabs ``tabular`` without a floating ``table`` environment) or ``html``.
    units
        (Entity, Entities, Period) labels; default :func:`units_of` of the first result.

    Returns
    -------
    str
        The rendered table.

    Raises
    ------
    InputError
        For an unknown ``type`` or an empty ``results``.
    """
    from tfp_talent.report.regression_table import regression_table
    from tfp_talent.report.render import to_html, to_latex, to_markdown

    if type not in FORMATS:
        raise InputError(f"unknown table type {type!r}; use one of {', '.join(FORMATS)}")
    results = list(results)
    if not results:
        raise InputError("no results to tabulate")
    table = regression_table(
        [r.to_dict() for r in results], units=units or units_of(results[0]), source="etable", **table_options
    )
    if type == "md":
        return to_markdown(table)
    if type == "tex":
        return to_latex(table, float_env=False)
    return to_html(table)


def _fmt(v: float, digits: int = 4) -> str:
    """``v`` with ``digits`` decimals; ``"."`` (Stata's missing) for None or NaN."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "."
    return f"{v:.{digits}f}"


def summary_text(res: PanelResult) -> str:
    """linearmodels-style text summary: sample, fit, inference, then one row per coefficient.

    Shows N, the numbers of entities and periods, R² within and overall (definitions in
    :class:`~tfp_talent.estimators.results.PanelResult`), the covariance with its cluster,
    small-sample convention and formula, the reference distribution of t and the CI, and the
    model Wald F of all slopes.

    The "R²" row shows ``rsquared`` (for ``fe`` the R² with the absorbed effects, for
    ``re``/``fd``/``between`` that of the transformed equation), not linearmodels'
    ``rsquared_overall``, which is in ``extra``. The t column is headed ``z`` and the intervals
    use the normal when ``df_inference`` is infinite; the interval bounds are at ``res.level``.
    Returns the lines joined by newlines (no trailing newline).
    """
    ex = res.extra
    ent, _, per = units_of(res)
    cols = {"entity": ex.get("entity"), "time": ex.get("time")}
    by = {"both": f"{cols['entity']} and {cols['time']}"}.get(str(res.cluster), cols.get(str(res.cluster)))
    cov = res.cov_type + (f" by {res.cluster} ({by})" if res.cluster else "")
    if res.cov_type == "driscoll-kraay":
        cov += f" (Bartlett lag {res.bandwidth})"
    dist = ex.get("distribution", "")
    q = len([n for n in res.params.index if n != "const"])
    df_f = "inf" if math.isinf(res.df_inference) else f"{res.df_inference:g}"
    left = [
        ("Dep. variable", res.depvar),
        ("Model", f"{res.model} (effects: {res.effects})"),
        ("Engine", res.engine),
        ("Observations (N)", f"{res.nobs:,}"),
        (f"{ent} groups", f"{res.n_entities:,}"),
        (f"{per} periods", f"{res.n_periods:,}"),
    ]
    right = [
        ("R² within", _fmt(res.rsquared_within)),
        ("R²", _fmt(res.rsquared)),
        ("SE type", cov),
        ("Convention", res.convention),
        ("Reference dist.", f"{dist}  (df = {df_f})"),
        (f"F({q}, {df_f})", f"{_fmt(res.f_stat)}  (p = {_fmt(res.f_pvalue)})"),
    ]
    lw = max(len(k) for k, _ in left) + 2
    lv = max(len(v) for _, v in left) + 3
    rw = max(len(k) for k, _ in right) + 2
    lines = [f"Panel regression results ({res.model})", ""]
    for (lk, lvv), (rk, rv) in zip(left, right, strict=True):
        lines.append(f"{lk + ':':<{lw}}{lvv:<{lv}}{rk + ':':<{rw}}{rv}")
    lines.append(f"Small-sample factor: {ex.get('small_sample_formula', '')}")
    ci = res.conf_int(res.level)
    stat = "z" if math.isinf(res.df_inference) else "t"
    lo, hi = f"[{(1 - res.level) / 2:.3f}", f"{(1 + res.level) / 2:.3f}]"
    width = max([len(str(n)) for n in res.params.index] + [8]) + 2
    head = f"{'':<{width}}{'coef':>12}{'std err':>12}{stat:>9}{'P>|' + stat + '|':>9}{lo:>12}{hi:>12}"
    rule = "=" * len(head)
    lines += [rule, head, "-" * len(head)]
    for name in res.params.index:
        lines.append(
            f"{name!s:<{width}}{res.params[name]:>12.4f}{res.std_errors[name]:>12.4f}"
            f"{res.tstats[name]:>9.3f}{res.pvalues[name]:>9.4f}"
            f"{ci.loc[name, 'lower']:>12.4f}{ci.loc[name, 'upper']:>12.4f}"
        )
    lines.append(rule)
    return "\n".join(lines)
