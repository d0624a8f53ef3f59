"""GPX tracks: every ``<trk>`` one crew, its ``<trkpt>`` fixes (streamed, memory bounded by one crew).

Two readers give the same columns:

* the **scanner** (``scan_gpx``), for the regular layout GPS exporters write — each
  ``<trkseg>`` holding only ``<trkpt lat=".." lon="..">`` elements with an optional
  ``<ele>``, a ``<time>`` and an optional speed (``<speed>`` or an extension's
  ``<prefix:speed>``): the file is mapped in memory and each segment's inside read byte by
  byte by a compiled pass (:mod:`raidcontrol.io.gpx_kernel`, numbers and instants converted
  as it goes); a segment it is unsure of (another spelling of the layout: exponents,
  plus signs, time zone offsets …) is matched whole by one regular expression in C, its numbers
  converted by numpy and its instants by pyarrow; what is left of the file (everything but
  the segments' insides: a few elements per crew) is checked by expat;
* the **parser** (``parse_gpx``), expat with a callback per element, for everything else.

The scanner gives up (``_Irregular``) on anything it does not recognise — another layout,
a comment, an entity, a value it cannot convert, a coordinate or instant out of range — and
the parser then reads the file from the start, reporting the first error with its line and
field.  So both accept exactly the same files and the parser's located errors stay.

Columns returned: bib int32, t_ms int64 (epoch ms, UTC), lat/lon float64 degrees, speed
float32 km/h (NaN: none).  ``<speed>`` in the file is in m/s.
"""

from __future__ import annotations

import functools
import mmap
import re
from array import array
from datetime import UTC, datetime
from pathlib import Path
from xml.parsers import expat

import numpy as np

from raidcontrol.core.errors import InputError
from raidcontrol.io.hardening import (
    MAX_INSTANT_MS,
    MIN_INSTANT_MS,
    ascii_int,
    ascii_number,
    harden,
    instant_in_window,
)

KMH_PER_MS = 3.6  # m/s → km/h
MS_PER_S = 1000
CHUNK = 1 << 22  # bytes read at a time
MAX_TEXT_CHARS = 256  # the text of a <name>, <time> or <speed> (a longer one is not a value)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_READ = ("time", "speed", "name")  # the elements whose text is read

Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def read_gpx(path: Path) -> Columns:
    """The fixes of a GPX file: scanned when its layout is regular, else parsed."""
    try:
        return scan_gpx(path)
    except _Irregular:
        return parse_gpx(path)


