"""Officials' requests as journal records (pure): starts then finishes, neutralised segments, appeals."""

from __future__ import annotations

import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import fold
from raidcontrol.io.event_folder import read_event_folder
from raidcontrol.service import commands, schemas
from raidcontrol.service.view import snapshot_of
from tests.conftest import make_event
from tests.service.conftest import SMALL_TIMES


def _snap(tmp_path, extra=()):
    folder = make_event(tmp_path / "rally", times=SMALL_TIMES, stages=(1, 2))
    (folder / "splits.csv").write_text(
        "stage,bib,waypoint,elapsed\n1,200,WP2,1:00:00\n1,201,WP2,1:10:00\n1,202,WP2,0:50:00\n"
    )
    records = read_event_folder(folder)[1] + list(extra)
    records = [r.__class__(**{**r.__dict__, "id": i + 1}) for i, r in enumerate(records)]
    return snapshot_of(fold(records), len(records)), records


def test_a_start_then_a_finish_make_one_time_record(tmp_path):
    snap, records = _snap(tmp_path)
    start = commands.time_records(
        snap, schemas.TimeIn(stage=2, bib=200, start="10:00:00"), "timekeeper", "tk"
    )
    assert [(r.kind, r.key, r.payload["start"]) for r in start] == [("start", "2/200", "10:00:00")]
    start = [start[0].__class__(**{**start[0].__dict__, "id": len(records) + 1})]
    snap2 = snapshot_of(fold(records + start), len(records) + 1)
    finish = commands.time_records(
        snap2, schemas.TimeIn(stage=2, bib=200, finish="13:00:00"), "timekeeper", "tk"
    )
    assert finish[0].kind == "time" and finish[0].payload["start"] == "10:00:00"
    assert finish[0].origin == "timekeepers" and finish[0].author == "tk"
    with pytest.raises(InputError) as err:
        commands.time_records(
            snap, schemas.TimeIn(stage=2, bib=201, finish="13:00:00"), "timekeeper", "tk"
        )
    assert err.value.field == "start"


def test_a_neutralised_segment_credits_each_crew_its_time_between_the_points(tmp_path):
    snap, _ = _snap(tmp_path)
    req = schemas.NeutralisationIn(
        stage=1, from_point="WP2", to_point="finish", reason="road closed", decision="D-5"
    )
    out = commands.neutralisation_records(snap, req, "steward", "st")
    assert out[0].kind == "neutralisation" and out[0].payload["not_credited"] == [500, 501]
    credits = {r.payload["bib"]: r.payload["amount_ms"] for r in out[1:]}
    assert credits == {
        200: 2 * 3600_000,
        201: 3600_000 * 2 - 2 * 60_000,
        202: 3600_000 * 2 + 7 * 60_000,
    }
    assert all(r.payload["kind"] == "credit" and r.payload["scope"] == "special" for r in out[1:])


def test_an_appeal_reversing_a_disqualification_restores_the_time_exactly(tmp_path):
    snap, records = _snap(tmp_path)
    dq = commands.disqualification_records(
        snap,
        schemas.DisqualificationIn(stage=1, bib=202, reason="x", decision="D-6"),
        "steward",
        "st",
    )[0]
    dq = dq.__class__(**{**dq.__dict__, "id": len(records) + 1})
    snap2 = snapshot_of(fold(records + [dq]), dq.id)
    earlier = next(r for r in records if r.kind == "time" and r.key == "1/202")
    out = commands.appeal_records(
        snap2,
        schemas.AppealIn(record=dq.id, outcome="reversed", reason="y", decision="A-1"),
        "steward",
        "st",
        earlier,
    )
    assert [r.kind for r in out] == ["appeal", "time"] and out[1].payload == earlier.payload
    with pytest.raises(InputError):  # only a stewards' decision can be appealed
        commands.appeal_records(
            snap2,
            schemas.AppealIn(record=earlier.id, outcome="reversed", reason="y", decision="A-2"),
            "steward",
            "st",
            None,
        )
