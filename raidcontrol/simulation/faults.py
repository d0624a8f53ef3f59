"""The faults a simulated tracker suffers, injected on purpose into a crew's fixes:
an outage, fixes dropped right at a waypoint, single-fix spikes, and the file's
duplicate and swapped fixes.  Each function draws from the crew's own random generator,
in a fixed order, so a crew's faults depend only on its seed.
"""

from __future__ import annotations

import numpy as np

from raidcontrol.simulation.context import StageContext
from raidcontrol.simulation.geo import metres_per_degree, offset
from raidcontrol.simulation.profile import SimProfile

OUTAGE_TRIES = 50  # random places tried for an outage before it is shortened


def _outage_free(ctx: StageContext) -> list[tuple[float, float]]:
    """Stretches an outage must not touch: each waypoint's radius, each zone with its
    braking room, the neutralisation and the DSS, all widened by ``faults.outage_guard_m``."""
    layout = ctx.layout
    guard = float(ctx.profile.value("faults.outage_guard_m"))
    before = float(ctx.profile.value("zones.brake_before_m"))
    out = [
        (s - r - guard, s + r + guard)
        for s, r in zip(layout.wp_s, (ctx.rules.radii[t][1] for t in layout.wp_type))
    ]
    out += [(a - before - guard, b + before + guard) for a, b in layout.zone_s]
    out.append((0.0, guard))
    if layout.neutral_s is not None:
        out.append((layout.neutral_s - guard, layout.neutral_s + guard))
    return out


def _free_of(s_lo: float, s_hi: float, windows: list[tuple[float, float]]) -> bool:
    return all(s_hi < a or s_lo > b for a, b in windows)


def place_outage(
    rng: np.random.Generator,
    outage_s: float,
    s: np.ndarray,
    t_ms: np.ndarray,
    keep: np.ndarray,
    ctx: StageContext,
) -> list[tuple[int, int]]:
    """Silence the tracker for ``outage_s`` (halved until it fits clear of every waypoint,
    zone and control); clears ``keep`` over it and returns (last fix before, first fix after)."""
    dt = ctx.fix_interval_ms / 1000.0
    max_gap_s = ctx.rules.max_gap_ms / 1000.0
    n = s.shape[0]
    busy = _outage_free(ctx)
    length = int(np.ceil(outage_s / dt))
    while length * dt > 2 * max_gap_s:
        for _ in range(OUTAGE_TRIES):
            k0 = int(rng.integers(1, max(2, n - length - 1)))
            k1 = k0 + length
            if (
                k1 + 1 < ctx.fixes
                and s[k1] > s[k0 - 1]
                and s[k1] <= ctx.layout.special_m
                and _free_of(s[k0 - 1], s[k1], busy)
            ):
                keep[k0:k1] = False
                return [(int(t_ms[k0 - 1]), int(t_ms[k1]))]
        length //= 2
    return []


def drop_at_waypoint(
    wp: int | None, true_lat: np.ndarray, true_lon: np.ndarray, keep: np.ndarray, ctx: StageContext
) -> int | None:
    """Drop the fixes within the waypoint's radius (plus the clearance) when the gap this
    leaves stays under the rulebook's outage limit; returns the waypoint, or None."""
    if wp is None:
        return None
    layout = ctx.layout
    dt = ctx.fix_interval_ms / 1000.0
    clear = ctx.rules.radii[layout.wp_type[wp]][1]
    per_lat, per_lon = metres_per_degree(true_lat)
    wlat, wlon, _ = ctx.route.at(np.asarray([layout.wp_s[wp]]))
    dist = np.hypot((true_lat - wlat[0]) * per_lat, (true_lon - wlon[0]) * per_lon)
    near = np.flatnonzero(dist < clear + float(ctx.profile.value("faults.clearance_m")))
    if (
        near.size
        and near[0] > 0
        and near[-1] - near[0] + 1 == near.size
        and (near.size + 1) * dt < ctx.rules.max_gap_ms / 1000.0
        and near[-1] + 1 < ctx.fixes
        and keep[near[0] - 1]
        and keep[near[-1] + 1]
    ):
        keep[near] = False
        return wp
    return None


def throw_spikes(
    rng: np.random.Generator,
    count: int,
    t_ms: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    ctx: StageContext,
) -> np.ndarray:
    """Throw ``count`` single fixes (each between two regular legs) kilometres away, in
    place; returns the mask of spike fixes."""
    spike = np.zeros(t_ms.shape[0], bool)
    if not count:
        return spike
    step = np.diff(t_ms) == ctx.fix_interval_ms
    regular = np.flatnonzero(step[:-1] & step[1:]) + 1
    lo_m, hi_m = ctx.profile.pair("faults.spike_offset_m")
    for k in rng.choice(regular[2:-2], size=min(count, max(0, regular.size - 4)), replace=False):
        if not spike[max(0, k - 2) : k + 3].any():
            bearing = rng.uniform(0, 2 * np.pi)
            dist_m = rng.uniform(lo_m, hi_m)
            lat[k], lon[k] = offset(
                lat[k], lon[k], dist_m * np.sin(bearing), dist_m * np.cos(bearing)
            )
            spike[k] = True
    return spike


def recorded_order(
    rng: np.random.Generator, n: int, profile: SimProfile
) -> tuple[np.ndarray, int, int]:
    """The tracker file's row order over ``n`` fixes: some neighbours swapped, some fixes
    sent twice.  Returns (row indices, swapped pairs, duplicates)."""
    order = np.arange(n)
    pairs = np.arange(0, n - 1, 2)
    swaps = rng.choice(
        pairs,
        size=min(
            pairs.size, rng.binomial(pairs.size, float(profile.value("faults.disorder_share")))
        ),
        replace=False,
    )
    for i in swaps:
        order[i], order[i + 1] = order[i + 1], order[i]
    copies = 1 + (rng.random(n) < float(profile.value("faults.duplicate_share")))
    return np.repeat(order, copies), len(swaps), int((copies - 1).sum())
