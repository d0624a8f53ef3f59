"""Officials' writes as journal records (pure: the event now + a request → records to append).

The records are the kinds every command already reads (``time``, ``adjustment``,
``penalty-decision``, ``scrutineering`` …), so ``classify``, ``explain`` and the folder flow
see them; a few new kinds carry what had no record before and that the event model ignores
(``start``: a crew on the stage, ``seal``, ``appeal``, ``neutralisation``, ``publication``).
Each record's author is the official, its origin the role's office (``ORIGINS``) and its
payload keeps the ``reason`` (and the stewards' ``decision`` number).  Invalid requests raise
:class:`InputError` naming the field; a change to a final classification by anyone but the
stewards raises :class:`FinalError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from raidcontrol.core.errors import InputError, RaidcontrolError
from raidcontrol.core.journal import Record
from raidcontrol.core.timefmt import Instant, TimeFormatError, parse_duration, parse_instant
from raidcontrol.service import schemas as s
from raidcontrol.service.tables import FINAL, PUBLICATION, publication_status
from raidcontrol.service.view import Snapshot

ORIGINS = {
    "timekeeper": "timekeepers",
    "steward": "stewards",
    "scrutineer": "scrutineers",
    "clerk": "clerk",
    "tracking": "tracking-ingest",
}


class FinalError(RaidcontrolError):
    """The write would change a classification published final: only a steward's decision may."""


def _record(
    kind: str, key: str, payload: dict | None, role: str, author: str, snap: Snapshot
) -> Record:
    old = snap.state.get(kind, key)
    return Record(
        kind,
        key,
        payload,
        author=author,
        source="",
        origin=ORIGINS[role],
        supersedes=old.id if old else None,
    )


def _crew(snap: Snapshot, stage: int | None, bib: int) -> None:
    if stage is not None and stage not in snap.event.stages:
        raise InputError(f"stage {stage} is not in the event", field="stage")
    if bib not in snap.event.entries:
        raise InputError(f"bib {bib} is not entered", field="bib")


def guard_final(snap: Snapshot, stages: Iterable[int], role: str) -> None:
    """Refuse (``FinalError``) a non-steward change to a stage whose classifications are final."""
    if role == "steward":
        return
    for stage in stages:
        touched = [("stage", stage), ("special", stage)] + [
            ("general", n) for n in snap.event.stages if n >= stage
        ]
        for table, n in touched:
            if publication_status(snap, table, n)[0] == FINAL:
                raise FinalError(
                    f"the {table} classification of stage {n} is final: a change needs a steward's decision"
                )


def _instant(text: str | None, field: str) -> Instant | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_instant(text)
    except TimeFormatError as exc:
        raise InputError(str(exc), field=field) from None


def time_records(snap: Snapshot, req: s.TimeIn, role: str, author: str) -> list[Record]:
    """A start alone → a ``start`` record; a finish (start given or taken from the ``start`` record),
    a DNF or a withdrawal → the crew's ``time`` record (as in ``times.csv``)."""
    _crew(snap, req.stage, req.bib)
    guard_final(snap, [req.stage], role)
    key = f"{req.stage}/{req.bib}"
    start_text = (req.start or "").strip() or None
    if start_text is None:
        known = snap.state.get("start", key) or snap.state.get("time", key)
        start_text = known.payload.get("start") if known else None
    start, finish = _instant(start_text, "start"), _instant(req.finish, "finish")
    reason = {"reason": req.reason} if req.reason else {}
    if req.status == "finished" and finish is None:
        if start is None:
            raise InputError("give a start, a finish or both", field="start")
        return [
            _record(
                "start",
                key,
                {"stage": req.stage, "bib": req.bib, "start": start_text, **reason},
                role,
                author,
                snap,
            )
        ]
    if req.status == "finished":
        if start is None:
            raise InputError("a finished crew needs a start (none recorded)", field="start")
        if start.kind != finish.kind:
            raise InputError(
                "start and finish must both be times of day or both full datetimes", field="finish"
            )
        if finish.ms <= start.ms:
            raise InputError(f"finish {req.finish} is not after start {start_text}", field="finish")
    elif finish is not None:
        raise InputError(f"a crew with status {req.status} has no finish", field="finish")
    payload = {
        "stage": req.stage,
        "bib": req.bib,
        "start": start_text,
        "finish": req.finish.strip() if finish is not None else None,
        "status": req.status,
        **reason,
    }
    return [_record("time", key, payload, role, author, snap)]


