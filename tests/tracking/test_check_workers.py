"""Several workers check (and sort) a fleet exactly as one does: crews are independent, and the
report keeps the fleet's crew order."""

from __future__ import annotations

import numpy as np
import pytest

from raidcontrol.rules import load_rulebook
from raidcontrol.simulation.simulator import simulate_stage
from raidcontrol.tracking import check as check_mod
from raidcontrol.tracking.check import check_fleet, sort_fleet_in_place
from raidcontrol.tracking.model import Fleet
from raidcontrol.tracking.rules import TrackingRules

RULES = TrackingRules.from_rulebook(load_rulebook("fia-2026"))


@pytest.fixture(scope="module")
def stage():
    return simulate_stage(
        seed=1, vehicles=9, fixes_per_vehicle=3000, waypoints=8, zones=3, rules=RULES
    )


def _copy(fleet: Fleet) -> Fleet:
    """A fleet of its own (sorting in place must not touch the stage's)."""
    columns = (fleet.bib, fleet.t_ms, fleet.lat, fleet.lon, fleet.speed_kmh)
    return Fleet.from_columns(*(c.copy() for c in columns))


@pytest.mark.parametrize("batch_fixes", [2_000_000, 4000, 1])
@pytest.mark.parametrize("workers", [2, 3, 16])
def test_workers_give_the_report_of_one(stage, monkeypatch, workers, batch_fixes):
    monkeypatch.setattr(check_mod, "BATCH_FIXES", batch_fixes)
    one = check_fleet(stage.roadbook, stage.recorded, RULES)  # unsorted: sorted in batches
    many = check_fleet(stage.roadbook, stage.recorded, RULES, workers=workers)
    assert many.to_dict() == one.to_dict() and list(many.crews) == list(one.crews)
    assert any(c.missed or c.speeding for c in one.crews.values())


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_sort_as_one(stage, workers):
    one, many = _copy(stage.recorded), _copy(stage.recorded)
    sort_fleet_in_place(one)
    sort_fleet_in_place(many, workers)
    assert one.reordered is not None and one.reordered.sum() > 0
    for name in ("t_ms", "lat", "lon", "reordered"):
        assert np.array_equal(getattr(many, name), getattr(one, name)), name
    assert np.array_equal(many.speed_kmh, one.speed_kmh, equal_nan=True)
    assert check_fleet(stage.roadbook, many, RULES, workers=workers).to_dict() == (
        check_fleet(stage.roadbook, one, RULES).to_dict()
    )


@pytest.mark.parametrize("margin_m", [None, 0.0, 1.0, 50.0, 500.0, 5000.0])
def test_targets_made_for_other_crews_give_the_same_report(stage, margin_m):
    """``stage_targets`` made for the first crews serve for the others (the check while reading
    makes them once): the grid's margin decides which legs it prunes, never the report."""
    from dataclasses import replace

    from raidcontrol.tracking.check import stage_targets
    from raidcontrol.tracking.grid import build_grid

    fleet = stage.recorded
    split = int(fleet.offsets[2])
    first = Fleet.from_columns(*(c[:split] for c in _columns(fleet)))
    rest = Fleet.from_columns(*(c[split:] for c in _columns(fleet)))
    targets = stage_targets(stage.roadbook, first)
    if margin_m is not None:  # any margin, even none at all (every leg tested against all)
        tg = targets.targets
        targets = replace(targets, grid=build_grid(tg.lat, tg.lon, tg.radius, margin_m))
    shared = check_fleet(stage.roadbook, rest, RULES, targets=targets)
    own = check_fleet(stage.roadbook, rest, RULES)
    assert shared.to_dict() == own.to_dict()
    assert any(c.missed or c.speeding for c in own.crews.values())


def _columns(fleet: Fleet) -> tuple:
    return (fleet.bib, fleet.t_ms, fleet.lat, fleet.lon, fleet.speed_kmh)
