"""The GPX scanner's compiled pass: a ``<trkseg>``'s inside, byte by byte, into columns.

:func:`scan_points` reads the commonest layout only — ``<trkpt lat=".." lon="..">`` (double
quotes, lat first), an optional ``<ele>``, a ``<time>`` written ``YYYY-MM-DDTHH:MM:SS[.f…]``
with ``Z`` or nothing (naive = UTC), and an optional ``<speed>`` or ``<P:speed>`` in a
``<P:TrackPointExtension>`` — separated by XML whitespace, each number written
``[-]digits[.digits]`` with at most 15 significant digits.  It answers ``-1`` ("unsure") on
anything else: another layout, a wider number, an exponent, a time zone offset, a date that
does not exist, an instant outside the readers' window, a coordinate out of range.  The caller
then reads the segment the slower way, which accepts or refuses it with the located error.

Every value it gives is the one the parser gives: a decimal of at most 15 digits is an
integer below 2**53 divided by an exact power of ten — one correctly rounded division, so the
nearest double to the text, as ``float(text)``; an instant's fraction is cut to the
millisecond, as :func:`raidcontrol.io.gpx_tracks.instant_ms` does; the speed is m/s × 3.6
rounded once to float32.
"""

from __future__ import annotations

import numpy as np

from raidcontrol.io.hardening import MAX_INSTANT_MS, MIN_INSTANT_MS
from raidcontrol.tracking.jit import njit

UNSURE = -1  # an index: nothing there; a status: not the layout read here
DONE, FULL = 0, 1  # statuses of scan_points
MAX_LAT, MAX_LON = 90.0, 180.0  # degrees
KMH_PER_MS = 3.6  # m/s → km/h (as gpx_tracks)
MAX_DIGITS = 15  # significant digits read exactly (10**15 < 2**53)
MAX_ELE_CHARS = 32  # an <ele>'s text: its value is not read (as the parser)
MAX_FRACTION_DIGITS = 9  # of a second; cut to the millisecond
MIN_YEAR, END_YEAR = 2000, 2100  # the readers' instant window, whole years
MS_PER_DAY = 86_400_000
DATE_CHARS, CLOCK_CHARS = 11, 8  # "YYYY-MM-DDT", "HH:MM:SS"
DAYS_0000_TO_1970 = 719_468  # days from 0000-03-01 to 1970-01-01 (civil-from-days epoch shift)

_POW10 = np.array([10.0**k for k in range(MAX_DIGITS + 1)])
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int64)


def _lit(text: bytes) -> np.ndarray:
    return np.frombuffer(text, np.uint8).copy()


_TRKPT = _lit(b"<trkpt")
_LAT = _lit(b'lat="')
_LON = _lit(b'lon="')
_ELE = _lit(b"<ele>")
_ELE_END = _lit(b"</ele>")
_TIME = _lit(b"<time>")
_TIME_END = _lit(b"</time>")
_SPEED = _lit(b"<speed>")
_SPEED_END = _lit(b"</speed>")
_EXT = _lit(b"<extensions>")
_EXT_END = _lit(b"</extensions>")
_TPX = _lit(b"TrackPointExtension>")
_SPEED_TAG = _lit(b"speed>")
_TRKPT_END = _lit(b"</trkpt>")
_TRKSEG_END = _lit(b"</trkseg>")
_OPEN, _CLOSE = _lit(b"<"), _lit(b"</")

_QUOTE, _LT, _GT, _MINUS, _DOT, _COLON, _DASH, _T, _Z = (ord(c) for c in '"<>-.:-TZ')
_ZERO, _NINE = ord("0"), ord("9")
EOL, _CR = ord("\n"), ord("\r")  # a stop byte: LF, CR LF or the end of the text


@njit(cache=True)
def _blank(b: np.ndarray, i: int) -> int:
    """The first index from ``i`` that is not XML whitespace (space, tab, CR, LF)."""
    end = b.shape[0]
    while 0 <= i < end and (b[i] == 32 or b[i] == 10 or b[i] == 13 or b[i] == 9):
        i += 1
    return i


@njit(cache=True)
def _stops(b: np.ndarray, i: int, stop: int) -> bool:
    """Whether the text at ``i`` is the ``stop`` byte; EOL: a line's end (LF, CR or the end)."""
    if i >= b.shape[0]:
        return stop == EOL
    return b[i] == stop or (stop == EOL and b[i] == _CR)


@njit(cache=True)
def _at(b: np.ndarray, i: int, lit: np.ndarray) -> int:
    """The index after ``lit`` when it is written at ``i``, else UNSURE."""
    n = lit.shape[0]
    if i < 0 or i + n > b.shape[0]:
        return UNSURE
    for k in range(n):
        if b[i + k] != lit[k]:
            return UNSURE
    return i + n