def instant_ms(text: str) -> int:
    """Epoch milliseconds of an ISO 8601 instant (naive = UTC); ValueError/OverflowError when it is not one."""
    dt = datetime.fromisoformat(text.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MS_PER_S + delta.microseconds // 1000


def default_bib(path: Path) -> int | None:
    """The file name's stem as a bib when it is a number in ASCII digits."""
    stem = path.stem.strip()
    try:
        return ascii_int(stem, file=str(path), line=None, field="name")
    except InputError:
        return None


# --- the parser --------------------------------------------------------------------------------


class _Handler:
    """expat callbacks collecting ``<trkpt>`` fixes; validates each as it ends."""

    def __init__(self, parser, file: str, bib: int | None):
        self.p, self.file, self.default_bib = parser, file, bib
        self.bib, self.t = array("i"), array("q")
        self.lat, self.lon, self.speed = array("d"), array("d"), array("f")
        self.path: list[str] = []
        self.text: list[str] = []
        self.text_len = 0
        self.reading = False  # is the current element's text read?
        self.trk_start = 0  # index of the first fix of the current <trk>
        self.trk_name: str | None = None
        self.trk_line = 0
        self.pt: dict | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        self.path.append(local)
        self.text, self.text_len, self.reading = [], 0, local in _READ
        if local == "trk":
            self.trk_start, self.trk_name, self.trk_line = (
                len(self.t),
                None,
                self.p.CurrentLineNumber,
            )
        elif local == "trkpt":
            line = self.p.CurrentLineNumber
            attrs = {k.rpartition(" ")[2]: v for k, v in attrs.items()}
            self.pt = {
                "line": line,
                "lat": self._coord(attrs, "lat", 90.0, line),
                "lon": self._coord(attrs, "lon", 180.0, line),
                "time": None,
                "speed": float("nan"),
            }

    def _coord(self, attrs: dict[str, str], name: str, limit: float, line: int) -> float:
        raw = attrs.get(name)
        try:
            value = ascii_number(raw, file=self.file, line=line, field=name)
        except InputError:
            value = float("nan")
        if not abs(value) <= limit:
            shown = raw if raw is None or len(raw) <= MAX_TEXT_CHARS else raw[:MAX_TEXT_CHARS] + "…"
            raise InputError(
                f"{name} must be a number within ±{limit:g} degrees, not {shown!r}",
                file=self.file,
                line=line,
                field=name,
            )
        return value

    def chars(self, data: str) -> None:
        if self.reading:
            self.text_len += len(data)
            if self.text_len > MAX_TEXT_CHARS:
                raise InputError(
                    f"more than {MAX_TEXT_CHARS} characters of text",
                    file=self.file,
                    line=self.p.CurrentLineNumber,
                    field=self.path[-1],
                )
            self.text.append(data)

    def end(self, name: str) -> None:
        local = self.path.pop()
        text = "".join(self.text).strip() if self.reading else ""
        self.text, self.reading = [], False
        line = self.p.CurrentLineNumber
        parent = self.path[-1] if self.path else ""
        if self.pt is not None and local == "time" and parent == "trkpt":
            self.pt["time"] = self._instant(text, line)
        elif self.pt is not None and local == "speed":
            self.pt["speed"] = (
                ascii_number(text, file=self.file, line=line, field="speed") * KMH_PER_MS
            )
        elif local == "name" and parent == "trk":
            self.trk_name = text
        elif local == "trkpt" and self.pt is not None:
            self._end_point()
        elif local == "trk":
            n = len(self.t) - self.trk_start
            self.bib.extend(array("i", [self._bib()]) * n)

    def _instant(self, text: str, line: int) -> int:
        try:
            t = instant_ms(text)
        except (ValueError, OverflowError):
            raise InputError(
                f"not an ISO 8601 instant: {text!r}", file=self.file, line=line, field="time"
            ) from None
        return instant_in_window(t, file=self.file, line=line)

    def _end_point(self) -> None:
        pt, self.pt = self.pt, None
        if pt["time"] is None:
            raise InputError("a fix without time", file=self.file, line=pt["line"], field="time")
        self.t.append(pt["time"])
        self.lat.append(pt["lat"])
        self.lon.append(pt["lon"])
        self.speed.append(pt["speed"])

    def _bib(self) -> int:
        name = (self.trk_name or "").strip()
        if name and name.isascii() and name.isdigit():
            return ascii_int(name, file=self.file, line=self.trk_line, field="name")
        if self.default_bib is None:
            raise InputError(
                "the track's <name> is not a number and neither is the file name's stem, so the bib "
                "is unknown",
                file=self.file,
                line=self.trk_line,
                field="name",
            )
        return self.default_bib


def parse_gpx(path: Path) -> Columns:
    """The fixes of a GPX file, parsed by expat (DTDs and entities refused), every error located."""
    file = str(path)
    parser = expat.ParserCreate(namespace_separator=" ")
    harden(parser, file)
    handler = _Handler(parser, file, default_bib(path))
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise InputError(
            f"corrupt GPX: {expat.ErrorString(exc.code)} (column {exc.offset + 1})",
            file=file,
            line=exc.lineno,
        ) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=file) from None
    if len(handler.bib) != len(handler.t):
        raise InputError("a <trkpt> outside any <trk>", file=file, field="trk")
    if not len(handler.t):
        raise InputError("the GPX file holds no track point", file=file, field="trkpt")
    return (
        np.frombuffer(handler.bib, np.int32).copy(),
        np.frombuffer(handler.t, np.int64).copy(),
        np.frombuffer(handler.lat, np.float64).copy(),
        np.frombuffer(handler.lon, np.float64).copy(),
        np.frombuffer(handler.speed, np.float32).copy(),
    )


# --- the scanner -------------------------------------------------------------------------------


class _Irregular(Exception):
    """The file is not in the layout the scanner reads: the parser reads it."""


_NUM = rb"[-+.0-9eE]{1,32}"
_PREFIX = re.compile(rb"<(\w{1,30}):TrackPointExtension>")
_SEG_OPEN, _SEG_CLOSE = b"<trkseg>", b"</trkseg>"
_PI = "raidcontrol-segment"  # a segment's place in the skeleton the parser checks
_GROUPS = 5  # lat, lon, time, speed, extension speed
PREFIX_WINDOW = 4096  # bytes after <trkseg> where the first point's extension prefix is sought
SCAN_ROOM = 1 << 16  # points a call of the compiled pass writes at most


