"""Edge cases of the tracking check on small hand-built tracks (positions in local metres)."""

from __future__ import annotations

import numpy as np
import pytest

from raidcontrol.rules import load_rulebook
from raidcontrol.tracking.check import check_fleet
from raidcontrol.tracking.geodesy import from_local_xy, local_xy
from raidcontrol.tracking.model import Fleet, Roadbook, SpeedZone, Waypoint
from raidcontrol.tracking.rules import TrackingRules

LAT0, LON0 = 24.5, 45.2
T0 = 1_767_600_000_000  # 2026-01-05T08:00:00Z
RULES = TrackingRules.from_rulebook(load_rulebook("fia-2026"))


def wp(
    name: str, x: float, y: float, wtype: str = "WPM", clear: float | None = None, index: int = 0
) -> Waypoint:
    lat, lon = from_local_xy(x, y, LAT0, LON0)
    return Waypoint(
        name,
        wtype,
        float(lat),
        float(lon),
        RULES.radii[wtype][1] if clear is None else clear,
        index=index,
    )


def zone(name: str, x0: float, x1: float, limit: float = 50.0, y: float = 0.0) -> SpeedZone:
    return SpeedZone(
        name,
        limit,
        wp(name, x0, y, "DZ", RULES.zone_detect_m),
        wp("F" + name, x1, y, "FZ", RULES.zone_detect_m),
    )


def crew(bib: int, xs, ys, ts_s, speed=None) -> dict:
    """Fixes of one crew: x, y in metres from the origin, times in seconds after T0."""
    lat, lon = from_local_xy(np.asarray(xs, float), np.asarray(ys, float), LAT0, LON0)
    t = T0 + np.round(np.asarray(ts_s, float) * 1000).astype(np.int64)
    sp = np.full(t.shape[0], np.nan) if speed is None else np.asarray(speed, float)
    return {"bib": np.full(t.shape[0], bib), "t": t, "lat": lat, "lon": lon, "speed": sp}


def fleet(*crews: dict) -> Fleet:
    cat = {k: np.concatenate([c[k] for c in crews]) for k in crews[0]}
    return Fleet.from_columns(cat["bib"], cat["t"], cat["lat"], cat["lon"], cat["speed"])


def straight(
    bib: int,
    x0: float,
    x1: float,
    v_ms: float,
    dt_s: float = 1.0,
    y: float = 0.0,
    t0_s: float = 0.0,
    speed=None,
) -> dict:
    n = round(abs(x1 - x0) / (v_ms * dt_s)) + 1
    xs = np.linspace(x0, x1, n)
    ts = t0_s + np.arange(n) * dt_s
    return crew(bib, xs, np.full(n, y), ts, None if speed is None else np.full(n, speed))


# --- the radius --------------------------------------------------------------------------------


def test_a_track_touching_the_radius_exactly_validates_and_a_centimetre_outside_does_not():
    r = 200.0
    rb = Roadbook((wp("W", 1000.0, 0.0, "WPM", r),), ())
    _x_w, _ = local_xy(rb.waypoints[0].lat, rb.waypoints[0].lon, LAT0, LON0)
    # a north-south track at exactly r east of the waypoint, in the waypoint's own projection
    lat_w, lon_w = rb.waypoints[0].lat, rb.waypoints[0].lon
    ys = np.arange(-1000.0, 1001.0, 25.0)
    ts = np.arange(ys.shape[0], dtype=float)
    touching = crew(1, np.zeros_like(ys), ys, ts)
    touching["lat"], touching["lon"] = from_local_xy(np.full_like(ys, r), ys, lat_w, lon_w)
    outside = crew(2, np.zeros_like(ys), ys, ts)
    outside["lat"], outside["lon"] = from_local_xy(np.full_like(ys, r + 0.01), ys, lat_w, lon_w)
    report = check_fleet(rb, fleet(touching, outside), RULES)
    assert report.crews[1].validated == ["W"]
    assert report.crews[2].validated == []
    assert report.crews[2].missed[0].closest_m == pytest.approx(r + 0.01, abs=1e-3)


