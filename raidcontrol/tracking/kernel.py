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
from numba import njit

from raidcontrol.tracking.geodesy import DEG, M_PER_DEG, MS_PER_S, MS_TO_KMH

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

    wp_ok: np.ndarray
    wp_t: np.ndarray
    wp_d: np.ndarray
    wp_i: np.ndarray
    wp_ooo: np.ndarray
    min_d: np.ndarray
    min_t: np.ndarray
    zone_passes: np.ndarray
    zone_t0: np.ndarray
    zone_t1: np.ndarray
    zone_pass_t: np.ndarray
    zone_fz_missed: np.ndarray
    zone_i0: np.ndarray
    zone_i1: np.ndarray
    zone_vmax: np.ndarray
    zone_t_max: np.ndarray
    zone_derived: np.ndarray
    zone_over_ms: np.ndarray
    zone_over_m: np.ndarray
    zone_first_over: np.ndarray
    zone_last_over: np.ndarray

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
        return KernelOut(*(a[start:stop] for a in self))


@njit(cache=True, inline="always")
def _leg_m(lat_a, lon_a, c_a, lat_b, lon_b, c_b):
    dx = (lon_b - lon_a) * M_PER_DEG * 0.5 * (c_a + c_b)
    dy = (lat_b - lat_a) * M_PER_DEG
    return math.sqrt(dx * dx + dy * dy)


@njit(cache=True)
def _test_legs(
    nc,
    ca,
    cb,
    ccell_a,
    ccell_b,
    clong,
    t,
    lat,
    lon,
    tlat,
    tlon,
    tcos,
    tr,
    gstart,
    gitems,
    stamp,
    min_d,
    min_t,
    is_open,
    last_b,
    best_d,
    best_t,
    best_i,
    pk,
    pt,
    pd,
    pi,
):
    """Test the nc candidate legs a→b (in time order; a == b: a lone fix) against the targets
    listed in their cells (every target for a long leg).  A target within its radius opens or
    continues a passage (kept: closest distance, its interpolated time, the leg's first fix);
    the closest approach of every tested target is kept too.  Returns the passage count, or
    -1 when the buffer is full.  Written as one loop on purpose: helper calls taking arrays
    cost reference counting on every call."""
    npass = 0
    n_t = tlat.shape[0]
    cap = pk.shape[0]
    for c in range(nc):
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
def _derived_speed(i, nx, s, e, half, t, lat, lon, flags):
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
        return d / ((t[last] - t[first]) / MS_PER_S) * MS_TO_KMH
    return math.nan


@njit(cache=True)
def _scan_zone(z, s, e, td, tf, limit_kmh, tol_kmh, window_ms, t, lat, lon, spd, flags, out, j):
    """Speed statistics of crew j over [td, tf] in zone z, accumulated into row j of ``out``.

    Each kept fix's speed is the device's, or else the straight-line speed between the kept
    fixes within ±window_ms/2 of it (never across an outage; the nearest leg when no fix is
    that close).  Its helper is inlined: calls taking arrays cost reference counting."""
    i = s + np.searchsorted(t[s:e], td)
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
def _first_fix_spike(i, nx, e, t, lat, lon, c_i, c_nx, max_gap_ms, spike_v):
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
        return v_next <= spike_v
    return False


@njit(cache=True, inline="always")
def _last_fix_spike(prev, i, t, lat, lon, c_prev, c_i, max_gap_ms, spike_v):
    """The crew's last fix is a spike when its leg is impossible."""
    dt_in = t[i] - t[prev]
    if dt_in > max_gap_ms:
        return False
    return _leg_m(lat[prev], lon[prev], c_prev, lat[i], lon[i], c_i) / (dt_in / MS_PER_S) > spike_v


@njit(cache=True, inline="always")
def _cell_of(lat_i, lon_i, g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols, g_occupied):
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
def _push(nc, a, b, cell_a, cell_b, long_leg, ca, cb, ccell_a, ccell_b, clong):
    """List the candidate leg a→b (a == b: a lone fix) with its cells; returns the new count."""
    ca[nc] = a
    cb[nc] = b
    ccell_a[nc] = cell_a
    ccell_b[nc] = cell_b
    clong[nc] = long_leg
    return nc + 1


