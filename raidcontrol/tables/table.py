"""The :class:`Table`: typed, documented columns and rows of plain values (pure data).

Column types (``Column.type``):

* ``int``, ``float``, ``bool`` — numbers and flags, as they are;
* ``str`` — text (CSV neutralises text that a spreadsheet would run as a formula);
* ``duration`` — a signed duration in integer milliseconds; shown as ``H:MM:SS`` text, and in
  JSON both as that text and as ``<name>_ms``;
* ``datetime`` — an ISO 8601 text;
* ``json`` — any JSON-able value (a dict, a list), e.g. evidence.

``None`` is "none" in every type: an empty CSV cell, JSON ``null``, an empty rich cell.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

COLUMN_TYPES = ("int", "float", "bool", "str", "duration", "datetime", "json")


@dataclass(frozen=True)
class Column:
    """One column: its name (the CSV header and JSON key), type (see the module), unit
    (``ms``, ``km/h`` … or empty) and a one-line description."""

    name: str
    type: str = "str"
    unit: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(
                f"column {self.name!r}: unknown type {self.type!r} (known: {', '.join(COLUMN_TYPES)})"
            )
        if self.type == "duration" and not self.unit:
            object.__setattr__(self, "unit", "ms")

    @property
    def numeric(self) -> bool:
        """Right-aligned in a rich table."""
        return self.type in ("int", "float", "duration")


@dataclass(frozen=True, repr=False)
class Table:
    """Named, typed columns and rows (tuples in column order).

    ``title`` and ``caption`` are shown above and below a rich table; ``highlight`` holds the
    indexes of rows to stand out (a flagged crew, a proposal awaiting a decision).
    """

    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...] = ()
    title: str = ""
    caption: str = ""
    highlight: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        object.__setattr__(self, "highlight", frozenset(self.highlight))
        width = len(self.columns)
        names = [c.name for c in self.columns]
        if len(set(names)) != width:
            raise ValueError(f"duplicate column names in {names}")
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"row {i} has {len(row)} values for {width} columns")

    def __repr__(self) -> str:
        names = ", ".join(self.names[:6]) + (", …" if len(self.columns) > 6 else "")
        title = f" {self.title!r}" if self.title else ""
        return f"<Table{title}: {len(self.rows)} rows × {len(self.columns)} columns ({names})>"

    def __str__(self) -> str:
        from raidcontrol.tables.render import to_text

        return to_text(self)

    # -- reading -----------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_records())

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"no column {name!r} (columns: {', '.join(self.names)})")

    def values(self, name: str) -> list[Any]:
        """One column's values, in row order."""
        i = self.names.index(self.column(name).name)
        return [r[i] for r in self.rows]

    def to_records(self) -> list[dict[str, Any]]:
        """The rows as dicts of plain values (durations in ms, ``None`` for none)."""
        names = self.names
        return [dict(zip(names, r)) for r in self.rows]

    # -- reshaping -----------------------------------------------------------------------------
    def select(self, names: Sequence[str]) -> Table:
        """Only these columns, in this order."""
        cols = [self.column(n) for n in names]
        index = [self.names.index(n) for n in names]
        return replace(
            self, columns=tuple(cols), rows=tuple(tuple(r[i] for i in index) for r in self.rows)
        )

    def without_empty(self) -> Table:
        """Without the columns that are none in every row (a human view; CSV and JSON keep them)."""
        if not self.rows:
            return self
        keep = [
            c.name for i, c in enumerate(self.columns) if any(r[i] is not None for r in self.rows)
        ]
        return self if len(keep) == len(self.columns) else self.select(keep)

    def head(self, n: int) -> Table:
        return replace(
            self, rows=self.rows[:n], highlight=frozenset(i for i in self.highlight if i < n)
        )

    def with_title(self, title: str, caption: str | None = None) -> Table:
        return replace(self, title=title, caption=self.caption if caption is None else caption)

    def concat(self, other: Table) -> Table:
        """This table's rows then the other's (same columns)."""
        if other.columns != self.columns:
            raise ValueError("tables with different columns")
        offset = len(self.rows)
        return replace(
            self,
            rows=self.rows + other.rows,
            highlight=self.highlight | {i + offset for i in other.highlight},
        )

    # -- rendering (see raidcontrol.tables.render) ------------------------------------------------
    def to_csv(self, *, ms: bool = False) -> str:
        """CSV text; ``ms=True`` adds a ``<name>_ms`` integer column after the others for each duration."""
        from raidcontrol.tables.render import to_csv

        return to_csv(self, ms=ms)

    def to_json(self) -> str:
        """A JSON list of objects; durations both as ``H:MM:SS`` text and as ``<name>_ms``."""
        from raidcontrol.tables.render import to_json

        return to_json(self)

    def to_rich(self) -> Any:
        """A :class:`rich.table.Table` (printed by a rich console)."""
        from raidcontrol.tables.render import to_rich

        return to_rich(self)

    def render(self, fmt: str) -> str:
        """Text in a registered format (``csv``, ``json``, ``table`` …)."""
        from raidcontrol.tables.render import render

        return render(self, fmt)

    def describe(self) -> Table:
        """The columns themselves as a table: name, type, unit, description."""
        cols = (Column("name"), Column("type"), Column("unit"), Column("description"))
        return Table(
            cols,
            tuple((c.name, c.type, c.unit, c.description) for c in self.columns),
            title=f"Columns of {self.title}" if self.title else "Columns",
        )
