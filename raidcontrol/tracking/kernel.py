"""The compiled heart of the tracking check (numba; pure functions over the fleet's columns).

One pass per crew over its fixes (sorted by time) does everything that touches every fix:

1. **data quality** — a fix at the same instant as the fix before it is a duplicate; a
   single fix whose legs imply a speed over ``spike_v`` (both legs) or an acceleration over
   ``spike_a`` while the leg that skips it is plausible is a spike; both are dropped and
   flagged.  A leg longer than ``max_gap_ms`` is an outage: flagged, never joined.
2. **passages** — every kept leg (or a lone fix between two outages) is tested against the
   targets its grid cells list; a *passage* is a run of consecutive legs within a target's
   radius, kept with its closest approach (distance, interpolated time, fix index).
3. **validation** — waypoints in roadbook order; with ``order_any`` false a waypoint counts
   only for a passage at or after the previous validated one (greedy, earliest).
4. **zones** — from each DZ passage to the next FZ passage (or, without one, the fix
   closest to the FZ afterwards), the speed of every kept fix — the device's, or else the
   straight-line speed between the fixes within ±``window_ms``/2 — against the limit.

Flags (``uint8`` per fix): ``SPIKE``, ``DUPLICATE``, ``GAP_AFTER`` (the leg from this fix to
the next kept one is an outage).  Units: metres, m/s, milliseconds, km/h for zone speeds.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from raidcontrol.tracking.arrays import F32, F64, I64, U8, Bools
from raidcontrol.tracking.geodesy import DEG, M_PER_DEG, MS_PER_S, MS_TO_KMH
from raidcontrol.tracking.jit import njit

SPIKE = np.uint8(1)
DUPLICATE = np.uint8(2)
GAP_AFTER = np.uint8(4)
DROPPED = np.uint8(3)  # SPIKE | DUPLICATE
S_PER_MS = 1e-3  # milliseconds → seconds
EXACT_M = 1e-3  # numerical slack: a track that touches the radius (to the mm) validates
COS_STEP_DEG = (
    0.01  # a leg's cosine of latitude is reused within 0.01° (≈1.1 km): relative error < 2e-4
)
NO_TIME = np.iinfo(np.int64).min
FAR_TIME = np.iinfo(np.int64).max

ZONE_PASSES_KEPT = 8  # passes through a zone whose (entry, exit) times are kept for evidence


class KernelOut(NamedTuple):
    """What the kernel finds, one row per crew (row j: the j-th crew it is given).

    Times are epoch milliseconds (``NO_TIME``: none), distances metres, speeds km/h, fix
    indices point into the columns the kernel read (-1: none).  Targets are the waypoints in
    roadbook order, then each zone's DZ and FZ.

    ==================  =========================  ===============================================
    field               shape, dtype               meaning
    ==================  =========================  ===============================================
    wp_ok               (crews, wps) bool          the waypoint is validated
    wp_t                (crews, wps) int64 ms      time of the validating passage's closest approach
    wp_d                (crews, wps) float64 m     its distance (inf: not validated)
    wp_i                (crews, wps) int64         first fix of the leg of that approach
    wp_ooo              (crews, wps) bool          passed only out of roadbook order
    min_d               (crews, targets) float64 m closest approach found near the target
    min_t               (crews, targets) int64 ms  its time
    zone_passes         (crews, zones) int64       passes through the zone (DZ passage to FZ)
    zone_t0, zone_t1    (crews, zones) int64 ms    entry of the first pass, exit of the last
    zone_pass_t         (crews, zones, 8, 2) int64 (entry, exit) of the first ZONE_PASSES_KEPT passes
    zone_fz_missed      (crews, zones) int64 0/1   a pass ended at the fix nearest the FZ (never within it)
    zone_i0, zone_i1    (crews, zones) int64       first and last kept fix in the zone
    zone_vmax           (crews, zones) float64     highest speed in the zone (km/h)
    zone_t_max          (crews, zones) int64 ms    when
    zone_derived        (crews, zones) int64 0/1   that speed was derived from the fixes (no device speed)
    zone_over_ms        (crews, zones) int64 ms    time over the limit (+ tolerance)
    zone_over_m         (crews, zones) float64 m   distance over the limit
    zone_first_over     (crews, zones) int64 ms    first fix over the limit (NO_TIME: never over)
    zone_last_over      (crews, zones) int64 ms    end of the last leg over the limit
    ==================  =========================  ===============================================
    """

    wp_ok: Bools
    wp_t: I64
    wp_d: F64
    wp_i: I64
    wp_ooo: Bools
    min_d: F64
    min_t: I64
    zone_passes: I64
    zone_t0: I64
    zone_t1: I64
    zone_pass_t: I64
    zone_fz_missed: I64
    zone_i0: I64
    zone_i1: I64
    zone_vmax: F64
    zone_t_max: I64
    zone_derived: I64
    zone_over_ms: I64
    zone_over_m: F64
    zone_first_over: I64
    zone_last_over: I64

    @classmethod
    def allocate(cls, crews: int, wps: int, targets: int, zones: int) -> KernelOut:
        """Outputs for ``crews`` crews (the kernel fills every row it is given)."""
        wp, tg, zn = (crews, wps), (crews, targets), (crews, zones)
        i64, f64 = np.int64, np.float64
        return cls(
            np.zeros(wp, np.bool_),
            np.zeros(wp, i64),
            np.zeros(wp, f64),
            np.zeros(wp, i64),
            np.zeros(wp, np.bool_),
            np.zeros(tg, f64),
            np.zeros(tg, i64),
            np.zeros(zn, i64),
            np.zeros(zn, i64),
            np.zeros(zn, i64),
            np.zeros((crews, zones, ZONE_PASSES_KEPT, 2), i64),
            np.zeros(zn, i64),
            np.zeros(zn, i64),
            np.zeros(zn, i64),
            np.zeros(zn, f64),
            np.zeros(zn, i64),
            np.zeros(zn, i64),
            np.zeros(zn, i64),
            np.zeros(zn, f64),
            np.zeros(zn, i64),
            np.zeros(zn, i64),
        )

    def rows(self, start: int, stop: int | None = None) -> KernelOut:
        """Views of rows ``start:stop`` (writing into them writes into these arrays)."""
        return KernelOut._make(a[start:stop] for a in self)


# Groups of the kernel's arguments, passed as tuples between the compiled functions (unpacked
# once per crew; the helpers on the per-fix path are inlined).
Grid = tuple[float, float, float, float, int, int, U8]
"""The grid's cells: first latitude and longitude, inverse cell sizes, rows, columns, occupancy bitmap."""
CellLists = tuple[I64, I64]
"""The targets each grid cell lists: ``items[start[cell]:start[cell + 1]]``."""
Targets = tuple[F64, F64, F64, F64]
"""Every target's latitude, longitude, cosine of latitude and radius (metres)."""
Limits = tuple[float, int, float, float]
"""Data quality: a long leg (metres), the longest leg that is no outage (ms), spike speed (m/s)
and acceleration (m/s²)."""
Candidates = tuple[I64, I64, I64, I64, Bools]
"""Candidate legs a→b: first fix, last fix, their grid cells, whether the leg is long."""
OpenPassages = tuple[Bools, I64, F64, I64, I64, I64]
"""Per target: a passage is open, the last fix of its last leg, its closest distance, time and
fix, and the last leg's first fix it was tested against (one test per leg)."""
Passages = tuple[I64, I64, F64, I64]
"""A crew's passages: target, time and distance of the closest approach, first fix of its leg."""
SpikeLimits = tuple[float, float, float, float, float, float]
"""For one pair of intervals: both in seconds, then the squared limits of the leg in, the leg
out, the change of velocity and the leg that skips the fix."""


