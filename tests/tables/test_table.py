"""The Table: typed columns, rows, selection, records."""

from __future__ import annotations

import json

import pytest

from raidcontrol.tables import Column, Table

COLS = (
    Column("bib", "int", "", "race number"),
    Column("driver", "str"),
    Column("time", "duration"),
    Column("share", "float", "%"),
    Column("final", "bool"),
)


def _table(
    rows=(
        (204, "SETH QUINTERO", 16_508_000, 1.0, True),
        (315, "=HYPERLINK(1)", -95_000, None, False),
        (999, None, None, 0.5, None),
    ),
):
    return Table(COLS, rows, "t")


def test_columns_carry_type_unit_and_description():
    t = _table()
    assert t.names == ["bib", "driver", "time", "share", "final"]
    assert t.column("time").unit == "ms" and t.column("bib").description == "race number"
    assert t.describe().to_records()[2] == {
        "name": "time",
        "type": "duration",
        "unit": "ms",
        "description": "",
    }
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
    assert t.to_csv().splitlines() == [
        "bib,driver,time,share,final",
        "204,SETH QUINTERO,4:35:08,1,yes",
        "315,'=HYPERLINK(1),-0:01:35,,no",
        "999,,,0.5,",
    ]
    assert t.to_csv(ms=True).splitlines()[:2] == [
        "bib,driver,time,share,final,time_ms",
        "204,SETH QUINTERO,4:35:08,1,yes,16508000",
    ]
    doc = json.loads(t.to_json())
    assert doc[1] == {
        "bib": 315,
        "driver": "=HYPERLINK(1)",
        "time": "-0:01:35",
        "time_ms": -95000,
        "share": None,
        "final": False,
    }
    assert doc[2]["time"] is None and doc[2]["time_ms"] is None and doc[2]["driver"] is None
    assert t.to_records()[0]["time"] == 16_508_000
    assert [r["bib"] for r in t] == [204, 315, 999]


def test_select_head_and_highlight():
    t = Table(COLS, _table().rows, highlight={0, 2})
    assert t.select(["time", "bib"]).names == ["time", "bib"]
    assert t.select(["time", "bib"]).rows[0] == (16_508_000, 204)
    assert t.head(1).highlight == {0} and len(t.head(1)) == 1
    assert t.values("bib") == [204, 315, 999]
