"""The ground truth of a simulated stage: what a perfect check must find, crew by crew.

The truth is not the plan ("this crew should miss WP7") but a measurement of the
noise-free track the crew actually drove: a waypoint is validated when the noise-free
track (spikes left out, segments joined except across an outage) comes within its
validation radius.  The simulator keeps every such distance at least
``faults.clearance_m`` inside or outside the radius, so GPS noise cannot flip an
answer; :class:`SimulationError` is raised if it ever could.  A zone's excess is the
crew's true maximum speed between the DZ and the FZ minus the limit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from raidcontrol.core.timefmt import Instant
from raidcontrol.simulation.context import StageContext
from raidcontrol.simulation.crew import CrewTrack
from raidcontrol.simulation.drive import nearest_approach
from raidcontrol.simulation.geo import local_metres
from raidcontrol.tracking.model import Roadbook


class SimulationError(AssertionError):
    """The simulator produced a case whose truth would be ambiguous (a bug, never bad input)."""


@dataclass(frozen=True)
class MissedWaypoint:
    """name, type; reason: ``detour`` (left the route), ``retired`` (broke down before it) or
    ``not reached`` (out of fixes before it); distance_m: the noise-free track's closest approach."""

    name: str
    type: str
    reason: str
    distance_m: float


@dataclass(frozen=True)
class ZoneExcess:
    """zone: its name; limit_kmh; max_speed_kmh: true maximum in the zone; excess_kmh =
    max − limit; start_ms / end_ms: first and last fix above the limit (epoch ms)."""

    zone: str
    limit_kmh: float
    max_speed_kmh: float
    excess_kmh: float
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class CrewTruth:
    """What a perfect check finds for one crew, and which faults were injected.

    validated / missed: waypoints; speeding: zones with an excess; clean_zones: zones
    fully driven within the limit; incomplete_zones: zones entered but not left before
    the track ends; outages: (last fix before, first fix after) epoch ms, longer than the
    rulebook's gap limit; spikes_ms: times of the spike fixes; duplicates / swapped: fixes
    sent twice / swapped with their successor in the recorded file; sparse_at: the
    waypoint validated only by a segment (no fix inside its radius); device_speed: the
    tracker reports speed; retired_km: where the crew broke down; finished: reached the ASS;
    start_ms / finish_ms: when it left the DSS and reached the ASS (epoch ms; None: did not).
    """

    bib: int
    category: str
    device_speed: bool
    validated: tuple[str, ...]
    missed: tuple[MissedWaypoint, ...]
    speeding: tuple[ZoneExcess, ...]
    clean_zones: tuple[str, ...]
    incomplete_zones: tuple[str, ...]
    outages: tuple[tuple[int, int], ...]
    spikes_ms: tuple[int, ...]
    duplicates: int
    swapped: int
    sparse_at: str | None
    retired_km: float | None
    finished: bool
    start_ms: int = 0
    finish_ms: int | None = None

    @property
    def clean(self) -> bool:
        """No infringement at all: every waypoint validated, no excess."""
        return not self.missed and not self.speeding


@dataclass(frozen=True)
class StageTruth:
    """The truth of a whole simulated stage."""

    seed: int
    rulebook: str
    special_km: float
    crews: dict[int, CrewTruth]

    def to_json(self) -> dict:
        """A JSON-able dict; instants appear both as epoch ms and as ISO 8601 text."""

        def iso(ms: int) -> str:
            return str(Instant(int(ms), "utc"))

        crews = {}
        for bib, crew in self.crews.items():
            d = asdict(crew)
            d["speeding"] = [
                dict(z, start=iso(z["start_ms"]), end=iso(z["end_ms"])) for z in d["speeding"]
            ]
            d["outages"] = [
                {"start_ms": a, "end_ms": b, "start": iso(a), "end": iso(b)}
                for a, b in crew.outages
            ]
            d["spikes"] = [iso(t) for t in crew.spikes_ms]
            crews[str(bib)] = d
        return {
            "seed": self.seed,
            "rulebook": self.rulebook,
            "special_km": round(self.special_km, 3),
            "crews": crews,
        }


