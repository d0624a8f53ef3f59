"""Officials' writes: at most once per Idempotency-Key, in one transaction, then pushed.

Each write is appended with the store's idempotency key ``<name>:<route>:<Idempotency-Key>``
(:meth:`~raidcontrol.store.JournalStore.append_once`): the key and the records are written in
one transaction under the event's write lock, so a retry — after a lost answer, a ``kill -9``,
or on another server process — returns the first time's records and appends nothing, and two
servers given the same key at once record it once.  Each record also carries
``source = "api <route> by <name> key <Idempotency-Key>"`` (provenance for the audit).  On
PostgreSQL the store announces every append with ``NOTIFY raidcontrol_journal, '<event
key>:<position>'`` in its transaction, so other server processes pick it up at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import text

from raidcontrol.core.journal import Record
from raidcontrol.service.feed import Change
from raidcontrol.service.view import EventView, Snapshot

CHANNEL = "raidcontrol_journal"


def idempotency_key(author: str, route: str, key: str) -> str:
    """The store's idempotency key of one official's write on one route."""
    return f"{author}:{route}:{key}"


class Writer:
    def __init__(self, view: EventView):
        self.view = view
        self.store = view.store
        self.postgres = self.store.engine.dialect.name == "postgresql"

    def write(
        self, build: Callable[[Snapshot], list[Record]], key: str, route: str, author: str
    ) -> tuple[list[Record], bool, list[Change]]:
        """Append ``build(snapshot now)`` unless ``key`` was used for this route and author;
        returns (records, replayed, changes folded into the view)."""
        once = idempotency_key(author, route, key)
        source = f"api {route} by {author} key {key}"
        with self.view.lock:
            changes = self.view.catch_up()
            earlier = self.store.recorded_for(once)  # a retry is answered without building
            if earlier is not None:
                return earlier, True, changes
            records = [replace(r, source=source) for r in build(self.view.snapshot())]
            written, replayed = self.store.append_once(records, once)
            changes += self.view.catch_up()
            return written, replayed, changes

    def notify(self, position: int | None) -> None:
        """Tell the other server processes on this PostgreSQL journal that it moved on (the store
        already announces its own appends; this is for a caller that wants to be sure at once)."""
        with self.store.engine.begin() as conn:
            conn.execute(
                text("SELECT pg_notify(:c, :p)"),
                {"c": CHANNEL, "p": f"{self.store.event_key}:{position}"},
            )
