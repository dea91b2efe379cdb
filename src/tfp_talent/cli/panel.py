"""`tfp-talent panel`, `tfp-talent hausman` and `tfp-talent iv` sub-commands.

Each reads a CSV, Parquet or Stata ``.dta`` panel (:func:`tfp_talent.io.read_panel`),
calls one estimator of :mod:`tfp_talent.estimators` and writes the result as JSON
(:func:`tfp_talent.io.write_json`, atomic: nothing is written on failure). The
JSON always has ``params``, ``std_errors`` and ``nobs``; see the README section
"Reusing the estimators".
"""

from __future__ import annotations

import argparse
from typing import Any

from tfp_talent.cli.common import (
    add_command,
    add_cov,
    add_level,
    add_out,
    add_panel_input,
    cluster_of,
    options,
)
from tfp_talent.estimators.inference import CONVENTIONS, DEFAULT_CONVENTION, DEFAULT_COV, DEFAULT_LEVEL
from tfp_talent.estimators.panel import EFFECTS, MODELS
from tfp_talent.estimators.re_variance import DEFAULT_RE_VARIANCE, RE_VARIANCES
from tfp_talent.estimators.wild_bootstrap import WEIGHT_TYPES

WILD_REPS = 9999
WILD_WEIGHTS = "webb"
WILD_SEED = 1

PANEL_EXAMPLES = """examples:
  # two-way fixed effects, SEs clustered by entity (Stata convention: xtreg ... i.year, fe vce(cluster id))
  tfp-talent panel --data panel.csv --entity id --time year --y y --x x1 x2 \\
      --model fe --effects twoway --cov clustered --cluster entity --out fe.json

  # random effects with Driscoll-Kraay SEs (Bartlett lag 2), lagged regressor
  tfp-talent panel --data panel.parquet --entity id --time year --y y --x x1 L.x2 \\
      --model re --cov driscoll-kraay --bandwidth 2 --out re_dk.json

  # the same two-way model as a formula (pyfixest's syntax; the '|' part names the fixed effects)
  tfp-talent panel --data panel.csv --formula "y ~ x1 + log(x2) + C(region) + L(x3, 1) | id + year" --out fe.json

  # wild cluster bootstrap (WCR, Webb weights, 9,999 replications) of two coefficients
  tfp-talent panel --data panel.csv --formula "y ~ x1 + x2 | id + year" \
      --wild-bootstrap x1 x2 --reps 9999 --weights webb --seed 20241126 --out fe.json

  # random effects with R plm's Swamy-Arora variance components (unbalanced panels)
  tfp-talent panel --data panel.csv --entity id --time year --y y --x x1 x2 --model re --re-variance plm --out re.json

  # first differences, robust SEs without small-sample factor
  tfp-talent panel --data panel.dta --entity id --time year --y y --x x1 x2 --model fd --cov robust --convention none --out fd.json
"""

HAUSMAN_EXAMPLES = """examples:
  # classic Hausman test, FE vs RE (as Stata: xtreg, fe / xtreg, re / hausman fe re)
  tfp-talent hausman --data panel.csv --entity id --time year --y y --x x1 x2 --effects entity --out hausman.json

  # cluster-robust (Mundlak) form with period effects
  tfp-talent hausman --data panel.csv --entity id --time year --y y --x x1 x2 --method mundlak --cov clustered --out mundlak.json
"""

IV_EXAMPLES = """examples:
  # FE-2SLS with entity and period effects, x2 instrumented by its second and third lags
  tfp-talent iv --data panel.csv --entity id --time year --y y --x x1 --endog x2 \\
      --instruments L2.x2 L3.x2 --effects twoway --cov clustered --out iv.json

  # the same as a formula: y ~ exogenous | fixed effects | endogenous ~ instruments
  tfp-talent iv --data panel.csv --formula "y ~ x1 | id + year | x2 ~ L2.x2 + L3.x2" --out iv.json
"""


