"""A crew's fixes received so far: sorted by time, one fix per instant (pure).

Fixes arrive late, out of order and more than once.  :class:`CrewFixes` keeps them in time
order in growable columns; a fix at an instant already held is a resend and is not kept (the
first one received wins), so ingesting the same burst twice changes nothing.

Columns (each of length ``n``): t_ms int64 epoch ms (UTC); lat, lon float64 WGS84 degrees;
speed_kmh float32 device speed in km/h (NaN: none).
"""

from __future__ import annotations

import numpy as np

INITIAL_CAPACITY = 64  # fixes; the columns double when full
NONE_NEW = int(np.iinfo(np.int64).max)  # no fix added since the last check


class CrewFixes:
    """One crew's fixes in time order, deduplicated by instant."""

    def __init__(self, bib: int):
        self.bib = bib
        self.n = 0
        self.earliest_new_ms = NONE_NEW  # the earliest instant added since :meth:`checked`
        self._t = np.empty(INITIAL_CAPACITY, np.int64)
        self._lat = np.empty(INITIAL_CAPACITY, np.float64)
        self._lon = np.empty(INITIAL_CAPACITY, np.float64)
        self._spd = np.empty(INITIAL_CAPACITY, np.float32)

    @property
    def t_ms(self) -> np.ndarray:
        return self._t[: self.n]

    @property
    def lat(self) -> np.ndarray:
        return self._lat[: self.n]

    @property
    def lon(self) -> np.ndarray:
        return self._lon[: self.n]

    @property
    def speed_kmh(self) -> np.ndarray:
        return self._spd[: self.n]

    def _reserve(self, size: int) -> None:
        if size <= self._t.shape[0]:
            return
        cap = max(size, 2 * self._t.shape[0])
        for name in ("_t", "_lat", "_lon", "_spd"):
            old = getattr(self, name)
            new = np.empty(cap, old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def checked(self) -> int:
        """The earliest instant added since the last call (NONE_NEW: none); resets it."""
        earliest, self.earliest_new_ms = self.earliest_new_ms, NONE_NEW
        return earliest

    def new_mask(self, t: np.ndarray) -> np.ndarray:
        """Which of the instants ``t`` (one batch, in arrival order) are new: not held already and
        not repeated earlier in the batch."""
        first = np.zeros(t.shape[0], np.bool_)
        _, where = np.unique(t, return_index=True)
        first[where] = True
        if self.n:
            held = self.t_ms
            pos = np.searchsorted(held, t)
            hit = (pos < self.n) & (held[np.minimum(pos, self.n - 1)] == t)
            first &= ~hit
        return first

    def add(self, t: np.ndarray, lat: np.ndarray, lon: np.ndarray, spd: np.ndarray) -> int:
        """Keep the new fixes of a batch (``new_mask`` applied by the caller or here); returns how
        many were kept.  Fixes later than every fix held are appended; others are merged in."""
        keep = self.new_mask(t)
        if not keep.all():
            t, lat, lon, spd = t[keep], lat[keep], lon[keep], spd[keep]
        m: int = t.shape[0]
        if m == 0:
            return 0
        order = np.argsort(t, kind="stable")
        t, lat, lon, spd = t[order], lat[order], lon[order], spd[order]
        self.earliest_new_ms = min(self.earliest_new_ms, int(t[0]))
        start = self.n
        self._reserve(self.n + m)
        end = start + m
        self._t[start:end], self._lat[start:end], self._lon[start:end], self._spd[start:end] = (
            t,
            lat,
            lon,
            spd,
        )
        self.n = end
        if start and t[0] < self._t[start - 1]:  # late fixes: merge them in
            merged = np.argsort(self._t[:end], kind="stable")
            for name in ("_t", "_lat", "_lon", "_spd"):
                col = getattr(self, name)
                col[:end] = col[:end][merged]
        return m
