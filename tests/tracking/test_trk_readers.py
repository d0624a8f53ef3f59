"""OpenRally roadbook and track readers: real OpenRally files, names, units, and located errors."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.io.openrally import parse_roadbook, read_roadbook
from raidcontrol.io.tracks import read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.tracking.rules import TrackingRules

FIA = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
FIM = TrackingRules.from_rulebook(load_rulebook("fim-2026"))
DRAFT_NS = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0-Cross-Country-DRAFT"
V1_NS = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0.0"


def gpx(body: str, ns: str = V1_NS, units: str = "metric") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" '
        f'xmlns:openrally="{ns}">\n<metadata><extensions><openrally:units>{units}</openrally:units>'
        f"</extensions></metadata>\n{body}</gpx>\n"
    ).encode()


def wpt(lat: float, lon: float, *items: str) -> str:
    return f'<wpt lat="{lat}" lon="{lon}"><extensions>{"".join(items)}</extensions></wpt>\n'


ROADBOOK = gpx(
    wpt(
        24.0,
        45.0,
        "<openrally:distance>0</openrally:distance>",
        "<openrally:dss/>",
        '<openrally:timecontrol allowed="60"/>',
    )
    + wpt(
        24.01, 45.0, "<openrally:distance>1.1</openrally:distance>", '<openrally:wpm name="K12"/>'
    )
    + wpt(24.02, 45.0, "<openrally:dz/>", "<openrally:speed>50</openrally:speed>")
    + wpt(24.03, 45.0, "<openrally:fz/>")
    + wpt(
        24.04,
        45.0,
        '<openrally:wps open="800" clear="60"/>',
        "<openrally:danger>3</openrally:danger>",
    )
    + wpt(24.05, 45.0, '<openrally:dz name="Village"/>', "<openrally:speed>30</openrally:speed>")
    + wpt(24.06, 45.0, "<openrally:fz/>")
    + wpt(
        24.07, 45.0, "<openrally:wpe/>", "<openrally:neutralization>900</openrally:neutralization>"
    )
    + wpt(24.08, 45.0, "<openrally:wpn/>")
    + wpt(24.09, 45.0, "<openrally:wpc/>", "<openrally:wpp/>", "<openrally:wpv/>")
    + wpt(24.10, 45.0, "<openrally:ass/>")
)


def test_waypoints_zones_and_controls_are_read_with_names_and_rulebook_radii():
    rb = parse_roadbook(ROADBOOK, FIA)
    assert [(w.name, w.type) for w in rb.waypoints] == [
        ("K12", "WPM"),
        ("WP2", "WPS"),
        ("WP3", "WPE"),
        ("WP4", "WPN"),
        ("WP5", "WPC"),
        ("WP6", "WPP"),
        ("WP7", "WPV"),
    ]
    assert rb.waypoints[0].clear_m == FIA.radii["WPM"][1] and rb.waypoints[0].km == pytest.approx(
        1.1
    )
    assert (rb.waypoints[1].open_m, rb.waypoints[1].clear_m) == (800.0, 60.0)  # given by the file
    assert [(z.name, z.limit_kmh) for z in rb.zones] == [("DZ1", 50.0), ("Village", 30.0)]
    assert rb.zones[0].start.lat == 24.02 and rb.zones[0].end.lat == 24.03
    assert rb.dss is not None and rb.ass is not None and rb.ass.lat == pytest.approx(24.10)
    assert rb.time_controls[0].allowed_ms == 3_600_000
    assert rb.neutralisations[0][0].duration_ms == 900_000
    assert [w.line for w in rb.waypoints][:2] == [5, 8]


def test_the_draft_namespace_of_the_published_example_is_read_too():
    rb = parse_roadbook(gpx(wpt(0, 0, '<openrally:wps open="800" clear="90"/>'), ns=DRAFT_NS), FIM)
    assert [(w.type, w.clear_m) for w in rb.waypoints] == [("WPS", 90.0)]


def test_statute_units_convert_yards_and_mph():
    rb = parse_roadbook(
        gpx(
            wpt(0, 0, '<openrally:wpm clear="100"/>')
            + wpt(0, 0.01, "<openrally:dz/>", "<openrally:speed>30</openrally:speed>")
            + wpt(0, 0.02, "<openrally:fz/>"),
            units="statute",
        ),
        FIA,
    )
    assert rb.waypoints[0].clear_m == pytest.approx(91.44)
    assert rb.zones[0].limit_kmh == pytest.approx(48.28032)


@pytest.mark.parametrize(
    "body, line, field",
    [
        (
            wpt(24.0, 45.0, "<openrally:distance>0</openrally:distance>"),
            2,
            "wpt",
        ),  # no waypoint at all
        (wpt(95.0, 45.0, "<openrally:wpm/>"), 4, "lat"),
        ('<wpt lat="nan" lon="45"><extensions><openrally:wpm/></extensions></wpt>\n', 4, "lat"),
        ('<wpt lat="24"><extensions><openrally:wpm/></extensions></wpt>\n', 4, "lon"),
        (wpt(24.0, 45.0, "<openrally:wpm/>") + wpt(24.0, 45.1, "<openrally:dz/>"), 5, "speed"),
        (wpt(24.0, 45.0, "<openrally:wpm/>") + wpt(24.0, 45.1, "<openrally:fz/>"), 5, "fz"),
        (wpt(24.0, 45.0, '<openrally:wpm clear="-5"/>'), 4, "wpm.clear"),
        (wpt(24.0, 45.0, "<openrally:wpm>") + "</gpx>", 4, None),  # corrupt XML
    ],
)
def test_bad_roadbooks_raise_located_errors(body, line, field):
    with pytest.raises(InputError) as err:
        parse_roadbook(gpx(body), FIA, file="stage-1.gpx")
    assert err.value.file == "stage-1.gpx"
    assert err.value.line == line
    assert err.value.field == field


def test_read_roadbook_names_the_file(tmp_path: Path):
    path = tmp_path / "stage-2.gpx"
    path.write_bytes(gpx(wpt(24.0, 45.0, "<openrally:distance>0</openrally:distance>")))
    with pytest.raises(InputError) as err:
        read_roadbook(path, FIA)
    assert "stage-2.gpx" in err.value.located() and "no waypoints" in err.value.located()


# --- tracks ------------------------------------------------------------------------------------

GPX_TRACK = """<?xml version="1.0"?>
<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" version="1.1">
  <trk><name>{name}</name><trkseg>
    <trkpt lat="24.0" lon="45.0"><time>2026-01-05T08:00:00Z</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>10</gpxtpx:speed></gpxtpx:TrackPointExtension></extensions></trkpt>
    <trkpt lat="24.0001" lon="45.0"><time>2026-01-05T08:00:01.500Z</time></trkpt>
    {extra}
  </trkseg></trk>
