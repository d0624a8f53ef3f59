"""The diff of two findings tables: examples and invariants (hypothesis)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.archive.diff import APPEARS, CHANGES, DISAPPEARS, crew_deltas, diff_findings
from raidcontrol.archive.findings import SCHEMA

KINDS = {"missed-wp": "missed-waypoint", "speeding-z": "speeding"}


def _row(rnd, stage, bib, code, penalty, kind=None, excess=None):
    kind = kind or next((k for p, k in KINDS.items() if code.startswith(p)), "did-not-finish")
    return {
        "round": rnd,
        "stage": stage,
        "bib": bib,
        "code": code,
        "kind": kind,
        "name": code,
        "type": "",
        "value": None,
        "limit": None,
        "excess_kmh": excess,
        "start_ms": None,
        "end_ms": None,
        "penalty_ms": penalty,
    }


def _table(rows) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def test_findings_that_appear_disappear_or_change_penalty():
    before = _table(
        [
            _row(1, 1, 7, "speeding-z1", 10_000, excess=4.0),
            _row(1, 1, 7, "missed-wp2", 900_000),
            _row(1, 2, 9, "speeding-z3", 120_000, excess=15.0),
        ]
    )
    after = _table(
        [
            _row(1, 1, 7, "missed-wp2", 900_000),
            _row(1, 2, 9, "speeding-z3", 600_000, excess=15.0),
            _row(2, 1, 3, "share", 0),
        ]
    )
    diff = diff_findings(before, after).to_pylist()
    assert [
        (r["round"], r["stage"], r["bib"], r["code"], r["change"], r["delta_ms"]) for r in diff
    ] == [
        (1, 1, 7, "speeding-z1", DISAPPEARS, -10_000),
        (1, 2, 9, "speeding-z3", CHANGES, 480_000),
        (2, 1, 3, "share", APPEARS, 0),
    ]
    deltas = crew_deltas(diff_findings(before, after))
    assert [(d.round, d.stage, d.bib, d.penalty_ms, d.dnf) for d in deltas] == [
        (1, 1, 7, -10_000, 0),
        (1, 2, 9, 480_000, 0),
        (2, 1, 3, 0, 1),
    ]


CODES = ["speeding-z1", "speeding-z2", "missed-wp1", "missed-wp4", "share"]
finding_keys = st.tuples(
    st.integers(1, 3), st.integers(0, 3), st.integers(1, 12), st.sampled_from(CODES)
)
tables = st.dictionaries(
    finding_keys, st.sampled_from([0, 10_000, 120_000, 600_000, 900_000]), max_size=30
).map(lambda d: _table([_row(*k, p) for k, p in sorted(d.items())]))


@settings(max_examples=60, deadline=None)
@given(tables, tables)
def test_diff_invariants(a, b):
    diff = diff_findings(a, b)
    back = diff_findings(b, a)
    assert diff_findings(a, a).num_rows == 0
    # the diff one way is the diff the other way with appear/disappear swapped and deltas negated
    swap = {APPEARS: DISAPPEARS, DISAPPEARS: APPEARS, CHANGES: CHANGES}
    assert [(r["code"], swap[r["change"]], -r["delta_ms"]) for r in diff.to_pylist()] == [
        (r["code"], r["change"], r["delta_ms"]) for r in back.to_pylist()
    ]
    # the crews' deltas add up to the change of the total penalty
    total = sum(b["penalty_ms"].to_pylist()) - sum(a["penalty_ms"].to_pylist())
    assert sum(d.penalty_ms for d in crew_deltas(diff)) == total
    # nothing unchanged is listed
    keyed_a = {
        (r["round"], r["stage"], r["bib"], r["code"]): r["penalty_ms"] for r in a.to_pylist()
    }
    keyed_b = {
        (r["round"], r["stage"], r["bib"], r["code"]): r["penalty_ms"] for r in b.to_pylist()
    }
    listed = {(r["round"], r["stage"], r["bib"], r["code"]) for r in diff.to_pylist()}
    assert listed == {
        k for k in keyed_a.keys() | keyed_b.keys() if keyed_a.get(k) != keyed_b.get(k)
    }
