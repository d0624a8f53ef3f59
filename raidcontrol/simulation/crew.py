"""One simulated crew: its plan (who it is, what goes wrong) and its 1 Hz track.

A crew waits at the DSS, drives the special at its pace under the terrain's, the bends'
and the zones' speed caps (with acceleration limits), stands still at the
neutralisation, and drives on along the liaison after the ASS until its tracker has
logged its fixes.  Faults are injected on purpose and remembered: a detour past a
waypoint, an excess in a zone, a tracker outage, fixes dropped right at a waypoint,
single-fix spikes, duplicate and swapped fixes, a breakdown.

Units: metres, seconds, m/s inside; km/h and epoch milliseconds at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raidcontrol.simulation.context import StageContext
from raidcontrol.simulation.drive import correlated_noise, sample_drive, speed_profile
from raidcontrol.simulation.faults import (
    drop_at_waypoint,
    place_outage,
    recorded_order,
    throw_spikes,
)
from raidcontrol.simulation.geo import offset
from raidcontrol.simulation.layout import Layout
from raidcontrol.simulation.profile import SimProfile
from raidcontrol.simulation.route import Route

KMH = 3.6  # m/s → km/h


@dataclass(frozen=True)
class CrewPlan:
    """One crew's draw.

    category: index into the profile's ``vehicles.categories``; pace: share of what the
    terrain allows; device_speed: the tracker reports speed; start_ms: DSS start (epoch
    ms); prestart_s: time logged at the DSS before it.  Faults (None / 0 = none):
    detour_wp + detour_m (waypoint index passed that far to the side), speeding_zone +
    excess_kmh + hold_s, outage_s, sparse_wp (fixes dropped at that waypoint), spikes,
    retire_m (breaks down there, metres from the DSS).
    """

    bib: int
    category: int
    pace: float
    device_speed: bool
    start_ms: int
    prestart_s: float
    seed: int
    detour_wp: int | None = None
    detour_m: float = 0.0
    speeding_zone: int | None = None
    excess_kmh: float = 0.0
    hold_s: float = 0.0
    outage_s: float = 0.0
    sparse_wp: int | None = None
    spikes: int = 0
    retire_m: float | None = None


@dataclass
class CrewTrack:
    """A crew's simulated track, ``fixes`` rows in time order without duplicates.

    t_ms (epoch ms), lat/lon (noisy, degrees), speed_kmh (device speed, float32, NaN when
    the tracker gives none); true_lat/true_lon (noise-free), s_m (distance along the
    route), true_kmh (true speed); spike (bool: a spike fix); recorded: row order of the
    tracker's file (indices into these rows, with duplicates and swapped neighbours);
    outages ((last fix before, first fix after) in ms); detour and sparse as planned
    (None when they could not be placed).
    """

    plan: CrewPlan
    t_ms: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    speed_kmh: np.ndarray
    true_lat: np.ndarray
    true_lon: np.ndarray
    s_m: np.ndarray
    true_kmh: np.ndarray
    spike: np.ndarray
    recorded: np.ndarray
    outages: list[tuple[int, int]]
    sparse_wp: int | None
    swapped: int
    duplicated: int


def base_caps(route: Route, special_m: float, profile: SimProfile) -> np.ndarray:
    """Path speed caps (m/s) per category and node: terrain × top speed on the special,
    the liaison speed after the ASS, and the bend limit everywhere."""
    vmax = np.asarray(profile.floats("vehicles.max_kmh")) / KMH
    bend = np.sqrt(
        float(profile.value("route.lateral_accel_ms2")) / np.maximum(np.abs(route.curvature), 1e-12)
    )
    liaison = float(profile.value("terrain.liaison_kmh")) / KMH
    on_special = route.s_m <= special_m
    caps = np.where(
        on_special[None, :],
        route.terrain_factor[None, :] * vmax[:, None],
        np.minimum(liaison, vmax[:, None]),
    )
    return np.minimum(caps, bend[None, :])


def _detour(
    plan: CrewPlan, layout: Layout, profile: SimProfile, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Lateral offset (m, left positive) and its slope along the route at ``s``."""
    off = np.zeros_like(s)
    slope = np.zeros_like(s)
    if plan.detour_wp is None:
        return off, slope
    centre = layout.wp_s[plan.detour_wp]
    d = plan.detour_m
    ramp = float(profile.value("faults.deviation_ramp_factor")) * d
    x = np.abs(s - centre) - d  # < 0 on the plateau, 0 … ramp on the ramps
    on_ramp = (x > 0) & (x < ramp)
    phase = np.pi * np.clip(x / ramp, 0.0, 1.0)
    off = np.where(x <= 0, d, np.where(on_ramp, d * (0.5 + 0.5 * np.cos(phase)), 0.0))
    slope = np.where(on_ramp, -0.5 * np.pi * d / ramp * np.sin(phase) * np.sign(s - centre), 0.0)
    return off, slope