@njit(cache=True, inline="always")
def _leg_m(lat_a: float, lon_a: float, c_a: float, lat_b: float, lon_b: float, c_b: float) -> float:
    dx = (lon_b - lon_a) * M_PER_DEG * 0.5 * (c_a + c_b)
    dy = (lat_b - lat_a) * M_PER_DEG
    return math.sqrt(dx * dx + dy * dy)


@njit(cache=True, inline="always")
def _leg_xy(
    lat_a: float, lon_a: float, c_a: float, lat_b: float, lon_b: float, c_b: float
) -> tuple[float, float]:
    """The leg a→b in metres east and north (the mean of the two cosines of latitude)."""
    return (lon_b - lon_a) * M_PER_DEG * 0.5 * (c_a + c_b), (lat_b - lat_a) * M_PER_DEG


@njit(cache=True)
def _test_legs(
    c0: int,
    nc: int,
    cand: Candidates,
    t: I64,
    lat: F64,
    lon: F64,
    targets: Targets,
    lists: CellLists,
    opened: OpenPassages,
    min_d: F64,
    min_t: I64,
    passages: Passages,
    npass: int,
) -> int:
    """Test candidate legs c0..nc-1 a→b (in time order; a == b: a lone fix) against the targets
    listed in their cells (every target for a long leg).  A target within its radius opens or
    continues a passage (kept: closest distance, its interpolated time, the leg's first fix);
    the closest approach of every tested target is kept too.  Returns the passage count (``npass``
    passages already listed), or -1 when the buffer is full.  Written as one loop on purpose: helper calls taking arrays
    cost reference counting on every call."""
    ca, cb, ccell_a, ccell_b, clong = cand
    tlat, tlon, tcos, tr = targets
    gstart, gitems = lists
    is_open, last_b, best_d, best_t, best_i, stamp = opened
    pk, pt, pd, pi = passages
    n_t = tlat.shape[0]
    cap = pk.shape[0]
    for c in range(c0, nc):
        a = ca[c]
        b = cb[c]
        n_lists = 1 if clong[c] else 2
        for which in range(n_lists):
            if clong[c]:
                q0 = 0
                q1 = n_t
            else:
                cell = ccell_a[c] if which == 0 else ccell_b[c]
                if cell < 0 or (which == 1 and cell == ccell_a[c]):
                    continue
                q0 = gstart[cell]
                q1 = gstart[cell + 1]
            for q in range(q0, q1):
                k = q if clong[c] else gitems[q]
                if stamp[k] == a:
                    continue
                stamp[k] = a
                ax = (lon[a] - tlon[k]) * M_PER_DEG * tcos[k]
                ay = (lat[a] - tlat[k]) * M_PER_DEG
                bx = (lon[b] - tlon[k]) * M_PER_DEG * tcos[k]
                by = (lat[b] - tlat[k]) * M_PER_DEG
                vx = bx - ax
                vy = by - ay
                l2 = vx * vx + vy * vy
                u = 0.0
                if l2 > 0.0:
                    u = min(1.0, max(0.0, -(ax * vx + ay * vy) / l2))
                px = ax + u * vx
                py = ay + u * vy
                d = math.sqrt(px * px + py * py)
                inside = d <= tr[k] + EXACT_M
                if d >= min_d[k] and not inside:
                    continue
                tc = t[a] + np.int64(math.floor(u * (t[b] - t[a]) + 0.5))
                if d < min_d[k]:
                    min_d[k] = d
                    min_t[k] = tc
                if not inside:
                    continue
                if is_open[k] and last_b[k] == a:
                    if d < best_d[k]:
                        best_d[k] = d
                        best_t[k] = tc
                        best_i[k] = a
                else:
                    if is_open[k]:
                        if npass >= cap:
                            return -1
                        pk[npass] = k
                        pt[npass] = best_t[k]
                        pd[npass] = best_d[k]
                        pi[npass] = best_i[k]
                        npass += 1
                    is_open[k] = True
                    best_d[k] = d
                    best_t[k] = tc
                    best_i[k] = a
                last_b[k] = b
    return npass


