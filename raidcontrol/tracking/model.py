"""Data model of tracking: a stage's roadbook and a fleet's fixes (pure, no I/O).

Units: distances in metres, speeds in km/h, times in integer milliseconds since the
Unix epoch (UTC), coordinates in WGS84 decimal degrees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

WAYPOINT_TYPES = ("WPV", "WPM", "WPS", "WPE", "WPN", "WPC", "WPP")


@dataclass(frozen=True)
class Waypoint:
    """One roadbook waypoint.

    name: its ``name`` attribute, else ``WP<n>`` (n = 1-based index among waypoints in roadbook order).
    type: one of :data:`WAYPOINT_TYPES`, or a control type (``DSS``, ``ASS``, ``DZ``, ``FZ``, ``TC`` …).
    open_m / clear_m: opening and validation radii in metres (rulebook default when the file gives none).
    index: position in roadbook order (0-based, over every waypoint of the file).
    km: the roadbook distance at the waypoint (km).
    line: the line of its ``<wpt>`` in the roadbook file (0 when not read from a file).
    duration_ms: a neutralisation's or a stop's length; allowed_ms: a time control's allowed time.
    """

    name: str
    type: str
    lat: float
    lon: float
    clear_m: float
    open_m: float | None = None
    index: int = 0
    km: float | None = None
    line: int = 0
    duration_ms: int | None = None
    allowed_ms: int | None = None


@dataclass(frozen=True)
class SpeedZone:
    """A speed-controlled zone from its DZ waypoint to its FZ waypoint.

    name: the DZ waypoint's name, else ``DZ<n>`` (n from 1 in roadbook order).
    """

    name: str
    limit_kmh: float
    start: Waypoint
    end: Waypoint


@dataclass(frozen=True)
class Roadbook:
    """What the tracking check needs from a stage's roadbook."""

    waypoints: tuple[Waypoint, ...]  # the validation waypoints (WPV … WPP), roadbook order
    zones: tuple[SpeedZone, ...]
    dss: Waypoint | None = None
    ass: Waypoint | None = None
    neutralisations: tuple[tuple[Waypoint, Waypoint], ...] = ()
    time_controls: tuple[Waypoint, ...] = ()
    source: str = ""


@dataclass
class Fleet:
    """A fleet's fixes as columns, sorted by (bib, t).

    bib: int32, t_ms: int64 (epoch ms, UTC), lat/lon: float64 degrees,
    speed_kmh: float32 device speed, NaN where the device gave none.
    ``offsets[i]:offsets[i+1]`` is the slice of crew ``bibs[i]``.
    reordered: when a reader sorted each crew by time, how many fixes per crew had come out
    of order (None: not sorted by the reader; the check sorts and counts them itself).
    """

    bib: np.ndarray
    t_ms: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    speed_kmh: np.ndarray
    bibs: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    source: str = ""
    reordered: np.ndarray | None = (
        None  # per crew: fixes that came out of time order (set by a reader that sorted them)
    )

    @property
    def nbytes(self) -> int:
        return int(
            self.bib.nbytes
            + self.t_ms.nbytes
            + self.lat.nbytes
            + self.lon.nbytes
            + self.speed_kmh.nbytes
        )

    def __len__(self) -> int:
        return int(self.t_ms.shape[0])

    @classmethod
    def from_columns(
        cls,
        bib: npt.ArrayLike,
        t_ms: npt.ArrayLike,
        lat: npt.ArrayLike,
        lon: npt.ArrayLike,
        speed_kmh: npt.ArrayLike | None = None,
        source: str = "",
    ) -> Fleet:
        """A fleet from raw columns: grouped by bib (stable, so each crew keeps its fixes in
        the given order), with ``bibs``/``offsets`` built.  Columns are cast to the documented
        dtypes; ``speed_kmh`` None means no device speed (all NaN)."""
        bib = np.asarray(bib, dtype=np.int32)
        t_ms = np.asarray(t_ms, dtype=np.int64)
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        speed = (
            np.full(bib.shape[0], np.nan, dtype=np.float32)
            if speed_kmh is None
            else np.asarray(speed_kmh, dtype=np.float32)
        )
        if bib.shape[0] > 1 and np.any(bib[1:] < bib[:-1]):
            order = np.argsort(bib, kind="stable")
            bib, t_ms, lat, lon, speed = (
                bib[order],
                t_ms[order],
                lat[order],
                lon[order],
                speed[order],
            )
        if bib.shape[0]:
            starts = np.flatnonzero(np.r_[True, bib[1:] != bib[:-1]])
            bibs = bib[starts].astype(np.int32)
            offsets = np.r_[starts, bib.shape[0]].astype(np.int64)
        else:
            bibs = np.empty(0, np.int32)
            offsets = np.zeros(1, np.int64)
        return cls(bib, t_ms, lat, lon, speed, bibs, offsets, source)
