"""The event held in memory by one server process, fed record by record from the journal.

:class:`EventView` folds each new journal record into the state in force as it arrives
(the journal stays the single source of truth: a restarted process reads it again), and
builds the :class:`~raidcontrol.core.model.Event`, rulebook and Stock effects once per
journal position, lazily.  Tables computed from them are cached per position, so a read at
an unchanged position costs a dictionary lookup.  ``as_of`` reads fold the journal up to
that moment (cached too).  The state is shared: read it, and build from it, holding ``lock``
(as :func:`~raidcontrol.service.render.respond` and the writer do).
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from raidcontrol.core.journal import JournalState, Record, canonical_json, fold
from raidcontrol.core.model import Event, TimeRecord, event_from_state
from raidcontrol.core.timefmt import parse_instant
from raidcontrol.rules import Rulebook, load_rulebook
from raidcontrol.service.feed import Change, JournalReader, describe, group

CACHE_LIMIT = 256  # tables kept per process (entries: one per table, parameters and position)
LOOKBACK = (
    256  # ids re-checked below the position on PostgreSQL (transactions committing out of order)
)


@dataclass(frozen=True)
class Snapshot:
    """The event at one journal position: ``state`` (records in force), ``event``, ``rulebook``,
    ``effects`` (Stock ranking effects by bib) and ``position`` (id of the last record folded)."""

    state: JournalState
    event: Event
    rulebook: Rulebook | None
    effects: dict[int, Any]
    position: int


MODEL_KINDS = frozenset(
    {
        "event",
        "stage",
        "entry",
        "time",
        "adjustment",
        "split",
        "penalty-proposed",
        "penalty-decision",
        "scrutineering",
    }
)  # the kinds event_from_state and the effects read


@lru_cache(maxsize=8)
def _rulebook(rulebook_id: str, rules_json: str) -> Rulebook:
    return load_rulebook(rulebook_id, json.loads(rules_json))


def snapshot_of(state: JournalState, position: int) -> Snapshot:
    from raidcontrol.session import ranking_effects

    event = event_from_state(state)
    rulebook = (
        _rulebook(event.rulebook_id, canonical_json(event.rules)) if event.rulebook_id else None
    )
    effects = ranking_effects(event, state, rulebook) if rulebook else {}
    return Snapshot(state, event, rulebook, effects, position)


def advanced(
    previous: Snapshot, state: JournalState, new: list[Record], position: int
) -> Snapshot | None:
    """``previous`` moved on by ``new`` records without rebuilding the event, when they are only kinds
    the model ignores or plain time records (no confirmed did-not-finish proposal in force); else None."""
    times = [r for r in new if r.kind == "time"]
    if any(r.kind in MODEL_KINDS and r.kind != "time" for r in new):
        return None
    if times and any(
        (r.payload or {}).get("status") == "did-not-finish"
        for r in state.of_kind("penalty-proposed")
    ):
        return None
    event = previous.event
    if times:
        updated = dict(event.times)
        for rec in times:
            stage, bib = (int(x) for x in rec.key.split("/"))
            if rec.payload is None:
                updated.pop((stage, bib), None)
            else:
                p = rec.payload
                start, finish = p.get("start"), p.get("finish")
                updated[(stage, bib)] = TimeRecord(
                    stage,
                    bib,
                    parse_instant(start) if start else None,
                    parse_instant(finish) if finish else None,
                    p["status"],
                )
        event = replace(event, times=updated)
    return Snapshot(state, event, previous.rulebook, previous.effects, position)


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
            if new and self._snapshot is not None:
                self._snapshot = advanced(self._snapshot, self.state, new, self.position)
            return out

    def _apply(self, rec: Record) -> None:
        self.by_id[rec.id] = rec
        late = (rec.id or 0) < self.position
        if late:  # committed after later ids were read: history stays in id order
            bisect.insort(self.state.history, rec, key=lambda r: r.id or 0)
        else:
            self.state.history.append(rec)
        in_force = self.state.current.get((rec.kind, rec.key))
        if late and in_force is not None and (in_force.id or 0) > (rec.id or 0):
            return  # a later record of the same subject is already in force
        if rec.payload is None:
            self.state.current.pop((rec.kind, rec.key), None)
        else:
            self.state.current[(rec.kind, rec.key)] = rec
        self.position = max(self.position, rec.id or 0)

    def snapshot(self, as_of: datetime | None = None) -> Snapshot:
        """The event now (``as_of`` None) or as it stood at ``as_of``."""
        with self.lock:
            if as_of is None:
                if self._snapshot is None:
                    self._snapshot = snapshot_of(self.state, self.position)
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
