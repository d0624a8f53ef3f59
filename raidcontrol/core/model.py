"""The event as the classification sees it (pure data, built from the journal).

:func:`event_from_state` turns the records in force (:class:`~raidcontrol.core.journal.JournalState`)
into an :class:`Event`.  Penalties proposed by tracking count only once a steward has
confirmed them; a dismissed or undecided proposal does not.  A confirmed proposal
whose ``status`` is ``did-not-finish`` (too few waypoints validated) turns the
crew's finished time into a forfeit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

from raidcontrol.core.journal import JournalState
from raidcontrol.core.remark import Remark
from raidcontrol.core.timefmt import Instant, parse_instant

# One status vocabulary, two sides of the classification (docs/event-folder.md):
# * input — a time record's ``status`` in times.csv: ``dnf`` = did not finish the special;
# * output — a result's ``status`` in every classification: ``forfeit`` = ranked on the special's
#   maximum time plus the rulebook's fixed penalty (what a ``dnf`` record becomes).
TimeStatus = Literal["finished", "dnf", "withdrawn", "disqualified"]
ResultStatus = Literal["finished", "forfeit", "withdrawn", "disqualified"]
TIME_STATUSES: tuple[str, ...] = get_args(TimeStatus)
RESULT_STATUSES: tuple[str, ...] = get_args(ResultStatus)
ADJUSTMENT_KINDS = ("penalty", "credit")
SCOPES = ("special", "stage")


@dataclass(frozen=True)
class Stage:
    """One stage of the itinerary.  ``number`` 0 is the prologue; ``max_time_ms`` is the
    special's maximum time (the base of a forfeit); ``power_stage``: the organiser's power
    selective section (championship bonus points)."""

    number: int
    name: str
    special_km: float
    max_time_ms: int
    counts_for_general: bool
    final: bool = False
    power_stage: bool = False


@dataclass(frozen=True)
class Entry:
    """A crew: race number (``bib``), category and class, people and vehicle.
    ``extra`` keeps any further column of ``entries.csv`` as text (e.g. ``w2rc``)."""

    bib: int
    category: str
    klass: str
    driver: str
    codriver: str = ""
    team: str = ""
    brand: str = ""
    model: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class TimeRecord:
    """A crew's clock readings in one stage's special (``finish`` is ``None`` unless finished)."""

    stage: int
    bib: int
    start: Instant | None
    finish: Instant | None
    status: TimeStatus
    reason: str = ""  # why a crew that reached the finish is nonetheless out (a confirmed decision)

    @property
    def raw_ms(self) -> int | None:
        if self.status != "finished" or self.start is None or self.finish is None:
            return None
        return self.finish - self.start


@dataclass(frozen=True)
class Adjustment:
    """A penalty or a credit on one crew in one stage.

    scope ``special`` counts in the special's ranking and everything after it;
    ``stage`` counts in the stage and general classifications only.
    """

    stage: int
    bib: int
    kind: str
    amount_ms: int
    scope: str
    reason: str
    origin: str = "folder"  # folder | tracking | …
    record_id: int | None = None
    evidence: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def signed_ms(self) -> int:
        return self.amount_ms if self.kind == "penalty" else -self.amount_ms


@dataclass(frozen=True)
class Split:
    """A crew's elapsed time at a timing waypoint of a special (and its rank there, if published)."""

    stage: int
    bib: int
    waypoint: str
    elapsed_ms: int
    position: int | None = None


@dataclass
class Event:
    """An event as the classification sees it: itinerary, entries, time records, adjustments in
    force (confirmed proposals included), waypoint splits, and remarks (eligibility) by bib."""

    name: str
    rulebook_id: str
    rules: dict[str, Any] = field(default_factory=dict)
    stages: dict[int, Stage] = field(default_factory=dict)
    entries: dict[int, Entry] = field(default_factory=dict)
    times: dict[tuple[int, int], TimeRecord] = field(default_factory=dict)
    adjustments: list[Adjustment] = field(default_factory=list)
    splits: dict[tuple[int, int], list[Split]] = field(default_factory=dict)
    remarks: dict[int, Remark] = field(
        default_factory=dict
    )  # by bib: scrutineering verdicts in force

    def stage_numbers(self) -> list[int]:
        return sorted(self.stages)

    def stages_with_results(self) -> list[int]:
        """Stages where at least one crew has a finished or forfeit record."""
        return sorted({s for (s, _), t in self.times.items() if t.status in ("finished", "dnf")})

    # Indexes are built once, on first use: build the Event completely before classifying it.
    @cached_property
    def _adjustment_index(self) -> dict[tuple[int, int], list[Adjustment]]:
        index: dict[tuple[int, int], list[Adjustment]] = {}
        for a in self.adjustments:
            index.setdefault((a.stage, a.bib), []).append(a)
        return index

    @cached_property
    def _withdrawal_index(self) -> dict[int, int]:
        index: dict[int, int] = {}
        for (stage, bib), t in self.times.items():
            if t.status == "withdrawn":
                index[bib] = min(stage, index.get(bib, stage))
        return index

    def adjustments_for(self, stage: int, bib: int) -> list[Adjustment]:
        return self._adjustment_index.get((stage, bib), [])

    def withdrawn_from(self, bib: int) -> int | None:
        """The first stage at which the crew is recorded withdrawn (out from then on)."""
        return self._withdrawal_index.get(bib)


