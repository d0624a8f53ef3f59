"""The events both sides of a what-if are classified from (pure)."""

from __future__ import annotations

from raidcontrol.archive.effect import event_with_findings
from raidcontrol.core.model import Adjustment, Entry, Event, Stage, TimeRecord
from raidcontrol.core.timefmt import parse_instant


def _event() -> Event:
    start, finish = parse_instant("2026-01-05T08:00:00Z"), parse_instant("2026-01-05T12:00:00Z")
    return Event(
        "E",
        "fia-2026",
        {},
        {1: Stage(1, "Stage 1", 300.0, 8 * 3_600_000, True)},
        {b: Entry(b, "Ultimate", "T1+", f"D{b}") for b in (1, 2)},
        {(1, b): TimeRecord(1, b, start, finish, "finished") for b in (1, 2)},
        [
            Adjustment(1, 1, "penalty", 60_000, "stage", "jump start"),
            Adjustment(1, 2, "penalty", 10_000, "special", "speeding (scanned)", origin="tracking"),
        ],
    )


def _finding(bib, code, kind, penalty, stage=1):
    return {
        "round": 1,
        "stage": stage,
        "bib": bib,
        "code": code,
        "kind": kind,
        "penalty_ms": penalty,
    }


def test_findings_replace_the_journals_tracking_penalties():
    event = _event()
    out, skipped = event_with_findings(
        event,
        [
            _finding(1, "speeding-z1", "speeding", 120_000),
            _finding(2, "share", "did-not-finish", 0),
            _finding(9, "missed-wp1", "missed-waypoint", 900_000),
            _finding(1, "missed-wp2", "missed-waypoint", 900_000, stage=4),
        ],
    )
    assert skipped == 2  # bib 9 not entered, stage 4 not in the event
    assert [(a.bib, a.amount_ms, a.origin) for a in out.adjustments] == [
        (1, 60_000, "folder"),
        (1, 120_000, "archive"),
    ]
    assert out.times[(1, 2)].status == "dnf" and out.times[(1, 1)].status == "finished"
    # the event itself is left alone
    assert len(event.adjustments) == 2 and event.times[(1, 2)].status == "finished"