@functools.cache
def _point_pattern(prefix: bytes) -> re.Pattern[bytes]:
    """One ``<trkpt>`` of the regular layout, its speed extension's elements under ``prefix``
    (b"" for none).  Groups: lat, lon, time, speed, extension speed."""
    p = re.escape(prefix + b":") if prefix else b""
    return re.compile(
        rb'<trkpt\s+lat="(' + _NUM + rb')"\s+lon="(' + _NUM + rb')"\s*>\s*'
        rb"(?:<ele>" + _NUM + rb"</ele>\s*)?"
        rb"<time>([-+.:0-9TZ]{1,40})</time>\s*"
        rb"(?:<speed>(" + _NUM + rb")</speed>\s*"
        rb"|<extensions>\s*<" + p + rb"TrackPointExtension>\s*<" + p + rb"speed>(" + _NUM + rb")"
        rb"</" + p + rb"speed>\s*</" + p + rb"TrackPointExtension>\s*</extensions>\s*)?"
        rb"</trkpt>"
    )


def _segment_columns(
    body: bytes,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, set[bytes]]:
    """(t_ms, lat, lon, speed km/h, prefixes used) of one segment's inside, or _Irregular.

    ``split`` gives the text between the points (it must be blank: nothing else is in the
    segment) and each group's values as every ``_GROUPS + 1``-th item, with no Python loop."""
    found = _PREFIX.search(body)
    prefix = found.group(1) if found else b""
    used = {prefix} if prefix else set()
    parts = _point_pattern(prefix).split(body)
    step = _GROUPS + 1
    if not b"".join(parts[::step]).isspace() and any(parts[::step]):
        raise _Irregular  # something between the points
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        lat, lon, time, speed, ext_speed = (
            pa.array(parts[k::step], pa.binary()).cast(pa.string()) for k in range(1, step)
        )
        lat_a = pc.cast(lat, pa.float64()).to_numpy(zero_copy_only=False)
        lon_a = pc.cast(lon, pa.float64()).to_numpy(zero_copy_only=False)
        sp = pc.cast(pc.coalesce(speed, ext_speed), pa.float64()).to_numpy(zero_copy_only=False)
        t_ms = (
            pc.cast(time, pa.timestamp("ms", tz="UTC"))
            .cast(pa.int64())
            .to_numpy(zero_copy_only=False)
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Irregular from None
    if t_ms.shape[0] and not (
        (np.abs(lat_a) <= 90.0).all()
        and (np.abs(lon_a) <= 180.0).all()
        and t_ms.min() >= MIN_INSTANT_MS
        and t_ms.max() < MAX_INSTANT_MS
    ):
        raise _Irregular
    return t_ms, lat_a, lon_a, (sp * KMH_PER_MS).astype(np.float32), used


class _Skeleton:
    """expat over the file without its segments' insides: structure, crews' names, namespaces."""

    def __init__(self, path: Path):
        self.p = expat.ParserCreate(namespace_separator=" ")
        harden(self.p, str(path))
        self.p.StartElementHandler = self.start
        self.p.EndElementHandler = self.end
        self.p.CharacterDataHandler = self.chars
        self.p.ProcessingInstructionHandler = self.segment
        self.p.StartNamespaceDeclHandler = self.namespace
        self.stack: list[str] = []
        self.prefixes: set[bytes] = set()  # declared on the root element
        self.in_trk = False
        self.name: list[str] = []
        self.reading = False
        self.segs: list[int] = []  # segments of the current <trk>
        self.crews: list[tuple[str, list[int]]] = []  # (name, segments) per <trk>, in file order

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.p.Parse(data, final)
        except (expat.ExpatError, InputError):
            raise _Irregular from None

    def namespace(self, prefix: str | None, _uri: str) -> None:
        if self.stack:
            raise _Irregular  # a declaration below the root: the parser's job
        if prefix:
            self.prefixes.add(prefix.encode())

    def start(self, name: str, _attrs: dict) -> None:
        local = name.rpartition(" ")[2]
        if local == "trkpt" or (local == "trk" and self.in_trk):
            raise _Irregular
        self.reading = local == "name" and bool(self.stack) and self.stack[-1] == "trk"
        if self.reading:
            self.name = []  # the last <name> counts, as for the parser
        self.stack.append(local)
        if local == "trk":
            self.in_trk, self.name, self.segs = True, [], []

    def chars(self, data: str) -> None:
        if self.reading:
            self.name.append(data)
            if sum(map(len, self.name)) > MAX_TEXT_CHARS:
                raise _Irregular

    def end(self, name: str) -> None:
        self.stack.pop()
        self.reading = False
        if name.rpartition(" ")[2] == "trk":
            self.crews.append(("".join(self.name), self.segs))
            self.in_trk = False

    def segment(self, target: str, data: str) -> None:
        if target != _PI or not self.stack or self.stack[-1] != "trkseg" or not self.in_trk:
            raise _Irregular
        self.segs.append(int(data))


def scan_gpx(path: Path) -> Columns:
    """The fixes of a GPX file in the regular layout (see the module docstring), or _Irregular."""
    skeleton = _Skeleton(path)
    parts: list[tuple[np.ndarray, ...]] = []
    prefixes: set[bytes] = set()
    try:
        with open(path, "rb") as fh:
            try:
                mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except (ValueError, OSError):
                raise _Irregular from None  # empty, or not a file that maps: the parser reads it
        # not closed here: the numpy view of it may live on in a traceback; freed with it
        _scan_mapped(mapped, skeleton, parts, prefixes)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path)) from None
    if not prefixes <= skeleton.prefixes:
        raise _Irregular
    return _assemble(path, skeleton, parts)


