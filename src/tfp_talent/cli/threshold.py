"""`tfp-talent threshold` and `tfp-talent threshold-combine`: Hansen (1999) panel threshold model.

``threshold`` reads a balanced panel (CSV, Parquet or Stata ``.dta``), estimates the fixed-effects
threshold model y_it = μ_i + x_it'β + Σ_j rx_it'δ_j 1{qx_it in regime j} + e_it with 1-3 thresholds
and bootstrap tests (:func:`tfp_talent.estimators.threshold.threshold_fit`; Hansen 1999, J.
Econometrics 93(2), 345-368; Stata ``xthreg`` of Wang 2015, Stata Journal 15(1)), and writes the
result JSON, or with ``--shard I/N`` one bootstrap shard
(:func:`~tfp_talent.estimators.threshold.bootstrap_shard`). ``threshold-combine`` merges all N shards
into the result of the single run (:func:`~tfp_talent.estimators.threshold_results.combine_shard_dicts`).
Both exit 0 when the JSON is written and 2 on bad input, with no file written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tfp_talent.cli.common import (
    add_command,
    add_level,
    add_out,
    add_panel_input,
    options,
    require_out_suffix,
)
from tfp_talent.errors import InputError
from tfp_talent.estimators.inference import CONVENTIONS, DEFAULT_CONVENTION, DEFAULT_LEVEL
from tfp_talent.estimators.threshold import (
    DEFAULT_COV,
    DEFAULT_MIN_REGIME_OBS,
    TRANSFORMS,
    bootstrap_shard,
    threshold_fit,
)
from tfp_talent.estimators.threshold_results import COV_TYPES, combine_shard_dicts
from tfp_talent.io import read_panel, write_json

DESCRIPTION = """Fixed-effects panel threshold regression of Hansen (1999, J. Econometrics 93:345-368)
with 1-3 thresholds, on any balanced panel (CSV, Parquet or Stata .dta):

  y_it = mu_i + x_it'b + sum_j rx_it'd_j 1{qx_it in regime j} + e_it

