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
from raidcontrol.io.event_folder import EVENT_FILE, read_event_folder
from raidcontrol.rules import Rulebook, load_rulebook
from raidcontrol.store import JournalStore, default_url


def ranking_effects(event: Event, state: JournalState, rulebook: Rulebook) -> dict[int, Any]:
    """How scrutineering verdicts change the rankings (Stock eligibility), by bib."""
    verdicts = {int(r.key): r.payload for r in state.of_kind("scrutineering")}
    if not verdicts:
        return {}
    from raidcontrol.stock.effects import ranking_effects as stock_effects

    return stock_effects(verdicts, rulebook)


REBUILD_ABOVE = (
    1000  # new records beyond which the live classification is rebuilt rather than updated
)


def _event_key(folder: Path) -> str:
    """The event's key in the journal: ``id`` of event.toml, else the folder's name."""
    import tomllib

    try:
        doc = tomllib.loads((folder / EVENT_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        doc = {}  # the folder reader reports what is wrong
    key = doc.get("id")
    return key if isinstance(key, str) and key.strip() else folder.resolve().name


def _folder_records_since(state: JournalState, position: int) -> bool:
    """Whether a folder record was appended after ``position`` (another copy of the folder synced)."""
    for rec in reversed(state.history):
        if (rec.id or 0) <= position:
            return False
        if rec.origin == "folder":
            return True
    return False


def _sync(folder: Path, store: JournalStore, sync: bool, read=None):
    """Record what changed in the folder (one atomic step) and return (appended, live classification now).

    One read gives the checkpoint (a live classification) and the records after it; an unchanged
    folder (same files, sizes and mtimes or hashes, and no folder record appended since by anyone
    else) is not read at all.  The checkpoint is saved again once enough records were folded beyond it."""
    from raidcontrol.store.checkpoint import CHECKPOINT_EVERY, fingerprint, unchanged

    where = str(folder.resolve())
    live, records, recorded, synced_at = store.cached_state(where)
    saved_at = live.state.position if live is not None else 0
    live = _advance(live, records)
    appended: list[Record] = []
    if sync:
        state = live.state
        fresh = (
            state.position >= synced_at
            and not _folder_records_since(state, synced_at)
            and unchanged(folder, recorded)
        )
        if not fresh:
            print_, (_, desired) = read or (
                fingerprint(folder),
                read_event_folder(folder),
            )  # validates first
            appended = store.sync_folder(lambda st: changes(st, desired), where, print_)
            live = _advance(live, store.records_since(state.position))
    if live.state.position - saved_at >= CHECKPOINT_EVERY:
        store.save_checkpoint(live)
    return appended, live


def _advance(live, records: list[Record]):
    """The live classification with further records: one at a time when few, else rebuilt."""
    from raidcontrol.classification.incremental import LiveClassification
    from raidcontrol.core.journal import fold_onto

    if live is None:
        return LiveClassification(fold_onto(JournalState(), records))
    if len(records) > REBUILD_ABOVE:
        return LiveClassification(fold_onto(live.state, records))
    live.apply_all(records)
    return live


@dataclass
class EventSession:
    folder: Path
    store: JournalStore
    state: JournalState
    event: Event
    rulebook: Rulebook
    appended: list[Record] = field(default_factory=list)
    effects: dict[int, Any] = field(default_factory=dict)
    live: Any = None  # the LiveClassification of the state now (None as of a past moment)

    @classmethod
    def open(
        cls,
        event_dir: str | Path,
        db_url: str | None = None,
        as_of: datetime | None = None,
        sync: bool = True,
        clock=None,
    ) -> EventSession:
        """Sync the folder into the journal (skipped when its files are unchanged since the last
        sync) and fold the state as of ``as_of`` (from the checkpoint when ``as_of`` is None)."""
        folder = Path(event_dir)
        url = db_url or default_url(folder)
        read = None
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            from raidcontrol.store.checkpoint import fingerprint

            # a new journal: validate the folder before creating anything (fingerprint first: a file
            # changed while being read is read again next time)
            read = (fingerprint(folder), read_event_folder(folder))
        store = JournalStore(url, event_key=_event_key(folder), clock=clock)
        try:
            appended, live = _sync(folder, store, sync, read)
        except BaseException:
            store.close()
            raise
        if as_of is not None:  # --as-of: recomputed from the journal, never from the checkpoint
            return cls._build(folder, store, store.state(as_of), appended)
        session = cls(folder, store, live.state, live.event, live.rulebook, appended, live.effects)
        session.live = live
        return session

    @classmethod
    def _build(
        cls, folder: Path, store: JournalStore, state: JournalState, appended: list[Record]
    ) -> EventSession:
        event = event_from_state(state)
        rulebook = load_rulebook(event.rulebook_id, event.rules) if event.rulebook_id else None
        session = cls(folder, store, state, event, rulebook, appended)
        session.effects = ranking_effects(event, state, rulebook) if rulebook else {}
        return session

    def record(
        self, records: list[Record] | Callable[[JournalState], list[Record]]
    ) -> list[Record]:
        """Append records in one transaction and refresh the state (as of now).

        Pass a function of the state rather than a list when the records are derived from the
        state (a diff, a decision): it is called with the state read under the event's write
        lock, so the read and the append are one atomic step however many processes write."""
        written = self.store.transact(records) if callable(records) else self.store.append(records)
        if self.live is not None:
            self.live = _advance(self.live, self.store.records_since(self.live.state.position))
            fresh = self.live
        else:
            fresh = self._build(self.folder, self.store, self.store.state(), written)
        self.state, self.event, self.rulebook, self.effects = (
            fresh.state,
            fresh.event,
            fresh.rulebook,
            fresh.effects,
        )
        return written

    def close(self) -> None:
        self.store.close()