PANEL_HELP = "pooled, fixed/random effects, first-difference or between regression"
PANEL_DESCRIPTION = "Estimate a linear panel model and write coefficients, SEs and statistics as JSON."
PANEL_EFFECTS = (
    "effects: fe → entity|time|twoway (default twoway); re → entity|twoway (default entity); others none"
)
RE_VARIANCE_HELP = (
    "random-effects variance components (model re): stata = xtreg, re; plm = R plm's "
    f"Swamy-Arora on unbalanced panels (default: {DEFAULT_RE_VARIANCE})"
)
WILD_HELP = (
    "WCR bootstrap-t (Roodman et al. 2019, as Stata's boottest) for fe/pooled models with "
    "--cov clustered by entity or time; prints p-value and confidence set, adds 'wild_bootstrap' to the JSON"
)
WILD_PARAM_HELP = (
    "coefficient(s) to test (H0: coefficient = 0), as named in the output (e.g. x1, L1.x2, log(x3))"
)
WILD_SEED_HELP = (
    f"seed of the weights (default {WILD_SEED}); results do not depend on row order or entity labels"
)
HAUSMAN_HELP = "Hausman test of fixed vs random effects (classic or cluster-robust Mundlak form)"
HAUSMAN_DESCRIPTION = "Hausman test of FE against RE; writes the statistic, df and p-value as JSON."
IV_HELP = "fixed-effects 2SLS with first-stage F and Hansen J"
IV_DESCRIPTION = "FE-2SLS (entity/period effects absorbed) with first-stage diagnostics; writes JSON."


