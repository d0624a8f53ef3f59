"""The closest approach of a crew's track to points (numba), for the evidence of a missed
waypoint: on the fixes and on the legs joining them (never across an outage), in each
point's local projection.
"""

from __future__ import annotations

import math

import numpy as np

from raidcontrol.tracking.arrays import F64, I64, U8
from raidcontrol.tracking.geodesy import M_PER_DEG
from raidcontrol.tracking.jit import njit
from raidcontrol.tracking.kernel import DROPPED, GAP_AFTER

CHUNK = 64  # fixes per bounding box in the branch-and-bound search


@njit(cache=True)
def closest_approaches(
    t: I64, lat: F64, lon: F64, flags: U8, s: int, e: int, wlat: F64, wlon: F64, wcos: F64
) -> tuple[F64, I64]:
    """The closest approach of kept fixes s..e-1 (and the legs joining them, not across an
    outage) to each point k, in k's local projection: (metres[k], epoch ms[k]); inf without a
    kept fix.  Branch and bound: the kept fixes are cut into chunks of CHUNK with a bounding
    box each (the projection is linear in lat/lon, so a box's distance is a true lower bound);
    only chunks whose box could beat the best distance found so far are measured leg by leg.
    Chunks are walked in the track's own arrays (first fix of each, kept fix before it): one
    sequential pass over the crew builds them."""
    n_w = wlat.shape[0]
    best = np.full(n_w, np.inf)
    best_t = np.zeros(n_w, np.int64)
    n_max = (e - s + CHUNK - 1) // CHUNK
    first = np.empty(n_max, np.int64)  # per chunk: its first kept fix
    before = np.empty(n_max, np.int64)  # per chunk: the kept fix before it (-1: none)
    box = np.empty((n_max, 4))  # lat min, lat max, lon min, lon max (with the leg into the chunk)
    n_ch = 0
    m = 0
    last = -1
    la0 = la1 = lo0 = lo1 = 0.0
    for i in range(s, e):
        if (flags[i] & DROPPED) != 0:
            continue
        la = lat[i]
        lo_ = lon[i]
        if m % CHUNK == 0:  # a new chunk: its box starts at the kept fix before
            if n_ch > 0:
                box[n_ch - 1, 0] = la0
                box[n_ch - 1, 1] = la1
                box[n_ch - 1, 2] = lo0
                box[n_ch - 1, 3] = lo1
            first[n_ch] = i
            before[n_ch] = last
            n_ch += 1
            if last >= 0:
                la0 = min(lat[last], la)
                la1 = max(lat[last], la)
                lo0 = min(lon[last], lo_)
                lo1 = max(lon[last], lo_)
            else:
                la0 = la1 = la
                lo0 = lo1 = lo_
        else:
            la0 = min(la0, la)
            la1 = max(la1, la)
            lo0 = min(lo0, lo_)
            lo1 = max(lo1, lo_)
        last = i
        m += 1
    if m == 0:
        return best, best_t
    box[n_ch - 1, 0] = la0
    box[n_ch - 1, 1] = la1
    box[n_ch - 1, 2] = lo0
    box[n_ch - 1, 3] = lo1
    for k in range(n_w):
        kx = M_PER_DEG * wcos[k]
        b2 = np.inf
        bt = np.int64(0)
        for c in range(n_ch):  # an upper bound: each chunk's first fix
            i = first[c]
            x = (lon[i] - wlon[k]) * kx
            y = (lat[i] - wlat[k]) * M_PER_DEG
            if x * x + y * y < b2:
                b2 = x * x + y * y
                bt = t[i]
        for c in range(n_ch):
            gx = max(0.0, box[c, 2] - wlon[k], wlon[k] - box[c, 3]) * kx
            gy = max(0.0, box[c, 0] - wlat[k], wlat[k] - box[c, 1]) * M_PER_DEG
            if gx * gx + gy * gy >= b2:
                continue
            a = before[c]
            i = first[c]
            n_in = 0
            while n_in < CHUNK and i < e:
                if (flags[i] & DROPPED) != 0:
                    i += 1
                    continue
                n_in += 1
                x = (lon[i] - wlon[k]) * kx
                y = (lat[i] - wlat[k]) * M_PER_DEG
                if x * x + y * y < b2:
                    b2 = x * x + y * y
                    bt = t[i]
                if a >= 0 and (flags[a] & GAP_AFTER) == 0:
                    px = (lon[a] - wlon[k]) * kx
                    py = (lat[a] - wlat[k]) * M_PER_DEG
                    vx = x - px
                    vy = y - py
                    l2 = vx * vx + vy * vy
                    if l2 > 0.0:
                        u = min(1.0, max(0.0, -(px * vx + py * vy) / l2))
                        qx = px + u * vx
                        qy = py + u * vy
                        if qx * qx + qy * qy < b2:
                            b2 = qx * qx + qy * qy
                            bt = t[a] + np.int64(math.floor(u * (t[i] - t[a]) + 0.5))
                a = i
                i += 1
        best[k] = math.sqrt(b2)
        best_t[k] = bt
    return best, best_t
