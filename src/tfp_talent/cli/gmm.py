"""`tfp-talent gmm`: difference or system GMM for a dynamic panel (:func:`tfp_talent.estimators.gmm.fit_gmm`).

Reads a CSV, Parquet or Stata ``.dta`` panel (:func:`tfp_talent.io.read_panel`) and writes the result as
JSON (:func:`tfp_talent.io.write_json`, atomic): ``params``, ``std_errors``, ``nobs``, ``n_groups``,
``n_instruments``, ``tests`` (Sargan, Hansen, AR(1), AR(2)) and ``diff_hansen``.

Model y_it = Σ_j ρ_j y_i,t−j + x_it'β + a_i (+ λ_t) + e_it, a_i removed by first differences (or
forward orthogonal deviations, ``--fod``); one-step b1 = (X'Z A1 Z'X)⁻¹ X'Z A1 Z'y with
A1 = (Σ Z_i'H Z_i)⁻¹, two-step with A2 = (Σ Z_i'ê_i ê_i'Z_i)⁻¹ (Arellano & Bond 1991; Blundell & Bond
1998; Roodman 2009). Hansen's J = ḡ'S⁻¹ḡ ~ χ²(L − K) tests the overidentifying restrictions, AR(1) and
AR(2) the serial correlation of the differenced residuals (AR(2) should not reject). Formulas, the
``plm`` / ``xtabond2`` conventions and their differences: :mod:`tfp_talent.estimators.gmm`. Exit codes:
0 written (warnings on stderr do not change it), 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
import warnings

from tfp_talent.cli.common import add_command, add_level, add_out, add_panel_input, options
from tfp_talent.estimators.gmm import EQUATIONS, GMM_COVS
from tfp_talent.estimators.gmm_instruments import CONVENTIONS, FIRST_STEPS

GMM_EXAMPLES = """examples:
  # Arellano & Bond (1991) Table 4(b): two-step difference GMM, Windmeijer SEs, time dummies
  tfp-talent gmm --data emplUK.csv --entity firm --time year \\
      --formula "n ~ L(1:2).n + L(0:1).w + k + L(0:1).ys" --gmm "L(2:99).n" --twostep --out ab.json

  # Blundell & Bond (1998): one-step system GMM, robust SEs
  tfp-talent gmm --data emplUK.csv --entity firm --time year --formula "n ~ L.n + L(0:1).w + L(0:1).k" \\
      --gmm "L(2:99).n + L(2:99).w + L(2:99).k" --system --out bb.json

  # collapsed instruments, orthogonal deviations, Stata xtabond2 conventions
  tfp-talent gmm --data panel.parquet --entity id --time year --formula "y ~ L.y + x" \\
      --gmm "L(2:4).y" --iv "x" --system --twostep --collapse --fod --convention xtabond2 --out sys.json
