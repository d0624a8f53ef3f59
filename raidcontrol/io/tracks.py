"""Track import: a fleet's GPS fixes from GPX, CSV or Parquet (chosen by the file's suffix).

Columns of CSV and Parquet files (one row per fix):

==========  ==========================================================================
bib         the crew's race number (integer)
time        the fix's instant: ISO 8601 (``2026-01-05T08:00:01Z``; naive = UTC) or integer
            epoch milliseconds; for Parquet also a timestamp column (``t_ms`` is read too)
lat, lon    WGS84 decimal degrees
speed       optional device speed in km/h (``speed_kmh`` is read too); empty = none
==========  ==========================================================================

GPX tracks are streamed (never a whole DOM; :mod:`raidcontrol.io.gpx_tracks`): every ``<trk>``
is one crew whose bib is its ``<name>`` when numeric, else the file name's stem.  ``<speed>`` of a ``<trkpt>``
(GPX 1.0, or an extension such as Garmin's) is in m/s.  A folder is read as all its
``*.gpx`` files.

The fleet comes back grouped by bib, each crew's fixes in file order — or, with
``sort_by_time=True``, sorted by time in place (``fleet.reordered`` counts the fixes per
crew that came out of order).  The check sorts what is left unsorted, drops duplicate
fixes and reports both.  Bad input (a fix without time, a
NaN or out-of-range coordinate, a number not in ASCII digits, an instant outside
2000–2100, corrupt XML, a DTD) raises :class:`InputError` naming the file, the line (CSV,
GPX) or row (Parquet) and the field.  Bibs are whole numbers 0 … 2³¹−1 in ASCII digits.
"""

from __future__ import annotations

import itertools
import mmap
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from raidcontrol.core.errors import InputError
from raidcontrol.io.gpx_tracks import instant_ms, read_gpx
from raidcontrol.io.hardening import (
    ASCII_DECIMAL,
    INT32_MAX,
    MAX_INSTANT_MS,
    MIN_INSTANT_MS,
    ascii_int,
    ascii_number,
    instant_in_window,
)
from raidcontrol.io.stage_files import TRACK_SUFFIXES
from raidcontrol.tracking.model import Fleet

_CSV_TYPED = {
    "bib": pa.dictionary(pa.int32(), pa.string()),
    "time": pa.timestamp("ms", tz="UTC"),
    "lat": pa.float64(),
    "lon": pa.float64(),
    "speed": pa.float64(),
    "speed_kmh": pa.float64(),
}
_CSV_TEXT = dict.fromkeys(_CSV_TYPED, pa.string())
_ASCII_INTEGER = re.compile(r"[0-9]+", re.ASCII)
_CSV_SCANNED = (b"bib,time,lat,lon", b"bib,time,lat,lon,speed")  # headers the compiled pass reads


def read_fleet(path: str | Path, sort_by_time: bool = False, progress=None) -> Fleet:
    """Read a fleet file (``.parquet``, ``.csv`` or ``.gpx``) or a folder of GPX files.

    Crews come grouped by bib; within a crew the fixes keep the file's order, unless
    ``sort_by_time``: then they are sorted by time in place as the file is read (no copy of
    the fleet) and ``fleet.reordered`` counts the fixes per crew that came out of order — the
    check then has nothing left to sort.  ``progress(rows_read, rows)`` is called after each
    Parquet row group."""
    fleet = _read_any(Path(path), progress)
    if sort_by_time:
        from raidcontrol.tracking.check import sort_fleet_in_place

        sort_fleet_in_place(fleet)
    return fleet


