"""One error type for bad input, so every stage reports problems the same way.

A :class:`InputError` names the file, the column and the offending rows and says
what to do. The CLI and the workflow scripts print ``str(err)`` on one line and
exit with code 2; nothing else in the package prints tracebacks for bad input.

Example (a raw file whose header states another unit)::

    data/raw/x.csv: column '地区生产总值(亿元)': unit is '万元', expected '亿元'

:data:`EXIT_BAD_INPUT` is that exit code (:func:`tfp_talent.logs.script_run` uses it);
:data:`MAX_ROWS_SHOWN` rows at most are listed, the rest counted (``and 2 more``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2
MAX_ROWS_SHOWN = 8


class InputError(ValueError):
    """Bad input: a file, config value, column or row the package cannot use.

    Parameters
    ----------
    problem
        What is wrong, in plain words.
    file
        The file (or config key) the problem is in.
    column
        The column (or variable) concerned.
    rows
        Offending rows: row labels, ``(entity, time)`` keys or names.
    hint
        What the user can do about it.

    The arguments are kept as attributes of the same names (``file`` as text, ``rows`` as a
    list). A subclass of ``ValueError``, so code that catches ``ValueError`` also catches it.

    Raise it where the problem is found, with the most specific place known: the raw file and
    header for a data problem, the config file and dotted key (``shift_share.lag``) for a
    setting, the (entity, time) keys of the offending rows.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | Path | None = None,
        column: str | Sequence[str] | None = None,
        rows: Iterable[object] | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = None if file is None else str(file)
        self.column = column
        self.rows = None if rows is None else list(rows)
        self.hint = hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message: ``file: column 'c': problem (rows: ...); hint``.

        Parts that are not given are left out; several columns read ``columns 'a', 'b':``; tuple
        rows print as ``(110000, 2005, 1.2)``; after :data:`MAX_ROWS_SHOWN` rows ``and N more``.
        """
        parts: list[str] = []
        if self.file:
            parts.append(f"{self.file}:")
        if self.column is not None:
            cols = [self.column] if isinstance(self.column, str) else list(self.column)
            label = "column" if len(cols) == 1 else "columns"
            parts.append(f"{label} {', '.join(repr(c) for c in cols)}:")
        parts.append(self.problem)
        if self.rows:
            shown = ", ".join(_format_row(r) for r in self.rows[:MAX_ROWS_SHOWN])
            more = len(self.rows) - MAX_ROWS_SHOWN
            extra = f" and {more} more" if more > 0 else ""
            parts.append(f"(rows: {shown}{extra})")
        if self.hint:
            parts.append(f"; {self.hint}")
        return " ".join(parts).replace(" ;", ";")

    def __str__(self) -> str:
        """:attr:`message`."""
        return self.message


def _format_row(row: object) -> str:
    """A row label as text; a tuple as ``(a, b, c)`` without quotes."""
    if isinstance(row, tuple):
        return "(" + ", ".join(str(x) for x in row) + ")"
    return str(row)
