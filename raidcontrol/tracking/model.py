"""Data model of tracking: a stage's roadbook and a fleet's fixes (pure, no I/O).

Units: distances in metres, speeds in km/h, times in integer milliseconds since the
Unix epoch (UTC), coordinates in WGS84 decimal degrees.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

WAYPOINT_TYPES = ("WPV", "WPM", "WPS", "WPE", "WPN", "WPC", "WPP")


@dataclass(frozen=True)
class Waypoint:
    """One roadbook waypoint.

    name: its ``name`` attribute, else ``WP<n>`` (n = 1-based index among waypoints in roadbook order).
    type: one of :data:`WAYPOINT_TYPES`, or a control type (``DSS``, ``ASS``, ``DZ``, ``FZ``, ``TC`` …).
    open_m / clear_m: opening and validation radii in metres (rulebook default when the file gives none).
    index: position in roadbook order (0-based, over every waypoint of the file).
    """

    name: str
    type: str
    lat: float
    lon: float
    clear_m: float
    open_m: float | None = None
    index: int = 0
    km: float | None = None


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

    waypoints: tuple[Waypoint, ...]          # the validation waypoints (WPV … WPP), roadbook order
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
    """

    bib: np.ndarray
    t_ms: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    speed_kmh: np.ndarray
    bibs: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    source: str = ""

    @property
    def nbytes(self) -> int:
        return int(self.bib.nbytes + self.t_ms.nbytes + self.lat.nbytes + self.lon.nbytes + self.speed_kmh.nbytes)

    def __len__(self) -> int:
        return int(self.t_ms.shape[0])