def crew_truth(track: CrewTrack, ctx: StageContext, roadbook: Roadbook) -> CrewTruth:
    """Measure one crew's noise-free track against the roadbook."""
    layout, rules, profile = ctx.layout, ctx.rules, ctx.profile
    plan = track.plan
    clearance = float(profile.value("faults.clearance_m"))
    solid = ~track.spike
    s, t_ms = track.s_m[solid], track.t_ms[solid]
    tlat, tlon = track.true_lat[solid], track.true_lon[solid]
    validated, missed = [], []
    reach = float(track.s_m.max())
    for i, wp in enumerate(roadbook.waypoints):
        centre, half = layout.wp_s[i], layout.wp_half_window_m[i] + layout.slot_m / 2
        near = (s > centre - half) & (s < centre + half)
        d = np.inf
        if near.any():
            x, y = local_metres(tlat[near], tlon[near], wp.lat, wp.lon)
            d = float(nearest_approach(x, y, t_ms[near], rules.max_gap_ms))
        if abs(d - wp.clear_m) < clearance:
            raise SimulationError(
                f"bib {plan.bib}, {wp.name}: the track passes {d:.1f} m from the waypoint, "
                f"within {clearance} m of its {wp.clear_m} m radius"
            )
        if d <= wp.clear_m:
            if plan.detour_wp == i and (plan.retire_m is None or plan.retire_m > centre):
                raise SimulationError(
                    f"bib {plan.bib}: the detour past {wp.name} validated it ({d:.1f} m)"
                )
            validated.append(wp.name)
            continue
        if plan.retire_m is not None and plan.retire_m < centre:
            reason = "retired"
        elif plan.detour_wp == i:
            reason = "detour"
        elif reach < centre:
            reason = "not reached"
        else:
            raise SimulationError(
                f"bib {plan.bib}: {wp.name} missed ({d:.1f} m) for no planned reason"
            )
        missed.append(MissedWaypoint(wp.name, wp.type, reason, round(d, 1)))
    before = float(profile.value("zones.brake_before_m"))
    speeding, clean, incomplete = [], [], []
    for z, zone in enumerate(roadbook.zones):
        a, b = layout.zone_s[z]
        inside = (track.s_m >= a) & (track.s_m <= b)
        if not inside.any():
            continue
        if reach < b + before:
            incomplete.append(zone.name)
            continue
        top = float(track.true_kmh[inside].max())
        if top <= zone.limit_kmh:
            clean.append(zone.name)
            continue
        over = np.flatnonzero(inside & (track.true_kmh > zone.limit_kmh))
        speeding.append(
            ZoneExcess(
                zone.name,
                zone.limit_kmh,
                round(top, 2),
                round(top - zone.limit_kmh, 2),
                int(track.t_ms[over[0]]),
                int(track.t_ms[over[-1]]),
            )
        )
    categories = profile.value("vehicles.categories")
    return CrewTruth(
        bib=plan.bib,
        category=str(categories[plan.category]),
        device_speed=plan.device_speed,
        validated=tuple(validated),
        missed=tuple(missed),
        speeding=tuple(speeding),
        clean_zones=tuple(clean),
        incomplete_zones=tuple(incomplete),
        outages=tuple(track.outages),
        spikes_ms=tuple(int(t) for t in track.t_ms[track.spike]),
        duplicates=track.duplicated,
        swapped=track.swapped,
        sparse_at=roadbook.waypoints[track.sparse_wp].name if track.sparse_wp is not None else None,
        retired_km=round(plan.retire_m / 1000.0, 3) if plan.retire_m is not None else None,
        finished=reach >= layout.special_m,
        start_ms=plan.start_ms,
        finish_ms=_passage_ms(track, layout.special_m),
    )


def _passage_ms(track: CrewTrack, s: float) -> int | None:
    """When the noise-free track first reaches ``s`` metres along the route (None: never)."""
    k = int(np.searchsorted(track.s_m, s))
    if k >= track.s_m.size:
        return None
    if k == 0:
        return int(track.t_ms[0])
    s0, s1 = track.s_m[k - 1], track.s_m[k]
    t0, t1 = track.t_ms[k - 1], track.t_ms[k]
    return round(t0 + (t1 - t0) * (s - s0) / (s1 - s0))
