"""Which findings of a partial check are provable yet (pure).

While a crew is on the special its check runs on the fixes received so far; a finding is
published only once no later fix of the crew's forward progress can undo it:

* a **missed waypoint** once the crew validated a later waypoint, or is past the next
  waypoint's km (the ASS's for the last one) plus the margin, or has finished;
* a **speeding infringement** once the crew is past the zone's FZ km plus the margin (or
  validated a waypoint beyond it), or has finished;
* **did not finish** (under the minimum share) once the provably missed waypoints leave too
  few to reach the share.

"Finished" means past the ASS, or the stage closed (no more fixes will come).  A crew that
drives back to a waypoint, or a late fix from before an outage, can still change a published
finding: the proposal is then revised, never silently changed.  When the stage is closed every
finding is provable, so the final findings are exactly the batch check's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from raidcontrol.tracking.live.route_km import RouteKm
from raidcontrol.tracking.model import Roadbook
from raidcontrol.tracking.report import CrewReport

NO_PROGRESS = -np.inf


@dataclass(frozen=True)
class Thresholds:
    """Per roadbook item, the km (metres) a crew must pass for its finding to be provable.

    missed_m[k]: for waypoint k (0-based); zone_m[z]: for zone z; wp_km_m[k]: waypoint k's km;
    ass_m: the ASS's km (None: the roadbook has no ASS)."""

    missed_m: tuple[float, ...]
    zone_m: tuple[float, ...]
    wp_km_m: tuple[float, ...]
    ass_m: float | None

    @classmethod
    def of(cls, roadbook: Roadbook, route: RouteKm, margin_m: float) -> Thresholds:
        wp_km = [route.point_km(wp) for wp in roadbook.waypoints]
        ass = route.point_km(roadbook.ass) if roadbook.ass is not None else None
        missed = []
        for k, km in enumerate(wp_km):
            nxt = wp_km[k + 1] if k + 1 < len(wp_km) else (ass if ass is not None else km)
            missed.append(max(nxt, km) + margin_m)
        zones = tuple(route.point_km(z.end) + margin_m for z in roadbook.zones)
        return cls(tuple(missed), zones, tuple(wp_km), ass)


def last_two(t_ms: np.ndarray, spikes_ms: set[int]) -> list[int]:
    """The indices of a crew's last two fixes that are not known spikes (fewer when it has fewer)."""
    picked: list[int] = []
    i = t_ms.shape[0] - 1
    while i >= 0 and len(picked) < 2:
        if not spikes_ms or int(t_ms[i]) not in spikes_ms:
            picked.append(i)
        i -= 1
    return picked


def progress_m(route: RouteKm, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """How far along the special crews provably are (metres), given each crew's last two fixes
    that are not known spikes (``lat``/``lon`` of shape (crews, 2)): the lesser km of the two — a
    spike at the very end (not yet recognisable: it needs the fix after it) cannot push a crew
    forward on its own."""
    if lat.shape[0] == 0:
        return np.empty(0)
    lesser: np.ndarray = route.project(lat.ravel(), lon.ravel()).reshape(-1, 2).min(axis=1)
    return lesser


def finished(th: Thresholds, progress: float, closed: bool) -> bool:
    """Past the ASS, or the stage closed."""
    return closed or (th.ass_m is not None and progress >= th.ass_m)


def provable_view(
    crew: CrewReport, th: Thresholds, progress: float, closed: bool, min_share: float
) -> CrewReport:
    """The crew's report with only the findings provable now (the report itself when closed)."""
    if closed:
        return crew
    done = finished(th, progress, closed)
    missed_idx = {m.index for m in crew.missed}
    n_wp = len(th.wp_km_m)
    validated_idx = [k for k in range(1, n_wp + 1) if k not in missed_idx]
    last_validated = max(validated_idx, default=0)
    furthest_km = max((th.wp_km_m[k - 1] for k in validated_idx), default=NO_PROGRESS)
    missed = [
        m
        for m in crew.missed
        if done or m.index < last_validated or progress > th.missed_m[m.index - 1]
    ]
    speeding = [
        s
        for s in crew.speeding
        if done or progress > th.zone_m[s.index - 1] or furthest_km > th.zone_m[s.index - 1]
    ]
    dnf = crew.did_not_finish and n_wp > 0 and (n_wp - len(missed)) / n_wp < min_share
    return replace(crew, missed=missed, speeding=speeding, did_not_finish=dnf)
