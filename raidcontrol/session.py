"""An open event: its folder synced into the journal, and the state in force at a moment.

This is the application layer the commands and :func:`raidcontrol.open_event` share: read and
validate the event folder, append what changed to the journal in one transaction (nothing if
nothing changed, nothing at all if the folder is bad), then fold the journal as of the moment
asked for into the :class:`~raidcontrol.core.model.Event`, its rulebook, and the remarks
(scrutineering verdicts) that every classification honours.

The store is anything with the journal protocol: ``append(records) -> records`` (one
transaction), ``state(as_of) -> JournalState`` and ``close()`` (the SQL
:class:`~raidcontrol.store.JournalStore` by default; a test or the service may pass another).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, Self

from raidcontrol.core.journal import JournalState, Record, fold, folder_changes
from raidcontrol.core.model import Event, event_from_state
from raidcontrol.core.remark import Remark
from raidcontrol.io.event_folder import read_event_folder
from raidcontrol.rules import Rulebook, load_rulebook

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from raidcontrol.stock.effects import RankingEffect


class Store(Protocol):
    """What an open event needs of its journal store."""

    def append(self, records: Iterable[Record]) -> list[Record]: ...

    def state(self, as_of: datetime | None = None) -> JournalState: ...

    def close(self) -> None: ...


def event_key_of(folder: Path, desired: list[Record]) -> str:
    """The journal key of an event: its ``id`` in event.toml, else the folder's name."""
    return (
        next((r.payload.get("id") for r in desired if r.kind == "event" and r.payload), None)
        or folder.resolve().name
    )


def stock_effects_of(
    state: JournalState, rulebook: Rulebook | None, event: Event | None = None
) -> dict[int, RankingEffect]:
    """What Stock scrutineering does to each entry, by bib: one effect per verdict in force, and
    with ``event``, a *not scrutineered* effect for a Stock entry without a verdict (see
    :mod:`raidcontrol.stock.effects`)."""
    verdicts = {
        int(r.key): r.payload
        for r in state.of_kind("scrutineering")
        if str(r.key).isdigit() and r.payload
    }
    if rulebook is None or (not verdicts and not rulebook.has("stock")):
        return {}
    from raidcontrol.stock.effects import ranking_effects

    entries = {bib: e.category for bib, e in event.entries.items()} if event is not None else None
    return ranking_effects(verdicts, rulebook, entries)


def remarks_from(effects: Mapping[int, RankingEffect]) -> dict[int, Remark]:
    """The core remarks the classification honours, from the Stock effects by bib (the verdict
    in force as ``eligibility``; none for an entry not scrutineered)."""
    from raidcontrol.stock.effects import NOT_SCRUTINEERED

    return {
        bib: Remark(
            effect.excluded_categories,
            effect.flag,
            "" if effect.verdict == NOT_SCRUTINEERED else effect.verdict,
        )
        for bib, effect in sorted(effects.items())
    }


def remarks_of(
    state: JournalState, rulebook: Rulebook | None, event: Event | None = None
) -> dict[int, Remark]:
    """The scrutineering verdicts in force as remarks by bib (what the rulebook makes them do); with
    ``event``, a Stock entry without a verdict is remarked *not scrutineered*."""
    return remarks_from(stock_effects_of(state, rulebook, event))


@dataclass
class EventSession:
    """An event folder with its journal, folded as of a moment (``None``: now).

    ``effects`` is what Stock scrutineering does to each entry, by bib
    (:class:`~raidcontrol.stock.effects.RankingEffect`: verdict, flag, rules, remarks; one per
    Stock entry); ``event.remarks`` holds the core remarks made from them, which every
    classification honours.
    """

    folder: Path
    store: Store
    state: JournalState
    event: Event
    rulebook: Rulebook | None  # None only before the journal holds the event (an early as-of)
    appended: list[Record] = field(default_factory=list)
    as_of: datetime | None = None
    effects: dict[int, RankingEffect] = field(default_factory=dict)

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
        journal (``sync``), fold as of ``as_of``.  ``store`` replaces the default SQL store."""
        folder = Path(event_dir)
        if desired is None:
            _, desired = read_event_folder(folder)  # validates everything first
        if store is None:
            from raidcontrol.store import JournalStore, default_url

            store = JournalStore(
                db_url or default_url(folder), event_key=event_key_of(folder, desired), clock=clock
            )
        try:
            now = store.state()
            appended = store.append(folder_changes(now, desired)) if sync else []
            # Nothing appended (an unchanged folder): the snapshot just read is the journal, read once.
            # Else read again, so that a record another writer appended meanwhile is not skipped.
            return cls.build(
                folder, store, as_of, appended, records=None if appended else now.history
            )
        except BaseException:
            store.close()
            raise

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
        state = fold(records, as_of) if records is not None else store.state(as_of)
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

    def record(self, records: list[Record]) -> list[Record]:
        """Append records in one transaction and refresh the state (as of now)."""
        written = self.store.append(records)
        fresh = self.build(self.folder, self.store, None, written)
        self.state, self.event, self.rulebook, self.effects, self.as_of = (
            fresh.state,
            fresh.event,
            fresh.rulebook,
            fresh.effects,
            None,
        )
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
