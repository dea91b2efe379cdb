"""The ``tfp-talent`` command line: reusable estimators on any CSV / Parquet / Stata panel.

Each sub-command lives in its own module with ``register(subparsers)``; the
module's handler returns an exit code. Bad input (:class:`InputError`) prints one
line ``error: ...`` and exits 2; ``--debug`` shows the traceback instead.

Commands, by module of :data:`SUBCOMMAND_MODULES` (each module's docstring says what it reads and writes):

* ``tfp`` (:mod:`tfp_talent.cli.tfp`): Solow, Törnqvist or DEA-Malmquist TFP, written as CSV;
* ``panel``, ``hausman``, ``iv`` (:mod:`tfp_talent.cli.panel`): linear panel models, the FE-RE Hausman
  test and FE-2SLS, written as JSON;
* ``threshold``, ``threshold-combine`` (:mod:`tfp_talent.cli.threshold`): Hansen (1999) panel threshold
  regression and the merging of its bootstrap shards;
* ``gmm`` (:mod:`tfp_talent.cli.gmm`): Arellano-Bond difference and Blundell-Bond system GMM;
* ``entropy``, ``coupling`` (:mod:`tfp_talent.cli.entropy`): entropy-weight index and coupling
  coordination degree, written as a table plus a weights JSON;
* ``moran`` (:mod:`tfp_talent.cli.moran`): Moran's I, Geary's C and LISA by period;
* ``spatial`` (:mod:`tfp_talent.cli.spatial`): fixed-effects SAR / SEM / SDM panels by ML.

Exit codes, the same for every command:

* 0: the output file(s) were written (``--help`` and ``--version`` also exit 0);
* 2: bad input, i.e. an :class:`~tfp_talent.errors.InputError` (file or column missing, value out of
  range, ...), a usage error found by argparse, or no command at all (the overview help is printed);
* 1: any other exception, with Python's traceback (a bug rather than bad input).

Every output is written atomically (:mod:`tfp_talent.io`): a run that fails leaves no partial file and
keeps a previous output of the same name as it was.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from tfp_talent import __version__
from tfp_talent.errors import EXIT_BAD_INPUT, InputError

SUBCOMMAND_MODULES = (
    "tfp_talent.cli.tfp",
    "tfp_talent.cli.panel",
    "tfp_talent.cli.threshold",
    "tfp_talent.cli.gmm",
    "tfp_talent.cli.entropy",
    "tfp_talent.cli.moran",
    "tfp_talent.cli.spatial",
)

EPILOG = """examples:
  tfp-talent panel --data panel.csv --entity id --time year --y y --x x1 x2 --model fe --effects twoway --cov clustered --out fe.json
  tfp-talent threshold --data hansen1999.dta --entity id --time year --y i --x q1 q2 q3 d1 qd1 --rx c1 --qx d1 --thresholds 2 --bootstrap 300 --seed 1 --out thr.json
  tfp-talent tfp --method solow --data panel.csv --entity province --time year --output gdp --capital k --labor l --alpha 0.4 --out tfp.csv

Run 'tfp-talent COMMAND --help' for each command's options."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line on usage errors (its default is also 2).

    Used for the top-level parser and, through ``parser_class``, for every sub-command's parser, so that an
    unknown option or a bad choice in any command prints the usage and a single ``error:`` line.
    """

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage and one ``error:`` line, exit 2 (argparse's own exit code for usage errors)."""
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The ``tfp-talent`` argument parser with every sub-command of :data:`SUBCOMMAND_MODULES`.

    Each module is imported and its ``register(subparsers)`` adds its command(s); the parsed namespace
    carries the command's handler as ``args.handler`` and the global ``--debug`` switch.

    Returns
    -------
    argparse.ArgumentParser
        The top-level parser (``prog`` ``tfp-talent``, ``--version``, ``--debug``, one sub-parser a command).

    A new command is a module with ``register`` (using :func:`tfp_talent.cli.common.add_command`) and a
    handler, plus one entry of :data:`SUBCOMMAND_MODULES`; the modules are imported here, at parse time.
    """
    parser = _Parser(
        prog="tfp-talent",
        description="Panel estimators and TFP measures of the tfp_talent package, on any panel file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI: parse ``argv``, call the sub-command's handler; bad input prints one line and returns 2.

    Parameters
    ----------
    argv
        Command-line words without the program name; None reads ``sys.argv[1:]`` (argparse's default).

    Returns
    -------
    int
        The exit code: the handler's (0 on success), or 2 (:data:`~tfp_talent.errors.EXIT_BAD_INPUT`) when
        no command is given or the handler raises :class:`InputError`. Usage errors exit 2 inside argparse
        (:class:`_Parser`); with ``--debug`` an :class:`InputError` is re-raised with its traceback.

    Examples
    --------
    From Python, e.g. in a test::

        code = main(["tfp", "--method", "solow", "--data", "panel.csv", "--entity", "province",
                     "--time", "year", "--output", "gdp", "--capital", "k", "--labor", "l", "--out", "t.csv"])
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.handler(args) or 0)
    except InputError as err:
        if args.debug:
            raise
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