@njit(cache=True)
def _digits(b: np.ndarray, i: int, width: int) -> int:
    """The number written with exactly ``width`` ASCII digits at ``i``, else UNSURE."""
    if i < 0 or i + width > b.shape[0]:
        return UNSURE
    v = 0
    for k in range(width):
        c = b[i + k]
        if c < _ZERO or c > _NINE:
            return UNSURE
        v = v * 10 + (c - _ZERO)
    return v


@njit(cache=True)
def read_number(b: np.ndarray, i: int, stop: int) -> tuple[float, int]:
    """(value, index of the ``stop`` byte) of ``[-]digits[.digits]`` at ``i``, else (NaN, UNSURE)."""
    end = b.shape[0]
    if i < 0:
        return np.nan, UNSURE
    neg = i < end and b[i] == _MINUS
    if neg:
        i += 1
    m = 0
    digits = 0
    fraction = 0
    while i < end and _ZERO <= b[i] <= _NINE and digits <= MAX_DIGITS:
        m = m * 10 + (b[i] - _ZERO)
        digits += 1
        i += 1
    if digits == 0:
        return np.nan, UNSURE
    if i < end and b[i] == _DOT:
        i += 1
        while i < end and _ZERO <= b[i] <= _NINE and digits <= MAX_DIGITS:
            m = m * 10 + (b[i] - _ZERO)
            digits += 1
            fraction += 1
            i += 1
        if fraction == 0:
            return np.nan, UNSURE
    if digits > MAX_DIGITS or not _stops(b, i, stop):
        return np.nan, UNSURE
    v = m / _POW10[fraction]
    return (-v if neg else v), i


@njit(cache=True)
def read_instant(b: np.ndarray, i: int, stop: int) -> tuple[int, int]:
    """(epoch ms, index of the ``stop`` byte after it) of ``YYYY-MM-DDTHH:MM:SS[.f…][Z]`` at
    ``i`` within the readers' window, else (0, UNSURE)."""
    days = read_day(b, i)
    if days < 0:
        return 0, UNSURE
    return read_clock(b, i + DATE_CHARS, stop, days)


@njit(cache=True)
def read_day(b: np.ndarray, i: int) -> int:
    """Days since 1970-01-01 of the date ``YYYY-MM-DDT`` at ``i`` (a year of the readers'
    window, a day that exists), else UNSURE."""
    y = _digits(b, i, 4)
    mo = _digits(b, i + 5, 2)
    d = _digits(b, i + 8, 2)
    if y < 0 or mo < 0 or d < 0 or i + DATE_CHARS > b.shape[0]:
        return UNSURE
    if b[i + 4] != _DASH or b[i + 7] != _DASH or b[i + 10] != _T:
        return UNSURE
    leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    if not (MIN_YEAR <= y < END_YEAR and 1 <= mo <= 12 and 1 <= d):
        return UNSURE
    if d > _DAYS_IN_MONTH[mo] + (1 if mo == 2 and leap else 0):
        return UNSURE
    # days since 1970-01-01 of a proleptic Gregorian date (years counted from March)
    yy = y - 1 if mo <= 2 else y
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (mo - 3 if mo > 2 else mo + 9) + 2) // 5 + d - 1
    return era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - DAYS_0000_TO_1970


@njit(cache=True)
def read_clock(b: np.ndarray, i: int, stop: int, days: int) -> tuple[int, int]:
    """(epoch ms, index of the ``stop`` byte) of ``HH:MM:SS[.f…][Z]`` at ``i`` on the day
    ``days`` (since 1970-01-01), within the readers' window, else (0, UNSURE)."""
    h = _digits(b, i, 2)
    mi = _digits(b, i + 3, 2)
    s = _digits(b, i + 6, 2)
    if h < 0 or mi < 0 or s < 0 or b[i + 2] != _COLON or b[i + 5] != _COLON:
        return 0, UNSURE
    if h > 23 or mi > 59 or s > 59:
        return 0, UNSURE
    i += CLOCK_CHARS
    end = b.shape[0]
    ms = 0
    if i < end and b[i] == _DOT:
        i += 1
        n = 0
        while i < end and _ZERO <= b[i] <= _NINE:
            if n < 3:
                ms = ms * 10 + (b[i] - _ZERO)
            n += 1
            i += 1
        if n == 0 or n > MAX_FRACTION_DIGITS:
            return 0, UNSURE
        for _ in range(n, 3):
            ms *= 10
    if i < end and b[i] == _Z:
        i += 1
    if not _stops(b, i, stop):
        return 0, UNSURE
    t = days * MS_PER_DAY + ((h * 60 + mi) * 60 + s) * 1000 + ms
    if not MIN_INSTANT_MS <= t < MAX_INSTANT_MS:
        return 0, UNSURE
    return t, i


