"""Spatial weights for the spatial panel models: coerce, check and align to a panel's entities.

A weights matrix arrives as a dense numpy array, a scipy sparse matrix, a libpysal ``W`` or a
:class:`tfp_talent.spatial.weights.SpatialWeights` (files are read by
:func:`tfp_talent.spatial.weights_io.read_weights`). The matrix is used as given (no
re-standardisation); it must be square, finite and free of all-zero rows (islands), and its ids
must be exactly the panel's entities.
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


def coerce_weights(w: Any, ids: Sequence[object] | None = None) -> tuple[sparse.csr_matrix, list[object]]:
    """Turn ``w`` (dense array, DataFrame, scipy sparse matrix, libpysal ``W`` or the package's
    ``SpatialWeights``) into ``(CSR, ids)``.

    A libpysal ``W`` carries its ids (``w.id_order``), a ``SpatialWeights`` its ``ids`` (with the
    standardised ``matrix``) and a DataFrame its index; for a bare array or sparse matrix ``ids`` is
    required (in row order).

    ``ids``, when given, overrides the ids the object carries. The ids are returned as
    :func:`tfp_talent.io.key_label` labels (numpy scalars as Python values), the matrix as float CSR,
    unchanged otherwise (no check here: :func:`check_weights`). Raises :class:`InputError` for an
    array without ``ids`` and for an unsupported type.
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
    """Raise :class:`InputError` unless ``mat`` is square, matches ``ids``, is finite and has no islands.

    Checked in order: square; one id per row; ids distinct as text (the duplicates are named); every
    stored weight finite (the rows with a non-finite weight are named); no row with Σ_j |w_ij| = 0 (the
    islands are named: an island has an undefined row-standardisation and no spatial lag).
    """
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

    Runs :func:`check_weights` first. Returns P W P' as CSR, P the permutation that puts the rows in
    ``entities`` order (row i is the neighbours of entity i); the weights themselves are not changed.
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
    """True when every row of ``mat`` sums to 1 (then ``W 1 = 1`` and total effects have a closed form).

    ``tol`` is an absolute tolerance on each row sum. Used for the closed-form row sums of
    :mod:`~tfp_talent.estimators.spatial_effects` and required by the Lee-Yu two-way approach.
    """
    return bool(np.allclose(np.asarray(mat.sum(axis=1)).ravel(), 1.0, atol=tol, rtol=0))
