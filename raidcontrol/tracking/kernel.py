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

import numpy as np
from numba import njit

from raidcontrol.tracking.geodesy import DEG, M_PER_DEG, MS_PER_S, MS_TO_KMH

SPIKE = np.uint8(1)
DUPLICATE = np.uint8(2)
GAP_AFTER = np.uint8(4)
DROPPED = np.uint8(3)           # SPIKE | DUPLICATE
S_PER_MS = 1e-3                 # milliseconds → seconds
EXACT_M = 1e-3                  # numerical slack: a track that touches the radius (to the mm) validates
COS_STEP_DEG = 0.01             # a leg's cosine of latitude is reused within 0.01° (≈1.1 km): relative error < 2e-4
NO_TIME = np.iinfo(np.int64).min
FAR_TIME = np.iinfo(np.int64).max

# zone integer outputs (last axis of zi)
Z_PASSES, Z_TMAX, Z_OVER_MS, Z_FIRST_OVER, Z_LAST_OVER, Z_I0, Z_I1, Z_FZ_MISSED, Z_T0, Z_T1, Z_DERIVED = range(11)
ZONE_PASSES_KEPT = 8            # passes through a zone whose (entry, exit) times are kept for evidence
Z_PASS0 = 11                    # zi[..., Z_PASS0 + 2p], zi[..., Z_PASS0 + 2p + 1]: entry and exit of pass p
ZI_FIELDS = Z_PASS0 + 2 * ZONE_PASSES_KEPT
# zone float outputs (last axis of zf)
ZF_VMAX, ZF_OVER_M = range(2)
ZF_FIELDS = 2


@njit(cache=True, inline="always")
def _leg_m(lat_a, lon_a, c_a, lat_b, lon_b, c_b):
    dx = (lon_b - lon_a) * M_PER_DEG * 0.5 * (c_a + c_b)
    dy = (lat_b - lat_a) * M_PER_DEG
    return math.sqrt(dx * dx + dy * dy)


@njit(cache=True)
def _test_legs(nc, ca, cb, ccell_a, ccell_b, clong, t, lat, lon, tlat, tlon, tcos, tr, gstart, gitems, stamp,
               min_d, min_t, is_open, last_b, best_d, best_t, best_i, pk, pt, pd, pi):
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


@njit(cache=True)
def _scan_zone(z, s, e, td, tf, limit_kmh, tol_kmh, window_ms, t, lat, lon, spd, flags, zi, zf, j):
    """Speed statistics of crew j over [td, tf] in zone z, accumulated into zi/zf[j, z].

    Each kept fix's speed is the device's, or else the straight-line speed between the kept
    fixes within ±window_ms/2 of it (never across an outage; the nearest leg when no fix is
    that close).  Written as one loop: helper calls taking arrays cost reference counting."""
    i = s + np.searchsorted(t[s:e], td)
    while i < e and (flags[i] & DROPPED) != 0:
        i += 1
    i0 = zi[j, z, Z_I0]
    i1 = zi[j, z, Z_I1]
    vmax = zf[j, z, ZF_VMAX]
    tmax = zi[j, z, Z_TMAX]
    vder = zi[j, z, Z_DERIVED]
    over_ms = zi[j, z, Z_OVER_MS]
    over_m = zf[j, z, ZF_OVER_M]
    first_over = zi[j, z, Z_FIRST_OVER]
    last_over = zi[j, z, Z_LAST_OVER]
    threshold = limit_kmh + tol_kmh
    half = window_ms // 2
    while i < e and t[i] <= tf:
        nx = i + 1
        while nx < e and (flags[nx] & DROPPED) != 0:
            nx += 1
        derived = math.isnan(spd[i])
        v = float(spd[i])
        if derived:
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
            v = math.nan
            if first != last and t[last] != t[first]:
                c = math.cos(lat[i] * DEG)   # the window spans a few hundred metres: one cosine serves
                d = _leg_m(lat[first], lon[first], c, lat[last], lon[last], c)
                v = d / ((t[last] - t[first]) / MS_PER_S) * MS_TO_KMH
        if i0 < 0 or i < i0:
            i0 = i
        if i > i1:
            i1 = i
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
    zi[j, z, Z_I0] = i0
    zi[j, z, Z_I1] = i1
    zf[j, z, ZF_VMAX] = vmax
    zi[j, z, Z_TMAX] = tmax
    zi[j, z, Z_DERIVED] = vder
    zi[j, z, Z_OVER_MS] = over_ms
    zf[j, z, ZF_OVER_M] = over_m
    zi[j, z, Z_FIRST_OVER] = first_over
    zi[j, z, Z_LAST_OVER] = last_over


