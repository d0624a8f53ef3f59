"""What each page shows, computed from an open event (pure: no I/O, no HTTP).

A :class:`Snapshot` is the event as the server holds it at one journal position: the event
model, its rulebook, the Stock effects, the journal state and the position.  Every function
here turns a snapshot into plain rows that the templates (and the bulletins) print.

Times are integer milliseconds; the templates format them as ``H:MM:SS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from raidcontrol.classification import (
    FINISHED,
    ClassLine,
    classify_general,
    classify_special,
    classify_stage,
    counted_stages,
    crew_time,
    last_stage,
)
from raidcontrol.core.journal import JournalState
from raidcontrol.core.model import Event
from raidcontrol.rules import Rulebook

NOT_STARTED, RUNNING, PROVISIONAL, FINAL = "not_started", "running", "provisional", "final"
DECISION_KINDS = (
    "adjustment",
    "penalty-decision",
    "decision",
    "appeal",
    "neutralisation",
    "publication",
)


@dataclass
class Snapshot:
    """The event at one journal position.

    event / rulebook / effects / state: as :class:`raidcontrol.session.EventSession` holds them;
    position: id of the last journal record included (0: empty); folder: the event folder (for
    track files and pictures); updated_at: when the last record was written (UTC) or None.
    """

    event: Event
    rulebook: Rulebook
    effects: dict[int, Any]
    state: JournalState
    position: int
    folder: Path
    updated_at: datetime | None = None


@dataclass(frozen=True)
class StageRow:
    """One stage of the itinerary: number, name, special_km (km), state (``not_started``,
    ``running``, ``provisional`` or ``final``) and crews classified so far."""

    number: int
    name: str
    special_km: float
    state: str
    classified: int


@dataclass(frozen=True)
class Line:
    """A classification line for a page: the :class:`ClassLine` plus the entry's team and
    co-driver, the penalties' decision links (journal record ids) and, for the general, the
    change of position since the previous counted stage (positive = places gained)."""

    line: ClassLine
    team: str
    codriver: str
    vehicle: str
    decisions: tuple[int, ...] = ()
    change: int | None = None


def categories(snap: Snapshot) -> list[str]:
    return list(snap.rulebook.section("categories"))


def classes(snap: Snapshot, category: str | None) -> list[str]:
    cats = snap.rulebook.section("categories")
    chosen = [cats[category]] if category in cats else list(cats.values())
    return sorted({k for c in chosen for k in c.get("classes", [])})


def stage_state(snap: Snapshot, number: int) -> str:
    """A stage's state: final when published final; provisional once a crew has a result;
    running when crews have started but none is classified; else not started."""
    ev = snap.event
    if ev.stages[number].final:
        return FINAL
    records = [t for (s, _), t in ev.times.items() if s == number]
    if any(
        t.status in (FINISHED, "finished", "dnf") and (t.finish is not None or t.status == "dnf")
        for t in records
    ):
        return PROVISIONAL
    if any(t.start is not None for t in records):
        return RUNNING
    return NOT_STARTED


def itinerary(snap: Snapshot) -> list[StageRow]:
    rows = []
    for n in snap.event.stage_numbers():
        st = snap.event.stages[n]
        done = sum(1 for (s, _), t in snap.event.times.items() if s == n and t.finish is not None)
        rows.append(StageRow(n, st.name, st.special_km, stage_state(snap, n), done))
    return rows


def _decorate(snap: Snapshot, lines: list[ClassLine], stage: int | None) -> list[Line]:
    ev = snap.event
    out = []
    for ln in lines:
        entry = ev.entries[ln.bib]
        stages = [stage] if stage is not None else []
        decisions = tuple(
            a.record_id
            for s in stages
            for a in ev.adjustments_for(s, ln.bib)
            if a.record_id is not None
        )
        out.append(
            Line(
                ln,
                entry.team,
                entry.codriver,
                " ".join(x for x in (entry.brand, entry.model) if x),
                decisions,
            )
        )
    return out


def stage_lines(
    snap: Snapshot,
    stage: int,
    *,
    special: bool = False,
    category: str | None = None,
    klass: str | None = None,
) -> list[Line]:
    fn = classify_special if special else classify_stage
    lines = fn(
        snap.event, snap.rulebook, stage, category=category, klass=klass, effects=snap.effects
    )
    return _decorate(snap, lines, stage)


def general_lines(
    snap: Snapshot,
    after: int | None = None,
    *,
    category: str | None = None,
    klass: str | None = None,
) -> tuple[int, list[Line]]:
    """The general after stage ``after`` (default: the last with results), each line with its
    change of position since the previous counted stage."""
    ev, rb = snap.event, snap.rulebook
    after = last_stage(ev) if after is None else after
    lines = classify_general(ev, rb, after, category=category, klass=klass, effects=snap.effects)
    before = [n for n in counted_stages(ev, after) if n < after]
    previous: dict[int, int | None] = {}
    if before:
        prev = classify_general(
            ev, rb, before[-1], category=category, klass=klass, effects=snap.effects
        )
        previous = {ln.bib: ln.position for ln in prev}
    out = []
    for line in _decorate(snap, lines, None):
        old = previous.get(line.line.bib)
        change = (
            (old - line.line.position)
            if old is not None and line.line.position is not None
            else None
        )
        out.append(Line(line.line, line.team, line.codriver, line.vehicle, (), change))
    return after, out


def gap_series(
    snap: Snapshot, category: str | None, top: int
) -> tuple[list[int], dict[int, list[int | None]]]:
    """For the chart: the counted stages, and for the ``top`` crews of the latest general the gap
    to the leader (ms) after each of those stages (None where not classified)."""
    ev, rb = snap.event, snap.rulebook
    if not ev.stages_with_results():
        return [], {}
    last = last_stage(ev)
    stages = counted_stages(ev, last)
    leaders = [
        ln.bib
        for ln in classify_general(ev, rb, last, category=category, effects=snap.effects)
        if ln.position is not None
    ][:top]
    series: dict[int, list[int | None]] = {bib: [] for bib in leaders}
    for n in stages:
        gaps = {
            ln.bib: ln.gap_ms
            for ln in classify_general(ev, rb, n, category=category, effects=snap.effects)
        }
        for bib in leaders:
            series[bib].append(gaps.get(bib))
    return stages, series


@dataclass
class CrewStage:
    """One stage of a crew page: the ``explain`` parts, the splits and the rankings."""

    number: int
    name: str
    status: str
    time_ms: int | None
    parts: list[dict[str, Any]] = field(default_factory=list)
    splits: list[dict[str, Any]] = field(default_factory=list)
    special_position: int | None = None
    stage_position: int | None = None


def crew_stages(snap: Snapshot, bib: int) -> list[CrewStage]:
    ev, rb = snap.event, snap.rulebook
    out = []
    for n in ev.stage_numbers():
        ct = crew_time(ev, rb, n, bib, "stage")
        if ct is None:
            continue
        parts = []
        for part in ct.parts:
            adj = part.adjustment
            proof = adj.evidence if adj is not None else None
            parts.append(
                {
                    "label": part.label,
                    "ms": part.ms,
                    "reason": part.reason,
                    "record": adj.record_id if adj is not None else None,
                    "evidence": proof,
                    "picture": (proof or {}).get("picture"),
                }
            )
        splits = [
            {"waypoint": sp.waypoint, "elapsed_ms": sp.elapsed_ms, "position": sp.position}
            for sp in ev.splits.get((n, bib), [])
        ]
        positions = {}
        for scope, fn in (("special", classify_special), ("stage", classify_stage)):
            line = next((ln for ln in fn(ev, rb, n) if ln.bib == bib), None)
            positions[scope] = line.position if line is not None else None
        out.append(
            CrewStage(
                n,
                ev.stages[n].name,
                ct.status,
                ct.time_ms,
                parts,
                splits,
                positions["special"],
                positions["stage"],
            )
        )
    return out


def scrutineering(snap: Snapshot) -> dict[int, dict[str, Any]]:
    """The scrutineering verdicts in force, by bib (the journal payloads)."""
    return {int(r.key): r.payload for r in snap.state.of_kind("scrutineering") if r.payload}


def remark(snap: Snapshot, bib: int) -> str:
    effect = snap.effects.get(bib)
    return getattr(effect, "flag", "") if effect is not None else ""


@dataclass(frozen=True)
class Notice:
    """One decision on the notice board: number (journal id), when (UTC), author and role, the
    text, and whether a later decision reversed it."""

    number: int
    at: datetime | None
    author: str
    role: str
    text: str
    reversed: bool
    bib: int | None
    stage: int | None


def _notice_text(rec, state: JournalState) -> tuple[str, int | None, int | None]:
    p = rec.payload or {}
    if rec.kind == "penalty-decision":
        proposal = next((r for r in state.history if r.id == p.get("proposal")), None)
        pp = (proposal.payload or {}) if proposal is not None else {}
        what = f"#{pp.get('bib', '?')} stage {pp.get('stage', '?')}: {pp.get('reason', '')}".strip()
        text = f"{p.get('decision', '')} — {what}" + (
            f" ({p['reason']})" if p.get("reason") else ""
        )
        return text, pp.get("bib"), pp.get("stage")
    if rec.kind == "adjustment":
        from raidcontrol.core.timefmt import format_duration

        amount = format_duration(int(p.get("amount_ms", 0)))
        text = f"{p.get('kind', '')} {amount} ({p.get('scope', '')}) — #{p.get('bib')} stage {p.get('stage')}: {p.get('reason', '')}"
        return text, p.get("bib"), p.get("stage")
    text = p.get("text") or p.get("reason") or ", ".join(f"{k}={v}" for k, v in sorted(p.items()))
    return str(text), p.get("bib"), p.get("stage")


def notices(snap: Snapshot) -> list[Notice]:
    """Every decision in journal order; a decision superseded by a later one is shown reversed."""
    superseded = {r.supersedes for r in snap.state.history if r.supersedes is not None}
    out = []
    for rec in snap.state.history:
        if rec.kind not in DECISION_KINDS or rec.payload is None:
            continue
        text, bib, stage = _notice_text(rec, snap.state)
        role = (rec.payload or {}).get("role") or (
            "steward" if rec.kind in ("penalty-decision", "adjustment") else ""
        )
        out.append(
            Notice(
                rec.id or 0,
                rec.recorded_at,
                rec.author,
                role,
                text,
                rec.id in superseded,
                bib,
                stage,
            )
        )
    return out


def search(snap: Snapshot, query: str) -> list[int]:
    """Bibs whose number, driver, co-driver or team matches the query (case-insensitive)."""
    q = query.strip().lower().lstrip("#")
    if not q:
        return []
    hits = []
    for bib, e in sorted(snap.event.entries.items()):
        if q == str(bib) or any(q in x.lower() for x in (e.driver, e.codriver, e.team) if x):
            hits.append(bib)
    return hits


def stock_category(snap: Snapshot) -> str | None:
    """The Stock category's name in this event's rulebook (None when the rulebook has none)."""
    if not snap.rulebook.has("stock.category"):
        return None
    return str(snap.rulebook.value("stock.category"))


@dataclass(frozen=True)
class StockCar:
    """A Stock entry: bib, driver, vehicle, its verdict (or ``not scrutineered``) and remark."""

    bib: int
    driver: str
    vehicle: str
    verdict: str
    remark: str


def stock_cars(snap: Snapshot, category: str | None) -> list[StockCar]:
    verdicts = scrutineering(snap)
    cars = []
    for bib, e in sorted(snap.event.entries.items()):
        if category is None or e.category != category:
            continue
        verdict = verdicts.get(bib, {}).get("verdict", "not scrutineered")
        cars.append(
            StockCar(
                bib,
                e.driver,
                " ".join(x for x in (e.brand, e.model) if x),
                str(verdict),
                remark(snap, bib),
            )
        )
    return cars


@dataclass(frozen=True)
class Proposal:
    """A proposed penalty on the stewards' board: the journal record ``id`` in force, its stage,
    crew, ``code`` (``missed-wpK``, ``speeding-zK`` …), ``what`` (the waypoint or zone), amount,
    reason, ``status`` (``proposed``, ``confirmed`` or ``dismissed``) with who decided and why,
    the evidence's picture (a path in the event folder) and where it happened (lat, lon)."""

    id: int
    stage: int
    bib: int
    driver: str
    code: str
    what: str
    amount_ms: int
    reason: str
    status: str
    decided_by: str
    decision_reason: str
    picture: str | None
    lat: float | None
    lon: float | None
    author: str


def proposals(snap: Snapshot, stage: int | None = None) -> list[Proposal]:
    """The proposed penalties in force (tracking and scrutineering), undecided first, then the
    newest first; ``stage`` keeps one stage's."""
    from raidcontrol.tracking.report import evidence_position  # (numpy: only when asked)

    out = []
    for rec in snap.state.of_kind("penalty-proposed"):
        p = rec.payload
        if stage is not None and p.get("stage") != stage:
            continue
        dec = snap.state.get("penalty-decision", str(rec.id))
        evidence = p.get("evidence") or {}
        lat, lon = evidence_position(evidence) or (None, None)
        entry = snap.event.entries.get(p["bib"])
        out.append(
            Proposal(
                rec.id or 0,
                p["stage"],
                p["bib"],
                entry.driver if entry is not None else "",
                p.get("code", ""),
                str(evidence.get("name") or evidence.get("zone") or ""),
                int(p["amount_ms"]),
                p["reason"],
                dec.payload["decision"] if dec else "proposed",
                dec.author if dec else "",
                dec.payload.get("reason", "") if dec else "",
                evidence.get("picture"),
                lat,
                lon,
                rec.author,
            )
        )
    out.sort(key=lambda x: (x.status != "proposed", -x.id))
    return out
