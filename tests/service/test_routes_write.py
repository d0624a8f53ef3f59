"""Officials' writes: the role matrix (every write endpoint × every role; forbidden ones record
nothing), idempotency, invalid input, final classifications, disqualification and appeal."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from raidcontrol.core.journal import Record
from raidcontrol.store import JournalStore
from tests.service.conftest import auth

ROLES = ("timekeeper", "steward", "scrutineer", "clerk", "tracking")


def _position(server) -> int:
    return httpx.get(f"{server.url}/api/v1/health").json()["position"]


def _propose(server, url: str) -> int:
    """A proposed tracking penalty, appended by another writer (as ``track scan`` does)."""
    store = JournalStore(url, event_key=server.event_dir.name)
    try:
        rec = store.append(
            [
                Record(
                    "penalty-proposed",
                    f"2/201/missed-wp{uuid.uuid4().hex[:6]}",
                    {
                        "stage": 2,
                        "bib": 201,
                        "code": "missed-wp3",
                        "amount_ms": 900_000,
                        "scope": "special",
                        "reason": "missed WP3",
                        "evidence": {"closest_m": 812},
                    },
                    author="tracking",
                    origin="tracking",
                )
            ]
        )[0]
    finally:
        store.close()
    return rec.id


def _writes(proposal: int) -> list[tuple[str, str, dict | str]]:
    """(owner role, path, valid body) of every write endpoint."""
    return [
        ("timekeeper", "/api/v1/times", {"stage": 2, "bib": 200, "start": "10:00:00"}),
        (
            "timekeeper",
            "/api/v1/times/batch",
            "stage,bib,start,finish,status\n2,202,10:00:00,13:00:00,finished\n",
        ),
        ("timekeeper", "/api/v1/withdrawals", {"stage": 2, "bib": 501, "reason": "retired"}),
        (
            "steward",
            "/api/v1/adjustments",
            {
                "stage": 1,
                "bib": 201,
                "kind": "credit",
                "amount": "0:02:00",
                "scope": "special",
                "reason": "stopped to help",
                "decision": "D-1",
            },
        ),
        (
            "steward",
            f"/api/v1/penalties/{proposal}/decision",
            {"decision": "confirmed", "reason": "evidence seen"},
        ),
        (
            "steward",
            "/api/v1/disqualifications",
            {"stage": 2, "bib": 500, "reason": "assistance", "decision": "D-2"},
        ),
        ("steward", "/api/v1/appeals", None),  # filled in once a decision exists
        (
            "steward",
            "/api/v1/neutralisations",
            {
                "stage": 1,
                "from_point": "start",
                "to_point": "finish",
                "reason": "cancelled",
                "decision": "D-3",
            },
        ),
        (
            "scrutineer",
            "/api/v1/scrutineering",
            {"bib": 500, "verdict": "experimental", "reason": "prototype"},
        ),
        ("scrutineer", "/api/v1/seals", {"bib": 500, "part": "engine", "seal": "E-1"}),
        (
            "clerk",
            "/api/v1/publications",
            {"table": "general", "stage": 1, "status": "provisional"},
        ),
    ]


def _post(server, path, body, headers):
    if isinstance(body, str):
        return httpx.post(
            f"{server.url}{path}", content=body, headers={**headers, "Content-Type": "text/csv"}
        )
    return httpx.post(f"{server.url}{path}", json=body, headers=headers)


def test_role_matrix_forbidden_writes_record_nothing(live):
    server, url, tokens = live
    proposal = _propose(server, url)
    deadline = time.monotonic() + 5
    while (
        _position(server) < proposal and time.monotonic() < deadline
    ):  # the server follows other writers
        time.sleep(0.05)
    assert _position(server) >= proposal
    for owner, path, body in _writes(proposal):
        if body is None:  # an appeal upheld against the decision just recorded
            notices = httpx.get(f"{server.url}/api/v1/notices").json()["rows"]
            body = {
                "record": notices[-1]["position"],
                "outcome": "upheld",
                "reason": "no ground",
                "decision": "A-1",
            }
        before = _position(server)
        assert _post(server, path, body, {"Idempotency-Key": "k"}).status_code == 401, path
        assert _post(server, path, body, auth("rc_1_forged")).status_code == 401, path
        for role in ROLES:
            if role != owner:
                r = _post(server, path, body, auth(tokens[role]))
                assert r.status_code == 403, (path, role, r.text)
        assert _position(server) == before, f"a refused write to {path} recorded something"
        r = _post(server, path, body, auth(tokens[owner]))
        assert r.status_code == 201, (path, r.text)
        assert _position(server) == r.json()["position"] > before


def test_the_same_write_sent_three_times_records_once(live):
    server, _, tokens = live
    headers = auth(tokens["steward"], key=f"retry-{uuid.uuid4().hex}")
    body = {
        "stage": 1,
        "bib": 202,
        "kind": "penalty",
        "amount": "0:01:00",
        "scope": "stage",
        "reason": "late CP",
        "decision": f"D-{uuid.uuid4().hex[:6]}",
    }
    before = _position(server)
    answers = [
        httpx.post(f"{server.url}/api/v1/adjustments", json=body, headers=headers) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert (
        answers[0].json()["records"] == answers[1].json()["records"] == answers[2].json()["records"]
    )
    assert [a.json()["replayed"] for a in answers] == [False, True, True]
    assert (
        _position(server) == answers[0].json()["position"] == before + 1
        or _position(server) > before
    )
    audit = httpx.get(
        f"{server.url}/api/v1/audit?since={before}", headers=auth(tokens["clerk"])
    ).json()["rows"]
    assert len([r for r in audit if r["subject"] == answers[0].json()["records"][0]["key"]]) == 1


@pytest.mark.parametrize(
    "path,body,field",
    [
        (
            "/api/v1/times",
            {"stage": 1, "bib": 200, "start": "10:00:00", "finish": "09:00:00"},
            "finish",
        ),
        ("/api/v1/times", {"stage": 7, "bib": 200, "start": "10:00:00"}, "stage"),
        ("/api/v1/times", {"stage": 1, "bib": 200, "start": "ten o'clock"}, "start"),
        ("/api/v1/times", {"stage": 1, "bib": 200, "status": "finished", "extra": 1}, "extra"),
        (
            "/api/v1/times/batch",
            "stage,bib,start,finish,status\n2,201,10:00:00,13:00:00,finished\n2,999,10:00:00,,dnf\n",
            "bib",
        ),
    ],
)
def test_invalid_input_is_422_naming_the_field_and_records_nothing(live, path, body, field):
    server, _, tokens = live
    before = _position(server)
    r = _post(server, path, body, auth(tokens["timekeeper"]))
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == field
    assert _position(server) == before


def test_final_classification_changes_only_by_stewards_and_shows_them(live):
    server, _, tokens = live
    publish = {"table": "stage", "stage": 2, "status": "final", "reason": "results final"}
    assert _post(server, "/api/v1/publications", publish, auth(tokens["clerk"])).status_code == 201
    assert (
        _post(
            server,
            "/api/v1/publications",
            {**publish, "status": "provisional"},
            auth(tokens["clerk"]),
        ).status_code
        == 409
    )
    late = {"stage": 2, "bib": 201, "start": "10:00:00", "finish": "13:30:00"}
    before = _position(server)
    assert _post(server, "/api/v1/times", late, auth(tokens["timekeeper"])).status_code == 409
    assert _position(server) == before
    decision = {
        "stage": 2,
        "bib": 201,
        "kind": "penalty",
        "amount": "0:10:00",
        "scope": "stage",
        "reason": "jump start",
        "decision": "D-final",
    }
    written = _post(server, "/api/v1/adjustments", decision, auth(tokens["steward"]))
    assert written.status_code == 201
    table = httpx.get(f"{server.url}/api/v1/classification/stage/2").json()
    assert table["status"] == "final"
    assert [a["record"] for a in table["amendments"]] == [written.json()["position"]]


def test_disqualification_then_appeal_reversed_restores_the_crew(live):
    server, _, tokens = live
    general = f"{server.url}/api/v1/classification/general?after=1"

    def status_of(bib):
        return next(r["status"] for r in httpx.get(general).json()["rows"] if r["bib"] == bib)

    assert status_of(202) == "finished"
    dq = _post(
        server,
        "/api/v1/disqualifications",
        {"stage": 1, "bib": 202, "reason": "unauthorised assistance", "decision": "D-dq"},
        auth(tokens["steward"]),
    )
    assert dq.status_code == 201 and status_of(202) == "disqualified"
    appeal = {
        "record": dq.json()["position"],
        "outcome": "reversed",
        "reason": "assistance was authorised",
        "decision": "A-dq",
    }
    assert _post(server, "/api/v1/appeals", appeal, auth(tokens["steward"])).status_code == 201
    assert status_of(202) == "finished"
    kinds = [r["kind"] for r in httpx.get(f"{server.url}/api/v1/notices").json()["rows"]]
    assert "appeal" in kinds
