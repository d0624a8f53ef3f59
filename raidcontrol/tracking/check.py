"""``check_fleet``: a fleet's tracks against a stage's roadbook under a rulebook (pure).

The compiled kernel (:mod:`raidcontrol.tracking.kernel`) walks every crew's fixes once;
this module prepares its inputs (targets, candidate grid, crews whose fixes came out of
time order sorted on a copy), runs it in batches (reporting progress) and turns its
arrays into :class:`CrewReport` objects with penalties from the rules and evidence.
``check_fleet`` never modifies the fleet; ``sort_fleet_in_place`` is for a reader that owns it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from raidcontrol.tracking import kernel as K
from raidcontrol.tracking.closest import closest_approaches
from raidcontrol.tracking.order import count_descents, gather_sorted, sort_crews_in_place
from raidcontrol.tracking.geodesy import DEG, M_PER_DEG, MS_PER_S, MS_TO_KMH, leg_lengths_m, leg_m, segment_distance_m
from raidcontrol.tracking.grid import build_grid, leg_margin_m
from raidcontrol.tracking.model import Fleet, Roadbook
from raidcontrol.tracking.report import CrewReport, FleetReport, Gap, MissedWaypoint, SpeedInfringement, Spike, iso
from raidcontrol.tracking.rules import TrackingRules

BATCH_FIXES = 2_000_000     # fixes per kernel call between two progress reports
PASS_BUFFER = 4096          # initial passage buffer per crew (grows when a crew needs more)

Progress = Callable[[int, int], None]


@dataclass
class _Columns:
    """The arrays a crew's fixes live in (the fleet's, or a sorted copy) and its flags."""

    t: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    spd: np.ndarray
    flags: np.ndarray


@dataclass
class _Targets:
    lat: np.ndarray
    lon: np.ndarray
    cos: np.ndarray
    radius: np.ndarray
    n_wp: int
    zone_limit: np.ndarray


def _targets(roadbook: Roadbook) -> _Targets:
    points = list(roadbook.waypoints)
    for zone in roadbook.zones:
        points += [zone.start, zone.end]
    lat = np.array([p.lat for p in points], np.float64)
    lon = np.array([p.lon for p in points], np.float64)
    return _Targets(lat, lon, np.cos(lat * DEG), np.array([p.clear_m for p in points], np.float64),
                    len(roadbook.waypoints), np.array([z.limit_kmh for z in roadbook.zones], np.float64))


def check_fleet(roadbook: Roadbook, fleet: Fleet, rules: TrackingRules, progress: Progress | None = None) -> FleetReport:
    """Check every crew of ``fleet``; ``progress(done_fixes, total_fixes)`` is called between batches.

    Crews are checked in batches of about ``BATCH_FIXES`` fixes; a batch holding a crew whose
    fixes are out of time order is copied, sorted, into a reused buffer — so memory beyond the
    fleet stays at one batch, whatever the fleet's size."""
    tg = _targets(roadbook)
    grid = build_grid(tg.lat, tg.lon, tg.radius, leg_margin_m(fleet.t_ms, fleet.lat, fleet.lon, fleet.offsets))
    n_crews = int(fleet.bibs.shape[0])
    n_wp, n_t, n_z = tg.n_wp, tg.lat.shape[0], tg.zone_limit.shape[0]
    out = {
        "wp_ok": np.zeros((n_crews, n_wp), np.bool_), "wp_t": np.zeros((n_crews, n_wp), np.int64),
        "wp_d": np.zeros((n_crews, n_wp), np.float64), "wp_i": np.zeros((n_crews, n_wp), np.int64),
        "wp_ooo": np.zeros((n_crews, n_wp), np.bool_), "min_d": np.zeros((n_crews, n_t), np.float64),
        "min_t": np.zeros((n_crews, n_t), np.int64), "zi": np.zeros((n_crews, n_z, K.ZI_FIELDS), np.int64),
        "zf": np.zeros((n_crews, n_z, K.ZF_FIELDS), np.float64),
    }
    offsets = fleet.offsets.astype(np.int64)
    sizes = np.diff(offsets)
    capacity = int(min(len(fleet), BATCH_FIXES + (int(sizes.max()) if n_crews else 0)))
    buf = _Columns(np.empty(capacity, np.int64), np.empty(capacity, np.float64), np.empty(capacity, np.float64),
                   np.empty(capacity, np.float32), np.zeros(_words(capacity) * WORD, np.uint8))
    crews: dict[int, CrewReport] = {}
    total, done, c = len(fleet), 0, 0
    while c < n_crews:
        d = c + 1
        while d < n_crews and offsets[d + 1] - offsets[c] <= BATCH_FIXES:
            d += 1
        s0, e0 = int(offsets[c]), int(offsets[d])
        n = e0 - s0
        local = offsets[c:d + 1] - s0
        if fleet.reordered is None:
            descents = count_descents(fleet.t_ms[s0:e0], local)
        else:                                                      # the reader sorted each crew
            descents = np.zeros(d - c, np.int64)
        if descents.any():
            gather_sorted(fleet.t_ms[s0:e0], fleet.lat[s0:e0], fleet.lon[s0:e0], fleet.speed_kmh[s0:e0], local,
                            descents, buf.t, buf.lat, buf.lon, buf.spd)
            cols = _Columns(buf.t[:n], buf.lat[:n], buf.lon[:n], buf.spd[:n], buf.flags[:n])
        else:
            cols = _Columns(fleet.t_ms[s0:e0], fleet.lat[s0:e0], fleet.lon[s0:e0], fleet.speed_kmh[s0:e0], buf.flags[:n])
        buf.flags[:_words(n) * WORD] = 0
        _run(cols, local, {k: v[c:d] for k, v in out.items()}, tg, grid, rules)
        marked_all = _flagged(buf.flags, n)                        # flagged fixes of the batch (few)
        cut = np.searchsorted(marked_all, local)
        for k in range(d - c):
            bib = int(fleet.bibs[c + k])
            marked = marked_all[cut[k]:cut[k + 1]]
            reordered = int(descents[k]) if fleet.reordered is None else int(fleet.reordered[c + k])
            crews[bib] = _crew_report(c + k, bib, (cols, int(local[k]), int(local[k + 1])), reordered,
                                      roadbook, rules, out, marked)
        done += n
        c = d
        if progress:
            progress(done, total)
    return FleetReport(roadbook, rules, crews, total)


