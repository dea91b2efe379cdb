"""`tfp-talent spatial`: fixed-effects SAR / SEM / SDM panels by ML, written as JSON.

Reads a panel (:func:`tfp_talent.io.read_panel`) and a weights matrix: a CSV matrix with an id
column and the same ids as header, an R ``.rda`` matrix with row/column names (like splm's
``usaww.rda``), or ``queen:FILE.topojson`` (queen contiguity from the package's weights module).
Calls :func:`tfp_talent.estimators.spatial.fit_spatial_panel` and writes ``to_dict()`` atomically.
"""

from __future__ import annotations

import argparse
from typing import Any

from tfp_talent.cli.common import add_command, add_level, add_out, add_panel_input, options
from tfp_talent.estimators.spatial import MODELS
from tfp_talent.estimators.spatial_data import EFFECTS
from tfp_talent.estimators.spatial_logdet import LOGDET_METHODS
from tfp_talent.estimators.spatial_ml import CONVENTIONS

EXAMPLES = """examples:
  # spatial Durbin, two-way effects, splm's Lee-Yu convention, effects with 1,000 simulated draws
  tfp-talent spatial --data produc.csv --entity state --time year --y lgsp --x lpcap lpc lemp unemp \\
      --weights usaww.rda --model sdm --effects twoways --draws 1000 --seed 1 --out sdm.json

  # spatial error model, individual effects, queen contiguity from a TopoJSON
  tfp-talent spatial --data panel.csv --entity province --time year --y ln_tfp --x tertiary_share \\
      --weights queen:provinces.topojson --model sem --effects individual --out sem.json
"""


HELP = "fixed-effects spatial lag / error / Durbin panel by maximum likelihood (as R splm)"
DESCRIPTION = (
    "Estimate a fixed-effects spatial panel model (SAR, SEM, SDM) and write JSON with "
    "params, std_errors, lambda/rho, log-likelihood, effects and tests."
)
FIT_OPTIONS = ["entity", "time", "model", "effects", "convention", "logdet", "draws", "seed", "level"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `spatial` sub-command to the CLI."""
    p = add_command(subparsers, "spatial", run_spatial, HELP, DESCRIPTION, EXAMPLES)
    data_help = "balanced panel file: .csv, .parquet or .dta"
    add_panel_input(p, "entity column (ids as in the weights)", "period column", data=data_help)
    p.add_argument("--y", required=True, help="dependent variable")
    p.add_argument("--x", nargs="+", required=True, metavar="X", help="regressors")
    p.add_argument("--weights", required=True, help="weights: FILE.csv | FILE.rda | queen:FILE.topojson")
    p.add_argument("--model", choices=MODELS, default="sar", help="default: sar")
    p.add_argument("--effects", choices=EFFECTS, default="individual", help="default: individual")
    p.add_argument("--convention", choices=CONVENTIONS, default="splm", help="default: splm (LeeYu=TRUE)")
    logdet_help = "default: eigen if N <= 1000, else lu"
    p.add_argument("--logdet", choices=LOGDET_METHODS, default="auto", help=logdet_help)
    p.add_argument("--draws", type=int, default=1000, help="simulation draws for effects SEs (0: none)")
    p.add_argument("--seed", type=int, default=1, help="seed of the effects simulation (default 1)")
    add_level(p)
    p.add_argument("--no-tests", action="store_true", help="skip the LM, Wald and LR tests")
    add_out(p)


def _weights(spec: str) -> tuple[Any, list[object] | None, str]:
    """The weights named on the command line: ``queen:``/``rook:``/``knnK:``/``distance:`` TOPOJSON or a
    CSV/GAL/.rda matrix, read by :func:`tfp_talent.spatial.weights_io.weights_from_spec` (files used as given)."""
    from tfp_talent.spatial.weights_io import read_weights, weights_from_spec

    if ":" in spec and not spec.lower().endswith((".csv", ".gal", ".rda", ".rdata")):
        return weights_from_spec(spec), None, spec.split(":", 1)[1]
    return read_weights(spec, transform="none"), None, spec


def run_spatial(args: argparse.Namespace) -> int:
    from tfp_talent.estimators.spatial import fit_spatial_panel
    from tfp_talent.io import read_panel, write_json

    w, ids, wfile = _weights(args.weights)
    data = read_panel(args.data)
    res = fit_spatial_panel(
        data,
        args.y,
        args.x,
        w=w,
        w_ids=ids,
        tests=not args.no_tests,
        file=args.data,
        weights_file=wfile,
        **options(args, *FIT_OPTIONS),
    )
    write_json(res.to_dict(), args.out)
    return 0
