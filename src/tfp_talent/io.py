"""Reading user panels and writing outputs atomically and deterministically.

Every output of the package goes through :func:`write_frame`, :func:`write_json`
or :func:`write_text`: each writes to a temporary file in the target folder and
renames it into place, so a failure never leaves a partial file behind.
Parquet is written without pandas metadata timestamps and CSV with a fixed float
format, so identical inputs give byte-identical files.

Reading: :func:`read_panel` takes a user's panel in CSV, Parquet or Stata format and
:func:`require_columns`, :func:`require_unique_keys` and :func:`numeric_column` check it, each
raising :class:`~tfp_talent.errors.InputError` with the file, the column and the offending keys
(shown as users write them, :func:`key_label`). JSON: :func:`json_ready` turns pandas / numpy
results into plain containers, :func:`to_json_text` writes them with sorted keys.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError

PANEL_SUFFIXES = (".csv", ".parquet", ".pq", ".dta")
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    The parent folder is created; the temporary file (``.<name>.<random>.tmp``) lies in the same
    folder, so ``os.replace`` is atomic, and gets the permissions of a normal new file (0666 less
    the umask). If the block raises, the temporary file is removed and ``path`` is untouched.
    The writers below use it; so can any code that must hand a path to a library (e.g. a figure
    saved by matplotlib) and still never leave a partial file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs get the usual permissions
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(text: str, path: str | Path) -> None:
    """Write UTF-8 text atomically (LF line endings on every platform; :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def write_bytes(data: bytes, path: str | Path) -> None:
    """Write bytes atomically (:func:`atomic_path`): the file appears complete or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_frame(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> None:
    """Write a frame to ``.parquet`` or ``.csv`` (chosen by suffix), atomically.

    CSV floats use ``%.10g`` so the text does not depend on platform repr quirks;
    Parquet files are written without the pandas index unless ``index=True``.

    Parquet: pyarrow engine, snappy compression (suffix ``.parquet`` or ``.pq``). CSV: LF line
    endings, missing values as empty cells, the index only with ``index=True``. ``%.10g`` keeps
    10 significant digits (the Parquet file keeps full precision; use it for computation).
    Raises :class:`InputError` for any other suffix (nothing is written).
    """
    target = Path(path)
    suffix = target.suffix.lower()
    with atomic_path(target) as tmp:
        if suffix in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=index, engine="pyarrow", compression="snappy")
        elif suffix == ".csv":
            frame.to_csv(tmp, index=index, float_format="%.10g", lineterminator="\n")
        else:
            raise InputError(
                f"cannot write a table with suffix '{suffix}' (use .csv or .parquet)", file=target
            )


def json_ready(obj: Any) -> Any:
    """``obj`` with pandas / numpy containers and scalars turned into plain dicts, lists and numbers.

    Recursively: a mapping -> dict with ``str`` keys; a list or tuple -> list; a Series -> dict
    by index label; a DataFrame -> ``{column: {index label: value}}``; an array -> nested lists;
    numpy bools, integers and floats -> ``bool``, ``int``, ``float``. NaN stays NaN (as a Python
    float, which :func:`to_json_text` then writes as null); other objects are returned unchanged.
    E.g. ``{'s': pd.Series([1.5, np.nan], index=[2000, 2001]), 'n': np.int64(3), 't': (1, 2)}``
    -> ``{'s': {'2000': 1.5, '2001': nan}, 'n': 3, 't': [1, 2]}``.
    """
    if isinstance(obj, Mapping):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, pd.Series):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, pd.DataFrame):
        return {str(c): json_ready(obj[c]) for c in obj.columns}
    if isinstance(obj, np.ndarray):
        return [json_ready(v) for v in obj.tolist()]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def _json_default(obj: Any) -> Any:
    """``json.dumps`` fallback: numpy scalars and arrays, Series, Paths; TypeError for the rest."""
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return None if not math.isfinite(float(obj)) else float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (pd.Series,)):
        return obj.to_dict()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _clean_nan(obj: Any) -> Any:
    """Non-finite floats -> None inside dicts, lists and tuples (not inside arrays or Series)."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean_nan(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_nan(v) for v in obj]
    return obj


def to_json_text(obj: Any) -> str:
    """Serialise to stable JSON text: sorted keys, NaN as null, trailing newline.

    Indent 2, non-ASCII text kept as is (Chinese names stay readable). Containers are converted by
    :func:`json_ready` first, so NaN and ±inf become null wherever they stand (also inside numpy
    arrays, Series and frames); ``allow_nan=False`` makes any that slipped through an error instead
    of invalid JSON. Paths are written as strings.
    """
    clean = _clean_nan(json_ready(obj))
    return (
        json.dumps(
            clean, default=_json_default, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False
        )
        + "\n"
    )


def write_json(obj: Any, path: str | Path) -> None:
    """Write ``obj`` as stable JSON atomically (see :func:`to_json_text`).

    Same input, same bytes: keys are sorted and floats written by Python's shortest repr.
    """
    write_text(to_json_text(obj), path)


def read_panel(path: str | Path) -> pd.DataFrame:
    """Read a user panel from CSV, Parquet or Stata ``.dta``.

    Raises :class:`InputError` naming the file when it is missing, empty, of an
    unknown type or cannot be parsed.

    The type follows the suffix (:data:`PANEL_SUFFIXES`: ``.csv``, ``.parquet``/``.pq``,
    ``.dta``). CSV is parsed by ``pd.read_csv`` with its defaults (UTF-8; empty cells and ``NA``
    as missing) and refused when its last line has fewer fields than the header (a truncated
    copy); ``.dta`` by ``pd.read_stata`` (value labels become categoricals). A file with a header
    but no data rows is refused too. Returns the frame as read; no column is checked here.
    Stata date variables (``%td``, ``%ty``, ...) arrive as datetime64; error messages show a
    1 January date as its year (:func:`key_label`).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in PANEL_SUFFIXES:
        raise InputError(f"unknown file type '{suffix}'; use one of {', '.join(PANEL_SUFFIXES)}", file=p)
    if not p.exists():
        raise InputError("file not found", file=p)
    if p.stat().st_size == 0:
        raise InputError("file is empty", file=p)
    try:
        if suffix == ".csv":
            frame = pd.read_csv(p)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(p)
        else:
            frame = pd.read_stata(p)
    except UnicodeDecodeError as err:
        raise InputError(
            f"not valid UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8", file=p
        ) from None
    except Exception as err:
        raise InputError(
            f"cannot be read as {suffix[1:]}: {type(err).__name__}: {err}".splitlines()[0], file=p
        ) from None
    if frame.empty:
        raise InputError("file has no data rows", file=p)
    if suffix == ".csv":
        _check_last_line_complete(p, len(frame.columns))
    return frame


def _check_last_line_complete(path: Path, n_columns: int, tail_bytes: int = 65536) -> None:
    """Raise if the last non-empty line of a CSV has fewer fields than the header (a cut-off copy).

    pandas fills the missing fields of a short last line with NaN, which estimators would
    then drop silently; checking the tail keeps the cost independent of the file size.
    Only the last ``tail_bytes`` are read (decoded leniently); fields are split by the csv module,
    so quoted commas do not count.
    """
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - tail_bytes))
        tail = fh.read().decode("utf-8", errors="replace")
    lines = [ln for ln in tail.splitlines() if ln.strip()]
    if not lines:
        return
    last = next(csv.reader([lines[-1]]))
    if len(last) < n_columns:
        raise InputError(
            f"the last line has {len(last)} of {n_columns} fields: the file looks truncated",
            file=path,
            hint="copy the complete file again",
        )


def require_columns(frame: pd.DataFrame, columns: list[str], *, file: str | Path | None = None) -> None:
    """Raise :class:`InputError` listing every column of ``columns`` not in ``frame``.

    The message shows the first 30 available columns, to spot a renamed one.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s); available: {', '.join(map(str, frame.columns[:30]))}",
            file=file,
            column=missing,
        )