"""


HELP = "dynamic panel GMM: Arellano-Bond difference GMM, Blundell-Bond system GMM"
DESCRIPTION = "Estimate a dynamic panel model by GMM and write coefficients, SEs and tests as JSON."
FORMULA_HELP = 'model, e.g. "n ~ L(1:2).n + L(0:1).w + k" (L(a:b).x = lags a..b)'
IV_HELP = "IV-style instruments, e.g. w L.w (default: the regressors not in --gmm; give --iv alone for none)"
SWITCHES = {
    "--system": "system GMM (Blundell-Bond); default difference GMM",
    "--twostep": "two-step GMM with Windmeijer SEs; default one-step",
    "--collapse": "collapse the GMM-style instruments (Roodman 2009)",
    "--fod": "forward orthogonal deviations instead of first differences",
}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `gmm` sub-command to the CLI.

    ``--gmm`` and ``--iv`` take instrument terms in the lag syntax of ``--formula`` (``L(2:99).n``);
    ``--system``, ``--twostep``, ``--collapse`` and ``--fod`` are the switches of :data:`SWITCHES`.
    ``--first-step`` is the weighting H of the one-step estimator (:data:`FIRST_STEPS`), and
    ``--gmm-equation`` / ``--iv-equation`` say, in system GMM, whether each kind of instrument serves the
    differenced equation, the level equation or both (:data:`EQUATIONS`).
    """
    p = add_command(subparsers, "gmm", run_gmm, HELP, DESCRIPTION, GMM_EXAMPLES)
    add_panel_input(p, "entity column (e.g. firm)", "period column (whole numbers, e.g. years)")
    p.add_argument("--formula", required=True, help=FORMULA_HELP)
    gmm_help = 'GMM-style instruments, e.g. "L(2:99).n"'
    p.add_argument("--gmm", required=True, nargs="+", metavar="TERMS", help=gmm_help)
    p.add_argument("--iv", nargs="*", default=None, metavar="TERMS", help=IV_HELP)
    for flag, text in SWITCHES.items():
        p.add_argument(flag, action="store_true", help=text)
    effects = ("twoways", "individual")
    p.add_argument("--effects", choices=effects, default="twoways", help="default: twoways (time dummies)")
    cov_help = "default: robust (Windmeijer for two-step)"
    p.add_argument("--cov", choices=GMM_COVS, default="robust", help=cov_help)
    first_help = "H of the one-step weight (default: full)"
    p.add_argument("--first-step", choices=FIRST_STEPS, default="full", help=first_help)
    convention_help = "R plm or Stata xtabond2 (default: plm)"
    p.add_argument("--convention", choices=CONVENTIONS, default="plm", help=convention_help)
    for style in ("gmm", "iv"):
        equation_help = f"system GMM: equations the {style.upper()}-style instruments serve (default: both)"
        p.add_argument(f"--{style}-equation", choices=EQUATIONS, default="both", help=equation_help)
    add_level(p)
    add_out(p)


FIT_OPTIONS = [
    "entity",
    "time",
    "effects",
    "collapse",
    "fod",
    "cov",
    "first_step",
    "convention",
    "gmm_equation",
    "iv_equation",
    "level",
]


def run_gmm(args: argparse.Namespace) -> int:
    """``tfp-talent gmm``: read the panel, fit :func:`~tfp_talent.estimators.gmm.fit_gmm`, write the JSON.

    The command maps to the estimator as: ``--gmm`` terms joined by `` + `` give the GMM-style instruments,
    ``--iv`` the IV-style ones (not given: the estimator's default; ``--iv`` with no terms: none),
    ``--twostep`` selects ``model="twostep"`` (Windmeijer 2005 corrected SEs) and ``--system``
    ``transformation="ld"`` (levels and differences, Blundell & Bond 1998) instead of ``"d"`` (Arellano &
    Bond 1991); the options of :data:`FIT_OPTIONS` pass unchanged. The conventions follow R ``plm::pgmm``
    (``--convention plm``) or Stata ``xtabond2`` (``--convention xtabond2``).

    Every warning of the fit, among them :class:`~tfp_talent.estimators.gmm.InstrumentCountWarning` (more
    instruments than groups, Roodman 2009), is printed to stderr as one ``warning: ...`` line; the JSON is
    still written. Returns 0; bad input raises :class:`InputError` (exit 2, no file written).

    The Arellano & Bond (1991) example of ``tfp-talent gmm --help`` is, in Python::

        res = fit_gmm(read_panel("emplUK.csv"), "n ~ L(1:2).n + L(0:1).w + k + L(0:1).ys",
                      gmm="L(2:99).n", iv=None, model="twostep", transformation="d",
                      entity="firm", time="year", effects="twoways", cov="robust")
    """
    from tfp_talent.estimators.gmm import InstrumentCountWarning, fit_gmm
    from tfp_talent.io import read_panel, write_json

    data = read_panel(args.data)
    iv = None if args.iv is None else " + ".join(args.iv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InstrumentCountWarning)
        res = fit_gmm(
            data,
            args.formula,
            gmm=" + ".join(args.gmm),
            iv=iv,
            model="twostep" if args.twostep else "onestep",
            transformation="ld" if args.system else "d",
            file=args.data,
            **options(args, *FIT_OPTIONS),
        )
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    write_json(res.to_dict(), args.out)
    return 0
