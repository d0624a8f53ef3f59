"""Officials' writes: at most once per Idempotency-Key, in one transaction, then pushed.

Each write's records carry ``source = "api <route> by <name> key <Idempotency-Key>"``; a
write whose source is already in the journal is a retry and returns the first time's
records, appending nothing.  Because the source is in the same rows as the write, a crash
cannot separate them.  When the store supports ``append(records, idempotency_key=…)``
(exactly once across processes too), it is used as well.  On PostgreSQL every append is
announced with ``NOTIFY raidcontrol_journal, '<event key>:<position>'`` so other server
processes pick it up at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import text

from raidcontrol.core.journal import Record
from raidcontrol.service.feed import Change
from raidcontrol.service.view import EventView, Snapshot

CHANNEL = "raidcontrol_journal"


class Writer:
    def __init__(self, view: EventView):
        self.view = view
        self.store = view.store
        self.native = "idempotency_key" in inspect.signature(self.store.append).parameters
        self.postgres = self.store.engine.dialect.name == "postgresql"

    def write(
        self, build: Callable[[Snapshot], list[Record]], key: str, route: str, author: str
    ) -> tuple[list[Record], bool, list[Change]]:
        """Append ``build(snapshot now)`` unless ``key`` was used for this route and author;
        returns (records, replayed, changes folded into the view)."""
        source = f"api {route} by {author} key {key}"
        with self.view.lock:
            changes = self.view.catch_up()
            earlier = self.view.reader.with_source(source)
            if earlier:
                return earlier, True, changes
            records = [replace(r, source=source) for r in build(self.view.snapshot())]
            if self.native:
                written = self.store.append(records, idempotency_key=f"{author}:{route}:{key}")
            else:
                written = self.store.append(records)
            if self.postgres and written:
                self.notify(written[-1].id)
            changes += self.view.catch_up()
            return written, False, changes

    def notify(self, position: int | None) -> None:
        """Tell the other server processes on this PostgreSQL journal that it moved on."""
        with self.store.engine.begin() as conn:
            conn.execute(
                text("SELECT pg_notify(:c, :p)"),
                {"c": CHANNEL, "p": f"{self.store.event_key}:{position}"},
            )
