"""Warm the tracking check's compiled kernels: compile them (or load them from numba's cache).

numba compiles each kernel the first time it is called and keeps the machine code in its
on-disk cache (``cache=True``): the first ``track check`` after a fresh install would spend
about 20 s compiling.  :func:`warm_kernels` calls every kernel once on a tiny synthetic stage
— two crews, one with fixes out of order (the check sorts it), one sorted in place as the
readers do, a missed waypoint and a speeding infringement with derived speeds — so that the
compilation happens ahead: ``raidcontrol warmup`` runs it, and ``make setup`` (hence
``make demo`` and ``make test``) runs that at install.  Later processes load the cached code.

Pure: no file is read; the stage is built from the constants below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from raidcontrol.tracking.arrays import F32, F64, I32, I64
    from raidcontrol.tracking.model import Roadbook
    from raidcontrol.tracking.rules import TrackingRules

    FleetColumns = tuple[I32, I64, F64, F64, F32]  # bib, t, lat, lon, device speed

LAT0, LON0 = 24.0, 45.0  # somewhere on a Saudi special (degrees)
STEP_M = 20.0  # metres driven per 1-s fix: 72 km/h
FIXES = 400  # fixes per crew (a 8-km drive)
T0_MS = 1_767_600_000_000  # 2026-01-05T08:00:00Z


def _stage(rules: TrackingRules) -> tuple[Roadbook, FleetColumns]:
    """A roadbook (a waypoint on the road, one 5 km off it, a 50 km/h zone) and two crews' columns."""
    from raidcontrol.tracking.geodesy import from_local_xy
    from raidcontrol.tracking.model import Roadbook, SpeedZone, Waypoint

    def at(east_m: float, north_m: float) -> tuple[float, float]:
        return from_local_xy(east_m, north_m, LAT0, LON0)

    radius = rules.zone_detect_m
    wps = (
        Waypoint("W1", "WPM", *at(1000, 0), clear_m=radius, open_m=radius, index=0),
        Waypoint("W2", "WPM", *at(3000, 5000), clear_m=radius, open_m=radius, index=1),
    )
    zone = SpeedZone(
        "Z1",
        50.0,
        Waypoint("Z1", "DZ", *at(4000, 0), clear_m=radius, index=2),
        Waypoint("FZ1", "FZ", *at(6000, 0), clear_m=radius, index=3),
    )
    east = np.arange(FIXES) * STEP_M
    lat, lon = from_local_xy(east, np.zeros(FIXES), LAT0, LON0)
    t = T0_MS + np.arange(FIXES, dtype=np.int64) * 1000
    swapped = t.copy()
    swapped[[10, 11]] = swapped[[11, 10]]  # out of order: the check sorts this crew
    bib = np.repeat(np.array([1, 2], np.int32), FIXES)
    columns = (
        bib,
        np.r_[t, swapped],
        np.r_[lat, lat],
        np.r_[lon, lon],
        np.full(2 * FIXES, np.nan, np.float32),
    )
    return Roadbook(waypoints=wps, zones=(zone,)), columns


def warm_kernels(rules: TrackingRules | None = None) -> int:
    """Compile or load numba's version of every kernel of the check (and use it in this process,
    even where a version compiled ahead of time exists); returns how many infringements the
    synthetic stage gave (4: each crew misses W2 and speeds in Z1)."""
    from raidcontrol.tracking.check import check_fleet, sort_fleet_in_place
    from raidcontrol.tracking.jit import force_numba
    from raidcontrol.tracking.model import Fleet
    from raidcontrol.tracking.rules import TrackingRules

    if rules is None:
        from raidcontrol.rules import load_rulebook

        rules = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
    force_numba()
    roadbook, columns = _stage(rules)
    found = 0
    for sort_first in (False, True):
        fleet = Fleet.from_columns(*columns)
        if sort_first:
            sort_fleet_in_place(fleet)
        report = check_fleet(roadbook, fleet, rules)
        found += sum(len(c.missed) + len(c.speeding) for c in report.crews.values())
    _warm_live(roadbook, columns, rules)
    return found // 2


def _warm_live(roadbook: Roadbook, columns: FleetColumns, rules: TrackingRules) -> None:
    """The live re-check's kernel (:mod:`raidcontrol.tracking.live.resume`): the first crew's
    fixes in two halves, the second resumed where the first became final."""
    from raidcontrol.tracking.live.fixes import CrewFixes
    from raidcontrol.tracking.live.resume import Rechecker

    _, t, lat, lon, spd = columns
    crew, rechecker = CrewFixes(1), Rechecker(roadbook, rules)
    for part in (slice(0, FIXES // 2), slice(FIXES // 2, FIXES)):
        crew.add(t[part], lat[part], lon[part], spd[part])
        rechecker.reports([crew], [crew.checked()])