def _instant(text: str | None) -> Instant | None:
    return parse_instant(text) if text else None


def event_from_state(state: JournalState) -> Event:
    """Build the :class:`Event` in force from the journal state (payloads were validated on import)."""
    ev_rec = state.get("event", "event")
    payload: dict[str, Any] = ev_rec.fields if ev_rec else {"name": "", "rulebook": "", "rules": {}}
    event = Event(
        name=payload["name"], rulebook_id=payload["rulebook"], rules=payload.get("rules", {})
    )
    for rec in state.of_kind("stage"):
        p = rec.fields
        event.stages[p["number"]] = Stage(
            p["number"],
            p["name"],
            p["special_km"],
            p["max_time_ms"],
            p["counts_for_general"],
            p.get("final", False),
            p.get("power_stage", False),
        )
    for rec in state.of_kind("entry"):
        p = rec.fields
        event.entries[p["bib"]] = Entry(
            p["bib"],
            p["category"],
            p["class"],
            p["driver"],
            p.get("codriver", ""),
            p.get("team", ""),
            p.get("brand", ""),
            p.get("model", ""),
            dict(p.get("extra", {})),
        )
    for rec in state.of_kind("time"):
        p = rec.fields
        event.times[(p["stage"], p["bib"])] = TimeRecord(
            p["stage"], p["bib"], _instant(p.get("start")), _instant(p.get("finish")), p["status"]
        )
    _add_adjustments(state, event)
    for rec in state.of_kind("split"):
        p = rec.fields
        event.splits.setdefault((p["stage"], p["bib"]), []).append(
            Split(p["stage"], p["bib"], p["waypoint"], p["elapsed_ms"], p.get("position"))
        )
    for crew_splits in event.splits.values():
        crew_splits.sort(key=lambda sp: sp.elapsed_ms)
    _add_confirmed_penalties(state, event)
    return event


def _add_adjustments(state: JournalState, event: Event) -> None:
    """The folder's adjustments (penalties and bonuses), in key order."""
    for rec in sorted(state.of_kind("adjustment"), key=lambda r: r.key):
        p = rec.fields
        event.adjustments.append(
            Adjustment(
                p["stage"],
                p["bib"],
                p["kind"],
                p["amount_ms"],
                p["scope"],
                p["reason"],
                "folder",
                rec.id,
            )
        )


def _add_confirmed_penalties(state: JournalState, event: Event) -> None:
    """The proposed penalties the stewards confirmed (a did-not-finish one turns the crew's
    finished time into a forfeit), in the order they were proposed."""
    decisions = {r.key: r.fields for r in state.of_kind("penalty-decision")}
    for rec in sorted(state.of_kind("penalty-proposed"), key=lambda r: r.id or 0):
        decision = decisions.get(str(rec.id))
        if decision and decision.get("decision") == "confirmed":
            p = rec.fields
            if p.get("status") == "did-not-finish":  # e.g. too few waypoints validated
                old = event.times.get((p["stage"], p["bib"]))
                if old is not None and old.status == "finished":
                    event.times[(p["stage"], p["bib"])] = TimeRecord(
                        old.stage, old.bib, old.start, old.finish, "dnf", p["reason"]
                    )
                if not p["amount_ms"]:
                    continue
            event.adjustments.append(
                Adjustment(
                    p["stage"],
                    p["bib"],
                    "penalty",
                    p["amount_ms"],
                    p.get("scope", "special"),
                    p["reason"],
                    rec.origin,
                    rec.id,
                    p.get("evidence"),
                )
            )