def test_validation_is_judged_on_the_leg_between_fixes_not_only_on_the_fixes():
    # 150 km/h, fixes 10 s apart: 416.7 m apart; the waypoint (radius 90 m) lies between two fixes
    rb = Roadbook((wp("S", 1875.0, 30.0, "WPS"),), ())
    c = straight(1, 0.0, 5000.0, 150 / 3.6, dt_s=10.0)
    x_fixes, _ = local_xy(c["lat"], c["lon"], rb.waypoints[0].lat, rb.waypoints[0].lon)
    assert np.min(np.hypot(x_fixes, 30.0)) > 90.0  # no single fix is inside the radius
    report = check_fleet(rb, fleet(c), RULES)
    assert report.crews[1].validated == ["S"]
    assert report.crews[1].validations[0].distance_m == pytest.approx(30.0, abs=0.5)


# --- speed zones -------------------------------------------------------------------------------


def test_a_zone_crossed_twice_is_one_infringement_with_the_maximum_of_both_passes():
    rb = Roadbook((wp("A", 500.0, 0.0),), (zone("Z", 1000.0, 3000.0),))
    first = straight(1, 0.0, 4000.0, 70 / 3.6, speed=70.0)
    # back to the start on a road 2 km north (outside every radius), then through the zone again at 90
    back = crew(
        1,
        [4000.0, 4000.0, 0.0, 0.0],
        [600.0, 2000.0, 2000.0, 600.0],
        first["t"][-1] / 1000 - T0 / 1000 + np.array([60.0, 120.0, 400.0, 460.0]),
    )
    back["speed"] = np.full(4, 40.0)
    t_again = (back["t"][-1] - T0) / 1000 + 60.0
    second = straight(1, 0.0, 4000.0, 90 / 3.6, t0_s=t_again, speed=90.0)
    report = check_fleet(rb, fleet(first, back, second), RULES)
    speeding = report.crews[1].speeding
    assert len(speeding) == 1
    inf = speeding[0]
    assert inf.passes == 2 and len(inf.pass_times) == 2
    (in1, out1), (in2, out2) = inf.pass_times
    assert in1 < out1 < first["t"][-1] < second["t"][0] < in2 < out2  # each pass: DZ to FZ
    assert inf.max_speed_kmh == pytest.approx(90.0)
    assert inf.excess_kmh == pytest.approx(40.0)
    assert inf.penalty_ms == RULES.speeding_penalty_ms(40.0) > 0
    # over the limit on both passes: about 2 km at 70 plus 2 km at 90
    assert inf.distance_m == pytest.approx(4000.0, rel=0.03)
    assert inf.duration_ms == pytest.approx(
        2000 / (70 / 3.6) * 1000 + 2000 / (90 / 3.6) * 1000, rel=0.03
    )
    assert inf.start_ms < first["t"][-1] < second["t"][0] < inf.end_ms


def test_speed_is_derived_from_fixes_when_the_device_gives_none():
    rb = Roadbook((wp("A", 500.0, 0.0),), (zone("Z", 1000.0, 3000.0, limit=50.0),))
    c = straight(1, 0.0, 4000.0, 80 / 3.6)  # no device speed
    report = check_fleet(rb, fleet(c), RULES)
    inf = report.crews[1].speeding[0]
    assert inf.speed_source == "derived"
    assert inf.max_speed_kmh == pytest.approx(80.0, abs=0.5)
    assert inf.penalty_ms == RULES.speeding_penalty_ms(inf.excess_kmh)


def test_driving_under_the_limit_in_a_zone_is_not_penalised():
    rb = Roadbook((wp("A", 500.0, 0.0),), (zone("Z", 1000.0, 3000.0, limit=50.0),))
    slow = straight(1, 0.0, 4000.0, 49 / 3.6, speed=49.0)
    report = check_fleet(rb, fleet(slow), RULES)
    assert report.crews[1].speeding == []
    assert report.crews[1].penalty_total_ms == 0


