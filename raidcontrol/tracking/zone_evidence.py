"""The evidence behind a speeding infringement: the zone's fixes over the limit (pure).

Speeds are the kernel's: the device's when present, else the straight-line speed between
the fixes within a window around the fix (never across an outage).  :func:`derived_speeds`
states the rule with numpy (for pictures); the evidence of each infringement runs the same
arithmetic, operation for operation, in one compiled pass (:func:`_zone_columns`).
"""

from __future__ import annotations

import math

import numpy as np

from raidcontrol.tracking import kernel as K
from raidcontrol.tracking.arrays import F32, F64, I64, U8, Bools, Columns
from raidcontrol.tracking.geodesy import DEG, M_PER_DEG, MS_PER_S, MS_TO_KMH
from raidcontrol.tracking.jit import njit
from raidcontrol.tracking.report import SpeedInfringement, iso
from raidcontrol.tracking.rules import TrackingRules


def zone_fixes(
    cols_t: I64, cols_lat: F64, cols_lon: F64, cols_spd: F32, cols_flags: U8, i0: int, i1: int
) -> tuple[I64, F64, F64, F32, Bools]:
    """The kept fixes i0..i1 (inclusive) as arrays (t, lat, lon, device speed, outage after?)."""
    sl = slice(i0, i1 + 1)
    flags = cols_flags[sl]
    keep = (flags & K.DROPPED) == 0
    if keep.all():  # the usual case: views, no copies
        return cols_t[sl], cols_lat[sl], cols_lon[sl], cols_spd[sl], (flags & K.GAP_AFTER) != 0
    return (
        cols_t[sl][keep],
        cols_lat[sl][keep],
        cols_lon[sl][keep],
        cols_spd[sl][keep],
        (flags[keep] & K.GAP_AFTER) != 0,
    )


def with_evidence(
    inf: SpeedInfringement, cols: Columns, i0: int, i1: int, t0: int, t1: int, rules: TrackingRules
) -> SpeedInfringement:
    """Attach the fixes behind an infringement: each fix over the limit with its time, position,
    speed (and where it came from) and distance from the zone's first fix."""
    t, lat, lon, spd, gap = zone_fixes(cols.t, cols.lat, cols.lon, cols.spd, cols.flags, i0, i1)
    speed, derived, along, over = _zone_columns(
        t,
        lat,
        lon,
        spd,
        gap,
        np.cos(lat * DEG),
        rules.derived_window_ms // 2,
        inf.limit_kmh + rules.tolerance_kmh,
    )
    rows = {  # the fixes over the limit, as columns
        "t_ms": t[over].tolist(),
        "lat": np.round(lat[over], 6).tolist(),
        "lon": np.round(lon[over], 6).tolist(),
        "speed_kmh": np.round(speed[over], 1).tolist(),
        "source": ["derived" if d else "device" for d in derived[over].tolist()],
        "from_zone_start_m": np.round(along[over], 1).tolist(),
    }
    texts: dict[
        int, str | None
    ] = {}  # the zone's entry and exit recur in its passes: each formatted once

    def at(ms: int) -> str | None:
        if ms not in texts:
            texts[ms] = iso(ms)
        return texts[ms]

    evidence = {
        "zone": inf.zone,
        "limit_kmh": inf.limit_kmh,
        "zone_entered": at(t0),
        "zone_left": at(t1),
        "passes_in_zone": [[at(a), at(b)] for a, b in inf.pass_times],
        "fixes_in_zone": int(t.shape[0]),
        "fixes_over_limit": rows,
        "max_speed_kmh": round(inf.max_speed_kmh, 1),
        "max_at": at(inf.max_at_ms),
        "excess_kmh": round(inf.excess_kmh, 1),
        "duration_over_ms": inf.duration_ms,
        "distance_over_m": round(inf.distance_m, 1),
        "passes": inf.passes,
        "fz_passed": inf.fz_passed,
        "rule": inf.rule,
    }
    return SpeedInfringement(**{**inf.__dict__, "evidence": evidence})


def derived_speeds(
    t: I64, lat: F64, lon: F64, spd: F32, gap_after: Bools, window_ms: int
) -> tuple[F64, list[str]]:
    """Per fix: the device speed when present, else the straight-line speed between the
    fixes within ±window_ms/2 (centred, never across an outage; the nearest leg when none is
    that close) — the kernel's rule, for evidence and pictures.  Returns (km/h, sources)."""
    speed, missing = _speeds(t, lat, lon, spd, gap_after, window_ms)
    return speed, np.where(missing, "derived", "device").tolist()


