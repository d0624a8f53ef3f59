"""Simulated tracks for a season's rounds, written straight into the archive (demo, tests, benchmark).

Each stage is drawn by the rally simulator (:mod:`raidcontrol.simulation`) with a seed made from
the season's seed, the round and the stage, so the same call writes the same archive.  The
simulator numbers its crews 1…n; they take the given bibs in order (a round's entries).
Crews are simulated and written a batch at a time (bounded memory), as the trackers delivered
them (duplicates, swapped fixes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from raidcontrol.archive.layout import Archive
from raidcontrol.archive.writing import StageWriter
from raidcontrol.tracking.model import Fleet
from raidcontrol.tracking.rules import TrackingRules

BATCH_FIXES = 1_000_000  # fixes simulated and written per batch
SEED_ROUND, SEED_STAGE = 1000, 100  # seed = season seed × SEED_ROUND … distinct per (round, stage)


@dataclass(frozen=True)
class StageShape:
    """What each simulated stage looks like: fixes per crew, waypoints and speed zones."""

    fixes: int = 3000
    waypoints: int = 8
    zones: int = 3


def stage_seed(seed: int, rnd: int, stage: int) -> int:
    return seed * SEED_ROUND * SEED_STAGE + rnd * SEED_STAGE + stage


def simulate_stage_into(
    archive: Archive,
    rnd: int,
    stage: int,
    bibs: Sequence[int],
    rules: TrackingRules,
    shape: StageShape,
    seed: int,
    profile=None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Simulate one stage for ``bibs`` and write its roadbook and fixes; returns the fixes written."""
    from raidcontrol.io.openrally_writer import write_roadbook
    from raidcontrol.simulation.simulator import fleet_of, plan_stage

    bib_of = np.asarray(sorted(bibs), np.int32)
    s = stage_seed(seed, rnd, stage)
    plan = plan_stage(
        seed=s,
        vehicles=len(bib_of),
        fixes_per_vehicle=shape.fixes,
        waypoints=shape.waypoints,
        zones=shape.zones,
        rules=rules,
        profile=profile,
    )
    layout = plan.context.layout
    implicit = {name for name, imp in zip(layout.wp_name, layout.wp_implicit) if imp}
    batch = max(1, BATCH_FIXES // shape.fixes)
    with StageWriter(archive, rnd, stage) as writer:
        for first in range(0, len(plan.crews), batch):
            tracks = [track for track, _truth in plan.tracks(first, batch)]
            fleet = fleet_of(tracks, recorded=True)
            writer.write(
                Fleet(bib_of[fleet.bib - 1], fleet.t_ms, fleet.lat, fleet.lon, fleet.speed_kmh)
            )
            if progress is not None:
                progress(len(tracks))
    write_roadbook(
        plan.roadbook,
        archive.roadbook_path(rnd, stage),
        name=f"Simulated round {rnd} stage {stage} (seed {s})",
        implicit_radius=implicit,
    )
    return writer.fixes
