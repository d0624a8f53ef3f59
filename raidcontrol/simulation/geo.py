"""Small geodesy for the simulator: a spherical Earth and local east/north metres.

Over the few kilometres the simulator moves a point (a lateral detour, GPS noise, a
spike) a local tangent plane is exact to well under a centimetre per kilometre.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius (metres), a physical constant


def metres_per_degree(lat_deg: np.ndarray | float) -> tuple[np.ndarray | float, np.ndarray | float]:
    """(metres per degree of latitude, metres per degree of longitude) at ``lat_deg``."""
    per_lat = np.deg2rad(1.0) * EARTH_RADIUS_M
    return per_lat, per_lat * np.cos(np.deg2rad(lat_deg))


def offset(
    lat_deg: np.ndarray, lon_deg: np.ndarray, east_m: np.ndarray, north_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Points moved by (``east_m``, ``north_m``) metres in their local tangent plane."""
    per_lat, per_lon = metres_per_degree(lat_deg)
    return lat_deg + north_m / per_lat, lon_deg + east_m / per_lon


def local_metres(
    lat_deg: np.ndarray, lon_deg: np.ndarray, lat0: float, lon0: float
) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) metres of points from (``lat0``, ``lon0``), equirectangular about ``lat0``."""
    per_lat, per_lon = metres_per_degree(lat0)
    return (lon_deg - lon0) * per_lon, (lat_deg - lat0) * per_lat


def integrate_heading(
    heading_rad: np.ndarray, step_m: float, lat0: float, lon0: float
) -> tuple[np.ndarray, np.ndarray]:
    """The polyline that leaves (``lat0``, ``lon0``) and takes steps of ``step_m`` metres
    on the given headings (radians clockwise from north; ``heading_rad[i]`` is the
    step from node ``i`` to ``i+1``; the result has one node more than steps)."""
    dlat = np.rad2deg(step_m * np.cos(heading_rad) / EARTH_RADIUS_M)
    lat = np.concatenate(([lat0], lat0 + np.cumsum(dlat)))
    mid_lat = 0.5 * (lat[:-1] + lat[1:])
    dlon = np.rad2deg(step_m * np.sin(heading_rad) / (EARTH_RADIUS_M * np.cos(np.deg2rad(mid_lat))))
    lon = np.concatenate(([lon0], lon0 + np.cumsum(dlon)))
    return lat, lon
