"""Shared CLI plumbing: the option types every command uses, output formats, errors.

Option types (one meaning each, everywhere):

* ``EventDir`` — the event folder, as the command's argument; ``EventOpt`` — the same as the
  option ``--event``/``-e`` (commands whose argument is something else);
* ``Db`` — ``--db``, the journal's database URL; ``AsOf`` — ``--as-of``, a moment of the journal;
* ``Format`` — ``--format table|csv|json``, how results are printed (never a file format:
  ``simulate`` writes tracks in ``--track-format``).

Errors: bad input is printed as one line per problem on stderr, ``error: FILE:LINE: field 'F':
message``, never wrapped at the terminal's width, and the exit code is 2.

Nothing heavy is imported here (the start-up of every command goes through this module).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from raidcontrol.core.errors import InputError, RaidcontrolError

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import Console

    from raidcontrol.tables import Table

EXIT_BAD_INPUT = 2


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


EventDir = Annotated[
    Path,
    typer.Argument(
        metavar="EVENT_DIR", help="The event folder (event.toml, entries.csv, times.csv …)."
    ),
]
EventOpt = Annotated[
    Path, typer.Option("--event", "-e", help="The event folder (default: the current folder).")
]
Db = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Journal database URL (default: $RAIDCONTROL_DB, else a SQLite file in the event folder).",
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="As the journal stood at this moment (ISO 8601; without a zone: UTC)."
    ),
]
Format = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        help="How results are printed: table, csv or json (JSON: null for none, times as H:MM:SS and ms).",
    ),
]


_stderr: Console | None = None


def __getattr__(name: str) -> Any:
    """``err_console``: the stderr console (progress bars, notes), made on first use so that
    importing the CLI does not load rich."""
    global _stderr
    if name == "err_console":
        if _stderr is None:
            from rich.console import Console

            _stderr = Console(stderr=True)
        return _stderr
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def error_line(text: str) -> None:
    """One line on stderr, whatever the terminal's width (a located message stays grep-able)."""
    prefix = "\x1b[1;31merror:\x1b[0m " if sys.stderr.isatty() else "error: "
    sys.stderr.write(prefix + " ".join(text.split("\n")) + "\n")
    sys.stderr.flush()


def run_guarded(app: typer.Typer) -> int:
    """Run the app; bad input becomes located messages on stderr (one line each) and exit code 2.

    Usage errors (unknown option, missing argument) also exit with 2, as typer does.
    """
    try:
        app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except InputError as exc:
        for line in exc.located().splitlines():  # InputErrors: one line per problem
            error_line(line)
        return EXIT_BAD_INPUT
    except RaidcontrolError as exc:
        error_line(str(exc))
        return EXIT_BAD_INPUT
    return 0


def parse_as_of(text: str | None) -> datetime | None:
    """The ``--as-of`` option: an ISO 8601 moment (naive = UTC), or None for now."""
    if not text:
        return None
    from raidcontrol.core.timefmt import TimeFormatError, parse_datetime

    try:
        return parse_datetime(text)
    except TimeFormatError as exc:
        raise InputError(str(exc), field="--as-of") from None


class LazyConsole:
    """A rich console made on first use (printing only; pass ``console()`` where a real one is needed)."""

    def __init__(self, **options: Any):
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


def console() -> Console:
    """The stdout console (rich)."""
    from rich.console import Console

    return Console()


def show(table: Table, fmt: OutputFormat, *, ms: bool = False) -> None:
    """Print a table: CSV (``ms``: with ``<duration>_ms`` columns), JSON, or a rich table (without
    the columns that are empty in every row)."""
    if fmt is OutputFormat.csv:
        sys.stdout.write(table.to_csv(ms=ms))
    elif fmt is OutputFormat.json:
        sys.stdout.write(table.to_json())
    else:
        console().print(table.without_empty().to_rich())


def _guess(values: list[Any]) -> str:
    present = [v for v in values if v is not None and v != ""]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int"
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return "float"
    return "str"


def table_of(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str = "",
    caption: str = "",
    highlight_rows: set[int] | None = None,
) -> Table:
    """A :class:`~raidcontrol.tables.Table` from a header and rows (column types read from the values;
    an empty text is "none": an empty CSV cell, JSON ``null``)."""
    from raidcontrol.tables import Column, Table

    columns = [Column(h, _guess([r[i] for r in rows])) for i, h in enumerate(header)]
    cells = tuple(tuple(None if v == "" else v for v in r) for r in rows)
    return Table(tuple(columns), cells, title, caption, frozenset(highlight_rows or ()))


def emit(
    header: Sequence[str],
    rows: list[Sequence[Any]],
    fmt: OutputFormat,
    *,
    title: str = "",
    caption: str = "",
    highlight_rows: set[int] | None = None,
) -> None:
    """Print rows under a header as CSV, JSON (a list of objects) or a rich table."""
    show(table_of(header, rows, title=title, caption=caption, highlight_rows=highlight_rows), fmt)


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return table_of(header, rows).to_csv()