def _data_args(p: argparse.ArgumentParser, *, formula: str | None = None) -> None:
    opt = " (or from the formula's '| entity + time')" if formula else ""
    entity = f"entity column (e.g. province, firm id){opt}"
    add_panel_input(p, entity, f"period column (whole numbers for lags){opt}", required=formula is None)
    y_help = "dependent variable" + (" (or --formula)" if formula else "")
    p.add_argument("--y", required=formula is None, help=y_help)
    p.add_argument("--x", nargs="+", default=[], metavar="X", help="regressors; lags as L.x or L2.x")
    if formula:
        p.add_argument("--formula", default=None, help=f"instead of --y/--x: a formula such as {formula!r}")
    convention_help = f"small-sample convention (default: {DEFAULT_CONVENTION})"
    p.add_argument("--convention", choices=CONVENTIONS, default=DEFAULT_CONVENTION, help=convention_help)
    add_out(p)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `panel`, `hausman` and `iv` sub-commands to the CLI."""
    p = add_command(subparsers, "panel", run_panel, PANEL_HELP, PANEL_DESCRIPTION, PANEL_EXAMPLES)
    _data_args(p, formula="ln_tfp ~ x1 + C(g) + log(x2) + L(x3, 2) | province + year")
    p.add_argument("--model", choices=MODELS, default="fe", help="estimator (default: fe)")
    p.add_argument("--effects", choices=EFFECTS, default=None, help=PANEL_EFFECTS)
    add_cov(p, default_cov=None)
    add_level(p, DEFAULT_LEVEL)
    p.add_argument("--re-variance", choices=RE_VARIANCES, default=DEFAULT_RE_VARIANCE, help=RE_VARIANCE_HELP)
    w = p.add_argument_group("wild cluster bootstrap", WILD_HELP)
    w.add_argument("--wild-bootstrap", nargs="+", default=None, metavar="PARAM", help=WILD_PARAM_HELP)
    w.add_argument("--reps", type=int, default=WILD_REPS, help=f"replications (default {WILD_REPS})")
    weights_help = f"cluster weights (default {WILD_WEIGHTS})"
    w.add_argument("--weights", choices=WEIGHT_TYPES, default=WILD_WEIGHTS, help=weights_help)
    w.add_argument("--seed", type=int, default=WILD_SEED, help=WILD_SEED_HELP)

    h = add_command(subparsers, "hausman", run_hausman, HAUSMAN_HELP, HAUSMAN_DESCRIPTION, HAUSMAN_EXAMPLES)
    _data_args(h)
    h.add_argument("--effects", choices=("entity", "twoway"), default="twoway", help="default: twoway")
    h.add_argument("--method", choices=("classic", "mundlak"), default="classic", help="default: classic")
    aux_help = "auxiliary regression of the Mundlak form"
    h.add_argument("--aux", choices=("re", "pooled"), default="re", help=aux_help)
    sigma_help = "classic: Stata's sigmamore/sigmaless"
    h.add_argument("--sigma", choices=("none", "more", "less"), default="none", help=sigma_help)
    add_cov(h, default_cov=None)

    v = add_command(subparsers, "iv", run_iv, IV_HELP, IV_DESCRIPTION, IV_EXAMPLES)
    _data_args(v, formula="y ~ w | id + year | x ~ L2.x + L3.x")
    v.add_argument("--endog", nargs="+", default=None, help="endogenous regressors (or --formula)")
    instruments_help = "excluded instruments; lags as L2.x (or --formula)"
    v.add_argument("--instruments", nargs="+", default=None, help=instruments_help)
    effects_help = "default: twoway, or the formula's '|' part"
    v.add_argument("--effects", choices=EFFECTS, default=None, help=effects_help)
    add_cov(v, default_cov=DEFAULT_COV, dk=False)
    add_level(v)


def _read(args: argparse.Namespace) -> Any:
    from tfp_talent.io import read_panel

    return read_panel(args.data)


def _require_x(args: argparse.Namespace) -> None:
    from tfp_talent.errors import InputError

    if not args.x:
        raise InputError("at least one regressor is needed (--x X1 X2 ...)")


def _model_terms(args: argparse.Namespace, *extra: str, need_x: bool = True) -> tuple[str, list[str] | None]:
    """(y or the formula, x or None): --formula excludes --y/--x and the ``extra`` term options."""
    from tfp_talent.errors import InputError

    if args.formula is not None:
        given = [f"--{o}" for o in ("y", "x", *extra) if getattr(args, o)]
        if given:
            raise InputError(f"--formula replaces {', '.join(given)}; give one or the other")
        return args.formula, None
    if args.y is None:
        raise InputError("give --y and --x, or --formula")
    if need_x:
        _require_x(args)
    return args.y, args.x


def run_panel(args: argparse.Namespace) -> int:
    """``tfp-talent panel``: read the panel, :func:`~tfp_talent.estimators.panel.fit_panel`, write the JSON."""
    from tfp_talent.estimators.panel import fit_panel
    from tfp_talent.io import write_json

    y, x = _model_terms(args)
    data = _read(args)
    names = ("entity", "time", "model", "effects", "cov", "bandwidth", "convention", "level", "re_variance")
    res = fit_panel(data, y, x, cluster=cluster_of(args), file=args.data, **options(args, *names))
    out = res.to_dict()
    if args.wild_bootstrap:
        out["wild_bootstrap"] = _wild_bootstrap(res, args)
    write_json(out, args.out)
    return 0


def _wild_bootstrap(res: Any, args: argparse.Namespace) -> dict[str, Any]:
    """WCR bootstrap of each ``--wild-bootstrap`` coefficient; prints one line each, returns the JSON block."""
    import math

    def num(v: float) -> str:
        return f"{v:.4f}" if math.isfinite(v) else ("inf" if v > 0 else "-inf")

    block: dict[str, Any] = {}
    for param in args.wild_bootstrap:
        wb = res.wildboottest(param, seed=args.seed, reps=args.reps, weights=args.weights, level=args.level)
        block[param] = wb.to_dict()
        lo, hi = (num(v) for v in wb.conf_int)
        print(
            f"{param}: b = {num(wb.estimate)}, wild bootstrap p = {num(wb.p_value)} "
            f"({wb.reps:,} replications, {wb.weights} weights, {wb.n_clusters} clusters, seed {wb.seed}); "
            f"{100 * wb.level:g}% confidence set [{lo}, {hi}]"
        )
    return block


def run_hausman(args: argparse.Namespace) -> int:
    """``tfp-talent hausman``: read the panel, :func:`~tfp_talent.estimators.hausman.hausman`, write the JSON."""
    from tfp_talent.estimators.hausman import hausman
    from tfp_talent.io import write_json

    _require_x(args)
    data = _read(args)
    names = ("entity", "time", "effects", "method", "cov", "bandwidth", "convention", "aux", "sigma")
    res = hausman(
        data, args.y, args.x, cluster=args.cluster or "entity", file=args.data, **options(args, *names)
    )
    write_json(res.to_dict(), args.out)
    return 0


def run_iv(args: argparse.Namespace) -> int:
    """``tfp-talent iv``: read the panel, :func:`~tfp_talent.estimators.iv.fit_iv`, write the JSON."""
    from tfp_talent.estimators.iv import fit_iv
    from tfp_talent.io import write_json

    y, x = _model_terms(args, "endog", "instruments", need_x=False)
    if args.formula is None and (not args.endog or not args.instruments):
        from tfp_talent.errors import InputError

        raise InputError("give --endog and --instruments, or an IV --formula 'y ~ w | id + year | x ~ z'")
    data = _read(args)
    names = ("entity", "time", "effects", "cov", "convention", "level")
    res = fit_iv(
        data,
        y,
        x,
        args.endog,
        args.instruments,
        cluster=cluster_of(args),
        file=args.data,
        **options(args, *names),
    )
    write_json(res.to_dict(), args.out)
    return 0
