"""Distances on the Earth at rally scale: a local equirectangular projection (pure).

Over the few kilometres that matter around a waypoint or between two fixes, projecting
(lat, lon) to metres as ``x = Δlon·cos(lat₀)·R``, ``y = Δlat·R`` (angles in radians,
R the mean Earth radius) is accurate to far better than GPS precision (the error grows
with the square of the distance: under 1 cm at 2 km).  Each waypoint gets its own
projection centre; a leg between two fixes uses the mean cosine of its two ends.
"""

from __future__ import annotations

import math
from typing import overload

import numpy as np
import numpy.typing as npt

from raidcontrol.tracking.arrays import F64

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0  # metres per degree of latitude
DEG = math.pi / 180.0
MS_TO_KMH = 3.6  # m/s → km/h
MS_PER_S = 1000.0


@overload
def local_xy(lat: float, lon: float, lat0: float, lon0: float) -> tuple[float, float]: ...
@overload
def local_xy(
    lat: npt.ArrayLike, lon: npt.ArrayLike, lat0: float, lon0: float
) -> tuple[F64, F64]: ...
def local_xy(
    lat: npt.ArrayLike, lon: npt.ArrayLike, lat0: float, lon0: float
) -> tuple[F64 | float, F64 | float]:
    """Metres east (x) and north (y) of (lat0, lon0) in the local projection (numbers for
    numbers, arrays for arrays)."""
    x = (np.asarray(lon, dtype=np.float64) - lon0) * M_PER_DEG * math.cos(lat0 * DEG)
    y = (np.asarray(lat, dtype=np.float64) - lat0) * M_PER_DEG
    return x, y


@overload
def from_local_xy(x: float, y: float, lat0: float, lon0: float) -> tuple[float, float]: ...
@overload
def from_local_xy(
    x: npt.ArrayLike, y: npt.ArrayLike, lat0: float, lon0: float
) -> tuple[F64, F64]: ...
def from_local_xy(
    x: npt.ArrayLike, y: npt.ArrayLike, lat0: float, lon0: float
) -> tuple[F64 | float, F64 | float]:
    """The inverse of :func:`local_xy`: (lat, lon) of points x metres east, y metres north."""
    lat = lat0 + np.asarray(y, dtype=np.float64) / M_PER_DEG
    lon = lon0 + np.asarray(x, dtype=np.float64) / (M_PER_DEG * math.cos(lat0 * DEG))
    return lat, lon


def leg_lengths_m(lat: npt.ArrayLike, lon: npt.ArrayLike) -> F64:
    """Length in metres of each leg between consecutive points (n-1 values)."""
    la = np.asarray(lat, dtype=np.float64)
    lo = np.asarray(lon, dtype=np.float64)
    c = np.cos(la * DEG)
    dx = np.diff(lo) * M_PER_DEG * 0.5 * (c[1:] + c[:-1])
    dy = np.diff(la) * M_PER_DEG
    hyp: F64 = np.hypot(dx, dy)
    return hyp


def leg_m(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    """Length in metres of one leg (scalar form of :func:`leg_lengths_m`)."""
    c = 0.5 * (math.cos(lat_a * DEG) + math.cos(lat_b * DEG))
    return math.hypot((lon_b - lon_a) * M_PER_DEG * c, (lat_b - lat_a) * M_PER_DEG)


def segment_distance_m(
    lat0: float, lon0: float, lat_a: float, lon_a: float, lat_b: float, lon_b: float
) -> float:
    """Distance from (lat0, lon0) to the segment a–b, in (lat0, lon0)'s local projection."""
    kx = M_PER_DEG * math.cos(lat0 * DEG)
    ax, ay = (lon_a - lon0) * kx, (lat_a - lat0) * M_PER_DEG
    vx, vy = (lon_b - lon0) * kx - ax, (lat_b - lat0) * M_PER_DEG - ay
    length2 = vx * vx + vy * vy
    u = 0.0 if length2 == 0 else min(1.0, max(0.0, -(ax * vx + ay * vy) / length2))
    return math.hypot(ax + u * vx, ay + u * vy)


def closest_approach(
    t_ms: np.ndarray, lat: np.ndarray, lon: np.ndarray, joined: np.ndarray, lat0: float, lon0: float
) -> tuple[float, int]:
    """The track's closest approach to (lat0, lon0): (metres, epoch ms), judged on the legs
    between consecutive fixes where ``joined[i]`` (leg i → i+1 is not an outage) and on the
    fixes themselves.  ``(inf, 0)`` for an empty track."""
    if t_ms.shape[0] == 0:
        return math.inf, 0
    x, y = local_xy(lat, lon, lat0, lon0)
    d_fix = np.hypot(x, y)
    best = int(np.argmin(d_fix))
    best_d, best_t = float(d_fix[best]), int(t_ms[best])
    legs = np.flatnonzero(joined[:-1]) if t_ms.shape[0] > 1 else np.zeros(0, np.int64)
    if legs.shape[0]:
        ax, ay, vx, vy = x[legs], y[legs], x[legs + 1] - x[legs], y[legs + 1] - y[legs]
        l2 = vx * vx + vy * vy
        with np.errstate(divide="ignore", invalid="ignore"):
            u = np.clip(np.where(l2 > 0, -(ax * vx + ay * vy) / l2, 0.0), 0.0, 1.0)
        d = np.hypot(ax + u * vx, ay + u * vy)
        k = int(np.argmin(d))
        if d[k] < best_d:
            i = legs[k]
            best_d, best_t = float(d[k]), int(t_ms[i] + round(u[k] * (t_ms[i + 1] - t_ms[i])))
    return best_d, best_t
