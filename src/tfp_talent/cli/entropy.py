"""`tfp-talent entropy` and `tfp-talent coupling` sub-commands.

Each reads a CSV, Parquet or Stata ``.dta`` panel (:func:`tfp_talent.io.read_panel`), computes a global
entropy-weighted index (:func:`tfp_talent.indices.entropy.entropy_weights`) or the coupling coordination
of two subsystems (:func:`tfp_talent.indices.coupling.coupling_coordination`) and writes

* ``--out`` (.csv or .parquet): the ``--id-cols`` (or ``row``, the 0-based data row, when none are
  given) and the per-row results;
* ``--weights-out`` (default: ``--out`` with the suffix ``.weights.json``): the indicator weights, entropies
  and settings as JSON.

Both files are written atomically, and only after the whole computation succeeded. Indicator names of
:data:`tfp_talent.indices.derived.DERIVED` (``rd_intensity``, ``patents_per10k``, ``gdp_real_per_capita``)
are computed from the panel's columns when the file does not have them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from tfp_talent.cli.common import PANEL_FILE, add_command, add_out
from tfp_talent.indices.coupling import FORMS
from tfp_talent.indices.entropy import DEFAULT_SHIFT

ENTROPY_EXAMPLES = """examples:
  # talent index from three indicators, pooled over all province-years (global entropy)
  tfp-talent entropy --data panel.csv --indicators tertiary_share avg_school_years he_graduates_per10k \\
      --id-cols province year --out talent_index.csv          # weights in talent_index.weights.json

  # a negative indicator is reversed: x' = (max - x) / (max - min)
  tfp-talent entropy --data panel.parquet --indicators rd_intensity patents_per10k fiscal_exp_gdp \\
      --negative fiscal_exp_gdp --id-cols province year --out idx.csv --weights-out idx_weights.json
"""

COUPLING_EXAMPLES = """examples:
  # talent-industry coupling coordination, classic C = 2 sqrt(U1 U2) / (U1 + U2), T = 0.5 U1 + 0.5 U2
  tfp-talent coupling --data panel.csv --talent tertiary_share avg_school_years he_graduates_per10k \\
      --industry tertiary_va_share trade_gdp patents_per10k --id-cols province year --out coupling.csv

  # Wang et al. (2021) corrected coupling degree, unequal subsystem weights
  tfp-talent coupling --data panel.csv --talent tertiary_share --industry tertiary_va_share trade_gdp \\
      --form wang2021 --system-weights 0.4 0.6 --id-cols province year --out coupling_w.csv
"""


ENTROPY_HELP = "global entropy-weight (熵值法) composite index"
ENTROPY_DESCRIPTION = "Entropy weights pooled over all rows and the index S = sum_j w_j (x'_j + shift)."
COUPLING_HELP = "talent-industry coupling coordination degree (耦合协调度)"
COUPLING_DESCRIPTION = "Entropy indices U_talent, U_industry; coupling C, T, D = sqrt(C T), band, mismatch."


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", required=True, help=PANEL_FILE)
    p.add_argument("--negative", nargs="+", default=[], metavar="COL", help="negative (cost-type) indicators")
    p.add_argument("--id-cols", nargs="+", default=[], metavar="COL", help="key columns copied to the output")
    shift_help = f"added to x' before logs (default {DEFAULT_SHIFT:g})"
    p.add_argument("--shift", type=float, default=DEFAULT_SHIFT, help=shift_help)
    add_out(p, "output table: .csv or .parquet")
    weights_help = "weights JSON (default: OUT with suffix .weights.json)"
    p.add_argument("--weights-out", default=None, help=weights_help)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `entropy` and `coupling` sub-commands to the CLI."""
    e = add_command(subparsers, "entropy", run_entropy, ENTROPY_HELP, ENTROPY_DESCRIPTION, ENTROPY_EXAMPLES)
    e.add_argument("--indicators", nargs="+", required=True, metavar="COL", help="indicator columns")
    _common(e)
    e.add_argument("--normalised", action="store_true", help="also write the normalised values x' + shift")

    c = add_command(
        subparsers, "coupling", run_coupling, COUPLING_HELP, COUPLING_DESCRIPTION, COUPLING_EXAMPLES
    )
    c.add_argument("--talent", nargs="+", required=True, metavar="COL", help="talent subsystem indicators")
    industry_help = "industry subsystem indicators"
    c.add_argument("--industry", nargs="+", required=True, metavar="COL", help=industry_help)
    form_help = "coupling degree formula (default: classic)"
    c.add_argument("--form", choices=FORMS, default="classic", help=form_help)
    weights_help = "T = A U_talent + B U_industry (default 0.5 0.5)"
    c.add_argument(
        "--system-weights", nargs=2, type=float, default=[0.5, 0.5], metavar=("A", "B"), help=weights_help
    )
    _common(c)


def _read(args: argparse.Namespace, indicators: list[str]) -> pd.DataFrame:
    from tfp_talent.indices.derived import with_derived
    from tfp_talent.io import read_panel, require_unique_keys

    data = read_panel(args.data)
    if args.id_cols:
        require_unique_keys(data, args.id_cols, file=args.data)
    return with_derived(data, indicators, keys=args.id_cols, file=args.data)


def _ids(data: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    if args.id_cols:
        return data[args.id_cols].reset_index(drop=True)
    return pd.DataFrame({"row": range(len(data))})


def _write(table: pd.DataFrame, weights: dict, args: argparse.Namespace) -> None:
    from tfp_talent.errors import InputError
    from tfp_talent.io import write_frame, write_json

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise InputError(f"cannot write a table with suffix '{out.suffix}' (use .csv or .parquet)", file=out)
    weights_path = Path(args.weights_out) if args.weights_out else out.with_suffix(".weights.json")
    write_frame(table, out)
    write_json({"data": str(args.data), **weights}, weights_path)


def run_entropy(args: argparse.Namespace) -> int:
    from tfp_talent.indices.entropy import entropy_weights

    data = _read(args, args.indicators)
    res = entropy_weights(
        data, args.indicators, args.negative, shift=args.shift, keys=args.id_cols, file=args.data
    )
    parts = [_ids(data, args), res.index.reset_index(drop=True).to_frame()]
    if args.normalised:
        parts.append(res.normalised.reset_index(drop=True).add_suffix("_norm"))
    _write(pd.concat(parts, axis=1), res.to_dict(), args)
    return 0


def run_coupling(args: argparse.Namespace) -> int:
    from tfp_talent.indices.coupling import coupling_coordination

    data = _read(args, [*args.talent, *args.industry])
    res = coupling_coordination(
        data,
        args.talent,
        args.industry,
        args.negative,
        args.system_weights,
        form=args.form,
        shift=args.shift,
        keys=args.id_cols,
        file=args.data,
    )
    table = pd.concat([_ids(data, args), res.table.reset_index(drop=True)], axis=1)
    _write(table, res.to_dict(), args)
    return 0
