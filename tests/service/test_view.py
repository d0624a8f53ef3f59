"""The view held in memory: moved on record by record, it equals a full rebuild from the journal."""

from __future__ import annotations

import os
from datetime import UTC

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.core.journal import Record
from raidcontrol.service.tables import classification
from raidcontrol.service.view import EventView, snapshot_of
from raidcontrol.store import JournalStore
from tests.conftest import make_event
from tests.service.conftest import SMALL_TIMES

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
BIBS = (200, 201, 202, 500, 501)

time_record = st.builds(
    lambda stage, bib, start, length, status, gone: Record(
        "time",
        f"{stage}/{bib}",
        None
        if gone
        else {
            "stage": stage,
            "bib": bib,
            "start": f"09:{start:02d}:00",
            "finish": f"{10 + length // 60:02d}:{length % 60:02d}:00"
            if status == "finished"
            else None,
            "status": status,
        },
        origin="timekeepers",
    ),
    st.sampled_from((1, 2)),
    st.sampled_from(BIBS),
    st.integers(0, 59),
    st.integers(0, 600),
    st.sampled_from(("finished", "finished", "dnf", "withdrawn", "disqualified")),
    st.booleans(),
)
other = st.builds(
    lambda bib, seal: Record(
        "seal", f"{bib}/engine", {"bib": bib, "part": "engine", "seal": seal}, origin="scrutineers"
    ),
    st.sampled_from(BIBS),
    st.text(min_size=1, max_size=5),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    batches=st.lists(
        st.lists(st.one_of(time_record, other), min_size=1, max_size=4), min_size=1, max_size=5
    )
)
def test_view_moved_on_by_new_records_equals_a_full_rebuild(tmp_path_factory, batches):
    from raidcontrol.io.event_folder import read_event_folder

    folder = make_event(tmp_path_factory.mktemp("view") / "rally", times=SMALL_TIMES, stages=(1, 2))
    store = JournalStore(f"sqlite:///{folder / 'j.sqlite'}", event_key="rally")
    try:
        store.append(read_event_folder(folder)[1])
        view = EventView(store)
        view.catch_up()
        view.snapshot()
        for batch in batches:
            store.append(batch)
            view.catch_up()
            moved, rebuilt = view.snapshot(), snapshot_of(view.state, view.position)
            assert moved.event.times == rebuilt.event.times
            for table, stage in (("general", 2), ("stage", 1), ("special", 2)):
                assert (
                    classification(moved, table, stage, None, None).to_csv()
                    == classification(rebuilt, table, stage, None, None).to_csv()
                )
    finally:
        store.close()


def test_a_record_committed_after_a_later_numbered_one_is_still_folded(tmp_path):
    """On PostgreSQL ids are handed out before commit: id 8 may become visible after id 10 was read."""
    from datetime import datetime

    store = JournalStore(f"sqlite:///{tmp_path / 'j.sqlite'}", event_key="rally")
    view = EventView(store)
    view.postgres = True  # the PostgreSQL read path, on a file we can write ids into

    def insert(record_id: int, key: str, finish: str) -> None:
        row = {
            "id": record_id,
            "recorded_at": datetime(2025, 1, 4, 12, record_id, tzinfo=UTC),
            "event_key": "rally",
            "kind": "time",
            "key": key,
            "digest": "x",
            "identity": f"x:{record_id}",
            "author": "t",
            "source": "",
            "origin": "timekeepers",
            "supersedes": None,
            "payload": {
                "stage": 1,
                "bib": int(key.split("/")[1]),
                "start": "09:00:00",
                "finish": finish,
                "status": "finished",
            },
        }
        with store.engine.begin() as conn:
            conn.execute(view.reader.table.insert().values(**row))

    try:
        insert(10, "1/200", "12:00:00")
        assert [c.position for c in view.catch_up()] == [10]
        insert(8, "1/201", "12:30:00")  # committed late
        insert(9, "1/200", "11:00:00")  # late, and superseded already by id 10
        assert sorted(c.position for c in view.catch_up()) == [8, 9]
        assert [r.id for r in view.state.history] == [8, 9, 10]
        assert view.state.get("time", "1/201").id == 8 and view.state.get("time", "1/200").id == 10
        assert view.catch_up() == []
    finally:
        store.close()


def test_a_key_is_recorded_once_across_server_processes_by_the_store(tmp_path):
    """Two servers' writers on one journal, given the same Idempotency-Key: the store's key records
    the write once; the second answers with the first's records, without building anything."""
    from raidcontrol.io.event_folder import read_event_folder
    from raidcontrol.service.writer import Writer

    folder = make_event(tmp_path / "rally", times=SMALL_TIMES, stages=(1, 2))
    url = f"sqlite:///{tmp_path / 'j.sqlite'}"
    stores = [JournalStore(url, event_key="rally") for _ in range(2)]
    try:
        stores[0].append(read_event_folder(folder)[1])
        writers = [Writer(EventView(store)) for store in stores]
        penalty = Record(
            "adjustment",
            "1/200/api-1",
            {
                "stage": 1,
                "bib": 200,
                "kind": "penalty",
                "amount_ms": 60_000,
                "scope": "stage",
                "reason": "speeding",
            },
            author="Jane",
            origin="stewards",
        )
        first, replayed, _ = writers[0].write(lambda snap: [penalty], "k-1", "POST /x", "Jane")
        assert not replayed and len(first) == 1

        def refuse(_snap):
            raise AssertionError("a replay built its records again")

        again, replayed, _ = writers[1].write(refuse, "k-1", "POST /x", "Jane")
        assert replayed and again == first
        assert len(stores[0].records(["adjustment"])) == 1
        other, replayed, _ = writers[1].write(lambda snap: [penalty], "k-1", "POST /x", "Bob")
        # the key is per official (and route): not a replay, but the very same record (same
        # content, superseding the same one) is stored once
        assert not replayed and other == []
        snap = writers[1].view.snapshot()
        general = classification(snap, "general", 1, None, None).to_csv()
        assert (
            general
            == classification(
                snapshot_of(snap.state, snap.position), "general", 1, None, None
            ).to_csv()
        )
    finally:
        for store in stores:
            store.close()