def _scan_mapped(mapped: mmap.mmap, skeleton: _Skeleton, parts: list, prefixes: set[bytes]) -> None:
    """Split off every segment's inside into ``parts``; the rest of the file, each segment's
    inside replaced by a processing instruction naming its place in ``parts``, goes to the
    skeleton."""
    data = np.frombuffer(mapped, np.uint8)
    at = 0
    while (i := mapped.find(_SEG_OPEN, at)) >= 0:
        _feed(skeleton, mapped, at, i)
        skeleton.feed(_SEG_OPEN + f"<?{_PI} {len(parts)}?>".encode())
        cols, at, used = _segment(mapped, data, i + len(_SEG_OPEN))
        prefixes |= used
        parts.append(cols)
    _feed(skeleton, mapped, at, len(mapped))
    skeleton.feed(b"", final=True)


def _feed(skeleton: _Skeleton, mapped: mmap.mmap, start: int, stop: int) -> None:
    for k in range(start, stop, CHUNK):
        skeleton.feed(mapped[k : min(k + CHUNK, stop)])


def _segment(
    mapped: mmap.mmap, data: np.ndarray, start: int
) -> tuple[tuple[np.ndarray, ...], int, set[bytes]]:
    """(columns, index of its ``</trkseg>``, extension prefixes used) of the segment whose
    inside begins at ``start``: by the compiled pass (:mod:`raidcontrol.io.gpx_kernel`), or
    when it is unsure by the regular expression (which raises _Irregular on what it cannot read)."""
    from raidcontrol.io.gpx_kernel import DONE, UNSURE, scan_points

    found = _PREFIX.search(mapped, start, start + PREFIX_WINDOW)
    prefix = found.group(1) if found else b""
    tag = np.frombuffer(prefix + b":" if prefix else b"", np.uint8)
    pieces, at, ext = [], start, False
    while True:
        cols = (
            np.empty(SCAN_ROOM, np.int64),
            np.empty(SCAN_ROOM),
            np.empty(SCAN_ROOM),
            np.empty(SCAN_ROOM, np.float32),
        )
        n, at, status, saw = scan_points(data, at, tag, *cols)
        if status == UNSURE:
            end = mapped.find(_SEG_CLOSE, start)
            if end < 0:
                raise _Irregular  # a segment not closed
            *columns, used = _segment_columns(mapped[start:end])
            return tuple(columns), end, used
        ext |= saw
        pieces.append(tuple(c[:n] for c in cols))
        if status == DONE:
            break
    if len(pieces) > 1:
        columns = tuple(np.concatenate([p[k] for p in pieces]) for k in range(len(cols)))
    else:
        columns = tuple(c.copy() for c in pieces[0])  # not the whole room
    return columns, at, {prefix} if ext else set()


def _assemble(path: Path, skeleton: _Skeleton, parts: list) -> Columns:
    """The columns, segment by segment in file order, with each crew's bib."""
    bibs, cols = [], []
    stem_bib = default_bib(path)
    for name, segs in skeleton.crews:
        name = name.strip()
        if name and name.isascii() and name.isdigit():
            try:
                bib = ascii_int(name, file=str(path), line=None, field="name")
            except InputError:
                raise _Irregular from None
        elif stem_bib is None:
            raise _Irregular
        else:
            bib = stem_bib
        for s in segs:
            cols.append(parts[s])
            bibs.append(np.full(parts[s][0].shape[0], bib, np.int32))
    if len(cols) != len(parts) or not cols or not sum(c[0].shape[0] for c in cols):
        raise _Irregular
    t, lat, lon, speed = (np.concatenate([c[k] for c in cols]) for k in range(4))
    return np.concatenate(bibs), t, lat, lon, speed
