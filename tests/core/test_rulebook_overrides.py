"""Rule overrides checked against the rulebook: the rulebook is its own schema (issue 11 §2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raidcontrol.rules import load_rulebook
from raidcontrol.rules.rulebook import nesting_depth, override_problems

FIA = load_rulebook("fia-2026")
LEAVES = FIA.sourced_leaves()


def _override(path: str, value):
    out: dict = {}
    node = out
    *parents, last = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return out


@given(st.sampled_from(LEAVES))
def test_the_rulebooks_own_value_is_always_a_valid_override(leaf):
    path, sourced = leaf
    assert override_problems(FIA.tree, _override(path, sourced.value)) == []
    assert (
        override_problems(
            FIA.tree, _override(path, {"value": sourced.value, "source": "event regulations"})
        )
        == []
    )


@given(
    st.sampled_from(LEAVES),
    st.one_of(st.text(max_size=5), st.integers(), st.floats(), st.booleans()),
)
def test_an_accepted_override_keeps_the_kind_of_the_value(leaf, value):
    path, sourced = leaf
    if not override_problems(FIA.tree, _override(path, value)):
        old = sourced.value
        assert (
            type(value) is type(old)
            or (isinstance(old, float) and isinstance(value, int))
            or (isinstance(old, list) and isinstance(value, list))
        )


@pytest.mark.parametrize(
    "rules, path, words",
    [
        ({"forfeit": {"fixed_penalty": "ten hours"}}, ("forfeit", "fixed_penalty"), "duration"),
        ({"forfeit": {"fixed_penalty": 36000}}, ("forfeit", "fixed_penalty"), "duration"),
        ({"forfeit": {"fixed_penalty": "-10:00:00"}}, ("forfeit", "fixed_penalty"), "negative"),
        ({"forfeit": "none"}, ("forfeit",), "table"),
        ({"categories": 1}, ("categories",), "table"),
        (
            {"championship": {"stage_points": {"kept_on_retirement": "no"}}},
            ("championship", "stage_points", "kept_on_retirement"),
            "true or false",
        ),
        (
            {"stock": {"allowed": {"fuel_tank": {"max": float("nan")}}}},
            ("stock", "allowed", "fuel_tank", "max"),
            "whole number",
        ),
        (
            {"stock": {"allowed": {"fuel_tank": {"max": -1}}}},
            ("stock", "allowed", "fuel_tank", "max"),
            "negative",
        ),
        (
            {"forfeit": {"fixed_penalty": {"value": "6:00:00", "source": " "}}},
            ("forfeit", "fixed_penalty", "source"),
            "source",
        ),
        ({"forfeit": {"fixed": "1:00:00"}}, ("forfeit", "fixed"), "not in the rulebook"),
    ],
)
def test_issue_11_overrides_are_refused(rules, path, words):
    problems = override_problems(FIA.tree, rules)
    assert [p for p, _ in problems] == [path] and words in problems[0][1]


def test_nesting_is_measured_without_recursion():
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    assert nesting_depth(deep, 8) == 9
    assert nesting_depth({"a": {"b": 1}}, 8) == 2
