"""Checking a Parquet fleet while it is read gives exactly the report of reading it whole, then
sorting and checking it — whatever the row groups, crews across several of them, out-of-order
fixes, bibs not in order (read whole then) or a bad row late in the file; and the reader's
columns are views of pyarrow's buffers, the same values as pyarrow's own conversion."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.io.stream_check import StreamCheck
from raidcontrol.io.tracks import ParquetReading, read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.simulation.simulator import simulate_stage
from raidcontrol.tracking.check import check_fleet, sort_fleet_in_place
from raidcontrol.tracking.model import Fleet
from raidcontrol.tracking.rules import TrackingRules

RULES = TrackingRules.from_rulebook(load_rulebook("fia-2026"))


@pytest.fixture(scope="module")
def stage():
    return simulate_stage(
        seed=5, vehicles=7, fixes_per_vehicle=1500, waypoints=8, zones=2, rules=RULES
    )


def _write(fleet: Fleet, path, row_group_size: int, order: np.ndarray | None = None) -> None:
    cols = [fleet.bib, fleet.t_ms, fleet.lat, fleet.lon, fleet.speed_kmh]
    if order is not None:
        cols = [c[order] for c in cols]
    table = pa.table(
        {
            "bib": pa.array(cols[0], pa.int32()),
            "time": pa.array(cols[1], pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
            "lat": cols[2],
            "lon": cols[3],
            "speed": pa.array(cols[4], pa.float32(), from_pandas=True),  # NaN → null
        }
    )
    pq.write_table(table, path, row_group_size=row_group_size)


def _whole(roadbook, path):
    fleet = read_fleet(path)
    sort_fleet_in_place(fleet)
    return check_fleet(roadbook, fleet, RULES), fleet


def _same(report, expected) -> None:
    report0, fleet0 = expected
    assert report.to_dict() == report0.to_dict()
    assert report.fixes == report0.fixes == len(fleet0)
    assert list(report.crews) == list(report0.crews)  # crews in bib order


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(row_group=st.integers(50, 6000), workers=st.sampled_from([1, 2]))  # crews: 1,500 fixes
def test_checked_while_read_equals_read_then_checked(stage, tmp_path_factory, row_group, workers):
    path = tmp_path_factory.mktemp("stream") / "fleet.parquet"
    _write(stage.recorded, path, row_group)  # duplicates and swapped neighbours included
    got = StreamCheck(path).check(stage.roadbook, RULES, workers)
    _same(got, _whole(stage.roadbook, path))


def test_bibs_out_of_order_are_read_whole(stage, tmp_path):
    """A crew coming back after another: the file cannot be checked crew by crew, and is read
    again whole — whether crews were already checked (row groups of 1,000) or not (one)."""
    fleet = stage.recorded
    first = fleet.offsets[1]
    order = np.r_[np.arange(first, len(fleet)), np.arange(first)]  # crew 1 last
    for row_group in (1000, len(fleet)):
        path = tmp_path / f"fleet-{row_group}.parquet"
        _write(fleet, path, row_group, order)
        _same(StreamCheck(path).check(stage.roadbook, RULES, 2), _whole(stage.roadbook, path))


def test_a_bad_row_late_in_the_file_is_reported_with_its_row(stage, tmp_path):
    fleet = stage.recorded
    bad = len(fleet) - 10
    lat = fleet.lat.copy()
    lat[bad] = 91.0
    broken = Fleet(fleet.bib, fleet.t_ms, lat, fleet.lon, fleet.speed_kmh)
    path = tmp_path / "bad.parquet"
    _write(broken, path, 500)
    with pytest.raises(InputError) as err:
        StreamCheck(path).check(stage.roadbook, RULES)
    assert err.value.field == "lat" and err.value.line == bad + 1
    with pytest.raises(InputError) as whole:
        read_fleet(path)
    assert str(whole.value) == str(err.value)


def test_not_a_parquet_file_is_refused_at_once(tmp_path):
    path = tmp_path / "fleet.parquet"
    path.write_text("bib,time,lat,lon\n")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        StreamCheck(path)


def test_a_crew_longer_than_several_row_groups(stage, tmp_path):
    """Row groups of 100 rows: every crew goes on over 15 groups, and one group may hold the end
    of a crew and the start of the next."""
    path = tmp_path / "fleet.parquet"
    _write(stage.recorded, path, 100)
    _same(StreamCheck(path).check(stage.roadbook, RULES, 2), _whole(stage.roadbook, path))


def test_the_columns_are_writable_views_of_the_decoded_buffers(stage, tmp_path):
    """No copy of the fleet: each row group's columns view the buffers pyarrow decoded it into
    (sorting crews in place needs them writable), null speeds read as NaN, the values those
    of pyarrow's own conversion."""
    fleet = stage.recorded
    speed = fleet.speed_kmh.copy()
    speed[::7] = np.nan  # no speed for these fixes: nulls in the file
    path = tmp_path / "fleet.parquet"
    _write(Fleet(fleet.bib, fleet.t_ms, fleet.lat, fleet.lon, speed), path, 2000)
    table = pq.read_table(path)
    assert table["speed"].null_count
    at = 0
    for bib, t_ms, lat, lon, speed in ParquetReading(path).groups():
        n = bib.shape[0]
        for column in (bib, t_ms, lat, lon, speed):
            assert column.flags.writeable and not column.flags.owndata
        part = table.slice(at, n)
        assert np.array_equal(bib, part["bib"].to_numpy())
        assert np.array_equal(t_ms, part["time"].cast(pa.int64()).to_numpy())
        assert np.array_equal(lat, part["lat"].to_numpy()) and np.array_equal(
            lon, part["lon"].to_numpy()
        )
        assert np.array_equal(speed, part["speed"].to_numpy(zero_copy_only=False), equal_nan=True)
        at += n
    assert at == len(fleet)