def _speeds(
    t: I64, lat: F64, lon: F64, spd: F32, gap_after: Bools, window_ms: int
) -> tuple[F64, Bools]:
    """:func:`derived_speeds` with the sources as a mask: (km/h, derived?)."""
    n = t.shape[0]
    speed = spd.astype(np.float64)
    missing = np.isnan(speed)
    if n == 0 or not missing.any():
        return speed, missing
    half = window_ms // 2
    i = np.flatnonzero(missing)
    hi = np.searchsorted(t, t[i] + half, side="right") - 1
    lo = np.searchsorted(t, t[i] - half, side="left")
    gaps = np.flatnonzero(gap_after)
    if gaps.shape[0]:
        g = np.searchsorted(gaps, i)  # first outage at or after i
        has = g < gaps.shape[0]
        hi[has] = np.minimum(hi[has], gaps[g[has]])
        before = g - 1  # last outage before i: its next fix bounds lo
        hb = before >= 0
        lo[hb] = np.maximum(lo[hb], gaps[before[hb]] + 1)
    alone = hi == lo
    nxt_ok = alone & (i + 1 < n) & ~gap_after[i]
    hi[nxt_ok] = i[nxt_ok] + 1
    prv = alone & ~nxt_ok & (i - 1 >= 0)
    prv_ok = prv.copy()
    prv_ok[prv] = ~gap_after[i[prv] - 1]
    lo[prv_ok] = i[prv_ok] - 1
    c = np.cos(lat * DEG)
    dx = (lon[hi] - lon[lo]) * M_PER_DEG * 0.5 * (c[lo] + c[hi])
    dy = (lat[hi] - lat[lo]) * M_PER_DEG
    dt = (t[hi] - t[lo]) / MS_PER_S
    with np.errstate(divide="ignore", invalid="ignore"):
        speed[i] = np.where(dt > 0, np.hypot(dx, dy) / dt * MS_TO_KMH, np.nan)
    return speed, missing


@njit(cache=True)
def _zone_columns(
    t: I64, lat: F64, lon: F64, spd: F32, gap_after: Bools, c: F64, half: int, threshold: float
) -> tuple[F64, Bools, F64, I64]:
    """The zone's speeds (as :func:`derived_speeds`: ``c`` the cosines of ``lat``, ``half`` half
    the window), which are derived, the distance along the zone at each fix (as the cumulated
    :func:`~raidcontrol.tracking.geodesy.leg_lengths_m`) and the fixes whose speed is over ``threshold``."""
    n = t.shape[0]
    speed = np.empty(n, np.float64)
    derived = np.zeros(n, np.bool_)
    n_gaps = 0
    for i in range(n):
        if gap_after[i]:
            n_gaps += 1
    gaps = np.empty(n_gaps, np.int64)
    g = 0
    for i in range(n):
        if gap_after[i]:
            gaps[g] = i
            g += 1
    for i in range(n):
        v = np.float64(spd[i])
        speed[i] = v
        if not math.isnan(v):
            continue
        derived[i] = True
        hi = np.searchsorted(t, t[i] + half, side="right") - 1
        lo = np.searchsorted(t, t[i] - half, side="left")
        if n_gaps:
            g = int(np.searchsorted(gaps, i))  # first outage at or after i
            if g < n_gaps:
                hi = min(hi, gaps[g])
            if g - 1 >= 0:  # last outage before i: its next fix bounds lo
                lo = max(lo, gaps[g - 1] + 1)
        if hi == lo:
            if i + 1 < n and not gap_after[i]:
                hi = i + 1
            elif i - 1 >= 0 and not gap_after[i - 1]:
                lo = i - 1
        dx = (lon[hi] - lon[lo]) * M_PER_DEG * 0.5 * (c[lo] + c[hi])
        dy = (lat[hi] - lat[lo]) * M_PER_DEG
        dt = (t[hi] - t[lo]) / MS_PER_S
        speed[i] = math.hypot(dx, dy) / dt * MS_TO_KMH if dt > 0 else np.nan
    along = np.empty(n, np.float64)
    total = 0.0
    for i in range(n):
        if i > 0:
            dx = (lon[i] - lon[i - 1]) * M_PER_DEG * 0.5 * (c[i] + c[i - 1])
            dy = (lat[i] - lat[i - 1]) * M_PER_DEG
            total += math.hypot(dx, dy)
        along[i] = total
    n_over = 0
    for i in range(n):
        if speed[i] > threshold:
            n_over += 1
    over = np.empty(n_over, np.int64)
    k = 0
    for i in range(n):
        if speed[i] > threshold:
            over[k] = i
            k += 1
    return speed, derived, along, over