@njit(cache=True)
def _scan_fixes(s, e, t, lat, lon, flags, g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols, g_occupied,
                long_leg_m, max_gap_ms, spike_v, spike_a, ca, cb, ccell_a, ccell_b, clong):
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
    c_lat = 1e9   # cached cosine: recomputed when the latitude moves more than COS_STEP_DEG
    c_val = 0.0
    nx = -1
    cos_at = -1   # the fix whose cosine c_nx holds (computed ahead, reused when it is reached)
    o_from = -1   # the leg out of the last kept fix (o_from → o_to, in metres): the next fix's leg in
    o_to = -1
    o_x = 0.0
    o_y = 0.0
    o_2 = 0.0
    lim_dt_in = np.int64(-1)   # the intervals the spike limits below were computed for
    lim_dt_out = np.int64(-1)
    s_in = s_out = lim_in2 = lim_out2 = lim_a2 = lim_br2 = 0.0
    i = s
    while i < e:
        if i > s and t[i] == t[i - 1]:      # the same instant as the fix before it (kept or not)
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
                if dt_in != lim_dt_in or dt_out != lim_dt_out:   # the limits of these intervals
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
                if o_from == prev and o_to == i:      # the previous fix's leg out, as computed there
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
            # the first fix: a spike when its leg is impossible but the next one is not
            dt_out = t[nx] - t[i]
            if dt_out <= max_gap_ms:
                v_out = _leg_m(lat[i], lon[i], c_i, lat[nx], lon[nx], c_nx) / (dt_out / MS_PER_S)
                nx2 = nx + 1
                while nx2 < e and t[nx2] == t[nx]:
                    nx2 += 1
                if v_out > spike_v and nx2 < e and t[nx2] - t[nx] <= max_gap_ms:
                    v_next = _leg_m(lat[nx], lon[nx], c_nx, lat[nx2], lon[nx2],
                                    math.cos(lat[nx2] * DEG)) / ((t[nx2] - t[nx]) / MS_PER_S)
                    spike = v_next <= spike_v
        elif prev >= 0 and nx >= e:
            # the last fix: a spike when its leg is impossible
            dt_in = t[i] - t[prev]
            if dt_in <= max_gap_ms:
                v_in = _leg_m(lat[prev], lon[prev], c_prev, lat[i], lon[i], c_i) / (dt_in / MS_PER_S)
                spike = v_in > spike_v
        if spike:
            flags[i] |= SPIKE
            i += 1
            continue
        # the grid cell of fix i, -1 outside the grid or where no target is listed (written out:
        # a helper taking the bitmap would cost reference counting on every fix)
        cell_i = -1
        gr = int(math.floor((lat[i] - g_lat0) * g_inv_dlat))
        gc = int(math.floor((lon[i] - g_lon0) * g_inv_dlon))
        if gr >= 0 and gc >= 0 and gr < g_nrows and gc < g_ncols:
            cell_i = gr * g_ncols + gc
            if (g_occupied[cell_i >> 3] >> (cell_i & 7)) & 1 == 0:
                cell_i = -1
        if prev >= 0:
            if t[i] - t[prev] > max_gap_ms:
                flags[prev] |= GAP_AFTER
                if not leg_ended_at_prev and cell_prev >= 0:
                    ca[nc] = prev
                    cb[nc] = prev
                    ccell_a[nc] = cell_prev
                    ccell_b[nc] = cell_prev
                    clong[nc] = False
                    nc += 1
                leg_ended_at_prev = False
            else:
                if have_in:
                    lx = ix
                    ly = iy
                else:
                    lx = (lon[i] - lon[prev]) * M_PER_DEG * 0.5 * (c_prev + c_i)
                    ly = (lat[i] - lat[prev]) * M_PER_DEG
                long_leg = lx * lx + ly * ly > long_leg_m * long_leg_m
                if cell_prev >= 0 or cell_i >= 0 or long_leg:   # else far from every target
                    ca[nc] = prev
                    cb[nc] = i
                    ccell_a[nc] = cell_prev
                    ccell_b[nc] = cell_i
                    clong[nc] = long_leg
                    nc += 1
                leg_ended_at_prev = True
        prev = i
        c_prev = c_i
        cell_prev = cell_i
        i += 1
    if prev >= 0 and not leg_ended_at_prev and cell_prev >= 0:
        ca[nc] = prev
        cb[nc] = prev
        ccell_a[nc] = cell_prev
        ccell_b[nc] = cell_prev
        clong[nc] = False
        nc += 1
    return nc