</gpx>
"""


def test_gpx_track_bib_speed_and_times(tmp_path: Path):
    (tmp_path / "412.gpx").write_text(GPX_TRACK.format(name="Team X", extra=""))
    fleet = read_fleet(tmp_path / "412.gpx")
    assert fleet.bibs.tolist() == [412]  # the name is not numeric: the file's stem
    assert fleet.t_ms.tolist() == [1_767_600_000_000, 1_767_600_001_500]
    assert fleet.speed_kmh[0] == pytest.approx(36.0) and math.isnan(fleet.speed_kmh[1])
    (tmp_path / "track.gpx").write_text(GPX_TRACK.format(name="  77 ", extra=""))
    assert read_fleet(tmp_path / "track.gpx").bibs.tolist() == [77]


@pytest.mark.parametrize(
    "extra, line, field",
    [
        ('<trkpt lat="24.0002" lon="45.0"></trkpt>', 6, "time"),
        ('<trkpt lat="24.0002" lon="181"><time>2026-01-05T08:00:02Z</time></trkpt>', 6, "lon"),
        ('<trkpt lat="NaN" lon="45"><time>2026-01-05T08:00:02Z</time></trkpt>', 6, "lat"),
        ('<trkpt lat="24.0002" lon="45"><time>yesterday</time></trkpt>', 6, "time"),
        ('<trkpt lat="24.0002" lon="45"><time>2026-01-05T08:00:02Z</time>', 7, None),  # corrupt
    ],
)
def test_bad_gpx_tracks_raise_located_errors(tmp_path: Path, extra, line, field):
    path = tmp_path / "9.gpx"
    path.write_text(GPX_TRACK.format(name="9", extra=extra))
    with pytest.raises(InputError) as err:
        read_fleet(path)
    assert (err.value.file, err.value.line, err.value.field) == (str(path), line, field)


def test_gpx_track_without_a_bib_anywhere(tmp_path: Path):
    path = tmp_path / "crew.gpx"
    path.write_text(GPX_TRACK.format(name="Team X", extra=""))
    with pytest.raises(InputError) as err:
        read_fleet(path)
    assert err.value.field == "name"


CSV_OK = "bib,time,lat,lon,speed\n5,2026-01-05T08:00:01Z,24.0,45.0,\n5,2026-01-05T08:00:00Z,24.0,45.0001,50.5\n3,2026-01-05T08:00:00+01:00,24.1,45.1,10\n"


def test_csv_tracks_keep_file_order_within_a_crew(tmp_path: Path):
    path = tmp_path / "tracks.csv"
    path.write_text(CSV_OK)
    fleet = read_fleet(path)
    assert fleet.bibs.tolist() == [3, 5] and fleet.reordered is None
    assert fleet.t_ms.tolist() == [1_767_596_400_000, 1_767_600_001_000, 1_767_600_000_000]


def test_tracks_sorted_by_time_as_read_count_the_reordering(tmp_path: Path):
    path = tmp_path / "tracks.csv"
    path.write_text(CSV_OK)
    fleet = read_fleet(path, sort_by_time=True)
    assert fleet.bibs.tolist() == [3, 5]
    assert fleet.t_ms.tolist() == [1_767_596_400_000, 1_767_600_000_000, 1_767_600_001_000]
    assert fleet.reordered.tolist() == [0, 1]
    assert fleet.speed_kmh[1] == pytest.approx(50.5) and math.isnan(fleet.speed_kmh[2])
    assert fleet.lon.tolist() == [45.1, 45.0001, 45.0]


@pytest.mark.parametrize(
    "row, field",
    [
        ("7,,24.0,45.0,", "time"),
        ("7,2026-01-05T08:00:02Z,nan,45.0,", "lat"),
        ("7,2026-01-05T08:00:02Z,24.0,-200,", "lon"),
        ("7,2026-01-05T08:00:02Z,24.0,,", "lon"),
        ("x7,2026-01-05T08:00:02Z,24.0,45,", "bib"),
        ("7,soon,24.0,45,", "time"),
    ],
)
def test_bad_csv_rows_raise_located_errors(tmp_path: Path, row, field):
    path = tmp_path / "tracks.csv"
    path.write_text(CSV_OK + row + "\n")
    with pytest.raises(InputError) as err:
        read_fleet(path)
    assert (err.value.line, err.value.field) == (5, field)


def _parquet(path: Path, lat, time=None) -> None:
    n = len(lat)
    t = pa.array(np.arange(n, dtype=np.int64) * 1000 + 1_767_600_000_000, pa.int64()).cast(
        pa.timestamp("ms", tz="UTC")
    )
    pq.write_table(
        pa.table(
            {
                "bib": pa.array(np.full(n, 4, np.int32)),
                "time": t if time is None else time,
                "lat": pa.array(lat, pa.float64()),
                "lon": pa.array(np.full(n, 45.0)),
                "speed": pa.array([None] * n, pa.float32()),
            }
        ),
        path,
        row_group_size=3,
    )


def test_parquet_tracks_read_by_row_group(tmp_path: Path):
    path = tmp_path / "tracks.parquet"
    _parquet(path, [24.0, 24.1, 24.2, 24.3, 24.4])
    fleet = read_fleet(path)
    assert len(fleet) == 5 and fleet.bibs.tolist() == [4] and np.isnan(fleet.speed_kmh).all()
    assert fleet.lat.tolist() == [24.0, 24.1, 24.2, 24.3, 24.4]


def test_bad_parquet_rows_raise_located_errors(tmp_path: Path):
    path = tmp_path / "tracks.parquet"
    _parquet(path, [24.0, 24.1, 24.2, 24.3, float("nan")])
    with pytest.raises(InputError) as err:
        read_fleet(path)
    assert (err.value.line, err.value.field) == (5, "lat")
    times = pa.array([1_767_600_000_000, None, 1, 2, 3], pa.int64()).cast(
        pa.timestamp("ms", tz="UTC")
    )
    _parquet(path, [24.0] * 5, time=times)
    with pytest.raises(InputError) as err:
        read_fleet(path)
    assert (err.value.line, err.value.field) == (2, "time")
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError):
        read_fleet(path)


def test_csv_times_may_be_integer_epoch_milliseconds(tmp_path: Path):
    path = tmp_path / "tracks.csv"
    path.write_text("bib,time,lat,lon\n8,1767600000000,24.0,45.0\n8,1767600001000,24.0,45.0001\n")
    assert read_fleet(path).t_ms.tolist() == [1_767_600_000_000, 1_767_600_001_000]


def test_sorting_as_read_or_in_the_check_reports_the_same(tmp_path: Path):
    from raidcontrol.tracking.check import check_fleet
    from raidcontrol.tracking.model import Roadbook, Waypoint

    path = tmp_path / "tracks.csv"
    path.write_text(CSV_OK)
    rb = Roadbook((Waypoint("A", "WPM", 24.0, 45.0, 200.0),), ())
    as_read = check_fleet(rb, read_fleet(path, sort_by_time=True), FIA).to_dict()
    in_check = check_fleet(rb, read_fleet(path), FIA).to_dict()
    assert as_read == in_check
    assert as_read["crews"]["5"]["reordered"] == 1 and as_read["crews"]["5"]["validated"] == ["A"]
