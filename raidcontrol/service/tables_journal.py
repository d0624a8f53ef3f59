"""Tables read straight from the journal: penalties with their status, scrutineering verdicts,
the notice board of decisions and the audit trail.

Columns (all text unless said): penalties — ``id`` (journal record, int), ``stage`` (int),
``bib`` (int), ``type`` (penalty or credit), ``amount`` (H:MM:SS), ``scope``, ``status``
(in force, proposed, confirmed, dismissed), ``origin`` (folder, tracking, stewards …),
``by`` (who decided), ``reason``, ``decision`` (number or the decision's reason), ``evidence``
(URL of its evidence, when it has some).  Notices and audit — ``position`` (journal id, int),
``recorded_at`` (ISO 8601 UTC), ``kind``, ``subject`` (the record's key), ``author``, ``office``
(the record's origin: timekeepers, stewards, scrutineers, clerk …), then the content.
"""

from __future__ import annotations

import json

from raidcontrol.core.timefmt import format_duration
from raidcontrol.service.feed import DECISION_OFFICES
from raidcontrol.service.tables import TableData
from raidcontrol.service.view import Snapshot

PENALTY_HEADER = (
    "id",
    "stage",
    "bib",
    "type",
    "amount",
    "scope",
    "status",
    "origin",
    "by",
    "reason",
    "decision",
    "evidence",
)


def penalties(snap: Snapshot, stage: int | None, status: str | None) -> TableData:
    rows = []
    for rec in sorted(snap.state.of_kind("adjustment"), key=lambda r: r.id or 0):
        p = rec.payload
        rows.append(
            [
                rec.id,
                p["stage"],
                p["bib"],
                p["kind"],
                format_duration(p["amount_ms"]),
                p["scope"],
                "in force",
                rec.origin,
                rec.author,
                p["reason"],
                p.get("decision", ""),
                None,
            ]
        )
    for rec in sorted(snap.state.of_kind("penalty-proposed"), key=lambda r: r.id or 0):
        p = rec.payload
        dec = snap.state.get("penalty-decision", str(rec.id))
        evidence = f"/api/v1/penalties/{rec.id}" if p.get("evidence") else None
        rows.append(
            [
                rec.id,
                p["stage"],
                p["bib"],
                "penalty",
                format_duration(p["amount_ms"]),
                p.get("scope", "special"),
                dec.payload["decision"] if dec else "proposed",
                rec.origin,
                dec.author if dec else "",
                p["reason"],
                dec.payload.get("reason", "") if dec else "",
                evidence,
            ]
        )
    rows = [
        r for r in rows if (stage is None or r[1] == stage) and (status is None or r[6] == status)
    ]
    return TableData("penalties", PENALTY_HEADER, rows, position=snap.position)


SCRUTINEERING_HEADER = (
    "bib",
    "verdict",
    "reference",
    "breaches",
    "remarks",
    "seals",
    "author",
    "recorded_at",
)


def scrutineering(snap: Snapshot) -> TableData:
    seals: dict[int, list[str]] = {}
    for rec in snap.state.of_kind("seal"):
        seals.setdefault(rec.payload["bib"], []).append(
            f"{rec.payload['part']} {rec.payload['seal']}"
        )
    rows = []
    for rec in sorted(snap.state.of_kind("scrutineering"), key=lambda r: int(r.key)):
        p = rec.payload
        from_verdict = (
            [f"{k} {v}" for k, v in sorted((p.get("seals") or {}).items())]
            if isinstance(p.get("seals"), dict)
            else []
        )
        rows.append(
            [
                int(rec.key),
                p.get("verdict", ""),
                p.get("reference", ""),
                "; ".join(b.get("rule_id", "") for b in p.get("breaches", [])),
                "; ".join(p.get("remarks", [])),
                "; ".join(from_verdict + sorted(seals.get(int(rec.key), []))),
                rec.author,
                rec.recorded_at.isoformat() if rec.recorded_at else "",
            ]
        )
    return TableData("scrutineering", SCRUTINEERING_HEADER, rows, position=snap.position)


NOTICE_HEADER = (
    "position",
    "recorded_at",
    "kind",
    "subject",
    "author",
    "office",
    "decision",
    "reason",
)


def notices(snap: Snapshot) -> TableData:
    """Every decision of the stewards and the clerk, in the order recorded (superseded ones too)."""
    rows = []
    for rec in snap.state.history:
        if rec.origin not in DECISION_OFFICES:
            continue
        p = rec.payload or {}
        decision = (
            p.get("decision")
            or p.get("number")
            or p.get("status")
            or ("withdrawn" if rec.payload is None else "")
        )
        rows.append(
            [
                rec.id,
                rec.recorded_at.isoformat() if rec.recorded_at else "",
                rec.kind,
                rec.key,
                rec.author,
                rec.origin,
                str(decision),
                p.get("reason", ""),
            ]
        )
    return TableData("notices", NOTICE_HEADER, rows, position=snap.position)


AUDIT_HEADER = (
    "position",
    "recorded_at",
    "kind",
    "subject",
    "author",
    "office",
    "source",
    "supersedes",
    "payload",
)


def audit(snap: Snapshot, since: int = 0) -> TableData:
    """The whole journal (every record, superseded ones and tombstones too)."""
    rows = [
        [
            r.id,
            r.recorded_at.isoformat() if r.recorded_at else "",
            r.kind,
            r.key,
            r.author,
            r.origin,
            r.source,
            r.supersedes,
            json.dumps(r.payload, ensure_ascii=False, sort_keys=True),
        ]
        for r in snap.state.history
        if (r.id or 0) > since
    ]
    return TableData("audit", AUDIT_HEADER, rows, position=snap.position)
