"""An open event: its folder synced into the journal, and the state in force at a moment.

This is the application layer the commands and :func:`raidcontrol.open_event` share: read and
validate the event folder, append what changed to the journal in one transaction (nothing if
nothing changed, nothing at all if the folder is bad), then fold the journal as of the moment
asked for into the :class:`~raidcontrol.core.model.Event`, its rulebook, and the remarks
(scrutineering verdicts) that every classification honours.

The store is anything with the small journal protocol (:class:`~raidcontrol.store.Store`:
``append``, ``records_since(position)``, ``close``); the SQL
:class:`~raidcontrol.store.JournalStore` by default, a test or the service may pass another.
With the SQL store, an open reads the checkpoint (the live classification saved with the
position of its last record) and only the records after it, and skips reading an event folder
whose files did not change since its last sync (docs/journal.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from raidcontrol.core.journal import JournalState, Record, fold, fold_onto, folder_changes
from raidcontrol.core.model import Event, event_from_state
from raidcontrol.core.remark import Remark
from raidcontrol.io.event_folder import EVENT_FILE, read_event_folder
from raidcontrol.rules import Rulebook, load_rulebook
from raidcontrol.store.protocol import Store, state_of, transact

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from raidcontrol.classification.incremental import LiveClassification
    from raidcontrol.stock.effects import RankingEffect

__all__ = [
    "EventSession",
    "Store",
    "event_key_of",
    "ranking_effects",
    "remarks_from",
    "remarks_of",
    "stock_effects_of",
]

# New records beyond which the live classification is rebuilt rather than updated record by record
# (assumption: about where one rebuild of the Dakar-size event costs less than the updates).
REBUILD_ABOVE = 1000


def event_key_of(folder: Path, desired: list[Record]) -> str:
    """The journal key of an event: its ``id`` in event.toml, else the folder's name."""
    return (
        next((r.payload.get("id") for r in desired if r.kind == "event" and r.payload), None)
        or folder.resolve().name
    )