@njit(cache=True, inline="always")
def _derived_speed(
    i: int, nx: int, s: int, e: int, half: int, t: I64, lat: F64, lon: F64, flags: U8
) -> float:
    """Fix i's speed (km/h) from the kept fixes within ±half ms of it, never across an outage
    (the nearest leg when no fix is that close; NaN when there is none).  ``nx``: the next kept fix."""
    last = i
    while (flags[last] & GAP_AFTER) == 0:
        q = last + 1
        while q < e and (flags[q] & DROPPED) != 0:
            q += 1
        if q >= e or t[q] - t[i] > half:
            break
        last = q
    first = i
    while True:
        q = first - 1
        while q >= s and (flags[q] & DROPPED) != 0:
            q -= 1
        if q < s or (flags[q] & GAP_AFTER) != 0 or t[i] - t[q] > half:
            break
        first = q
    if first == last:
        if nx < e and (flags[i] & GAP_AFTER) == 0:
            last = nx
        else:
            q = i - 1
            while q >= s and (flags[q] & DROPPED) != 0:
                q -= 1
            if q >= s and (flags[q] & GAP_AFTER) == 0:
                first = q
    if first != last and t[last] != t[first]:
        c = math.cos(lat[i] * DEG)  # the window spans a few hundred metres: one cosine serves
        d = _leg_m(lat[first], lon[first], c, lat[last], lon[last], c)
        return float(d / ((t[last] - t[first]) / MS_PER_S) * MS_TO_KMH)
    return math.nan


@njit(cache=True)
def _scan_zone(
    z: int,
    s: int,
    e: int,
    td: int,
    tf: int,
    limit_kmh: float,
    tol_kmh: float,
    window_ms: int,
    t: I64,
    lat: F64,
    lon: F64,
    spd: F32,
    flags: U8,
    out: KernelOut,
    j: int,
) -> None:
    """Speed statistics of crew j over [td, tf] in zone z, accumulated into row j of ``out``.

    Each kept fix's speed is the device's, or else the straight-line speed between the kept
    fixes within ±window_ms/2 of it (never across an outage; the nearest leg when no fix is
    that close).  Its helper is inlined: calls taking arrays cost reference counting."""
    i = s + int(np.searchsorted(t[s:e], td))
    while i < e and (flags[i] & DROPPED) != 0:
        i += 1
    i0 = out.zone_i0[j, z]
    i1 = out.zone_i1[j, z]
    vmax = out.zone_vmax[j, z]
    tmax = out.zone_t_max[j, z]
    vder = out.zone_derived[j, z]
    over_ms = out.zone_over_ms[j, z]
    over_m = out.zone_over_m[j, z]
    first_over = out.zone_first_over[j, z]
    last_over = out.zone_last_over[j, z]
    threshold = limit_kmh + tol_kmh
    half = window_ms // 2
    while i < e and t[i] <= tf:
        nx = i + 1
        while nx < e and (flags[nx] & DROPPED) != 0:
            nx += 1
        derived = math.isnan(spd[i])
        v = float(spd[i])
        if derived:
            v = _derived_speed(i, nx, s, e, half, t, lat, lon, flags)
        if i0 < 0 or i < i0:
            i0 = i
        i1 = max(i1, i)
        if not math.isnan(v):
            if v > vmax:
                vmax = v
                tmax = t[i]
                vder = 1 if derived else 0
            if v > threshold:
                end = t[i]
                if nx < e and (flags[i] & GAP_AFTER) == 0:
                    end = min(t[nx], tf)
                    c = math.cos(lat[i] * DEG)
                    leg = _leg_m(lat[i], lon[i], c, lat[nx], lon[nx], c)
                    if t[nx] > t[i]:
                        over_m += leg * (end - t[i]) / (t[nx] - t[i])
                over_ms += end - t[i]
                if first_over == NO_TIME:
                    first_over = t[i]
                last_over = end
        i = nx
    out.zone_i0[j, z] = i0
    out.zone_i1[j, z] = i1
    out.zone_vmax[j, z] = vmax
    out.zone_t_max[j, z] = tmax
    out.zone_derived[j, z] = vder
    out.zone_over_ms[j, z] = over_ms
    out.zone_over_m[j, z] = over_m
    out.zone_first_over[j, z] = first_over
    out.zone_last_over[j, z] = last_over


