"""Tracking findings as journal records: proposed penalties and the stewards' decisions (pure).

A scan of stage N proposes one ``penalty-proposed`` record per infringement, keyed
``N/<bib>/<code>`` (codes ``missed-wp<n>``, ``speeding-z<n>``, ``share``), author
``tracking``.  A re-scan that finds the same thing appends nothing (same digest); one that
finds something different supersedes the proposal; a proposal no longer found gets a
tombstone.  A steward decides with a ``penalty-decision`` record keyed by the proposal's
id: ``{"decision": "confirmed"|"dismissed", "reason": …, "proposal": id}``.  Only
confirmed proposals count in the classification.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import JournalState, Record, changes
from raidcontrol.core.timefmt import format_duration
from raidcontrol.tracking.report import CrewReport, FleetReport, MissedWaypoint, SpeedInfringement

PROPOSED = "penalty-proposed"
DECISION = "penalty-decision"
AUTHOR = "tracking"
ORIGIN = "tracking"
STEWARDS = "stewards"
DECISIONS = ("confirmed", "dismissed")
SCOPE = "special"
SHARE_CODE = "share"


def _missed_reason(m: MissedWaypoint) -> str:
    where = (
        f"closest approach {m.closest_m:.0f} m"
        if m.closest_m is not None
        else "track never came near"
    )
    extra = (", passed out of order" if m.out_of_order else "") + (
        ", possibly during a tracker outage" if m.outage else ""
    )
    return f"missed {m.type} {m.name} (radius {m.clear_m:.0f} m; {where}{extra})"


def _speeding_reason(s: SpeedInfringement) -> str:
    return (
        f"speeding in zone {s.zone}: {s.max_speed_kmh:.1f} km/h in a {s.limit_kmh:.0f} km/h zone "
        f"(+{s.excess_kmh:.1f} km/h, {format_duration(s.duration_ms)} and {s.distance_m:.0f} m over the limit)"
    )


def crew_findings(crew: CrewReport) -> list[tuple[str, int, str, dict[str, Any]]]:
    """(code, amount_ms, reason, evidence) for each finding of a crew."""
    out = []
    for m in crew.missed:
        ev = {
            **m.to_dict(),
            "lat": m.lat,
            "lon": m.lon,
            "closest_at_ms": m.closest_t_ms,
            "rule": m.rule,
            "gaps": [g.to_dict() for g in crew.gaps],
        }
        out.append((m.code, m.penalty_ms, _missed_reason(m), ev))
    for s in crew.speeding:
        out.append((s.code, s.penalty_ms, _speeding_reason(s), {**s.to_dict(), **s.evidence}))
    if crew.did_not_finish:
        out.append(
            (
                SHARE_CODE,
                0,
                (
                    f"validated {len(crew.validated)} of {len(crew.validated) + len(crew.missed)} "
                    f"waypoints ({crew.share:.0%}): under the minimum share, did not finish"
                ),
                {
                    "validated": crew.validated,
                    "missed": [m.name for m in crew.missed],
                    "share": round(crew.share, 4),
                    "status": "did-not-finish",
                },
            )
        )
    return out


def proposal_records(
    report: FleetReport,
    stage: int,
    state: JournalState,
    pictures: dict[tuple[int, str], str],
    bibs: set[int] | None = None,
    source: str = "",
) -> list[Record]:
    """The records a scan of ``stage`` appends: new or changed proposals, and tombstones for
    this stage's tracking proposals that the scan no longer finds.  ``bibs`` limits the crews
    (the event's entries); ``pictures`` maps (bib, code) → a picture path relative to the event."""
    desired: dict[str, dict[str, Any]] = {}
    for bib, crew in sorted(report.crews.items()):
        if bibs is not None and bib not in bibs:
            continue
        for code, amount, reason, evidence in crew_findings(crew):
            payload = {
                "stage": stage,
                "bib": bib,
                "code": code,
                "amount_ms": amount,
                "scope": SCOPE,
                "reason": reason,
                "evidence": {**evidence, "picture": pictures.get((bib, code))},
            }
            if code == SHARE_CODE:
                payload["status"] = "did-not-finish"
            desired[f"{stage}/{bib}/{code}"] = payload
    wanted = [
        Record(PROPOSED, key, payload, author=AUTHOR, source=source, origin=ORIGIN)
        for key, payload in desired.items()
    ]
    return changes(
        state,
        wanted,
        (PROPOSED,),
        origin=ORIGIN,
        removed_reason="no longer found by a re-scan",
        within=lambda old: old.key.startswith(f"{stage}/"),
    )


def decision_record(
    state: JournalState, proposal_id: int, decision: str, reason: str, by: str
) -> Record:
    """A steward's decision on the proposal in force with id ``proposal_id``."""
    if decision not in DECISIONS:
        raise InputError(f"decision must be one of {DECISIONS}, not {decision!r}", field="decision")
    proposal = next((r for r in state.of_kind(PROPOSED) if r.id == proposal_id), None)
    if proposal is None:
        superseded = any(r.id == proposal_id and r.kind == PROPOSED for r in state.history)
        why = "it was superseded by a later scan" if superseded else "no such proposal"
        raise InputError(
            f"proposal {proposal_id} is not in force: {why} (see 'raidcontrol penalties list')",
            field="ID",
        )
    if not by.strip():
        raise InputError("say who decides", field="--by")
    old = state.get(DECISION, str(proposal_id))
    return Record(
        DECISION,
        str(proposal_id),
        {"decision": decision, "reason": reason, "proposal": proposal_id},
        author=by,
        source=f"{PROPOSED} {proposal.key}",
        origin=STEWARDS,
        supersedes=old.id if old else None,
    )


@dataclass(frozen=True)
class ProposalLine:
    """One proposal and where it stands: state is proposed, confirmed or dismissed."""

    id: int
    stage: int
    bib: int
    code: str
    amount_ms: int
    state: str
    decided_by: str
    reason: str
    decision_reason: str
    picture: str | None


def proposal_lines(state: JournalState, stage: int | None = None) -> list[ProposalLine]:
    lines = []
    for rec in sorted(state.of_kind(PROPOSED), key=lambda r: r.id or 0):
        p = rec.fields
        if stage is not None and p.get("stage") != stage:
            continue
        dec = state.get(DECISION, str(rec.id))
        lines.append(
            ProposalLine(
                rec.stored_id,
                p["stage"],
                p["bib"],
                p.get("code", ""),
                p["amount_ms"],
                dec.fields["decision"] if dec else "proposed",
                dec.author if dec else "",
                p["reason"],
                dec.fields.get("reason", "") if dec else "",
                (p.get("evidence") or {}).get("picture"),
            )
        )
    return lines
