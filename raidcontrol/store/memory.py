"""An in-memory journal with the same contract as the SQL store (for tests and tools).

It keeps the exactly-once, idempotency and atomicity rules of
:class:`~raidcontrol.store.protocol.Journal` (one lock per store instead of the database's),
so tests of code written against the protocol run without a database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from raidcontrol.core.journal import JournalState, Record, check_record, fold


def _utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


class MemoryJournal:
    """One event's journal held in a list; positions start at 1.

    Parameters
    ----------
    event_key: the event's key (kept for the protocol; one store holds one event).
    clock: returns "now" (UTC); tests pass a fake to make moments exact.
    """

    def __init__(self, event_key: str = "event", clock=None):
        self.event_key = event_key
        self._clock = clock or (lambda: datetime.now(UTC))
        self._records: list[Record] = []
        self._identities: set[str] = set()
        self._idempotency: dict[str, list[int]] = {}
        self._lock = threading.RLock()

    def close(self) -> None:
        pass

    def append(
        self, records: Iterable[Record], *, idempotency_key: str | None = None
    ) -> list[Record]:
        records = list(records)
        for r in records:
            check_record(r)
        with self._lock:
            return self._append(records, idempotency_key)

    def transact(
        self, compute: Callable[[JournalState], list[Record]], *, idempotency_key: str | None = None
    ) -> list[Record]:
        with self._lock:
            if idempotency_key is not None and idempotency_key in self._idempotency:
                return self._by_ids(self._idempotency[idempotency_key])
            records = list(compute(fold(self._records)))
            for r in records:
                check_record(r)
            return self._append(records, idempotency_key)

    def append_once(
        self, records: Iterable[Record], idempotency_key: str
    ) -> tuple[list[Record], bool]:
        records = list(records)
        for r in records:
            check_record(r)
        with self._lock:
            done = self.recorded_for(idempotency_key)
            if done is not None:
                return done, True
            return self._append(records, idempotency_key), False

    def recorded_for(self, idempotency_key: str) -> list[Record] | None:
        with self._lock:
            ids = self._idempotency.get(idempotency_key)
            return None if ids is None else self._by_ids(ids)

    def _by_ids(self, ids: list[int]) -> list[Record]:
        return [self._records[i - 1] for i in ids]

    def _append(self, records: list[Record], idempotency_key: str | None) -> list[Record]:
        if idempotency_key is not None and idempotency_key in self._idempotency:
            return self._by_ids(self._idempotency[idempotency_key])
        now = _utc(self._clock())
        written: list[Record] = []
        seen = set(self._identities)
        for r in records:
            if r.identity in seen:
                continue
            seen.add(r.identity)
            written.append(
                Record(
                    r.kind,
                    r.key,
                    r.payload,
                    r.author,
                    r.source,
                    r.origin,
                    len(self._records) + len(written) + 1,
                    now,
                    r.supersedes,
                )
            )
        self._records += written
        self._identities = seen
        if idempotency_key is not None:
            self._idempotency[idempotency_key] = [r.id for r in written]
        return written

    def records(self, kinds: Iterable[str] | None = None) -> list[Record]:
        with self._lock:
            wanted = set(kinds) if kinds is not None else None
            return [r for r in self._records if wanted is None or r.kind in wanted]

    def records_since(self, position: int) -> list[Record]:
        with self._lock:
            return list(self._records[max(position, 0) :])

    def position(self) -> int:
        return len(self._records)

    def get(self, record_id: int) -> Record | None:
        with self._lock:
            return self._records[record_id - 1] if 0 < record_id <= len(self._records) else None

    def state(self, as_of: datetime | None = None) -> JournalState:
        return fold(self.records(), _utc(as_of) if as_of else None)