@njit(cache=True, inline="always")
def _first_fix_spike(
    i: int,
    nx: int,
    e: int,
    t: I64,
    lat: F64,
    lon: F64,
    c_i: float,
    c_nx: float,
    max_gap_ms: int,
    spike_v: float,
) -> bool:
    """The crew's first fix is a spike when its leg is impossible but the next one is not."""
    dt_out = t[nx] - t[i]
    if dt_out > max_gap_ms:
        return False
    v_out = _leg_m(lat[i], lon[i], c_i, lat[nx], lon[nx], c_nx) / (dt_out / MS_PER_S)
    nx2 = nx + 1
    while nx2 < e and t[nx2] == t[nx]:
        nx2 += 1
    if v_out > spike_v and nx2 < e and t[nx2] - t[nx] <= max_gap_ms:
        v_next = _leg_m(lat[nx], lon[nx], c_nx, lat[nx2], lon[nx2], math.cos(lat[nx2] * DEG)) / (
            (t[nx2] - t[nx]) / MS_PER_S
        )
        return bool(v_next <= spike_v)
    return False


@njit(cache=True, inline="always")
def _last_fix_spike(
    prev: int,
    i: int,
    t: I64,
    lat: F64,
    lon: F64,
    c_prev: float,
    c_i: float,
    max_gap_ms: int,
    spike_v: float,
) -> bool:
    """The crew's last fix is a spike when its leg is impossible."""
    dt_in = t[i] - t[prev]
    if dt_in > max_gap_ms:
        return False
    return bool(
        _leg_m(lat[prev], lon[prev], c_prev, lat[i], lon[i], c_i) / (dt_in / MS_PER_S) > spike_v
    )


@njit(cache=True, inline="always")
def _spike_limits(dt_in: int, dt_out: int, spike_v: float, spike_a: float) -> SpikeLimits:
    """The limits a fix between legs of dt_in and dt_out ms is tested against (squared: no
    square roots on the hot path)."""
    s_in = dt_in * S_PER_MS
    s_out = dt_out * S_PER_MS
    lim_in = spike_v * s_in
    lim_out = spike_v * s_out
    lim_a = spike_a * 0.5 * (s_in + s_out) * s_in * s_out
    lim_br = lim_in + lim_out
    return s_in, s_out, lim_in * lim_in, lim_out * lim_out, lim_a * lim_a, lim_br * lim_br


@njit(cache=True, inline="always")
def _between_spike(
    ix: float, iy: float, in2: float, ox: float, oy: float, out2: float, lims: SpikeLimits
) -> bool:
    """A fix between the legs in (ix, iy; squared length in2) and out (ox, oy; out2) is a spike
    when the leg that skips it is plausible, and both legs are too fast or the change of
    velocity too sharp (those first: they are rarely true, the bridge then never tested)."""
    s_in, s_out, lim_in2, lim_out2, lim_a2, lim_br2 = lims
    suspect = in2 > lim_in2 and out2 > lim_out2
    if not suspect:
        # |v_out - v_in| / mean(dt) > spike_a, multiplied through by s_in·s_out
        ax = ox * s_in - ix * s_out
        ay = oy * s_in - iy * s_out
        suspect = ax * ax + ay * ay > lim_a2
    if suspect:
        brx = ix + ox
        bry = iy + oy
        return brx * brx + bry * bry <= lim_br2
    return False


@njit(cache=True, inline="always")
def _cell_of(
    lat_i: float,
    lon_i: float,
    g_lat0: float,
    g_lon0: float,
    g_inv_dlat: float,
    g_inv_dlon: float,
    g_nrows: int,
    g_ncols: int,
    g_occupied: U8,
) -> int:
    """The grid cell of a fix, -1 outside the grid or where no target is listed (inlined: a call
    taking the bitmap would cost reference counting on every fix)."""
    gr = math.floor((lat_i - g_lat0) * g_inv_dlat)
    gc = math.floor((lon_i - g_lon0) * g_inv_dlon)
    if gr < 0 or gc < 0 or gr >= g_nrows or gc >= g_ncols:
        return -1
    cell = gr * g_ncols + gc
    if (g_occupied[cell >> 3] >> (cell & 7)) & 1 == 0:
        return -1
    return cell


@njit(cache=True, inline="always")
def _push(
    nc: int,
    a: int,
    b: int,
    cell_a: int,
    cell_b: int,
    long_leg: bool,
    ca: I64,
    cb: I64,
    ccell_a: I64,
    ccell_b: I64,
    clong: Bools,
) -> int:
    """List the candidate leg a→b (a == b: a lone fix) with its cells; returns the new count.
    Takes the arrays themselves: inlined into the loop over fixes, a tuple of arrays would be
    unpacked (and reference-counted) on every call, 5× slower (measured)."""
    ca[nc] = a
    cb[nc] = b
    ccell_a[nc] = cell_a
    ccell_b[nc] = cell_b
    clong[nc] = long_leg
    return nc + 1


