"""The CSV track reader's compiled pass: rows ``bib,time,lat,lon[,speed]`` byte by byte.

:func:`scan_rows` reads the layout the usual writers produce — no quotes, no blank line, LF
or CR LF line ends, a bib of ASCII digits (0 … 2³¹−1), a time ``YYYY-MM-DDTHH:MM:SS[.f…][Z]``
in the readers' window, coordinates in range, a speed or nothing — with the number and
instant readers of the GPX scanner (:mod:`raidcontrol.io.gpx_kernel`: each value the one the
validated path gives).  On anything else it answers UNSURE and the caller reads the file
with pyarrow's reader and the column-by-column validation, which accepts it or reports the
first bad value with its line.
"""

from __future__ import annotations

import numpy as np

from raidcontrol.io.gpx_kernel import DATE_CHARS, EOL, UNSURE, read_clock, read_day, read_number
from raidcontrol.io.hardening import INT32_MAX
from raidcontrol.tracking.jit import njit

MAX_BIB_DIGITS = 10  # INT32_MAX has 10
MAX_LAT, MAX_LON = 90.0, 180.0  # degrees
_COMMA, _CR = ord(","), ord("\r")
_ZERO, _NINE = ord("0"), ord("9")
_ONES = np.uint64(0x0101_0101_0101_0101)
_LFS = np.uint64(0x0A0A_0A0A_0A0A_0A0A)  # LF in every byte
_LOW7 = np.uint64(0x7F7F_7F7F_7F7F_7F7F)
_HIGH = np.uint64(0x8080_8080_8080_8080)


@njit(cache=True, nogil=True)
def count_lines(b: np.ndarray, words: np.ndarray, start: int, stop: int) -> int:
    """Line feeds in ``b[start:stop]``; ``words`` is ``b``'s whole 8-byte words as uint64, which
    are counted eight bytes at a time (a byte equal to LF is a zero byte of ``word ^ LFs``)."""
    n = 0
    first, last = min(-(-start // 8), stop // 8), stop // 8
    for i in range(start, min(first * 8, stop)):
        n += b[i] == EOL
    for k in range(first, last):
        x = words[k] ^ _LFS
        zero = ~(((x & _LOW7) + _LOW7) | x) & _HIGH  # the high bit of each zero byte
        n += ((zero >> np.uint64(7)) * _ONES) >> np.uint64(56)  # their sum, in the top byte
    for i in range(max(last * 8, start), stop):
        n += b[i] == EOL
    return n


@njit(cache=True)
def _same(b: np.ndarray, i: int, j: int, width: int) -> bool:
    """Whether ``b[i : i + width]`` is written at ``j`` too (``j < i``)."""
    if i + width > b.shape[0]:
        return False
    for k in range(width):
        if b[i + k] != b[j + k]:
            return False
    return True


@njit(cache=True, nogil=True)  # the rows' parts are read side by side in threads
def scan_rows(
    b: np.ndarray,
    start: int,
    stop: int,
    with_speed: bool,
    bib: np.ndarray,
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    speed: np.ndarray,
) -> int:
    """The rows of ``b[start:stop]`` (whole lines) written into the columns (room for
    ``bib.shape[0]``), or UNSURE."""
    b = b[:stop]
    n = 0
    i = start
    day_at, day = -1, 0  # where the last date read is written, its day since 1970
    while i < stop:
        if n >= bib.shape[0]:
            return UNSURE
        v = 0
        k = i
        while k < stop and _ZERO <= b[k] <= _NINE and k - i < MAX_BIB_DIGITS:
            v = v * 10 + (b[k] - _ZERO)
            k += 1
        if k == i or v > INT32_MAX or k >= stop or b[k] != _COMMA:
            return UNSURE
        k += 1
        if not (day_at >= 0 and _same(b, k, day_at, DATE_CHARS)):
            day = read_day(b, k)  # a new date (the rows of a day share theirs: read once)
            if day < 0:
                return UNSURE
            day_at = k
        ms, k = read_clock(b, k + DATE_CHARS, _COMMA, day)
        if k < 0:
            return UNSURE
        la, k = read_number(b, k + 1, _COMMA)
        if k < 0 or not abs(la) <= MAX_LAT:
            return UNSURE
        lo, k = read_number(b, k + 1, _COMMA if with_speed else EOL)
        if k < 0 or not abs(lo) <= MAX_LON:
            return UNSURE
        sp = np.nan
        if with_speed:
            k += 1
            if k < stop and b[k] != EOL and b[k] != _CR:
                sp, k = read_number(b, k, EOL)
                if k < 0:
                    return UNSURE
        if k < stop and b[k] == _CR:
            k += 1
            if k >= stop or b[k] != EOL:
                return UNSURE
        if k < stop:
            k += 1  # the line feed
        bib[n] = v
        t[n] = ms
        lat[n] = la
        lon[n] = lo
        speed[n] = sp
        n += 1
        i = k
    return n


def words(b: np.ndarray) -> np.ndarray:
    """``b``'s whole 8-byte words as uint64 (for :func:`count_lines`)."""
    return b[: b.shape[0] // 8 * 8].view(np.uint64)


def warm() -> int:
    """Compile (or load from numba's cache) the pass on two rows; returns their count (2)."""
    text = b"7,2026-01-05T08:00:01Z,24.5,45.25,\r\n7,2026-01-05T08:00:02.5Z,24.5,45.25,12.5"
    data = np.frombuffer(text, np.uint8)  # read-only, as the reader passes it
    rows = count_lines(data, words(data), 0, len(text)) + 1
    cols = (np.empty(rows, np.int32), np.empty(rows, np.int64), *(np.empty(rows) for _ in "abc"))
    return int(scan_rows(data, 0, len(text), True, *cols))
