"""`tfp-talent moran`: global Moran's I and Geary's C by period, and LISA per entity-period.

Reads a CSV, Parquet or Stata panel (:func:`tfp_talent.io.read_panel`), builds or reads the
weights (:func:`tfp_talent.spatial.weights_io.weights_from_spec`) and calls
:func:`tfp_talent.spatial.explore.global_autocorrelation` (and, with ``--local``,
:func:`tfp_talent.spatial.explore.local_moran`). Output by suffix: ``.json`` holds the weights
summary, ``global`` and (with ``--local``) ``local`` records; ``.csv`` holds the global table, and
``--local`` writes the LISA table next to it as ``<stem>_local.csv``. Writes are atomic.

Each period is one cross-section: the statistics are computed period by period, never pooled over
time. Exit codes: 0 written, 2 bad input (:mod:`tfp_talent.cli`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tfp_talent.cli.common import add_command, add_out, add_panel_input

EXAMPLES = """examples:
  # Moran's I and Geary's C of two variables in every year, queen contiguity from the province map
  tfp-talent moran --data panel.csv --entity province_code --time year \\
      --var tertiary_share avg_school_years --weights queen:data/raw/geo/china_provinces_full.topo.json \\
      --permutations 999 --seed 1 --out moran.csv

  # six nearest neighbours, plus LISA clusters per province-year (BH false discovery rate)
  tfp-talent moran --data panel.parquet --entity province_code --time year --var tertiary_share \\
      --weights knn6:data/raw/geo/china_provinces_full.topo.json --local --fdr --out moran.json

  # a user's matrix (.csv with ids, .gal, or an R .rda matrix with dimnames)
  tfp-talent moran --data Produc.csv --entity state --time year --var unemp --weights usaww.rda --out us.json
"""


HELP = "global Moran's I / Geary's C by period (and LISA with --local) on any panel"
DESCRIPTION = "Spatial autocorrelation of panel variables, one cross-section per period."
WEIGHTS_HELP = (
    "queen:MAP | rook:MAP | knnK:MAP | distance:MAP (MAP a province TopoJSON), or a .csv/.gal/.rda file"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `moran` sub-command to the CLI.

    ``--weights`` takes the specs of :func:`tfp_talent.spatial.weights_io.weights_from_spec`; ``--alpha``
    and ``--fdr`` only matter with ``--local``. With ``--permutations 0`` the global table has no
    pseudo p-values (``p_sim`` and ``p_sim_geary`` empty; ``p_norm`` under normality remains), and
    ``--local`` then fails because LISA needs at least one permutation.
    """
    p = add_command(subparsers, "moran", run_moran, HELP, DESCRIPTION, EXAMPLES)
    add_panel_input(
        p, "entity column (ids as in the weights, e.g. province_code)", "period column (e.g. year)"
    )
    p.add_argument("--var", nargs="+", required=True, metavar="VAR", help="variable(s) to test")
    p.add_argument("--weights", required=True, metavar="SPEC", help=WEIGHTS_HELP)
    permutations_help = "random permutations for pseudo p (default 999)"
    p.add_argument("--permutations", type=int, default=999, help=permutations_help)
    p.add_argument("--seed", type=int, default=1, help="seed; each period uses seed + year (default 1)")
    local_help = "also LISA per entity-period (cluster HH/LL/HL/LH/ns)"
    p.add_argument("--local", action="store_true", help=local_help)
    p.add_argument("--alpha", type=float, default=0.05, help="LISA significance level (default 0.05)")
    p.add_argument("--fdr", action="store_true", help="LISA: Benjamini-Hochberg adjusted p-values")
    add_out(p, "output .csv or .json")


def run_moran(args: argparse.Namespace) -> int:
    """``tfp-talent moran``: Moran's I and Geary's C of each ``--var`` in each period, LISA with ``--local``.

    Per period t, with z the deviations of the variable from its cross-section mean and W the weights,
    I_t = (n / S₀) z'Wz / z'z and C_t = ((n - 1) / (2 S₀)) Σ_ij w_ij (y_i - y_j)² / Σ_i z_i² (Moran 1950;
    Geary 1954), computed by PySAL ``esda`` in :func:`tfp_talent.spatial.explore.global_autocorrelation`
    with pseudo p-values from ``--permutations`` random permutations (seed ``--seed`` + year);
    :func:`~tfp_talent.spatial.explore.local_moran` adds the local I_i = (n - 1) z_i Σ_j w_ij z_j / Σ_k z_k²
    (Anselin 1995) and its HH / LL / HL / LH / ns class at ``--alpha`` (p-values Benjamini-Hochberg
    adjusted with ``--fdr``).

    The weights are built for, or matched to, the entities of ``--data`` in order of first appearance.
    Writes ``.json`` (weights summary, ``permutations``, ``seed``, ``global`` records; with ``--local``
    also ``local`` records, ``alpha`` and ``fdr``) or ``.csv`` (the global table; the LISA table as
    ``<stem>_local.csv``). Returns 0; a bad ``--out`` suffix, ``--permutations`` < 0, a missing column or
    weights that do not fit the entities raise :class:`InputError` (exit 2) before anything is written.

    In Python, for a panel ``data`` with ``province_code`` and ``year``::

        w = weights_from_spec("queen:china_provinces_full.topo.json",
                              ids=list(dict.fromkeys(data["province_code"].tolist())))
        table = global_autocorrelation(data, ["tertiary_share"], w, entity="province_code", time="year",
                                       permutations=999, seed=1)
    """
    from tfp_talent.errors import InputError
    from tfp_talent.io import read_panel, require_columns, write_frame, write_json
    from tfp_talent.spatial.explore import global_autocorrelation, local_moran
    from tfp_talent.spatial.weights import weights_summary
    from tfp_talent.spatial.weights_io import weights_from_spec

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".json"):
        raise InputError(f"--out must end in .csv or .json (got '{out.suffix}')", file=out)
    if args.permutations < 0:
        raise InputError(f"--permutations must be >= 0 (got {args.permutations})")
    data = read_panel(args.data)
    require_columns(data, [args.entity, args.time, *args.var], file=args.data)
    w = weights_from_spec(args.weights, ids=list(dict.fromkeys(data[args.entity].tolist())))
    kw = {"entity": args.entity, "time": args.time, "permutations": args.permutations, "seed": args.seed}
    glob = global_autocorrelation(data, args.var, w, file=args.data, **kw)
    local = None
    if args.local:
        local = local_moran(data, args.var, w, alpha=args.alpha, fdr=args.fdr, file=args.data, **kw)
    if out.suffix.lower() == ".json":
        doc = {
            "weights": weights_summary(w).to_dict(),
            "permutations": args.permutations,
            "seed": args.seed,
            "global": glob.to_dict(orient="records"),
        }
        if local is not None:
            doc["local"] = local.to_dict(orient="records")
            doc["alpha"], doc["fdr"] = args.alpha, args.fdr
        write_json(doc, out)
    else:
        write_frame(glob, out)
        if local is not None:
            write_frame(local, out.with_name(f"{out.stem}_local.csv"))
    return 0
