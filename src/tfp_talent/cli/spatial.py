"""`tfp-talent spatial`: fixed-effects SAR / SEM / SDM panels by ML, written as JSON.

Reads a panel (:func:`tfp_talent.io.read_panel`) and a weights matrix: a CSV matrix with an id
column and the same ids as header, an R ``.rda`` matrix with row/column names (like splm's
``usaww.rda``), or ``queen:FILE.topojson`` (queen contiguity from the package's weights module).
Calls :func:`tfp_talent.estimators.spatial.fit_spatial_panel` and writes ``to_dict()`` atomically.

The panel must be balanced (every entity in every period) and its entities must be the ids of the
weights; the log-determinant ln|I − λW| is computed by ``--logdet`` (eigenvalues for N <= 1000 by
default, else a sparse LU). Exit codes: 0 written, 2 bad input (:mod:`tfp_talent.cli`).
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
    """Add the `spatial` sub-command to the CLI.

    ``--model`` (:data:`~tfp_talent.estimators.spatial.MODELS`), ``--effects``, ``--convention`` and
    ``--logdet`` take the words of :func:`tfp_talent.estimators.spatial.fit_spatial_panel`.
    ``--convention`` is ``splm`` (R splm, ``LeeYu=TRUE``), ``leeyu`` (Lee & Yu's transformation approach
    for two-way effects) or ``spreg``; ``--draws 0`` gives the impacts without simulated SEs.
    """
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
    CSV/GAL/.rda matrix, read by :func:`tfp_talent.spatial.weights_io.weights_from_spec` (files used as given).

    Returns ``(weights, None, name)``: a spec with a colon that is not a matrix file is built from the
    TopoJSON (row-standardised), any other argument is read by
    :func:`~tfp_talent.spatial.weights_io.read_weights` with ``transform="none"``; no id list is passed
    (``w_ids`` None) and ``name`` is the file recorded in the result: ``queen:map.topojson`` gives
    ``(queen weights, None, "map.topojson")``, ``usaww.rda`` the matrix as stored with ``"usaww.rda"``.
    """
    from tfp_talent.spatial.weights_io import read_weights, weights_from_spec

    if ":" in spec and not spec.lower().endswith((".csv", ".gal", ".rda", ".rdata")):
        return weights_from_spec(spec), None, spec.split(":", 1)[1]
    return read_weights(spec, transform="none"), None, spec


def run_spatial(args: argparse.Namespace) -> int:
    """``tfp-talent spatial``: fit a fixed-effects spatial panel by ML, write its ``to_dict()`` as JSON.

    Reads the weights (:func:`_weights`) and the balanced panel of ``--data``, then calls
    :func:`~tfp_talent.estimators.spatial.fit_spatial_panel` on (Elhorst 2014, *Spatial Econometrics*, ch. 3)

    * ``sar``: y_t = λ W y_t + X_t β + μ + α_t + e_t;
    * ``sem``: y_t = X_t β + μ + α_t + u_t, u_t = ρ W u_t + e_t;
    * ``sdm``: y_t = λ W y_t + X_t β + W X_t θ + μ + α_t + e_t;

    with unit effects μ (``--effects individual``) or also period effects α_t (``twoways``), by
    concentrated ML as R splm's ``spml(model="within", LeeYu=TRUE)`` under ``--convention splm`` (Lee &
    Yu 2010, J. Econometrics 154). Direct, indirect and total effects get simulated SEs from ``--draws``
    draws (``--seed``); ``--no-tests`` skips the LM, Wald and LR tests. Returns 0; bad input (unbalanced
    panel, ids not in the weights, ...) raises :class:`InputError` (exit 2), and nothing is written.

    The first example of ``tfp-talent spatial --help`` is, in Python::

        res = fit_spatial_panel(read_panel("produc.csv"), "lgsp", ["lpcap", "lpc", "lemp", "unemp"],
                                w=read_weights("usaww.rda", transform="none"), w_ids=None,
                                entity="state", time="year", model="sdm", effects="twoways",
                                draws=1000, seed=1, tests=True, weights_file="usaww.rda")
    """
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