def _event_key(folder: Path) -> str:
    """:func:`event_key_of` without reading the whole folder (an unchanged folder is not read)."""
    import tomllib

    try:
        doc = tomllib.loads((folder / EVENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # TOMLDecodeError, bad UTF-8, a huge integer …
        doc = {}  # the folder reader reports what is wrong
    key = doc.get("id")
    return key if isinstance(key, str) and key else folder.resolve().name


def stock_effects_of(
    state: JournalState, rulebook: Rulebook | None, event: Event | None = None
) -> dict[int, RankingEffect]:
    """What Stock scrutineering does to each entry, by bib: one effect per verdict in force, and
    with ``event``, a *not scrutineered* effect for a Stock entry without a verdict (see
    :mod:`raidcontrol.stock.effects`)."""
    from raidcontrol.stock.effects import effects_in_force

    return effects_in_force(state, rulebook, event)


def remarks_from(effects: Mapping[int, RankingEffect]) -> dict[int, Remark]:
    """The core remarks the classification honours, from the Stock effects by bib (the verdict
    in force as ``eligibility``; none for an entry not scrutineered)."""
    from raidcontrol.stock import effects as stock

    return stock.remarks_from(effects)


def remarks_of(
    state: JournalState, rulebook: Rulebook | None, event: Event | None = None
) -> dict[int, Remark]:
    """The scrutineering verdicts in force as remarks by bib (what the rulebook makes them do); with
    ``event``, a Stock entry without a verdict is remarked *not scrutineered*."""
    from raidcontrol.stock.effects import remarks_in_force

    return remarks_in_force(state, rulebook, event)


def _folder_records_since(state: JournalState, position: int) -> bool:
    """Whether a folder record was appended after ``position`` (another copy of the folder synced)."""
    for rec in reversed(state.history):
        if (rec.id or 0) <= position:
            return False
        if rec.origin == "folder":
            return True
    return False


def _live(folder: Path, state: JournalState) -> LiveClassification:
    from raidcontrol.classification.incremental import LiveClassification

    return LiveClassification(state, partial(load_rulebook, base=folder), remarks_of)


def _advance(
    folder: Path, live: LiveClassification | None, records: list[Record]
) -> LiveClassification:
    """The live classification with further records: one at a time when few, else rebuilt."""
    if live is None:
        return _live(folder, fold(records))
    if len(records) > REBUILD_ABOVE:
        return _live(folder, fold_onto(live.state, records))
    live.apply_all(records)
    return live


def _current(folder: Path, saved: object | None) -> LiveClassification | None:
    """The checkpoint if it is a live classification whose rulebook is still the one on disk (a
    rulebook's files may change); else None."""
    from raidcontrol.classification.incremental import LiveClassification

    if not isinstance(saved, LiveClassification):
        return None
    live = saved
    if live.rulebook is None:
        return live
    ev = live.event
    book = load_rulebook(ev.rulebook_id, ev.rules, base=folder)
    if book.tree != live.rulebook.tree:
        return None
    live.load_rulebooks_with(partial(load_rulebook, base=folder))
    return live


def _sync(
    folder: Path,
    store: Store,
    sync: bool,
    desired: list[Record] | None,
    print_: dict[str, list[Any]] | None,
) -> tuple[list[Record], LiveClassification]:
    """Record what changed in the folder (one atomic step) → (appended, live classification now).

    With the SQL store, one read gives the checkpoint and the records after it, and a folder
    whose files are unchanged since its last sync (and no folder record appended since by anyone
    else) is not read at all; the checkpoint is saved again once enough records were folded
    beyond it.  Any other store is read from its start."""
    from raidcontrol.store.checkpoint import CHECKPOINT_EVERY, fingerprint, unchanged
    from raidcontrol.store.sql import JournalStore

    sql = store if isinstance(store, JournalStore) else None
    where = str(folder.resolve())
    live: LiveClassification | None = None
    if sql is not None:
        saved, records, recorded, synced_at = sql.cached_state(where)
        live = _current(folder, saved)
        if live is None and saved is not None:
            records = store.records_since(0)
    else:
        records, recorded, synced_at = store.records_since(0), None, 0
    saved_at = live.state.position if live is not None else 0
    live = _advance(folder, live, records)
    appended: list[Record] = []
    if sync:
        state = live.state
        fresh = (
            sql is not None
            and state.position >= synced_at
            and not _folder_records_since(state, synced_at)
            and unchanged(folder, recorded)
        )
        if not fresh:
            if desired is None:  # fingerprint first: a file changed while read is read next time
                print_ = fingerprint(folder)
                _, desired = read_event_folder(folder)  # validates everything first
            wanted = desired

            def compute(st: JournalState) -> list[Record]:
                return folder_changes(st, wanted)

            if sql is not None:
                appended = sql.sync_folder(compute, where, print_ or {})
            else:
                appended = transact(store, compute)
            live = _advance(folder, live, store.records_since(state.position))
    if sql is not None and live.state.position - saved_at >= CHECKPOINT_EVERY:
        sql.save_checkpoint(live)
    return appended, live


@dataclass
class EventSession:
    """An event folder with its journal, folded as of a moment (``None``: now).

    ``effects`` is what Stock scrutineering does to each entry, by bib
    (:class:`~raidcontrol.stock.effects.RankingEffect`: verdict, flag, rules, remarks; one per
    Stock entry); ``event.remarks`` holds the core remarks made from them, which every
    classification honours.  ``live`` is the
    :class:`~raidcontrol.classification.incremental.LiveClassification` of the state now (``None``
    as of a past moment), whose rankings equal a full recomputation.
    """

    folder: Path
    store: Store
    state: JournalState
    event: Event
    rulebook: Rulebook | None  # None only before the journal holds the event (an early as-of)
    appended: list[Record] = field(default_factory=list)
    as_of: datetime | None = None
    effects: dict[int, RankingEffect] = field(default_factory=dict)
    live: Any = None

    @classmethod
    def open(
        cls,
        event_dir: str | Path,
        db_url: str | None = None,
        as_of: datetime | None = None,
        sync: bool = True,
        clock: Callable[[], datetime] | None = None,
        *,
        store: Store | None = None,
        desired: list[Record] | None = None,
    ) -> EventSession:
        """Validate the folder (or take its already-read ``desired`` records), sync it into the
        journal (``sync``; skipped when its files are unchanged since the last sync), fold as of
        ``as_of`` (from the checkpoint when ``as_of`` is None).  ``store`` replaces the SQL store."""
        folder = Path(event_dir)
        print_ = None
        if store is None:
            from raidcontrol.store import JournalStore, default_url

            url = db_url or default_url(folder)
            if (
                desired is None
                and url.startswith("sqlite:///")
                and not Path(url.removeprefix("sqlite:///")).exists()
            ):
                from raidcontrol.store.checkpoint import fingerprint

                # a new journal: validate the folder before creating anything
                print_ = fingerprint(folder)
                _, desired = read_event_folder(folder)
            key = event_key_of(folder, desired) if desired is not None else _event_key(folder)
            store = JournalStore(url, event_key=key, clock=clock)
        try:
            appended, live = _sync(folder, store, sync, desired, print_)
            if as_of is not None:  # recomputed from the journal, never from the checkpoint
                return cls.build(folder, store, as_of, appended)
        except BaseException:
            store.close()
            raise
        effects = stock_effects_of(live.state, live.rulebook, live.event)
        return cls(
            folder, store, live.state, live.event, live.rulebook, appended, None, effects, live
        )

    @classmethod
    def build(
        cls,
        folder: Path,
        store: Store,
        as_of: datetime | None,
        appended: list[Record] | None = None,
        *,
        records: list[Record] | None = None,
    ) -> EventSession:
        """Fold the journal as of ``as_of`` (no folder read, nothing written): ``records`` when the
        caller already holds every record of the event, else the store's."""
        state = fold(records, as_of) if records is not None else state_of(store, as_of)
        event = event_from_state(state)
        rulebook = (
            load_rulebook(event.rulebook_id, event.rules, base=folder)
            if event.rulebook_id
            else None
        )
        effects = stock_effects_of(state, rulebook, event)
        event.remarks = remarks_from(effects)
        return cls(folder, store, state, event, rulebook, list(appended or []), as_of, effects)

    def at(self, as_of: datetime | None) -> EventSession:
        """The same event and store, folded as of another moment."""
        return self.build(self.folder, self.store, as_of)

    def record(
        self, records: list[Record] | Callable[[JournalState], list[Record]]
    ) -> list[Record]:
        """Append records in one transaction and refresh the state (as of now).

        Pass a function of the state rather than a list when the records are derived from the
        state (a diff, a decision): it is called with the state read under the event's write
        lock, so the read and the append are one atomic step however many processes write."""
        written = transact(self.store, records) if callable(records) else self.store.append(records)
        if self.live is not None:
            self.live = _advance(
                self.folder, self.live, self.store.records_since(self.live.state.position)
            )
            self.state, self.event, self.rulebook = (
                self.live.state,
                self.live.event,
                self.live.rulebook,
            )
            self.effects = stock_effects_of(self.state, self.rulebook, self.event)
        else:
            fresh = self.build(self.folder, self.store, None, written)
            self.state, self.event, self.rulebook = fresh.state, fresh.event, fresh.rulebook
            self.effects = fresh.effects
        self.as_of = None
        return written

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ranking_effects(event: Event, state: JournalState, rulebook: Rulebook) -> dict[int, Remark]:
    """The Stock remarks by bib of an event built outside a session (the live service's snapshots)."""
    remarks = remarks_of(state, rulebook, event)
    event.remarks = remarks
    return remarks
