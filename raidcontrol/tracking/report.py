"""What the tracking check finds, per crew, with the evidence behind each finding (pure data).

Units: times in epoch milliseconds (UTC), durations in ms, distances in metres, speeds in
km/h, coordinates in WGS84 degrees.  ``to_dict`` gives the JSON form (times as ISO 8601,
penalties and durations as ``H:MM:SS``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from raidcontrol.core.timefmt import Instant, format_duration
from raidcontrol.tracking.model import Roadbook
from raidcontrol.tracking.rules import TrackingRules


def evidence_position(evidence: dict[str, Any]) -> tuple[float, float] | None:
    """Where an infringement's evidence (as ``to_dict`` writes it) places it: its own position
    (a missed waypoint's), else the first fix it lists (speeding); None when it has neither."""
    if "lat" in evidence and "lon" in evidence:
        return float(evidence["lat"]), float(evidence["lon"])
    for key in ("fixes", "over_limit"):
        fixes = evidence.get(key)
        if isinstance(fixes, list) and fixes and isinstance(fixes[0], dict) and "lat" in fixes[0]:
            return float(fixes[0]["lat"]), float(fixes[0]["lon"])
    return None


def iso(ms: int | None) -> str | None:
    """Epoch milliseconds → ISO 8601 UTC (``2026-01-05T08:00:01Z``, milliseconds only when not whole)."""
    if ms is None:
        return None
    text = str(Instant(int(ms), "utc"))
    return text.replace(".000Z", "Z")


def _r(x: float | None, digits: int = 1) -> float | None:
    """Rounded for JSON; None for a missing or non-finite value (JSON has no NaN)."""
    return None if x is None or not math.isfinite(x) else round(float(x), digits)


class Validation(NamedTuple):
    """A validated waypoint: its name, type, the time and distance of the closest approach."""

    name: str
    type: str
    t_ms: int
    distance_m: float


@dataclass(frozen=True)
class MissedWaypoint:
    """A waypoint the crew did not validate.

    index: 1-based position among the roadbook's waypoints; clear_m: its radius.
    closest_m / closest_t_ms: the track's closest approach (None: an empty track).
    out_of_order: the crew passed it, but only before a later waypoint it had validated.
    outage: the straight line across a tracker outage passes within the radius (the crew may
    have been there while its tracker was silent — for the stewards to judge).
    """

    name: str
    type: str
    penalty_ms: int
    index: int = 0
    lat: float = 0.0
    lon: float = 0.0
    clear_m: float = 0.0
    closest_m: float | None = None
    closest_t_ms: int | None = None
    out_of_order: bool = False
    outage: bool = False
    rule: str = ""

    @property
    def code(self) -> str:
        return f"missed-wp{self.index}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "penalty": format_duration(self.penalty_ms),
            "clear_m": _r(self.clear_m),
            "closest_m": _r(self.closest_m),
            "closest_at": iso(self.closest_t_ms),
            "out_of_order": self.out_of_order,
            "outage": self.outage,
        }


@dataclass(frozen=True)
class SpeedInfringement:
    """One infringement in one zone: all the crew's excesses between DZ and FZ together.

    max_speed_kmh / excess_kmh: the highest speed in the zone and its excess over the limit.
    start_ms / end_ms: from the first fix over the limit to the end of the last leg over it.
    duration_ms / distance_m: time and distance driven over the limit.
    zone_t0_ms / zone_t1_ms: when the crew entered the zone (first DZ passage) and left it (last end);
    pass_times: (entry, exit) of each pass through the zone (the first eight).
    passes: how many times the crew went through the zone; fz_passed: False when the zone
    was closed at the fix nearest the FZ because the track never came within its radius.
    speed_source: ``device`` or ``derived`` (from the fixes) for the maximum.
    evidence: the fixes over the limit and the zone's summary (JSON-able).
    fix_range: (first, last) index of the zone's fixes in the batch the check read them from
    (internal; pictures find the fixes by time, from zone_t0_ms to zone_t1_ms).
    """

    zone: str
    limit_kmh: float
    max_speed_kmh: float
    excess_kmh: float
    penalty_ms: int
    start_ms: int
    end_ms: int
    duration_ms: int
    distance_m: float
    evidence: dict[str, Any] = field(default_factory=dict)
    index: int = 0
    passes: int = 1
    fz_passed: bool = True
    speed_source: str = "device"
    max_at_ms: int = 0
    fix_range: tuple[int, int] = (0, 0)
    rule: str = ""
    zone_t0_ms: int = 0
    zone_t1_ms: int = 0
    pass_times: tuple[tuple[int, int], ...] = ()

    @property
    def code(self) -> str:
        return f"speeding-z{self.index}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "limit_kmh": _r(self.limit_kmh),
            "max_speed_kmh": _r(self.max_speed_kmh),
            "excess_kmh": _r(self.excess_kmh),
            "penalty": format_duration(self.penalty_ms),
            "start": iso(self.start_ms),
            "end": iso(self.end_ms),
            "duration": format_duration(self.duration_ms),
            "distance_m": _r(self.distance_m),
            "passes": self.passes,
            "fz_passed": self.fz_passed,
            "speed_source": self.speed_source,
        }


