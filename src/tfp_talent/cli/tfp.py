"""`tfp-talent tfp`: Solow, Törnqvist or DEA-Malmquist TFP on any panel file.

Reads the panel of ``--data`` (CSV, Parquet or Stata ``.dta``), checks that every named column exists,
calls :func:`tfp_talent.tfp.measure.measure_tfp` and writes the CSV of ``--out`` atomically (columns
listed in the command's description). Exit codes: 0 written, 2 bad input (one ``error:`` line, no file).
"""

from __future__ import annotations

import argparse

from tfp_talent.cli.common import add_command, add_out, add_panel_input, options, require_out_suffix
from tfp_talent.errors import InputError
from tfp_talent.io import read_panel, write_frame
from tfp_talent.tfp.measure import measure_tfp
from tfp_talent.tfp.methods import METHODS

DESCRIPTION = """Total factor productivity of every entity and period of a panel (countries,
provinces, cities, firms), by one of three methods:

  solow      ln A = ln Y - alpha ln K - (1 - alpha) ln(hL)                 (Solow 1957)
  tornqvist  dln A = dln Y - (1 - s) dln K - s dln(hL), s = two-period mean labour share
                                                                        (Tornqvist; Diewert 1976)
  malmquist  output-oriented CRS DEA-Malmquist index M = EC x TC, inputs K and hL,
             LPs solved with SciPy/HiGHS                       (Fare, Grosskopf, Norris & Zhang 1994)

Output, capital and labour (and --hc) must be > 0; keys (entity, time) unique; for
tornqvist and malmquist no entity may skip a period between its first and last one.
The CSV written has the entity and time columns (named as in the input), tfp_growth
(log growth; ln M for malmquist) and ln_tfp (a level for solow; the cumulated index,
0 in an entity's first period, otherwise), plus efficiency_change and technical_change
for malmquist (and pure_efficiency_change, scale_efficiency_change with --vrs)."""

EXAMPLES = """examples:
  tfp-talent tfp --method solow --data panel.csv --entity province --time year \\
      --output gdp --capital k --labor l --hc h --alpha 0.4 --out tfp_solow.csv
  tfp-talent tfp --method tornqvist --data panel.parquet --entity country --time year \\
      --output rgdpna --capital rnna --labor emp --hc hc --labor-share labsh --out tfp_tq.csv
  tfp-talent tfp --method malmquist --data firms.dta --entity firm --time year \\
      --output sales --capital assets --labor workers --frontier sequential --vrs --out tfp_dea.csv

Bad input (unknown column, non-positive values, duplicate keys, a labour share outside
(0, 1), a missing period for tornqvist/malmquist) stops with one line 'error: ...',
exit code 2, and no output file."""

BASE_COLUMNS = ["tfp_growth", "ln_tfp"]
#: Index decompositions written when the method returns them (malmquist: EC × TC; with --vrs EC = PEC × SEC).
DECOMPOSITION_COLUMNS = [
    "efficiency_change",
    "technical_change",
    "pure_efficiency_change",
    "scale_efficiency_change",
]


