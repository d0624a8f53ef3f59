"""The tracking commands end to end: `track check` JSON, `track scan` into the journal,
`penalties list/confirm/dismiss`, and bad input (exit 2, nothing recorded)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from raidcontrol.cli.common import run_guarded
from raidcontrol.cli.main import app
from raidcontrol.session import EventSession
from raidcontrol.store import JournalStore, default_url
from raidcontrol.tracking.geodesy import from_local_xy

LAT0, LON0 = 24.5, 45.2
T0 = 1_767_600_000_000
NS = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0.0"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    with mock.patch.object(sys, "argv", ["raidcontrol", *args]):
        code = run_guarded(app)
    out = capsys.readouterr()
    return code, out.out, out.err


def _pt(x: float, y: float) -> tuple[float, float]:
    lat, lon = from_local_xy(x, y, LAT0, LON0)
    return float(lat), float(lon)


def roadbook_text() -> str:
    items = [
        (0, 0, "<openrally:dss/>"),
        (1000, 0, '<openrally:wpm name="K1"/>'),
        (2000, 0, "<openrally:dz/><openrally:speed>50</openrally:speed>"),
        (3000, 0, "<openrally:fz/>"),
        (4000, 0, "<openrally:wps/>"),
        (5000, 400, '<openrally:wpm name="K3"/>'),
        (6000, 0, "<openrally:ass/>"),
    ]
    body = ""
    for x, y, inner in items:
        lat, lon = _pt(x, y)
        body += f'  <wpt lat="{lat:.8f}" lon="{lon:.8f}"><extensions>{inner}</extensions></wpt>\n'
    return (
        f'<?xml version="1.0"?>\n<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" '
        f'xmlns:openrally="{NS}">\n{body}</gpx>\n'
    )


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")


def tracks_csv() -> str:
    """Bib 1 drives the route at 72 km/h (speeds in the zone, misses K3 400 m off the road);
    bib 2 drives at 45 km/h through the zone and detours to K3; both without device speed."""
    rows = ["bib,time,lat,lon,speed"]
    for bib, v, detour in ((1, 20.0, False), (2, 12.5, True)):
        xs = np.arange(0.0, 6000.0 + v, v)
        ys = np.where(detour & (np.abs(xs - 5000) < 400), 400 - np.abs(xs - 5000), 0.0)
        for k, (x, y) in enumerate(zip(xs, ys)):
            lat, lon = _pt(x, y)
            rows.append(f"{bib},{iso(T0 + k * 1000)},{lat:.8f},{lon:.8f},")
    return "\n".join(rows) + "\n"


@pytest.fixture()
def event(tmp_path: Path) -> Path:
    folder = tmp_path / "rally"
    (folder / "roadbooks").mkdir(parents=True)
    (folder / "tracks").mkdir()
    (folder / "event.toml").write_text(
        'name = "Test Rally"\nrulebook = "fia-2026"\n\n[[stage]]\nnumber = 1\n'
        'name = "One"\nspecial_km = 6.0\nmax_time = "2:00:00"\ncounts_for_general = true\n'
    )
    (folder / "entries.csv").write_text(
        "bib,category,class,driver,codriver,team,brand,model\n"
        "1,Ultimate,T1+,Ann Driver,Bo Nav,Team A,Toyota,Hilux\n"
        "2,Ultimate,T1+,Cy Driver,Di Nav,Team B,Ford,Raptor\n"
    )
    (folder / "roadbooks" / "stage-1.gpx").write_text(roadbook_text())
    (folder / "tracks" / "stage-1.csv").write_text(tracks_csv())
    return folder


def test_track_check_prints_the_acceptance_json(event: Path, capsys):
    code, out, _ = cli(
        capsys,
        "track",
        "check",
        str(event / "roadbooks/stage-1.gpx"),
        str(event / "tracks/stage-1.csv"),
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"crews"} and set(doc["crews"]) == {"1", "2"}
    one, two = doc["crews"]["1"], doc["crews"]["2"]
    assert one["validated"] == ["K1", "WP2"]
    assert [(m["name"], m["type"], m["penalty"]) for m in one["missed"]] == [
        ("K3", "WPM", "0:15:00")
    ]
    [sp] = one["speeding"]
    assert (sp["zone"], sp["limit_kmh"], sp["penalty"]) == (
        "DZ1",
        50.0,
        "0:02:00",
    )  # +22 km/h: the 11-26 band
    assert sp["max_speed_kmh"] == pytest.approx(72.0, abs=0.2) and sp[
        "excess_kmh"
    ] == pytest.approx(22.0, abs=0.2)
    assert sp["start"].startswith("2026-01-05T08:01:") and sp["end"].startswith("2026-01-05T08:02:")
    assert one["penalty_total"] == "0:17:00"
    assert two["validated"] == ["K1", "WP2", "K3"] and two["missed"] == [] and two["speeding"] == []
    assert two["penalty_total"] == "0:00:00"


def test_scan_records_proposals_once_and_only_confirmed_ones_count(event: Path, capsys):
    code, out, err = cli(capsys, "track", "scan", str(event), "--stage", "1")
    assert code == 0, err
    state = EventSession.open(event).state
    proposals = sorted(state.of_kind("penalty-proposed"), key=lambda r: r.key)
    assert [r.key for r in proposals] == ["1/1/missed-wp3", "1/1/share", "1/1/speeding-z1"]
    assert all(r.author == "tracking" and r.origin == "tracking" for r in proposals)
    missed, share, speeding = proposals
    assert (
        share.payload["status"] == "did-not-finish" and share.payload["amount_ms"] == 0
    )  # 2 of 3 waypoints < 70 %
    assert (
        missed.payload["amount_ms"] == 15 * 60_000 and speeding.payload["amount_ms"] == 2 * 60_000
    )
    assert speeding.payload["evidence"]["fixes_over_limit"]["speed_kmh"]  # the fixes behind it
    picture = event / speeding.payload["evidence"]["picture"]
    assert picture.is_file() and picture.parent == event / "evidence" / "stage-1"
    n_before = len(JournalStore(default_url(event), event_key=event.resolve().name).records())

    code, _, _ = cli(
        capsys, "track", "scan", str(event), "--stage", "1"
    )  # the same again: nothing new
    assert code == 0
    assert (
        len(JournalStore(default_url(event), event_key=event.resolve().name).records()) == n_before
    )

    code, out, _ = cli(capsys, "penalties", "list", str(event), "--format", "json")
    assert code == 0 and [row["state"] for row in json.loads(out)] == ["proposed"] * 3

    assert (
        cli(
            capsys,
            "penalties",
            "confirm",
            str(speeding.id),
            "--event",
            str(event),
            "--by",
            "J. Seinen",
        )[0]
        == 0
    )
    assert (
        cli(
            capsys,
            "penalties",
            "dismiss",
            str(missed.id),
            "--event",
            str(event),
            "--reason",
            "roadbook error",
        )[0]
        == 0
    )
    code, out, _ = cli(capsys, "penalties", "list", str(event), "--format", "json")
    states = {row["code"]: (row["state"], row["by"]) for row in json.loads(out)}
    assert states == {
        "speeding-z1": ("confirmed", "J. Seinen"),
        "missed-wp3": ("dismissed", "stewards"),
        "share": ("proposed", ""),
    }
    session = EventSession.open(event)
    counted = [(a.bib, a.amount_ms) for a in session.event.adjustments]
    assert counted == [(1, 2 * 60_000)]  # only the confirmed one
    decision = session.state.get("penalty-decision", str(missed.id))
    assert decision.payload == {
        "decision": "dismissed",
        "reason": "roadbook error",
        "proposal": missed.id,
    }


def test_a_dismissal_needs_a_reason_and_an_unknown_proposal_is_bad_input(event: Path, capsys):
    assert cli(capsys, "track", "scan", str(event), "--stage", "1", "--no-pictures")[0] == 0
    code, _, err = cli(capsys, "penalties", "confirm", "9999", "--event", str(event))
    assert code == 2 and "9999" in err
    code, _, _ = cli(capsys, "penalties", "dismiss", "1", "--event", str(event))  # --reason missing
    assert code == 2


def _damage_line(text: str, line: int, column: int, value: str) -> str:
    lines = text.splitlines()
    cells = lines[line - 1].split(",")
    cells[column] = value
    lines[line - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "damage, where",
    [
        (lambda text: _damage_line(text, 9, 1, ""), "stage-1.csv:9: field 'time'"),
        (lambda text: _damage_line(text, 6, 2, "nan"), "stage-1.csv:6: field 'lat'"),
        (lambda text: _damage_line(text, 7, 3, "245.0"), "stage-1.csv:7: field 'lon'"),
    ],
)
def test_bad_tracks_stop_the_scan_with_a_located_error_and_record_nothing(
    event: Path, capsys, damage, where
):
    path = event / "tracks" / "stage-1.csv"
    path.write_text(damage(path.read_text()))
    EventSession.open(event).close()  # the folder itself is fine
    store = JournalStore(default_url(event), event_key=event.resolve().name)
    before = len(store.records())
    code, _, err = cli(capsys, "track", "scan", str(event), "--stage", "1")
    assert code == 2
    assert where.replace(" ", "") in "".join(err.split())
    assert len(store.records()) == before
    assert not (event / "evidence").exists()


def test_a_corrupt_roadbook_is_bad_input_for_check_and_scan(event: Path, capsys):
    path = event / "roadbooks" / "stage-1.gpx"
    path.write_text(path.read_text()[:-40])
    code, _, err = cli(
        capsys, "track", "check", str(path), str(event / "tracks/stage-1.csv"), "--format", "json"
    )
    assert code == 2 and "stage-1.gpx:9:notwell-formedXML" in "".join(err.split())
    assert cli(capsys, "track", "scan", str(event), "--stage", "1")[0] == 2
    store = JournalStore(default_url(event), event_key=event.resolve().name)
    assert store.records(["penalty-proposed"]) == []