@njit(cache=True)
def _scan_fixes(
    s,
    e,
    t,
    lat,
    lon,
    flags,
    g_lat0,
    g_lon0,
    g_inv_dlat,
    g_inv_dlon,
    g_nrows,
    g_ncols,
    g_occupied,
    long_leg_m,
    max_gap_ms,
    spike_v,
    spike_a,
    ca,
    cb,
    ccell_a,
    ccell_b,
    clong,
):
    """Pass 1 over fixes s..e-1 of one crew (sorted by time): flag duplicates, spikes and outages,
    and list the candidate legs a→b near a target (their grid cells; a == b: a lone fix between
    two outages) into ca/cb/ccell_a/ccell_b/clong.  Returns the number of candidates.  Its own
    function: the crew loop around it keeps fewer values alive (fewer register spills)."""
    nc = 0
    # --- pass 1: quality, legs, passages -------------------------------------------------
    prev = -1
    c_prev = 0.0
    cell_prev = -1
    leg_ended_at_prev = False
    c_nx = 0.0
    c_lat = 1e9  # cached cosine: recomputed when the latitude moves more than COS_STEP_DEG
    c_val = 0.0
    nx = -1
    cos_at = -1  # the fix whose cosine c_nx holds (computed ahead, reused when it is reached)
    o_from = (
        -1
    )  # the leg out of the last kept fix (o_from → o_to, in metres): the next fix's leg in
    o_to = -1
    o_x = 0.0
    o_y = 0.0
    o_2 = 0.0
    lim_dt_in = np.int64(-1)  # the intervals the spike limits below were computed for
    lim_dt_out = np.int64(-1)
    s_in = s_out = lim_in2 = lim_out2 = lim_a2 = lim_br2 = 0.0
    i = s
    while i < e:
        if i > s and t[i] == t[i - 1]:  # the same instant as the fix before it (kept or not)
            flags[i] |= DUPLICATE
            i += 1
            continue
        if abs(lat[i] - c_lat) > COS_STEP_DEG:
            c_lat = lat[i]
            c_val = c_nx if cos_at == i else math.cos(c_lat * DEG)
        c_i = c_val
        nx = i + 1
        while nx < e and t[nx] == t[i]:
            nx += 1
        c_nx = c_i
        if nx < e and abs(lat[nx] - c_lat) > COS_STEP_DEG:
            c_nx = math.cos(lat[nx] * DEG)
            cos_at = nx
        spike = False
        have_in = False
        ix = 0.0
        iy = 0.0
        if prev >= 0 and nx < e:
            dt_in = t[i] - t[prev]
            dt_out = t[nx] - t[i]
            if dt_in <= max_gap_ms and dt_out <= max_gap_ms:
                if dt_in != lim_dt_in or dt_out != lim_dt_out:  # the limits of these intervals
                    lim_dt_in = dt_in
                    lim_dt_out = dt_out
                    s_in = dt_in * S_PER_MS
                    s_out = dt_out * S_PER_MS
                    lim_in = spike_v * s_in
                    lim_out = spike_v * s_out
                    lim_in2 = lim_in * lim_in
                    lim_out2 = lim_out * lim_out
                    lim_a = spike_a * 0.5 * (s_in + s_out) * s_in * s_out
                    lim_a2 = lim_a * lim_a
                    lim_br = lim_in + lim_out
                    lim_br2 = lim_br * lim_br
                if o_from == prev and o_to == i:  # the previous fix's leg out, as computed there
                    ix = o_x
                    iy = o_y
                    in2 = o_2
                else:
                    ix = (lon[i] - lon[prev]) * M_PER_DEG * 0.5 * (c_prev + c_i)
                    iy = (lat[i] - lat[prev]) * M_PER_DEG
                    in2 = ix * ix + iy * iy
                have_in = True
                ox = (lon[nx] - lon[i]) * M_PER_DEG * 0.5 * (c_i + c_nx)
                oy = (lat[nx] - lat[i]) * M_PER_DEG
                out2 = ox * ox + oy * oy
                o_from = i
                o_to = nx
                o_x = ox
                o_y = oy
                o_2 = out2
                # compared squared: no square roots on the hot path.  A spike: the leg that
                # skips the fix is plausible, and both legs are too fast or the change of
                # velocity too sharp (those first: they are rarely true, the bridge then never tested)
                suspect = in2 > lim_in2 and out2 > lim_out2
                if not suspect:
                    # |v_out - v_in| / mean(dt) > spike_a, multiplied through by s_in·s_out
                    ax = ox * s_in - ix * s_out
                    ay = oy * s_in - iy * s_out
                    suspect = ax * ax + ay * ay > lim_a2
                if suspect:
                    brx = ix + ox
                    bry = iy + oy
                    spike = brx * brx + bry * bry <= lim_br2
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
                if have_in:
                    lx = ix
                    ly = iy
                else:
                    lx = (lon[i] - lon[prev]) * M_PER_DEG * 0.5 * (c_prev + c_i)
                    ly = (lat[i] - lat[prev]) * M_PER_DEG
                long_leg = lx * lx + ly * ly > long_leg_m * long_leg_m
                if cell_prev >= 0 or cell_i >= 0 or long_leg:  # else far from every target
                    nc = _push(
                        nc, prev, i, cell_prev, cell_i, long_leg, ca, cb, ccell_a, ccell_b, clong
                    )
                leg_ended_at_prev = True
        prev = i
        c_prev = c_i
        cell_prev = cell_i
        i += 1
    if prev >= 0 and not leg_ended_at_prev and cell_prev >= 0:
        nc = _push(nc, prev, prev, cell_prev, cell_prev, False, ca, cb, ccell_a, ccell_b, clong)
    return nc


