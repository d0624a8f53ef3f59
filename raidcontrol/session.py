"""An open event: its folder synced into the journal, and the state in force at a moment.

This is the application layer the commands share: read and validate the event folder,
append what changed to the journal in one transaction (nothing if nothing changed, nothing
at all if the folder is bad), then fold the journal as of the moment asked for.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from raidcontrol.core.journal import JournalState, Record, changes
from raidcontrol.core.model import Event, event_from_state
from raidcontrol.io.event_folder import read_event_folder
from raidcontrol.rules import Rulebook, load_rulebook
from raidcontrol.store import JournalStore, default_url


def ranking_effects(event: Event, state: JournalState, rulebook: Rulebook) -> dict[int, Any]:
    """How scrutineering verdicts change the rankings (Stock eligibility), by bib."""
    verdicts = {int(r.key): r.payload for r in state.of_kind("scrutineering")}
    if not verdicts:
        return {}
    from raidcontrol.stock.effects import ranking_effects as stock_effects

    return stock_effects(verdicts, rulebook)


@dataclass
class EventSession:
    folder: Path
    store: JournalStore
    state: JournalState
    event: Event
    rulebook: Rulebook
    appended: list[Record] = field(default_factory=list)
    effects: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, event_dir: str | Path, db_url: str | None = None, as_of: datetime | None = None,
             sync: bool = True, clock=None) -> EventSession:
        folder = Path(event_dir)
        _, desired = read_event_folder(folder)          # validates everything first
        event_key = next(r.payload.get("id") for r in desired if r.kind == "event") or folder.resolve().name
        store = JournalStore(db_url or default_url(folder), event_key=event_key, clock=clock)
        appended: list[Record] = []
        if sync:        # read the journal and append what changed as one atomic step (under the event's lock)
            appended = store.transact(lambda state: changes(state, desired))
        return cls._build(folder, store, as_of, appended)

    @classmethod
    def _build(cls, folder: Path, store: JournalStore, as_of: datetime | None, appended: list[Record]) -> EventSession:
        state = store.state(as_of)
        event = event_from_state(state)
        rulebook = load_rulebook(event.rulebook_id, event.rules) if event.rulebook_id else None
        session = cls(folder, store, state, event, rulebook, appended)
        session.effects = ranking_effects(event, state, rulebook) if rulebook else {}
        return session

    def record(self, records: list[Record] | Callable[[JournalState], list[Record]]) -> list[Record]:
        """Append records in one transaction and refresh the state (as of now).

        Pass a function of the state rather than a list when the records are derived from the
        state (a diff, a decision): it is called with the state read under the event's write
        lock, so the read and the append are one atomic step however many processes write."""
        written = self.store.transact(records) if callable(records) else self.store.append(records)
        fresh = self._build(self.folder, self.store, None, written)
        self.state, self.event, self.rulebook, self.effects = fresh.state, fresh.event, fresh.rulebook, fresh.effects
        return written

    def close(self) -> None:
        self.store.close()