@njit(cache=True)
def check_crews(t, lat, lon, spd, flags, crew_s, crew_e,
                tlat, tlon, tcos, tr, n_wp, zone_limit,
                g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols, g_occupied, gstart, gitems, long_leg_m,
                max_gap_ms, spike_v, spike_a, tol_kmh, window_ms, order_any,
                wp_ok, wp_t, wp_d, wp_i, wp_ooo, min_d, min_t, zi, zf, pass_cap):
    """Check crews ``crew_s[j]:crew_e[j]`` (each sorted by time) into row j of the outputs.

    Returns -1, or the first crew j whose passages overflowed ``pass_cap`` (rows before j are
    complete; the caller retries from j with a larger buffer)."""
    n_t = tlat.shape[0]
    n_z = zone_limit.shape[0]
    is_open = np.zeros(n_t, np.bool_)
    last_b = np.full(n_t, -1, np.int64)
    best_d = np.zeros(n_t, np.float64)
    best_t = np.zeros(n_t, np.int64)
    best_i = np.zeros(n_t, np.int64)
    stamp = np.full(n_t, -1, np.int64)
    pk = np.empty(pass_cap, np.int64)
    pt = np.empty(pass_cap, np.int64)
    pd = np.empty(pass_cap, np.float64)
    pi = np.empty(pass_cap, np.int64)
    longest = 0
    for j in range(crew_s.shape[0]):
        longest = max(longest, crew_e[j] - crew_s[j])
    ca = np.empty(longest + 1, np.int64)          # candidate legs a→b of the current crew
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
        md = min_d[j]
        mt = min_t[j]
        md[:] = np.inf
        mt[:] = NO_TIME
        npass = 0
        nc = _scan_fixes(s, e, t, lat, lon, flags, g_lat0, g_lon0, g_inv_dlat, g_inv_dlon, g_nrows, g_ncols,
                         g_occupied, long_leg_m, max_gap_ms, spike_v, spike_a, ca, cb, ccell_a, ccell_b, clong)
        # the candidate legs, in time order, against the targets their cells list
        npass = _test_legs(nc, ca, cb, ccell_a, ccell_b, clong, t, lat, lon, tlat, tlon, tcos, tr, gstart, gitems,
                           stamp, md, mt, is_open, last_b, best_d, best_t, best_i, pk, pt, pd, pi)
        if npass < 0:
            return j
        for k in range(n_t):
            if is_open[k]:
                if npass >= pass_cap:
                    return j
                pk[npass] = k
                pt[npass] = best_t[k]
                pd[npass] = best_d[k]
                pi[npass] = best_i[k]
                npass += 1
        # --- validation in roadbook order -----------------------------------------------------
        last_t = NO_TIME
        for k in range(n_wp):
            wp_ok[j, k] = False
            wp_ooo[j, k] = False
            wp_t[j, k] = NO_TIME
            wp_d[j, k] = np.inf
            wp_i[j, k] = -1
            for p in range(npass):
                if pk[p] != k:
                    continue
                if order_any or pt[p] >= last_t:
                    wp_ok[j, k] = True
                    wp_t[j, k] = pt[p]
                    wp_d[j, k] = pd[p]
                    wp_i[j, k] = pi[p]
                    break
                wp_ooo[j, k] = True
            if wp_ok[j, k]:
                wp_ooo[j, k] = False
                if not order_any:
                    last_t = wp_t[j, k]
        # --- speed zones ----------------------------------------------------------------------
        for z in range(n_z):
            for f in range(ZI_FIELDS):
                zi[j, z, f] = 0
            zi[j, z, Z_I0] = -1
            zi[j, z, Z_I1] = -1
            zi[j, z, Z_FIRST_OVER] = NO_TIME
            zi[j, z, Z_LAST_OVER] = NO_TIME
            zi[j, z, Z_T0] = NO_TIME
            zi[j, z, Z_T1] = NO_TIME
            zf[j, z, ZF_VMAX] = 0.0
            zf[j, z, ZF_OVER_M] = 0.0
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
                    # no FZ passage after the DZ: the zone ends at the fix closest to the FZ
                    zi[j, z, Z_FZ_MISSED] = 1
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
                p_no = zi[j, z, Z_PASSES]
                if p_no < ZONE_PASSES_KEPT:
                    zi[j, z, Z_PASS0 + 2 * p_no] = td
                    zi[j, z, Z_PASS0 + 2 * p_no + 1] = tf
                zi[j, z, Z_PASSES] += 1
                if zi[j, z, Z_T0] == NO_TIME:
                    zi[j, z, Z_T0] = td
                zi[j, z, Z_T1] = tf
                _scan_zone(z, s, e, td, tf, zone_limit[z], tol_kmh, window_ms, t, lat, lon, spd, flags, zi, zf, j)
                cur_end = tf
    return -1