def withdrawal_records(snap: Snapshot, req: s.WithdrawalIn, role: str, author: str) -> list[Record]:
    return time_records(
        snap,
        s.TimeIn(stage=req.stage, bib=req.bib, status="withdrawn", reason=req.reason),
        role,
        author,
    )


def _amount(text: str) -> int:
    try:
        ms = parse_duration(text)
    except TimeFormatError as exc:
        raise InputError(str(exc), field="amount") from None
    if ms <= 0:
        raise InputError("must be a positive duration", field="amount")
    return ms


def adjustment_records(snap: Snapshot, req: s.AdjustmentIn, role: str, author: str) -> list[Record]:
    """A steward's penalty or credit: an ``adjustment`` record keyed by its decision number."""
    _crew(snap, req.stage, req.bib)
    payload = {
        "stage": req.stage,
        "bib": req.bib,
        "kind": req.kind,
        "amount_ms": _amount(req.amount),
        "scope": req.scope,
        "reason": req.reason,
        "decision": req.decision,
    }
    ident = hashlib.sha1(req.decision.encode()).hexdigest()[:12]
    return [
        _record(
            "adjustment", f"{req.stage}/{req.bib}/decision-{ident}", payload, role, author, snap
        )
    ]


def decision_records(
    snap: Snapshot, proposal_id: int, req: s.DecisionIn, role: str, author: str
) -> list[Record]:
    """Confirm or dismiss a proposed penalty: the ``penalty-decision`` record ``penalties confirm`` writes."""
    from raidcontrol.tracking.proposals import decision_record

    try:
        rec = decision_record(snap.state, proposal_id, req.decision, req.reason, author)
    except InputError as exc:
        raise InputError(exc.message, field="proposal_id") from None
    payload = {**rec.payload, "number": req.number} if req.number else rec.payload
    return [
        Record(
            rec.kind, rec.key, payload, author, rec.source, ORIGINS[role], supersedes=rec.supersedes
        )
    ]


def disqualification_records(
    snap: Snapshot, req: s.DisqualificationIn, role: str, author: str
) -> list[Record]:
    """The crew's ``time`` record of ``stage`` with status ``disqualified`` (its clock readings kept)."""
    _crew(snap, req.stage, req.bib)
    old = snap.state.get("time", f"{req.stage}/{req.bib}")
    base = (
        old.payload if old else {"stage": req.stage, "bib": req.bib, "start": None, "finish": None}
    )
    payload = {**base, "status": "disqualified", "reason": req.reason, "decision": req.decision}
    return [_record("time", f"{req.stage}/{req.bib}", payload, role, author, snap)]


def appeal_records(
    snap: Snapshot, req: s.AppealIn, role: str, author: str, earlier: Record | None
) -> list[Record]:
    """An ``appeal`` record; when the decision is reversed, the subject it decided goes back to what
    was in force before it (``earlier``: the record it superseded; none → a tombstone)."""
    target = next((r for r in snap.state.history if r.id == req.record), None)
    if target is None or target.origin != ORIGINS["steward"]:
        raise InputError(f"record {req.record} is not a stewards' decision", field="record")
    appeal = _record(
        "appeal",
        str(req.record),
        {
            "record": req.record,
            "outcome": req.outcome,
            "reason": req.reason,
            "decision": req.decision,
            "subject": [target.kind, target.key],
        },
        role,
        author,
        snap,
    )
    if req.outcome == "upheld":
        return [appeal]
    in_force = snap.state.get(target.kind, target.key)
    if in_force is None or in_force.id != target.id:
        raise InputError(
            f"record {req.record} is no longer in force (superseded since)", field="record"
        )
    restored = (
        dict(earlier.payload) if earlier is not None and earlier.payload is not None else None
    )
    return [appeal, _record(target.kind, target.key, restored, role, author, snap)]


