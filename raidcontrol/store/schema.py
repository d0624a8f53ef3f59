"""The journal's tables (SQLAlchemy Core): the same on SQLite and PostgreSQL.

Text columns are ``Text`` (no length limit on either database, so neither accepts what
the other refuses).  Tables:

``journal`` — the append-only records; never updated, never deleted.
    id (int, the position: ascending in commit order within an event), recorded_at (UTC),
    event_key (text), kind (text), key (text), payload (JSON or NULL for a tombstone),
    digest (sha-256 hex of kind, key and payload), identity (text: digest and what it supersedes,
    unique per event — the same record is stored once), author, source, origin (text),
    supersedes (id of the record it corrects, or NULL).
``idempotency`` — one row per idempotency key used by :meth:`JournalStore.append`: event_key,
    key (text), record_ids (JSON list of the ids recorded the first time), recorded_at (UTC).
``checkpoint`` — derived data, not the journal: the folded state of an event as of
    ``position`` (pickled, ``format`` names its version), so a command folds only later records.
``folder_sync`` — derived data: the fingerprint of an event folder (file sizes, mtimes,
    hashes) as last synced into the journal, and the position after that sync.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite's rowid alias must be INTEGER

journal = Table(
    "journal",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False, index=True),
    Column("event_key", Text, nullable=False, index=True),
    Column("kind", Text, nullable=False, index=True),
    Column("key", Text, nullable=False),
    Column("payload", JSON(none_as_null=True), nullable=True),
    Column("digest", Text, nullable=False),
    Column("identity", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("origin", Text, nullable=False),
    Column("supersedes", _ID, ForeignKey("journal.id"), nullable=True),
    UniqueConstraint("event_key", "identity", name="journal_record_once"),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("event_key", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("record_ids", JSON, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

checkpoint = Table(
    "checkpoint",
    metadata,
    Column("event_key", Text, primary_key=True),
    Column("position", _ID, nullable=False),
    Column("format", Text, nullable=False),
    Column("state", LargeBinary, nullable=False),
)

folder_sync = Table(
    "folder_sync",
    metadata,
    Column("event_key", Text, primary_key=True),
    Column("folder", Text, primary_key=True),
    Column("fingerprint", JSON, nullable=False),
    Column("position", _ID, nullable=False),
)
