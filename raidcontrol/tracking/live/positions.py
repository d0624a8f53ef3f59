"""Live positions and the virtual live ranking (pure).

For each crew, as of ``now_ms − delay_ms`` (the public delay, ``tracking.live.public_delay``):

==============  =======  ====================================================================
column          type     meaning
==============  =======  ====================================================================
rank            int      virtual rank: furthest waypoint validated first, then the shortest
                         running time there (None: no waypoint validated yet)
bib             int      the crew's race number
last_wp         str      the last (furthest in roadbook order) waypoint validated ("" none)
last_wp_index   int      its 1-based position among the roadbook's waypoints (0: none)
at_wp_ms        int      when it was validated (epoch ms, UTC; None: none)
running_ms      int      running time there: at_wp_ms − the crew's start (ms; None: start unknown)
gap_ms          int      running time behind the best crew at the same waypoint (ms)
km              float    km on the special of the latest position (km, see :mod:`.route_km`)
t_ms            int      time of the latest position shown (epoch ms, UTC)
lat, lon        float    the latest position (WGS84 degrees)
==============  =======  ====================================================================

Only fixes and validations at or before the cut are used, so a delayed feed reveals nothing
newer; known GPS spikes are never shown as a position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raidcontrol.tracking.live.fixes import CrewFixes
from raidcontrol.tracking.live.route_km import M_PER_KM, RouteKm
from raidcontrol.tracking.model import Roadbook
from raidcontrol.tracking.report import CrewReport

POSITION_HEADER = ["rank", "bib", "last_wp", "running", "gap", "km", "at", "lat", "lon"]


@dataclass(frozen=True)
class Position:
    bib: int
    t_ms: int
    lat: float
    lon: float
    km: float
    last_wp: str = ""
    last_wp_index: int = 0
    at_wp_ms: int | None = None
    running_ms: int | None = None
    gap_ms: int | None = None
    rank: int | None = None


def _crew_position(
    fixes: CrewFixes,
    report: CrewReport | None,
    cut_ms: int,
    route: RouteKm,
    index_of: dict[str, int],
    start_ms: int | None,
) -> Position | None:
    spikes = {s.t_ms for s in report.spikes} if report else set()
    i = int(np.searchsorted(fixes.t_ms, cut_ms, side="right")) - 1
    while i >= 0 and int(fixes.t_ms[i]) in spikes:
        i -= 1
    if i < 0:
        return None
    lat, lon = float(fixes.lat[i]), float(fixes.lon[i])
    km = float(route.project(np.array([lat]), np.array([lon]))[0]) / M_PER_KM
    best: tuple[int, str, int] | None = None
    if report:
        for name, t in zip(report.validated, report.validated_t_ms):
            if t <= cut_ms and (best is None or index_of[name] > best[0]):
                best = (index_of[name], name, int(t))
    if best is None:
        return Position(fixes.bib, int(fixes.t_ms[i]), lat, lon, km)
    running = best[2] - start_ms if start_ms is not None else None
    return Position(fixes.bib, int(fixes.t_ms[i]), lat, lon, km, best[1], best[0], best[2], running)


def positions(
    crews: dict[int, CrewFixes],
    reports: dict[int, CrewReport],
    roadbook: Roadbook,
    route: RouteKm,
    now_ms: int,
    delay_ms: int = 0,
    starts: dict[int, int] | None = None,
) -> list[Position]:
    """Every crew's position as of ``now_ms − delay_ms``, in virtual-ranking order (crews with no
    waypoint yet last, by km).  ``starts``: each crew's start (epoch ms), for running times."""
    cut = now_ms - delay_ms
    index_of = {wp.name: k + 1 for k, wp in enumerate(roadbook.waypoints)}
    starts = starts or {}
    found = [
        p
        for bib, f in crews.items()
        if (p := _crew_position(f, reports.get(bib), cut, route, index_of, starts.get(bib)))
        is not None
    ]

    def key(p: Position) -> tuple[int, int, float, int]:
        measure = p.running_ms if p.running_ms is not None else p.at_wp_ms
        return (-p.last_wp_index, measure if measure is not None else 0, -p.km, p.bib)

    found.sort(key=key)
    out: list[Position] = []
    best_at: dict[int, int] = {}
    for p in found:
        if not p.last_wp_index:
            out.append(p)
            continue
        rank = sum(1 for q in out if q.rank is not None) + 1
        gap = None
        if p.running_ms is not None:
            best_at.setdefault(p.last_wp_index, p.running_ms)
            gap = p.running_ms - best_at[p.last_wp_index]
        out.append(
            Position(
                p.bib,
                p.t_ms,
                p.lat,
                p.lon,
                p.km,
                p.last_wp,
                p.last_wp_index,
                p.at_wp_ms,
                p.running_ms,
                gap,
                rank,
            )
        )
    return out


def position_rows(found: list[Position]) -> list[list[object]]:
    """Rows under :data:`POSITION_HEADER` (times as H:MM:SS and ISO 8601, km to 0.01)."""
    from raidcontrol.core.timefmt import format_duration
    from raidcontrol.tracking.report import iso

    return [
        [
            p.rank if p.rank is not None else "",
            p.bib,
            p.last_wp,
            format_duration(p.running_ms) if p.running_ms is not None else "",
            ("+" + format_duration(p.gap_ms)) if p.gap_ms else "",
            round(p.km, 2),
            iso(p.t_ms),
            round(p.lat, 6),
            round(p.lon, 6),
        ]
        for p in found
    ]
