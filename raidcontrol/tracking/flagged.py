"""The fixes the kernel flagged (spikes, duplicates, outages), found fast (numba).

Flagged fixes are rare, so the flags are scanned eight at a time, as 64-bit words, and
only a non-zero word is looked at byte by byte.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from raidcontrol.tracking.arrays import I64, U8
from raidcontrol.tracking.jit import njit

WORD = 8  # flags per 64-bit word


def words(n: int) -> int:
    """Words covering n flags."""
    return (n + WORD - 1) // WORD


@njit(cache=True)
def _scan(words64: npt.NDArray[np.uint64], flags: U8, n: int) -> I64:
    count = 0
    for w in range(words64.shape[0]):
        if words64[w] != 0:
            for i in range(w * WORD, min(n, (w + 1) * WORD)):
                if flags[i] != 0:
                    count += 1
    out = np.empty(count, np.int64)
    m = 0
    for w in range(words64.shape[0]):
        if words64[w] != 0:
            for i in range(w * WORD, min(n, (w + 1) * WORD)):
                if flags[i] != 0:
                    out[m] = i
                    m += 1
    return out


def flagged(flags: U8, n: int) -> I64:
    """Indices < n of the non-zero flags, ascending (``flags`` holds whole words from 0)."""
    return _scan(flags[: words(n) * WORD].view(np.uint64), flags, n)
