"""The OpenRally roadbook writer and the track writers, read back with the project's readers."""

from __future__ import annotations

from xml.etree import ElementTree

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.io.openrally import read_roadbook
from raidcontrol.io.openrally_writer import OPENRALLY_NS, write_roadbook
from raidcontrol.io.track_writers import FleetWriter, write_fleet
from raidcontrol.io.tracks import read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.simulation.simulator import simulate_stage
from raidcontrol.tracking.model import Fleet
from raidcontrol.tracking.rules import TrackingRules

RULES = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
GPX = "{http://www.topografix.com/GPX/1/1}"
OR = "{" + OPENRALLY_NS + "}"


@pytest.fixture(scope="module")
def stage():
    return simulate_stage(
        seed=8, vehicles=5, fixes_per_vehicle=3000, waypoints=9, zones=3, rules=RULES
    )


def _key(w):
    return (w.name, w.type, w.clear_m, w.open_m, w.index, w.km, round(w.lat, 7), round(w.lon, 7))


def test_roadbook_round_trip(stage, tmp_path):
    implicit = {n for n, imp in zip(stage.layout.wp_name, stage.layout.wp_implicit) if imp}
    back = read_roadbook(
        write_roadbook(stage.roadbook, tmp_path / "stage.gpx", implicit_radius=implicit), RULES
    )
    rb = stage.roadbook
    assert [_key(w) for w in back.waypoints] == [_key(w) for w in rb.waypoints]
    assert [(z.name, z.limit_kmh, _key(z.start), _key(z.end)) for z in back.zones] == [
        (z.name, z.limit_kmh, _key(z.start), _key(z.end)) for z in rb.zones
    ]
    assert _key(back.dss) == _key(rb.dss) and _key(back.ass) == _key(rb.ass)
    assert [_key(c) for c in back.time_controls] == [_key(c) for c in rb.time_controls]
    assert back.neutralisations[0][0].duration_ms == rb.neutralisations[0][0].duration_ms


def test_roadbook_file_is_openrally(stage, tmp_path):
    implicit = {stage.roadbook.waypoints[0].name}
    path = write_roadbook(
        stage.roadbook, tmp_path / "stage.gpx", name="Stage 9", implicit_radius=implicit
    )
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{GPX}gpx" and root.get("version") == "1.1"
    wpts = root.findall(f"{GPX}wpt")
    assert all(w.find(f"{GPX}extensions/{OR}distance") is not None for w in wpts)
    tags = [
        c.tag.removeprefix(OR)
        for w in wpts
        for c in w.find(f"{GPX}extensions")
        if c.tag != f"{OR}distance"
    ]
    assert {
        "wpv",
        "wpm",
        "wps",
        "wpe",
        "wpn",
        "wpc",
        "wpp",
        "dz",
        "speed",
        "fz",
        "dss",
        "ass",
        "timecontrol",
        "neutralization",
        "fuel",
    } <= set(tags)
    first = stage.roadbook.waypoints[0]
    element = next(
        c
        for w in wpts
        for c in w.find(f"{GPX}extensions")
        if c.tag == f"{OR}{first.type.lower()}" and w.find(f"{GPX}name").text == first.name
    )
    assert "clear" not in element.attrib and "open" not in element.attrib  # left to the rulebook
    unnamed = [w.name for i, w in enumerate(stage.roadbook.waypoints, 1) if w.name == f"WP{i}"]
    named_attrs = [c.get("name") for w in wpts for c in w.find(f"{GPX}extensions") if c.get("name")]
    assert not set(unnamed) & set(named_attrs)  # default names are not written


def test_a_radius_left_out_takes_the_rulebook_default(stage, tmp_path):
    wp = stage.roadbook.waypoints[0]
    other = TrackingRules.from_rulebook(
        load_rulebook("fia-2026", {"tracking": {"waypoints": {wp.type: {"clear_m": 123}}}})
    )
    path = write_roadbook(stage.roadbook, tmp_path / "stage.gpx", implicit_radius={wp.name})
    assert read_roadbook(path, other).waypoints[0].clear_m == 123
    path = write_roadbook(stage.roadbook, tmp_path / "explicit.gpx")
    assert read_roadbook(path, other).waypoints[0].clear_m == wp.clear_m


