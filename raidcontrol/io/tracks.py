"""Track import: a fleet's GPS fixes from GPX, CSV or Parquet (chosen by the file's suffix).

Columns of CSV and Parquet files (one row per fix):

==========  ==========================================================================
bib         the crew's race number (integer)
time        the fix's instant: ISO 8601 (``2026-01-05T08:00:01Z``; naive = UTC) or integer
            epoch milliseconds; for Parquet also a timestamp column (``t_ms`` is read too)
lat, lon    WGS84 decimal degrees
speed       optional device speed in km/h (``speed_kmh`` is read too); empty = none
==========  ==========================================================================

GPX tracks are streamed (expat, never a whole DOM): every ``<trk>`` is one crew whose bib
is its ``<name>`` when numeric, else the file name's stem.  ``<speed>`` of a ``<trkpt>``
(GPX 1.0, or an extension such as Garmin's) is in m/s.  A folder is read as all its
``*.gpx`` files.

The fleet comes back grouped by bib, each crew's fixes in file order — or, with
``sort_by_time=True``, sorted by time in place (``fleet.reordered`` counts the fixes per
crew that came out of order).  The check sorts what is left unsorted, drops duplicate
fixes and reports both.  Bad input (a fix without time, a
NaN or out-of-range coordinate, corrupt XML) raises :class:`InputError` naming the
file, the line (CSV, GPX) or row (Parquet) and the field.
"""
from __future__ import annotations

from array import array
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from xml.parsers import expat

from raidcontrol.core.errors import InputError
from raidcontrol.tracking.model import Fleet

MS_PER_S = 1000
KMH_PER_MS = 3.6        # m/s → km/h
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_CHUNK = 1 << 20        # bytes fed to the GPX parser at a time
TRACK_SUFFIXES = (".parquet", ".csv", ".gpx")


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
        parts = [_read_gpx(f) for f in files]
        return Fleet.from_columns(*(np.concatenate([p[i] for p in parts]) for i in range(5)), source=str(path))
    suffix = path.suffix.lower()
    if suffix not in TRACK_SUFFIXES:
        raise InputError(f"unknown track format {suffix or '(none)'!r}; use one of {', '.join(TRACK_SUFFIXES)}",
                         file=str(path))
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    if suffix == ".gpx":
        return Fleet.from_columns(*_read_gpx(path), source=str(path))
    if suffix == ".csv":
        return _read_csv(path)
    return _read_parquet(path, progress)


# --- validation shared by the columnar readers -------------------------------------------------

def _row(unit: str, n: int) -> str:
    """A row number in the message for Parquet (the location shows a CSV line already)."""
    return f"row {n}: " if unit == "row" else ""


def _check_coordinates(lat: np.ndarray, lon: np.ndarray, file: str, first_line: int, unit: str) -> None:
    """Raise at the first NaN or out-of-range coordinate (``first_line`` = line of row 0)."""
    for name, values, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        bad = ~(np.abs(values) <= limit)          # NaN compares False, so it is bad too
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"{_row(unit, first_line + i)}{name} must be a number within ±{limit:g} degrees, "
                             f"not {float(values[i])!r}", file=file, line=first_line + i, field=name)


def _first_null(arr: pa.Array | pa.ChunkedArray) -> int:
    return int(np.argmax(np.asarray(arr.is_null())))


def _instant_ms(text: str) -> int:
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MS_PER_S + delta.microseconds // 1000


