"""A stage followed live (LiveStage): ingest in every format, idempotent resends, bad batches that
store nothing, a restart that loses no fix and no finding, revisions in the journal, and the final
proposals equal to ``track scan``'s — on SQLite, and on PostgreSQL when a server is given."""

from __future__ import annotations

import io
import json
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from typer.testing import CliRunner

from raidcontrol.cli.main import app
from raidcontrol.core.errors import InputError
from raidcontrol.io.fix_batch import ARROW_TYPES, CSV_TYPES, JSONL_TYPES
from raidcontrol.io.tracks import read_fleet
from raidcontrol.live_stage import LiveStage
from raidcontrol.tracking.proposals import PROPOSED
from tests.conftest import live_stage_args

PG_URL = os.environ.get("RAIDCONTROL_TEST_PG_URL")
SIM_ARGS = live_stage_args(12)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("live") / "sim"
    result = CliRunner().invoke(app, ["simulate", str(out), *SIM_ARGS])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def event(simulated, tmp_path) -> Path:
    """A fresh copy of the simulated event (its own journal), with a unique event id."""
    folder = tmp_path / "event"
    shutil.copytree(simulated, folder)
    (folder / "event.toml").write_text(
        f'id = "live-{uuid.uuid4().hex}"\n' + (folder / "event.toml").read_text()
    )
    return folder


def backends():
    yield None
    if PG_URL:
        yield PG_URL
    elif os.environ.get("RAIDCONTROL_REQUIRE_PG"):
        pytest.fail("RAIDCONTROL_REQUIRE_PG is set but RAIDCONTROL_TEST_PG_URL is not")


def time_ordered(event: Path) -> pa.Table:
    table = pacsv.read_csv(
        event / "tracks" / "stage-1.csv",
        convert_options=pacsv.ConvertOptions(column_types={"time": pa.string()}),
    )
    return table.take(np.argsort(np.asarray(table["time"].to_pylist()), kind="stable"))


def csv_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(table, buf)
    return buf.getvalue()


def jsonl_bytes(table: pa.Table) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in table.to_pylist()).encode()


def arrow_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def proposals(event: Path, db: str | None) -> dict[str, dict]:
    from raidcontrol.session import EventSession

    session = EventSession.open(event, db_url=db)
    try:
        return {r.key: r.payload for r in session.state.of_kind(PROPOSED)}
    finally:
        session.close()


