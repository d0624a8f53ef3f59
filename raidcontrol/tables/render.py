"""Renderers: a :class:`~raidcontrol.tables.table.Table` as CSV, JSON or a rich table.

Renderers are registered by format name (as datasette registers its output formats):
:func:`register_renderer` adds one (the web service adds ``html``), :func:`render` looks it up.

* CSV: durations as ``H:MM:SS`` (hours may exceed 24; ``.fff`` only when not whole seconds),
  ``None`` as an empty cell; a text cell that a spreadsheet would run as a formula (it starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and is not a plain number or a
  signed duration) is prefixed with ``'``.  Numbers and durations are never touched: a credit
  ``-0:01:35`` stays as it is.
* JSON: a list of objects keyed by column name; ``null`` for none; a duration column ``time`` gives
  ``"time": "H:MM:SS"`` and ``"time_ms": <int>``.
* table: a rich table (numbers right-aligned, highlighted rows in yellow), or its plain text.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from raidcontrol.core.timefmt import format_duration
from raidcontrol.tables.table import Column, Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A text that is only a number or a signed H:MM:SS duration is data, not a formula.
_PLAIN_VALUE = re.compile(r"^[+-]?(\d+(\.\d+)?([eE][+-]?\d+)?|\d+:\d{2}:\d{2}(\.\d{1,3})?)$")


@dataclass(frozen=True)
class Renderer:
    """A named output format: a function from a table to text, and the media type it produces."""

    name: str
    render: Callable[[Table], str]
    media_type: str
    extension: str


_RENDERERS: dict[str, Renderer] = {}


def register_renderer(
    name: str,
    render_fn: Callable[[Table], str],
    media_type: str = "text/plain",
    extension: str | None = None,
) -> Renderer:
    """Register (or replace) the renderer of format ``name``."""
    r = Renderer(name, render_fn, media_type, extension or name)
    _RENDERERS[name] = r
    return r


def renderer(name: str) -> Renderer:
    try:
        return _RENDERERS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r} (known: {', '.join(_RENDERERS)})") from None


def render(table: Table, fmt: str) -> str:
    return renderer(fmt).render(table)


# -- cell formatting ------------------------------------------------------------------------------
def text_cell(column: Column, value: Any) -> str:
    """A value as display text (CSV, rich): ``""`` for none, ``H:MM:SS`` for a duration."""
    if value is None:
        return ""
    if column.type == "duration":
        return format_duration(value)
    if column.type == "bool":
        return "yes" if value else "no"
    if column.type == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if column.type == "float" and isinstance(value, float):
        return (
            str(int(value)) if value.is_integer() else repr(value)
        )  # every digit kept; 413.0 → 413
    return str(value)


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading ``'``."""
    if text.startswith(FORMULA_START) and not _PLAIN_VALUE.match(text):
        return "'" + text
    return text


def csv_cell(column: Column, value: Any) -> str:
    text = text_cell(column, value)
    if column.type in ("str", "json", "datetime") and isinstance(value, (str, dict, list)):
        return neutralise(text)
    return text


def json_value(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "duration":
        return format_duration(value)
    return value


# -- the three built-in renderers ------------------------------------------------------------------
def to_csv(table: Table, *, ms: bool = False) -> str:
    durations = [(i, c) for i, c in enumerate(table.columns) if c.type == "duration"] if ms else []
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    # A carriage return is not a line terminator here, so the minimal quoting would leave it bare:
    # such a (rare) row is written with every field quoted, so that it reads back as written.
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(table.names + [f"{c.name}_ms" for _, c in durations])
    for row in table.rows:
        cells = [csv_cell(c, v) for c, v in zip(table.columns, row)]
        cells += ["" if row[i] is None else str(int(row[i])) for i, _ in durations]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return buf.getvalue()


def json_records(table: Table) -> list[dict[str, Any]]:
    out = []
    for row in table.rows:
        rec: dict[str, Any] = {}
        for c, v in zip(table.columns, row):
            rec[c.name] = json_value(c, v)
            if c.type == "duration":
                rec[f"{c.name}_ms"] = None if v is None else int(v)
        out.append(rec)
    return out


def to_json(table: Table) -> str:
    return json.dumps(json_records(table), indent=1, ensure_ascii=False, default=str) + "\n"


def to_rich(table: Table) -> Any:
    from rich.markup import escape
    from rich.table import Table as RichTable

    out = RichTable(title=table.title or None, caption=table.caption or None, header_style="bold")
    for c in table.columns:
        out.add_column(
            c.name,
            justify="right" if c.numeric else "left",
            no_wrap=c.numeric or c.name == "status",
        )
    for i, row in enumerate(table.rows):
        out.add_row(
            *[escape(text_cell(c, v)) for c, v in zip(table.columns, row)],
            style="yellow" if i in table.highlight else None,
        )
    return out


def to_text(table: Table, width: int = 200) -> str:
    """The rich table as plain text (no colours)."""
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(to_rich(table))
    return console.export_text()


register_renderer("csv", to_csv, "text/csv; charset=utf-8")
register_renderer("json", to_json, "application/json")
register_renderer("table", to_text, "text/plain; charset=utf-8", "txt")
FORMATS = ("table", "csv", "json")
