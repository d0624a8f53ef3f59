"""The renderers: CSV (formula-safe, reads back), JSON (nulls, ms), rich text, the registry."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.core.timefmt import format_duration, parse_duration
from raidcontrol.tables import Column, Table, register_renderer, render, renderer
from raidcontrol.tables.render import neutralise, to_text
from tests.tables.test_table import _table

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))


def test_rich_and_text_renderers():
    text = to_text(_table())
    assert "SETH QUINTERO" in text and "4:35:08" in text and "-0:01:35" in text
    assert render(_table(), "table") == text


def test_renderers_are_registered_by_name():
    assert renderer("csv").media_type.startswith("text/csv")
    register_renderer("bibs", lambda t: " ".join(str(b) for b in t.values("bib")), "text/plain")
    assert _table().render("bibs") == "204 315 999"
    with pytest.raises(KeyError):
        render(_table(), "xlsx")


@pytest.mark.parametrize(
    "text", ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", '=HYPERLINK("x")']
)
def test_formulas_are_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-0:01:35", "-12", "+3.5", "1e5", "SETH", "", "0:00:00"])
def test_numbers_durations_and_plain_text_are_untouched(text):
    assert neutralise(text) == text


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-(10**6), 10**6),
            st.text(max_size=20) | st.none(),
            st.integers(-(10**10), 10**10) | st.none(),
        ),
        max_size=8,
    )
)
def test_csv_reads_back_to_the_same_values(rows):
    """Whatever the text, CSV reads back as the same rows; only formula text gains a leading quote."""
    cols = (Column("n", "int"), Column("name", "str"), Column("time", "duration"))
    t = Table(cols, rows)
    back = list(csv.reader(io.StringIO(t.to_csv(), newline="")))
    assert back[0] == ["n", "name", "time"]
    assert len(back) == len(rows) + 1
    for (n, name, ms), (cn, cname, ctime) in zip(rows, back[1:]):
        assert int(cn) == n
        assert cname == ("" if name is None else neutralise(name))
        assert (
            (ctime == "")
            if ms is None
            else parse_duration(ctime.lstrip("-")) * (-1 if ms < 0 else 1) == ms
        )
        if name is not None and cname != name:
            assert name[:1] in "=+-@\t\r" and cname == "'" + name
        assert ms is None or ctime == format_duration(ms)  # durations never touched
    doc = json.loads(t.to_json())
    assert [(r["n"], r["name"], r["time_ms"]) for r in doc] == [tuple(r) for r in rows]


def test_floats_keep_every_digit():
    t = Table((Column("km", "float", "km"),), [(413.0,), (12345.678,), (0.1,)])
    assert t.to_csv().splitlines() == ["km", "413", "12345.678", "0.1"]