WORD = 8   # flags are scanned eight at a time (as uint64 words): flagged fixes are rare


def _words(n: int) -> int:
    return (n + WORD - 1) // WORD


def _flagged(flags: np.ndarray, n: int) -> np.ndarray:
    """Indices < n of the non-zero flags (the buffer is zero beyond n up to a whole word)."""
    words = np.flatnonzero(flags[:_words(n) * WORD].view(np.uint64))
    cand = (words[:, None] * WORD + np.arange(WORD)).ravel()
    return cand[flags[cand] != 0]


def sort_fleet_in_place(fleet: Fleet) -> Fleet:
    """Sort each crew of a fleet the caller owns by time, in place, and record how many fixes
    per crew had come out of order (``fleet.reordered``); the check then needs no copy."""
    for name in ("t_ms", "lat", "lon", "speed_kmh"):
        if not getattr(fleet, name).flags.writeable:       # zero-copy views of a reader's buffers
            setattr(fleet, name, getattr(fleet, name).copy())
    fleet.reordered = sort_crews_in_place(fleet.t_ms, fleet.lat, fleet.lon, fleet.speed_kmh,
                                            fleet.offsets.astype(np.int64))
    return fleet


def _run(cols: _Columns, local: np.ndarray, views: dict, tg: _Targets, grid, rules: TrackingRules) -> None:
    """The kernel over one batch (crew slices ``local[k]:local[k+1]`` of ``cols``) into ``views``."""
    crew_s, crew_e = local[:-1], local[1:]
    cap = PASS_BUFFER
    first = 0
    while first < crew_s.shape[0]:
        sub = {k: v[first:] for k, v in views.items()}
        status = K.check_crews(
            cols.t, cols.lat, cols.lon, cols.spd, cols.flags, crew_s[first:], crew_e[first:],
            tg.lat, tg.lon, tg.cos, tg.radius, tg.n_wp, tg.zone_limit,
            grid.lat0, grid.lon0, 1.0 / grid.dlat, 1.0 / grid.dlon, grid.nrows, grid.ncols, grid.occupied, grid.start, grid.items, grid.margin_m,
            rules.max_gap_ms, rules.spike_speed_kmh / MS_TO_KMH, rules.spike_accel_ms2, rules.tolerance_kmh,
            rules.derived_window_ms, rules.order == "any",
            sub["wp_ok"], sub["wp_t"], sub["wp_d"], sub["wp_i"], sub["wp_ooo"], sub["min_d"], sub["min_t"],
            sub["zi"], sub["zf"], cap)
        if status < 0:
            break
        # a crew overflowed the passage buffer: clear its flags, retry from it with a larger one
        first += int(status)
        cols.flags[crew_s[first]:crew_e[first]] = 0
        cap *= 4