@njit(cache=True)
def check_crews(
    t,
    lat,
    lon,
    spd,
    flags,
    crew_s,
    crew_e,
    tlat,
    tlon,
    tcos,
    tr,
    n_wp,
    zone_limit,
    g_lat0,
    g_lon0,
    g_inv_dlat,
    g_inv_dlon,
    g_nrows,
    g_ncols,
    g_occupied,
    gstart,
    gitems,
    long_leg_m,
    max_gap_ms,
    spike_v,
    spike_a,
    tol_kmh,
    window_ms,
    order_any,
    out,
    pass_cap,
):
    """Check crews ``crew_s[j]:crew_e[j]`` (each sorted by time) into row j of ``out`` (a :class:`KernelOut`).

    Returns -1, or the first crew j whose passages overflowed ``pass_cap`` (rows before j are
    complete; the caller retries from j with a larger buffer)."""
    n_t = tlat.shape[0]
    is_open = np.zeros(n_t, np.bool_)
    last_b = np.full(n_t, -1, np.int64)
    best_d = np.zeros(n_t, np.float64)
    best_t = np.zeros(n_t, np.int64)
    best_i = np.zeros(n_t, np.int64)
    stamp = np.full(n_t, -1, np.int64)
    pk = np.empty(pass_cap, np.int64)  # the crew's passages: target, time, distance, fix
    pt = np.empty(pass_cap, np.int64)
    pd = np.empty(pass_cap, np.float64)
    pi = np.empty(pass_cap, np.int64)
    longest = 0
    for j in range(crew_s.shape[0]):
        longest = max(longest, crew_e[j] - crew_s[j])
    ca = np.empty(longest + 1, np.int64)  # candidate legs a→b of the current crew
    cb = np.empty(longest + 1, np.int64)
    ccell_a = np.empty(longest + 1, np.int64)
    ccell_b = np.empty(longest + 1, np.int64)
    clong = np.empty(longest + 1, np.bool_)
    for j in range(crew_s.shape[0]):
        s = crew_s[j]
        e = crew_e[j]
        is_open[:] = False
        last_b[:] = -1
        stamp[:] = -1
        md = out.min_d[j]
        mt = out.min_t[j]
        md[:] = np.inf
        mt[:] = NO_TIME
        nc = _scan_fixes(
            s,
            e,
            t,
            lat,
            lon,
            flags,
            g_lat0,
            g_lon0,
            g_inv_dlat,
            g_inv_dlon,
            g_nrows,
            g_ncols,
            g_occupied,
            long_leg_m,
            max_gap_ms,
            spike_v,
            spike_a,
            ca,
            cb,
            ccell_a,
            ccell_b,
            clong,
        )
        # the candidate legs, in time order, against the targets their cells list
        npass = _test_legs(
            nc,
            ca,
            cb,
            ccell_a,
            ccell_b,
            clong,
            t,
            lat,
            lon,
            tlat,
            tlon,
            tcos,
            tr,
            gstart,
            gitems,
            stamp,
            md,
            mt,
            is_open,
            last_b,
            best_d,
            best_t,
            best_i,
            pk,
            pt,
            pd,
            pi,
        )
        if npass >= 0:
            npass = _close_passages(npass, is_open, best_t, best_d, best_i, pk, pt, pd, pi)
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
            tlat,
            tlon,
            tcos,
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
def _close_passages(npass, is_open, best_t, best_d, best_i, pk, pt, pd, pi):
    """Append the passages still open at the crew's last fix; -1 when the buffer is full."""
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
def _validate(j, npass, pk, pt, pd, pi, n_wp, order_any, out):
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
def _reset_zone(j, z, out):
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
def _nearest_fix_time(s, e, td, kf, tlat, tlon, tcos, t, lat, lon, flags):
    """The time of crew's kept fix closest to target kf from td on (a zone whose FZ was never reached)."""
    best = np.inf
    tf = td
    q = s + np.searchsorted(t[s:e], td)
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
    j,
    s,
    e,
    npass,
    pk,
    pt,
    n_wp,
    zone_limit,
    tlat,
    tlon,
    tcos,
    t,
    lat,
    lon,
    spd,
    flags,
    tol_kmh,
    window_ms,
    out,
):
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
                tf = _nearest_fix_time(s, e, td, kf, tlat, tlon, tcos, t, lat, lon, flags)
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
