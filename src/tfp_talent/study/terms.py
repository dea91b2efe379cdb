"""The study's term grammar: derived variables named in a spec, built from panel and TFP columns.

Terms compose (``cum.ln.malmquist_efficiency_change``, ``x×L1.dist_frontier``):

``L<k>.x``  x_{i,t-k} (``L.x`` = ``L1.x``, 1 <= k <= :data:`tfp_talent.within.MAX_LAG`), missing when
            year t-k is absent (never across gaps); the lag grammar is :func:`tfp_talent.within.parse_lag`,
            shared with the estimators;
``F<k>.x``  x_{i,t+k}, the lead (placebo tests; ``F.x`` = ``F1.x``, same bound and grammar module), missing
            when year t+k is absent;
``D.x``     x_{it} - x_{i,t-1};
``ln.x``    ln x_{it} (x must be > 0);
``cum.x``   sum_{b < s <= t} x_{is}: a cumulated index, 0 in the province's base year b (the year
            before its first non-missing x, as the Malmquist ``ln_tfp``); missing from the first later gap on;
``ma3.x``   (x_{i,t-1} + x_{it} + x_{i,t+1}) / 3, the centred 3-year mean of noisy survey shares
            (:func:`tfp_talent.within.moving_average`); missing unless all three years are present, so
            missing in each province's first and last year and next to a survey gap (2009 and 2011
            around 2010; 2002 after 2000-2001): nothing is interpolated;
``dist_frontier``  max_j f_{jt} - f_{it}, f = the spec's ``frontier`` variable: the technology gap of
            Nelson & Phelps (1966) and Benhabib & Spiegel (1994), on all provinces with data in year t;
``a/b``     the ratio a_{it} / b_{it} (b = 0 stops, naming the rows; binds tighter than ×, looser than the
            prefixes: ``ln.a/b`` is (ln a) / b), e.g. ``patents_granted/pop_yearend`` (patents per 10,000
            people, population in 万人);
``a×b``     the product a_{it} b_{it} (× binds loosest).

A data column whose name looks like a derived term is used as it is.

Parsing: ``×`` splits first (loosest), then the first ``/``, then one prefix (``L<k>.``, ``F<k>.``,
``D.``, ``ln.``, ``cum.``, ``ma3.``) whose operand is parsed again, so ``D.ln.x`` is the first
difference of ln x and ``L1.x×z`` is (x lagged) times z. Every built column is added to the sample
frame once and described in words in :attr:`TermBuilder.definitions` (the ``definitions`` block of
a result, shown in the report's variable notes through :mod:`tfp_talent.study.labels`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tfp_talent import within
from tfp_talent.errors import InputError
from tfp_talent.study.common import ENTITY, KEYS, TIME, spec_context, spec_where
from tfp_talent.study.transforms import add_lags, frontier_distance

PRODUCT = "×"
RATIO = "/"
FRONTIER = "dist_frontier"
DERIVED_NAMES = "L<k>.x, F<k>.x, D.x, ln.x, cum.x, ma3.x, dist_frontier, a/b, a×b"


@dataclass
class Design:
    """The terms of a normalised spec: what is estimated, in table order.

    Built by :func:`tfp_talent.study.spec.design_of` and completed by the kind's ``design``.

    Attributes
    ----------
    y
        The dependent variable (a term).
    talent, products, controls
        The regressors by role: talent terms (lagged / led as the spec asks), ``a×b`` products, controls.
    endog, instruments
        Kind ``iv``: the instrumented regressors and the distinct excluded instruments.
    threshold_q, mediator
        Kind ``threshold``: the threshold variable q; kind ``mechanism``: the channel M.
    extra
        Columns a kind needs in the sample that are not regressors (``sample.require`` terms, the
        event-study exposure, GDP and population for economic weights).
    """

    y: str
    talent: list[str]
    products: list[str]
    controls: list[str]
    endog: list[str] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)
    threshold_q: str | None = None
    mediator: str | None = None
    extra: list[str] = field(default_factory=list)  # columns a kind needs that are not regressors

    @property
    def regressors(self) -> list[str]:
        """Talent terms, products and controls, without repeats."""
        return list(dict.fromkeys([*self.talent, *self.products, *self.controls]))

    @property
    def columns(self) -> list[str]:
        """Every term the estimation sample must hold: y, the regressors, instruments, the threshold
        variable, the mediator and the kind's ``extra`` columns."""
        extra = [v for v in (self.threshold_q, self.mediator) if v]
        return list(dict.fromkeys([self.y, *self.regressors, *self.instruments, *extra, *self.extra]))


