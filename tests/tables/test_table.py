"""The Table: typed columns, rows, selection; invariants of its renderers."""
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

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
COLS = (Column("bib", "int", "", "race number"), Column("driver", "str"), Column("time", "duration"),
        Column("share", "float", "%"), Column("final", "bool"))


def _table(rows=((204, "SETH QUINTERO", 16_508_000, 1.0, True), (315, "=HYPERLINK(1)", -95_000, None, False),
                 (999, None, None, 0.5, None))):
    return Table(COLS, rows, "t")


def test_columns_carry_type_unit_and_description():
    t = _table()
    assert t.names == ["bib", "driver", "time", "share", "final"]
    assert t.column("time").unit == "ms" and t.column("bib").description == "race number"
    assert t.describe().to_records()[2] == {"name": "time", "type": "duration", "unit": "ms", "description": ""}
    with pytest.raises(KeyError):
        t.column("nope")
    with pytest.raises(ValueError):
        Column("x", "money")
    with pytest.raises(ValueError):
        Table(COLS, [(1, 2)])
    with pytest.raises(ValueError):
        Table((Column("a"), Column("a")), [])


def test_csv_json_and_records():
    t = _table()
    assert t.to_csv().splitlines() == ["bib,driver,time,share,final", "204,SETH QUINTERO,4:35:08,1,yes",
                                       "315,'=HYPERLINK(1),-0:01:35,,no", "999,,,0.5,"]
    assert t.to_csv(ms=True).splitlines()[:2] == ["bib,driver,time,share,final,time_ms",
                                                  "204,SETH QUINTERO,4:35:08,1,yes,16508000"]
    doc = json.loads(t.to_json())
    assert doc[1] == {"bib": 315, "driver": "=HYPERLINK(1)", "time": "-0:01:35", "time_ms": -95000, "share": None,
                      "final": False}
    assert doc[2]["time"] is None and doc[2]["time_ms"] is None and doc[2]["driver"] is None
    assert t.to_records()[0]["time"] == 16_508_000
    assert [r["bib"] for r in t] == [204, 315, 999]


def test_select_head_and_highlight():
    t = Table(COLS, _table().rows, highlight={0, 2})
    assert t.select(["time", "bib"]).names == ["time", "bib"]
    assert t.select(["time", "bib"]).rows[0] == (16_508_000, 204)
    assert t.head(1).highlight == {0} and len(t.head(1)) == 1
    assert t.values("bib") == [204, 315, 999]


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


@pytest.mark.parametrize("text", ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "=HYPERLINK(\"x\")"])
def test_formulas_are_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-0:01:35", "-12", "+3.5", "1e5", "SETH", "", "0:00:00"])
def test_numbers_durations_and_plain_text_are_untouched(text):
    assert neutralise(text) == text


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.tuples(st.integers(-10**6, 10**6), st.text(max_size=20) | st.none(),
                          st.integers(-10**10, 10**10) | st.none()), max_size=8))
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
        assert (ctime == "") if ms is None else parse_duration(ctime.lstrip("-")) * (-1 if ms < 0 else 1) == ms
        if name is not None and cname != name:
            assert name[:1] in "=+-@\t\r" and cname == "'" + name
        assert ms is None or ctime == format_duration(ms)                     # durations never touched
    doc = json.loads(t.to_json())
    assert [(r["n"], r["name"], r["time_ms"]) for r in doc] == [tuple(r) for r in rows]