def _read_any(path: Path, progress=None) -> Fleet:
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.gpx"))
        if not files:
            raise InputError("the folder holds no .gpx track", file=str(path))
        parts = [read_gpx(f) for f in files]
        return Fleet.from_columns(
            *(np.concatenate([p[i] for p in parts]) for i in range(5)), source=str(path)
        )
    suffix = path.suffix.lower()
    if suffix not in TRACK_SUFFIXES:
        raise InputError(
            f"unknown track format {suffix or '(none)'!r}; use one of {', '.join(TRACK_SUFFIXES)}",
            file=str(path),
        )
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    if suffix == ".gpx":
        return Fleet.from_columns(*read_gpx(path), source=str(path))
    if suffix == ".csv":
        return _read_csv(path)
    return _read_parquet(path, progress)


# --- validation shared by the columnar readers -------------------------------------------------


def _row(unit: str, n: int) -> str:
    """A row number in the message for Parquet (the location shows a CSV line already)."""
    return f"row {n}: " if unit == "row" else ""


def _check_coordinates(
    lat: np.ndarray, lon: np.ndarray, file: str, first_line: int, unit: str
) -> None:
    """Raise at the first NaN or out-of-range coordinate (``first_line`` = line of row 0)."""
    for name, values, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if not values.shape[0] or (values.min() >= -limit and values.max() <= limit):
            continue  # min and max are NaN when a value is: a NaN fails the test
        bad = ~(np.abs(values) <= limit)  # NaN compares False, so it is bad too
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(
                f"{_row(unit, first_line + i)}{name} must be a number within ±{limit:g} degrees, "
                f"not {float(values[i])!r}",
                file=file,
                line=first_line + i,
                field=name,
            )


def _first_null(arr: pa.Array | pa.ChunkedArray) -> int:
    return int(np.argmax(np.asarray(arr.is_null())))


def _first_false(mask: pa.Array | pa.ChunkedArray | np.ndarray) -> int:
    return int(np.argmin(np.asarray(mask)))


def _check_window(t_ms: np.ndarray, file: str, first_line: int, unit: str) -> np.ndarray:
    """``t_ms`` when every instant lies in the readers' window (2000 … 2100), else the first that does not."""
    if t_ms.shape[0] and (t_ms.min() < MIN_INSTANT_MS or t_ms.max() >= MAX_INSTANT_MS):
        i = int(np.argmax((t_ms < MIN_INSTANT_MS) | (t_ms >= MAX_INSTANT_MS)))
        try:
            instant_in_window(int(t_ms[i]), file=file, line=first_line + i)
        except InputError as exc:
            raise InputError(
                f"{_row(unit, first_line + i)}{exc.message}",
                file=file,
                line=first_line + i,
                field="time",
            ) from None
    return t_ms


def _time_column(
    arr: pa.ChunkedArray | pa.Array, file: str, first_line: int, unit: str
) -> np.ndarray:
    """Epoch ms from a timestamp, integer (epoch ms) or ISO 8601 text column, each in the window."""
    if arr.null_count:
        i = _first_null(arr)
        raise InputError(
            f"{_row(unit, first_line + i)}a fix without time",
            file=file,
            line=first_line + i,
            field="time",
        )
    typ = arr.type
    if pa.types.is_timestamp(typ):
        if typ.unit != "ms":  # naive instants are UTC: the values are the same
            arr = _compute().cast(arr, pa.timestamp("ms", tz=typ.tz), safe=False)
        out = _numpy(_int64_view(arr))
    elif pa.types.is_integer(typ):
        out = _numpy(arr if typ == pa.int64() else _compute().cast(arr, pa.int64()))
    elif pa.types.is_string(typ) or pa.types.is_large_string(typ):
        out = _text_times(arr, file, first_line, unit)
    else:
        raise InputError(
            f"the time column has type {typ}, not a timestamp, an integer or text",
            file=file,
            field="time",
        )
    return _check_window(out, file, first_line, unit)