def product_term(variables: list[str] | tuple[str, ...]) -> str:
    """The name ``a×b×...`` of the product of ``variables`` (``["x", "L1.z"]`` -> ``"x×L1.z"``)."""
    return PRODUCT.join(str(v) for v in variables)


def _operator_match(term: str) -> re.Match[str] | None:
    """The match of ``term``'s operator prefix (``L<k>.``, ``F<k>.``, ``D.``, ``ln.``, ``cum.``, ``ma3.``); group 2 is the operand."""
    return within.LAG_RE.match(term) or within.LEAD_RE.match(term) or PREFIX_RE.match(term)


def is_operator_term(term: str) -> bool:
    """Whether ``term`` applies one of the grammar's operators (``L<k>.x``, ``F<k>.x``, ``D.x``, ``ln.x``, ...)."""
    return _operator_match(term) is not None


def base_columns(term: str) -> list[str]:
    """The data columns a (possibly derived) term is built from (``dist_frontier`` excluded).

    ``"ln.a/L1.b×c"`` -> ``["a", "b", "c"]``; the frontier variable of ``dist_frontier`` is the spec's
    ``frontier``, not part of the term, so it is added by the caller. Used to check names before any
    column is built and to find the base variables to winsorise.
    """
    if PRODUCT in term:
        return [c for part in term.split(PRODUCT) for c in base_columns(part)]
    if RATIO in term:
        return [c for part in term.split(RATIO, 1) for c in base_columns(part)]
    m = _operator_match(term)
    if m:
        return base_columns(m.group(2))
    if term == FRONTIER:
        return []
    return [term]


