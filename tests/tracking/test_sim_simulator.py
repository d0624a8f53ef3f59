"""The rally simulator on its own: deterministic, physically plausible, and its truth
agrees with what it injected (no tracking engine involved here)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.rules import load_rulebook
from raidcontrol.simulation.geo import metres_per_degree
from raidcontrol.simulation.profile import load_profile
from raidcontrol.simulation.simulator import plan_stage, simulate_stage
from raidcontrol.tracking.model import WAYPOINT_TYPES
from raidcontrol.tracking.rules import TrackingRules

RULES = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
PROFILE = load_profile()


@pytest.fixture(scope="module")
def stage():
    return simulate_stage(
        seed=11, vehicles=24, fixes_per_vehicle=5000, waypoints=9, zones=3, rules=RULES
    )


def crew_rows(fleet, bib):
    i = int(np.flatnonzero(fleet.bibs == bib)[0])
    return slice(int(fleet.offsets[i]), int(fleet.offsets[i + 1]))


def test_same_seed_same_stage_other_seed_other_stage():
    a = simulate_stage(
        seed=5, vehicles=4, fixes_per_vehicle=3000, waypoints=4, zones=2, rules=RULES
    )
    b = simulate_stage(
        seed=5, vehicles=4, fixes_per_vehicle=3000, waypoints=4, zones=2, rules=RULES
    )
    c = simulate_stage(
        seed=6, vehicles=4, fixes_per_vehicle=3000, waypoints=4, zones=2, rules=RULES
    )
    for col in ("bib", "t_ms", "lat", "lon"):
        assert np.array_equal(getattr(a.recorded, col), getattr(b.recorded, col))
    assert a.truth == b.truth
    assert not np.array_equal(a.fleet.lat, c.fleet.lat)


def test_every_crew_has_exactly_its_fixes_at_one_hertz(stage):
    assert len(stage.fleet) == 24 * 5000
    assert list(stage.fleet.bibs) == list(range(1, 25))
    step = np.diff(stage.fleet.t_ms)
    inside = np.diff(stage.fleet.bib) == 0
    assert np.all(step[inside] >= 1000)
    assert np.all(step[inside] % 1000 == 0)
    assert np.mean(step[inside] == 1000) > 0.99


def test_every_waypoint_type_with_the_rulebook_radius_and_zones_dss_ass(stage):
    rb = stage.roadbook
    assert {w.type for w in rb.waypoints} == set(WAYPOINT_TYPES)
    for w in rb.waypoints:
        assert (w.open_m, w.clear_m) == RULES.radii[w.type]
    assert len(rb.zones) == 3 and all(z.limit_kmh > 0 for z in rb.zones)
    assert rb.dss.km == 0 and rb.ass.km == pytest.approx(stage.truth.special_km, abs=1e-3)
    kms = [
        w.km
        for w in sorted(
            list(rb.waypoints) + [z.start for z in rb.zones] + [z.end for z in rb.zones],
            key=lambda w: w.index,
        )
    ]
    assert kms == sorted(kms)
    stop_s = min(
        PROFILE.value("controls.neutralisation_s"),
        PROFILE.value("controls.neutralisation_max_share") * 5000,
    )
    assert rb.neutralisations and rb.neutralisations[0][0].duration_ms == stop_s * 1000


def test_speeds_and_accelerations_are_those_of_vehicles(stage):
    max_kmh = dict(zip(PROFILE.value("vehicles.categories"), PROFILE.floats("vehicles.max_kmh")))
    worst = max(PROFILE.floats("vehicles.brake_ms2") + PROFILE.floats("vehicles.accel_ms2"))
    for bib, truth in stage.truth.crews.items():
        sl = crew_rows(stage.fleet, bib)
        device = stage.fleet.speed_kmh[sl]
        if truth.device_speed:
            assert np.nanmax(device) <= max_kmh[truth.category] + 2
        else:
            assert np.all(np.isnan(device))
    # accelerations, from the simulator's own noise-free speeds (a detour's bend adds a little)
    from raidcontrol.simulation.crew import simulate_crew

    p = plan_stage(seed=11, vehicles=24, fixes_per_vehicle=5000, waypoints=9, zones=3, rules=RULES)
    for crew in p.crews[:8]:
        track = simulate_crew(crew, p.context)
        regular = np.diff(track.t_ms) == 1000
        accel = np.abs(np.diff(track.true_kmh / 3.6))[regular]
        assert accel.max() <= worst * 1.2, crew


def test_gps_noise_is_a_few_metres(stage):
    from raidcontrol.simulation.crew import simulate_crew

    p = plan_stage(seed=11, vehicles=24, fixes_per_vehicle=5000, waypoints=9, zones=3, rules=RULES)
    track = simulate_crew(p.crews[0], p.context)
    per_lat, per_lon = metres_per_degree(track.true_lat)
    err = np.hypot((track.lat - track.true_lat) * per_lat, (track.lon - track.true_lon) * per_lon)[
        ~track.spike
    ]
    sigma = PROFILE.value("gps.bias_sigma_m")
    assert 0.3 * sigma < np.sqrt(np.mean(err**2)) < 3 * sigma
    assert err.max() < 8 * sigma


def test_compliant_crews_stay_under_every_limit_by_the_margin(stage):
    margin = PROFILE.value("zones.compliant_margin_kmh")
    for truth in stage.truth.crews.values():
        excess_zones = {z.zone for z in truth.speeding}
        assert not excess_zones & set(truth.clean_zones)
    p = plan_stage(seed=11, vehicles=24, fixes_per_vehicle=5000, waypoints=9, zones=3, rules=RULES)
    from raidcontrol.simulation.crew import simulate_crew

    for crew in p.crews:
        if crew.speeding_zone is not None:
            continue
        track = simulate_crew(crew, p.context)
        for (a, b), limit in zip(p.context.layout.zone_s, p.context.layout.zone_limit_kmh):
            inside = (track.s_m >= a) & (track.s_m <= b)
            if inside.any():
                assert track.true_kmh[inside].max() <= limit - margin + 0.5


def test_outages_and_spikes_in_the_data_are_those_of_the_truth(stage):
    for bib, truth in stage.truth.crews.items():
        sl = crew_rows(stage.fleet, bib)
        t = stage.fleet.t_ms[sl]
        gaps = np.flatnonzero(np.diff(t) > RULES.max_gap_ms)
        assert [(int(t[g]), int(t[g + 1])) for g in gaps] == [tuple(o) for o in truth.outages]
        for spike_ms in truth.spikes_ms:
            k = int(np.searchsorted(t, spike_ms))
            per_lat, per_lon = metres_per_degree(stage.fleet.lat[sl][k])
            jump = np.hypot(
                (stage.fleet.lat[sl][k] - stage.fleet.lat[sl][k - 1]) * per_lat,
                (stage.fleet.lon[sl][k] - stage.fleet.lon[sl][k - 1]) * per_lon,
            )
            implied_kmh = jump / ((t[k] - t[k - 1]) / 1000) * 3.6
            assert implied_kmh > RULES.spike_speed_kmh


def test_recorded_file_rows_are_the_fleet_with_duplicates_and_swaps(stage):
    for bib, truth in stage.truth.crews.items():
        clean = stage.fleet.t_ms[crew_rows(stage.fleet, bib)]
        rec = stage.recorded.t_ms[crew_rows(stage.recorded, bib)]
        assert rec.size == clean.size + truth.duplicates
        assert np.array_equal(np.unique(rec), clean)
        assert int(np.sum(np.diff(rec) < 0)) == truth.swapped


def test_a_special_too_short_for_its_items_is_bad_input():
    with pytest.raises(InputError, match="too short"):
        plan_stage(seed=1, vehicles=2, fixes_per_vehicle=600, waypoints=30, zones=10, rules=RULES)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_truth_matches_the_injected_faults_for_any_seed(seed):
    p = plan_stage(
        seed=seed, vehicles=14, fixes_per_vehicle=4000, waypoints=7, zones=2, rules=RULES
    )
    from raidcontrol.simulation.crew import simulate_crew
    from raidcontrol.simulation.truth import crew_truth

    for crew in p.crews:
        track = simulate_crew(crew, p.context)
        truth = crew_truth(
            track, p.context, p.roadbook
        )  # raises SimulationError on an ambiguous case
        retired_before = lambda s, crew=crew: crew.retire_m is not None and crew.retire_m < s
        if crew.detour_wp is not None and not retired_before(p.context.layout.wp_s[crew.detour_wp]):
            detour = p.roadbook.waypoints[crew.detour_wp].name
            assert [m.name for m in truth.missed if m.reason == "detour"] == [detour]
        else:
            assert not [m for m in truth.missed if m.reason == "detour"]
        if (
            crew.speeding_zone is not None
            and p.roadbook.zones[crew.speeding_zone].name not in truth.incomplete_zones
            and not retired_before(p.context.layout.zone_s[crew.speeding_zone][1])
        ):
            (excess,) = truth.speeding
            assert excess.zone == p.roadbook.zones[crew.speeding_zone].name
            assert excess.excess_kmh == pytest.approx(crew.excess_kmh, abs=0.5)
        else:
            assert truth.speeding == ()
        assert len(truth.spikes_ms) <= crew.spikes
