"""Remarks (Stock eligibility) are part of the event: every ranking honours them by itself."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.classification import classify_general, classify_special, classify_stage
from raidcontrol.core.remark import Remark
from tests.classification.test_properties import RB, _event, events

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
REMARKS = st.sampled_from(
    [
        Remark(frozenset({"Stock"}), "not eligible: R-STD-02", "not-eligible"),
        Remark(frozenset({"Stock"}), "experimental", "experimental"),
        Remark(frozenset(), "", "eligible"),
        Remark(frozenset(), "flag only", "experimental"),
    ]
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(events(), st.data())
def test_remarks_leave_excluded_crews_out_of_their_category_and_flag_them_everywhere(data, draw):
    recs, stages = data
    event = _event(recs)
    bare = {
        n: [(ln.bib, ln.time_ms, ln.status) for ln in classify_stage(event, RB, n)] for n in stages
    }
    bibs = sorted(event.entries)
    event.remarks = {b: draw.draw(REMARKS) for b in bibs if draw.draw(st.booleans())}
    for n in stages:
        for fn in (classify_special, classify_stage):
            overall = fn(event, RB, n)
            for ln in overall:  # every crew keeps its overall place and gets its flag
                remark = event.remarks.get(ln.bib)
                assert ln.flags == ((remark.flag,) if remark and remark.flag else ())
                assert ln.eligibility == (remark.eligibility if remark else "")
            stock = fn(event, RB, n, category="Stock")
            excluded = {b for b, r in event.remarks.items() if "Stock" in r.excluded_categories}
            expected = [
                ln.bib
                for ln in overall
                if event.entries[ln.bib].category == "Stock" and ln.bib not in excluded
            ]
            assert [ln.bib for ln in stock] == expected
            ranked = [ln.position for ln in stock if ln.position is not None]
            assert ranked == list(
                range(1, len(ranked) + 1)
            )  # positions renumbered without the excluded crews
        assert [(ln.bib, ln.time_ms, ln.status) for ln in classify_stage(event, RB, n)] == bare[
            n
        ]  # times untouched
    general = classify_general(event, RB, category="Stock")
    assert not {ln.bib for ln in general} & {
        b for b, r in event.remarks.items() if r.excluded_categories
    }


def test_an_explicit_effects_mapping_overrides_the_event_remarks():
    event = _event(list(_records()))
    event.remarks = {500: Remark(frozenset({"Stock"}), "x", "not-eligible")}
    assert [ln.bib for ln in classify_stage(event, RB, 1, category="Stock")] == []
    assert [ln.bib for ln in classify_stage(event, RB, 1, category="Stock", effects={})] == [500]


def _records():
    from raidcontrol.core.journal import Record

    yield Record("event", "event", {"name": "P", "rulebook": "fia-2026", "rules": {}})
    yield Record(
        "stage",
        "1",
        {
            "number": 1,
            "name": "S1",
            "special_km": 1.0,
            "max_time_ms": 36_000_000,
            "counts_for_general": True,
            "final": False,
        },
    )
    yield Record(
        "entry",
        "500",
        {
            "bib": 500,
            "category": "Stock",
            "class": "Stock",
            "driver": "D",
            "codriver": "",
            "team": "",
            "brand": "",
            "model": "",
            "extra": {},
        },
    )
    yield Record(
        "time",
        "1/500",
        {"stage": 1, "bib": 500, "start": "10:00:00", "finish": "14:00:00", "status": "finished"},
    )
