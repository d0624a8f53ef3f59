"""Append-only journal in SQL (SQLAlchemy 2).  SQLite file by default; PostgreSQL works too.

The table is only ever inserted into.  Each :meth:`JournalStore.append` is one
transaction: either every record of a batch is written, or none is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from raidcontrol.core.journal import JournalState, Record, fold

STORE_DIRNAME = ".raidcontrol"
ENV_URL = "RAIDCONTROL_DB"


def default_url(event_dir: str | Path) -> str:
    """``$RAIDCONTROL_DB`` if set, else a SQLite file inside the event folder."""
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    path = Path(event_dir) / STORE_DIRNAME / "journal.sqlite"
    return f"sqlite:///{path}"


class _Base(DeclarativeBase):
    pass


class _Row(_Base):
    __tablename__ = "journal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    event_key: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    digest: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(40))
    supersedes: Mapped[int | None] = mapped_column(ForeignKey("journal.id"), nullable=True)


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class JournalStore:
    """The journal of one or more events in one database.

    Parameters
    ----------
    url: a SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://…``).
    event_key: which event's records this handle reads and writes (several events
        may share one database).
    clock: returns "now" (UTC); tests pass a fake to make moments exact.
    """

    def __init__(self, url: str, event_key: str = "event", clock=None):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.event_key = event_key
        self.engine = create_engine(url)
        if url.startswith("sqlite"):

            @event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn, _):
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

        _Base.metadata.create_all(self.engine)
        self._clock = clock or (lambda: datetime.now(UTC))

    def close(self) -> None:
        self.engine.dispose()

    def append(self, records: Iterable[Record]) -> list[Record]:
        """Write records in one transaction; returns them with ids and timestamps."""
        records = list(records)
        if not records:
            return []
        now = _utc(self._clock())
        rows = [
            _Row(
                recorded_at=now,
                event_key=self.event_key,
                kind=r.kind,
                key=r.key,
                payload=r.payload,
                digest=r.digest,
                author=r.author,
                source=r.source,
                origin=r.origin,
                supersedes=r.supersedes,
            )
            for r in records
        ]
        with Session(self.engine) as session, session.begin():
            session.add_all(rows)
            session.flush()
            return [self._record(row) for row in rows]

    @staticmethod
    def _record(row: _Row) -> Record:
        return Record(
            kind=row.kind,
            key=row.key,
            payload=row.payload,
            author=row.author,
            source=row.source,
            origin=row.origin,
            id=row.id,
            recorded_at=_utc(row.recorded_at),
            supersedes=row.supersedes,
        )

    def records(self, kinds: Iterable[str] | None = None) -> list[Record]:
        stmt = select(_Row).where(_Row.event_key == self.event_key).order_by(_Row.id)
        if kinds is not None:
            stmt = stmt.where(_Row.kind.in_(list(kinds)))
        with Session(self.engine) as session:
            return [self._record(row) for row in session.scalars(stmt)]

    def get(self, record_id: int) -> Record | None:
        with Session(self.engine) as session:
            row = session.get(_Row, record_id)
            return (
                self._record(row) if row is not None and row.event_key == self.event_key else None
            )

    def state(self, as_of: datetime | None = None) -> JournalState:
        return fold(self.records(), _utc(as_of) if as_of else None)
