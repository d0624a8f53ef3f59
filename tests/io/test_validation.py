"""io/validation: the one line-finder (TOML, JSON, CSV rows) and the error collection."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict

from raidcontrol.core.errors import InputError, InputErrors
from raidcontrol.io.validation import (
    MAX_ERRORS,
    Collector,
    field_name,
    json_lines,
    locate,
    toml_lines,
    validate,
)

TOML = '''\
name = "X"          # line 1
[[stage]]
number = 1
max_time = """
not = a key
"""
[[stage]]
"number" = 2
[rules.forfeit]
fixed_penalty = { value = "6:00:00", source = "x" }
'''


def test_toml_lines_index_tables_arrays_and_keys():
    lines = toml_lines(TOML)
    assert lines[("name",)] == 1
    assert (
        lines[("stage", 0)] == 2
        and lines[("stage", 0, "number")] == 3
        and lines[("stage", 0, "max_time")] == 4
    )
    assert ("stage", 0, "not") not in lines  # inside a multi-line string
    assert lines[("stage", 1, "number")] == 8
    assert lines[("rules", "forfeit", "fixed_penalty")] == 10


def test_locate_falls_back_to_the_enclosing_table():
    lines = toml_lines(TOML)
    assert locate(lines, ("stage", 1, "special_km")) == 7
    assert locate(lines, ("rules", "forfeit", "fixed_penalty", "value")) == 10
    assert locate(lines, ("nowhere",)) is None and locate(None, ("name",)) is None


def test_json_lines_follow_the_structure():
    text = '[\n {"team": {"bib": 1,\n  "names": ["a",\n   "b"]}},\n {"team": {"bib": "x"}}\n]'
    lines = json_lines(text)
    assert (
        lines[(0, "team", "bib")] == 2
        and lines[(0, "team", "names", 1)] == 4
        and lines[(1, "team", "bib")] == 5
    )


@given(
    st.recursive(
        st.one_of(st.integers(), st.text(max_size=5), st.booleans(), st.none()),
        lambda c: st.one_of(
            st.lists(c, max_size=3), st.dictionaries(st.text(max_size=4), c, max_size=3)
        ),
        max_leaves=12,
    )
)
def test_json_lines_index_every_path_of_any_document(doc):
    text = json.dumps(doc, indent=1)
    lines = json_lines(text)

    def paths(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for k, v in node.items():
                yield from paths(v, (*prefix, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from paths(v, (*prefix, i))

    for path in paths(doc):
        assert 1 <= lines[path] <= text.count("\n") + 1


def test_field_names_name_the_list_item():
    assert field_name(("stage", 2, "max_time")) == ("max_time", "stage #3: ")
    assert field_name(("rules", "forfeit", "fixed_penalty")) == ("rules.forfeit.fixed_penalty", "")
    assert field_name((3, "team", "competitors", 0, "lastName")) == (
        "lastName",
        "record #4, competitors #1: ",
    )
    assert field_name((3, "cs", "01ASS", "absolute", 0)) == (
        "cs.01ASS.absolute",
        "record #4, absolute #1: ",
    )
    assert field_name(("stage", 0)) == ("stage", "stage #1: ")


class Row(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    a: int
    b: str


def test_validate_reports_every_problem_located():
    with pytest.raises(InputErrors) as info:
        validate(Row, {"a": "1", "b": 2, "c": 3}, file="f.csv", line=7)
    errors = info.value.errors
    assert {(e.file, e.line, e.field) for e in errors} == {
        ("f.csv", 7, "a"),
        ("f.csv", 7, "b"),
        ("f.csv", 7, "c"),
    }
    assert len(info.value.located().splitlines()) == 3 and "unknown keys c" in info.value.located()


def test_the_collector_stops_at_twenty():
    errors = Collector()
    with pytest.raises(InputErrors) as info:
        for i in range(100):
            with errors.row():
                raise InputError(f"problem {i}", file="t.csv", line=i + 2)
    assert len(info.value.errors) == MAX_ERRORS and info.value.errors[-1].line == MAX_ERRORS + 1
    Collector().raise_if_any()  # nothing collected: nothing raised