def scan_appends(event: Path, db: str | None) -> str:
    env = {"RAIDCONTROL_DB": db} if db else {}
    result = CliRunner().invoke(
        app, ["track", "scan", str(event), "--stage", "1", "--no-pictures"], env=env
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_followed_in_any_format_the_final_proposals_are_track_scans(event):
    for db in backends():
        table = time_ordered(event)
        live = LiveStage.open(event, 1, db, pictures=False)
        encoders = [
            (csv_bytes, CSV_TYPES[0]),
            (jsonl_bytes, JSONL_TYPES[0]),
            (arrow_bytes, ARROW_TYPES[0]),
        ]
        seen_live = False
        for k, at in enumerate(range(0, table.num_rows, 1500)):
            encode, ctype = encoders[k % 3]
            result = live.ingest(encode(table.slice(at, 1500)), ctype)
            assert result.received == min(1500, table.num_rows - at)
            seen_live |= any(r.payload is not None for r in result.records)
        assert seen_live  # proposals appeared while the stage ran
        live.close()
        live.shut()
        live_view = proposals(event, db)
        assert live_view and all(p["code"] for p in live_view.values())
        assert "0 journal record(s) appended" in scan_appends(event, db)  # nothing left to change
        assert proposals(event, db) == live_view


def test_a_resent_burst_stores_and_records_nothing_twice(event):
    table = time_ordered(event).slice(0, 3000)
    live = LiveStage.open(event, 1, pictures=False)
    first = live.ingest(csv_bytes(table), "text/csv")
    again = live.ingest(csv_bytes(table), "text/csv; charset=utf-8")
    distinct = len({(r["bib"], r["time"]) for r in table.to_pylist()})
    assert distinct < 3000  # the trackers' own duplicates are in the burst
    assert (first.kept, first.resent) == (distinct, 3000 - distinct)
    assert (again.kept, again.resent, again.records) == (0, 3000, [])
    assert live.fixes.count(1) == distinct
    live.shut()


@pytest.mark.parametrize(
    "body, ctype, where",
    [
        (
            b"bib,time,lat,lon\n1,2026-01-13T04:28:25Z,20.47,44.78\n1,2026-01-13T04:28:26Z,95.0,44.78\n",
            "text/csv",
            "post:3: field 'lat'",
        ),
        (
            b'{"bib": 1, "time": "2026-01-13T04:28:25Z", "lat": 20.47, "lon": 44.78}\n{"bib": 1, "lat": 20.4, "lon": 44.7}\n',
            "application/x-ndjson",
            "post:2: field 'time'",
        ),
        (
            b'{"bib": 1, "time": "2026-01-13T04:28:25Z", "lat": 20.47, "lon": 44.78}\nnot json\n',
            "application/x-ndjson",
            "post:2: ",
        ),
        (
            b"bib,time,lat,lon\n1,2026-01-13T04:28:25Z,20.47,44.78\n",
            "application/xml",
            "post: field 'content-type'",
        ),
        (b"\x00garbage", ARROW_TYPES[0], "post: "),
    ],
)
def test_a_bad_batch_is_refused_with_its_line_and_field_and_stores_nothing(
    event, body, ctype, where
):
    live = LiveStage.open(event, 1, pictures=False)
    with pytest.raises(InputError) as err:
        live.ingest(body, ctype, source="post")
    assert str(err.value).startswith(where)
    assert live.fixes.count(1) == 0 and live.live.crews == {}
    live.shut()


def test_a_restart_mid_stage_loses_no_fix_and_no_finding(event):
    for db in backends():
        table = time_ordered(event)
        half = table.num_rows // 2
        live = LiveStage.open(event, 1, db, pictures=False)
        live.ingest(csv_bytes(table.slice(0, half)), "text/csv")
        before = proposals(event, db)
        held = live.fixes.count(1)
        live.shut()  # the process stops mid-stage
        again = LiveStage.open(event, 1, db, pictures=False)
        assert (
            again.fixes.count(1) == held and again.restored == []
        )  # nothing lost, nothing re-recorded
        assert proposals(event, db) == before and before
        again.ingest(csv_bytes(table.slice(half)), "text/csv")
        again.close()
        again.shut()
        assert "0 journal record(s) appended" in scan_appends(event, db)


def test_a_crash_between_storing_fixes_and_recording_proposals_is_repaired_on_reopen(event):
    from raidcontrol.io.fix_store import FixStore

    live = LiveStage.open(event, 1, pictures=False)
    url, key = live.fixes.url, live.fixes.event_key
    live.shut()
    store = FixStore(url, key)  # fixes stored, the process dies before the journal
    store.append(1, read_fleet(event / "tracks" / "stage-1.csv"))
    store.close()
    reopened = LiveStage.open(event, 1, pictures=False)
    assert reopened.restored and all(r.kind == PROPOSED for r in reopened.restored)
    reopened.close()
    reopened.shut()
    assert "0 journal record(s) appended" in scan_appends(event, None)


def test_late_fixes_revise_and_withdraw_proposals_in_the_journal(event):
    """Hold back the fixes near a waypoint a crew validated: once the crew is past the next one it
    is proposed as missed; the late fixes then withdraw it with a tombstone superseding it."""
    truth = json.loads((event / "truth" / "stage-1.json").read_text())
    table = time_ordered(event)
    rows = table.to_pylist()
    from raidcontrol.io.openrally import read_roadbook
    from raidcontrol.rules import load_rulebook
    from raidcontrol.tracking.rules import TrackingRules

    rb = read_roadbook(
        event / "roadbooks" / "stage-1.gpx", TrackingRules.from_rulebook(load_rulebook("fia-2026"))
    )
    crews = truth["crews"]
    bib = next(int(b) for b, c in crews.items() if not c["missed"])
    wp = rb.waypoints[2]
    near = [
        i
        for i, r in enumerate(rows)
        if r["bib"] == bib
        and abs(r["lat"] - wp.lat) * 111_000 < 1500
        and abs(r["lon"] - wp.lon) * 104_000 < 1500
    ]
    assert near
    held = table.take(near)
    rest = table.take(sorted(set(range(len(rows))) - set(near)))
    live = LiveStage.open(event, 1, pictures=False)
    live.ingest(csv_bytes(rest), "text/csv")
    key = f"1/{bib}/missed-wp3"
    proposed = live.state.get(PROPOSED, key)
    assert proposed is not None
    late = live.ingest(csv_bytes(held), "text/csv")
    withdrawn = [r for r in late.records if r.key == key]
    assert (
        len(withdrawn) == 1
        and withdrawn[0].payload is None
        and withdrawn[0].supersedes == proposed.id
    )
    assert live.state.get(PROPOSED, key) is None
    live.shut()


def test_positions_of_a_followed_stage_rank_the_crews(event):
    table = time_ordered(event)
    live = LiveStage.open(event, 1, pictures=False)
    live.ingest(csv_bytes(table.slice(0, table.num_rows // 2)), "text/csv")
    found = live.positions(now_ms=10**15, delay_ms=0)
    live.shut()
    ranked = [p for p in found if p.rank is not None]
    assert ranked and [p.rank for p in ranked] == list(range(1, len(ranked) + 1))
    assert all(p.running_ms is not None and p.running_ms > 0 for p in ranked)
    assert [(-p.last_wp_index, p.running_ms) for p in ranked] == sorted(
        (-p.last_wp_index, p.running_ms) for p in ranked
    )


def test_late_fixes_inside_a_speeding_zone_revise_the_proposal_superseding_it(event):
    truth = json.loads((event / "truth" / "stage-1.json").read_text())["crews"]
    bib, over = next((int(b), c["speeding"][0]) for b, c in truth.items() if c["speeding"])
    table = time_ordered(event)
    rows = table.to_pylist()

    def _instant_ms(text: str) -> int:
        return int(datetime.fromisoformat(text).timestamp() * 1000)

    late = [
        i
        for i, r in enumerate(rows)
        if r["bib"] == bib and over["start_ms"] + 3000 <= _instant_ms(r["time"]) <= over["end_ms"]
    ]
    assert len(late) > 5
    live = LiveStage.open(event, 1, pictures=False)
    live.ingest(csv_bytes(table.take(sorted(set(range(len(rows))) - set(late)))), "text/csv")
    zone = next(
        z for z, name in enumerate(live.live.roadbook.zones, 1) if name.name == over["zone"]
    )
    key = f"1/{bib}/speeding-z{zone}"
    first = live.state.get(PROPOSED, key)
    assert first is not None  # proposed on the fixes it had
    revised = [
        r for r in live.ingest(csv_bytes(table.take(late)), "text/csv").records if r.key == key
    ]
    assert (
        len(revised) == 1
        and revised[0].supersedes == first.id
        and revised[0].payload != first.payload
    )
    live.close()
    live.shut()
    assert "0 journal record(s) appended" in scan_appends(event, None)


def test_a_scan_recorded_meanwhile_is_not_recorded_again_nor_undone(event):
    """Another writer (track scan) records the whole stage while the follower runs: the follower's
    next batches append nothing that scan already recorded."""
    table = time_ordered(event)
    live = LiveStage.open(event, 1, pictures=False)
    live.ingest(csv_bytes(table.slice(0, table.num_rows // 2)), "text/csv")
    scan_appends(event, None)  # the whole stage's findings, recorded by another process
    after_scan = proposals(event, None)
    late = (
        live.ingest(csv_bytes(table.slice(table.num_rows // 2)), "text/csv").records + live.close()
    )
    live.shut()
    assert after_scan and late == []
    assert proposals(event, None) == after_scan
