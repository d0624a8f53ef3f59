"""Time order of a fleet's fixes (numba): count what came out of order, and sort crews by
time — in place for a reader that owns the arrays, or into a buffer for the check.

Trackers deliver nearly sorted data (a swapped neighbour here and there), so a crew with few
descents is sorted by insertion (linear when nearly sorted); others by a stable merge sort.
The kernels release the GIL: threads may run them on different crews side by side.
"""

from __future__ import annotations

import numpy as np

from raidcontrol.tracking.arrays import F32, F64, I64
from raidcontrol.tracking.jit import njit

NEARLY_SORTED = 64  # at most one descent per this many fixes: insertion sort


@njit(cache=True, nogil=True)
def count_descents(t: I64, offsets: I64) -> I64:
    """Per crew: how many fixes come earlier in time than the fix before them."""
    n = offsets.shape[0] - 1
    out = np.zeros(n, np.int64)
    for c in range(n):
        for i in range(offsets[c] + 1, offsets[c + 1]):
            if t[i] < t[i - 1]:
                out[c] += 1
    return out


@njit(cache=True, nogil=True)
def sort_crews_in_place(t: I64, lat: F64, lon: F64, spd: F32, offsets: I64) -> I64:
    """Sort each crew ``offsets[c]:offsets[c+1]`` by time, in place (stable; insertion sort
    when nearly sorted — only the fixes out of order move —, else merge sort); returns each
    crew's count of descents.  For a reader that owns the arrays it has just filled."""
    n_crews = offsets.shape[0] - 1
    descents = np.zeros(n_crews, np.int64)
    for c in range(n_crews):
        s = offsets[c]
        e = offsets[c + 1]
        for i in range(s + 1, e):
            if t[i] < t[i - 1]:
                descents[c] += 1
        if descents[c] == 0:
            continue
        n = e - s
        if descents[c] * NEARLY_SORTED <= n:  # only the fixes out of order move
            _insertion_sort(t, lat, lon, spd, s, e)
            continue
        idx = np.argsort(t[s:e], kind="mergesort")
        t[s:e] = t[s:e][idx]
        lat[s:e] = lat[s:e][idx]
        lon[s:e] = lon[s:e][idx]
        spd[s:e] = spd[s:e][idx]
    return descents


@njit(cache=True)
def _insertion_sort(t: I64, lat: F64, lon: F64, spd: F32, s: int, e: int) -> None:
    """Sort fixes s..e-1 by time in place, stably, by insertion (moves only the fixes out of
    order: linear when nearly sorted)."""
    for k in range(s + 1, e):
        tv = t[k]
        if t[k - 1] <= tv:
            continue
        la, lo, sp = lat[k], lon[k], spd[k]
        m = k - 1
        while m >= s and t[m] > tv:
            t[m + 1] = t[m]
            lat[m + 1] = lat[m]
            lon[m + 1] = lon[m]
            spd[m + 1] = spd[m]
            m -= 1
        t[m + 1] = tv
        lat[m + 1] = la
        lon[m + 1] = lo
        spd[m + 1] = sp


@njit(cache=True, nogil=True)
def gather_sorted(
    t: I64,
    lat: F64,
    lon: F64,
    spd: F32,
    offsets: I64,
    descents: I64,
    ot: I64,
    olat: F64,
    olon: F64,
    ospd: F32,
) -> None:
    """Copy crews ``offsets[c]:offsets[c+1]`` into the o* buffers, each crew sorted by time
    (stable): a straight copy when it has no descent, sorted there by insertion when it is
    nearly sorted (swapped neighbours), gathered in merge-sort order otherwise."""
    for c in range(offsets.shape[0] - 1):
        s = offsets[c]
        e = offsets[c + 1]
        n = e - s
        if descents[c] * NEARLY_SORTED <= n:
            ot[s:e] = t[s:e]
            olat[s:e] = lat[s:e]
            olon[s:e] = lon[s:e]
            ospd[s:e] = spd[s:e]
            if descents[c] > 0:
                _insertion_sort(ot, olat, olon, ospd, s, e)
            continue
        idx = np.argsort(t[s:e], kind="mergesort")
        for k in range(n):
            ot[s + k] = t[s + idx[k]]
            olat[s + k] = lat[s + idx[k]]
            olon[s + k] = lon[s + idx[k]]
            ospd[s + k] = spd[s + idx[k]]
