"""Reading a CSV file row by row with its line numbers, for located errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from raidcontrol.core.errors import InputError


def read_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] | None = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` for each data row; ``optional=None`` accepts any extra column.

    Values are stripped; a row with the wrong number of fields, a missing or unknown
    column is an :class:`InputError` naming the file and line.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", file=name) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError("empty file: a header line is required", file=name, line=1) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", file=name, line=1) from None
    for col in required:
        if col not in header:
            raise InputError(
                f"missing column (header must have {', '.join(required)})",
                file=name,
                line=1,
                field=col,
            )
    if optional is not None:
        for col in header:
            if col not in required and col not in optional:
                raise InputError("unknown column", file=name, line=1, field=col)
    if len(set(header)) != len(header):
        raise InputError("a column is named twice in the header", file=name, line=1)
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", file=name, line=reader.line_num) from None
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise InputError(
                f"{len(fields)} fields where the header has {len(header)}", file=name, line=line
            )
        yield line, {h: v.strip() for h, v in zip(header, fields)}
