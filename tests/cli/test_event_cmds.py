"""classify, explain and convert-official: every format, the documented CSV, the Stock columns."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from tests.conftest import DAKAR_DATA, make_event
from tests.stock.stock_fixtures import EVENT as STOCK_EVENT
from tests.stock.stock_fixtures import invoke

DOCUMENTED = "position,bib,driver,category,class,time,gap,penalty,status"
TIMES = """
    1,200,10:00:00,14:00:00,finished
    1,201,10:01:00,14:01:00,finished
    1,202,,,withdrawn
"""


@pytest.fixture
def folder(tmp_path):
    return make_event(
        tmp_path / "e", times=TIMES, adjustments="1,201,credit,0:01:35,special,helped a rider"
    )


def test_csv_keeps_the_documented_header_and_json_has_nulls_and_ms(cli, folder):
    code, out, err = cli("classify", folder, "--stage", "1", "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0] == DOCUMENTED
    assert out.splitlines()[-1] == ",202,Eve Driver,Ultimate,T1.1,,,0:00:00,withdrawn"
    code, out, _ = cli("classify", folder, "--stage", "1", "--format", "json")
    rows = json.loads(out)
    assert (
        rows[0]["time"] == "3:58:25" and rows[0]["time_ms"] == 14_305_000 and rows[0]["gap_ms"] == 0
    )
    assert rows[-1]["position"] is None and rows[-1]["time"] is None and rows[-1]["time_ms"] is None
    assert rows[-1]["eligibility"] is None and rows[-1]["remarks"] is None
    code, out, _ = cli("classify", folder, "--stage", "1", "--format", "csv", "--wide")
    assert out.splitlines()[0] == DOCUMENTED + ",eligibility,remarks,time_ms,gap_ms,penalty_ms"
    assert out.splitlines()[1].endswith(",finished,,,14305000,0,0")


@pytest.fixture
def stock_event(tmp_path):
    folder = tmp_path / "event"
    shutil.copytree(STOCK_EVENT, folder)
    assert invoke("scrutineer", "report", folder).exit_code == 0
    return folder


def test_a_stock_event_carries_the_eligibility_columns_after_status(cli, stock_event):
    code, out, err = cli("classify", stock_event, "--general", "--format", "csv")
    assert code == 0, err
    header = out.splitlines()[0]
    assert header == DOCUMENTED + ",eligibility,remarks,time_ms,gap_ms,penalty_ms"
    rows = {int(r["bib"]): r for r in csv.DictReader(io.StringIO(out))}
    assert (
        rows[603]["eligibility"] == "not-eligible"
        and rows[603]["remarks"] == "not eligible: R-ALW-05"
    )
    assert rows[604]["remarks"] == "experimental" and rows[601]["eligibility"] == "eligible"
    assert rows[601]["remarks"] == ""
    code, out, _ = cli(
        "classify", stock_event, "--general", "--category", "Stock", "--format", "json"
    )
    bibs = [r["bib"] for r in json.loads(out)]
    assert 603 not in bibs and 604 not in bibs and 601 in bibs


def test_explain_in_every_format(cli, folder, stock_event):
    code, out, err = cli("explain", folder, "--bib", "201", "--stage", "1", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["kind"] for r in rows] == ["part", "part", "total", "ranking", "ranking"]
    assert (
        rows[1]["time"] == "-0:01:35"
        and rows[1]["time_ms"] == -95_000
        and rows[1]["reason"] == "helped a rider"
    )
    assert "evidence" not in rows[0]
    code, out, _ = cli(
        "explain", folder, "--bib", "201", "--stage", "1", "--format", "json", "--evidence"
    )
    assert "evidence" in json.loads(out)[0]
    code, out, _ = cli("explain", folder, "--bib", "201", "--stage", "1", "--format", "csv")
    assert out.splitlines()[0].startswith(
        "kind,term,time,position,gap,penalty,reason,picture,record"
    )
    assert "-0:01:35" in out and "'-0:01:35" not in out
    code, out, _ = cli("explain", folder, "--bib", "201", "--stage", "1")
    assert "stage time" in out and "3:58:25" in out and "special ranking: 1" in out
    code, out, _ = cli("explain", stock_event, "--bib", "603", "--stage", "1", "--format", "json")
    assert json.loads(out)[0] == {
        **json.loads(out)[0],
        "kind": "remark",
        "term": "not eligible: R-ALW-05",
    }


def test_convert_official_prints_its_summary_in_every_format(cli, tmp_path):
    code, out, err = cli("convert-official", DAKAR_DATA, tmp_path / "ev", "--format", "json")
    assert code == 0, err
    counts = {r["what"]: r["count"] for r in json.loads(out)}
    assert counts["entries"] == 201
    code, out, _ = cli("convert-official", DAKAR_DATA, tmp_path / "ev", "--format", "csv")
    assert out.splitlines()[0] == "what,count"


def test_penalties_list_filters_by_status(cli, folder):
    code, out, err = cli("penalties", "list", folder, "--status", "proposed", "--format", "json")
    assert code == 0 and json.loads(out) == []
    code, _, err = cli("penalties", "list", folder, "--status", "maybe")
    assert code == 2 and "--status" in err


def test_every_list_of_a_stock_event_has_the_same_columns(cli, stock_event):
    code, out, err = cli(
        "classify", stock_event, "--stage", "1", "--category", "Ultimate", "--format", "csv"
    )
    assert code == 0, err
    assert out.splitlines()[0] == DOCUMENTED + ",eligibility,remarks,time_ms,gap_ms,penalty_ms"