def require_unique_keys(frame: pd.DataFrame, keys: list[str], *, file: str | Path | None = None) -> None:
    """Raise :class:`InputError` if ``keys`` are null or not unique, listing the offending keys.

    Checks, in order: the key columns exist (:func:`require_columns`), no key value is missing
    (rows named by their index labels), no key tuple occurs twice (every duplicated tuple listed).
    """
    require_columns(frame, keys, file=file)
    null = frame[keys].isna().any(axis=1)
    if null.any():
        raise InputError("missing key values", file=file, column=keys, rows=list(frame.index[null]))
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        rows = sorted({tuple(r) for r in frame.loc[dup, keys].itertuples(index=False, name=None)}, key=str)
        raise InputError(
            "duplicate keys (each key must appear once)",
            file=file,
            column=keys,
            rows=rows,
            hint="aggregate or drop the duplicates first",
        )


def numeric_column(
    frame: pd.DataFrame, column: str, *, keys: list[str], file: str | Path | None = None
) -> np.ndarray:
    """``frame[column]`` as float64 (booleans as 0/1, missing values as NaN).

    Raises :class:`InputError` naming the ``keys`` of the rows whose text is not a number.

    Numeric and boolean columns are returned as they are (nullable NA -> NaN); text columns are
    parsed with ``pd.to_numeric``, and any non-missing cell that fails is an error (up to three
    offending values are quoted), so ``'1,234'`` or ``'n/a'`` is never turned into NaN silently.
    ``keys``: the columns that label a bad row (e.g. ``['province_code', 'year']``), shown through
    :func:`key_label`; ``file``: named in the error.
    """
    s = frame[column]
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=float, na_value=np.nan)
    conv = pd.to_numeric(s, errors="coerce")
    bad = (conv.isna() & s.notna()).to_numpy()
    if not bad.any():
        return conv.to_numpy(dtype=float, na_value=np.nan)
    rows = [tuple(key_label(v) for v in r) for r in frame.loc[bad, keys].itertuples(index=False, name=None)]
    examples = ", ".join(repr(v) for v in s[bad].astype(str).unique()[:3])
    raise InputError(
        f"is not numeric (values such as {examples})",
        file=file,
        column=column,
        rows=rows,
        hint="clean the column or convert it to numbers",
    )


def key_label(value: object) -> object:
    """A key value as users write it: numpy scalars as Python values, 1 January timestamps as the year.

    E.g. ``np.int64(2005)`` -> 2005, ``Timestamp('2005-01-01')`` -> 2005 (a Stata yearly date),
    ``Timestamp('2005-07-01')`` -> ``'2005-07-01T00:00:00'``; other values are returned unchanged.
    """
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        ts = pd.Timestamp(value)
        return (
            ts.year
            if (ts.month, ts.day, ts.hour, ts.minute, ts.second) == (1, 1, 0, 0, 0)
            else ts.isoformat()
        )
    if isinstance(value, np.generic):
        return value.item()
    return value