def _time_column(arr: pa.ChunkedArray | pa.Array, file: str, first_line: int, unit: str) -> np.ndarray:
    """Epoch ms from a timestamp, integer (epoch ms) or ISO 8601 text column."""
    if arr.null_count:
        i = _first_null(arr)
        raise InputError(f"{_row(unit, first_line + i)}a fix without time", file=file, line=first_line + i, field="time")
    typ = arr.type
    if pa.types.is_timestamp(typ):
        if typ.tz is None:
            arr = pc.assume_timezone(arr, "UTC")
        return pc.cast(arr, pa.timestamp("ms", tz="UTC")).cast(pa.int64()).to_numpy()
    if pa.types.is_integer(typ):
        return arr.cast(pa.int64()).to_numpy()
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        try:
            ts = pc.cast(arr, pa.timestamp("ms", tz="UTC"))
            return ts.cast(pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        try:                                   # integer epoch milliseconds written as text
            return pc.cast(arr, pa.int64()).to_numpy()
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        values = arr.to_pylist()
        out = np.empty(len(values), np.int64)
        for i, text in enumerate(values):
            try:
                if not text or not text.strip():
                    raise ValueError("empty")
                out[i] = _instant_ms(text)
            except ValueError:
                what = "a fix without time" if not (text or "").strip() else f"not an ISO 8601 instant: {text!r}"
                raise InputError(f"{_row(unit, first_line + i)}{what}", file=file, line=first_line + i,
                                 field="time") from None
        return out
    raise InputError(f"the time column has type {typ}, not a timestamp, an integer or text", file=file, field="time")


def _float_column(arr, name: str, file: str, first_line: int, unit: str, *, nullable: bool) -> np.ndarray:
    if arr.null_count and not nullable:
        i = _first_null(arr)
        raise InputError(f"{_row(unit, first_line + i)}no {name}", file=file, line=first_line + i, field=name)
    try:
        return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = arr.to_pylist()
        for i, v in enumerate(values):
            try:
                float(v) if v not in (None, "") else None
            except (TypeError, ValueError):
                raise InputError(f"{_row(unit, first_line + i)}not a number: {v!r}", file=file, line=first_line + i,
                                 field=name) from None
        raise


def _bib_column(arr, file: str, first_line: int, unit: str) -> np.ndarray:
    if arr.null_count:
        i = _first_null(arr)
        raise InputError(f"{_row(unit, first_line + i)}no bib", file=file, line=first_line + i, field="bib")
    try:
        return pc.cast(arr, pa.int32()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        for i, v in enumerate(arr.to_pylist()):
            try:
                int(str(v).strip())
            except ValueError:
                raise InputError(f"{_row(unit, first_line + i)}bib must be an integer, not {v!r}", file=file,
                                 line=first_line + i, field="bib") from None
        raise


# --- CSV ---------------------------------------------------------------------------------------

def _read_csv(path: Path) -> Fleet:
    file = str(path)
    try:
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={"bib": pa.string(), "time": pa.string(), "lat": pa.string(), "lon": pa.string(),
                          "speed": pa.string(), "speed_kmh": pa.string()},
            strings_can_be_null=True, null_values=[""]))
    except pa.ArrowInvalid as exc:
        raise InputError(f"malformed CSV: {exc}", file=file) from None
    names = set(table.column_names)
    for need in ("bib", "time", "lat", "lon"):
        if need not in names:
            raise InputError(f"missing column {need!r} (columns: bib,time,lat,lon[,speed])", file=file, line=1, field=need)
    first = 2  # line of the first data row
    bib = _bib_column(table["bib"], file, first, "line")
    t_ms = _time_column(table["time"], file, first, "line")
    lat = _float_column(table["lat"], "lat", file, first, "line", nullable=False)
    lon = _float_column(table["lon"], "lon", file, first, "line", nullable=False)
    _check_coordinates(lat, lon, file, first, "line")
    speed_name = "speed" if "speed" in names else ("speed_kmh" if "speed_kmh" in names else None)
    speed = (None if speed_name is None else
             _float_column(table[speed_name], speed_name, file, first, "line", nullable=True))
    return Fleet.from_columns(bib, t_ms, lat, lon, speed, source=file)


# --- Parquet -----------------------------------------------------------------------------------

def _read_parquet(path: Path, progress=None) -> Fleet:
    """Row group by row group into preallocated columns: peak memory ≈ the fleet + one row group."""
    file = str(path)
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"not a readable Parquet file: {exc}", file=file) from None
    names = set(pf.schema_arrow.names)
    time_name = "time" if "time" in names else ("t_ms" if "t_ms" in names else None)
    speed_name = "speed" if "speed" in names else ("speed_kmh" if "speed_kmh" in names else None)
    for need, have in (("bib", "bib" in names), ("time", time_name), ("lat", "lat" in names), ("lon", "lon" in names)):
        if not have:
            raise InputError(f"missing column {need!r} (columns: bib,time,lat,lon[,speed])", file=file, field=need)
    n = pf.metadata.num_rows
    bib = np.empty(n, np.int32)
    t_ms = np.empty(n, np.int64)
    lat = np.empty(n, np.float64)
    lon = np.empty(n, np.float64)
    speed = np.full(n, np.nan, np.float32)
    columns = ["bib", time_name, "lat", "lon"] + ([speed_name] if speed_name else [])
    at = 0
    for g in range(pf.num_row_groups):
        table = pf.read_row_group(g, columns=columns)
        m = table.num_rows
        first = at + 1   # rows are numbered from 1
        sl = slice(at, at + m)
        bib[sl] = _bib_column(table["bib"], file, first, "row")
        t_ms[sl] = _time_column(table[time_name], file, first, "row")
        lat[sl] = _float_column(table["lat"], "lat", file, first, "row", nullable=False)
        lon[sl] = _float_column(table["lon"], "lon", file, first, "row", nullable=False)
        _check_coordinates(lat[sl], lon[sl], file, first, "row")
        if speed_name:
            speed[sl] = _float_column(table[speed_name], speed_name, file, first, "row", nullable=True)
        at += m
        del table
        if progress:
            progress(at, n)
    return Fleet.from_columns(bib, t_ms, lat, lon, speed, source=file)