def _crew_report(c: int, bib: int, loc: tuple[_Columns, int, int], descents: int, roadbook: Roadbook,
                 rules: TrackingRules, out, marked: np.ndarray) -> CrewReport:
    """The report of crew c (row c of the kernel's outputs); ``marked``: its flagged fixes."""
    cols, s, e = loc
    marks = cols.flags[marked]
    report = CrewReport(bib=bib, fixes=e - s, reordered=descents,
                        duplicates=int(np.count_nonzero(marks & K.DUPLICATE)))
    gaps = _gaps(cols, e, marked[(marks & K.GAP_AFTER) != 0])
    report.gaps = gaps
    report.spikes = _spikes(cols, s, marked[(marks & K.SPIKE) != 0])
    ok, vt, vd = out["wp_ok"][c].tolist(), out["wp_t"][c].tolist(), out["wp_d"][c].tolist()
    near_d, near_t = out["min_d"][c].tolist(), out["min_t"][c].tolist()
    # the kernel's closest approach is exact only within the radius (the grid guarantees no more):
    # for the other missed waypoints, measure on the whole track
    far = [k for k in range(len(roadbook.waypoints)) if not ok[k] and not near_d[k] <= roadbook.waypoints[k].clear_m]
    if far:
        wl = np.array([roadbook.waypoints[k].lat for k in far])
        d, tt = closest_approaches(cols.t, cols.lat, cols.lon, cols.flags, s, e, wl,
                                     np.array([roadbook.waypoints[k].lon for k in far]), np.cos(wl * DEG))
        for k, dk, tk in zip(far, d.tolist(), tt.tolist()):
            near_d[k], near_t[k] = dk, tk
    wps = roadbook.waypoints
    hits = [k for k in range(len(wps)) if ok[k]]
    report.validated = [wps[k].name for k in hits]
    report.validated_types = [wps[k].type for k in hits]
    report.validated_t_ms = [vt[k] for k in hits]
    report.validated_m = [vd[k] for k in hits]
    for k, wp in enumerate(wps):
        if ok[k]:
            continue
        closest, closest_t = near_d[k], near_t[k]
        outage = any(segment_distance_m(wp.lat, wp.lon, g.start[0], g.start[1], g.end[0], g.end[1]) <= wp.clear_m
                     for g in gaps)
        report.missed.append(MissedWaypoint(
            name=wp.name, type=wp.type, penalty_ms=rules.missed_penalty_ms[wp.type], index=k + 1, lat=wp.lat,
            lon=wp.lon, clear_m=wp.clear_m, closest_m=closest if math.isfinite(closest) else None,
            closest_t_ms=closest_t if math.isfinite(closest) else None,
            out_of_order=bool(out["wp_ooo"][c, k]), outage=outage,
            rule=f"tracking.missed.{wp.type}: {rules.sources.get(f'tracking.missed.{wp.type}', '')}"))
    n_wp = len(roadbook.waypoints)
    report.share = len(report.validated) / n_wp if n_wp else 1.0
    report.did_not_finish = report.share < rules.min_share
    over = out["zi"][c, :, K.Z_FIRST_OVER].tolist() if roadbook.zones else []
    for z, zone in enumerate(roadbook.zones):
        if over[z] == K.NO_TIME:          # never over the limit (or never in the zone)
            continue
        zi, zf = out["zi"][c, z], out["zf"][c, z]
        vmax = float(zf[K.ZF_VMAX])
        excess = vmax - zone.limit_kmh
        penalty = rules.speeding_penalty_ms(excess)
        if penalty <= 0:
            continue
        i0, i1 = int(zi[K.Z_I0]), int(zi[K.Z_I1])
        inf = SpeedInfringement(
            zone=zone.name, limit_kmh=zone.limit_kmh, max_speed_kmh=vmax, excess_kmh=excess, penalty_ms=penalty,
            start_ms=int(zi[K.Z_FIRST_OVER]), end_ms=int(zi[K.Z_LAST_OVER]), duration_ms=int(zi[K.Z_OVER_MS]),
            distance_m=float(zf[K.ZF_OVER_M]), index=z + 1, passes=int(zi[K.Z_PASSES]),
            fz_passed=not zi[K.Z_FZ_MISSED], speed_source="derived" if zi[K.Z_DERIVED] else "device",
            max_at_ms=int(zi[K.Z_TMAX]), fix_range=(i0, i1), zone_t0_ms=int(zi[K.Z_T0]), zone_t1_ms=int(zi[K.Z_T1]),
            pass_times=tuple((int(zi[K.Z_PASS0 + 2 * p]), int(zi[K.Z_PASS0 + 2 * p + 1]))
                             for p in range(min(int(zi[K.Z_PASSES]), K.ZONE_PASSES_KEPT))),
            rule=f"tracking.speeding.bands: {rules.sources.get('tracking.speeding.bands', '')}")
        report.speeding.append(_with_evidence(inf, cols, s, e, i0, i1, int(zi[K.Z_T0]), int(zi[K.Z_T1]), rules))
    return report


