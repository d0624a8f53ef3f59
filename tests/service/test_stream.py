"""Push: one message per journal change with its position as id, resume with Last-Event-ID also
across a server restart, heartbeats on idle streams, and two servers on one journal in step."""

from __future__ import annotations

import time

import httpx

from tests.service.conftest import EventReader, auth, token

PENALTY = {
    "stage": 1,
    "bib": 200,
    "kind": "penalty",
    "amount": "0:03:00",
    "scope": "stage",
    "reason": "speeding",
    "decision": "D-7",
}


def test_each_change_is_one_message_and_a_reconnect_after_restart_misses_nothing(
    small_event, serve, db_url
):
    server = serve(small_event, db_url)
    steward, keeper = token(db_url, "steward"), token(db_url, "timekeeper")
    reader = EventReader(server.url)
    first = httpx.post(
        f"{server.url}/api/v1/adjustments", json=PENALTY, headers=auth(steward)
    ).json()["position"]
    msg = reader.wait_for(lambda e: int(e["id"]) == first)
    assert msg is not None and msg["event"] == "change"
    assert {"general", "stage/1", "penalties", "notices"} <= set(msg["data"]["changed"])
    batch = "stage,bib,start,finish,status\n2,200,10:00:00,13:00:00,finished\n2,201,10:01:00,13:02:00,finished\n"
    second = httpx.post(
        f"{server.url}/api/v1/times/batch",
        content=batch,
        headers={**auth(keeper), "Content-Type": "text/csv"},
    ).json()["position"]
    msg2 = reader.wait_for(lambda e: int(e["id"]) == second)
    assert msg2["data"]["records"] == 2 and msg2["data"]["changed"] == ["general", "stage/2"]
    assert [int(e["id"]) for e in reader.events] == [first, second]  # one message per change
    server.stop()
    restarted = serve(small_event, db_url)
    third = httpx.post(
        f"{restarted.url}/api/v1/withdrawals",
        json={"stage": 2, "bib": 202, "reason": "retired"},
        headers=auth(keeper),
    ).json()["position"]
    resumed = EventReader(restarted.url, headers={"Last-Event-ID": str(first)})
    assert resumed.wait_for(lambda e: int(e["id"]) == third) is not None
    assert [int(e["id"]) for e in resumed.events] == [second, third]


def test_idle_streams_get_heartbeats(small_event, serve, db_url):
    server = serve(small_event, db_url)  # the test servers beat every second
    reader = EventReader(server.url)
    deadline = time.monotonic() + 5
    while not reader.comments and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reader.comments and reader.comments[0].startswith(":")


def test_two_servers_on_one_journal_stay_in_step_within_a_second(small_event, serve, db_url):
    one, two = serve(small_event, db_url), serve(small_event, db_url)
    steward = token(db_url, "steward")
    reader = EventReader(two.url)
    general = f"{two.url}/api/v1/classification/general"
    before = next(r for r in httpx.get(general).json()["rows"] if r["bib"] == 200)
    written = httpx.post(f"{one.url}/api/v1/adjustments", json=PENALTY, headers=auth(steward))
    acknowledged = time.monotonic()
    assert written.status_code == 201
    position = written.json()["position"]
    msg = reader.wait_for(lambda e: int(e["id"]) == position, timeout=1.0)
    assert msg is not None, "the other server did not push the change within 1 s"
    while True:
        after = next(r for r in httpx.get(general).json()["rows"] if r["bib"] == 200)
        if after["penalty"] != before["penalty"] or time.monotonic() - acknowledged > 1.0:
            break
    assert time.monotonic() - acknowledged <= 1.0, (
        "the other server's general did not change within 1 s"
    )
    assert after["penalty"] == "0:03:00"