def _elapsed(snap: Snapshot, stage: int, bib: int, point: str) -> int | None:
    if point == "start":
        return 0
    if point == "finish":
        t = snap.event.times.get((stage, bib))
        return t.raw_ms if t is not None else None
    return next(
        (sp.elapsed_ms for sp in snap.event.splits.get((stage, bib), []) if sp.waypoint == point),
        None,
    )


def neutralisation_records(
    snap: Snapshot, req: s.NeutralisationIn, role: str, author: str
) -> list[Record]:
    """A ``neutralisation`` notice and, for each crew timed at both points, a special-scope credit of
    its time between them (crews without both readings are listed in the notice, not credited)."""
    if req.stage not in snap.event.stages:
        raise InputError(f"stage {req.stage} is not in the event", field="stage")
    ident = hashlib.sha1(req.decision.encode()).hexdigest()[:12]
    out, missing = [], []
    for bib in sorted(snap.event.entries):
        if (req.stage, bib) not in snap.event.times:
            continue
        a, b = (
            _elapsed(snap, req.stage, bib, req.from_point),
            _elapsed(snap, req.stage, bib, req.to_point),
        )
        if a is None or b is None or b <= a:
            missing.append(bib)
            continue
        payload = {
            "stage": req.stage,
            "bib": bib,
            "kind": "credit",
            "amount_ms": b - a,
            "scope": "special",
            "reason": f"neutralised {req.from_point} → {req.to_point}: {req.reason}",
            "decision": req.decision,
        }
        out.append(
            _record(
                "adjustment",
                f"{req.stage}/{bib}/neutralisation-{ident}",
                payload,
                role,
                author,
                snap,
            )
        )
    if not out:
        raise InputError(
            f"no crew has readings at both {req.from_point} and {req.to_point}", field="to_point"
        )
    notice = {
        "stage": req.stage,
        "from_point": req.from_point,
        "to_point": req.to_point,
        "reason": req.reason,
        "decision": req.decision,
        "credited": len(out),
        "not_credited": missing,
    }
    return [_record("neutralisation", f"{req.stage}/{ident}", notice, role, author, snap)] + out


def scrutineering_records(
    snap: Snapshot, req: s.ScrutineeringIn, role: str, author: str
) -> list[Record]:
    """A verdict as the ``scrutineering`` record ``scrutineer report`` writes (its Stock effects apply)."""
    _crew(snap, None, req.bib)
    guard_final(snap, list(snap.event.stages), role)
    old = snap.state.get("scrutineering", str(req.bib))
    seals = (old.payload or {}).get("seals", {}) if old else {}
    payload = {
        "bib": req.bib,
        "reference": req.reference,
        "verdict": req.verdict,
        "breaches": [b.model_dump() for b in req.breaches],
        "remarks": list(req.remarks),
        "seals": seals,
        "penalties": [],
        "experimental_reason": req.reason if req.verdict == "experimental" else "",
        "rulebook": snap.event.rulebook_id,
        "reason": req.reason,
    }
    return [_record("scrutineering", str(req.bib), payload, role, author, snap)]


def seal_records(snap: Snapshot, req: s.SealIn, role: str, author: str) -> list[Record]:
    _crew(snap, req.stage, req.bib)
    payload = {
        "bib": req.bib,
        "part": req.part,
        "seal": req.seal,
        "stage": req.stage,
        "reason": req.reason,
    }
    return [_record("seal", f"{req.bib}/{req.part}", payload, role, author, snap)]


def publication_records(
    snap: Snapshot, req: s.PublicationIn, role: str, author: str
) -> list[Record]:
    """Publish ``table`` of ``stage`` provisional, then final (a final one is not made provisional again)."""
    if req.stage not in snap.event.stages:
        raise InputError(f"stage {req.stage} is not in the event", field="stage")
    current = publication_status(snap, req.table, req.stage)[0]
    if current == FINAL:
        raise FinalError(f"the {req.table} classification of stage {req.stage} is already final")
    payload = {"table": req.table, "stage": req.stage, "status": req.status, "reason": req.reason}
    return [_record(PUBLICATION, f"{req.table}/{req.stage}", payload, role, author, snap)]