def _gaps(cols: _Columns, e: int, starts: np.ndarray) -> list[Gap]:
    out = []
    for a in starts:
        a = int(a)
        b = a + 1
        while b < e and cols.flags[b] & K.DROPPED:
            b += 1
        if b >= e:
            continue
        dist = leg_m(float(cols.lat[a]), float(cols.lon[a]), float(cols.lat[b]), float(cols.lon[b]))
        out.append(Gap(int(cols.t[a]), int(cols.t[b]), dist, (float(cols.lat[a]), float(cols.lon[a])),
                       (float(cols.lat[b]), float(cols.lon[b]))))
    return out


def _spikes(cols: _Columns, s: int, where: np.ndarray) -> list[Spike]:
    out = []
    for i in where:
        i = int(i)
        p = i - 1
        while p >= s and cols.flags[p] & K.DROPPED:
            p -= 1
        speed = math.nan
        if p >= s and cols.t[i] > cols.t[p]:
            speed = (leg_m(float(cols.lat[p]), float(cols.lon[p]), float(cols.lat[i]), float(cols.lon[i]))
                     / ((cols.t[i] - cols.t[p]) / MS_PER_S) * MS_TO_KMH)
        out.append(Spike(int(cols.t[i]), float(cols.lat[i]), float(cols.lon[i]), speed))
    return out


def zone_fixes(cols_t, cols_lat, cols_lon, cols_spd, cols_flags, i0: int, i1: int):
    """The kept fixes i0..i1 (inclusive) as arrays (t, lat, lon, device speed, outage after?)."""
    sl = slice(i0, i1 + 1)
    keep = (cols_flags[sl] & K.DROPPED) == 0
    return (cols_t[sl][keep], cols_lat[sl][keep], cols_lon[sl][keep], cols_spd[sl][keep],
            (cols_flags[sl][keep] & K.GAP_AFTER) != 0)


def _with_evidence(inf: SpeedInfringement, cols: _Columns, s: int, e: int, i0: int, i1: int, t0: int, t1: int,
                   rules: TrackingRules) -> SpeedInfringement:
    """Attach the fixes behind an infringement: each fix over the limit with its time, position,
    speed (and where it came from) and distance from the zone's first fix."""
    t, lat, lon, spd, gap = zone_fixes(cols.t, cols.lat, cols.lon, cols.spd, cols.flags, i0, i1)
    speed, source = derived_speeds(t, lat, lon, spd, gap, rules.derived_window_ms)
    along = np.r_[0.0, np.cumsum(leg_lengths_m(lat, lon))] if t.shape[0] else np.zeros(0)
    over = np.flatnonzero(speed > inf.limit_kmh + rules.tolerance_kmh)
    rows = {  # the fixes over the limit, as columns
        "t_ms": t[over].tolist(), "lat": np.round(lat[over], 6).tolist(), "lon": np.round(lon[over], 6).tolist(),
        "speed_kmh": np.round(speed[over], 1).tolist(), "source": [source[i] for i in over],
        "from_zone_start_m": np.round(along[over], 1).tolist(),
    }
    evidence = {
        "zone": inf.zone, "limit_kmh": inf.limit_kmh, "zone_entered": iso(t0), "zone_left": iso(t1),
        "passes_in_zone": [[iso(a), iso(b)] for a, b in inf.pass_times],
        "fixes_in_zone": int(t.shape[0]), "fixes_over_limit": rows, "max_speed_kmh": round(inf.max_speed_kmh, 1),
        "max_at": iso(inf.max_at_ms), "excess_kmh": round(inf.excess_kmh, 1),
        "duration_over_ms": inf.duration_ms, "distance_over_m": round(inf.distance_m, 1),
        "passes": inf.passes, "fz_passed": inf.fz_passed, "rule": inf.rule,
    }
    return SpeedInfringement(**{**inf.__dict__, "evidence": evidence})


def derived_speeds(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, spd: np.ndarray, gap_after: np.ndarray,
                   window_ms: int):
    """Per fix: the device speed when present, else the straight-line speed between the
    fixes within ±window_ms/2 (centred, never across an outage; the nearest leg when none is
    that close) — the kernel's rule, for evidence and pictures.  Returns (km/h, sources)."""
    n = t.shape[0]
    speed = spd.astype(np.float64).copy()
    missing = np.isnan(speed)
    source = np.where(missing, "derived", "device").tolist()
    if n == 0 or not missing.any():
        return speed, source
    half = window_ms // 2
    i = np.flatnonzero(missing)
    hi = np.searchsorted(t, t[i] + half, side="right") - 1
    lo = np.searchsorted(t, t[i] - half, side="left")
    gaps = np.flatnonzero(gap_after)
    if gaps.shape[0]:
        g = np.searchsorted(gaps, i)                      # first outage at or after i
        has = g < gaps.shape[0]
        hi[has] = np.minimum(hi[has], gaps[g[has]])
        before = g - 1                                    # last outage before i: its next fix bounds lo
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
    return speed, source
