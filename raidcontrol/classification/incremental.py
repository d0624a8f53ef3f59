"""Live classification: an event's classifications kept up to date one journal record at a time (pure).

:class:`LiveClassification` holds the journal state, the :class:`~raidcontrol.core.model.Event`
and every crew's result in every stage (special and stage scope) and in the general after every
stage.  :meth:`LiveClassification.apply` takes the next journal record and recomputes only what
it touches: the crew's results in the stage concerned and from there on (a withdrawal counts
for every later stage), and that crew's general results; rankings are made when asked.  A new
time, penalty, credit, proposal or steward's decision costs a few crew-time computations and
one ranking per classification read, instead of the 11,200 crew times of a Dakar-size event.

What changes the whole event — the event record (rulebook, rule overrides), a stage, an
entry — rebuilds everything from the state.  Scrutineering verdicts (Stock eligibility)
change only the event's remarks (``Event.remarks``: the rankings' flags and exclusions).

The results equal a full recomputation (``classify_*`` over ``event_from_state(fold(records))``)
after any sequence of records, corrections and tombstones; ``tests/classification/
test_incremental.py`` proves it with hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from raidcontrol.classification import _check_stage, last_stage
from raidcontrol.classification.crew_time import (
    DISQUALIFIED,
    FINISHED,
    FORFEIT,
    SPECIAL,
    STAGE,
    WITHDRAWN,
    crew_time,
)
from raidcontrol.classification.ranking import ClassLine, Standing, rank
from raidcontrol.core.journal import JournalState, Record
from raidcontrol.core.model import Event, event_from_state
from raidcontrol.core.remark import Remark
from raidcontrol.rules import Rulebook

RulebookLoader = Callable[[str, dict[str, Any]], Rulebook]
RemarksOf = Callable[[JournalState, Rulebook | None, Event], dict[int, Remark]]

#: Kinds whose records are one crew's in one stage (payload ``stage`` and ``bib``).
CREW_KINDS = ("time", "adjustment", "split", "penalty-proposed")
DECISION_KIND = "penalty-decision"
VERDICT_KIND = "scrutineering"
#: Kinds that change the whole event: everything is rebuilt.
EVENT_KINDS = ("event", "stage", "entry")
RESULT_STATUSES = ("finished", "dnf")  # a stage "has results" (Event.stages_with_results)

Place = tuple[int, int]  # (stage, bib)


def _place(rec: Record | None) -> Place | None:
    p = rec.payload if rec is not None else None
    if not isinstance(p, dict) or "stage" not in p or "bib" not in p:
        return None
    return int(p["stage"]), int(p["bib"])


class LiveClassification:
    """The classifications of one event, updated record by record.

    Parameters
    ----------
    state: the journal state to start from (folded records); default empty.
    load_rulebook: ``(rulebook_id, overrides) -> Rulebook`` (default :func:`raidcontrol.rules.load_rulebook`).
    remarks_of: ``(state, rulebook, event) -> remarks by bib`` (default
        :func:`raidcontrol.stock.effects.remarks_in_force`, the scrutineering verdicts in force).

    Attributes: ``state`` (:class:`JournalState`), ``event`` (:class:`Event`, its ``remarks``
    kept up to date), ``rulebook``, ``effects`` (the remarks by bib).
    """

    def __init__(
        self,
        state: JournalState | None = None,
        load_rulebook: RulebookLoader | None = None,
        remarks_of: RemarksOf | None = None,
    ):
        from raidcontrol.rules import load_rulebook as load
        from raidcontrol.stock.effects import remarks_in_force

        self._load_rulebook: RulebookLoader = load if load_rulebook is None else load_rulebook
        self._remarks_of: RemarksOf = remarks_in_force if remarks_of is None else remarks_of
        self.state = state if state is not None else JournalState()
        self._rebuild()

    @classmethod
    def from_records(
        cls,
        records: Iterable[Record],
        load_rulebook: RulebookLoader | None = None,
        remarks_of: RemarksOf | None = None,
    ) -> LiveClassification:
        from raidcontrol.core.journal import fold

        return cls(fold(records), load_rulebook, remarks_of)

    @property
    def effects(self) -> dict[int, Remark]:
        return self.event.remarks

    def load_rulebooks_with(self, load_rulebook: RulebookLoader) -> None:
        """Load the rulebook with ``load_rulebook`` from now on (a checkpoint opened elsewhere: the
        event folder, where a rulebook of its own may be, has moved)."""
        self._load_rulebook = load_rulebook

    # -- the whole event -----------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.event: Event = event_from_state(self.state)
        ev = self.event
        self.rulebook: Rulebook | None = (
            self._load_rulebook(ev.rulebook_id, ev.rules) if ev.rulebook_id else None
        )
        self._effects()
        ev._adjustment_index  # noqa: B018 - build the cached indexes now: they are kept up to date in place
        ev._withdrawal_index  # noqa: B018
        self._withdrawn: dict[int, set[int]] = {}  # bib → stages recorded withdrawn
        self._counted: set[Place] = set()  # places with a finished or forfeit record
        for (stage, bib), t in ev.times.items():
            if t.status == "withdrawn":
                self._withdrawn.setdefault(bib, set()).add(stage)
            elif t.status in RESULT_STATUSES:
                self._counted.add((stage, bib))
        self._with_results: dict[int, int] = {}
        for stage, _ in self._counted:
            self._with_results[stage] = self._with_results.get(stage, 0) + 1
        self._at: dict[Place, set[tuple[str, str]]] = {}
        self._proposals: dict[int, Place] = {}
        for ident, rec in self.state.current.items():
            self._index(ident, rec)
        self._results: dict[str, dict[int, dict[int, Standing]]] = {SPECIAL: {}, STAGE: {}}
        self._general: dict[int, dict[int, Standing]] = {}
        for bib in ev.entries:
            self._crew(bib)

    def _effects(self) -> None:
        self.event.remarks = self._remarks_of(self.state, self.rulebook, self.event)

    def _index(self, ident: tuple[str, str], rec: Record) -> None:
        if ident[0] in CREW_KINDS and (place := _place(rec)) is not None:
            self._at.setdefault(place, set()).add(ident)
            if ident[0] == "penalty-proposed" and rec.id is not None:
                self._proposals[rec.id] = place

    def _unindex(self, ident: tuple[str, str], rec: Record | None) -> None:
        if rec is not None and (place := _place(rec)) is not None:
            self._at.get(place, set()).discard(ident)
            if ident[0] == "penalty-proposed" and rec.id is not None:
                self._proposals.pop(rec.id, None)

    # -- one record ----------------------------------------------------------------------------
    def apply(self, rec: Record) -> set[int]:
        """Fold the next record (ids ascending) and update what it touches; returns the stages
        whose results may have changed (every stage on a rebuild)."""
        ident = (rec.kind, rec.key)
        old = self.state.apply(rec)
        if rec.kind in EVENT_KINDS:
            self._rebuild()
            return set(self.event.stages)
        if rec.kind == VERDICT_KIND:
            self._effects()
            return set(self.event.stages)
        places: set[Place] = set()
        if rec.kind in CREW_KINDS:
            self._unindex(ident, old)
            if rec.payload is not None:
                self._index(ident, rec)
            places = {p for p in (_place(old), _place(rec)) if p is not None}
        elif rec.kind == DECISION_KIND and rec.key.isdigit() and int(rec.key) in self._proposals:
            places = {self._proposals[int(rec.key)]}
        for place in places:
            self._splice(place)
        for bib in {b for _, b in places}:
            self._crew(bib)
        return {s for s, _ in places}

    def apply_all(self, records: Iterable[Record]) -> None:
        for rec in records:
            self.apply(rec)

    def _splice(self, place: Place) -> None:
        """Rebuild one crew's time, adjustments and splits in one stage from the records in force there."""
        mini = JournalState()
        for ident in self._at.get(place, ()):
            mini.current[ident] = rec = self.state.current[ident]
            if ident[0] == "penalty-proposed":
                decision = self.state.current.get((DECISION_KIND, str(rec.id)))
                if decision is not None:
                    mini.current[(DECISION_KIND, decision.key)] = decision
        part = event_from_state(mini)
        ev = self.event
        if place in part.times:
            ev.times[place] = part.times[place]
        else:
            ev.times.pop(place, None)
        old = ev._adjustment_index.pop(place, [])
        new = [a for a in part.adjustments if (a.stage, a.bib) == place]
        if new:
            ev._adjustment_index[place] = new
        if old or new:
            ev.adjustments = [a for a in ev.adjustments if (a.stage, a.bib) != place] + new
        if place in part.splits:
            ev.splits[place] = part.splits[place]
        else:
            ev.splits.pop(place, None)
        stage, bib = place
        status = ev.times[place].status if place in ev.times else None
        withdrawn = self._withdrawn.setdefault(bib, set())
        (withdrawn.add if status == "withdrawn" else withdrawn.discard)(stage)
        if withdrawn:
            ev._withdrawal_index[bib] = min(withdrawn)
        else:
            ev._withdrawal_index.pop(bib, None)
        if status in RESULT_STATUSES:
            self._with_results[stage] = (
                self._with_results.get(stage, 0) + 1 - (place in self._counted)
            )
            self._counted.add(place)
        elif place in self._counted:
            self._counted.discard(place)
            self._with_results[stage] -= 1

    # -- one crew ------------------------------------------------------------------------------
    def _crew(self, bib: int) -> None:
        """Recompute one crew's stage results (both scopes) and its general after every stage."""
        ev, rb = self.event, self.rulebook
        if bib not in ev.entries or rb is None:
            return
        acc_status: set[str] = set()
        acc_time = acc_penalty = 0
        complete, counted = True, 0
        for n in ev.stage_numbers():
            for scope in (SPECIAL, STAGE):
                ct = crew_time(ev, rb, n, bib, scope)
                table = self._results[scope].setdefault(n, {})
                if ct is None:
                    table.pop(bib, None)
                else:
                    table[bib] = Standing(bib, ct.status, ct.time_ms, ct.penalty_ms)
            if ev.stages[n].counts_for_general:
                counted += 1
                r = self._results[STAGE][n].get(bib)
                if r is None:
                    complete = False
                else:
                    acc_status.add(r.status)
                    acc_penalty += r.penalty_ms
                    if r.time_ms is None:  # as classify_general: no time, no general time
                        complete = False
                    else:
                        acc_time += r.time_ms
            general = self._general.setdefault(n, {})
            standing = self._general_standing(
                bib, acc_status, acc_time, acc_penalty, complete and counted > 0
            )
            if standing is None:
                general.pop(bib, None)
            else:
                general[bib] = standing

    @staticmethod
    def _general_standing(
        bib: int, statuses: set[str], time_ms: int, penalty: int, complete: bool
    ) -> Standing | None:
        if DISQUALIFIED in statuses:
            return Standing(bib, DISQUALIFIED, None, penalty)
        if WITHDRAWN in statuses:
            return Standing(bib, WITHDRAWN, None, penalty)
        if complete:
            return Standing(bib, FORFEIT if FORFEIT in statuses else FINISHED, time_ms, penalty)
        return None

    # -- classifications -----------------------------------------------------------------------
    def _ranked(
        self, table: dict[int, Standing], category: str | None, klass: str | None
    ) -> list[ClassLine]:
        return rank(self.event, list(table.values()), category=category, klass=klass)

    def special(
        self, stage: int, *, category: str | None = None, klass: str | None = None
    ) -> list[ClassLine]:
        """The special's ranking (as :func:`~raidcontrol.classification.classify_special`)."""
        _check_stage(self.event, stage)
        return self._ranked(self._results[SPECIAL].get(stage, {}), category, klass)

    def stage(
        self, stage: int, *, category: str | None = None, klass: str | None = None
    ) -> list[ClassLine]:
        """The stage ranking (as :func:`~raidcontrol.classification.classify_stage`)."""
        _check_stage(self.event, stage)
        return self._ranked(self._results[STAGE].get(stage, {}), category, klass)

    def general(
        self, after: int | None = None, *, category: str | None = None, klass: str | None = None
    ) -> list[ClassLine]:
        """The general classification after a stage (as :func:`~raidcontrol.classification.classify_general`)."""
        if after is None:
            with_results = [n for n, count in self._with_results.items() if count > 0]
            after = max(with_results) if with_results else last_stage(self.event)
        _check_stage(self.event, after)
        return self._ranked(self._general.get(after, {}), category, klass)
