"""Invariants of the tracking check (hypothesis): it agrees with a slow reference geometry,
ignores the order fixes arrive in, and its penalties grow with the excess."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from raidcontrol.rules import load_rulebook
from raidcontrol.tracking.check import check_fleet
from raidcontrol.tracking.geodesy import from_local_xy, segment_distance_m
from raidcontrol.tracking.model import Fleet, Roadbook, Waypoint
from raidcontrol.tracking.rules import TrackingRules

LAT0, LON0 = -23.4, 17.1
T0 = 1_767_600_000_000
FIA = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
FIM = TrackingRules.from_rulebook(load_rulebook("fim-2026"))
ANY_ORDER = dataclasses.replace(FIA, order="any")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

coords = st.floats(-3000.0, 3000.0, allow_nan=False)


@st.composite
def walks(draw):
    """A crew's 1 Hz walk: random headings and speeds (≤ 40 m/s, gentle turns: no spike)."""
    n = draw(st.integers(2, 120))
    speed = np.array(draw(st.lists(st.floats(0.0, 40.0), min_size=n - 1, max_size=n - 1)))
    turn = np.array(draw(st.lists(st.floats(-0.3, 0.3), min_size=n - 1, max_size=n - 1)))
    heading = draw(st.floats(0, 2 * np.pi)) + np.cumsum(turn)
    x = np.r_[draw(coords), 0.0]
    y = np.r_[draw(coords), 0.0]
    xs = x[0] + np.r_[0.0, np.cumsum(speed * np.cos(heading))]
    ys = y[0] + np.r_[0.0, np.cumsum(speed * np.sin(heading))]
    return xs, ys


@st.composite
def roadbooks(draw):
    n = draw(st.integers(1, 6))
    wps = []
    for k in range(n):
        lat, lon = from_local_xy(draw(coords), draw(coords), LAT0, LON0)
        wtype = draw(st.sampled_from(("WPM", "WPS", "WPP", "WPV")))
        wps.append(
            Waypoint(f"W{k + 1}", wtype, float(lat), float(lon), FIA.radii[wtype][1], index=k)
        )
    return Roadbook(tuple(wps), ())


def fleet_of(xs, ys, bib: int = 1) -> Fleet:
    lat, lon = from_local_xy(xs, ys, LAT0, LON0)
    t = T0 + np.arange(xs.shape[0], dtype=np.int64) * 1000
    return Fleet.from_columns(np.full(t.shape[0], bib), t, lat, lon)


@SETTINGS
@given(walks(), roadbooks())
def test_validation_agrees_with_a_reference_point_to_segment_geometry(walk, roadbook):
    xs, ys = walk
    fleet = fleet_of(xs, ys)
    expected = []
    for wp in roadbook.waypoints:
        d = min(
            segment_distance_m(
                wp.lat, wp.lon, fleet.lat[i], fleet.lon[i], fleet.lat[i + 1], fleet.lon[i + 1]
            )
            for i in range(len(fleet) - 1)
        )
        assume(abs(d - wp.clear_m) > 0.01)  # not a hair's breadth from the radius
        if d < wp.clear_m:
            expected.append(wp.name)
    crew = check_fleet(roadbook, fleet, ANY_ORDER).crews[1]
    assert crew.validated == expected
    assert crew.spikes == [] and crew.gaps == []
    assert crew.penalty_total_ms == sum(ANY_ORDER.missed_penalty_ms[m.type] for m in crew.missed)
    for m in crew.missed:  # the reported closest approach is the true one
        wp = roadbook.waypoints[m.index - 1]
        d = min(
            segment_distance_m(
                wp.lat, wp.lon, fleet.lat[i], fleet.lon[i], fleet.lat[i + 1], fleet.lon[i + 1]
            )
            for i in range(len(fleet) - 1)
        )
        assert abs(m.closest_m - d) < 0.01


@SETTINGS
@given(walks(), roadbooks(), st.randoms(use_true_random=False), st.integers(0, 10))
def test_the_order_fixes_arrive_in_and_repeated_fixes_change_nothing(walk, roadbook, rnd, repeats):
    xs, ys = walk
    clean = fleet_of(xs, ys, bib=1)
    order = list(range(len(clean)))
    rnd.shuffle(order)
    order += [rnd.randrange(len(clean)) for _ in range(repeats)]
    idx = np.array(order)
    messy = Fleet.from_columns(
        np.full(idx.shape[0], 2), clean.t_ms[idx], clean.lat[idx], clean.lon[idx]
    )
    both = Fleet.from_columns(
        np.r_[clean.bib, messy.bib],
        np.r_[clean.t_ms, messy.t_ms],
        np.r_[clean.lat, messy.lat],
        np.r_[clean.lon, messy.lon],
    )
    for rules in (FIA, ANY_ORDER):
        report = check_fleet(roadbook, both, rules)
        a, b = report.crews[1].to_dict(), report.crews[2].to_dict()
        assert report.crews[2].duplicates == repeats
        for key in ("fixes", "duplicates", "reordered"):
            a.pop(key), b.pop(key)
        assert a == b


@given(st.floats(-50, 200, allow_nan=False), st.floats(0, 50, allow_nan=False))
def test_a_bigger_excess_never_costs_less(excess, more):
    for rules in (FIA, FIM):
        low, high = rules.speeding_penalty_ms(excess), rules.speeding_penalty_ms(excess + more)
        assert 0 <= low <= high
        assert (low == 0) == (excess <= rules.tolerance_kmh)