def test_a_crew_that_never_reaches_the_zone_has_no_speeding_and_misses_the_later_waypoints():
    rb = Roadbook((wp("A", 500.0, 0.0), wp("B", 5000.0, 0.0)), (zone("Z", 2000.0, 4000.0),))
    c = straight(1, 0.0, 1500.0, 120 / 3.6, speed=120.0)
    report = check_fleet(rb, fleet(c), RULES)
    crew_report = report.crews[1]
    assert crew_report.speeding == []
    assert crew_report.validated == ["A"]
    assert [m.name for m in crew_report.missed] == ["B"]
    assert crew_report.penalty_total_ms == RULES.missed_penalty_ms["WPM"]


def test_a_crew_that_enters_a_zone_but_never_reaches_its_fz_is_judged_up_to_the_fix_nearest_the_fz():
    rb = Roadbook((wp("A", 500.0, 0.0),), (zone("Z", 1000.0, 3000.0),))
    c = straight(1, 0.0, 2500.0, 70 / 3.6, speed=70.0)  # stops 500 m before the FZ
    inf = check_fleet(rb, fleet(c), RULES).crews[1].speeding[0]
    assert not inf.fz_passed
    assert inf.distance_m == pytest.approx(1500.0, rel=0.03)


# --- gaps, spikes, order -----------------------------------------------------------------------


def test_a_gap_is_reported_and_never_bridged():
    rb = Roadbook((wp("A", 500.0, 0.0), wp("B", 3000.0, 0.0), wp("C", 5500.0, 0.0)), ())
    before = straight(1, 0.0, 2000.0, 20.0)
    after = straight(
        1, 4000.0, 6000.0, 20.0, t0_s=(before["t"][-1] - T0) / 1000 + 300.0
    )  # 5 min outage
    report = check_fleet(rb, fleet(before, after), RULES)
    c = report.crews[1]
    assert c.validated == ["A", "C"]
    assert [m.name for m in c.missed] == ["B"]
    assert c.missed[0].outage  # the straight line across the outage passes within its radius
    assert len(c.gaps) == 1
    assert c.gaps[0].duration_ms == 300_000
    assert c.gaps[0].distance_m == pytest.approx(2000.0, rel=1e-3)


def test_a_gap_shorter_than_the_limit_is_joined():
    rb = Roadbook((wp("B", 3000.0, 0.0, "WPS"),), ())
    limit_s = RULES.max_gap_ms / 1000
    before = straight(1, 0.0, 2900.0, 20.0)
    after = straight(1, 3100.0, 4000.0, 20.0, t0_s=(before["t"][-1] - T0) / 1000 + limit_s)
    c = check_fleet(rb, fleet(before, after), RULES).crews[1]
    assert c.validated == ["B"] and c.gaps == []


def test_a_single_fix_spike_is_dropped_and_reported_and_validates_nothing():
    rb = Roadbook((wp("A", 500.0, 0.0), wp("X", 2000.0, 3000.0)), ())
    c = straight(1, 0.0, 4000.0, 25.0)
    k = 80  # at x = 2000 m: jump 3 km north for one fix
    c["lat"][k], c["lon"][k] = from_local_xy(2000.0, 3000.0, LAT0, LON0)
    report = check_fleet(rb, fleet(c), RULES)
    crew_report = report.crews[1]
    assert crew_report.validated == ["A"]
    assert len(crew_report.spikes) == 1
    assert crew_report.spikes[0].t_ms == c["t"][k]
    assert crew_report.spikes[0].implied_speed_kmh > RULES.spike_speed_kmh


