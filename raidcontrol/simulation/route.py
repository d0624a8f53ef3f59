"""A simulated route: a wandering desert piste on a regular grid, with its terrain.

The route is a centre line sampled every ``grid_m`` metres from the DSS (``s = 0``).
Its heading is the general bearing plus a sum of sine bends whose amplitudes add up to
at most ``route.wander_deg``: the route always makes progress along the bearing, so it
never comes back near itself.  *Calm windows* (around waypoints, zone gates and
controls) keep only the long bends, so that a crew that leaves the route there follows
a clean parallel line.

Arrays (one value per grid node): ``lat``/``lon`` degrees, ``heading`` radians
clockwise from north, ``curvature`` 1/m (positive: bending right), ``terrain_factor``
the fraction of a vehicle's top speed the ground allows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raidcontrol.simulation.geo import integrate_heading
from raidcontrol.simulation.profile import SimProfile


@dataclass(frozen=True)
class RouteShape:
    """The random draw behind a route, made before the layout is known.

    wavelengths_m, amplitudes_rad, phases_rad: the sine bends of the heading.
    terrain_ends_m: where each terrain segment ends (metres from the DSS); terrain_kind:
    its index into the profile's ``terrain.kinds``.
    """

    length_m: float
    wavelengths_m: np.ndarray
    amplitudes_rad: np.ndarray
    phases_rad: np.ndarray
    terrain_ends_m: np.ndarray
    terrain_kind: np.ndarray


@dataclass(frozen=True)
class Route:
    """A route's centre line on a regular grid (see the module docstring for the columns)."""

    grid_m: float
    lat: np.ndarray
    lon: np.ndarray
    heading: np.ndarray
    curvature: np.ndarray
    terrain_factor: np.ndarray
    terrain_kind: np.ndarray

    @property
    def length_m(self) -> float:
        return float((self.lat.shape[0] - 1) * self.grid_m)

    @property
    def s_m(self) -> np.ndarray:
        return np.arange(self.lat.shape[0], dtype=np.float64) * self.grid_m

    def at(self, s_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lat, lon, heading) at distances ``s_m`` along the route (linear between nodes)."""
        x = np.clip(np.asarray(s_m, dtype=np.float64) / self.grid_m, 0.0, self.lat.shape[0] - 1.0)
        i = np.minimum(x.astype(np.int64), self.lat.shape[0] - 2)
        f = x - i

        def lerp(a: np.ndarray) -> np.ndarray:
            return a[i] + (a[i + 1] - a[i]) * f

        return lerp(self.lat), lerp(self.lon), lerp(self.heading)

    def curvature_at(self, s_m: np.ndarray) -> np.ndarray:
        return np.interp(s_m, self.s_m, self.curvature)


def draw_shape(rng: np.random.Generator, length_m: float, profile: SimProfile) -> RouteShape:
    """Draw the bends and the terrain segments of a route ``length_m`` long."""
    k = int(profile.value("route.bend_components"))
    lo, hi = profile.pair("route.bend_wavelength_m")
    wavelengths = np.exp(rng.uniform(np.log(lo), np.log(hi), k))
    amplitudes = np.full(k, np.deg2rad(profile.value("route.wander_deg")) / k)
    phases = rng.uniform(0.0, 2 * np.pi, k)
    shares = np.asarray(profile.floats("terrain.share"))
    seg_lo, seg_hi = profile.pair("terrain.segment_km")
    ends, kinds, s = [], [], 0.0
    while s < length_m:
        s += rng.uniform(seg_lo, seg_hi) * 1000.0
        ends.append(s)
        kinds.append(rng.choice(len(shares), p=shares / shares.sum()))
    return RouteShape(
        length_m,
        wavelengths,
        amplitudes,
        phases,
        np.asarray(ends),
        np.asarray(kinds, dtype=np.int8),
    )


def _window_weight(s: np.ndarray, windows: list[tuple[float, float]], ramp_m: float) -> np.ndarray:
    """1 outside the windows, 0 inside, raised-cosine ramps of ``ramp_m`` at their edges."""
    w = np.ones_like(s)
    for a, b in windows:
        lo = max(0, int(np.searchsorted(s, a - ramp_m)))
        hi = int(np.searchsorted(s, b + ramp_m))
        seg = s[lo:hi]
        d = np.maximum(a - seg, seg - b)  # > 0 outside the window
        ramp = np.where(d <= 0, 0.0, 0.5 - 0.5 * np.cos(np.pi * np.clip(d / ramp_m, 0.0, 1.0)))
        w[lo:hi] = np.minimum(w[lo:hi], ramp)
    return w


def build_route(
    shape: RouteShape,
    profile: SimProfile,
    *,
    calm: list[tuple[float, float]] = (),
    fast: list[tuple[float, float]] = (),
) -> Route:
    """The route of ``shape``: bends shorter than the calm wavelength fade out in the
    ``calm`` windows, and the ``fast`` windows (speed zones) run on fast piste."""
    grid = float(profile.value("route.grid_m"))
    n = int(np.ceil(shape.length_m / grid)) + 1
    s = np.arange(n, dtype=np.float64) * grid
    straight = float(profile.value("route.straight_m"))
    calm_w = _window_weight(s, list(calm), straight)
    short = shape.wavelengths_m < float(profile.value("route.calm_below_m"))
    wander = np.zeros(n)
    for lam, amp, ph, is_short in zip(
        shape.wavelengths_m, shape.amplitudes_rad, shape.phases_rad, short
    ):
        bend = amp * np.sin(2 * np.pi * s / lam + ph)
        wander += bend * calm_w if is_short else bend
    heading = np.deg2rad(float(profile.value("route.heading_deg"))) + wander
    curvature = np.gradient(heading, grid)
    step_heading = 0.5 * (heading[:-1] + heading[1:])
    lat, lon = integrate_heading(
        step_heading,
        grid,
        float(profile.value("route.start_lat")),
        float(profile.value("route.start_lon")),
    )
    kinds = shape.terrain_kind[
        np.minimum(np.searchsorted(shape.terrain_ends_m, s), len(shape.terrain_kind) - 1)
    ]
    factors = np.asarray(profile.floats("terrain.speed_factor"))
    fast_w = _window_weight(s, list(fast), straight)
    kinds = np.where(fast_w < 1.0, int(np.argmax(factors)), kinds).astype(
        np.int8
    )  # zones run on the fastest ground
    return Route(grid, lat, lon, heading, curvature, factors[kinds], kinds)
