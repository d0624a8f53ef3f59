"""Resumed re-checks equal full ones: after every batch — random batch sizes, fixes arriving in
time order with random ones late (within the resume lag or far beyond it), bursts resent —
each crew re-checked from its resume point has exactly the report the batch check gives on all
its fixes (every field, floats bit for bit), whatever the lag, the first passage buffer and the
size under which crews are checked on all their fixes in one batched call instead."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.rules import load_rulebook
from raidcontrol.simulation.simulator import simulate_stage
from raidcontrol.tracking.check import check_fleet
from raidcontrol.tracking.live.engine import LiveCheck
from raidcontrol.tracking.live.params import LiveParams
from raidcontrol.tracking.live.resume import Rechecker, resume_point
from raidcontrol.tracking.model import Fleet
from raidcontrol.tracking.rules import TrackingRules

RULEBOOK = load_rulebook("fia-2026")
RULES = TrackingRules.from_rulebook(RULEBOOK)
PARAMS = LiveParams.from_rulebook(RULEBOOK)
MINUTE_MS = 60_000


@functools.cache
def stage(seed: int):
    """A small simulated stage with every kind of fault (outages, spikes, duplicates, swaps)."""
    return simulate_stage(seed=seed, vehicles=5, fixes_per_vehicle=2500, waypoints=6, zones=2)


def sub(fleet: Fleet, idx: np.ndarray) -> Fleet:
    return Fleet.from_columns(
        fleet.bib[idx], fleet.t_ms[idx], fleet.lat[idx], fleet.lon[idx], fleet.speed_kmh[idx]
    )


def local(report):
    """The report with each infringement's ``fix_range`` (internal: indices into the fleet the
    check read, which holds other crews too in a batched call) left out."""
    return replace(report, speeding=[replace(s, fix_range=(0, 0)) for s in report.speeding])


def arrival(rng: np.random.Generator, fleet: Fleet, late_share: float, late_min: int):
    """Time order, with a share of the fixes late by up to ``late_min`` minutes."""
    late = rng.random(len(fleet)) < late_share
    delay = np.where(late, rng.integers(0, late_min * MINUTE_MS + 1, len(fleet)), 0)
    return np.argsort(fleet.t_ms + delay, kind="stable")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(1, 3),
    order_seed=st.integers(0, 2**31),
    sizes=st.lists(st.integers(1, 600), min_size=1, max_size=5),
    late_share=st.sampled_from([0.0, 0.002, 0.05]),
    late_min=st.sampled_from([1, 30]),
    lag_ms=st.sampled_from([0, 5_000, 120_000]),
    first_cap=st.sampled_from([1, 64, 4096]),
    batch_below=st.sampled_from([0, 400, 2000]),
    resend=st.booleans(),
)
def test_resumed_recheck_equals_full_after_every_batch(
    seed, order_seed, sizes, late_share, late_min, lag_ms, first_cap, batch_below, resend
):
    sim = stage(seed)
    fleet, rng = sim.recorded, np.random.default_rng(order_seed)
    order = arrival(rng, fleet, late_share, late_min)
    live = LiveCheck(sim.roadbook, RULES, PARAMS)
    live.rechecker = Rechecker(sim.roadbook, RULES, lag_ms, first_cap, batch_below)
    at, k = 0, 0
    while at < order.shape[0]:
        size = sizes[k % len(sizes)]
        idx = order[at : at + size]
        if resend and at:
            idx = np.concatenate([idx, order[rng.integers(0, at, 20)]])
        adv = live.add(sub(fleet, idx))
        for bib in adv.changed:  # each crew alone: its zones' fix_range index its own fixes
            full = check_fleet(sim.roadbook, live.fleet([bib]), RULES).crews[bib]
            assert local(live.reports[bib]) == local(full), f"bib {bib} after {at} fixes"
        at, k = at + size, k + 1


def test_fixes_in_time_order_resume_and_late_ones_restart():
    """The resumed path is the one taken (the test above is not a full re-check in disguise):
    in time order no crew starts again; a fix older than a resume point does."""
    sim = stage(1)
    fleet = sim.recorded
    order = np.argsort(fleet.t_ms, kind="stable")
    live = LiveCheck(sim.roadbook, RULES, PARAMS)
    live.rechecker = Rechecker(sim.roadbook, RULES, batch_below=0)  # every crew resumed
    for part in np.array_split(order, 40):
        live.add(sub(fleet, part))
    states = live.rechecker.states
    assert live.rechecker.restarts == 0
    assert all(states[b].i0 > 0 for b in states), {b: states[b].i0 for b in states}
    bib = min(states)
    crew = live.crews[bib]
    i0 = states[bib].i0
    old = int(crew.t_ms[i0]) - 500  # between two held fixes, before the resume point
    assert old not in set(crew.t_ms.tolist())
    lat, lon = float(crew.lat[i0]), float(crew.lon[i0])
    live.add(Fleet.from_columns(*(np.array([v]) for v in (bib, old, lat, lon, np.nan))))
    assert live.rechecker.restarts == 1
    full = check_fleet(sim.roadbook, live.fleet([bib]), RULES)
    assert live.reports[bib] == full.crews[bib]


def test_resume_point_lags_and_keeps_two_fixes_after_it():
    t = np.arange(0, 600_000, 1000, dtype=np.int64)  # 10 min at 1 Hz
    assert resume_point(t, 0, 120_000) == int(np.searchsorted(t, t[-1] - 120_000, "right")) - 1
    assert resume_point(t, 0, 0) == t.shape[0] - 3  # the flags of a fix depend on the two after it
    assert resume_point(t, 590, 120_000) == 590  # never backwards
    assert resume_point(t[:2], 0, 0) == 0