CosineCache = tuple[float, float, float, int]
"""The cosines of latitude along a crew's fixes: the latitude the current cosine was computed
at, that cosine, the next fix's cosine, and the fix that one was computed for."""


@njit(cache=True, inline="always")
def _cosines(
    i: int, lat_i: float, nx: int, lat_nx: float, has_nx: bool, cc: CosineCache
) -> CosineCache:
    """The cache for fix i (its cosine: ``[1]``) and the next fix nx (``[2]``, when ``has_nx``):
    a cosine is reused while the latitude moves less than COS_STEP_DEG, and nx's, computed
    ahead, when nx is reached."""
    c_lat, c_val, c_nx, cos_at = cc
    if abs(lat_i - c_lat) > COS_STEP_DEG:
        c_lat = lat_i
        c_val = c_nx if cos_at == i else math.cos(c_lat * DEG)
    c_nx = c_val
    if has_nx and abs(lat_nx - c_lat) > COS_STEP_DEG:
        c_nx = math.cos(lat_nx * DEG)
        cos_at = nx
    return c_lat, c_val, c_nx, cos_at


Fixes3 = tuple[float, float, float, float, float, float]
OutLeg = tuple[int, int, float, float, float]
"""A leg out of a kept fix, kept for the next fix (its leg in): from, to, metres east and north,
squared length."""
ScanState = tuple[int, float, int, bool, CosineCache, OutLeg, tuple[int, int], SpikeLimits]
"""Pass 1 between two fixes: the last kept fix, its cosine and grid cell, whether a leg ended at
it, the cosine cache, that fix's leg out, and the intervals the spike limits were computed for
with those limits."""


@njit(cache=True, inline="always")
def _legs_around(
    prev: int, i: int, nx: int, fixes: Fixes3, cos: tuple[float, float, float], out_leg: OutLeg
) -> tuple[float, float, float, OutLeg]:
    """The legs into fix i (from kept fix prev; the last leg out when it was that one) and out
    of it (to nx), in metres: the leg in east, north and squared, and the leg out.  ``fixes``:
    the three fixes' latitudes and longitudes (scalars: inlined calls taking arrays are slow)."""
    lat_p, lon_p, lat_i, lon_i, lat_n, lon_n = fixes
    o_from, o_to, o_x, o_y, o_2 = out_leg
    if o_from == prev and o_to == i:  # the previous fix's leg out, as computed there
        ix, iy, in2 = o_x, o_y, o_2
    else:
        ix, iy = _leg_xy(lat_p, lon_p, cos[0], lat_i, lon_i, cos[1])
        in2 = ix * ix + iy * iy
    ox, oy = _leg_xy(lat_i, lon_i, cos[1], lat_n, lon_n, cos[2])
    return ix, iy, in2, (i, nx, ox, oy, ox * ox + oy * oy)


