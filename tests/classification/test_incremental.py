"""Live (incremental) classification equals a full recomputation, after any sequence of records.

Hypothesis draws sequences of journal operations on a small event — new and corrected
times (finished, did not finish, withdrawn, disqualified), tombstones, penalties and credits,
tracking proposals (some "did not finish"), stewards' decisions (also on superseded
proposals), Stock scrutineering verdicts, stage and entry changes — appended to an
in-memory journal with a ticking clock.  After every operation the live object (fed one
record at a time) must give the same special, stage and general classifications (all
categories and Stock alone) as ``classify_*`` over ``event_from_state(fold(records))``;
and at random ``--as-of`` moments a live object fed only the records up to then must equal
the full recomputation as of then.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.classification import classify_general, classify_special, classify_stage
from raidcontrol.classification.incremental import LiveClassification
from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import Record, fold
from raidcontrol.core.model import event_from_state
from raidcontrol.rules import load_rulebook
from raidcontrol.stock.effects import remarks_in_force
from raidcontrol.store import MemoryJournal

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
T0 = datetime(2026, 1, 3, 12, tzinfo=UTC)
BIBS = (200, 201, 202, 500, 501)
STAGES = (0, 1, 2, 3)
CATEGORY = {
    200: ("Ultimate", "T1+"),
    201: ("Ultimate", "T1.1"),
    202: ("Challenger", "T3.1"),
    500: ("Stock", "Stock"),
    501: ("Stock", "T2.1"),
}


def _entry(bib: int, klass: str | None = None) -> Record:
    cat, k = CATEGORY[bib]
    return Record(
        "entry", str(bib), {"bib": bib, "category": cat, "class": klass or k, "driver": f"D{bib}"}
    )


def _stage(n: int, max_h: int = 10) -> Record:
    return Record(
        "stage",
        str(n),
        {
            "number": n,
            "name": f"S{n}",
            "special_km": 100.0,
            "max_time_ms": max_h * 3_600_000,
            "counts_for_general": n != 0,
            "final": False,
        },
    )


def _base() -> list[Record]:
    return (
        [Record("event", "event", {"name": "T", "rulebook": "fia-2026", "rules": {}})]
        + [_stage(n) for n in STAGES]
        + [_entry(b) for b in BIBS]
    )


stage_ = st.sampled_from(STAGES)
bib_ = st.sampled_from(BIBS)
times_ = st.builds(
    lambda s, b, status, start, dur: Record(
        "time",
        f"{s}/{b}",
        {
            "stage": s,
            "bib": b,
            "status": status,
            "start": f"0{start}:00:00" if status != "withdrawn" else None,
            "finish": f"{start + dur:02d}:{dur:02d}:0{dur % 10}" if status == "finished" else None,
        },
    ),
    stage_,
    bib_,
    st.sampled_from(["finished", "finished", "finished", "dnf", "withdrawn", "disqualified"]),
    st.integers(6, 9),
    st.integers(1, 5),
)
adjustment_ = st.builds(
    lambda s, b, n, kind, minutes, scope: Record(
        "adjustment",
        f"{s}/{b}/{n}",
        {
            "stage": s,
            "bib": b,
            "kind": kind,
            "amount_ms": minutes * 60_000,
            "scope": scope,
            "reason": "r",
        },
    ),
    stage_,
    bib_,
    st.integers(0, 2),
    st.sampled_from(["penalty", "credit"]),
    st.integers(1, 30),
    st.sampled_from(["special", "stage"]),
)
proposal_ = st.builds(
    lambda s, b, code, minutes, dnf: Record(
        "penalty-proposed",
        f"{s}/{b}/{code}",
        {
            "stage": s,
            "bib": b,
            "code": code,
            "amount_ms": minutes * 60_000,
            "scope": "special",
            "reason": "p",
            **({"status": "did-not-finish"} if dnf else {}),
        },
        author="tracking",
        origin="tracking",
    ),
    stage_,
    bib_,
    st.sampled_from(["WP1", "DZ1"]),
    st.integers(0, 20),
    st.booleans(),
)
verdict_ = st.builds(
    lambda b, v: Record(
        "scrutineering",
        str(b),
        {
            "bib": b,
            "verdict": v,
            "breaches": [{"rule_id": "stock.engine", "consequence": "not-eligible"}]
            if v == "not-eligible"
            else [],
        },
        author="scrutineering",
        origin="scrutineering",
    ),
    st.sampled_from([500, 501]),
    st.sampled_from(["eligible", "not-eligible", "experimental"]),
)

operation = st.one_of(
    times_,
    times_,
    adjustment_,
    proposal_,
    proposal_,
    st.tuples(
        st.just("decide"),
        st.integers(0, 40),
        st.sampled_from(["confirmed", "confirmed", "dismissed"]),
    ),
    st.tuples(st.just("decide"), st.integers(0, 40), st.just("confirmed")),
    st.tuples(st.just("remove"), st.integers(0, 400)),
    verdict_,
    st.builds(_stage, stage_, st.integers(8, 12)),
    st.builds(_entry, bib_, st.sampled_from([None, "T1.2"])),
)


def _record(op, state) -> Record | None:
    """The journal record an operation appends, superseding what is there (as a sync would)."""
    if isinstance(op, tuple) and op[0] == "decide":
        in_force = state.of_kind(
            "penalty-proposed"
        )  # mostly the proposals in force, some superseded
        proposals = in_force * 3 + [
            r for r in state.history if r.kind == "penalty-proposed" and r.payload is not None
        ]
        if not proposals:
            return None
        target = proposals[op[1] % len(proposals)]
        rec = Record(
            "penalty-decision",
            str(target.id),
            {"decision": op[2], "proposal": target.id},
            author="steward",
            origin="stewards",
        )
    elif isinstance(op, tuple):  # remove a subject in force: a tombstone
        subjects = sorted(k for k in state.current if k[0] not in ("event",))
        if not subjects:
            return None
        kind, key = subjects[op[1] % len(subjects)]
        rec = Record(kind, key, None, source="removed")
    else:
        rec = op
    prev = state.last.get((rec.kind, rec.key))
    return Record(
        rec.kind,
        rec.key,
        rec.payload,
        rec.author,
        rec.source,
        rec.origin,
        supersedes=prev.id if prev else None,
    )


def _classifications(run) -> list:
    out = []
    for fn in ("special", "stage", "general"):
        for n in (*STAGES, None):
            if n is None and fn != "general":
                continue
            for category in (None, "Stock"):
                try:
                    out.append((fn, n, category, run(fn, n, category)))
                except InputError as exc:
                    out.append((fn, n, category, f"error: {exc.message}"))
    return out


def _full(records, as_of=None) -> list:
    state = fold(records, as_of)
    event = event_from_state(state)
    rulebook = load_rulebook(event.rulebook_id, event.rules)
    event.remarks = remarks_in_force(state, rulebook, event)  # as every open event folds them
    fns = {"special": classify_special, "stage": classify_stage, "general": classify_general}
    return _classifications(lambda fn, n, cat: fns[fn](event, rulebook, n, category=cat))


def _live(live: LiveClassification) -> list:
    return _classifications(lambda fn, n, cat: getattr(live, fn)(n, category=cat))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ops=st.lists(operation, min_size=1, max_size=25),
    as_of_picks=st.lists(st.integers(0, 30), max_size=3),
)
def test_live_classification_equals_full_recomputation(ops, as_of_picks):
    now = [T0]
    journal = MemoryJournal("ev", clock=lambda: now[0])
    live = LiveClassification()
    for rec in journal.append(_base()):
        live.apply(rec)
    for op in ops:
        now[0] += timedelta(minutes=1)
        rec = _record(op, journal.state())
        written = journal.append([rec]) if rec is not None else []
        for w in written:
            live.apply(w)
        assert _live(live) == _full(journal.records())
    records = journal.records()
    for pick in as_of_picks:
        as_of = T0 + timedelta(minutes=pick, seconds=30)
        past = LiveClassification()
        for rec in records:
            if rec.recorded_at <= as_of:
                past.apply(rec)
        assert _live(past) == _full(records, as_of)


def test_a_confirmed_did_not_finish_proposal_turns_the_time_into_a_forfeit():
    journal = MemoryJournal("ev")
    live = LiveClassification()
    live.apply_all(journal.append(_base()))
    live.apply_all(
        journal.append(
            [
                Record(
                    "time",
                    "1/200",
                    {
                        "stage": 1,
                        "bib": 200,
                        "status": "finished",
                        "start": "08:00:00",
                        "finish": "10:00:00",
                    },
                )
            ]
        )
    )
    [proposal] = journal.append(
        [
            Record(
                "penalty-proposed",
                "1/200/WP",
                {
                    "stage": 1,
                    "bib": 200,
                    "code": "WP",
                    "amount_ms": 0,
                    "scope": "special",
                    "reason": "too few waypoints",
                    "status": "did-not-finish",
                },
                origin="tracking",
            )
        ]
    )
    live.apply(proposal)
    assert live.stage(1)[0].status == "finished"
    changed = live.apply(
        journal.append(
            [
                Record(
                    "penalty-decision",
                    str(proposal.id),
                    {"decision": "confirmed"},
                    origin="stewards",
                )
            ]
        )[0]
    )
    assert changed == {1}
    assert live.stage(1)[0].status == "forfeit" and live.general(1)[0].status == "forfeit"
    assert _live(live) == _full(journal.records())


def test_a_not_eligible_stock_car_leaves_the_stock_ranking():
    journal = MemoryJournal("ev")
    live = LiveClassification()
    live.apply_all(
        journal.append(
            _base()
            + [
                Record(
                    "time",
                    "1/500",
                    {
                        "stage": 1,
                        "bib": 500,
                        "status": "finished",
                        "start": "08:00:00",
                        "finish": "10:00:00",
                    },
                )
            ]
        )
    )
    assert [ln.bib for ln in live.stage(1, category="Stock")] == []  # not scrutineered yet
    verdict = Record("scrutineering", "500", {"bib": 500, "verdict": "eligible"}, origin="x")
    live.apply(journal.append([verdict])[0])
    assert [ln.bib for ln in live.stage(1, category="Stock")] == [500]
    assert _live(live) == _full(journal.records())
    live.apply(
        journal.append(
            [
                Record(
                    "scrutineering",
                    "500",
                    {
                        "bib": 500,
                        "verdict": "not-eligible",
                        "breaches": [{"rule_id": "stock.engine", "consequence": "not-eligible"}],
                    },
                    origin="scrutineering",
                )
            ]
        )[0]
    )
    assert _live(live) == _full(journal.records())
    assert [ln.bib for ln in live.stage(1, category="Stock")] == []
    assert [ln.bib for ln in live.stage(1)] == [500]
    assert live.stage(1)[0].flags


def test_an_unknown_stage_is_refused_like_the_full_classification():
    live = LiveClassification.from_records(MemoryJournal("ev").append(_base()))
    with pytest.raises(InputError):
        live.stage(9)
