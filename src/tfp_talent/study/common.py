"""What every layer of the study shares: the panel keys, the ``specs.<name>`` error context, JSON conversion."""

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
    """The config location of spec ``name`` (``specs.<name>``), used as the ``file`` of its errors."""
    return f"specs.{name}"


@contextmanager
def spec_context(name: str) -> Iterator[None]:
    """Re-raise any :class:`InputError` as one that names ``specs.<name>`` first."""
    try:
        yield
    except InputError as err:
        where = spec_where(name)
        if err.file is not None and err.file.startswith(where):
            raise
        problem = err.problem if err.file is None else f"{err.file}: {err.problem}"
        raise InputError(problem, file=where, column=err.column, rows=err.rows, hint=err.hint) from None


def check_choice(value: Any, allowed: Sequence[str], *, what: str, where: str, column: str) -> None:
    """Raise :class:`InputError` ``unknown <what> <value>; use one of <allowed>`` unless ``value`` is allowed."""
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
    """Keyword arguments every estimator call of a spec shares: keys, small-sample convention, file label."""
    return {
        "entity": ENTITY,
        "time": TIME,
        "convention": spec["convention"],
        "file": f"{spec_where(name)} (estimation sample)",
    }


def cov_args(spec: Mapping[str, Any], cov: str) -> dict[str, Any]:
    """``cov``, ``cluster`` and ``bandwidth`` for one covariance type of a spec (the others None)."""
    return {
        "cov": cov,
        "cluster": spec["cluster"] if cov == "clustered" else None,
        "bandwidth": spec["bandwidth"] if cov == "driscoll-kraay" else None,
    }
