"""The journal contract (store/protocol.py) on every implementation: memory, SQLite, PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import Record, changes
from raidcontrol.store import Journal, JournalStore, MemoryJournal

PG_URL = os.environ.get("RAIDCONTROL_TEST_PG_URL")
T0 = datetime(2025, 1, 4, 12, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


BACKENDS = ["memory", "sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(params=BACKENDS)
def journal(request, tmp_path):
    clock = Clock()
    key = f"ev-{uuid.uuid4().hex}"
    if request.param == "memory":
        store = MemoryJournal(key, clock=clock)
    elif request.param == "sqlite":
        store = JournalStore(f"sqlite:///{tmp_path / 'j.sqlite'}", event_key=key, clock=clock)
    else:
        store = JournalStore(PG_URL, event_key=key, clock=clock)
    store.clock = clock
    yield store
    store.close()


def test_implements_the_protocol(journal):
    assert isinstance(journal, Journal)


def test_the_same_record_is_stored_once(journal):
    desired = [
        Record("time", "1/200", {"finish": "14:00:00"}),
        Record("entry", "200", {"bib": 200}),
    ]
    stale = journal.state()
    first = journal.append(changes(stale, desired))
    again = journal.append(changes(stale, desired))  # a second sync from the same stale state
    assert len(first) == 2 and again == []
    assert len(journal.records()) == 2
    twice_in_a_batch = journal.append([Record("entry", "201", {"bib": 201})] * 2)
    assert len(twice_in_a_batch) == 1 and len(journal.records()) == 3


def test_a_correction_back_to_an_earlier_value_is_recorded(journal):
    a, b = (
        Record("time", "1/200", {"finish": "14:00:00"}),
        Record("time", "1/200", {"finish": "14:00:30"}),
    )
    journal.append(changes(journal.state(), [a]))
    journal.append(changes(journal.state(), [b]))
    back = journal.append(changes(journal.state(), [a]))
    assert len(back) == 1 and journal.state().get("time", "1/200").payload == a.payload
    assert len(journal.records()) == 3


def test_a_subject_removed_then_restored_is_recorded(journal):
    a = Record("time", "1/200", {"finish": "14:00:00"})
    journal.append(changes(journal.state(), [a]))
    gone = journal.append(changes(journal.state(), []))
    assert gone[0].payload is None and journal.state().get("time", "1/200") is None
    restored = journal.append(changes(journal.state(), [a]))
    assert len(restored) == 1 and restored[0].supersedes == gone[0].id
    assert journal.state().get("time", "1/200").payload == a.payload


def test_an_idempotency_key_records_once_and_returns_the_first_records(journal):
    rec = Record(
        "penalty-decision", "7", {"decision": "confirmed"}, author="steward", origin="stewards"
    )
    first = journal.append([rec], idempotency_key="req-1")
    journal.clock.now += timedelta(minutes=1)
    other = Record(
        "penalty-decision", "7", {"decision": "dismissed"}, author="steward", origin="stewards"
    )
    again = journal.append([other], idempotency_key="req-1")
    assert again == first and len(journal.records()) == 1
    assert journal.append([], idempotency_key="req-2") == []
    assert (
        journal.append([other], idempotency_key="req-2") == []
    )  # the key recorded nothing the first time
    assert len(journal.records()) == 1
    via_transact = journal.transact(lambda state: [other], idempotency_key="req-1")
    assert via_transact == first


def test_append_once_tells_a_replay_from_a_first_write(journal):
    rec = Record("adjustment", "1/200/a", {"amount_ms": 1000}, author="steward", origin="stewards")
    assert journal.recorded_for("w-1") is None
    first, replayed = journal.append_once([rec], "w-1")
    assert not replayed and len(first) == 1
    journal.clock.now += timedelta(minutes=1)
    other = Record("adjustment", "1/201/a", {"amount_ms": 2000}, author="steward", origin="x")
    again, replayed = journal.append_once([other], "w-1")
    assert replayed and again == first and journal.recorded_for("w-1") == first
    assert len(journal.records()) == 1
    empty, replayed = journal.append_once([], "w-2")
    assert (empty, replayed) == ([], False) and journal.recorded_for("w-2") == []


def test_transact_reads_and_appends_atomically(journal):
    journal.append([Record("entry", "200", {"bib": 200})])
    written = journal.transact(
        lambda state: [Record("entry", "201", {"bib": 201 + len(state.current)})]
    )
    assert written[0].payload == {"bib": 202}


def test_records_since_a_position(journal):
    w = journal.append([Record("entry", str(b), {"bib": b}) for b in (200, 201, 202)])
    assert journal.position() == w[-1].id
    assert [r.key for r in journal.records_since(w[0].id)] == ["201", "202"]
    assert journal.records_since(journal.position()) == []
    assert journal.get(w[1].id).key == "201"
    assert [r.id for r in journal.records()] == [r.id for r in w]


@pytest.mark.parametrize(
    "payload", [{"km": float("nan")}, {"km": float("inf")}, {"a": [1, float("-inf")]}]
)
def test_nan_is_refused_before_writing(journal, payload):
    with pytest.raises(InputError, match="NaN or an infinity"):
        journal.append([Record("entry", "200", {"bib": 200}), Record("stage", "1", payload)])
    assert journal.records() == []


@pytest.mark.parametrize(
    "record",
    [
        Record("entry", "2\x0000", {"bib": 200}),
        Record("entry", "200", {"t": "\ud800"}),
        Record("entry", "200", {"bib": 200}, author="a\x00b"),
    ],
)
def test_text_either_database_refuses_is_refused(journal, record):
    with pytest.raises(InputError):
        journal.append([record])
    assert journal.records() == []


def test_long_keys_and_ids_are_accepted(journal):
    long = "x" * 5000
    written = journal.append(
        [Record("waypoint" * 20, long, {"code": long}, author=long, origin=long)]
    )
    assert written[0].key == long and journal.records()[0].payload == {"code": long}


def test_an_old_journal_is_migrated_keeping_every_row(tmp_path):
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE journal (id INTEGER PRIMARY KEY AUTOINCREMENT, recorded_at DATETIME, event_key VARCHAR(200),
          kind VARCHAR(40), key VARCHAR(200), payload JSON, digest VARCHAR(64), author VARCHAR(120), source TEXT,
          origin VARCHAR(40), supersedes INTEGER REFERENCES journal(id));
    """)
    rec = Record("entry", "200", {"bib": 200})
    for _ in range(2):  # the duplicate an older version let in
        con.execute(
            "INSERT INTO journal (recorded_at, event_key, kind, key, payload, digest, author, source, origin)"
            " VALUES ('2025-01-04 12:00:00.000000', 'ev', 'entry', '200', '{\"bib\": 200}', ?, 'import', '',"
            " 'folder')",
            (rec.digest,),
        )
    con.commit()
    con.close()
    store = JournalStore(f"sqlite:///{path}", event_key="ev", clock=Clock())
    assert len(store.records()) == 2
    assert store.append(changes(store.state(), [rec])) == []
    assert len(store.append([Record("entry", "201", {"bib": 201})])) == 1
    store.close()


@pytest.mark.skipif(not PG_URL, reason="no PostgreSQL server given")
def test_postgresql_notifies_each_append():
    import psycopg

    key = f"ev-{uuid.uuid4().hex}"
    store = JournalStore(PG_URL, event_key=key)
    dsn = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN raidcontrol_journal")
        written = store.append(
            [Record("entry", "200", {"bib": 200}), Record("entry", "201", {"bib": 201})]
        )
        store.append(
            changes(store.state(), [Record("entry", "200", {"bib": 200})], ("x",))
        )  # nothing: no notice
        notices = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]
    assert notices == [f"{key}:{written[-1].id}"]
    store.close()
