"""Property-based tests of the classification invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.classification import classify_general, classify_stage, counted_stages, crew_time
from raidcontrol.core.journal import Record, fold
from raidcontrol.core.model import event_from_state
from raidcontrol.rules import load_rulebook

RB = load_rulebook("fia-2026")
HOUR = 3_600_000
CLASSES = [("Ultimate", "T1+"), ("Ultimate", "T1.1"), ("Stock", "Stock"), ("Challenger", "T3.1")]


def _tod(ms):
    h, r = divmod(ms, HOUR)
    m, r = divmod(r, 60_000)
    s, f = divmod(r, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{f:03d}"


@st.composite
def events(draw):
    n_crews = draw(st.integers(2, 8))
    stages = list(range(0 if draw(st.booleans()) else 1, draw(st.integers(1, 3)) + 1))
    recs = [Record("event", "event", {"name": "P", "rulebook": "fia-2026", "rules": {}})]
    for n in stages:
        recs.append(
            Record(
                "stage",
                str(n),
                {
                    "number": n,
                    "name": f"S{n}",
                    "special_km": 100.0,
                    "max_time_ms": 9 * HOUR,
                    "counts_for_general": n != 0,
                    "final": False,
                },
            )
        )
    for i in range(n_crews):
        bib = 200 + i
        cat, cls = draw(st.sampled_from(CLASSES))
        recs.append(
            Record(
                "entry",
                str(bib),
                {
                    "bib": bib,
                    "category": cat,
                    "class": cls,
                    "driver": f"D{bib}",
                    "codriver": "",
                    "team": "",
                    "brand": "",
                    "model": "",
                    "extra": {},
                },
            )
        )
        for n in stages:
            start = draw(st.integers(8 * HOUR, 12 * HOUR))
            if draw(st.integers(0, 9)) == 0:
                recs.append(
                    Record(
                        "time",
                        f"{n}/{bib}",
                        {
                            "stage": n,
                            "bib": bib,
                            "start": _tod(start),
                            "finish": None,
                            "status": "dnf",
                        },
                    )
                )
            else:
                raw = draw(st.integers(HOUR, 8 * HOUR))
                recs.append(
                    Record(
                        "time",
                        f"{n}/{bib}",
                        {
                            "stage": n,
                            "bib": bib,
                            "start": _tod(start),
                            "finish": _tod(start + raw),
                            "status": "finished",
                        },
                    )
                )
            for k in range(draw(st.integers(0, 2))):
                recs.append(
                    Record(
                        "adjustment",
                        f"{n}/{bib}/{k}",
                        {
                            "stage": n,
                            "bib": bib,
                            "kind": draw(st.sampled_from(["penalty", "credit"])),
                            "amount_ms": draw(st.integers(1000, 30 * 60_000)),
                            "scope": draw(st.sampled_from(["special", "stage"])),
                            "reason": "r",
                        },
                    )
                )
    return recs, stages


def _event(recs):
    return event_from_state(
        fold([Record(r.kind, r.key, r.payload, id=i + 1) for i, r in enumerate(recs)])
    )


@settings(max_examples=60, deadline=None)
@given(events())
def test_general_is_the_sum_of_counted_stages(data):
    recs, stages = data
    ev = _event(recs)
    last = stages[-1]
    for line in classify_general(ev, RB, last):
        parts = [crew_time(ev, RB, s, line.bib, "stage") for s in counted_stages(ev, last)]
        assert line.time_ms == sum(p.time_ms for p in parts)
        assert line.penalty_ms == sum(p.penalty_ms for p in parts)
    assert all(s != 0 for s in counted_stages(ev, last))  # the FIA prologue never counts


@settings(max_examples=60, deadline=None)
@given(events(), st.data())
def test_a_penalty_never_improves_a_position(data, draw):
    recs, stages = data
    ev = _event(recs)
    bib = draw.draw(st.sampled_from(sorted(ev.entries)))
    stage = draw.draw(st.sampled_from(stages))
    amount = draw.draw(st.integers(1, 2 * HOUR))
    scope = draw.draw(st.sampled_from(["special", "stage"]))
    worse = _event(
        recs
        + [
            Record(
                "adjustment",
                f"{stage}/{bib}/extra",
                {
                    "stage": stage,
                    "bib": bib,
                    "kind": "penalty",
                    "amount_ms": amount,
                    "scope": scope,
                    "reason": "x",
                },
            )
        ]
    )
    for classify, args in ((classify_stage, (stage,)), (classify_general, (stages[-1],))):
        before = {ln.bib: ln.position for ln in classify(ev, RB, *args)}
        after = {ln.bib: ln.position for ln in classify(worse, RB, *args)}
        if before.get(bib) is not None:
            assert after[bib] >= before[bib]
            for other, pos in before.items():  # nobody else loses a place
                if other != bib and pos is not None:
                    assert after[other] <= pos


@settings(max_examples=40, deadline=None)
@given(events(), st.randoms())
def test_the_input_order_of_records_changes_nothing(data, rnd):
    recs, stages = data
    shuffled = recs[:]
    rnd.shuffle(shuffled)
    a, b = _event(recs), _event(shuffled)
    for n in stages:
        assert classify_stage(a, RB, n) == classify_stage(b, RB, n)
    assert classify_general(a, RB, stages[-1]) == classify_general(b, RB, stages[-1])
    for cat, _ in CLASSES:
        assert classify_general(a, RB, stages[-1], category=cat) == classify_general(
            b, RB, stages[-1], category=cat
        )
