"""What the pages show, computed from an event (pure views over a snapshot)."""

from __future__ import annotations

from pathlib import Path

from raidcontrol.core.journal import Record
from raidcontrol.session import EventSession
from raidcontrol.web import views
from tests.conftest import make_event

TIMES = """\
1,200,2025-01-05T08:00:00Z,2025-01-05T12:00:00Z,finished
1,201,2025-01-05T08:02:00Z,2025-01-05T12:01:00Z,finished
1,202,2025-01-05T08:04:00Z,2025-01-05T12:10:00Z,finished
2,200,2025-01-06T08:00:00Z,2025-01-06T12:30:00Z,finished
2,201,2025-01-06T08:02:00Z,2025-01-06T12:00:00Z,finished
2,202,2025-01-06T08:04:00Z,,finished
"""


def _snap(folder: Path, records: list[Record] = ()) -> views.Snapshot:
    session = EventSession.open(folder)
    try:
        if records:
            session.record(list(records))
        last = session.state.history[-1]
        return views.Snapshot(
            session.event,
            session.rulebook,
            session.effects,
            session.state,
            last.id,
            folder,
            last.recorded_at,
        )
    finally:
        session.close()


def test_stage_states_and_position_changes(tmp_path):
    folder = make_event(
        tmp_path / "ev",
        stages=(1, 2, 3),
        times=TIMES.replace(
            "2,202,2025-01-06T08:04:00Z,,finished",
            "2,202,2025-01-06T08:04:00Z,2025-01-06T13:00:00Z,finished",
        ),
        adjustments="1,201,penalty,0:05:00,stage,speeding",
    )
    snap = _snap(folder)
    states = {row.number: row.state for row in views.itinerary(snap)}
    assert states == {1: views.PROVISIONAL, 2: views.PROVISIONAL, 3: views.NOT_STARTED}
    after, lines = views.general_lines(snap, 2)
    assert after == 2
    by_bib = {ln.line.bib: ln for ln in lines}
    # after stage 1: 200 (4:00), 202 (4:06), 201 (3:59 + 5:00 = 4:04) → 200, 201, 202
    # after stage 2: 201 (4:04 + 3:58 = 8:02), 200 (8:30), 202 (4:06 + 4:56 = 9:02)
    assert [ln.line.bib for ln in lines[:3]] == [201, 200, 202]
    assert by_bib[201].change == 1 and by_bib[200].change == -1 and by_bib[202].change == 0
    stage1 = {ln.line.bib: ln for ln in views.stage_lines(snap, 1)}
    assert stage1[201].decisions and stage1[200].decisions == ()


def test_crew_page_lists_the_stages_with_a_result(tmp_path):
    folder = make_event(tmp_path / "ev", stages=(1, 2), times=TIMES.split("2,200")[0])
    snap = _snap(folder)
    assert views.stage_state(snap, 2) == views.NOT_STARTED
    stages = views.crew_stages(snap, 200)
    assert [s.number for s in stages] == [1]
    assert (
        stages[0].parts[0]["ms"] == 4 * 3600_000 and stages[0].stage_position == 2
    )  # 201 did 3:59


def test_notices_in_order_and_reversal(tmp_path):
    folder = make_event(
        tmp_path / "ev",
        times=TIMES.split("2,200")[0],
        adjustments="1,202,penalty,0:01:00,special,late at CP",
    )
    first = Record(
        "decision",
        "n1",
        {"text": "#201 disqualified", "role": "steward", "bib": 201},
        author="Chief steward",
        origin="service",
    )
    snap = _snap(folder, [first])
    appeal = Record(
        "decision",
        "n1",
        {"text": "appeal upheld: #201 reinstated", "role": "steward", "bib": 201},
        author="Court of appeal",
        origin="service",
        supersedes=snap.state.get("decision", "n1").id,
    )
    snap = _snap(folder, [appeal])
    notices = views.notices(snap)
    assert [n.text for n in notices][-2:] == ["#201 disqualified", "appeal upheld: #201 reinstated"]
    assert [n.reversed for n in notices][-2:] == [True, False]
    assert notices[0].text.startswith("penalty 0:01:00 (special) — #202 stage 1: late at CP")
    assert [n.number for n in notices] == sorted(n.number for n in notices)


def test_search_by_bib_name_or_team(tmp_path):
    snap = _snap(make_event(tmp_path / "ev", times=TIMES.split("2,200")[0]))
    assert views.search(snap, "#201") == [201]
    assert views.search(snap, "team a") == [200]
    assert views.search(snap, "nav") == [200, 201, 202, 500, 501]
    assert views.search(snap, "  ") == []


def test_gap_series_follows_the_general(tmp_path):
    snap = _snap(
        make_event(
            tmp_path / "ev",
            stages=(1, 2),
            times=TIMES.replace(
                "2,202,2025-01-06T08:04:00Z,,finished",
                "2,202,2025-01-06T08:04:00Z,2025-01-06T13:00:00Z,finished",
            ),
        )
    )
    stages, series = views.gap_series(snap, None, 2)
    assert stages == [1, 2]
    assert list(series) == [201, 200]  # the top two after the last stage
    assert series[201] == [0, 0]
    assert series[200] == [60_000, 33 * 60_000]  # 4:00 vs 3:59, then 8:30 vs 7:57
