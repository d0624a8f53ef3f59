"""The closest approach of a crew's track to points (numba), for the evidence of a missed
waypoint: on the fixes and on the legs joining them (never across an outage), in each
point's local projection.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from raidcontrol.tracking.geodesy import M_PER_DEG
from raidcontrol.tracking.kernel import DROPPED, GAP_AFTER

CHUNK = 64   # fixes per bounding box in the branch-and-bound search


@njit(cache=True)
def closest_approaches(t, lat, lon, flags, s, e, wlat, wlon, wcos):
    """The closest approach of kept fixes s..e-1 (and the legs joining them, not across an
    outage) to each point k, in k's local projection: (metres[k], epoch ms[k]); inf without a
    kept fix.  Branch and bound: the fixes are cut into chunks with a bounding box each (the
    projection is linear in lat/lon, so a box's distance is a true lower bound); only chunks
    whose box could beat the best distance found so far are measured leg by leg."""
    n_w = wlat.shape[0]
    best = np.full(n_w, np.inf)
    best_t = np.zeros(n_w, np.int64)
    idx = np.empty(e - s, np.int64)
    m = 0
    for i in range(s, e):
        if (flags[i] & DROPPED) == 0:
            idx[m] = i
            m += 1
    if m == 0:
        return best, best_t
    n_ch = (m + CHUNK - 1) // CHUNK
    box = np.empty((n_ch, 4))           # lat min, lat max, lon min, lon max (with the leg into the chunk)
    for c in range(n_ch):
        lo = max(0, c * CHUNK - 1)
        hi = min(m, (c + 1) * CHUNK)
        box[c, 0] = box[c, 1] = lat[idx[lo]]
        box[c, 2] = box[c, 3] = lon[idx[lo]]
        for q in range(lo + 1, hi):
            la = lat[idx[q]]
            lo_ = lon[idx[q]]
            box[c, 0] = min(box[c, 0], la)
            box[c, 1] = max(box[c, 1], la)
            box[c, 2] = min(box[c, 2], lo_)
            box[c, 3] = max(box[c, 3], lo_)
    for k in range(n_w):
        kx = M_PER_DEG * wcos[k]
        b2 = np.inf
        bt = np.int64(0)
        for c in range(n_ch):                       # an upper bound: each chunk's first fix
            i = idx[c * CHUNK]
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
            for q in range(c * CHUNK, min(m, (c + 1) * CHUNK)):
                i = idx[q]
                x = (lon[i] - wlon[k]) * kx
                y = (lat[i] - wlat[k]) * M_PER_DEG
                if x * x + y * y < b2:
                    b2 = x * x + y * y
                    bt = t[i]
                if q == 0:
                    continue
                a = idx[q - 1]
                if (flags[a] & GAP_AFTER) != 0:
                    continue
                px = (lon[a] - wlon[k]) * kx
                py = (lat[a] - wlat[k]) * M_PER_DEG
                vx = x - px
                vy = y - py
                l2 = vx * vx + vy * vy
                if l2 <= 0.0:
                    continue
                u = min(1.0, max(0.0, -(px * vx + py * vy) / l2))
                qx = px + u * vx
                qy = py + u * vy
                if qx * qx + qy * qy < b2:
                    b2 = qx * qx + qy * qy
                    bt = t[a] + np.int64(math.floor(u * (t[i] - t[a]) + 0.5))
        best[k] = math.sqrt(b2)
        best_t[k] = bt
    return best, best_t
