"""Spatial weights for the spatial panel models: read, coerce and align to a panel's entities.

A weights matrix arrives as a dense numpy array, a scipy sparse matrix or a libpysal ``W``,
each with its unit ids, or as a file: a CSV matrix (first column the ids, header the same ids)
or an R ``.rda`` holding one named matrix (like splm's ``usaww.rda``: row and column names are
the ids). The matrix is used as given (no re-standardisation); it must be square, finite and
free of all-zero rows (islands), and its ids must be exactly the panel's entities.

This is a small private reader so the estimators do not depend on the package-wide weights
module (``tfp_talent.spatial.weights``: contiguity from TopoJSON, GAL files).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from tfp_talent.errors import InputError
from tfp_talent.io import key_label

WEIGHT_SUFFIXES = (".csv", ".rda", ".rdata")


def read_weights_file(path: str | Path) -> tuple[sparse.csr_matrix, list[object]]:
    """Read a weights matrix and its ids from a CSV matrix or an R ``.rda`` matrix.

    CSV: the first column holds the row ids and the header (after the first cell) the column ids,
    in the same order. ``.rda``: one matrix whose row names are the ids (column names, if present,
    must equal them). Returns ``(W as CSR, ids)``; validation is :func:`check_weights`.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in WEIGHT_SUFFIXES:
        raise InputError(f"unknown weights file type '{suffix}'; use .csv or .rda", file=p)
    if not p.exists():
        raise InputError("weights file not found", file=p)
    if suffix == ".csv":
        return _read_csv_matrix(p)
    return _read_rda_matrix(p)


def _read_csv_matrix(p: Path) -> tuple[sparse.csr_matrix, list[object]]:
    try:
        frame = pd.read_csv(p, index_col=0)
    except Exception as err:
        raise InputError(f"cannot be read as a CSV matrix: {type(err).__name__}", file=p) from None
    row_ids = [key_label(v) for v in frame.index]
    col_ids = [str(c) for c in frame.columns]
    if [str(r) for r in row_ids] != col_ids:
        raise InputError(
            "the header ids (columns) are not the row ids of the first column in the same order",
            file=p,
            hint="write the matrix with one id column and the same ids as the header",
        )
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        rows = sorted({row_ids[i] for i in np.nonzero(bad.any(axis=1))[0]}, key=str)
        raise InputError("weights are missing, non-numeric or not finite", file=p, rows=rows)
    return sparse.csr_matrix(values), row_ids


def _read_rda_matrix(p: Path) -> tuple[sparse.csr_matrix, list[object]]:
    import rdata

    try:
        objects = rdata.read_rda(str(p))
    except Exception as err:
        raise InputError(f"cannot be read as an R data file: {type(err).__name__}", file=p) from None
    matrices = {k: v for k, v in objects.items() if getattr(v, "ndim", 0) == 2}
    if len(matrices) != 1:
        raise InputError(
            f"expected one matrix in the file, found {len(matrices)} ({', '.join(objects)})", file=p
        )
    name, arr = next(iter(matrices.items()))
    coords = [np.asarray(arr.coords[d]) for d in arr.dims] if hasattr(arr, "coords") else []
    if len(coords) != 2 or not all(len(c) for c in coords):
        raise InputError(f"matrix '{name}' has no row names to use as ids", file=p)
    row_ids = [key_label(v) for v in coords[0]]
    if [str(v) for v in coords[1]] != [str(v) for v in row_ids]:
        raise InputError(f"matrix '{name}': row and column names differ", file=p)
    return sparse.csr_matrix(np.asarray(arr, dtype=float)), row_ids