@dataclass(frozen=True)
class Gap:
    """A tracker outage: two consecutive kept fixes further apart in time than the limit."""

    start_ms: int
    end_ms: int
    distance_m: float
    start: tuple[float, float]
    end: tuple[float, float]

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": iso(self.start_ms),
            "end": iso(self.end_ms),
            "duration": format_duration(self.duration_ms),
            "distance_m": _r(self.distance_m),
        }


@dataclass(frozen=True)
class Spike:
    """A dropped fix whose implied speed or acceleration no vehicle can reach."""

    t_ms: int
    lat: float
    lon: float
    implied_speed_kmh: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": iso(self.t_ms),
            "lat": round(self.lat, 7),
            "lon": round(self.lon, 7),
            "implied_speed_kmh": _r(self.implied_speed_kmh),
        }


@dataclass
class CrewReport:
    """Everything the check found for one crew.

    validated / validated_types / validated_t_ms / validated_m: the validated waypoints in roadbook
    order, their types, and the time (epoch ms) and distance (m) of the closest approach.
    share: validated waypoints / roadbook waypoints; did_not_finish: share < the rulebook's minimum.
    duplicates: fixes dropped for repeating an instant; reordered: fixes that came out of time order.
    """

    bib: int
    validated: list[str] = field(default_factory=list)
    missed: list[MissedWaypoint] = field(default_factory=list)
    speeding: list[SpeedInfringement] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    spikes: list[Spike] = field(default_factory=list)
    validated_types: list[str] = field(default_factory=list)
    validated_t_ms: list[int] = field(default_factory=list)
    validated_m: list[float] = field(default_factory=list)
    fixes: int = 0
    duplicates: int = 0
    reordered: int = 0
    share: float = 0.0
    did_not_finish: bool = False

    @property
    def validations(self) -> list[Validation]:
        """Each validated waypoint with the time and distance of its closest approach."""
        return [
            Validation(*row)
            for row in zip(
                self.validated, self.validated_types, self.validated_t_ms, self.validated_m
            )
        ]

    @property
    def penalty_total_ms(self) -> int:
        return sum(m.penalty_ms for m in self.missed) + sum(s.penalty_ms for s in self.speeding)

    def to_dict(self) -> dict[str, Any]:
        """The acceptance JSON of one crew, plus extra keys (gaps, spikes, data quality)."""
        return {
            "validated": list(self.validated),
            "missed": [m.to_dict() for m in self.missed],
            "speeding": [s.to_dict() for s in self.speeding],
            "penalty_total": format_duration(self.penalty_total_ms),
            "share_validated": round(self.share, 4),
            "did_not_finish": self.did_not_finish,
            "gaps": [g.to_dict() for g in self.gaps],
            "spikes": [s.to_dict() for s in self.spikes],
            "fixes": self.fixes,
            "duplicates": self.duplicates,
            "reordered": self.reordered,
        }


@dataclass
class FleetReport:
    """The check of a fleet against a roadbook under a rulebook's tracking rules."""

    roadbook: Roadbook
    rules: TrackingRules
    crews: dict[int, CrewReport]
    fixes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"crews": {str(bib): crew.to_dict() for bib, crew in sorted(self.crews.items())}}
