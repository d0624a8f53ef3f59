"""Km on the special from the roadbook's points (pure).

The roadbook's points (DSS, waypoints, DZ/FZ, controls, ASS) in roadbook order make a polyline;
each point's distance is its roadbook km when every point has one, else the distance along the
polyline.  A position's km is that of its nearest point on the polyline (straight lines between
the points: an approximation of the piste, good to the spacing of the points' bends — which is why
a crew counts as past a km only beyond the rulebook's ``tracking.live.provable_margin_m``).

Units: metres (``km_m`` arrays hold metres from the DSS), WGS84 degrees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raidcontrol.tracking.geodesy import DEG, EARTH_RADIUS_M
from raidcontrol.tracking.model import Roadbook, Waypoint

M_PER_KM = 1000.0


def roadbook_points(roadbook: Roadbook) -> list[Waypoint]:
    """Every located point of the roadbook once, in roadbook order."""
    pts: dict[tuple[int, str], Waypoint] = {}
    extra = [roadbook.dss, roadbook.ass, *roadbook.time_controls]
    extra += [p for pair in roadbook.neutralisations for p in pair]
    for wp in [*roadbook.waypoints, *(p for z in roadbook.zones for p in (z.start, z.end)), *extra]:
        if wp is not None:
            pts[(wp.index, wp.name)] = wp
    return [pts[k] for k in sorted(pts)]


@dataclass(frozen=True)
class RouteKm:
    """The polyline: points' lat/lon (degrees) and km (metres from the first point)."""

    lat: np.ndarray
    lon: np.ndarray
    km_m: np.ndarray

    @classmethod
    def of(cls, roadbook: Roadbook) -> RouteKm:
        pts = roadbook_points(roadbook)
        lat = np.array([p.lat for p in pts], np.float64)
        lon = np.array([p.lon for p in pts], np.float64)
        kms = [p.km for p in pts if p.km is not None]
        if pts and len(kms) == len(pts):
            km = np.array([float(k) * M_PER_KM for k in kms], np.float64)
        else:
            x, y = _xy(lat, lon, lat.mean() if pts else 0.0)
            km = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
        return cls(lat, lon, km)

    def point_km(self, wp: Waypoint) -> float:
        """The km (metres) of a roadbook point: its own km, else its projection."""
        if wp.km is not None and self.km_m.size and np.all(np.isfinite(self.km_m)):
            return float(wp.km) * M_PER_KM
        return float(self.project(np.array([wp.lat]), np.array([wp.lon]))[0])

    def project(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The km (metres) of each position: that of its nearest point on the polyline."""
        n = self.lat.shape[0]
        if n == 0:
            return np.zeros(lat.shape[0])
        if n == 1:
            return np.full(lat.shape[0], self.km_m[0])
        phi0 = float(self.lat.mean())
        px, py = _xy(lat, lon, phi0)
        ax, ay = _xy(self.lat, self.lon, phi0)
        dx, dy = np.diff(ax), np.diff(ay)
        seg2 = np.maximum(dx * dx + dy * dy, 1e-9)
        rx = px[:, None] - ax[None, :-1]
        ry = py[:, None] - ay[None, :-1]
        u = np.clip((rx * dx + ry * dy) / seg2, 0.0, 1.0)
        d2 = (rx - u * dx) ** 2 + (ry - u * dy) ** 2
        best = np.argmin(d2, axis=1)
        rows = np.arange(lat.shape[0])
        km: np.ndarray = self.km_m[best] + u[rows, best] * np.diff(self.km_m)[best]
        return km


def _xy(lat: np.ndarray, lon: np.ndarray, phi0: float) -> tuple[np.ndarray, np.ndarray]:
    """Local equirectangular metres around latitude ``phi0``."""
    return lon * DEG * np.cos(phi0 * DEG) * EARTH_RADIUS_M, lat * DEG * EARTH_RADIUS_M