class TermBuilder:
    """Builds derived columns on demand (added to ``frame``, built once) and records their definitions.

    ``frontier`` is the variable f of ``dist_frontier``; ``tfp`` the spec's TFP variant (for messages).
    Errors name ``specs.<name>``.

    ``frame`` is the merged panel and TFP data (all rows, before the sample filter, so lags, leads
    and the frontier see the years and provinces outside it); it is changed in place and
    ``definitions`` maps each built term to its text (e.g. ``"tertiary_share lagged 1 year"``).
    """

    def __init__(self, frame: pd.DataFrame, *, name: str, frontier: str, tfp: str | None) -> None:
        self.frame = frame
        self.name = name
        self.frontier = frontier
        self.tfp = tfp
        self.definitions: dict[str, str] = {}

    def need(self, term: str) -> str:
        """Make sure column ``term`` exists in ``frame`` (building it from the grammar) and return its name.

        A column of that name is used as it is (it must be numeric, not boolean); otherwise the
        grammar of the module docstring is applied recursively, operands first.

        Raises
        ------
        InputError
            Naming ``specs.<name>`` and the term: an unknown variable (not a column, not a derived
            name), a non-numeric column, a lag or lead order out of range, logs of values <= 0 or a
            ratio with a zero denominator (with the offending province-years as ``rows``).
        """
        term = str(term).strip()
        if term in self.frame.columns:
            s = self.frame[term]
            if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
                raise InputError(f"variable '{term}' is not numeric", file=spec_where(self.name), column=term)
            return term
        if PRODUCT in term:
            parts = [self.need(p) for p in term.split(PRODUCT)]
            values = self.frame[parts[0]].to_numpy(dtype=float).copy()
            for p in parts[1:]:
                values = values * self.frame[p].to_numpy(dtype=float)
            self._add(term, values, " × ".join(parts))
            return term
        if RATIO in term:
            num, den = (self.need(p) for p in term.split(RATIO, 1))
            self._add(term, self._ratio(term, num, den), f"{num} / {den}")
            return term
        for parse, shift, text in _SHIFTS:
            with spec_context(self.name):
                parsed = parse(term)
            if parsed is not None:
                k, base = parsed[0], self.need(parsed[1])
                self._add(term, shift(self, base, k), text.format(base=base, k=k, s="s" if k > 1 else ""))
                return term
        m = PREFIX_RE.match(term)
        if m:
            op, base = m.group(1), self.need(m.group(2))
            values, definition = PREFIX_BUILDERS[op](self, term, base)
            self._add(term, values, definition)
            return term
        if term == FRONTIER:
            f = self.need(self.frontier)
            values = frontier_distance(self.frame[[TIME, f]], f, time=TIME).to_numpy(dtype=float)
            self._add(term, values, f"max over provinces of {f} in the year minus own {f}")
            return term
        source = "the panel" + (f" or the TFP file of variant '{self.tfp}'" if self.tfp else "")
        raise InputError(
            f"unknown variable '{term}': not a column of {source} and not a derived name ({DERIVED_NAMES})",
            file=spec_where(self.name),
            column=term,
            hint="fix the name in config/config.yaml (panel columns: data/processed/codebook.md)",
        )

    def _ratio(self, term: str, num: str, den: str) -> np.ndarray:
        """a/b = a_{it} / b_{it}; b = 0 stops, naming the rows."""
        b = self.frame[den].to_numpy(dtype=float)
        self._refuse(b == 0, f"'{term}': {den} is 0, the ratio is undefined", den)
        return self.frame[num].to_numpy(dtype=float) / b

    def _refuse(self, bad: np.ndarray, problem: str, column: str) -> None:
        """Raise :class:`InputError` naming the spec, ``column`` and the rows where ``bad`` holds (if any)."""
        if bad.any():
            rows = list(self.frame.loc[bad, KEYS].itertuples(index=False, name=None))
            raise InputError(problem, file=spec_where(self.name), column=column, rows=rows)

    def _lagged(self, base: str, k: int) -> np.ndarray:
        """x_{i,t-k} in calendar years (:func:`tfp_talent.study.transforms.add_lags`), missing across gaps."""
        lagged = add_lags(self.frame[[ENTITY, TIME, base]], [base], [k], entity=ENTITY, time=TIME)
        return lagged[f"L{k}.{base}"].to_numpy(dtype=float)

    def _led(self, base: str, k: int) -> np.ndarray:
        """x_{i,t+k} in calendar years (:func:`tfp_talent.within.lead`), missing across gaps."""
        t = within.integer_time(self.frame[TIME], column=f"F{k}.{base}")
        return within.lead(self.frame[ENTITY], t, self.frame[base].to_numpy(dtype=float), k)

    def _difference(self, term: str, base: str) -> tuple[np.ndarray, str]:
        """D.x = x_{it} - x_{i,t-1}."""
        x = self.frame[base].to_numpy(dtype=float)
        return x - self._lagged(base, 1), f"first difference of {base}"

    def _log(self, term: str, base: str) -> tuple[np.ndarray, str]:
        """ln.x = ln x_{it}; x <= 0 stops, naming the rows."""
        x = self.frame[base].to_numpy(dtype=float)
        self._refuse(np.isfinite(x) & (x <= 0), f"'{term}': {base} must be > 0 to take logs", base)
        with np.errstate(invalid="ignore"):
            return np.log(x), f"natural log of {base}"

    def _cumulate(self, term: str, base: str) -> tuple[np.ndarray, str]:
        """cum.x = sum_{b < s <= t} x_{is} (:func:`tfp_talent.within.cumulate`, base ``first_change``)."""
        x = self.frame[base].to_numpy(dtype=float)
        values = within.cumulate(self.frame[ENTITY], self.frame[TIME], x)
        return values, f"{base} cumulated within province (0 in the year before its first change)"

    def _moving_average(self, term: str, base: str) -> tuple[np.ndarray, str]:
        """ma3.x = (x_{i,t-1} + x_{it} + x_{i,t+1}) / 3 (:func:`tfp_talent.within.moving_average`, strict)."""
        x = self.frame[base].to_numpy(dtype=float)
        values = within.moving_average(self.frame[ENTITY], self.frame[TIME], x, window=3)
        return (
            values,
            f"centred 3-year mean of {base} (t-1, t, t+1; missing unless all three years are present)",
        )

    def _add(self, name: str, values: np.ndarray, definition: str) -> None:
        """Store column ``name`` in ``frame`` and its ``definition`` text."""
        self.frame[name] = values
        self.definitions[name] = definition


#: The shift operators of the grammar, tried in turn: parser, builder, definition text.
_SHIFTS: tuple[
    tuple[Callable[[str], tuple[int, str] | None], Callable[[TermBuilder, str, int], np.ndarray], str], ...
] = (
    (within.parse_lag, TermBuilder._lagged, "{base} lagged {k} year{s}"),
    (within.parse_lead, TermBuilder._led, "{base} {k} year{s} ahead (lead)"),
)

#: The prefix operators of the grammar: how each builds its column (and its definition text).
PREFIX_BUILDERS: dict[str, Callable[[TermBuilder, str, str], tuple[np.ndarray, str]]] = {
    "D": TermBuilder._difference,
    "ln": TermBuilder._log,
    "cum": TermBuilder._cumulate,
    "ma3": TermBuilder._moving_average,
}
PREFIX_RE = re.compile(rf"^({'|'.join(PREFIX_BUILDERS)})\.(.+)$")
#: How labels.term_label writes each prefix operator.
PREFIX_LABELS: dict[str, str] = {"D": "Δ ", "ln": "ln ", "cum": "cumulated ", "ma3": "3-year mean of "}