def _text_times(arr, file: str, first_line: int, unit: str) -> np.ndarray:
    """ISO 8601 instants (naive = UTC) or integer epoch milliseconds written as text."""
    pc = _compute()
    try:
        return pc.cast(arr, pa.timestamp("ms", tz="UTC")).cast(pa.int64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    if pc.all(pc.match_substring_regex(arr, r"^[0-9]{1,15}$")).as_py():  # epoch milliseconds
        return pc.cast(arr, pa.int64()).to_numpy()
    values = arr.to_pylist()
    out = np.empty(len(values), np.int64)
    for i, text in enumerate(values):
        try:
            if not text or not text.strip():
                raise ValueError("empty")
            out[i] = instant_ms(text)
        except (ValueError, OverflowError):
            shown = text if len(text or "") <= 64 else text[:64] + "…"
            what = (
                "a fix without time"
                if not (text or "").strip()
                else f"not an ISO 8601 instant: {shown!r}"
            )
            raise InputError(
                f"{_row(unit, first_line + i)}{what}", file=file, line=first_line + i, field="time"
            ) from None
    return out


def _float_column(
    arr, name: str, file: str, first_line: int, unit: str, *, nullable: bool
) -> np.ndarray:
    """float64 from a numeric column, or from text in ASCII decimal notation."""
    if arr.null_count and not nullable:
        i = _first_null(arr)
        raise InputError(
            f"{_row(unit, first_line + i)}no {name}", file=file, line=first_line + i, field=name
        )
    if pa.types.is_floating(arr.type) and arr.type != pa.float16():
        return _numpy(arr)  # float32 or float64, nulls as NaN: the caller's array casts
    pc = _compute()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        arr = pc.utf8_trim_whitespace(arr)  # as ascii_number: " 1.5" is 1.5 (pyarrow refuses it)
        ok = pc.fill_null(pc.match_substring_regex(arr, f"^(?:{ASCII_DECIMAL.pattern})$"), True)
        if pc.all(ok).as_py() is False:
            i = _first_false(ok)
            try:
                ascii_number(arr[i].as_py(), file=file, line=first_line + i, field=name)
            except InputError as exc:
                raise InputError(
                    f"{_row(unit, first_line + i)}{exc.message}",
                    file=file,
                    line=first_line + i,
                    field=name,
                ) from None
    elif not (pa.types.is_floating(arr.type) or pa.types.is_integer(arr.type)):
        raise InputError(
            f"the {name} column has type {arr.type}, not a number", file=file, field=name
        )
    return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)


def _bib_column(arr, file: str, first_line: int, unit: str) -> np.ndarray:
    """int32 bibs (0 … 2³¹−1) from an integer column, or from ASCII digits (text or dictionary)."""
    if arr.null_count:
        i = _first_null(arr)
        raise InputError(
            f"{_row(unit, first_line + i)}no bib", file=file, line=first_line + i, field="bib"
        )
    typ = arr.type
    if pa.types.is_dictionary(typ):
        return np.concatenate(
            [_dictionary_bibs(chunk, file, first_line, unit) for chunk in _chunks(arr)]
            or [np.empty(0, np.int32)]
        )
    if pa.types.is_integer(typ):
        values = _numpy(arr)
        if not values.shape[0] or (values.min() >= 0 and int(values.max()) <= INT32_MAX):
            return values.astype(np.int32, copy=False)
        bad = (values < 0) | (values > INT32_MAX)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(
                f"{_row(unit, first_line + i)}bib must be a whole number 0 … {INT32_MAX}, not "
                f"{int(values[i])}",
                file=file,
                line=first_line + i,
                field="bib",
            )
        return values.astype(np.int32)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _bib_column(_compute().dictionary_encode(arr), file, first_line, unit)
    raise InputError(f"the bib column has type {typ}, not an integer", file=file, field="bib")


def _chunks(arr) -> list:
    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def _compute():
    """pyarrow.compute, loaded when a column needs a conversion (a Parquet file of the usual
    types needs none: its columns are viewed)."""
    import pyarrow.compute as pc

    return pc


