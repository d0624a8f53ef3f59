"""Connections to the journal's database, and the one way to write: a locked transaction.

SQLite: WAL, a busy timeout, every write transaction ``BEGIN IMMEDIATE`` (it takes the write
lock before reading, so the read-then-append of a sync is atomic), and a retry with back-off on
``database is locked`` so it never reaches the user.  Reads are ``BEGIN DEFERRED`` (a snapshot;
WAL readers never wait for writers).

PostgreSQL: every write transaction takes an advisory transaction lock on the event
(``pg_advisory_xact_lock``), so appends to one event are serialised (ids ascend in commit
order within an event) while other events write in parallel.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

BUSY_TIMEOUT_MS = 60_000  # how long SQLite waits for the write lock before "database is locked"
RETRIES = 20  # further attempts after a lock or serialisation failure
SCHEMA_LOCK = "raidcontrol:schema"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def make_engine(url: str):
    """An engine with the journal's connection settings (SQLite pragmas and begin modes)."""
    from sqlalchemy import create_engine, event

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, json_serializer=_json, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql(
                "BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN"
            )

        return engine
    return create_engine(url, json_serializer=_json)


def lock_id(name: str) -> int:
    """A signed 64-bit advisory lock id for a name (an event key)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _retryable(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(
        s in text
        for s in (
            "database is locked",
            "database table is locked",
            "could not serialize",
            "deadlock detected",
            "busy",
        )
    )


def write_transaction(engine, lock_name: str, work: Callable[..., T]) -> T:
    """Run ``work(conn)`` in one write transaction holding the lock on ``lock_name``; retried on
    lock timeouts and serialisation failures (``work`` must be repeatable: it reads inside)."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import DBAPIError

    for attempt in range(RETRIES + 1):
        try:
            with engine.connect() as conn:
                conn = conn.execution_options(write=True)
                with conn.begin():
                    if engine.dialect.name == "postgresql":
                        conn.execute(select(func.pg_advisory_xact_lock(lock_id(lock_name))))
                    return work(conn)
        except DBAPIError as exc:
            if attempt == RETRIES or not _retryable(exc):
                raise
            time.sleep(min(2.0, 0.02 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def read_transaction(engine, work: Callable[..., T]) -> T:
    """Run ``work(conn)`` in one read transaction (a consistent snapshot on SQLite's WAL)."""
    from sqlalchemy.exc import DBAPIError

    for attempt in range(RETRIES + 1):
        try:
            with engine.connect() as conn, conn.begin():
                return work(conn)
        except DBAPIError as exc:
            if attempt == RETRIES or not _retryable(exc):
                raise
            time.sleep(min(2.0, 0.02 * 2**attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def ensure_schema(engine) -> None:
    """Create the tables if missing (under the write lock: several processes may start at once)."""
    from sqlalchemy import inspect

    from raidcontrol.store.schema import metadata

    def todo(conn) -> tuple[bool, bool]:
        insp = inspect(conn)
        names = set(insp.get_table_names())
        old = "journal" in names and "identity" not in {
            c["name"] for c in insp.get_columns("journal")
        }
        return not set(metadata.tables) <= names, old

    def create(conn) -> None:
        if todo(conn)[1]:
            _migrate_identity(conn)
        metadata.create_all(conn)

    if any(read_transaction(engine, todo)):
        write_transaction(engine, SCHEMA_LOCK, create)


def _migrate_identity(conn) -> None:
    """Bring a journal written before records had a unique identity up to date, in place: every row is kept; duplicates an older version let in get a distinct identity."""
    pg = conn.dialect.name == "postgresql"
    if pg:
        for col in ("event_key", "kind", "key", "digest", "author", "origin"):
            conn.exec_driver_sql(f'ALTER TABLE journal ALTER COLUMN "{col}" TYPE TEXT')
    conn.exec_driver_sql("ALTER TABLE journal ADD COLUMN identity TEXT NOT NULL DEFAULT ''")
    conn.exec_driver_sql(
        "UPDATE journal SET identity = digest || ':' || COALESCE(CAST(supersedes AS TEXT), '')"
    )
    conn.exec_driver_sql(
        "UPDATE journal SET identity = identity || ':duplicate-' || CAST(id AS TEXT) WHERE id NOT IN "
        "(SELECT MIN(id) FROM journal GROUP BY event_key, identity)"
    )
    conn.exec_driver_sql("CREATE UNIQUE INDEX journal_record_once ON journal (event_key, identity)")
