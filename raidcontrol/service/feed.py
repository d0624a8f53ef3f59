"""The journal as a change feed: records after a position, grouped into changes.

A *change* is the records one append wrote (one transaction: they share their
``recorded_at``); its *position* is the id of its last record.  The feed is read from the
journal itself, so a stream client that reconnects with ``Last-Event-ID: N`` gets every
change after N — also after a server restart.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import MetaData, Table, func, select

from raidcontrol.core.journal import Record

JOURNAL_TABLE = "journal"


class JournalReader:
    """Reads one event's journal table directly, by position, and the ids below it a late commit may
    still fill (PostgreSQL hands ids out before commit)."""

    def __init__(self, store):
        self.store = store
        self.table = Table(JOURNAL_TABLE, MetaData(), autoload_with=store.engine)

    def last_position(self) -> int:
        """The id of the event's last record (0 for an empty journal)."""
        t = self.table
        with self.store.engine.connect() as conn:
            return (
                conn.execute(
                    select(func.max(t.c.id)).where(t.c.event_key == self.store.event_key)
                ).scalar()
                or 0
            )

    def after(self, position: int, limit: int | None = None) -> list[Record]:
        """The event's records with an id above ``position``, in id order."""
        t = self.table
        stmt = (
            select(t)
            .where(t.c.event_key == self.store.event_key, t.c.id > position)
            .order_by(t.c.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.store.engine.connect() as conn:
            return [_record(row) for row in conn.execute(stmt)]

    def new_since(self, position: int, known: Container[int], lookback: int) -> list[Record]:
        """Records after ``position``, and any of the ``lookback`` ids before it not in ``known``: on
        PostgreSQL a transaction may commit after a later-numbered one was already read."""
        t = self.table
        low = max(0, position - lookback)
        with self.store.engine.connect() as conn:
            ids = (
                conn.execute(
                    select(t.c.id).where(
                        t.c.event_key == self.store.event_key, t.c.id > low, t.c.id <= position
                    )
                )
                .scalars()
                .all()
            )
            late = [i for i in ids if i not in known]
            stmt = (
                select(t)
                .where(
                    t.c.event_key == self.store.event_key, (t.c.id > position) | t.c.id.in_(late)
                )
                .order_by(t.c.id)
            )
            return [_record(row) for row in conn.execute(stmt)]


def _utc(dt: datetime | None) -> datetime | None:
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=UTC)


def _record(row) -> Record:
    m = row._mapping
    return Record(
        kind=m["kind"],
        key=m["key"],
        payload=m["payload"],
        author=m["author"],
        source=m["source"],
        origin=m["origin"],
        id=m["id"],
        recorded_at=_utc(m["recorded_at"]),
        supersedes=m["supersedes"],
    )


@dataclass(frozen=True)
class Change:
    """One journal change: ``position`` (id of its last record), ``first`` (id of its first),
    ``recorded_at`` (UTC), ``records`` (how many), ``kinds`` (sorted record kinds) and
    ``changed`` (sorted names of what it changes: ``general``, ``stage/1``, ``penalties`` …)."""

    position: int
    first: int
    recorded_at: datetime | None
    records: int
    kinds: tuple[str, ...]
    changed: tuple[str, ...]

    def message(self) -> dict:
        """The JSON body of the stream message."""
        return {
            "position": self.position,
            "first": self.first,
            "records": self.records,
            "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            "kinds": list(self.kinds),
            "changed": list(self.changed),
        }


def group(records: Iterable[Record]) -> list[list[Record]]:
    """Consecutive records of one append (same ``recorded_at``) together."""
    out: list[list[Record]] = []
    for rec in records:
        if out and out[-1][-1].recorded_at == rec.recorded_at:
            out[-1].append(rec)
        else:
            out.append([rec])
    return out


STAGE_KINDS = {"time", "adjustment", "split", "penalty-proposed", "neutralisation"}
PENALTY_KINDS = {
    "adjustment",
    "penalty-proposed",
    "penalty-decision",
    "disqualification",
    "appeal",
    "neutralisation",
}
NOTICE_KINDS = {
    "penalty-decision",
    "disqualification",
    "appeal",
    "neutralisation",
    "publication",
    "steward-decision",
}
EVERYTHING = {"event", "stage", "entry", "scrutineering"}
DECISION_OFFICES = ("stewards", "clerk")


def names_for(rec: Record, earlier: Record | None, season: bool = False) -> set[str]:
    """What a record changes; ``earlier`` is the record it supersedes (for a tombstone's subject)."""
    payload = (
        rec.payload if rec.payload is not None else (earlier.payload if earlier else None) or {}
    )
    out: set[str] = set()
    if rec.kind in EVERYTHING:
        out |= {"event", "general", "stages"}
        out |= {"itinerary"} if rec.kind in ("event", "stage") else set()
        out |= {"entries"} if rec.kind == "entry" else set()
        out |= {"scrutineering"} if rec.kind == "scrutineering" else set()
    if rec.kind in STAGE_KINDS or "stage" in payload:
        stage = payload.get("stage")
        out |= {"general", f"stage/{stage}"} if stage is not None else {"general", "stages"}
    if rec.kind == "penalty-decision":
        out |= {"general", "stages"}
    if rec.kind in PENALTY_KINDS:
        out.add("penalties")
    if rec.kind in NOTICE_KINDS or rec.origin in DECISION_OFFICES:
        out.add("notices")
    if rec.kind == "publication":
        out.add(str(payload.get("table", "general")))
    if season and "general" in out:
        out.add("standings")
    return out or {rec.kind}


def describe(records: list[Record], by_id: dict[int, Record], season: bool = False) -> Change:
    """The :class:`Change` that one append's records make."""
    changed: set[str] = set()
    for rec in records:
        changed |= names_for(rec, by_id.get(rec.supersedes) if rec.supersedes else None, season)
    return Change(
        records[-1].id or 0,
        records[0].id or 0,
        records[0].recorded_at,
        len(records),
        tuple(sorted({r.kind for r in records})),
        tuple(sorted(changed)),
    )
