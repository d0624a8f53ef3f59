"""Hostile tracks and roadbooks (issue 11 §3): each once crashed or hung; now each is refused
with a located InputError (file, line, field) or read as plain data, and nothing is left behind."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.io import gpx_tracks
from raidcontrol.io.openrally import (
    MAX_NAME_CHARS,
    MAX_ROADBOOK_BYTES,
    MAX_ROADBOOK_ELEMENTS,
    parse_roadbook,
    read_roadbook,
)
from raidcontrol.io.tracks import read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.session import EventSession
from raidcontrol.store import JournalStore, default_url
from raidcontrol.tracking.rules import TrackingRules
from tests.tracking.test_trk_cli_journal import cli, event  # noqa: F401  (the fixture)

FIA = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
NS = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0.0"


def roadbook(body: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>\n{prolog}<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" '
        f'xmlns:openrally="{NS}">\n{body}</gpx>\n'
    ).encode()


WPM = '<wpt lat="24.0" lon="45.0"><extensions><openrally:wpm/></extensions></wpt>\n'

BILLION_LAUGHS = (
    "<!DOCTYPE gpx [\n"
    '<!ENTITY a0 "ha">\n'
    + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def located(err: pytest.ExceptionInfo, file: str, line: int | None, field: str | None) -> None:
    assert (err.value.file, err.value.line, err.value.field) == (file, line, field), (
        err.value.located()
    )


# --- roadbooks ---------------------------------------------------------------------------------


def test_a_billion_laughs_roadbook_is_refused_at_its_doctype():
    body = WPM.replace(
        "<openrally:wpm/>", "<openrally:distance>&a9;</openrally:distance><openrally:wpm/>"
    )
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(body, BILLION_LAUGHS), FIA, file="rb.gpx")
    located(err, "rb.gpx", 2, "DOCTYPE")


def test_an_external_entity_is_refused():
    prolog = '<!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(WPM, prolog), FIA, file="rb.gpx")
    assert err.value.field == "DOCTYPE"


def test_a_huge_text_node_is_read_in_linear_time_and_refused_as_a_number():
    text = "1" * (4 * 1024 * 1024)  # 4 MB of digits: once quadratic (string concatenation)
    body = WPM.replace(
        "<openrally:wpm/>", f"<openrally:distance>{text}</openrally:distance><openrally:wpm/>"
    )
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(body), FIA, file="rb.gpx")
    located(err, "rb.gpx", 3, "distance")
    assert len(err.value.message) < 200  # the value is not echoed whole


def test_an_oversized_roadbook_is_refused_before_it_is_read(tmp_path: Path):
    path = tmp_path / "big.gpx"
    with open(path, "wb") as fh:
        fh.truncate(MAX_ROADBOOK_BYTES + 1)  # sparse: no 8 MB written
    with pytest.raises(InputError) as err:
        read_roadbook(path, FIA)
    assert err.value.file == str(path) and "too large" in err.value.message
    with pytest.raises(InputError):
        parse_roadbook(b" " * (MAX_ROADBOOK_BYTES + 1), FIA)


def test_a_roadbook_with_too_many_elements_is_refused():
    body = WPM + "<x/>" * MAX_ROADBOOK_ELEMENTS
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(body), FIA, file="rb.gpx")
    assert err.value.field == "gpx" and "elements" in err.value.message


@pytest.mark.parametrize(
    "name, why",
    [
        (
            "K" * (MAX_NAME_CHARS + 1),
            "at most",
        ),  # a 300-character code once failed on PostgreSQL only
        ("K1\x1b[31m", "control"),  # a terminal escape code
    ],
)
def test_over_long_or_control_character_names_are_refused(name, why):
    body = WPM.replace("<openrally:wpm/>", f'<openrally:wpm name="{name}"/>')
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(body.replace("\x1b", "&#27;")), FIA, file="rb.gpx")
    if why == "control":
        # XML 1.0 forbids the character itself, so the escape can only come as a reference: the parser refuses it
        assert err.value.file == "rb.gpx" and err.value.line == 3
    else:
        located(err, "rb.gpx", 3, "wpm.name")
        assert why in err.value.message
    body = WPM.replace("<openrally:wpm/>", f'<openrally:wpm name="{"K" * MAX_NAME_CHARS}"/>')
    assert parse_roadbook(roadbook(body), FIA).waypoints[0].name == "K" * MAX_NAME_CHARS


def test_a_tab_in_a_name_is_refused_as_a_control_character():
    body = WPM.replace("<openrally:wpm/>", '<openrally:wpm name="K&#9;1"/>')
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(body), FIA, file="rb.gpx")
    located(err, "rb.gpx", 3, "wpm.name")


@pytest.mark.parametrize(
    "attr, field",
    [
        ('clear="٢٠٠"', "wpm.clear"),
        ('clear="1_000"', "wpm.clear"),
        ('clear="nan"', "wpm.clear"),
        ('clear="inf"', "wpm.clear"),
        ('clear="1e999"', "wpm.clear"),
    ],
)
def test_roadbook_numbers_are_ascii_decimals(attr, field):
    body = WPM.replace("<openrally:wpm/>", f"<openrally:wpm {attr}/>")
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(body), FIA, file="rb.gpx")
    located(err, "rb.gpx", 3, field)


def test_roadbook_coordinates_are_ascii_decimals():
    with pytest.raises(InputError) as err:
        parse_roadbook(roadbook(WPM.replace('lat="24.0"', 'lat="٢٤"')), FIA, file="rb.gpx")
    located(err, "rb.gpx", 3, "lat")


# --- GPX tracks --------------------------------------------------------------------------------


def gpx_track(name: str, points: str | None = None, prolog: str = "") -> str:
    points = (
        points
        if points is not None
        else (
            '<trkpt lat="24.0" lon="45.0"><time>2026-01-05T08:00:00Z</time></trkpt>\n'
            '<trkpt lat="24.0001" lon="45.0"><time>2026-01-05T08:00:01Z</time></trkpt>\n'
        )
    )
    return (
        f'<?xml version="1.0"?>\n{prolog}<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1">\n'
        f"<trk><name>{name}</name><trkseg>\n{points}</trkseg></trk>\n</gpx>\n"
    )


@pytest.mark.parametrize("name", ["99999999999", "2147483648"])
def test_a_gpx_bib_too_large_for_the_fleet_is_refused(tmp_path: Path, name):
    path = tmp_path / "crew.gpx"
    path.write_text(gpx_track(name))
    with pytest.raises(InputError) as err:
        read_fleet(path)
    located(err, str(path), 3, "name")


def test_a_superscript_digit_is_not_a_bib(tmp_path: Path):
    path = tmp_path / "crew.gpx"
    path.write_text(gpx_track("²"))
    with pytest.raises(InputError) as err:  # once: ValueError from int("²")
        read_fleet(path)
    located(err, str(path), 3, "name")
    named = tmp_path / "7.gpx"
    named.write_text(gpx_track("²"))
    assert read_fleet(named).bibs.tolist() == [7]  # the file's stem, as for any other name


def test_a_gpx_track_with_entities_is_refused(tmp_path: Path):
    path = tmp_path / "5.gpx"
    path.write_text(gpx_track("&a9;", prolog=BILLION_LAUGHS))
    with pytest.raises(InputError) as err:
        read_fleet(path)
    located(err, str(path), 2, "DOCTYPE")


@pytest.mark.parametrize(
    "point, field",
    [
        ('<trkpt lat="٢٤" lon="45.0"><time>2026-01-05T08:00:02Z</time></trkpt>', "lat"),
        ('<trkpt lat="24" lon="45.0"><time>9999-12-31T23:00:00-12:00</time></trkpt>', "time"),
        ('<trkpt lat="24" lon="45.0"><time>1969-12-31T23:59:59Z</time></trkpt>', "time"),
        (
            '<trkpt lat="24" lon="45.0"><time>2026-01-05T08:00:02Z</time><speed>1_0</speed></trkpt>',
            "speed",
        ),
        ('<trkpt lat="24" lon="45.0"><time>' + "2" * 300 + "</time></trkpt>", "time"),
    ],
)
def test_bad_gpx_values_are_located(tmp_path: Path, point, field):
    path = tmp_path / "5.gpx"
    path.write_text(gpx_track("5", point + "\n"))
    with pytest.raises(InputError) as err:
        read_fleet(path)
    located(err, str(path), 4, field)


# --- CSV and Parquet tracks --------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, field",
    [
        ("99999999999,2026-01-05T08:00:00Z,24.0,45.0,", "bib"),  # once: an unhandled pyarrow error
        ("-3,2026-01-05T08:00:00Z,24.0,45.0,", "bib"),
        ("0x10,2026-01-05T08:00:00Z,24.0,45.0,", "bib"),  # pyarrow reads it as 16
        ("٢٠٠,2026-01-05T08:00:00Z,24.0,45.0,", "bib"),  # int() reads it as 200
        ("5,2026-01-05T08:00:00Z,2_0.46,45.0,", "lat"),  # once: an unhandled pyarrow error
        ("5,2026-01-05T08:00:00Z,٢٤,45.0,", "lat"),
        (
            "5,9999-12-31T23:00:00-12:00,24.0,45.0,",
            "time",
        ),  # once recorded, then crashed every --as-of
        ("5,2026-01-05T08:00:00Z,24.0,45.0,fast", "speed"),
    ],
)
def test_bad_csv_values_are_located(tmp_path: Path, row, field):
    path = tmp_path / "tracks.csv"
    path.write_text("bib,time,lat,lon,speed\n5,2026-01-05T07:59:59Z,24.0,45.0,\n" + row + "\n")
    with pytest.raises(InputError) as err:
        read_fleet(path)
    located(err, str(path), 3, field)


def test_csv_read_typed_or_as_text_gives_the_same_fleet(tmp_path: Path):
    typed, text = tmp_path / "typed.csv", tmp_path / "text.csv"
    rows = "5,2026-01-05T08:00:00Z,24.0,45.0,10\n3,2026-01-05T08:00:01Z,24.1,45.1,\n"
    typed.write_text("bib,time,lat,lon,speed\n" + rows)
    text.write_text(
        "bib,time,lat,lon,speed\n" + rows + "3,2026-01-05T08:00:02,24.1,45.1,\n"
    )  # naive: read as text
    a, b = read_fleet(typed), read_fleet(text)
    assert a.bibs.tolist() == b.bibs.tolist() == [3, 5]
    assert a.t_ms.tolist() == b.t_ms.tolist()[:1] + b.t_ms.tolist()[2:]
    assert np.array_equal(a.speed_kmh, b.speed_kmh[[0, 2]], equal_nan=True)


@pytest.mark.parametrize("bib", [-1, 2**31])
def test_parquet_bibs_out_of_range_are_refused(tmp_path: Path, bib):
    path = tmp_path / "tracks.parquet"
    pq.write_table(
        pa.table(
            {
                "bib": pa.array([1, bib], pa.int64()),
                "time": pa.array([1_767_600_000_000] * 2),
                "lat": [24.0, 24.0],
                "lon": [45.0, 45.0],
            }
        ),
        path,
    )
    with pytest.raises(InputError) as err:
        read_fleet(path)
    assert (err.value.line, err.value.field) == (2, "bib")


# --- pictures ----------------------------------------------------------------------------------


def test_a_mathtext_waypoint_name_is_drawn_as_text_by_check_and_scan(
    event: Path, capsys, tmp_path: Path
):
    rb = event / "roadbooks" / "stage-1.gpx"
    rb.write_text(rb.read_text().replace('name="K3"', 'name="$\\frac{1}$"'))
    evidence = tmp_path / "evidence"
    code, out, err = cli(
        capsys,
        "track",
        "check",
        str(rb),
        str(event / "tracks/stage-1.csv"),
        "--format",
        "json",
        "--evidence",
        str(evidence),
    )
    assert code == 0, err
    assert [m["name"] for m in json.loads(out)["crews"]["1"]["missed"]] == ["$\\frac{1}$"]
    assert sorted(p.name for p in evidence.iterdir()) == ["1-missed-wp3.png", "1-speeding-z1.png"]
    code, _, err = cli(capsys, "track", "scan", str(event), "--stage", "1")
    assert code == 0, err
    pictures = sorted(p.name for p in (event / "evidence" / "stage-1").iterdir())
    assert pictures == ["1-missed-wp3.png", "1-speeding-z1.png"]  # no temporary file left


def test_a_failed_drawing_leaves_no_picture_behind(event: Path, capsys, monkeypatch):
    from raidcontrol.io import evidence

    def broken(*_args, **_kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(evidence, "speeding_picture", broken)  # after the missed waypoint's
    store = JournalStore(default_url(event), event_key=event.resolve().name)
    EventSession.open(event).close()
    before = len(store.records())
    with pytest.raises(RuntimeError):
        cli(capsys, "track", "scan", str(event), "--stage", "1")
    assert not (event / "evidence" / "stage-1").exists()
    assert [p.name for p in (event / "evidence").iterdir()] == []  # nor a staging folder
    assert len(store.records()) == before


def test_the_scanner_and_the_parser_agree_on_a_regular_file(tmp_path: Path):
    points = "".join(
        f'<trkpt lat="24.{k:04d}" lon="45.0"><ele>10</ele><time>2026-01-05T08:00:{k:02d}.250Z</time>'
        f"<speed>{k}.5</speed></trkpt>\n"
        for k in range(30)
    )
    path = tmp_path / "8.gpx"
    path.write_text(gpx_track("8", points))
    scanned, parsed = gpx_tracks.scan_gpx(path), gpx_tracks.parse_gpx(path)
    for a, b in zip(scanned, parsed):
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