def test_the_reading_stops_when_the_check_ends_early(stage, tmp_path):
    """Bibs out of order end the check while row groups remain: the reader thread stops too
    (it does not read the rest of the file into a queue nobody empties)."""
    fleet = stage.recorded
    first = fleet.offsets[1]
    order = np.r_[np.arange(first, len(fleet)), np.arange(first)]
    path = tmp_path / "fleet.parquet"
    _write(fleet, path, 200, order)
    streaming = StreamCheck(path)
    _same(streaming.check(stage.roadbook, RULES), _whole(stage.roadbook, path))
    streaming._reader.join(10)
    assert not streaming._reader.is_alive()
    assert streaming.reading.filled < len(fleet)  # stopped before the end


def test_the_switch_interval_is_short_while_a_file_is_read(stage, tmp_path):
    """The reader takes the GIL back a dozen times a row group: the interpreter switches threads
    every millisecond while any reading is open, then as before (the last to close restores)."""
    import sys

    from raidcontrol.io.stream_check import SWITCH_INTERVAL_S

    path = tmp_path / "fleet.parquet"
    _write(stage.recorded, path, 1000)
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL_S
    first, second = StreamCheck(path), StreamCheck(path)
    assert sys.getswitchinterval() == SWITCH_INTERVAL_S
    first.check(stage.roadbook, RULES)
    first.close()  # twice: counted once
    assert sys.getswitchinterval() == SWITCH_INTERVAL_S  # the second is still open
    second.close()
    assert sys.getswitchinterval() == before


@pytest.mark.parametrize("row_group", ["first crew", "first crew + 1", 7])
def test_row_groups_ending_on_a_crew_boundary_or_tiny(stage, tmp_path, row_group):
    """A group that ends exactly where a crew ends (the next group starts with a new crew), one
    row further, and groups of 7 rows (a crew over some 200 groups)."""
    first = int(stage.recorded.offsets[1])
    size = {"first crew": first, "first crew + 1": first + 1}.get(row_group, row_group)
    path = tmp_path / "fleet.parquet"
    _write(stage.recorded, path, int(size))
    _same(StreamCheck(path).check(stage.roadbook, RULES, 2), _whole(stage.roadbook, path))
