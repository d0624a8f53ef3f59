"""Maps for the crew page: the crew's track around each tracking infringement, read from the
stage's roadbook and track file in the event folder (an adapter: it reads files)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from raidcontrol.io.stage_files import find_stage_files
from raidcontrol.rules.rulebook import Rulebook

HALF_WIDTH_M = (
    1500.0  # half the side of the square drawn around an infringement, m (display choice)
)


@lru_cache(maxsize=4)
def _stage_data(roadbook_path: Path, tracks_path: Path, mtime: float, rulebook: Rulebook):
    from raidcontrol.io.openrally import read_roadbook
    from raidcontrol.io.tracks import read_fleet
    from raidcontrol.tracking.rules import TrackingRules

    roadbook = read_roadbook(roadbook_path, TrackingRules.from_rulebook(rulebook))
    return roadbook, read_fleet(tracks_path, sort_by_time=True)


def infringement_map(
    folder: Path,
    rulebook: Rulebook,
    stage: int,
    bib: int,
    evidence: dict[str, Any] | None,
    title: str,
) -> str | None:
    """SVG of the track of ``bib`` around the infringement, or None when there is nothing to draw."""
    from raidcontrol.web.maps import track_map

    if not evidence:
        return None
    files = find_stage_files(folder, stage)
    from raidcontrol.tracking.report import evidence_position

    focus = evidence_position(evidence)
    if files is None or focus is None:
        return None
    roadbook, fleet = _stage_data(files[0], files[1], files[1].stat().st_mtime, rulebook)
    where = [i for i, b in enumerate(fleet.bibs.tolist()) if b == bib]
    if not where:
        return None
    a, b = int(fleet.offsets[where[0]]), int(fleet.offsets[where[0] + 1])
    track = list(zip(fleet.lat[a:b].tolist(), fleet.lon[a:b].tolist()))
    waypoints = [(w.name, w.lat, w.lon, w.clear_m) for w in roadbook.waypoints]
    zones = [(z.name, z.start.lat, z.start.lon, z.end.lat, z.end.lon) for z in roadbook.zones]
    return track_map(track, waypoints, zones, focus, HALF_WIDTH_M, title)
