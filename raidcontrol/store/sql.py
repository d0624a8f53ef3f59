"""Append-only journal in SQL (SQLAlchemy 2 Core).  SQLite file by default; PostgreSQL works too.

The ``journal`` table is only ever inserted into.  Each append is one transaction holding the
event's write lock (:mod:`raidcontrol.store.database`): either every record of a batch is
written, or none is.  The same record (same content, superseding the same predecessor) is
stored once — a database guarantee (a unique key), so any number of processes may sync the
same folder at once.

On PostgreSQL every append that writes something also issues
``NOTIFY raidcontrol_journal, '<event_key>:<last id>'`` in its transaction, so other server
processes can ``LISTEN raidcontrol_journal`` and read the records after their position.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from raidcontrol.core.journal import JournalState, Record, check_record, fold, fold_onto
from raidcontrol.store.database import (
    ensure_schema,
    make_engine,
    read_transaction,
    write_transaction,
)

STORE_DIRNAME = ".raidcontrol"
ENV_URL = "RAIDCONTROL_DB"
NOTIFY_CHANNEL = "raidcontrol_journal"


def default_url(event_dir: str | Path) -> str:
    """``$RAIDCONTROL_DB`` if set, else a SQLite file inside the event folder."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    path = Path(event_dir) / STORE_DIRNAME / "journal.sqlite"
    return f"sqlite:///{path}"


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _chunks(items: list, size: int = 5000):
    """Bound-parameter lists in chunks (SQLite limits the parameters of one statement)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _columns():
    from raidcontrol.store.schema import journal as j

    return (
        j.c.id,
        j.c.recorded_at,
        j.c.kind,
        j.c.key,
        j.c.payload,
        j.c.author,
        j.c.source,
        j.c.origin,
        j.c.supersedes,
    )


def _record(row) -> Record:
    rid, at, kind, key, payload, author, source, origin, supersedes = row
    return Record(kind, key, payload, author, source, origin, rid, _utc(at), supersedes)


class JournalStore:
    """The journal of one event in a database (several events may share one database).

    Parameters
    ----------
    url: a SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://…``).
    event_key: which event's records this handle reads and writes.
    clock: returns "now" (UTC); tests pass a fake to make moments exact.
    """

    def __init__(self, url: str, event_key: str = "event", clock=None):
        self.url = url
        self.event_key = event_key
        self.engine = make_engine(url)
        ensure_schema(self.engine)
        self._clock = clock or (lambda: datetime.now(UTC))

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------------
    def append(
        self, records: Iterable[Record], *, idempotency_key: str | None = None
    ) -> list[Record]:
        """Append records in one transaction; returns those written, with ids and timestamps.

        A record already stored (same content superseding the same record) is not written
        again and not returned.  With ``idempotency_key``: a key already used returns the
        records it recorded the first time and appends nothing.
        """
        records = list(records)
        for r in records:
            check_record(r)
        return write_transaction(
            self.engine,
            self.event_key,
            lambda conn: self._append_in(conn, records, idempotency_key),
        )

    def transact(
        self, compute: Callable[[JournalState], list[Record]], *, idempotency_key: str | None = None
    ) -> list[Record]:
        """Read the state and append ``compute(state)`` as one atomic step (under the event's lock)."""

        def work(conn):
            if idempotency_key is not None:
                done = self._idempotent(conn, idempotency_key)
                if done is not None:
                    return done
            state = fold(self._select(conn, 0))
            records = list(compute(state))
            for r in records:
                check_record(r)
            return self._append_in(conn, records, idempotency_key)

        return write_transaction(self.engine, self.event_key, work)

    def append_once(
        self, records: Iterable[Record], idempotency_key: str
    ) -> tuple[list[Record], bool]:
        """:meth:`append` with an idempotency key, telling whether the key was used already: →
        (the records, replayed).  A replay returns the first call's records and writes nothing."""
        records = list(records)
        for r in records:
            check_record(r)

        def work(conn) -> tuple[list[Record], bool]:
            done = self._idempotent(conn, idempotency_key)
            if done is not None:
                return done, True
            return self._append_in(conn, records, idempotency_key), False

        return write_transaction(self.engine, self.event_key, work)

    def recorded_for(self, idempotency_key: str) -> list[Record] | None:
        """The records an earlier append with this idempotency key wrote (possibly none), or
        ``None`` when the key was never used for this event."""
        return read_transaction(self.engine, lambda conn: self._idempotent(conn, idempotency_key))

    def _idempotent(self, conn, key: str) -> list[Record] | None:
        from sqlalchemy import select

        from raidcontrol.store.schema import idempotency, journal

        ids = conn.execute(
            select(idempotency.c.record_ids).where(
                idempotency.c.event_key == self.event_key, idempotency.c.key == key
            )
        ).scalar()
        if ids is None:
            return None
        out: list[Record] = []
        for chunk in _chunks(ids):
            out += [
                _record(row)
                for row in conn.execute(select(*_columns()).where(journal.c.id.in_(chunk)))
            ]
        return sorted(out, key=lambda r: r.id)

    def _append_in(self, conn, records: list[Record], idempotency_key: str | None) -> list[Record]:
        from sqlalchemy import func, insert, select

        from raidcontrol.store.schema import idempotency, journal

        if idempotency_key is not None:
            done = self._idempotent(conn, idempotency_key)
            if done is not None:
                return done
        now = _utc(self._clock())
        fresh: dict[str, Record] = {}
        for r in records:
            fresh.setdefault(r.identity, r)  # the same record twice in a batch: once
        stored: set[str] = set()
        for chunk in _chunks(list(fresh)):
            stored.update(
                conn.execute(
                    select(journal.c.identity).where(
                        journal.c.event_key == self.event_key, journal.c.identity.in_(chunk)
                    )
                ).scalars()
            )
        fresh = {i: r for i, r in fresh.items() if i not in stored}
        written: list[Record] = []
        if fresh:
            rows = [
                {
                    "recorded_at": now,
                    "event_key": self.event_key,
                    "kind": r.kind,
                    "key": r.key,
                    "payload": r.payload,
                    "digest": r.digest,
                    "identity": ident,
                    "author": r.author,
                    "source": r.source,
                    "origin": r.origin,
                    "supersedes": r.supersedes,
                }
                for ident, r in fresh.items()
            ]
            before = conn.execute(
                select(func.coalesce(func.max(journal.c.id), 0)).where(
                    journal.c.event_key == self.event_key
                )
            ).scalar()
            conn.execute(insert(journal), rows)  # one executemany; the ids are read back below
            ids = dict(
                conn.execute(
                    select(journal.c.identity, journal.c.id).where(
                        journal.c.event_key == self.event_key, journal.c.id > before
                    )
                ).all()
            )
            written = [
                Record(
                    r.kind,
                    r.key,
                    r.payload,
                    r.author,
                    r.source,
                    r.origin,
                    ids[ident],
                    now,
                    r.supersedes,
                )
                for ident, r in fresh.items()
            ]
            written.sort(key=lambda r: r.id)
        if idempotency_key is not None:
            conn.execute(
                insert(idempotency).values(
                    event_key=self.event_key,
                    key=idempotency_key,
                    recorded_at=now,
                    record_ids=[r.id for r in written],
                )
            )
        if written and self.engine.dialect.name == "postgresql":
            conn.execute(
                select(func.pg_notify(NOTIFY_CHANNEL, f"{self.event_key}:{written[-1].id}"))
            )
        return written

    # -- reading ---------------------------------------------------------------------------------
    def _select(self, conn, after: int, kinds: Iterable[str] | None = None) -> list[Record]:
        from sqlalchemy import select

        from raidcontrol.store.schema import journal

        stmt = select(*_columns()).where(
            journal.c.event_key == self.event_key, journal.c.id > after
        )
        if kinds is not None:
            stmt = stmt.where(journal.c.kind.in_(list(kinds)))
        return [_record(row) for row in conn.execute(stmt.order_by(journal.c.id))]

    def records(self, kinds: Iterable[str] | None = None) -> list[Record]:
        """Every record of the event (of ``kinds`` if given), in id order: one query, no ORM objects."""
        return read_transaction(self.engine, lambda conn: self._select(conn, 0, kinds))

    def records_since(self, position: int) -> list[Record]:
        """The records after ``position`` (an id; 0 for all), in id order."""
        return read_transaction(self.engine, lambda conn: self._select(conn, position))

    def position(self) -> int:
        """The id of the event's last record (0 when it has none)."""
        from sqlalchemy import func, select

        from raidcontrol.store.schema import journal

        return read_transaction(
            self.engine,
            lambda conn: conn.execute(
                select(func.coalesce(func.max(journal.c.id), 0)).where(
                    journal.c.event_key == self.event_key
                )
            ).scalar(),
        )

    def get(self, record_id: int) -> Record | None:
        from sqlalchemy import select

        from raidcontrol.store.schema import journal

        def work(conn):
            row = conn.execute(
                select(*_columns()).where(
                    journal.c.id == record_id, journal.c.event_key == self.event_key
                )
            ).first()
            return _record(row) if row is not None else None

        return read_transaction(self.engine, work)

    def state(self, as_of: datetime | None = None) -> JournalState:
        return fold(self.records(), _utc(as_of) if as_of else None)

    def state_after(self, state: JournalState) -> JournalState:
        """``state`` (folded up to its position) brought up to date with the later records, in place."""
        return fold_onto(state, self.records_since(state.position))

    # -- derived data: checkpoint and folder fingerprint (raidcontrol.store.checkpoint) ----------------
    def cached_state(
        self, folder: str | None = None
    ) -> tuple[object | None, list[Record], dict | None, int]:
        """In one read: the checkpoint (if valid) and the records after it (all records without one).

        Returns (the checkpointed object or None, the records after it, the folder's recorded
        fingerprint or None, the position after the sync that recorded it)."""
        from sqlalchemy import select

        from raidcontrol.store.checkpoint import load_state
        from raidcontrol.store.schema import checkpoint, folder_sync, journal

        def work(conn):
            row = conn.execute(
                select(checkpoint.c.position, checkpoint.c.format, checkpoint.c.state).where(
                    checkpoint.c.event_key == self.event_key
                )
            ).first()
            saved = None
            if row is not None:
                ident = conn.execute(
                    select(journal.c.identity).where(
                        journal.c.id == row.position, journal.c.event_key == self.event_key
                    )
                ).scalar()
                saved = load_state(row.format, row.state, row.position, ident)
            records = self._select(conn, row.position if saved is not None else 0)
            fp = None, 0
            if folder is not None:
                r = conn.execute(
                    select(folder_sync.c.fingerprint, folder_sync.c.position).where(
                        folder_sync.c.event_key == self.event_key, folder_sync.c.folder == folder
                    )
                ).first()
                fp = (r.fingerprint, r.position) if r is not None else (None, 0)
            return saved, records, fp[0], fp[1]

        return read_transaction(self.engine, work)

    def save_checkpoint(self, folded) -> None:
        """Save the folded state (a :class:`JournalState` or an object holding one as ``.state``) as the
        event's checkpoint, unless a later one is already saved."""
        from sqlalchemy import delete, insert, select

        from raidcontrol.store.checkpoint import dump_state
        from raidcontrol.store.schema import checkpoint

        fmt, blob = dump_state(folded)
        state = getattr(folded, "state", folded)

        def work(conn):
            saved = conn.execute(
                select(checkpoint.c.position).where(checkpoint.c.event_key == self.event_key)
            ).scalar()
            if saved is not None and saved >= state.position:
                return
            conn.execute(delete(checkpoint).where(checkpoint.c.event_key == self.event_key))
            conn.execute(
                insert(checkpoint).values(
                    event_key=self.event_key, position=state.position, format=fmt, state=blob
                )
            )

        write_transaction(self.engine, self.event_key, work)

    def sync_folder(
        self, compute: Callable[[JournalState], list[Record]], folder: str, fingerprint: dict
    ) -> list[Record]:
        """:meth:`transact` for an event folder's sync, recording the folder's fingerprint and the
        position after the sync in the same transaction."""
        from sqlalchemy import delete, func, insert, select

        from raidcontrol.store.schema import folder_sync, journal

        def work(conn):
            state = fold(self._select(conn, 0))
            records = list(compute(state))
            for r in records:
                check_record(r)
            written = self._append_in(conn, records, None)
            position = conn.execute(
                select(func.coalesce(func.max(journal.c.id), 0)).where(
                    journal.c.event_key == self.event_key
                )
            ).scalar()
            conn.execute(
                delete(folder_sync).where(
                    folder_sync.c.event_key == self.event_key, folder_sync.c.folder == folder
                )
            )
            conn.execute(
                insert(folder_sync).values(
                    event_key=self.event_key,
                    folder=folder,
                    fingerprint=fingerprint,
                    position=position,
                )
            )
            return written

        return write_transaction(self.engine, self.event_key, work)
