"""The event held in memory by one server process, fed record by record from the journal.

:class:`EventView` folds each new journal record into the state in force as it arrives
(the journal stays the single source of truth: a restarted process reads it again) and into
its :class:`~raidcontrol.classification.incremental.LiveClassification`, which recomputes
only what the record touches (one crew's stage results and general for a time, a penalty or
a decision; everything for an event, stage or entry record).  A snapshot (event, rulebook,
Stock remarks) is taken once per journal position, lazily.  Tables computed from them are cached per position, so a read at
an unchanged position costs a dictionary lookup.  ``as_of`` reads fold the journal up to
that moment (cached too).  The state is shared: read it, and build from it, holding ``lock``
(as :func:`~raidcontrol.service.render.respond` and the writer do).
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from raidcontrol.core.journal import JournalState, Record, canonical_json, fold
from raidcontrol.core.model import Event, event_from_state
from raidcontrol.rules import Rulebook, load_rulebook
from raidcontrol.service.feed import Change, JournalReader, describe, group

if TYPE_CHECKING:
    from raidcontrol.classification.incremental import LiveClassification

CACHE_LIMIT = 256  # tables kept per process (entries: one per table, parameters and position)
LOOKBACK = (
    256  # ids re-checked below the position on PostgreSQL (transactions committing out of order)
)


@dataclass(frozen=True)
class Snapshot:
    """The event at one journal position: ``state`` (records in force), ``event``, ``rulebook``,
    ``effects`` (Stock ranking remarks by bib) and ``position`` (id of the last record folded);
    ``live``: the view's :class:`~raidcontrol.classification.incremental.LiveClassification`
    while this is the snapshot in force (read its rankings holding the view's lock), else None."""

    state: JournalState
    event: Event
    rulebook: Rulebook | None
    effects: dict[int, Any]
    position: int
    live: LiveClassification | None = field(default=None, compare=False, repr=False)

    def current(self) -> LiveClassification | None:
        """The live classification if it still stands at this snapshot's position."""
        live = self.live
        return live if live is not None and live.state.position == self.position else None


@lru_cache(maxsize=8)
def _rulebook(rulebook_id: str, rules_json: str) -> Rulebook:
    return load_rulebook(rulebook_id, json.loads(rules_json))


def _load_rulebook(rulebook_id: str, rules: dict) -> Rulebook:
    return _rulebook(rulebook_id, canonical_json(rules))


def snapshot_of(state: JournalState, position: int) -> Snapshot:
    """The event rebuilt from ``state`` (an as-of moment, or a test's reference)."""
    from raidcontrol.session import ranking_effects

    event = event_from_state(state)
    rulebook = _load_rulebook(event.rulebook_id, event.rules) if event.rulebook_id else None
    effects = ranking_effects(event, state, rulebook) if rulebook else {}
    return Snapshot(state, event, rulebook, effects, position)


def _frozen(live: LiveClassification, position: int) -> Snapshot:
    """A snapshot of the live classification: its event's containers copied (the live one changes in
    place with the next record, while a page may still be reading this one)."""
    ev = live.event
    event = replace(
        ev,
        stages=dict(ev.stages),
        entries=dict(ev.entries),
        times=dict(ev.times),
        adjustments=list(ev.adjustments),
        splits=dict(ev.splits),
        remarks=dict(ev.remarks),
    )
    return Snapshot(live.state, event, live.rulebook, event.remarks, position, live)


class EventView:
    """One event's state in memory; :meth:`catch_up` applies what the journal gained since."""

    def __init__(self, store, season: bool = False):
        self.store = store
        self.reader = JournalReader(store)
        self.season = season
        self.postgres = store.engine.dialect.name == "postgresql"
        self.state = JournalState()
        self.by_id: dict[int, Record] = {}
        self.position = 0
        self.lock = threading.RLock()
        self.live: LiveClassification | None = None  # built at the first snapshot
        self._snapshot: Snapshot | None = None
        self._cache: dict[tuple, Any] = {}

    def catch_up(self) -> list[Change]:
        """Fold the records appended since the last call; returns the changes they make."""
        with self.lock:
            if self.postgres:
                new = self.reader.new_since(self.position, self.by_id, LOOKBACK)
            else:  # SQLite has one writer at a time: ids become visible in order
                new = self.reader.after(self.position)
            out = []
            for records in group(new):
                out.append(describe(records, self.by_id, self.season))
                for rec in records:
                    self._apply(rec)
            if new:
                self._snapshot = None  # taken again, from the live classification, when asked
            return out

    def _apply(self, rec: Record) -> None:
        """Fold one record: in order, into the live classification (only what it touches is
        recomputed); late (an id below the position), into the state, the live one rebuilt."""
        self.by_id[rec.id] = rec
        if (rec.id or 0) > self.position:
            if self.live is not None:
                self.live.apply(rec)  # folds it into self.state (the live one's) too
            else:
                self.state.apply(rec)
            self.position = self.state.position
            return
        # committed after later ids were read: history stays in id order
        bisect.insort(self.state.history, rec, key=lambda r: r.id or 0)
        self.live = None  # rebuilt from the state at the next snapshot
        in_force = self.state.last.get((rec.kind, rec.key))
        if in_force is not None and (in_force.id or 0) > (rec.id or 0):
            return  # a later record of the same subject is already in force
        self.state.last[(rec.kind, rec.key)] = rec
        if rec.payload is None:
            self.state.current.pop((rec.kind, rec.key), None)
        else:
            self.state.current[(rec.kind, rec.key)] = rec

    def snapshot(self, as_of: datetime | None = None) -> Snapshot:
        """The event now (``as_of`` None) or as it stood at ``as_of``."""
        with self.lock:
            if as_of is None:
                if self._snapshot is None:
                    if self.live is None:
                        from raidcontrol.classification.incremental import LiveClassification
                        from raidcontrol.session import remarks_of

                        self.live = LiveClassification(self.state, _load_rulebook, remarks_of)
                    self._snapshot = _frozen(self.live, self.position)
                return self._snapshot
            state = fold(self.state.history, as_of)
            position = max((r.id or 0 for r in state.history), default=0)
            return self.cached(("snapshot", position), lambda: snapshot_of(state, position))

    def position_as_of(self, as_of: datetime | None) -> int:
        """The journal position in force at ``as_of`` (cheap: no fold)."""
        if as_of is None:
            return self.position
        return max(
            (
                r.id or 0
                for r in self.state.history
                if r.recorded_at is None or r.recorded_at <= as_of
            ),
            default=0,
        )

    def cached(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()`` once per key (keys include the journal position)."""
        hit = self._cache.get(key)
        if hit is None:
            hit = build()
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = hit
        return hit

    def changes_after(self, position: int) -> list[Change]:
        """Every change after ``position`` (read from the journal: survives restarts)."""
        with self.lock:
            records = (
                [r for r in self.state.history if (r.id or 0) > position]
                if position <= self.position
                else []
            )
            return [describe(g, self.by_id, self.season) for g in group(records)]