def _caps(plan: CrewPlan, ctx: StageContext) -> tuple[np.ndarray, int]:
    """Along-route speed cap per node for this crew, and the neutralisation's node (-1: none)."""
    route, layout, profile = ctx.route, ctx.layout, ctx.profile
    grid = route.grid_m
    s = route.s_m
    cap = ctx.base_cap[plan.category].copy()
    special = s <= layout.special_m
    cap[special] *= plan.pace
    margin = float(profile.value("zones.compliant_margin_kmh"))
    before = float(profile.value("zones.brake_before_m"))
    for (a, b), limit in zip(layout.zone_s, layout.zone_limit_kmh):
        sl = slice(int(np.floor((a - before) / grid)), int(np.ceil((b + before) / grid)) + 1)
        cap[sl] = np.minimum(cap[sl], (limit - margin) / KMH)
    if plan.speeding_zone is not None:
        a, b = layout.zone_s[plan.speeding_zone]
        limit = layout.zone_limit_kmh[plan.speeding_zone]
        high = min(limit + plan.excess_kmh, profile.floats("vehicles.max_kmh")[plan.category]) / KMH
        low = (limit - margin) / KMH
        accel = profile.floats("vehicles.accel_ms2")[plan.category]
        brake = profile.floats("vehicles.brake_ms2")[plan.category]
        lo = a + before + (high**2 - low**2) / (2 * accel)
        hi = b - before - (high**2 - low**2) / (2 * brake)
        length = min(plan.hold_s * high, hi - lo)
        if length > grid:
            mid = 0.5 * (lo + hi)
            sl = slice(
                int(np.ceil((mid - length / 2) / grid)),
                int(np.floor((mid + length / 2) / grid)) + 1,
            )
            cap[sl] = np.minimum(high, ctx.base_cap[plan.category][sl])
    off, slope = _detour(plan, layout, profile, s)
    if plan.detour_wp is not None:
        cap /= np.sqrt((1.0 + route.curvature * off) ** 2 + slope**2)
    stop_node = -1
    if layout.neutral_s is not None:
        stop_node = round(layout.neutral_s / grid)
        cap[stop_node] = 0.0
    if plan.retire_m is not None:
        end = round(plan.retire_m / grid)
        cap = cap[: end + 1]
        cap[end] = 0.0
    return cap, stop_node


def simulate_crew(plan: CrewPlan, ctx: StageContext) -> CrewTrack:
    """Drive one crew and log its tracker (see the module docstring)."""
    route, layout, profile, rules = ctx.route, ctx.layout, ctx.profile, ctx.rules
    rng = np.random.default_rng(plan.seed)
    dt = ctx.fix_interval_ms / 1000.0
    max_gap_s = rules.max_gap_ms / 1000.0
    n_gen = ctx.fixes + int(np.ceil(plan.outage_s / dt)) + int(np.ceil(max_gap_s / dt)) + 2
    cap, stop_node = _caps(plan, ctx)
    cat = plan.category
    v = speed_profile(
        cap,
        route.grid_m,
        profile.floats("vehicles.accel_ms2")[cat],
        profile.floats("vehicles.brake_ms2")[cat],
    )
    s, v_along = sample_drive(
        v, route.grid_m, plan.prestart_s, stop_node, layout.neutral_ms / 1000.0, dt, n_gen
    )
    off, slope = _detour(plan, layout, profile, s)
    true_ms = v_along * np.sqrt((1.0 + route.curvature_at(s) * off) ** 2 + slope**2)
    lat0, lon0, heading = route.at(s)
    true_lat, true_lon = offset(lat0, lon0, -off * np.cos(heading), off * np.sin(heading))
    t_ms = (
        plan.start_ms
        - round(plan.prestart_s * 1000)
        + np.arange(n_gen, dtype=np.int64) * ctx.fix_interval_ms
    )

    # GPS noise: a slowly wandering error plus fix-to-fix jitter, per axis.
    rho = float(np.exp(-dt / float(profile.value("gps.bias_tau_s"))))
    sigma = float(profile.value("gps.bias_sigma_m"))
    white = float(profile.value("gps.white_sigma_m"))
    east = correlated_noise(rng.standard_normal(n_gen), sigma, rho) + white * rng.standard_normal(
        n_gen
    )
    north = correlated_noise(rng.standard_normal(n_gen), sigma, rho) + white * rng.standard_normal(
        n_gen
    )
    lat, lon = offset(true_lat, true_lon, east, north)
    speed = np.full(n_gen, np.nan, np.float32)
    if plan.device_speed:
        noise = float(profile.value("gps.device_speed_sigma_kmh")) * rng.standard_normal(n_gen)
        speed = np.abs(true_ms * KMH + noise).astype(np.float32)

    keep = np.ones(n_gen, bool)
    outages = place_outage(rng, plan.outage_s, s, t_ms, keep, ctx)
    sparse_wp = drop_at_waypoint(plan.sparse_wp, true_lat, true_lon, keep, ctx)
    rows = np.flatnonzero(keep)[: ctx.fixes]
    t_ms, lat, lon, speed = t_ms[rows], lat[rows], lon[rows], speed[rows]
    true_lat, true_lon, s, true_ms = true_lat[rows], true_lon[rows], s[rows], true_ms[rows]
    spike = throw_spikes(rng, plan.spikes, t_ms, lat, lon, ctx)
    recorded, swapped, duplicated = recorded_order(rng, ctx.fixes, profile)
    return CrewTrack(
        plan,
        t_ms,
        lat,
        lon,
        speed,
        true_lat,
        true_lon,
        s,
        true_ms * KMH,
        spike,
        recorded,
        outages,
        sparse_wp,
        swapped,
        duplicated,
    )