FRESH_SCAN: ScanState = (
    -1,  # the last kept fix, its cosine and cell, and whether a leg ended at it: none yet
    0.0,
    -1,
    False,
    (1e9, 0.0, 0.0, -1),  # no cosine computed yet
    (-1, -1, 0.0, 0.0, 0.0),  # the leg out of the last kept fix: none
    (-1, -1),  # the intervals the spike limits were computed for: none
    (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
)
"""The state of pass 1 before a crew's first fix (a constant to the compiled functions)."""


@njit(cache=True)
def _scan_fixes(
    s: int,
    i: int,
    stop: int,
    e: int,
    t: I64,
    lat: F64,
    lon: F64,
    flags: U8,
    grid: Grid,
    limits: Limits,
    cand: Candidates,
    nc: int,
    st: ScanState,
) -> tuple[int, ScanState]:
    """Pass 1 over fixes i..stop-1 of one crew (fixes s..e-1, sorted by time; ``st``: the state
    before fix i, ``nc``: the candidates listed so far): flag duplicates, spikes and outages, and
    list the candidate legs a→b near a target (their grid cells; a == b: a lone fix between two
    outages) into ``cand``.  Returns the number of candidates and the state before fix ``stop``
    (:func:`_end_scan` completes a crew).  Fix i's flags depend on fixes up to i + 2 (and on
    whether they exist), so a scan resumed at ``stop`` from that state is the same as one pass
    when fixes s..stop+1 have not changed.  Its own function: the crew loop around it keeps
    fewer values alive (fewer register spills); its helpers are inlined."""
    long_leg_m, max_gap_ms, spike_v, spike_a = limits
    ca, cb, ccell_a, ccell_b, clong = cand
    g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols, g_occupied = grid
    prev, c_prev, cell_prev, leg_ended_at_prev, cc, out_leg, lim_dt, lims = st
    while i < stop:
        if i > s and t[i] == t[i - 1]:  # the same instant as the fix before it (kept or not)
            flags[i] |= DUPLICATE
            i += 1
            continue
        nx = i + 1
        while nx < e and t[nx] == t[i]:
            nx += 1
        cc = _cosines(i, lat[i], nx, lat[min(nx, e - 1)], nx < e, cc)
        c_i = cc[1]
        c_nx = cc[2]
        spike = False
        have_in = False
        ix = iy = 0.0
        if prev >= 0 and nx < e:
            dt_in = t[i] - t[prev]
            dt_out = t[nx] - t[i]
            if dt_in <= max_gap_ms and dt_out <= max_gap_ms:
                if dt_in != lim_dt[0] or dt_out != lim_dt[1]:
                    lim_dt = (dt_in, dt_out)
                    lims = _spike_limits(dt_in, dt_out, spike_v, spike_a)
                fixes = (lat[prev], lon[prev], lat[i], lon[i], lat[nx], lon[nx])
                ix, iy, in2, out_leg = _legs_around(
                    prev, i, nx, fixes, (c_prev, c_i, c_nx), out_leg
                )
                have_in = True
                spike = _between_spike(ix, iy, in2, out_leg[2], out_leg[3], out_leg[4], lims)
        elif prev < 0 and nx < e:
            spike = _first_fix_spike(i, nx, e, t, lat, lon, c_i, c_nx, max_gap_ms, spike_v)
        elif prev >= 0 and nx >= e:
            spike = _last_fix_spike(prev, i, t, lat, lon, c_prev, c_i, max_gap_ms, spike_v)
        if spike:
            flags[i] |= SPIKE
            i += 1
            continue
        cell_i = _cell_of(
            lat[i], lon[i], g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols, g_occupied
        )
        if prev >= 0:
            if t[i] - t[prev] > max_gap_ms:
                flags[prev] |= GAP_AFTER
                if not leg_ended_at_prev and cell_prev >= 0:
                    nc = _push(
                        nc, prev, prev, cell_prev, cell_prev, False, ca, cb, ccell_a, ccell_b, clong
                    )
                leg_ended_at_prev = False
            else:
                if not have_in:
                    ix, iy = _leg_xy(lat[prev], lon[prev], c_prev, lat[i], lon[i], c_i)
                long_leg = ix * ix + iy * iy > long_leg_m * long_leg_m
                if cell_prev >= 0 or cell_i >= 0 or long_leg:
                    nc = _push(
                        nc, prev, i, cell_prev, cell_i, long_leg, ca, cb, ccell_a, ccell_b, clong
                    )
                leg_ended_at_prev = True
        prev, c_prev, cell_prev = i, c_i, cell_i
        i += 1
    return nc, (prev, c_prev, cell_prev, leg_ended_at_prev, cc, out_leg, lim_dt, lims)


@njit(cache=True)
def _end_scan(nc: int, st: ScanState, cand: Candidates) -> int:
    """After a crew's last fix: its last kept fix, when no leg ended at it, is a lone candidate."""
    prev, _, cell_prev, leg_ended_at_prev = st[0], st[1], st[2], st[3]
    if prev >= 0 and not leg_ended_at_prev and cell_prev >= 0:
        ca, cb, ccell_a, ccell_b, clong = cand
        nc = _push(nc, prev, prev, cell_prev, cell_prev, False, ca, cb, ccell_a, ccell_b, clong)
    return nc


@njit(cache=True, nogil=True)
def check_crews(
    t: I64,
    lat: F64,
    lon: F64,
    spd: F32,
    flags: U8,
    crew_s: I64,
    crew_e: I64,
    tlat: F64,
    tlon: F64,
    tcos: F64,
    tr: F64,
    n_wp: int,
    zone_limit: F64,
    g_lat0: float,
    g_lon0: float,
    g_inv_dlat: float,
    g_inv_dlon: float,
    g_nrows: int,
    g_ncols: int,
    g_occupied: U8,
    gstart: I64,
    gitems: I64,
    long_leg_m: float,
    max_gap_ms: int,
    spike_v: float,
    spike_a: float,
    tol_kmh: float,
    window_ms: int,
    order_any: bool,
    out: KernelOut,
    pass_cap: int,
) -> int:
    """Check crews ``crew_s[j]:crew_e[j]`` (each sorted by time) into row j of ``out`` (a :class:`KernelOut`).

    Returns -1, or the first crew j whose passages overflowed ``pass_cap`` (rows before j are
    complete; the caller retries from j with a larger buffer)."""
    targets = (tlat, tlon, tcos, tr)
    grid = (g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols, g_occupied)
    limits = (long_leg_m, max_gap_ms, spike_v, spike_a)
    opened = _open_passages(tlat.shape[0])
    passages = _passage_buffer(pass_cap)
    pk, pt, pd, pi = passages
    cand = _candidate_buffer(crew_s, crew_e)
    for j in range(crew_s.shape[0]):
        s = crew_s[j]
        e = crew_e[j]
        md = out.min_d[j]
        mt = out.min_t[j]
        _reset_crew(opened, md, mt)
        nc, st = _scan_fixes(s, s, e, e, t, lat, lon, flags, grid, limits, cand, 0, FRESH_SCAN)
        nc = _end_scan(nc, st, cand)
        # the candidate legs, in time order, against the targets their cells list
        npass = _test_legs(
            0, nc, cand, t, lat, lon, targets, (gstart, gitems), opened, md, mt, passages, 0
        )
        if npass >= 0:
            npass = _close_passages(npass, opened, passages)
        if npass < 0:
            return j
        _validate(j, npass, pk, pt, pd, pi, n_wp, order_any, out)
        _zones(
            j,
            s,
            e,
            npass,
            pk,
            pt,
            n_wp,
            zone_limit,
            targets,
            t,
            lat,
            lon,
            spd,
            flags,
            tol_kmh,
            window_ms,
            out,
        )
    return -1


@njit(cache=True)
def _open_passages(n_t: int) -> OpenPassages:
    """The per-target state of the passages of one crew (reset for each crew)."""
    return (
        np.zeros(n_t, np.bool_),
        np.full(n_t, -1, np.int64),
        np.zeros(n_t, np.float64),
        np.zeros(n_t, np.int64),
        np.zeros(n_t, np.int64),
        np.full(n_t, -1, np.int64),
    )


@njit(cache=True)
def _passage_buffer(cap: int) -> Passages:
    """Room for ``cap`` passages of one crew."""
    return (
        np.empty(cap, np.int64),
        np.empty(cap, np.int64),
        np.empty(cap, np.float64),
        np.empty(cap, np.int64),
    )


@njit(cache=True)
def _candidate_buffer(crew_s: I64, crew_e: I64) -> Candidates:
    """Room for the candidate legs of the longest crew (at most one per fix, plus one)."""
    longest = 0
    for j in range(crew_s.shape[0]):
        longest = max(longest, crew_e[j] - crew_s[j])
    n = longest + 1
    return (
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.bool_),
    )


