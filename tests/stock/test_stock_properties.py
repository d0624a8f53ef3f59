"""Property-based tests of the Stock invariants."""

from __future__ import annotations

import string

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.io.scrutineering import key_lines, locate
from raidcontrol.rules import load_rulebook
from raidcontrol.stock import stock_rules
from tests.stock.stock_fixtures import RULES, case, verdict_of

SEVERITY = {"eligible": 0, "eligible-with-remarks": 1, "not-eligible": 2}
ALLOWED_AREAS = sorted({a for r in RULES.group("allowed") for a in r.areas})
PRODUCED_AREAS = sorted({a for r in RULES.group("as_produced") for a in r.areas})
OTHER_AREAS = ["rear-wing", "nitrous", "lightened-doors", "carbon-bonnet"]
BASE = case("compliant-d7x-r")


@settings(max_examples=40, deadline=None)
@given(capacity=st.integers(1, 2000), limit=st.integers(1, 2000))
def test_tank_breach_iff_capacity_over_limit(capacity, limit):
    rules = stock_rules(
        load_rulebook("fia-2026", {"stock": {"allowed": {"fuel_tank": {"max": limit}}}})
    )
    data = case("compliant-d7x-r")
    data["car"]["fuel"]["tank_capacity_l"] = capacity
    ids = [b.rule_id for b in verdict_of(data, rules).breaches]
    assert ("R-ALW-05" in ids) == (capacity > limit)


@settings(max_examples=40, deadline=None)
@given(front=st.integers(1500, 2100), rear=st.integers(1500, 2100))
def test_track_limit_is_production_plus_allowance(front, rear):
    data = case("compliant-d7x-r")
    del data["findings"]["measured"]["dimensions"]
    data["car"]["dimensions"].update(track_front_mm=front, track_rear_mm=rear)
    subjects = [b.subject for b in verdict_of(data).breaches if b.rule_id == "R-ALW-07"]
    assert subjects == [
        s
        for s, v in (("dimensions.track_front_mm", front), ("dimensions.track_rear_mm", rear))
        if v > 1772 + 60
    ]


@settings(max_examples=50, deadline=None)
@given(areas=st.lists(st.sampled_from(ALLOWED_AREAS + PRODUCED_AREAS + OTHER_AREAS), max_size=6))
def test_adding_modifications_never_makes_a_car_more_eligible(areas):
    before = verdict_of(BASE)
    data = case("compliant-d7x-r")
    data["modification"] += [{"area": a, "description": f"changed {a}"} for a in areas]
    after = verdict_of(data)
    assert SEVERITY[after.verdict] >= SEVERITY[before.verdict]
    expected_new = [a for a in areas if a not in ALLOWED_AREAS]
    new = [b for b in after.breaches if b.subject.startswith("modification:")]
    assert sorted(b.subject for b in new) == sorted(f"modification: {a}" for a in expected_new)
    assert (after.verdict == "not-eligible") == bool(expected_new)


seal = st.sampled_from(["S-1", "S-2", "S-3"])


@settings(max_examples=60, deadline=None)
@given(
    engine=st.lists(seal, min_size=1, max_size=7), gearbox=st.lists(seal, min_size=1, max_size=7)
)
def test_one_breach_per_changed_seal_with_the_growing_penalty(engine, gearbox):
    n = min(len(engine), len(gearbox))
    engine, gearbox = engine[:n], gearbox[:n]
    data = case("compliant-d7x-r")
    data["seal_check"] = [{"label": "initial", "engine": engine[0], "gearbox": gearbox[0]}] + [
        {"label": f"after stage {i}", "after_stage": i, "engine": engine[i], "gearbox": gearbox[i]}
        for i in range(1, n)
    ]
    v = verdict_of(data)
    scale = RULES.seals["engine"].penalties_ms
    for part, seq in (("engine", engine), ("gearbox", gearbox)):
        changed = [i for i in range(1, n) if seq[i] != seq[i - 1]]
        got = [b for b in v.breaches if b.subject == part]
        assert [b.stage for b in got] == changed
        assert [b.penalty_ms for b in got] == [
            scale[min(k, len(scale) - 1)] for k in range(len(changed))
        ]
        assert v.seals[part]["changes"] == len(changed)
    assert v.verdict == ("eligible-with-remarks" if v.breaches else "eligible")


key = st.text(string.ascii_lowercase + "_", min_size=1, max_size=8)
scalar = st.one_of(
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.text(string.ascii_letters + ' .#=[]"', max_size=12),
)
tree = st.dictionaries(
    key,
    st.one_of(
        scalar,
        st.dictionaries(
            key, st.one_of(scalar, st.dictionaries(key, scalar, max_size=3)), max_size=4
        ),
    ),
    min_size=1,
    max_size=5,
)


def _leaves(node, prefix=""):
    for k, v in node.items():
        path = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            yield from _leaves(v, path)
        else:
            yield path, k


@settings(max_examples=80, deadline=None)
@given(doc=tree)
def test_every_key_is_located_on_its_own_line(doc):
    text = tomli_w.dumps(doc)
    lines = key_lines(text)
    rows = text.splitlines()
    for path, name in _leaves(doc):
        n = locate(lines, path)
        assert n is not None and rows[n - 1].startswith(f"{name} ="), (path, text)


@settings(max_examples=40, deadline=None)
@given(
    value=st.one_of(
        st.text(max_size=8),
        st.floats(allow_nan=False),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_any_non_integer_displacement_is_refused_with_its_field(value):
    data = case("compliant-d7x-r")
    data["car"]["engine"]["displacement_cc"] = value
    try:
        verdict_of(data)
    except InputError as exc:
        assert exc.field == "car.engine.displacement_cc"
    else:
        raise AssertionError(f"{value!r} accepted")