def _int64_view(arr: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    """A timestamp column's values as int64, without a copy."""
    return pa.chunked_array([c.view(pa.int64()) for c in _chunks(arr)], pa.int64())


def _numpy(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A numeric column as numpy, nulls as NaN (floating columns only): a writable view of Arrow's
    buffer when it is one chunk Arrow has just decoded (a Parquet row group), else one copy."""
    chunks = _chunks(arr)
    if len(chunks) == 1:
        view = _writable_view(chunks[0])
        if view is not None:
            return view
        return chunks[0].to_numpy(zero_copy_only=not chunks[0].null_count)
    return arr.to_numpy() if isinstance(arr, pa.ChunkedArray) else arr.to_numpy(False)


def _writable_view(chunk: pa.Array) -> np.ndarray | None:
    """The values of a numeric (or timestamp: int64) chunk as a view of its buffer, writable
    because Arrow made the buffer mutable (decoded into it), its null slots set to NaN (floating
    chunks); None when it cannot be one (the caller converts).  Checking a fleet sorts crews in
    their reader's columns: a view spares a copy of the whole fleet into fresh memory."""
    typ = chunk.type
    if pa.types.is_timestamp(typ):
        dtype = np.dtype(np.int64)
    elif (pa.types.is_integer(typ) or pa.types.is_floating(typ)) and typ != pa.float16():
        dtype = np.dtype(typ.to_pandas_dtype())
    else:
        return None
    validity, values = chunk.buffers()[:2]
    if values is None or not values.is_mutable or (chunk.null_count and dtype.kind != "f"):
        return None
    view = np.frombuffer(values, dtype, count=len(chunk), offset=chunk.offset * dtype.itemsize)
    if chunk.null_count:
        bits = np.frombuffer(validity, np.uint8)
        valid = np.unpackbits(bits, count=chunk.offset + len(chunk), bitorder="little")
        view[valid[chunk.offset :] == 0] = np.nan
    return view


def _dictionary_bibs(
    chunk: pa.DictionaryArray, file: str, first_line: int, unit: str
) -> np.ndarray:
    """A dictionary chunk's bibs: its few distinct texts validated in Python, then looked up."""
    lookup = np.empty(len(chunk.dictionary), np.int32)
    for k, text in enumerate(chunk.dictionary.to_pylist()):
        try:
            lookup[k] = ascii_int(text, file=file, line=None, field="bib")
        except InputError as exc:
            i = int(np.argmax(chunk.indices.to_numpy(zero_copy_only=False) == k))
            raise InputError(
                f"{_row(unit, first_line + i)}bib {exc.message}",
                file=file,
                line=first_line + i,
                field="bib",
            ) from None
    return lookup[chunk.indices.to_numpy(zero_copy_only=False)]


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(path: Path) -> Fleet:
    """Read by the compiled pass when the file is in the usual layout (:func:`_scan_csv`); else
    typed by pyarrow's reader (multithreaded) when every value converts; else read as text and
    validated column by column, so that the first bad value is reported with its line."""
    file = str(path)
    scanned = _scan_csv(path)
    if scanned is not None:
        return Fleet.from_columns(*scanned, source=file)
    try:
        table = _csv_table(path, _CSV_TYPED)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        try:
            table = _csv_table(path, _CSV_TEXT)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputError(f"malformed CSV: {exc}", file=file) from None
    try:
        names = set(table.column_names)
    except UnicodeDecodeError:
        raise InputError("the header is not UTF-8 text", file=file, line=1) from None
    for need in ("bib", "time", "lat", "lon"):
        if need not in names:
            raise InputError(
                f"missing column {need!r} (columns: bib,time,lat,lon[,speed])",
                file=file,
                line=1,
                field=need,
            )
    first = 2  # line of the first data row
    bib = _bib_column(table["bib"], file, first, "line")
    t_ms = _time_column(table["time"], file, first, "line")
    lat = _float_column(table["lat"], "lat", file, first, "line", nullable=False)
    lon = _float_column(table["lon"], "lon", file, first, "line", nullable=False)
    _check_coordinates(lat, lon, file, first, "line")
    speed_name = "speed" if "speed" in names else ("speed_kmh" if "speed_kmh" in names else None)
    speed = (
        None
        if speed_name is None
        else _float_column(table[speed_name], speed_name, file, first, "line", nullable=True)
    )
    return Fleet.from_columns(bib, t_ms, lat, lon, speed, source=file)


def _scan_csv(path: Path) -> tuple[np.ndarray, ...] | None:
    """The columns of a CSV file read by :mod:`raidcontrol.io.csv_kernel` — its parts side by
    side, one thread each (the pass releases the GIL) — or None when the header is not
    ``bib,time,lat,lon[,speed]`` or the pass is unsure of a row: the validated path reads it."""
    try:
        with open(path, "rb") as fh:
            header = fh.readline(len(_CSV_SCANNED[-1]) + 2)
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (ValueError, OSError):
        return None  # empty or not mappable: the validated path reads (or reports) it
    names = header.rstrip(b"\r\n")
    if names not in _CSV_SCANNED or not header.endswith(b"\n"):
        return None
    from raidcontrol.io.csv_kernel import UNSURE, count_lines, scan_rows, words

    data = np.frombuffer(mapped, np.uint8)
    bounds = _csv_parts(mapped, len(header), os.cpu_count() or 1)
    lf = ord("\n")
    counts = [count_lines(data, words(data), a, b) + (data[b - 1] != lf) for a, b in bounds]
    rows = sum(counts)
    if not rows:
        return None
    cols = (np.empty(rows, np.int32), np.empty(rows, np.int64), *(np.empty(rows) for _ in "abc"))
    firsts = np.cumsum([0, *counts])
    with_speed = names.endswith(b",speed")

    def scan(k: int) -> int:
        part = tuple(c[firsts[k] : firsts[k + 1]] for c in cols)
        return scan_rows(data, *bounds[k], with_speed, *part)

    if len(bounds) == 1:
        got = [scan(0)]
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(bounds)) as pool:
            got = list(pool.map(scan, range(len(bounds))))
    if any(g == UNSURE or g != c for g, c in zip(got, counts)):
        return None
    return cols


def _csv_parts(mapped: mmap.mmap, start: int, parts: int) -> list[tuple[int, int]]:
    """(start, stop) of ``parts`` spans of whole lines from ``start`` to the end."""
    size = len(mapped)
    cuts = [start]
    for k in range(1, parts):
        at = mapped.find(b"\n", max(cuts[-1], start + (size - start) * k // parts))
        if at < 0:
            break
        cuts.append(at + 1)
    cuts.append(size)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a] or [(start, start)]


def _csv_table(path: Path, types: dict) -> pa.Table:
    """The CSV file read by pyarrow with ``types``; a malformed file (not a conversion) is an InputError."""
    import pyarrow.csv as pacsv

    try:
        return pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=True, null_values=[""]
            ),
        )
    except pa.ArrowInvalid as exc:
        if "conversion error" in str(exc):
            raise
        raise InputError(f"malformed CSV: {exc}", file=str(path)) from None


