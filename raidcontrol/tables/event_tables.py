"""An event's reference tables: entries, itinerary, proposed penalties, scrutineering (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from raidcontrol.core.journal import JournalState
from raidcontrol.core.model import Event
from raidcontrol.tables.table import Column, Table

ENTRY_COLUMNS = (
    Column("bib", "int", "", "race number"),
    Column("category", "str", "", "category"),
    Column("class", "str", "", "class"),
    Column("driver", "str", "", "driver"),
    Column("codriver", "str", "", "co-driver (navigator)"),
    Column("team", "str", "", "team"),
    Column("brand", "str", "", "vehicle make"),
    Column("model", "str", "", "vehicle model"),
    Column(
        "eligibility", "str", "", "the scrutineering verdict in force; none when not scrutineered"
    ),
    Column("remarks", "str", "", "the remark shown beside the crew in every list"),
)

ITINERARY_COLUMNS = (
    Column("stage", "int", "", "stage number (0 = prologue)"),
    Column("name", "str", "", "stage name"),
    Column("special_km", "float", "km", "length of the special section"),
    Column("max_time", "duration", "ms", "the special's maximum time (the base of a forfeit)"),
    Column(
        "counts_for_general", "bool", "", "whether the stage counts in the general classification"
    ),
    Column("final", "bool", "", "whether its results are final (else provisional)"),
    Column("results", "int", "", "time records of crews that finished or forfeited"),
)

PENALTY_COLUMNS = (
    Column(
        "id", "int", "", "the proposal's journal record (give it to penalties confirm / dismiss)"
    ),
    Column("stage", "int", "", "stage number"),
    Column("bib", "int", "", "race number"),
    Column("code", "str", "", "what was found (missed-wp3, speeding-z1, share …)"),
    Column("penalty", "duration", "ms", "the penalty proposed"),
    Column("state", "str", "", "proposed | confirmed | dismissed"),
    Column("by", "str", "", "who decided (empty text while proposed)"),
    Column("reason", "str", "", "the finding"),
    Column(
        "decision_reason",
        "str",
        "",
        "why it was confirmed or dismissed (empty text while proposed)",
    ),
    Column("picture", "str", "", "the evidence picture, relative to the event folder"),
)

SCRUTINEERING_COLUMNS = (
    Column("bib", "int", "", "race number"),
    Column("driver", "str", "", "driver"),
    Column("reference", "str", "", "the production-reference sheet the car is checked against"),
    Column("verdict", "str", "", "eligible | eligible-with-remarks | not-eligible | experimental"),
    Column("breaches", "str", "", "rule ids broken, separated by ', '"),
    Column("remarks", "str", "", "the scrutineers' remarks, separated by '; '"),
    Column("flag", "str", "", "what every classification shows beside the crew"),
    Column("excluded_from", "str", "", "category rankings the crew is left out of"),
    Column("source", "str", "", "the scrutineering file the verdict comes from"),
    Column("recorded_at", "datetime", "", "when the verdict was recorded in the journal (UTC)"),
)


def entries_table(event: Event) -> Table:
    rows = []
    for bib, e in sorted(event.entries.items()):
        remark = event.remarks.get(bib)
        rows.append(
            (
                bib,
                e.category,
                e.klass,
                e.driver,
                e.codriver,
                e.team,
                e.brand,
                e.model,
                (remark.eligibility or None) if remark else None,
                (remark.flag or None) if remark else None,
            )
        )
    return Table(
        ENTRY_COLUMNS,
        tuple(rows),
        f"{event.name} — entries",
        highlight=frozenset(i for i, r in enumerate(rows) if r[-1]),
    )


def itinerary_table(event: Event) -> Table:
    done: dict[int, int] = {}
    for (stage, _), t in event.times.items():
        if t.status in ("finished", "dnf"):
            done[stage] = done.get(stage, 0) + 1
    rows = [
        (n, s.name, s.special_km, s.max_time_ms, s.counts_for_general, s.final, done.get(n, 0))
        for n, s in sorted(event.stages.items())
    ]
    return Table(ITINERARY_COLUMNS, tuple(rows), f"{event.name} — itinerary")


def penalties_table(lines: Iterable[Any], *, title: str = "Proposed penalties") -> Table:
    """Proposal lines (:func:`raidcontrol.tracking.proposals.proposal_lines`) as a table."""
    lines = list(lines)
    rows = [
        (
            ln.id,
            ln.stage,
            ln.bib,
            ln.code,
            ln.amount_ms,
            ln.state,
            ln.decided_by,
            ln.reason,
            ln.decision_reason,
            ln.picture or None,
        )
        for ln in lines
    ]
    return Table(
        PENALTY_COLUMNS,
        tuple(rows),
        title,
        highlight=frozenset(i for i, ln in enumerate(lines) if ln.state == "proposed"),
    )


def scrutineering_table(event: Event, state: JournalState, *, title: str = "") -> Table:
    """The verdicts in force (journal records of kind ``scrutineering``), one row per bib."""
    rows: list[tuple[Any, ...]] = []
    for rec in sorted(
        state.of_kind("scrutineering"), key=lambda r: int(r.key) if r.key.isdigit() else 0
    ):
        p = rec.payload or {}
        bib = int(p.get("bib", rec.key))
        entry = event.entries.get(bib)
        remark = event.remarks.get(bib)
        breaches = ", ".join(dict.fromkeys(b.get("rule_id", "") for b in p.get("breaches", [])))
        rows.append(
            (
                bib,
                entry.driver if entry else None,
                p.get("reference") or None,
                p.get("verdict") or None,
                breaches or None,
                "; ".join(p.get("remarks", [])) or None,
                (remark.flag or None) if remark else None,
                ", ".join(sorted(remark.excluded_categories)) or None if remark else None,
                rec.source or None,
                rec.recorded_at.isoformat() if rec.recorded_at else None,
            )
        )
    return Table(
        SCRUTINEERING_COLUMNS,
        tuple(rows),
        title or f"{event.name} — scrutineering verdicts",
        highlight=frozenset(i for i, r in enumerate(rows) if r[6]),
    )