@njit(cache=True)
def _reset_crew(opened: OpenPassages, min_d: F64, min_t: I64) -> None:
    """No passage open, no leg tested, no approach found: before each crew."""
    is_open, last_b, _, _, _, stamp = opened
    is_open[:] = False
    last_b[:] = -1
    stamp[:] = -1
    min_d[:] = np.inf
    min_t[:] = NO_TIME


@njit(cache=True)
def _close_passages(npass: int, opened: OpenPassages, passages: Passages) -> int:
    """Append the passages still open at the crew's last fix; -1 when the buffer is full."""
    is_open, _, best_d, best_t, best_i, _ = opened
    pk, pt, pd, pi = passages
    cap = pk.shape[0]
    for k in range(is_open.shape[0]):
        if is_open[k]:
            if npass >= cap:
                return -1
            pk[npass] = k
            pt[npass] = best_t[k]
            pd[npass] = best_d[k]
            pi[npass] = best_i[k]
            npass += 1
    return npass


@njit(cache=True)
def _validate(
    j: int,
    npass: int,
    pk: I64,
    pt: I64,
    pd: F64,
    pi: I64,
    n_wp: int,
    order_any: bool,
    out: KernelOut,
) -> None:
    """Validate crew j's waypoints in roadbook order from its passages: with ``order_any``
    false, a waypoint counts only for a passage at or after the previous validated one."""
    last_t = NO_TIME
    for k in range(n_wp):
        out.wp_ok[j, k] = False
        out.wp_ooo[j, k] = False
        out.wp_t[j, k] = NO_TIME
        out.wp_d[j, k] = np.inf
        out.wp_i[j, k] = -1
        for p in range(npass):
            if pk[p] != k:
                continue
            if order_any or pt[p] >= last_t:
                out.wp_ok[j, k] = True
                out.wp_t[j, k] = pt[p]
                out.wp_d[j, k] = pd[p]
                out.wp_i[j, k] = pi[p]
                break
            out.wp_ooo[j, k] = True
        if out.wp_ok[j, k]:
            out.wp_ooo[j, k] = False
            if not order_any:
                last_t = out.wp_t[j, k]


@njit(cache=True)
def _reset_zone(j: int, z: int, out: KernelOut) -> None:
    out.zone_passes[j, z] = 0
    out.zone_pass_t[j, z, :, :] = 0
    out.zone_fz_missed[j, z] = 0
    out.zone_t_max[j, z] = 0
    out.zone_derived[j, z] = 0
    out.zone_over_ms[j, z] = 0
    out.zone_i0[j, z] = -1
    out.zone_i1[j, z] = -1
    out.zone_first_over[j, z] = NO_TIME
    out.zone_last_over[j, z] = NO_TIME
    out.zone_t0[j, z] = NO_TIME
    out.zone_t1[j, z] = NO_TIME
    out.zone_vmax[j, z] = 0.0
    out.zone_over_m[j, z] = 0.0


@njit(cache=True)
def _nearest_fix_time(
    s: int, e: int, td: int, kf: int, targets: Targets, t: I64, lat: F64, lon: F64, flags: U8
) -> int:
    """The time of crew's kept fix closest to target kf from td on (a zone whose FZ was never reached)."""
    tlat, tlon, tcos, _ = targets
    best = np.inf
    tf = td
    q = s + int(np.searchsorted(t[s:e], td))
    while q < e:
        if (flags[q] & DROPPED) == 0:
            dx = (lon[q] - tlon[kf]) * M_PER_DEG * tcos[kf]
            dy = (lat[q] - tlat[kf]) * M_PER_DEG
            dd = dx * dx + dy * dy
            if dd < best:
                best = dd
                tf = t[q]
        q += 1
    return tf


