"""The journal store on SQLite and on PostgreSQL (when a server is given by RAIDCONTROL_TEST_PG_URL)."""

from __future__ import annotations

import csv
import io
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from raidcontrol.core.journal import Record, changes
from raidcontrol.store import JournalStore
from tests.conftest import DAKAR_DATA

PG_URL = os.environ.get("RAIDCONTROL_TEST_PG_URL")


def _backends(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'journal.sqlite'}"
    if PG_URL:
        yield "postgresql", PG_URL
    elif os.environ.get("RAIDCONTROL_REQUIRE_PG"):
        pytest.fail("RAIDCONTROL_REQUIRE_PG is set but RAIDCONTROL_TEST_PG_URL is not")


def test_journal_semantics_on_every_backend(tmp_path):
    for name, url in _backends(tmp_path):
        now = [datetime(2025, 1, 4, 12, tzinfo=UTC)]
        store = JournalStore(url, event_key=f"ev-{uuid.uuid4().hex}", clock=lambda now=now: now[0])
        store.append(
            [Record("time", "1/200", {"finish": "14:00:00"}), Record("entry", "200", {"bib": 200})]
        )
        now[0] += timedelta(minutes=5)
        written = store.append(
            changes(
                store.state(),
                [
                    Record("time", "1/200", {"finish": "14:00:30"}),
                    Record("entry", "200", {"bib": 200}),
                ],
            )
        )
        assert len(written) == 1 and written[0].supersedes is not None, name
        assert store.state().get("time", "1/200").payload == {"finish": "14:00:30"}, name
        assert store.state(as_of=now[0] - timedelta(minutes=1)).get("time", "1/200").payload == {
            "finish": "14:00:00"
        }
        with pytest.raises(TypeError):  # a payload that is not JSON
            store.append(
                [Record("time", "1/201", {"ok": 1}), Record("time", "1/202", {"bad": object()})]
            )
        assert len(store.records()) == 3, name  # the failed batch wrote nothing
        store.close()


@pytest.mark.skipif(
    not PG_URL and not os.environ.get("RAIDCONTROL_REQUIRE_PG"), reason="no PostgreSQL server given"
)
def test_real_dakar_data_classifies_identically_on_postgresql(cli, tmp_path, monkeypatch):
    assert PG_URL, "RAIDCONTROL_REQUIRE_PG is set but RAIDCONTROL_TEST_PG_URL is not"
    event = tmp_path / f"dakar-{uuid.uuid4().hex[:8]}"
    assert cli("convert-official", DAKAR_DATA, event)[0] == 0
    code, on_sqlite, _ = cli("classify", event, "--general", "--format", "csv")
    assert code == 0
    monkeypatch.setenv("RAIDCONTROL_DB", PG_URL)
    code, on_pg, err = cli("classify", event, "--general", "--format", "csv")
    assert code == 0, err
    assert on_pg == on_sqlite and len(list(csv.DictReader(io.StringIO(on_pg)))) == 201


def test_events_sharing_one_database_stay_apart(tmp_path, monkeypatch):
    from raidcontrol.session import EventSession
    from tests.conftest import make_event

    db = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    a = make_event(tmp_path / "a" / "event", times="1,200,10:00:00,14:00:00,finished")
    b = make_event(tmp_path / "b" / "event", times="1,200,10:00:00,15:00:00,finished")
    for folder, key in ((a, "rally-a"), (b, "rally-b")):
        (folder / "event.toml").write_text(f'id = "{key}"\n' + (folder / "event.toml").read_text())
    ev_a = EventSession.open(a, db_url=db).event
    ev_b = EventSession.open(b, db_url=db).event
    assert (
        ev_a.times[(1, 200)].raw_ms == 4 * 3_600_000
        and ev_b.times[(1, 200)].raw_ms == 5 * 3_600_000
    )
    assert EventSession.open(a, db_url=db).appended == []