def test_a_spike_sent_twice_is_one_spike_and_one_duplicate():
    rb = Roadbook((wp("A", 500.0, 0.0),), ())
    c = straight(1, 0.0, 4000.0, 25.0)
    k = 80
    c["lat"][k], c["lon"][k] = from_local_xy(2000.0, 3000.0, LAT0, LON0)
    twice = {key: np.insert(v, k + 1, v[k]) for key, v in c.items()}
    crew_report = check_fleet(rb, fleet(twice), RULES).crews[1]
    assert [s.t_ms for s in crew_report.spikes] == [c["t"][k]]
    assert crew_report.duplicates == 1


def test_gps_noise_is_not_taken_for_spikes():
    rng = np.random.default_rng(7)
    rb = Roadbook((wp("A", 500.0, 0.0),), ())
    c = straight(1, 0.0, 20000.0, 25.0)
    x, y = local_xy(c["lat"], c["lon"], LAT0, LON0)
    c["lat"], c["lon"] = from_local_xy(
        x + rng.normal(0, 3, x.shape), y + rng.normal(0, 3, y.shape), LAT0, LON0
    )
    assert check_fleet(rb, fleet(c), RULES).crews[1].spikes == []


def test_fixes_out_of_order_and_duplicated_give_the_same_result_as_clean_ones():
    rb = Roadbook((wp("A", 500.0, 0.0), wp("B", 2500.0, 0.0, "WPS")), (zone("Z", 1000.0, 2000.0),))
    clean = straight(1, 0.0, 3000.0, 70 / 3.6, speed=70.0)
    rng = np.random.default_rng(3)
    order = rng.permutation(clean["t"].shape[0])
    dup = order[:10]
    messy = {k: np.concatenate([v[order], v[dup]]) for k, v in clean.items()}
    messy["bib"][:] = 2
    report = check_fleet(rb, fleet(clean, messy), RULES)
    a, b = report.crews[1], report.crews[2]
    assert b.reordered > 0 and b.duplicates == 10
    assert a.reordered == 0 and a.duplicates == 0
    assert a.validated == b.validated == ["A", "B"]
    assert [s.to_dict() for s in a.speeding] == [s.to_dict() for s in b.speeding]
    assert a.speeding[0].evidence == b.speeding[0].evidence


def test_waypoints_count_only_in_ascending_order():
    # B is passed first, then A; B is never passed again: B is missed, out of order
    rb = Roadbook((wp("A", 3000.0, 0.0), wp("B", 1000.0, 0.0)), ())
    c = straight(1, 0.0, 4000.0, 25.0)
    report = check_fleet(rb, fleet(c), RULES)
    assert report.crews[1].validated == ["A"]
    assert report.crews[1].missed[0].name == "B" and report.crews[1].missed[0].out_of_order


def test_under_the_minimum_share_of_waypoints_the_crew_did_not_finish():
    wps = tuple(wp(f"W{k}", 1000.0 * (k + 1), 0.0, index=k) for k in range(10))
    rb = Roadbook(wps, ())
    seven = straight(1, 0.0, 7300.0, 25.0)
    six = straight(2, 0.0, 6300.0, 25.0)
    report = check_fleet(rb, fleet(seven, six), RULES)
    assert report.crews[1].share == pytest.approx(0.7) and not report.crews[1].did_not_finish
    assert report.crews[2].share == pytest.approx(0.6) and report.crews[2].did_not_finish


def test_missed_waypoint_penalties_come_from_the_rulebook_by_type():
    types = ("WPV", "WPM", "WPS", "WPE", "WPN", "WPC", "WPP")
    rb = Roadbook(
        tuple(wp(t, 1000.0 * (k + 1), 5000.0, t, index=k) for k, t in enumerate(types)), ()
    )
    c = straight(1, 0.0, 8000.0, 25.0)
    for rulebook in ("fia-2026", "fim-2026"):
        rules = TrackingRules.from_rulebook(load_rulebook(rulebook))
        crew_report = check_fleet(rb, fleet(c), rules).crews[1]
        assert {m.type: m.penalty_ms for m in crew_report.missed} == rules.missed_penalty_ms
        assert crew_report.penalty_total_ms == sum(rules.missed_penalty_ms.values())
