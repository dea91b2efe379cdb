"""Reading a user's spatial weights matrix (CSV, GAL, R ``.rda``) and writing ``.gal`` / ``.csv``.

:func:`read_weights` accepts

* ``.csv``: a dense matrix with ids: the first column holds the row ids, the header the column ids
  (the layout :func:`write_csv` writes; the first header cell is ignored);
* ``.gal``: a GeoDa / PySAL neighbour list (binary weights; read by libpysal);
* ``.rda`` / ``.rdata``: an R data file holding one numeric matrix with ``dimnames`` (e.g. the
  ``usaww`` matrix of R's splm package, 48 x 48 US states); read by the ``rdata`` package.

Ids are matched as written: whole numbers (``110000``, ``"110000"``, ``110000.0``) become integers,
anything else stripped text. With ``ids`` given, the file must hold exactly those entities; the
result is in the fixed sorted order of :func:`tfp_talent.spatial.weights.sort_ids`. Bad input
(not square, ids that do not match, an all-zero row, negative or missing weights) stops with one
:class:`~tfp_talent.errors.InputError` line naming the file and the rows.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from tfp_talent.errors import InputError
from tfp_talent.io import write_text
from tfp_talent.spatial.weights import SpatialWeights, finish_weights, normal_id, sort_ids

WEIGHT_SUFFIXES = (".csv", ".gal", ".rda", ".rdata")
__all__ = ["normal_id", "read_weights", "weights_from_spec", "write_csv", "write_gal"]


def _unique_ids(raw_ids: Sequence[object], path: Path, what: str) -> list[Hashable]:
    """The ids by :func:`normal_id`, in file order; a repeated id (after normalisation) raises InputError."""
    ids = [normal_id(a) for a in raw_ids]
    seen: set[Hashable] = set()
    dup = sorted({a for a in ids if a in seen or seen.add(a)}, key=str)  # type: ignore[func-returns-value]
    if dup:
        raise InputError(f"duplicate {what} id(s)", file=path, rows=dup)
    return ids


def _read_csv_matrix(path: Path) -> tuple[list[Hashable], np.ndarray]:
    """Row ids and the (n, n) matrix of a dense CSV, columns reordered to the row order.

    Read as text (no NA guessing), then numbers; the row ids and the column ids must be the same
    set. An empty cell or a non-number raises :class:`InputError` naming the rows.
    """
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as err:
        raise InputError(
            f"cannot be read as CSV: {type(err).__name__}: {err}".splitlines()[0], file=path
        ) from None
    if frame.shape[1] < 2 or frame.empty:
        raise InputError("needs an id column and at least one weight column", file=path)
    rows = _unique_ids(list(frame.iloc[:, 0]), path, "row")
    cols = _unique_ids(list(frame.columns[1:]), path, "column")
    if len(rows) != len(cols):
        raise InputError(f"matrix is not square: {len(rows)} rows x {len(cols)} weight columns", file=path)
    if set(rows) != set(cols):
        only_r = sorted(set(rows) - set(cols), key=str)
        only_c = sorted(set(cols) - set(rows), key=str)
        raise InputError(
            "row ids and column ids differ",
            file=path,
            rows=[f"row only: {a}" for a in only_r] + [f"column only: {a}" for a in only_c],
        )
    body = frame.iloc[:, 1:].apply(lambda s: pd.to_numeric(s.str.strip(), errors="coerce"))
    bad = body.isna().any(axis=1).to_numpy()
    if bad.any():
        raise InputError(
            "weights are empty or not numbers", file=path, rows=[rows[i] for i in np.flatnonzero(bad)]
        )
    cpos = {a: j for j, a in enumerate(cols)}
    m = body.to_numpy(dtype=float)[:, [cpos[a] for a in rows]]
    return rows, m


def _read_gal(path: Path) -> tuple[list[Hashable], np.ndarray]:
    """Unit ids (GAL order) and the binary (n, n) neighbour matrix of a GAL file (libpysal ``io``).

    Ids are read as text and normalised, so numeric ids match the data's integer codes; a
    neighbour that is not listed as a unit raises :class:`InputError` naming the pairs.
    """
    import libpysal

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            handle = libpysal.io.open(str(path), "r", "gal")
            handle.data_type = str
            w = handle.read()
            handle.close()
    except Exception as err:
        raise InputError(
            f"cannot be read as GAL: {type(err).__name__}: {err}".splitlines()[0], file=path
        ) from None
    ids = _unique_ids(list(w.id_order), path, "GAL")
    pos = {a: i for i, a in enumerate(ids)}
    m = np.zeros((len(ids), len(ids)))
    unknown = []
    for a_raw, nbrs in w.neighbors.items():
        a = normal_id(a_raw)
        for b_raw in nbrs:
            b = normal_id(b_raw)
            if b not in pos:
                unknown.append((a, b))
                continue
            m[pos[a], pos[b]] = 1.0
    if unknown:
        raise InputError("GAL neighbour id(s) not listed as units", file=path, rows=unknown)
    return ids, m


def _read_rda_matrix(path: Path) -> tuple[list[Hashable], np.ndarray]:
    """Row names and the (n, n) values of the one numeric matrix in an R data file (``rdata``).

    The file must hold exactly one 2-D non-data-frame object, square, with row and column
    ``dimnames`` naming the same units (columns are put in row order). Otherwise
    :class:`InputError` says which condition failed.
    """
    import rdata

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rdata: "Unknown encoding. Assumed ASCII."
            objects = rdata.conversion.convert(rdata.parser.parse_file(path))
    except Exception as err:
        raise InputError(
            f"cannot be read as an R data file: {type(err).__name__}: {err}".splitlines()[0], file=path
        ) from None
    mats = {
        k: v for k, v in objects.items() if getattr(v, "ndim", 0) == 2 and not isinstance(v, pd.DataFrame)
    }
    if len(mats) != 1:
        raise InputError(
            f"expected one matrix in the .rda file, found {len(mats)} among: {', '.join(map(str, objects))}",
            file=path,
        )
    name, mat = next(iter(mats.items()))
    values = np.asarray(getattr(mat, "values", mat))
    if values.shape[0] != values.shape[1]:
        raise InputError(f"matrix {name!r} is not square ({values.shape[0]} x {values.shape[1]})", file=path)
    coords = getattr(mat, "coords", None)
    dims = list(getattr(mat, "dims", ()))
    if coords is None or len(dims) != 2 or dims[0] not in coords or dims[1] not in coords:
        raise InputError(f"matrix {name!r} has no dimnames, so its rows cannot be matched to ids", file=path)
    rows = _unique_ids([str(v) for v in coords[dims[0]].values], path, "row")
    cols = _unique_ids([str(v) for v in coords[dims[1]].values], path, "column")
    if rows != cols:
        if set(rows) != set(cols):
            raise InputError(f"matrix {name!r}: row and column names differ", file=path)
        cpos = {a: j for j, a in enumerate(cols)}
        values = values[:, [cpos[a] for a in rows]]
    try:
        m = values.astype(float)
    except (TypeError, ValueError):
        raise InputError(f"matrix {name!r} is not numeric", file=path) from None
    return rows, m


def read_weights(
    path: str | Path, ids: Sequence[object] | None = None, *, transform: str = "r"
) -> SpatialWeights:
    """Read a user's weights matrix (``.csv`` with ids, ``.gal``, R ``.rda`` matrix with dimnames).

    With ``ids`` (the entities of the data), the file's ids must be exactly those (missing and
    extra ones are named). The result is in sorted id order and row-standardised
    (w_ij / sum_j w_ij) unless ``transform="none"``.

    Parameters
    ----------
    path
        A ``.csv``, ``.gal``, ``.rda`` or ``.rdata`` file (suffix case-insensitive; layouts in the
        module docstring).
    ids
        The entities of the data (any spelling :func:`normal_id` maps to the file's ids), or None
        to accept the file's own set.
    transform
        ``"r"`` or ``"none"``, as in :mod:`tfp_talent.spatial.weights`.

    Returns
    -------
    SpatialWeights
        ``kind`` ``file:<file name>``, ``source`` the path; ``raw`` the file's values.

    Raises
    ------
    InputError
        Unknown suffix, missing or empty file, unreadable content, ids that differ from ``ids``,
        and every check of :func:`~tfp_talent.spatial.weights.finish_weights` (square, finite,
        >= 0, zero diagonal, no all-zero row).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in WEIGHT_SUFFIXES:
        raise InputError(
            f"unknown weights file type '{suffix}'; use one of {', '.join(WEIGHT_SUFFIXES)}", file=p
        )
    if not p.exists():
        raise InputError("weights file not found", file=p)
    if p.stat().st_size == 0:
        raise InputError("weights file is empty", file=p)
    if suffix == ".csv":
        file_ids, m = _read_csv_matrix(p)
    elif suffix == ".gal":
        file_ids, m = _read_gal(p)
    else:
        file_ids, m = _read_rda_matrix(p)
    if ids is not None:
        wanted = [normal_id(a) for a in ids]
        missing = sorted(set(wanted) - set(file_ids), key=str)
        extra = sorted(set(file_ids) - set(wanted), key=str)
        if missing or extra:
            raise InputError(
                "weights ids do not match the entities of the data",
                file=p,
                rows=[f"missing: {a}" for a in missing] + [f"extra: {a}" for a in extra],
                hint="the matrix must have one row and column per entity",
            )
    order = sort_ids(file_ids)
    pos = {a: i for i, a in enumerate(file_ids)}
    idx = np.array([pos[a] for a in order])
    return finish_weights(m[np.ix_(idx, idx)], order, kind=f"file:{p.name}", transform=transform, source=p)


def write_gal(w: SpatialWeights, path: str | Path) -> None:
    """Write the neighbour structure (non-zero entries of ``w.raw``) as a GAL file, atomically.

    GAL holds no weight values: reading it back gives binary weights with the same neighbours.
    Header line ``n``; then per unit ``id k`` and a line with its k neighbours (GeoDa format).
    Units follow ``w.ids``; a unit without neighbours gets ``id 0`` and an empty line. The file is
    written by :func:`tfp_talent.io.write_text` (atomically, UTF-8, LF line endings).
    """
    lines = [str(w.n)]
    for i, a in enumerate(w.ids):
        nbrs = [str(w.ids[j]) for j in np.flatnonzero(w.raw[i])]
        lines.append(f"{a} {len(nbrs)}")
        lines.append(" ".join(nbrs))
    write_text("\n".join(lines) + "\n", path)


def write_csv(w: SpatialWeights, path: str | Path, *, raw: bool = False) -> None:
    """Write the dense matrix (``w.matrix``, or ``w.raw``) with an ``id`` column, atomically.

    Values are written with 17 significant digits, so :func:`read_weights` gets them back exactly.
    The header is ``id`` and the ids, then one row per id (the layout :func:`read_weights` reads);
    ``raw=True`` writes the weights before standardisation; for a row-standardised ``w``, reading
    them back with the default ``transform="r"`` gives ``w.matrix`` again.
    """
    m = w.raw if raw else w.matrix
    frame = pd.DataFrame(m, columns=[str(a) for a in w.ids])
    frame.insert(0, "id", [str(a) for a in w.ids])
    write_text(frame.to_csv(index=False, float_format="%.17g", lineterminator="\n"), path)


_SPEC = re.compile(r"(?P<kind>queen|rook|knn(?P<k>\d+)|distance):(?P<path>.+)", re.IGNORECASE)


def weights_from_spec(spec: str, ids: Sequence[object] | None = None) -> SpatialWeights:
    """Weights named on a command line: ``queen:MAP``, ``rook:MAP``, ``knnK:MAP`` (e.g. ``knn6:``),
    ``distance:MAP`` (inverse great-circle distance, power 1) with MAP a province TopoJSON, or the
    path of a weights file (:func:`read_weights`, matched to ``ids``).

    Built weights (the 31 provinces) are row-standardised; queen and rook use the default island
    rule (Hainan - Guangdong).

    The keyword is case-insensitive. ``ids`` applies to a weights file only: built weights
    always cover the 31 provinces of the map, and the caller matches them to its data.
    Raises :class:`InputError` as the builder or :func:`read_weights` does.
    """
    from tfp_talent.spatial import weights as sw

    m = _SPEC.fullmatch(spec.strip())
    if m is None:
        return read_weights(spec, ids)
    builders = {  # spec keyword -> weights built from the TopoJSON
        "queen": lambda path: sw.queen_from_topojson(path),
        "rook": lambda path: sw.rook_from_topojson(path),
        "distance": lambda path: sw.distance_from_topojson(path),
        "knn": lambda path: sw.knn_from_topojson(path, int(m.group("k"))),
    }
    kind = "knn" if m.group("k") else m.group("kind").lower()
    return builders[kind](m.group("path"))
