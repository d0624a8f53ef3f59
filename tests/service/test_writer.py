"""kill -9 of the server during a stream of batch writes: after a restart every acknowledged write is
there (a retry with its key is a replay), no write is half-recorded, and the served classification
equals a fresh recomputation from the journal."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import httpx

from raidcontrol.cli.common import csv_text
from raidcontrol.store import JournalStore
from tests.service.conftest import auth, token

ROWS_PER_BATCH = 3


def _batch(i: int) -> str:
    rows = [
        f"2,{bib},10:00:00,13:{i // 60 % 60:02d}:{i % 60:02d}.{bib % 1000:03d},finished"
        for bib in (200, 201, 202)
    ]
    return "stage,bib,start,finish,status\n" + "\n".join(rows) + "\n"


def _fresh_general_csv(url: str, event_key: str) -> str:
    from raidcontrol.classification import CSV_HEADER, classify_general
    from raidcontrol.core.model import event_from_state
    from raidcontrol.rules import load_rulebook
    from raidcontrol.session import ranking_effects
    from raidcontrol.tables.results import line_row

    store = JournalStore(url, event_key=event_key)
    try:
        state = store.state()
    finally:
        store.close()
    event = event_from_state(state)
    rulebook = load_rulebook(event.rulebook_id, event.rules)
    lines = classify_general(event, rulebook, effects=ranking_effects(event, state, rulebook))
    return csv_text(CSV_HEADER, [line_row(ln) for ln in lines])


def test_kill_9_during_writes_loses_no_acknowledged_write_and_half_writes_none(
    small_event, serve, db_url
):
    server = serve(small_event, db_url)
    keeper = token(db_url, "timekeeper")
    acknowledged: list[tuple[str, str, dict]] = []
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(timeout=5) as client:
            for i in range(10_000):
                if stop.is_set():
                    return
                key = f"kill-{uuid.uuid4().hex}"
                body = _batch(i)
                try:
                    r = client.post(
                        f"{server.url}/api/v1/times/batch",
                        content=body,
                        headers={**auth(keeper, key), "Content-Type": "text/csv"},
                    )
                except httpx.TransportError:
                    return
                if r.status_code == 201:
                    acknowledged.append((key, body, r.json()))

    writer = threading.Thread(target=write)
    writer.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    server.kill()
    stop.set()
    writer.join(10)
    assert len(acknowledged) >= 20
    restarted = serve(small_event, db_url)
    position = httpx.get(f"{restarted.url}/api/v1/health").json()["position"]
    for (
        key,
        body,
        first,
    ) in acknowledged:  # a retry of each: the first answer comes back, nothing new
        again = httpx.post(
            f"{restarted.url}/api/v1/times/batch",
            content=body,
            headers={**auth(keeper, key), "Content-Type": "text/csv"},
        )
        assert again.status_code == 200 and again.json()["records"] == first["records"]
    assert httpx.get(f"{restarted.url}/api/v1/health").json()["position"] == position
    audit = httpx.get(f"{restarted.url}/api/v1/audit", headers=auth(keeper)).json()["rows"]
    ids = {r["position"] for r in audit}
    assert all(rec["id"] in ids for _, _, first in acknowledged for rec in first["records"])
    per_write = Counter(
        r["source"] for r in audit if r["source"].startswith("api POST /api/v1/times/batch")
    )
    assert set(per_write.values()) == {ROWS_PER_BATCH}, "a write was half-recorded"
    served = httpx.get(f"{restarted.url}/api/v1/classification/general?format=csv").text
    assert served == _fresh_general_csv(db_url, small_event.name)
