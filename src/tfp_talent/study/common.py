"""What every layer of the study shares: the panel keys, the ``specs.<name>`` error context, spec arguments.

The study's panel is long: one row per province and year, keyed by :data:`ENTITY`
(``province_code``, the six-digit GB/T 2260 code of :mod:`tfp_talent.data.provinces`) and
:data:`TIME` (``year``, an integer). :data:`LABEL_COLUMNS` are the descriptive columns kept with
every estimation sample (names and the region groupings ``region3`` / ``region4`` that
``interact.by`` and ``sample.region_column`` name).

Errors: every problem of a spec is an :class:`~tfp_talent.errors.InputError` whose ``file`` is
``specs.<name>`` (:func:`spec_where`), so the message points at the config entry to fix; code that
calls lower layers wraps them in :func:`spec_context`. JSON conversion of results is
:func:`tfp_talent.io.json_ready`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from tfp_talent.errors import InputError

ENTITY = "province_code"
TIME = "year"
KEYS = [ENTITY, TIME]
LABEL_COLUMNS = ("province", "province_en", "region3", "region4")


def spec_where(name: str) -> str:
    """The config location of spec ``name`` (``specs.<name>``), used as the ``file`` of its errors.

    Sub-keys are appended by the caller as the error's ``column`` (e.g. ``sample.years``), so a message
    reads ``specs.baseline: sample.years: ...``.
    """
    return f"specs.{name}"


@contextmanager
def spec_context(name: str) -> Iterator[None]:
    """Re-raise any :class:`InputError` as one that names ``specs.<name>`` first.

    An error that already names the spec (its ``file`` starts with ``specs.<name>``) passes unchanged;
    otherwise its own ``file`` (a data file, an estimator's label) is moved into the problem text and
    ``column``, ``rows`` and ``hint`` are kept. The original traceback is dropped (``from None``): the
    message is for the user, as every :class:`InputError`.
    """
    try:
        yield
    except InputError as err:
        where = spec_where(name)
        if err.file is not None and err.file.startswith(where):
            raise
        problem = err.problem if err.file is None else f"{err.file}: {err.problem}"
        raise InputError(problem, file=where, column=err.column, rows=err.rows, hint=err.hint) from None


def check_choice(value: Any, allowed: Sequence[str], *, what: str, where: str, column: str) -> None:
    """Raise :class:`InputError` ``unknown <what> <value>; use one of <allowed>`` unless ``value`` is allowed.

    ``where`` is the error's ``file`` (usually :func:`spec_where`), ``column`` the config key named.
    Used for the enums the schema also lists, so a spec built in Python gets the same message.
    """
    if value not in allowed:
        raise InputError(
            f"unknown {what} {value!r}; use one of {', '.join(allowed)}", file=where, column=column
        )


def as_list(value: Any) -> list[str]:
    """``value`` as a list of strings: None -> [], a string -> [it], any iterable -> its items as str."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def estimation_args(spec: Mapping[str, Any], name: str) -> dict[str, Any]:
    """Keyword arguments every estimator call of a spec shares: keys, small-sample convention, file label.

    ``{"entity": ENTITY, "time": TIME, "convention": spec["convention"], "file": "specs.<name>
    (estimation sample)"}``; ``convention`` is the small-sample convention of
    :mod:`tfp_talent.estimators.inference` (spec key ``convention``: stata, areg, cluster or none).
    """
    return {
        "entity": ENTITY,
        "time": TIME,
        "convention": spec["convention"],
        "file": f"{spec_where(name)} (estimation sample)",
    }


def cov_args(spec: Mapping[str, Any], cov: str) -> dict[str, Any]:
    """``cov``, ``cluster`` and ``bandwidth`` for one covariance type of a spec (the others None).

    ``cov``: covariance name, see :mod:`tfp_talent.estimators.inference`. The spec's ``cluster``
    (entity, time or both) is passed only with ``clustered``, its ``bandwidth`` (Driscoll–Kraay lag L;
    None = the default rule) only with ``driscoll-kraay``, so one spec can list several ``cov`` types.
    """
    return {
        "cov": cov,
        "cluster": spec["cluster"] if cov == "clustered" else None,
        "bandwidth": spec["bandwidth"] if cov == "driscoll-kraay" else None,
    }
