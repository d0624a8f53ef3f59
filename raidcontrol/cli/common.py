"""Shared CLI plumbing: error → exit code 2, output formats (CSV, JSON, rich tables)."""
from __future__ import annotations

import csv
import io
import json
import sys
from enum import Enum
from typing import Any, Iterable, Sequence

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from raidcontrol.core.errors import InputError, RaidcontrolError
from raidcontrol.core.timefmt import TimeFormatError, parse_datetime

EXIT_BAD_INPUT = 2

err_console = Console(stderr=True)


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def run_guarded(app: typer.Typer) -> int:
    """Run the app; bad input becomes a located message on stderr and exit code 2.

    Usage errors (unknown option, missing argument) also exit with 2, as typer does.
    """
    try:
        app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except InputError as exc:
        for line in exc.located().splitlines():  # InputErrors: one line per problem
            err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False)
        return EXIT_BAD_INPUT
    except RaidcontrolError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return EXIT_BAD_INPUT
    return 0


def parse_as_of(text: str | None):
    """The ``--as-of`` option: an ISO 8601 moment (naive = UTC), or None for now."""
    if not text:
        return None
    try:
        return parse_datetime(text)
    except TimeFormatError as exc:
        raise InputError(str(exc), field="--as-of") from None


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def emit(header: Sequence[str], rows: list[Sequence[Any]], fmt: OutputFormat, *, title: str = "",
         caption: str = "", highlight_rows: set[int] | None = None) -> None:
    """Print a table as CSV, JSON (a list of objects) or a rich table."""
    if fmt is OutputFormat.csv:
        sys.stdout.write(csv_text(header, rows))
    elif fmt is OutputFormat.json:
        sys.stdout.write(json.dumps([dict(zip(header, r)) for r in rows], indent=1, ensure_ascii=False) + "\n")
    else:
        table = Table(title=title or None, caption=caption or None, header_style="bold")
        numeric = {"position", "bib", "time", "gap", "penalty", "points"}
        for h in header:
            table.add_column(h, justify="right" if h in numeric else "left", no_wrap=h in numeric or h == "status")
        for i, r in enumerate(rows):
            table.add_row(*["" if v is None else escape(str(v)) for v in r], style="yellow" if highlight_rows and i in highlight_rows else None)
        Console().print(table)