def canonical(fleet: Fleet) -> Fleet:
    """The rows in (bib, time, lat, lon) order: the reader may sort a crew's fixes by time."""
    o = np.lexsort((fleet.speed_kmh, fleet.lon, fleet.lat, fleet.t_ms, fleet.bib))
    return Fleet(fleet.bib[o], fleet.t_ms[o], fleet.lat[o], fleet.lon[o], fleet.speed_kmh[o])


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".gpx"])
def test_tracks_round_trip(stage, tmp_path, suffix):
    src = canonical(stage.recorded)
    back = canonical(read_fleet(write_fleet(stage.recorded, tmp_path / f"tracks{suffix}")))
    assert np.array_equal(back.bib, src.bib) and np.array_equal(back.t_ms, src.t_ms)
    assert np.abs(back.lat - src.lat).max() <= 5e-8 and np.abs(back.lon - src.lon).max() <= 5e-8
    assert np.array_equal(np.isnan(back.speed_kmh), np.isnan(src.speed_kmh))
    known = ~np.isnan(src.speed_kmh)
    assert np.abs(back.speed_kmh[known] - src.speed_kmh[known]).max() <= 0.005 + 1e-4


def test_parquet_schema_and_streamed_parts_equal_one_write(stage, tmp_path):
    whole = write_fleet(stage.fleet, tmp_path / "whole.parquet")
    with FleetWriter(tmp_path / "parts.parquet") as writer:
        for i in range(len(stage.fleet.bibs)):
            sl = slice(int(stage.fleet.offsets[i]), int(stage.fleet.offsets[i + 1]))
            f = stage.fleet
            writer.write(
                Fleet.from_columns(f.bib[sl], f.t_ms[sl], f.lat[sl], f.lon[sl], f.speed_kmh[sl])
            )
    assert writer.rows == len(stage.fleet)
    a, b = pq.read_table(whole), pq.read_table(tmp_path / "parts.parquet")
    assert a.schema.names == ["bib", "time", "lat", "lon", "speed"]
    assert str(a.schema.field("time").type) == "timestamp[ms, tz=UTC]"
    assert a.equals(b)


def test_csv_text_form(tmp_path):
    fleet = Fleet.from_columns(
        [7, 7], [1768278600000, 1768278601500], [20.5, 20.50001], [44.5, 44.5], [np.nan, 61.234]
    )
    text = write_fleet(fleet, tmp_path / "t.csv").read_text()
    assert text.splitlines() == [
        "bib,time,lat,lon,speed",
        "7,2026-01-13T04:30:00.000Z,20.5000000,44.5000000,",
        "7,2026-01-13T04:30:01.500Z,20.5000100,44.5000000,61.23",
    ]
    empty = Fleet.from_columns([], [], [], [])
    assert write_fleet(empty, tmp_path / "e.csv").read_text() == "bib,time,lat,lon,speed\n"


def test_unknown_suffix_is_bad_input(stage, tmp_path):
    with pytest.raises(InputError, match="unknown track format"):
        write_fleet(stage.fleet, tmp_path / "tracks.kml")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 999),
            st.integers(1_600_000_000_000, 1_900_000_000_000),
            st.floats(-89.9, 89.9),
            st.floats(-179.9, 179.9),
            st.one_of(st.just(float("nan")), st.floats(0, 300)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_any_fixes_survive_parquet_and_csv(tmp_path_factory, rows):
    bib, t, lat, lon, speed = (np.array(c) for c in zip(*rows))
    fleet = Fleet.from_columns(bib, t, lat, lon, speed)
    folder = tmp_path_factory.mktemp("rt")
    for suffix in (".parquet", ".csv"):
        back = canonical(read_fleet(write_fleet(fleet, folder / f"f{suffix}")))
        fleet = canonical(fleet)
        assert np.array_equal(back.bib, fleet.bib) and np.array_equal(back.t_ms, fleet.t_ms)
        assert np.allclose(back.lat, fleet.lat, atol=1e-7) and np.allclose(
            back.lon, fleet.lon, atol=1e-7
        )
        assert np.array_equal(np.isnan(back.speed_kmh), np.isnan(fleet.speed_kmh))