def coerce_weights(w: Any, ids: Sequence[object] | None = None) -> tuple[sparse.csr_matrix, list[object]]:
    """Turn ``w`` (dense array, DataFrame, scipy sparse matrix, libpysal ``W`` or the package's
    ``SpatialWeights``) into ``(CSR, ids)``.

    A libpysal ``W`` carries its ids (``w.id_order``), a ``SpatialWeights`` its ``ids`` (with the
    standardised ``matrix``) and a DataFrame its index; for a bare array or sparse matrix ``ids`` is
    required (in row order).
    """
    if hasattr(w, "sparse") and hasattr(w, "id_order"):  # libpysal W
        mat = sparse.csr_matrix(w.sparse, dtype=float)
        w_ids = list(w.id_order) if ids is None else list(ids)
    elif hasattr(w, "matrix") and hasattr(w, "ids"):  # tfp_talent.spatial.weights.SpatialWeights
        mat = sparse.csr_matrix(np.asarray(w.matrix, dtype=float))
        w_ids = list(w.ids) if ids is None else list(ids)
    elif isinstance(w, pd.DataFrame):
        mat = sparse.csr_matrix(w.to_numpy(dtype=float))
        w_ids = list(w.index) if ids is None else list(ids)
    elif sparse.issparse(w) or isinstance(w, np.ndarray):
        if ids is None:
            raise InputError(
                "a weights array needs its unit ids (w_ids=...) to be aligned to the panel's entities"
            )
        mat = sparse.csr_matrix(w, dtype=float)
        w_ids = list(ids)
    else:
        raise InputError(
            f"weights of type {type(w).__name__} are not supported; use an array, sparse matrix or libpysal W"
        )
    return mat, [key_label(v) for v in w_ids]


def check_weights(mat: sparse.csr_matrix, ids: Sequence[object], *, file: str | Path | None = None) -> None:
    """Raise :class:`InputError` unless ``mat`` is square, matches ``ids``, is finite and has no islands."""
    n_rows, n_cols = mat.shape
    if n_rows != n_cols:
        raise InputError(f"the weights matrix is not square ({n_rows} x {n_cols})", file=file)
    if len(ids) != n_rows:
        raise InputError(f"{len(ids)} weights ids for a {n_rows} x {n_rows} matrix", file=file)
    if len(set(map(str, ids))) != len(ids):
        dup = sorted({str(i) for i in ids if list(map(str, ids)).count(str(i)) > 1})
        raise InputError("duplicate weights ids", file=file, rows=dup)
    if not np.all(np.isfinite(mat.data)):
        rows = sorted({ids[i] for i in np.unique(mat.tocoo().row[~np.isfinite(mat.tocoo().data)])}, key=str)
        raise InputError("weights are not finite", file=file, rows=rows)
    row_abs = np.asarray(abs(mat).sum(axis=1)).ravel()
    islands = [ids[i] for i in np.nonzero(row_abs == 0)[0]]
    if islands:
        raise InputError(
            "all-zero row in the weights matrix (an island without neighbours)",
            file=file,
            rows=islands,
            hint="drop the unit from the panel and the weights, or give it a neighbour",
        )


def align_weights(
    mat: sparse.csr_matrix,
    ids: Sequence[object],
    entities: Sequence[object],
    *,
    file: str | Path | None = None,
) -> sparse.csr_matrix:
    """Reorder ``mat`` (rows and columns, ids ``ids``) to the order of the panel's ``entities``.

    Ids are matched by their text (so 11 and "11" agree). The two id sets must be equal; the
    message names the entities without weights and the weights ids not in the panel.
    """
    check_weights(mat, ids, file=file)
    pos = {str(v): i for i, v in enumerate(ids)}
    ent = [str(e) for e in entities]
    missing = [e for e in entities if str(e) not in pos]
    extra = [v for v in ids if str(v) not in set(ent)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"panel entities without weights: {', '.join(map(str, missing[:8]))}")
        if extra:
            parts.append(f"weights ids not in the panel: {', '.join(map(str, extra[:8]))}")
        raise InputError(
            "the weights ids do not match the panel's entities (" + "; ".join(parts) + ")",
            file=file,
            hint="use weights built for exactly the panel's units",
        )
    order = np.array([pos[e] for e in ent])
    return sparse.csr_matrix(mat[order][:, order])


def is_row_standardised(mat: sparse.csr_matrix, tol: float = 1e-10) -> bool:
    """True when every row of ``mat`` sums to 1 (then ``W 1 = 1`` and total effects have a closed form)."""
    return bool(np.allclose(np.asarray(mat.sum(axis=1)).ravel(), 1.0, atol=tol, rtol=0))
