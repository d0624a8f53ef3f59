"""The one adapter from the event to tables: every table the API serves, built here.

Classifications use the very rows and CSV writer of ``raidcontrol classify`` (so
``/api/v1/classification/general?format=csv`` is byte-identical to
``raidcontrol classify EVENT --general --format csv``).  When the event API's ``Table``
lands, this module is the one place to switch.

Each :class:`TableData` has ``name``, ``header`` (column names), ``rows`` (lists of
values: int, str or None), ``status`` (``provisional`` or ``final``), ``position`` (the
journal position it was computed at) and ``notes`` (amendments after a final publication).
Times are text ``H:MM:SS.mmm`` as in the CLI's CSV.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import format_duration
from raidcontrol.service.view import Snapshot

PROVISIONAL, FINAL = "provisional", "final"
PUBLICATION = "publication"
STEWARD_ORIGIN = "stewards"


@dataclass
class TableData:
    name: str
    header: tuple[str, ...]
    rows: list[list[Any]]
    status: str = PROVISIONAL
    position: int = 0
    notes: list[dict] = field(default_factory=list)

    def to_csv(self) -> str:
        from raidcontrol.cli.common import csv_text

        return csv_text(self.header, self.rows)

    def to_records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.header, r)) for r in self.rows]

    def to_json(self) -> str:
        body = {
            "table": self.name,
            "status": self.status,
            "position": self.position,
            "columns": list(self.header),
            "amendments": self.notes,
            "rows": self.to_records(),
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _fmt(ms: int | None) -> str:
    return "" if ms is None else format_duration(ms)


def check_filters(snap: Snapshot, category: str | None, klass: str | None) -> None:
    """Unknown category or class → :class:`InputError` naming the parameter (as ``classify`` does)."""
    categories = snap.rulebook.section("categories") if snap.rulebook else {}
    if category is not None and category not in categories:
        raise InputError(
            f"unknown category {category!r} (known: {', '.join(categories)})", field="category"
        )
    if klass is not None and not any(klass in c.get("classes", []) for c in categories.values()):
        raise InputError(f"unknown class {klass!r}", field="class")


def check_stage(snap: Snapshot, stage: int, field_name: str = "stage") -> None:
    if stage not in snap.event.stages:
        raise InputError(f"stage {stage} is not in the event", field=field_name)


def publication_status(snap: Snapshot, table: str, stage: int) -> tuple[str, list[dict]]:
    """``final`` when the clerk published it final (or the folder marks the stage final), and the
    steward decisions recorded since that publication (shown as amendments)."""
    pub = snap.state.get(PUBLICATION, f"{table}/{stage}")
    known = snap.event.stages
    stages = (
        [stage]
        if table != "general"
        else [s for s in known if s <= stage and known[s].counts_for_general]
    )
    folder_final = bool(stages) and all(
        known[s].final for s in stages if s in known
    )  # as ``classify`` titles
    if pub is not None and pub.payload.get("status") == FINAL:
        amended = [
            {
                "record": r.id,
                "kind": r.kind,
                "author": r.author,
                "reason": (r.payload or {}).get("reason", ""),
            }
            for r in snap.state.history
            if (r.id or 0) > (pub.id or 0) and r.origin == STEWARD_ORIGIN
        ]
        return FINAL, amended
    if pub is None and folder_final:
        return FINAL, []
    return PROVISIONAL, []


def classification(
    snap: Snapshot, table: str, stage: int | None, category: str | None, klass: str | None
) -> TableData:
    """``general`` (after ``stage``, default the last with results), ``stage`` or ``special`` ranking."""
    from raidcontrol.classification import (
        CSV_HEADER,
        classify_general,
        classify_special,
        classify_stage,
        last_stage,
    )
    from raidcontrol.tables.results import WIDE_CSV_NAMES, carries_eligibility, line_row

    check_filters(snap, category, klass)
    live = snap.current()  # the view's live classification: only the ranking is left to do
    kw = {"category": category, "klass": klass}
    if table == "general":
        stage = last_stage(snap.event) if stage is None else stage
        check_stage(snap, stage, "after")
        lines = (
            live.general(stage, **kw)
            if live is not None
            else classify_general(snap.event, snap.rulebook, stage, effects=snap.effects, **kw)
        )
    else:
        check_stage(snap, stage)
        if live is not None:
            lines = (live.special if table == "special" else live.stage)(stage, **kw)
        else:
            lines = (classify_special if table == "special" else classify_stage)(
                snap.event, snap.rulebook, stage, effects=snap.effects, **kw
            )
    status, notes = publication_status(snap, table, stage)
    wide = carries_eligibility(snap.event.remarks)  # the same columns as ``classify --format csv``
    header = tuple(CSV_HEADER) + (WIDE_CSV_NAMES if wide else ())
    return TableData(
        table, header, [line_row(ln, wide) for ln in lines], status, snap.position, notes
    )


ENTRY_HEADER = ("bib", "category", "class", "driver", "codriver", "team", "brand", "model")


def entries(snap: Snapshot, category: str | None, klass: str | None) -> TableData:
    check_filters(snap, category, klass)
    rows = [
        [e.bib, e.category, e.klass, e.driver, e.codriver, e.team, e.brand, e.model]
        for e in sorted(snap.event.entries.values(), key=lambda e: e.bib)
        if (category is None or e.category == category) and (klass is None or e.klass == klass)
    ]
    return TableData("entries", ENTRY_HEADER, rows, position=snap.position)


ITINERARY_HEADER = ("stage", "name", "special_km", "max_time", "counts_for_general", "status")


def itinerary(snap: Snapshot) -> TableData:
    rows = []
    for n in snap.event.stage_numbers():
        st = snap.event.stages[n]
        rows.append(
            [
                n,
                st.name,
                st.special_km,
                _fmt(st.max_time_ms),
                st.counts_for_general,
                publication_status(snap, "stage", n)[0],
            ]
        )
    return TableData("itinerary", ITINERARY_HEADER, rows, position=snap.position)


EXPLAIN_HEADER = ("term", "time", "reason", "record", "picture")


def explain(snap: Snapshot, bib: int, stage: int, scope: str = "stage") -> TableData:
    """One crew's time in one stage, term by term (as ``raidcontrol explain``); the last row is the total."""
    from raidcontrol.classification import crew_time

    if bib not in snap.event.entries:
        raise InputError(f"unknown bib {bib}", field="bib")
    check_stage(snap, stage)
    ct = crew_time(snap.event, snap.rulebook, stage, bib, scope)
    rows: list[list[Any]] = []
    if ct is not None:
        for part in ct.parts:
            adj = part.adjustment
            picture = (adj.evidence or {}).get("picture") if adj is not None else None
            rows.append(
                [
                    part.label,
                    format_duration(part.ms),
                    part.reason,
                    adj.record_id if adj else None,
                    picture,
                ]
            )
        if ct.time_ms is not None:
            rows.append(
                [f"{scope} time", format_duration(ct.time_ms), f"status: {ct.status}", None, None]
            )
        else:
            rows.append([f"{scope} time", "", f"status: {ct.status}", None, None])
    status, notes = publication_status(snap, scope, stage)
    return TableData("explain", EXPLAIN_HEADER, rows, status, snap.position, notes)
