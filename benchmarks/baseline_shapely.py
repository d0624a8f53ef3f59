"""The conventional baseline: the tracking check written the way a user would write it
today with shapely (GEOS), crew by crew.

Per crew:

1. sort the fixes by time and drop repeated instants (numpy);
2. drop single-fix spikes: a fix whose legs to both neighbours imply a speed over the
   rulebook's spike limit (numpy);
3. project to local metres (equirectangular about the DSS) and build a ``LineString``,
   split into a ``MultiLineString`` at every tracker outage (gap over the rulebook's limit),
   prepared (``shapely.prepare``);
4. waypoints: ``shapely.intersects(track, buffers)`` against a buffer (disc) of each
   waypoint's clear radius, built once per roadbook — faster in GEOS than ``dwithin`` to
   the points, which gives the same answers;
5. zones: the DZ and FZ passages by projection (``shapely.line_locate_point``, the distance
   along the track of the closest approach), mapped back to fixes by cumulative
   distance; the speed in between is the device speed, or the distance driven over the
   rulebook's derived-speed window; the maximum excess gives the rulebook's penalty band.

It applies the same rules as the engine (radii, gap limit, spike limit, bands), without
the ascending-order rule and the evidence; its answers are compared with the
truth in the benchmark so that the comparison of speed is between two checks that
find the same things.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from raidcontrol.tracking.model import Fleet, Roadbook
from raidcontrol.tracking.rules import TrackingRules

KMH_PER_MS = 3.6
M_PER_DEG = 111_195.08  # metres per degree on the IUGG mean sphere (6371008.8 m × π / 180)


def _xy(
    lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float
) -> tuple[np.ndarray, np.ndarray]:
    return (lon - lon0) * M_PER_DEG * np.cos(np.radians(lat0)), (lat - lat0) * M_PER_DEG


@dataclass
class Targets:
    """The roadbook as shapely geometries, in local metres about the DSS: a buffer (disc)
    of each waypoint's validation radius, and the DZ and FZ points of each zone in turn."""

    lat0: float
    lon0: float
    waypoint_buffers: np.ndarray
    gates: np.ndarray


def targets_of(roadbook: Roadbook) -> Targets:
    lat0, lon0 = roadbook.dss.lat, roadbook.dss.lon
    wps = roadbook.waypoints
    points = shapely.points(
        np.column_stack(
            _xy(np.array([w.lat for w in wps]), np.array([w.lon for w in wps]), lat0, lon0)
        )
    )
    buffers = shapely.buffer(points, np.array([w.clear_m for w in wps]))
    gate_wps = [w for z in roadbook.zones for w in (z.start, z.end)]
    gates = (
        shapely.points(
            np.column_stack(
                _xy(
                    np.array([w.lat for w in gate_wps]),
                    np.array([w.lon for w in gate_wps]),
                    lat0,
                    lon0,
                )
            )
        )
        if gate_wps
        else np.empty(0, object)
    )
    return Targets(lat0, lon0, buffers, gates)


def check_crew(
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    speed: np.ndarray,
    roadbook: Roadbook,
    rules: TrackingRules,
    targets: Targets,
) -> dict:
    """One crew: {"validated": [...], "missed": [...], "speeding": {zone: excess_kmh}, "penalty_ms": int}."""
    lat0, lon0 = targets.lat0, targets.lon0
    order = np.argsort(t, kind="stable")
    t, lat, lon, speed = t[order], lat[order], lon[order], speed[order]
    first = np.r_[True, np.diff(t) > 0]
    t, lat, lon, speed = t[first], lat[first], lon[first], speed[first]
    x, y = _xy(lat, lon, lat0, lon0)
    leg = (
        np.hypot(np.diff(x), np.diff(y)) / (np.diff(t) / 1000.0) * KMH_PER_MS
    )  # implied speed of each leg
    fast = leg > rules.spike_speed_kmh
    spike = np.r_[False, fast[:-1] & fast[1:], False]  # both legs of a fix impossible: a spike
    keep = ~spike
    t, x, y, speed = t[keep], x[keep], y[keep], speed[keep]
    cuts = np.flatnonzero(np.diff(t) > rules.max_gap_ms) + 1
    pieces = [np.column_stack((xs, ys)) for xs, ys in zip(np.split(x, cuts), np.split(y, cuts))]
    track = shapely.MultiLineString([p for p in pieces if len(p) > 1])
    shapely.prepare(track)
    hit = shapely.intersects(track, targets.waypoint_buffers)
    validated = [w.name for w, h in zip(roadbook.waypoints, hit) if h]
    missed = [w.name for w, h in zip(roadbook.waypoints, hit) if not h]
    penalty = sum(rules.missed_penalty_ms[w.type] for w, h in zip(roadbook.waypoints, hit) if not h)
    line = shapely.LineString(np.column_stack((x, y)))
    along = np.r_[0.0, np.cumsum(np.hypot(np.diff(x), np.diff(y)))]
    back = np.maximum(np.searchsorted(t, t - rules.derived_window_ms, side="right") - 1, 0)
    span = (t - t[back]) / 1000.0
    derived = (
        np.where(span > 0, (along - along[back]) / np.where(span > 0, span, 1.0), 0.0) * KMH_PER_MS
    )
    spd = np.where(np.isnan(speed), derived, speed)
    near = shapely.distance(line, targets.gates) <= rules.zone_detect_m
    passage = np.searchsorted(along, shapely.line_locate_point(line, targets.gates))
    speeding = {}
    for z, zone in enumerate(roadbook.zones):
        if not (near[2 * z] and near[2 * z + 1]):
            continue
        a, b = passage[2 * z], passage[2 * z + 1]
        if b <= a:
            continue
        top = float(spd[a : b + 1].max())
        if top - zone.limit_kmh > rules.tolerance_kmh:
            speeding[zone.name] = top - zone.limit_kmh
            penalty += rules.speeding_penalty_ms(top - zone.limit_kmh)
    return {"validated": validated, "missed": missed, "speeding": speeding, "penalty_ms": penalty}


def check_fleet_shapely(
    roadbook: Roadbook, fleet: Fleet, rules: TrackingRules, crews: int | None = None, progress=None
) -> dict[int, dict]:
    """The baseline over the first ``crews`` crews of the fleet (all when None)."""
    out = {}
    targets = targets_of(roadbook)
    n = len(fleet.bibs) if crews is None else min(crews, len(fleet.bibs))
    for c in range(n):
        sl = slice(fleet.offsets[c], fleet.offsets[c + 1])
        out[int(fleet.bibs[c])] = check_crew(
            fleet.t_ms[sl],
            fleet.lat[sl],
            fleet.lon[sl],
            fleet.speed_kmh[sl],
            roadbook,
            rules,
            targets,
        )
        if progress:
            progress(c + 1, n)
    return out
