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

The weights are "global": one min-max normalisation and one entropy over all rows pooled (every
entity-period), so index values of different years are comparable. Exit codes: 0 written, 2 bad input
(missing or non-numeric indicator, duplicate ``--id-cols`` keys, an indicator without dispersion, a
bad suffix), with nothing written.
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
    """The options ``entropy`` and ``coupling`` share: ``--data``, ``--negative``, ``--id-cols``, ``--shift``,
    ``--out`` and ``--weights-out`` (defaults and meaning in the module docstring).
    """
    p.add_argument("--data", required=True, help=PANEL_FILE)
    p.add_argument("--negative", nargs="+", default=[], metavar="COL", help="negative (cost-type) indicators")
    p.add_argument("--id-cols", nargs="+", default=[], metavar="COL", help="key columns copied to the output")
    shift_help = f"added to x' before logs (default {DEFAULT_SHIFT:g})"
    p.add_argument("--shift", type=float, default=DEFAULT_SHIFT, help=shift_help)
    add_out(p, "output table: .csv or .parquet")
    weights_help = "weights JSON (default: OUT with suffix .weights.json)"
    p.add_argument("--weights-out", default=None, help=weights_help)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `entropy` and `coupling` sub-commands to the CLI.

    ``entropy`` takes ``--indicators`` (and ``--normalised``); ``coupling`` takes ``--talent``,
    ``--industry``, ``--form`` (:data:`tfp_talent.indices.coupling.FORMS`) and ``--system-weights A B``.
    Both then take the options of :func:`_common`, so ``--negative``, ``--id-cols``, ``--shift`` and the
    output options mean the same in the two commands.
    """
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
    """``--data`` with the :data:`~tfp_talent.indices.derived.DERIVED` ``indicators`` it lacks computed.

    With ``--id-cols`` the key columns must be present, non-missing and unique
    (:func:`tfp_talent.io.require_unique_keys`), else :class:`InputError`; unknown indicator names are left
    for the estimator's missing-column check.
    """
    from tfp_talent.indices.derived import with_derived
    from tfp_talent.io import read_panel, require_unique_keys

    data = read_panel(args.data)
    if args.id_cols:
        require_unique_keys(data, args.id_cols, file=args.data)
    return with_derived(data, indicators, keys=args.id_cols, file=args.data)


def _ids(data: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """The key columns of the output: ``--id-cols`` of ``data``, or ``row`` = 0, ..., n - 1 without them."""
    if args.id_cols:
        return data[args.id_cols].reset_index(drop=True)
    return pd.DataFrame({"row": range(len(data))})


def _write(table: pd.DataFrame, weights: dict, args: argparse.Namespace) -> None:
    """Write ``table`` to ``--out`` and ``{"data": FILE, **weights}`` to the weights JSON, atomically.

    The weights file is ``--weights-out`` or ``--out`` with its suffix replaced by ``.weights.json``.
    Raises :class:`InputError` before writing anything when ``--out`` is not ``.csv``, ``.parquet`` or
    ``.pq``.
    """
    from tfp_talent.errors import InputError
    from tfp_talent.io import write_frame, write_json

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise InputError(f"cannot write a table with suffix '{out.suffix}' (use .csv or .parquet)", file=out)
    weights_path = Path(args.weights_out) if args.weights_out else out.with_suffix(".weights.json")
    write_frame(table, out)
    write_json({"data": str(args.data), **weights}, weights_path)


def run_entropy(args: argparse.Namespace) -> int:
    """``tfp-talent entropy``: the global entropy-weight index S_i = Σ_j w_j (x'_ij + shift) of every row.

    Reads ``--data`` (:func:`_read`), estimates the weights w_j = d_j / Σ_k d_k, d_j = 1 - e_j, over all
    rows pooled with :func:`tfp_talent.indices.entropy.entropy_weights` (formulas in that module), and
    writes

    * ``--out``: the id columns (:func:`_ids`), ``entropy_index`` and, with ``--normalised``, every
      indicator's x'_j + shift as ``<indicator>_norm``;
    * the weights JSON: ``data``, the indicators, ``negative``, ``shift``, ``nobs``, the weights and entropies
      (:meth:`~tfp_talent.indices.entropy.EntropyResult.to_dict`).

    Returns 0; bad input (missing or non-numeric column, duplicate keys, an indicator without dispersion,
    a bad ``--out`` suffix) raises :class:`InputError`, which :func:`tfp_talent.cli.main` turns into exit 2.

    The first example of ``tfp-talent entropy --help`` computes, in Python::

        res = entropy_weights(data, ["tertiary_share", "avg_school_years", "he_graduates_per10k"], [],
                              shift=DEFAULT_SHIFT, keys=["province", "year"])
        res.index, res.weights          # per-row index, weight per indicator
    """
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
    """``tfp-talent coupling``: coupling coordination of the talent and industry subsystems, row by row.

    Each subsystem's index U is a global entropy index of its indicators (``--negative`` reversed in
    either); then C (``--form``: classic C = 2 √(U₁ U₂) / (U₁ + U₂), or the Wang et al. 2021 correction),
    T = A U_talent + B U_industry with ``--system-weights A B``, D = √(C T), the band of D and the mismatch
    1 - D, by :func:`tfp_talent.indices.coupling.coupling_coordination` (formulas and sources there).

    Writes ``--out`` (the id columns, then the result table: U_talent, U_industry, C, T, D, the band columns,
    mismatch and the gap U_talent - U_industry) and the weights JSON (``data``, ``form``,
    ``system_weights``, each subsystem's weights, ``nobs``, ``D_mean`` and the count of rows per band).
    Returns 0; bad input raises :class:`InputError` (exit 2).

    In Python, with the talent and industry indicator lists of the first ``--help`` example::

        res = coupling_coordination(data, talent, industry, [], [0.5, 0.5], form="classic",
                                    shift=DEFAULT_SHIFT, keys=["province", "year"])
        res.table[["U_talent", "U_industry", "C", "T", "D", "band"]]
    """
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