Thresholds are searched over a grid of the threshold variable qx, sequentially (the
second given the first, then the first re-estimated given the second, the third given
both); each test of k-1 against k thresholds has a bootstrap p-value and 10/5/1 %
critical values (Hansen's fixed-regressor bootstrap, residuals resampled by entity);
thresholds get likelihood-ratio confidence intervals, c = -2 ln(1 - sqrt(level)).

--transform within      all NT observations, regime 1 is qx <= gamma (as Stata xthreg)
--transform hansen1999  within transform then drop each entity's last period,
                        regime 1 is qx < gamma (as Hansen's GAUSS program)

The JSON written has params, std_errors (of the model with the most thresholds), nobs,
thresholds, ci, ssr (0 = linear FE), f_stat, p_value, crit_values (keyed by the number of
thresholds), models (slopes and unadjusted/robust/clustered SEs, regime shares by period
of every model), lr (LR curves for plotting) and bootstrap (the replicate F statistics).

The bootstrap can be split into shards run as separate jobs (--shard I/N writes shard I
of N); 'tfp-talent threshold-combine' merges them into exactly the result of one run.
Replication r of test k always uses the seed (--seed, k-1, r), so --jobs and --shard
never change the numbers."""

EXAMPLES = """examples:
  # Hansen (1999) / xthreg example: triple threshold, 300 bootstrap replications per test
  tfp-talent threshold --data hansen1999.dta --entity id --time year --y i \\
      --x q1 q2 q3 d1 qd1 --rx c1 --qx d1 --thresholds 3 --trim 0.01 0.01 0.05 \\
      --grid 400 --bootstrap 300 --seed 1 --jobs 2 --out thr.json
  # Hansen's own conventions (7,345 observations), White standard errors in 'std_errors'
  tfp-talent threshold --data invest_panel.csv --entity firm --time year --y i \\
      --x q1 q2 q3 d1 qd1 --rx c1 --qx d1 --thresholds 2 --transform hansen1999 --cov robust --out h99.json
  # the same bootstrap as 4 shards (e.g. 4 cluster jobs), then combined
  for i in 1 2 3 4; do tfp-talent threshold --data hansen1999.dta --entity id --time year --y i \\
      --x q1 q2 q3 d1 qd1 --rx c1 --qx d1 --thresholds 3 --shard $i/4 --out shard$i.json; done
  tfp-talent threshold-combine shard1.json shard2.json shard3.json shard4.json --out thr.json

Bad input (missing or non-numeric columns, constant or collinear regressors, duplicate
entity-time rows, an unbalanced panel - the missing entity-periods are named -, a trim
that leaves fewer than --min-regime-obs observations in a regime, an unreadable file)
stops with one line 'error: ...', exit code 2, and no output file."""

COMBINE_DESCRIPTION = """Combine the bootstrap shards written by 'tfp-talent threshold --shard I/N' into the
result JSON of the single run (identical bytes). All N shards of the same command are needed."""

COMBINE_EXAMPLES = """examples:
  tfp-talent threshold-combine shard1.json shard2.json shard3.json shard4.json --out thr.json
  tfp-talent threshold-combine results/shards/thr_*.json --out results/thr.json"""


def _grid(text: str) -> int | str:
    """argparse type of ``--grid``: an integer qn >= 2 (quantile grid size) or ``"all"`` (distinct values).

    ``--grid 400`` (the default, as Hansen and ``xthreg``) searches 400 quantiles of qx; ``--grid all``
    every distinct value, exact but slower. Anything else is a usage error (exit 2).
    """
    if text == "all":
        return "all"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 2 or 'all', not {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"must be an integer >= 2 or 'all', not {text!r}")
    return value


def _shard(text: str) -> tuple[int, int]:
    """argparse type of ``--shard``: ``"I/N"`` -> ``(I, N)`` with 1 <= I <= N (1-based shard index).

    Anything else raises :class:`argparse.ArgumentTypeError`, i.e. a usage error (exit 2).
    """
    try:
        i, n = (int(v) for v in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must look like I/N (e.g. 2/4), not {text!r}") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"needs 1 <= I <= N, got {text!r}")
    return i, n


HELP = "Hansen (1999) fixed-effects panel threshold regression with bootstrap tests"
TRIM_HELP = "trimming per threshold (one value = all; Hansen: 0.01 0.01 0.05; default 0.01)"
GRID_HELP = "quantile grid size qn (Hansen and xthreg: 400) or 'all' distinct values (default 400)"
BOOTSTRAP_HELP = "bootstrap replications per test (one value = all; 0 = none; default 300)"
COV_HELP = f"covariance of 'std_errors' (all three are in 'models'; default {DEFAULT_COV})"
CONVENTION_HELP = f"small-sample convention of the SEs (default {DEFAULT_CONVENTION}; 'none' = Hansen's HC0)"
MIN_OBS_HELP = f"fewest observations allowed in a regime (default {DEFAULT_MIN_REGIME_OBS})"
COMBINE_HELP = "combine bootstrap shards of 'tfp-talent threshold --shard I/N'"
FIT_OPTIONS = ["grid", "seed", "transform", "level", "cov", "convention", "min_regime_obs"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `threshold` and `threshold-combine` sub-commands to the CLI.

    ``threshold`` takes the columns (``--y``, ``--x``, ``--rx``, ``--qx``), the search settings
    (``--thresholds``, ``--trim``, ``--grid``, ``--min-regime-obs``), the bootstrap (``--bootstrap``,
    ``--seed``, ``--jobs``, ``--shard``) and the inference (``--level``, ``--cov``, ``--convention``);
    ``threshold-combine`` takes the shard files and ``--out``.

    ``--grid`` and ``--shard`` are parsed by :func:`_grid` and :func:`_shard`, so a malformed value is a
    usage error (exit 2) before any file is read; ``--trim`` and ``--bootstrap`` are checked by
    :func:`run` against ``--thresholds``.
    """
    p = add_command(subparsers, "threshold", run, HELP, DESCRIPTION, EXAMPLES)
    entity_help = "entity column (firm, province, ...)"
    add_panel_input(
        p,
        entity_help,
        "time column (e.g. year)",
        data="balanced panel: .csv, .parquet or .dta",
    )
    p.add_argument("--y", required=True, metavar="COL", help="dependent variable")
    p.add_argument("--x", nargs="*", default=[], metavar="COL", help="regime-independent regressors")
    p.add_argument("--rx", nargs="+", required=True, metavar="COL", help="regime-dependent regressor(s)")
    p.add_argument("--qx", required=True, metavar="COL", help="threshold variable")
    thresholds_help = "number of thresholds (default 1)"
    p.add_argument("--thresholds", type=int, choices=(1, 2, 3), default=1, help=thresholds_help)
    p.add_argument("--trim", nargs="+", type=float, default=[0.01], metavar="T", help=TRIM_HELP)
    p.add_argument("--grid", type=_grid, default=400, metavar="N|all", help=GRID_HELP)
    p.add_argument("--bootstrap", nargs="+", type=int, default=[300], metavar="B", help=BOOTSTRAP_HELP)
    p.add_argument("--seed", type=int, default=1, help="bootstrap seed (default 1)")
    transform_help = "data transform (default within)"
    p.add_argument("--transform", choices=TRANSFORMS, default="within", help=transform_help)
    add_level(p, DEFAULT_LEVEL, "level of the threshold confidence intervals")
    p.add_argument("--cov", choices=COV_TYPES, default=DEFAULT_COV, help=COV_HELP)
    p.add_argument("--convention", choices=CONVENTIONS, default=DEFAULT_CONVENTION, help=CONVENTION_HELP)
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="processes for the bootstrap (default 1)")
    p.add_argument("--shard", type=_shard, metavar="I/N", help="run only bootstrap shard I of N (1-based)")
    p.add_argument(
        "--min-regime-obs", type=int, default=DEFAULT_MIN_REGIME_OBS, metavar="N", help=MIN_OBS_HELP
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_out(p, "result (or shard) JSON", metavar="FILE.json")

    c = add_command(
        subparsers, "threshold-combine", run_combine, COMBINE_HELP, COMBINE_DESCRIPTION, COMBINE_EXAMPLES
    )
    c.add_argument("shards", nargs="+", metavar="SHARD.json", help="shard files (all N of them)")
    add_out(c, "combined result JSON", metavar="FILE.json")


def _per_threshold(values: list, n: int, option: str) -> list:
    """``values`` with one entry per threshold: a single value repeated ``n`` times, or exactly ``n`` values.

    Any other count raises :class:`InputError` naming ``option`` (``--trim`` or ``--bootstrap``).
    ``--thresholds 3 --trim 0.05`` gives ``[0.05, 0.05, 0.05]``; ``--trim 0.01 0.05`` is an error.
    """
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise InputError(
            f"{option} needs 1 or {n} values (one per threshold), got {len(values)}", column=option
        )
    return values


def run(args: argparse.Namespace) -> int:
    """Read the panel, fit the threshold model (or one bootstrap shard), write the JSON atomically.

    ``--trim`` and ``--bootstrap`` are expanded to one value per threshold (:func:`_per_threshold`); the
    options of :data:`FIT_OPTIONS` pass unchanged. Threshold k is searched given the others on a grid of
    ``--grid`` quantiles of qx; the test of k - 1 against k thresholds,
    F_k = (S_{k-1} - S_k) / σ̂²_k with S the sum of squared residuals, gets a fixed-regressor bootstrap
    p-value from ``--bootstrap`` replications (residuals resampled by entity), and each threshold an LR
    confidence interval {γ: LR(γ) <= c}, c = -2 ln(1 - √level) (Hansen 1999; Hansen 2000, Econometrica 68,
    575-603).

    Determinism: replication r of test k draws with the seed (``--seed``, k − 1, r), so ``--jobs``
    (processes of the bootstrap) and ``--shard I/N`` (only the replications of shard I; the JSON then
    holds those replicates and the fingerprint of data and options) never change the numbers. The
    progress bar goes to stderr and is switched off by ``--quiet``.

    Raises :class:`InputError` (exit 2) when ``--out`` is not ``.json``, ``--trim``/``--bootstrap`` have a
    wrong count, or the data are bad (unbalanced panel, missing columns, a regime with fewer than
    ``--min-regime-obs`` observations, ...); returns 0 after writing.

    Without ``--shard`` the command is, in Python (Hansen's example, two thresholds)::

        res = threshold_fit(read_panel("hansen1999.dta"), "i", ["q1", "q2", "q3", "d1", "qd1"], ["c1"],
                            "d1", "id", "year", n_thresholds=2, trim=[0.01, 0.01], bootstrap=[300, 300],
                            grid=400, seed=1, n_jobs=1)
        write_json(res.to_dict(), "thr.json")
    """
    require_out_suffix(args, ".json")
    trim = _per_threshold(list(args.trim), args.thresholds, "--trim")
    boots = _per_threshold(list(args.bootstrap), args.thresholds, "--bootstrap")
    frame = read_panel(args.data)
    fit = dict(
        n_thresholds=args.thresholds,
        trim=trim,
        bootstrap=boots,
        n_jobs=args.jobs,
        progress=not args.quiet,
        file=args.data,
        **options(args, *FIT_OPTIONS),
    )
    columns = (args.y, args.x, args.rx, args.qx, args.entity, args.time)
    if args.shard is not None:
        i, n = args.shard
        shard = bootstrap_shard(frame, *columns, shard_index=i - 1, n_shards=n, **fit)
        write_json(shard.to_dict(), args.out)
    else:
        write_json(threshold_fit(frame, *columns, **fit).to_dict(), args.out)
    return 0


def run_combine(args: argparse.Namespace) -> int:
    """Read shard JSON files, check they belong together, write the combined result.

    Each file must exist, be valid UTF-8 JSON and be a mapping with a ``fingerprint`` (a SHA-256 of the
    data and options the shard was computed from);
    :func:`~tfp_talent.estimators.threshold_results.combine_shard_dicts` checks that all N shards of one run
    are present and merges them into exactly the JSON of the unsharded run.
    Raises :class:`InputError` (exit 2) naming the first bad file; returns 0 after writing ``--out``.
    Errors found while merging (a shard missing or given twice, fingerprints that differ) name the
    shard files as one comma-separated list.
    """
    require_out_suffix(args, ".json")
    docs = []
    for name in args.shards:
        path = Path(name)
        if not path.is_file():
            raise InputError("file not found", file=name)
        try:
            docs.append(json.loads(path.read_text(encoding="utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise InputError(
                f"not a valid JSON shard ({type(err).__name__}: {err})".splitlines()[0], file=name
            ) from None
    for name, doc in zip(args.shards, docs):
        if not isinstance(doc, dict) or "fingerprint" not in doc:
            raise InputError("not a threshold bootstrap shard", file=name)
    write_json(combine_shard_dicts(docs, source=", ".join(args.shards)), args.out)
    return 0
