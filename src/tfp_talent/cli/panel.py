"""`tfp-talent panel`, `tfp-talent hausman` and `tfp-talent iv` sub-commands.

Each reads a CSV, Parquet or Stata ``.dta`` panel (:func:`tfp_talent.io.read_panel`),
calls one estimator of :mod:`tfp_talent.estimators` and writes the result as JSON
(:func:`tfp_talent.io.write_json`, atomic: nothing is written on failure). The
JSON always has ``params``, ``std_errors`` and ``nobs``; see the README section
"Reusing the estimators".

Command, estimator and model:

* ``panel``: :func:`~tfp_talent.estimators.panel.fit_panel`, y_it = x_it'β + effects + e_it by pooled
  OLS, fixed effects (within), random effects (GLS), first differences or between regression;
  optionally the wild cluster restricted bootstrap of chosen coefficients;
* ``hausman``: :func:`~tfp_talent.estimators.hausman.hausman`, H = (b_FE − b_RE)' [V_FE − V_RE]⁻¹
  (b_FE − b_RE) ~ χ²(df) (Hausman 1978), or the cluster-robust Mundlak (1978) form;
* ``iv``: :func:`~tfp_talent.estimators.iv.fit_iv`, FE-2SLS β̂ = (X̃'P_Z̃X̃)⁻¹X̃'P_Z̃ỹ on the
  within-transformed data, with first-stage F and Hansen's J.

The model is given either as ``--y``/``--x`` (lags as ``L.x``, ``L2.x``) with ``--entity``/``--time``,
or as one ``--formula`` (``panel``, ``iv``) in pyfixest's syntax. The covariance options (``--cov``,
``--cluster``, ``--bandwidth``, ``--convention``, ``--level``) are the vocabulary of
:mod:`tfp_talent.estimators.inference`. Exit codes: 0 written, 2 bad input (:mod:`tfp_talent.cli`).
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
    """The model options shared by ``panel``, ``hausman`` and ``iv``: panel input, ``--y``, ``--x``,
    ``--convention`` and ``--out``.

    With ``formula`` (an example shown in the help) the command also takes ``--formula``, and ``--entity``,
    ``--time`` and ``--y`` become optional because the formula's ``|`` part can name them.
    ``--convention`` is the small-sample factor of :mod:`tfp_talent.estimators.inference` (default
    ``stata``: G/(G − 1) · (N − 1)/(N − K_c) for clustered SEs; ``none``: no factor, normal inference).
    """
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
    """Add the `panel`, `hausman` and `iv` sub-commands to the CLI.

    ``panel`` has its wild-bootstrap options (``--wild-bootstrap``, ``--reps``, ``--weights``, ``--seed``)
    in a group of their own; ``hausman`` adds ``--method``, ``--aux`` and ``--sigma``; ``iv`` adds
    ``--endog`` and ``--instruments`` and offers no Driscoll-Kraay covariance.
    """
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
    """The panel of ``--data`` (:func:`tfp_talent.io.read_panel`; bad or missing file: InputError)."""
    from tfp_talent.io import read_panel

    return read_panel(args.data)


def _require_x(args: argparse.Namespace) -> None:
    """Raise :class:`InputError` unless at least one ``--x`` regressor is given."""
    from tfp_talent.errors import InputError

    if not args.x:
        raise InputError("at least one regressor is needed (--x X1 X2 ...)")


def _model_terms(args: argparse.Namespace, *extra: str, need_x: bool = True) -> tuple[str, list[str] | None]:
    """(y or the formula, x or None): --formula excludes --y/--x and the ``extra`` term options.

    Raises :class:`InputError` when ``--formula`` comes with any of ``--y``, ``--x`` or the ``extra``
    options (named in the message), when neither ``--formula`` nor ``--y`` is given, or, with ``need_x``,
    when ``--y`` has no ``--x``.
    """
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
    """``tfp-talent panel``: read the panel, :func:`~tfp_talent.estimators.panel.fit_panel`, write the JSON.

    The model terms come from :func:`_model_terms`, the cluster from
    :func:`~tfp_talent.cli.common.cluster_of`; ``--cov`` None lets the estimator choose (clustered by
    entity; robust for the between model) and ``--effects`` None takes the model's default (fe: twoway,
    re: entity, others none). With ``--wild-bootstrap`` each named coefficient is also tested by
    :func:`_wild_bootstrap`, which prints one line per coefficient to stdout and adds the block
    ``wild_bootstrap`` to the JSON. Returns 0; bad input raises :class:`InputError` (exit 2).

    ``--model``: ``pooled`` OLS of y_it on x_it; ``fe`` OLS on the within-transformed data (entity and/or
    period means removed, as Stata ``xtreg, fe`` / ``reghdfe``); ``re`` GLS by quasi-demeaning
    y_it − θ_i ȳ_i with θ_i = 1 − √(σ²_ν / (T_i σ²_η + σ²_ν)) (Swamy & Arora 1972; ``--re-variance stata``
    as ``xtreg, re``, ``plm`` as R plm's ``random.method="swar"`` on unbalanced panels); ``fd`` OLS of
    Δy_it on Δx_it; ``between`` OLS of entity means. ``--level`` sets the confidence intervals of the JSON.

    ``tfp-talent panel --data panel.csv --entity id --time year --y y --x x1 x2 --cov clustered
    --out fe.json`` does, with the other options at their defaults::

        res = fit_panel(read_panel("panel.csv"), "y", ["x1", "x2"], entity="id", time="year",
                        model="fe", effects=None, cov="clustered", cluster="entity")
        write_json(res.to_dict(), "fe.json")
    """
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
    """WCR bootstrap of each ``--wild-bootstrap`` coefficient; prints one line each, returns the JSON block.

    Calls ``res.wildboottest(param, seed=..., reps=..., weights=..., level=...)``: the wild cluster
    restricted bootstrap-t of H0: β_param = 0 (Roodman, MacKinnon, Nielsen & Webb 2019, as Stata's
    ``boottest``; :mod:`tfp_talent.estimators.wild_bootstrap`), with its p-value and confidence set by
    test inversion. The printed line gives b, p, the replications, weight type, number of clusters, seed
    and the ``--level`` confidence set; the block maps each coefficient name to the test's ``to_dict()``.
    """
    import math

    def num(v: float) -> str:
        """``v`` to 4 decimals, or ``inf`` / ``-inf`` for an unbounded end of a confidence set."""
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
    """``tfp-talent hausman``: read the panel, :func:`~tfp_talent.estimators.hausman.hausman`, write the JSON.

    ``--method classic`` compares FE and RE with the unadjusted covariances (``--sigma more``/``less`` as
    Stata's ``sigmamore``/``sigmaless``); ``--method mundlak`` tests γ = 0 in the auxiliary regression
    y_it = a + x_it'β + x̄_i'γ + u_it (``--aux re`` or ``pooled``) with ``--cov`` (clustered by
    ``--cluster``, default entity). The JSON holds the statistic, its degrees of freedom and p-value.
    Needs ``--y`` and at least one ``--x``; returns 0, bad input raises :class:`InputError` (exit 2).

    Unlike ``panel`` and ``iv`` the command always passes a cluster (``--cluster`` or ``entity``).
    Python equivalent of the first example of ``tfp-talent hausman --help``::

        res = hausman(read_panel("panel.csv"), "y", ["x1", "x2"], entity="id", time="year",
                      effects="entity", method="classic", cluster="entity")
    """
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
    """``tfp-talent iv``: read the panel, :func:`~tfp_talent.estimators.iv.fit_iv`, write the JSON.

    The model is ``--y``/``--x`` (exogenous regressors, may be empty) with ``--endog`` and
    ``--instruments`` (excluded instruments, lags such as ``L2.x`` allowed), or one ``--formula``
    ``y ~ w | id + year | x ~ z``. The JSON adds the first-stage diagnostics (partial R², partial F) and,
    when over-identified, Hansen's J. Raises :class:`InputError` (exit 2) when neither ``--endog`` with
    ``--instruments`` nor an IV formula is given, or on bad data; returns 0 otherwise.

    Python equivalent of the first example of ``tfp-talent iv --help``::

        res = fit_iv(read_panel("panel.csv"), "y", ["x1"], ["x2"], ["L2.x2", "L3.x2"], entity="id",
                     time="year", effects="twoway", cov="clustered", cluster="entity")
    """
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
