"""A batch of live fixes from bytes: JSON lines, CSV or Arrow IPC (``bib,time,lat,lon[,speed]``).

Every batch is validated exactly as the track files are (:func:`raidcontrol.io.tracks.read_fleet`:
the same columns, time formats, ranges and located errors), so a fix the batch check would refuse
is refused live too.  Errors name ``source`` (the request or the dropped file), the line (CSV,
JSON lines) or row (Arrow) and the field; nothing of a bad batch is kept.

Content types (``;`` parameters ignored): ``text/csv``; ``application/x-ndjson``,
``application/jsonl``, ``application/json-lines``; ``application/vnd.apache.arrow.stream``,
``application/vnd.apache.arrow.file``.  File suffixes for a drop folder: ``.csv``, ``.jsonl``,
``.ndjson``, ``.arrow``, ``.arrows``, ``.parquet``.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

from raidcontrol.core.errors import InputError
from raidcontrol.tracking.model import Fleet

CSV_TYPES = ("text/csv", "application/csv")
JSONL_TYPES = (
    "application/x-ndjson",
    "application/jsonl",
    "application/json-lines",
    "application/x-jsonlines",
)
ARROW_TYPES = ("application/vnd.apache.arrow.stream", "application/vnd.apache.arrow.file")
SUFFIX_TYPES = {
    ".csv": CSV_TYPES[0],
    ".jsonl": JSONL_TYPES[0],
    ".ndjson": JSONL_TYPES[0],
    ".arrows": ARROW_TYPES[0],
    ".arrow": ARROW_TYPES[1],
    ".parquet": "application/vnd.apache.parquet",
}
COLUMNS = ("bib", "time", "lat", "lon", "speed")
_SCRATCH = (
    "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
)  # memory, when there


def content_type_of(path: Path) -> str:
    """The content type of a dropped file, by its suffix."""
    try:
        return SUFFIX_TYPES[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"unknown fix file type {path.suffix or '(none)'!r}; use one of {', '.join(SUFFIX_TYPES)}",
            file=str(path),
        ) from None


def parse_fixes(data: bytes, content_type: str, source: str = "request") -> Fleet:
    """The fixes of one batch as a fleet (grouped by bib, arrival order kept within a crew)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in CSV_TYPES:
        _check_utf8(data, source)
        return _via_file(data, ".csv", source)
    if kind in JSONL_TYPES:
        return _via_table(_jsonl_table(data, source), source)
    if kind in ARROW_TYPES:
        return _via_table(_arrow_table(data, kind, source), source)
    if kind == SUFFIX_TYPES[".parquet"]:
        return _via_file(data, ".parquet", source)
    raise InputError(
        f"unsupported content type {content_type!r}: send CSV ({CSV_TYPES[0]}), JSON lines "
        f"({JSONL_TYPES[0]}) or Arrow IPC ({ARROW_TYPES[0]})",
        file=source,
        field="content-type",
    )


def merge_fleets(fleets: list[Fleet]) -> Fleet:
    """Several batches as one (each crew's fixes in arrival order)."""
    if len(fleets) == 1:
        return fleets[0]
    import numpy as np

    cols = [
        np.concatenate([getattr(f, c) for f in fleets])
        for c in ("bib", "t_ms", "lat", "lon", "speed_kmh")
    ]
    return Fleet.from_columns(*cols, source=", ".join(f.source for f in fleets))


def _reader_slips() -> tuple[type[BaseException], ...]:
    import pyarrow as pa

    return (
        pa.ArrowInvalid,
        pa.ArrowNotImplementedError,
        UnicodeDecodeError,
        ValueError,
        OverflowError,
    )


def _check_utf8(data: bytes, source: str) -> None:
    """CSV must be UTF-8 text (the line of the first byte that is not)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            "not UTF-8 text", file=source, line=data.count(b"\n", 0, exc.start) + 1
        ) from None


def _via_file(data: bytes, suffix: str, source: str) -> Fleet:
    from raidcontrol.io.tracks import read_fleet

    slips = _reader_slips()
    if not data.strip():
        return Fleet.from_columns([], [], [], [], source=source)
    with tempfile.TemporaryDirectory(prefix="raidcontrol-fixes-", dir=_SCRATCH) as tmp:
        path = Path(tmp) / f"batch{suffix}"
        path.write_bytes(data)
        try:
            fleet = read_fleet(path)
        except InputError as exc:
            raise InputError(
                exc.message.replace(str(path), source), file=source, line=exc.line, field=exc.field
            ) from None
        except slips as exc:  # a value the reader's own checks let through: still refused
            raise InputError(
                f"unreadable fixes: {str(exc).replace(str(path), source)}", file=source
            ) from None
    fleet.source = source
    return fleet


def _via_table(table, source: str) -> Fleet:
    import pyarrow.parquet as pq

    if table.num_rows == 0:
        return Fleet.from_columns([], [], [], [], source=source)
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return _via_file(buf.getvalue(), ".parquet", source)


def _jsonl_table(data: bytes, source: str):
    """JSON lines → a table of the known columns (each line an object; errors located by line)."""
    import pyarrow as pa

    rows: dict[str, list] = {c: [] for c in COLUMNS}
    for n, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            raise InputError("an empty line (one JSON object per line)", file=source, line=n)
        try:
            obj = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", file=source, line=n) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc.msg}", file=source, line=n) from None
        if not isinstance(obj, dict):
            raise InputError(
                "each line must be a JSON object {bib, time, lat, lon[, speed]}",
                file=source,
                line=n,
            )
        for c in COLUMNS:
            value = obj.get(c, obj.get("speed_kmh") if c == "speed" else None)
            text = None if value is None else str(value)
            rows[c].append(text if text and text.strip() else None)  # empty = none, as in CSV
    present = [c for c in COLUMNS if c != "speed" or any(v is not None for v in rows[c])]
    return pa.table({c: pa.array(rows[c], pa.string()) for c in present})


def _arrow_table(data: bytes, kind: str, source: str):
    import pyarrow as pa

    try:
        reader = (
            pa.ipc.open_stream(data)
            if kind == ARROW_TYPES[0]
            else pa.ipc.open_file(pa.BufferReader(data))
        )
        return reader.read_all()
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"not a readable Arrow IPC {'stream' if kind == ARROW_TYPES[0] else 'file'}: {exc}",
            file=source,
        ) from None