# --- GPX (streamed) ----------------------------------------------------------------------------

class _GpxTrackHandler:
    """expat handlers collecting ``<trkpt>`` fixes; validates each as it ends."""

    def __init__(self, parser, file: str, default_bib: int | None):
        self.p = parser
        self.file = file
        self.default_bib = default_bib
        self.bib, self.t = array("i"), array("q")
        self.lat, self.lon, self.speed = array("d"), array("d"), array("f")
        self.path: list[str] = []
        self.text: list[str] = []
        self.trk_start = 0          # index of the first fix of the current <trk>
        self.trk_name: str | None = None
        self.trk_line = 0
        self.pt: dict | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        self.path.append(local)
        self.text = []
        if local == "trk":
            self.trk_start, self.trk_name, self.trk_line = len(self.t), None, self.p.CurrentLineNumber
        elif local == "trkpt":
            line = self.p.CurrentLineNumber
            attrs = {k.rpartition(" ")[2]: v for k, v in attrs.items()}
            self.pt = {"line": line, "lat": self._coord(attrs, "lat", 90.0, line),
                       "lon": self._coord(attrs, "lon", 180.0, line), "time": None, "speed": float("nan")}

    def _coord(self, attrs: dict[str, str], name: str, limit: float, line: int) -> float:
        raw = attrs.get(name)
        try:
            value = float(raw) if raw is not None else float("nan")
        except ValueError:
            value = float("nan")
        if not abs(value) <= limit:
            raise InputError(f"{name} must be a number within ±{limit:g} degrees, not {raw!r}", file=self.file,
                             line=line, field=name)
        return value

    def chars(self, data: str) -> None:
        self.text.append(data)

    def end(self, name: str) -> None:
        local = self.path.pop()
        text = "".join(self.text).strip()
        self.text = []
        if self.pt is not None and local == "time" and self.path and self.path[-1] == "trkpt":
            try:
                self.pt["time"] = _instant_ms(text)
            except ValueError:
                raise InputError(f"not an ISO 8601 instant: {text!r}", file=self.file, line=self.p.CurrentLineNumber,
                                 field="time") from None
        elif self.pt is not None and local == "speed":
            try:
                self.pt["speed"] = float(text) * KMH_PER_MS
            except ValueError:
                raise InputError(f"not a number: {text!r}", file=self.file, line=self.p.CurrentLineNumber,
                                 field="speed") from None
        elif local == "name" and self.path and self.path[-1] == "trk":
            self.trk_name = text
        elif local == "trkpt" and self.pt is not None:
            pt, self.pt = self.pt, None
            if pt["time"] is None:
                raise InputError("a fix without time", file=self.file, line=pt["line"], field="time")
            self.t.append(pt["time"])
            self.lat.append(pt["lat"])
            self.lon.append(pt["lon"])
            self.speed.append(pt["speed"])
        elif local == "trk":
            n = len(self.t) - self.trk_start
            bib = self._bib()
            self.bib.extend([bib] * n)

    def _bib(self) -> int:
        if self.trk_name and self.trk_name.strip().isdigit():
            return int(self.trk_name)
        if self.default_bib is None:
            raise InputError("the track's <name> is not a number and neither is the file name's stem, so the bib "
                             "is unknown", file=self.file, line=self.trk_line, field="name")
        return self.default_bib


def _read_gpx(path: Path) -> tuple[np.ndarray, ...]:
    file = str(path)
    stem = path.stem.strip()
    parser = expat.ParserCreate(namespace_separator=" ")
    handler = _GpxTrackHandler(parser, file, int(stem) if stem.isdigit() else None)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InputError(f"corrupt GPX: {expat.ErrorString(exc.code)} (column {exc.offset + 1})", file=file,
                         line=exc.lineno) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=file) from None
    if len(handler.bib) != len(handler.t):
        raise InputError("a <trkpt> outside any <trk>", file=file, field="trk")
    if not len(handler.t):
        raise InputError("the GPX file holds no track point", file=file, field="trkpt")
    return (np.frombuffer(handler.bib, np.int32).copy(), np.frombuffer(handler.t, np.int64).copy(),
            np.frombuffer(handler.lat, np.float64).copy(), np.frombuffer(handler.lon, np.float64).copy(),
            np.frombuffer(handler.speed, np.float32).copy())
