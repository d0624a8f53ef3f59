"""The Python API: raidcontrol.open_event and its tables."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import UTC, datetime

import pytest

import raidcontrol
from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import Record
from tests.conftest import make_event
from tests.stock.stock_fixtures import EVENT as STOCK_EVENT
from tests.stock.stock_fixtures import invoke

TIMES = """
    1,200,10:00:00,14:00:00,finished
    1,201,10:01:00,14:01:00,finished
    1,202,10:02:00,,dnf
    1,500,10:03:00,15:00:00,finished
    1,501,10:04:00,14:02:30,finished
"""
ADJ = """
    1,201,credit,0:01:35,special,stopped to help an injured rider
    1,501,penalty,0:29:00,stage,=penalty outside the special
"""


@pytest.fixture
def folder(tmp_path):
    return make_event(tmp_path / "e", times=TIMES, adjustments=ADJ)


def test_open_event_classifies_like_the_cli(folder, cli):
    with raidcontrol.open_event(folder) as ev:
        stage = ev.stage(1)
        special = ev.stage(1, special=True)
        general = ev.general()
    for table, args in (
        (stage, ["--stage", "1"]),
        (special, ["--stage", "1", "--special"]),
        (general, ["--general"]),
    ):
        code, out, err = cli("classify", folder, *args, "--format", "csv")
        assert code == 0, err
        assert table.select(out.splitlines()[0].split(",")).to_csv() == out
    assert stage.values("bib") == [201, 200, 501, 500, 202]
    assert special.values("bib") == [201, 501, 200, 500, 202]
    assert stage.names[:9] == [
        "position",
        "bib",
        "driver",
        "category",
        "class",
        "time",
        "gap",
        "penalty",
        "status",
    ]
    rec = json.loads(stage.to_json())[0]
    assert rec["time"] == "3:58:25" and rec["time_ms"] == 14_305_000 and rec["eligibility"] is None


def test_filters_entries_itinerary_and_explain(folder, tmp_path):
    no_stock_scrutineering = make_event(
        tmp_path / "unscrutineered",
        times=TIMES,
        adjustments=ADJ,
        rules="[rules.stock]\nscrutineering = false\n",
    )
    with raidcontrol.open_event(no_stock_scrutineering) as ev:
        assert ev.stage(1, category="Stock").values("bib") == [501, 500]
        assert ev.stage(1, category="Stock").values("position") == [1, 2]
        assert ev.stage(1, category="Stock").values("remarks") == [None, None]
    with raidcontrol.open_event(folder) as ev:
        # No scrutineering record yet: the Stock cars are flagged and not ranked in Stock (docs/stock.md).
        assert ev.stage(1, category="Stock").values("position") == []
        flagged = {r["bib"]: r["remarks"] for r in ev.stage(1).to_records() if r["remarks"]}
        assert flagged == {500: "not scrutineered", 501: "not scrutineered"}
        with pytest.raises(InputError):
            ev.stage(1, category="Hovercraft")
        assert ev.entries().values("bib") == [200, 201, 202, 500, 501]
        assert ev.itinerary().to_records() == [
            {
                "stage": 1,
                "name": "Stage 1",
                "special_km": 300.0,
                "max_time": 36_000_000,
                "counts_for_general": True,
                "final": False,
                "results": 5,
            }
        ]
        ex = ev.explain(bib=201, stage=1)
        kinds = ex.values("kind")
        assert kinds == ["part", "part", "total", "ranking", "ranking"]
        assert ex.values("time")[:3] == [4 * 3600_000, -95_000, 4 * 3600_000 - 95_000]
        assert ex.rows[1][ex.names.index("reason")] == "stopped to help an injured rider"
        assert (
            ex.to_csv().splitlines()[2].split(",")[2] == "-0:01:35"
        )  # a credit is not "neutralised"
        with pytest.raises(InputError):
            ev.explain(bib=999, stage=1)
        assert len(ev.penalties()) == 0 and len(ev.scrutineering()) == 0
        with pytest.raises(InputError):
            ev.penalties(status="maybe")


def test_text_fields_that_look_like_formulas_are_neutralised_in_csv(folder):
    with raidcontrol.open_event(folder) as ev:
        text = ev.explain(bib=501, stage=1).to_csv()
    assert "'=penalty outside the special" in text
    assert [r for r in csv.reader(io.StringIO(text)) if r[0] == "part"][1][2] == "0:29:00"


def test_as_of_sees_the_journal_as_it_stood(folder):
    with raidcontrol.open_event(folder) as ev:
        first = ev.stage(1).to_records()
    (folder / "times.csv").write_text(
        (folder / "times.csv").read_text().replace("14:00:00", "13:00:00")
    )
    with raidcontrol.open_event(folder) as ev:
        before = ev.as_of(ev.state.history[0].recorded_at)
        assert before.stage(1).to_records() == first
        assert ev.stage(1).values("bib")[0] == 200
        assert ev.as_of("2000-01-01T00:00Z").event.entries == {}
        with pytest.raises(InputError):
            ev.as_of("yesterday")


class MemoryStore:
    """A journal in a list: the store protocol (append, read since a position, close) without a
    database."""

    def __init__(self):
        self.rows: list[Record] = []
        self.closed = False

    event_key = "event"

    def append(self, records, *, idempotency_key=None):
        out = []
        for r in records:
            out.append(
                Record(
                    r.kind,
                    r.key,
                    r.payload,
                    r.author,
                    r.source,
                    r.origin,
                    len(self.rows) + 1,
                    datetime.now(UTC),
                    r.supersedes,
                )
            )
            self.rows.append(out[-1])
        return out

    def records_since(self, position: int) -> list[Record]:
        return [r for r in self.rows if (r.id or 0) > position]

    def close(self):
        self.closed = True


def test_any_store_with_the_protocol_can_be_passed(folder):
    store = MemoryStore()
    with raidcontrol.open_event(folder, store=store) as ev:
        assert ev.stage(1).values("bib") == [201, 200, 501, 500, 202]
    assert store.closed and store.rows
    n = len(store.rows)
    raidcontrol.open_event(folder, store=store).close()
    assert len(store.rows) == n  # unchanged folder: nothing appended
    assert not (folder / ".raidcontrol").exists()


def test_a_bad_folder_closes_nothing_it_did_not_open_and_records_nothing(folder):
    store = MemoryStore()
    (folder / "times.csv").write_text("stage,bib,start,finish,status\n1,200,10:00:00,,lost\n")
    with pytest.raises(InputError):
        raidcontrol.open_event(folder, store=store)
    assert store.rows == []


@pytest.fixture
def stock_event(tmp_path):
    folder = tmp_path / "event"
    shutil.copytree(STOCK_EVENT, folder)
    assert invoke("scrutineer", "report", folder).exit_code == 0
    return folder


def test_verdicts_are_part_of_the_event_state(stock_event):
    with raidcontrol.open_event(stock_event) as ev:
        overall = {r["bib"]: r for r in ev.general().to_records()}
        stock = ev.general(category="Stock").values("bib")
        verdicts = {r["bib"]: r["verdict"] for r in ev.scrutineering().to_records()}
        entries = {r["bib"]: r["eligibility"] for r in ev.entries().to_records()}
        explained = ev.explain(bib=603, stage=1)
    assert (
        overall[603]["remarks"] == "not eligible: R-ALW-05"
        and overall[603]["eligibility"] == "not-eligible"
    )
    assert overall[604]["remarks"] == "experimental" and overall[601]["remarks"] is None
    assert overall[601]["eligibility"] == "eligible"
    assert 603 not in stock and 604 not in stock and 601 in stock
    assert verdicts[603] == "not-eligible" and entries[603] == "not-eligible"
    assert explained.rows[0][:2] == ("remark", "not eligible: R-ALW-05")


def test_the_package_import_is_light():
    import subprocess
    import sys

    code = "import sys, raidcontrol; print(sorted(m for m in ('sqlalchemy', 'numpy', 'rich') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_record_and_refresh_append_and_refold(folder):
    with raidcontrol.open_event(folder) as ev:
        n = len(ev.state.history)
        written = ev.record(
            [
                Record(
                    "adjustment",
                    "1/200/live",
                    {
                        "stage": 1,
                        "bib": 200,
                        "kind": "penalty",
                        "amount_ms": 3_600_000,
                        "scope": "stage",
                        "reason": "late at the CP",
                    },
                    "steward",
                )
            ]
        )
        assert written[0].id is not None and len(ev.state.history) == n + 1
        assert ev.stage(1).values("bib")[-2:] == [200, 202]  # an hour later: behind 500
        (folder / "times.csv").write_text(
            (folder / "times.csv").read_text().replace("14:01:00", "13:01:00")
        )
        assert ev.refresh().stage(1).values("bib")[0] == 201
        view = ev.as_of(None)
        with pytest.raises(InputError):
            view.record([])


def test_a_table_prints_as_text_and_reprs_short(folder):
    with raidcontrol.open_event(folder) as ev:
        table = ev.stage(1)
    assert repr(table).startswith(
        "<Table 'Test Rally — stage 1 stage ranking · PROVISIONAL': 5 rows × 11 columns"
    )
    assert "3:58:25" in str(table) and "position" in str(table)