@njit(cache=True)
def _tag(b: np.ndarray, i: int, opening: np.ndarray, prefix: np.ndarray, name: np.ndarray) -> int:
    """The index after ``<P:name>`` (``opening`` ``<``) or ``</P:name>`` (``</``) at ``i``."""
    return _at(b, _at(b, _at(b, i, opening), prefix), name)


@njit(cache=True, nogil=True)  # the check's kernels load in a thread meanwhile
def scan_points(
    b: np.ndarray,
    start: int,
    prefix: np.ndarray,
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    speed: np.ndarray,
) -> tuple[int, int, int, bool]:
    """Read the points of a segment's inside from ``b[start]`` into the columns.

    Returns (points written, index reached, status, whether a speed extension was read).
    Status DONE: the index is the segment's ``</trkseg>``; FULL: the columns are full, call
    again from the index; UNSURE: not the layout read here (nothing is to be kept).
    ``prefix`` is the extension's ``P:`` (empty: an extension is unsure)."""
    end = b.shape[0]
    n = 0
    ext = False
    i = start
    while True:
        i = _blank(b, i)
        if _at(b, i, _TRKSEG_END) >= 0:
            return n, i, DONE, ext
        if n >= t.shape[0]:
            return n, i, FULL, ext
        j = _at(b, i, _TRKPT)
        i = _blank(b, j)
        if j < 0 or i == j:
            return n, i, UNSURE, ext
        la, i = read_number(b, _at(b, i, _LAT), _QUOTE)
        if i < 0 or not abs(la) <= MAX_LAT:
            return n, i, UNSURE, ext
        j = i + 1
        i = _blank(b, j)
        if i == j:
            return n, i, UNSURE, ext
        lo, i = read_number(b, _at(b, i, _LON), _QUOTE)
        if i < 0 or not abs(lo) <= MAX_LON:
            return n, i, UNSURE, ext
        i = _blank(b, i + 1)
        if i >= end or b[i] != _GT:
            return n, i, UNSURE, ext
        i = _blank(b, i + 1)
        j = _at(b, i, _ELE)
        if j >= 0:
            k = j
            while k < end and k - j <= MAX_ELE_CHARS and _ele_char(b[k]):
                k += 1
            if k == j or k - j > MAX_ELE_CHARS:
                return n, i, UNSURE, ext
            i = _blank(b, _at(b, k, _ELE_END))
        ms, i = read_instant(b, _at(b, i, _TIME), _LT)
        i = _blank(b, _at(b, i, _TIME_END))
        if i < 0:
            return n, i, UNSURE, ext
        sp = np.nan
        j = _at(b, i, _SPEED)
        if j >= 0:
            sp, i = read_number(b, j, _LT)
            i = _blank(b, _at(b, i, _SPEED_END))
        elif _at(b, i, _EXT) >= 0:
            if prefix.shape[0] == 0:
                return n, i, UNSURE, ext
            ext = True
            i = _blank(b, _at(b, i, _EXT))
            i = _blank(b, _tag(b, i, _OPEN, prefix, _TPX))
            sp, i = read_number(b, _tag(b, i, _OPEN, prefix, _SPEED_TAG), _LT)
            i = _blank(b, _tag(b, i, _CLOSE, prefix, _SPEED_TAG))
            i = _blank(b, _tag(b, i, _CLOSE, prefix, _TPX))
            i = _blank(b, _at(b, i, _EXT_END))
        i = _at(b, i, _TRKPT_END)
        if i < 0:
            return n, i, UNSURE, ext
        t[n] = ms
        lat[n] = la
        lon[n] = lo
        speed[n] = np.float32(sp * KMH_PER_MS)
        n += 1


@njit(cache=True)
def _ele_char(c: np.uint8) -> bool:
    """A byte of ``[-+.0-9eE]``: what an <ele>'s text may hold in the scanned layout."""
    return (_ZERO <= c <= _NINE) or c == 45 or c == 43 or c == 46 or c == 101 or c == 69


def warm() -> int:
    """Compile (or load from numba's cache) the scanner on one point; returns its count (1)."""
    body = (
        b'<trkpt lat="24.5" lon="45.25"><ele>12</ele><time>2026-01-05T08:00:01.5Z</time>'
        b"<extensions><p:TrackPointExtension><p:speed>2.5</p:speed></p:TrackPointExtension>"
        b"</extensions></trkpt>"
    )
    cols = np.empty(1, np.int64), np.empty(1), np.empty(1), np.empty(1, np.float32)
    tag = np.frombuffer(b"p:", np.uint8)  # read-only, as the reader passes it
    scanned = scan_points(np.frombuffer(body + b"</trkseg>", np.uint8), 0, tag, *cols)
    return int(scanned[0])