HELP = "TFP by Solow residual, Tornqvist index or DEA-Malmquist index on any panel"
ALPHA_HELP = "capital elasticity (solow; default 0.4) or constant capital share 1 - s (tornqvist)"
FRONTIERS = ("contemporaneous", "sequential")
FIT_OPTIONS = ["method", "entity", "time", "output", "capital", "hc", "alpha", "vrs", "workers"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `tfp` sub-command to the CLI.

    ``--labor-share`` (a column, Törnqvist) and ``--alpha`` (a constant) exclude each other; ``--frontier``,
    ``--vrs`` and ``--workers`` apply to the methods whose registry entry takes them (malmquist);
    :func:`~tfp_talent.tfp.measure.measure_tfp` refuses them for the others.
    ``--labour`` and ``--labour-share`` are accepted as spellings of ``--labor`` and ``--labor-share``;
    the handler reads them as ``args.labor`` and ``args.labor_share`` and passes them to
    :func:`~tfp_talent.tfp.measure.measure_tfp` as ``labour`` and ``labour_share``.
    """
    p = add_command(subparsers, "tfp", run, HELP, DESCRIPTION, EXAMPLES)
    p.add_argument("--method", required=True, choices=METHODS, help="TFP method")
    add_panel_input(p, "entity column (province, country, firm, ...)", "time column (e.g. year)")
    p.add_argument("--output", required=True, metavar="COL", help="real output Y")
    p.add_argument("--capital", required=True, metavar="COL", help="real capital stock K")
    p.add_argument("--labor", "--labour", dest="labor", required=True, metavar="COL", help="labour input L")
    p.add_argument("--hc", metavar="COL", help="human capital per worker h (effective labour = h*L)")
    shares = p.add_mutually_exclusive_group()
    share_help = "labour share of income in (0, 1) (tornqvist)"
    shares.add_argument("--labor-share", "--labour-share", dest="labor_share", metavar="COL", help=share_help)
    shares.add_argument("--alpha", type=float, metavar="A", help=ALPHA_HELP)
    frontier_help = "malmquist frontier (default contemporaneous)"
    p.add_argument("--frontier", choices=FRONTIERS, default=None, help=frontier_help)
    p.add_argument("--vrs", action="store_true", help="malmquist: add the VRS pure/scale efficiency split")
    workers_help = "malmquist: processes for the LPs (default 1)"
    p.add_argument("--workers", type=int, default=1, metavar="N", help=workers_help)
    add_out(p, "output CSV", metavar="FILE.csv")


def run(args: argparse.Namespace) -> int:
    """Read the panel, measure TFP, write the CSV atomically; bad input raises InputError (exit 2).

    Checks, in order and before reading the data: ``--out`` ends in ``.csv``; ``--workers`` >= 1. After
    reading: ``--frontier``, ``--vrs`` and ``--workers`` are given only with a method that takes them
    (:func:`~tfp_talent.tfp.measure.measure_tfp`, from the registry); every column named by ``--entity``, ``--time``, ``--output``, ``--capital``, ``--labor``, ``--hc`` and
    ``--labor-share`` exists (all missing ones named in one message). The formulas are those of the
    command's description (Solow 1957 residual, Törnqvist index, DEA-Malmquist of Färe, Grosskopf, Norris
    & Zhang 1994, M = EC × TC), computed by :func:`~tfp_talent.tfp.measure.measure_tfp`.

    Returns 0 after writing the entity and time columns, ``tfp_growth`` and ``ln_tfp``, plus those of
    :data:`DECOMPOSITION_COLUMNS` the method returns (malmquist: EC and TC; with ``--vrs`` also PEC and SEC).

    Column meanings: ``tfp_growth`` is Δ ln A_it from t − 1 to t (ln M for malmquist; empty in an entity's
    first period); ``ln_tfp`` is ln A for solow (a level, comparable across entities only up to the
    units of Y, K and L) and the cumulated growth Σ_{s ≤ t} Δ ln A_is for the indices, 0 in an entity's
    first period. ``efficiency_change`` (EC, catching up with the frontier) and ``technical_change`` (TC,
    the shift of the frontier) multiply to M; with ``--vrs`` EC = PEC × SEC, pure and scale efficiency.
    ``--frontier sequential`` builds period t's frontier from every observation of periods ≤ t, which
    rules out technical regress (Tulkens & Vanden Eeckaut 1995; Shestalova 2003).

    The first example of ``tfp-talent tfp --help`` computes, in Python::

        out = measure_tfp(read_panel("panel.csv"), method="solow", entity="province", time="year",
                          output="gdp", capital="k", labour="l", hc="h", alpha=0.4, labour_share=None,
                          frontier="contemporaneous", vrs=False, workers=1, source="panel.csv")
        write_frame(out[["province", "year", "tfp_growth", "ln_tfp"]], "tfp_solow.csv")
    """
    require_out_suffix(args, ".csv")
    if args.workers < 1:
        raise InputError(f"--workers must be >= 1, got {args.workers}")
    frame = read_panel(args.data)
    columns = {
        "--entity": args.entity,
        "--time": args.time,
        "--output": args.output,
        "--capital": args.capital,
        "--labor": args.labor,
        "--hc": args.hc,
        "--labor-share": args.labor_share,
    }
    unknown = [
        f"{opt} {col!r}" for opt, col in columns.items() if col is not None and col not in frame.columns
    ]
    if unknown:
        raise InputError(
            f"no such column(s): {', '.join(unknown)}; available: {', '.join(map(str, frame.columns[:30]))}",
            file=args.data,
        )
    result = measure_tfp(
        frame,
        labour=args.labor,
        labour_share=args.labor_share,
        frontier=args.frontier or "contemporaneous",
        source=args.data,
        **options(args, *FIT_OPTIONS),
    )
    decompositions = [c for c in DECOMPOSITION_COLUMNS if c in result.columns]
    cols = [args.entity, args.time, *BASE_COLUMNS, *decompositions]
    write_frame(result[cols], args.out)
    return 0