# --- Parquet -----------------------------------------------------------------------------------


def _read_parquet(path: Path, progress=None) -> Fleet:
    """Row group by row group into preallocated columns: peak memory ≈ the fleet + one row group."""
    return ParquetReading(path, progress).fleet()


Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""A fleet's columns: bib (int32), t_ms (int64), lat, lon (float64, or float32 as stored) and
speed_kmh (float32 or float64, NaN for none)."""


class ParquetReading:
    """A Parquet fleet file, opened: its metadata read and its columns checked (an
    :class:`InputError` otherwise).  :meth:`groups` yields its row groups' validated columns one
    by one — views of the buffers pyarrow decoded them into, no copy —; :meth:`fleet` reads them
    into one fleet (peak memory the fleet and one row group).  :attr:`filled` counts the rows read
    so far (for progress bars; ``progress(filled, rows)`` is called after each row group)."""

    def __init__(self, path: Path, progress=None):
        self.file = file = str(path)
        self.progress = progress
        try:
            self._pf = pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(f"not a readable Parquet file: {exc}", file=file) from None
        names = set(pf.schema_arrow.names)
        self._time = "time" if "time" in names else ("t_ms" if "t_ms" in names else None)
        self._speed = (
            "speed" if "speed" in names else ("speed_kmh" if "speed_kmh" in names else None)
        )
        for need, have in (
            ("bib", "bib" in names),
            ("time", self._time),
            ("lat", "lat" in names),
            ("lon", "lon" in names),
        ):
            if not have:
                raise InputError(
                    f"missing column {need!r} (columns: bib,time,lat,lon[,speed])",
                    file=file,
                    field=need,
                )
        self.rows: int = pf.metadata.num_rows
        self.filled = 0

    def groups(self) -> Iterator[Columns]:
        """Each row group's columns, validated (an :class:`InputError` names the row and the
        column), in the file's order; a group's arrays are its own (writable, not shared)."""
        pf, file = self._pf, self.file
        wanted = ["bib", self._time, "lat", "lon", *([self._speed] if self._speed else [])]
        at = 0
        for g in range(pf.num_row_groups):
            m = pf.metadata.row_group(g).num_rows
            first = at + 1  # rows are numbered from 1
            group = _row_group(pf, g, wanted, file)  # decoded in one call, without the GIL
            bib = _bib_column(group["bib"], file, first, "row")
            t_ms = _time_column(group[self._time], file, first, "row")
            lat = _float_column(group["lat"], "lat", file, first, "row", nullable=False)
            lon = _float_column(group["lon"], "lon", file, first, "row", nullable=False)
            _check_coordinates(lat, lon, file, first, "row")
            speed = (
                _float_column(group[self._speed], self._speed, file, first, "row", nullable=True)
                if self._speed
                else np.full(m, np.nan, np.float32)
            )
            del group  # the arrays keep the buffers they view, nothing more
            at += m
            self.filled = at
            yield bib, t_ms, lat, lon, speed
            if self.progress:
                self.progress(at, self.rows)

    def fleet(self) -> Fleet:
        """The whole fleet, read into preallocated columns (memory: the fleet and one row group)."""
        n = self.rows
        columns = (
            np.empty(n, np.int32),
            np.empty(n, np.int64),
            np.empty(n, np.float64),
            np.empty(n, np.float64),
            np.empty(n, np.float32),
        )
        at = 0
        for group in self.groups():
            m = group[0].shape[0]
            for into, values in zip(columns, group, strict=True):
                into[at : at + m] = values
            at += m
        pa.default_memory_pool().release_unused()  # the row groups' buffers: all in numpy now
        return Fleet.from_columns(*columns, source=self.file)


def _row_group(pf: pq.ParquetFile, group: int, names: list[str], file: str) -> pa.Table:
    """The columns ``names`` of one row group, decoded in one call (pyarrow's threads, the GIL
    released); a corrupt or short column is an InputError naming it."""
    try:
        table = pf.read_row_group(group, columns=names, use_threads=True)
    except (pa.ArrowInvalid, OSError) as exc:
        for name in names:  # which column: read them one by one (the error path only)
            _column(pf, group, name, file)
        raise InputError(f"row group {group + 1} cannot be read: {exc}", file=file) from None
    rows = pf.metadata.row_group(group).num_rows
    for name in names:
        if len(table[name]) != rows:
            raise InputError(
                f"row group {group + 1}: {len(table[name])} values, not the {rows} rows the file "
                "declares",
                file=file,
                field=name,
            )
    return table


def _column(pf: pq.ParquetFile, group: int, name: str, file: str) -> pa.ChunkedArray:
    """One column of one row group; a corrupt one is an InputError naming the column."""
    try:
        return pf.read_row_group(group, columns=[name], use_threads=False)[name]
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            f"row group {group + 1}: the column cannot be read: {exc}", file=file, field=name
        ) from None