@njit(cache=True)
def _zones(
    j: int,
    s: int,
    e: int,
    npass: int,
    pk: I64,
    pt: I64,
    n_wp: int,
    zone_limit: F64,
    targets: Targets,
    t: I64,
    lat: F64,
    lon: F64,
    spd: F32,
    flags: U8,
    tol_kmh: float,
    window_ms: int,
    out: KernelOut,
) -> None:
    """Crew j's passes through each zone, from each DZ passage to the next FZ passage (or the
    fix nearest the FZ), and the speed statistics over them."""
    for z in range(zone_limit.shape[0]):
        _reset_zone(j, z, out)
        kd = n_wp + 2 * z
        kf = kd + 1
        cur_end = NO_TIME
        for p in range(npass):
            if pk[p] != kd or pt[p] <= cur_end:
                continue
            td = pt[p]
            tf = FAR_TIME
            for q in range(npass):
                if pk[q] == kf and pt[q] > td and pt[q] < tf:
                    tf = pt[q]
            if tf == FAR_TIME:
                out.zone_fz_missed[j, z] = 1
                tf = _nearest_fix_time(s, e, td, kf, targets, t, lat, lon, flags)
            p_no = out.zone_passes[j, z]
            if p_no < ZONE_PASSES_KEPT:
                out.zone_pass_t[j, z, p_no, 0] = td
                out.zone_pass_t[j, z, p_no, 1] = tf
            out.zone_passes[j, z] += 1
            if out.zone_t0[j, z] == NO_TIME:
                out.zone_t0[j, z] = td
            out.zone_t1[j, z] = tf
            _scan_zone(
                z, s, e, td, tf, zone_limit[z], tol_kmh, window_ms, t, lat, lon, spd, flags, out, j
            )
            cur_end = tf


@njit(cache=True)
def resume_crew(
    t: I64,
    lat: F64,
    lon: F64,
    spd: F32,
    flags: U8,
    i0: int,
    st: ScanState,
    st_flag: int,
    stop: int,
    opened: OpenPassages,
    min_d: F64,
    min_t: I64,
    passages: Passages,
    npass0: int,
    tlat: F64,
    tlon: F64,
    tcos: F64,
    tr: F64,
    n_wp: int,
    zone_limit: F64,
    g_lat0: float,
    g_lon0: float,
    g_inv_dlat: float,
    g_inv_dlon: float,
    g_nrows: int,
    g_ncols: int,
    g_occupied: U8,
    gstart: I64,
    gitems: I64,
    long_leg_m: float,
    max_gap_ms: int,
    spike_v: float,
    spike_a: float,
    tol_kmh: float,
    window_ms: int,
    order_any: bool,
    out: KernelOut,
    j: int,
) -> tuple[int, ScanState, int]:
    """One crew's check (all its fixes ``t``…, sorted by time) resumed at fix ``i0`` into row j
    of ``out`` — the same as :func:`check_crews` on all of them, given the state the crew's
    previous check kept at i0: ``st`` (pass 1 before fix i0), ``st_flag`` (the flags of the last
    kept fix before i0 then), ``opened``, ``min_d``, ``min_t`` and the ``npass0`` passages closed
    before i0 (i0 = 0 with a fresh state: the whole check).

    The state at ``stop`` (i0 ≤ stop ≤ fixes − 2) is kept for the next resume in place of those
    arrays; returns the passages closed before ``stop`` (-1: the passage buffer is full, the state
    is spoiled — rerun from 0 with a larger one), the scan state and flag at ``stop``."""
    e = t.shape[0]
    targets = (tlat, tlon, tcos, tr)
    grid = (g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols, g_occupied)
    limits = (long_leg_m, max_gap_ms, spike_v, spike_a)
    flags[i0:e] = 0
    if st[0] >= 0:
        flags[st[0]] = st_flag
    n = e - i0 + 1
    cand = (
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.bool_),
    )
    nc, snap = _scan_fixes(0, i0, stop, e, t, lat, lon, flags, grid, limits, cand, 0, st)
    snap_nc = nc
    snap_flag = int(flags[snap[0]]) if snap[0] >= 0 else 0
    nc, end = _scan_fixes(0, stop, e, e, t, lat, lon, flags, grid, limits, cand, nc, snap)
    nc = _end_scan(nc, end, cand)
    lists = (gstart, gitems)
    npass = _test_legs(
        0, snap_nc, cand, t, lat, lon, targets, lists, opened, min_d, min_t, passages, npass0
    )
    if npass < 0:
        return -1, snap, snap_flag
    kept = npass
    is_open, last_b, best_d, best_t, best_i, stamp = opened
    now = (is_open.copy(), last_b.copy(), best_d.copy(), best_t.copy(), best_i.copy(), stamp.copy())
    md = out.min_d[j]
    mt = out.min_t[j]
    md[:] = min_d
    mt[:] = min_t
    npass = _test_legs(snap_nc, nc, cand, t, lat, lon, targets, lists, now, md, mt, passages, npass)
    if npass >= 0:
        npass = _close_passages(npass, now, passages)
    if npass < 0:
        return -1, snap, snap_flag
    pk, pt, pd, pi = passages
    _validate(j, npass, pk, pt, pd, pi, n_wp, order_any, out)
    _zones(
        j,
        0,
        e,
        npass,
        pk,
        pt,
        n_wp,
        zone_limit,
        targets,
        t,
        lat,
        lon,
        spd,
        flags,
        tol_kmh,
        window_ms,
        out,
    )
    return kept, snap, snap_flag


def fresh_passages(n_targets: int) -> OpenPassages:
    """No passage open, no leg tested (the state before a crew's first fix)."""
    return _open_passages(n_targets)
