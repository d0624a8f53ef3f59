"""`scrutineer report EVENT_DIR`: verdicts into the journal, into the classification, and the HTML report."""

from __future__ import annotations

import json
import shutil

import pytest

from raidcontrol.classification import classify_general
from raidcontrol.core.journal import Record
from raidcontrol.session import EventSession
from tests.stock.stock_fixtures import EVENT, invoke


@pytest.fixture
def event(tmp_path):
    folder = tmp_path / "event"
    shutil.copytree(EVENT, folder)
    return folder


def _report(event, *args):
    result = invoke("scrutineer", "report", event, *args)
    assert result.exit_code == 0, result.output
    return result


def _session(event):
    return EventSession.open(event)


def test_report_lists_every_stock_entry_and_records_the_verdicts(event):
    out = json.loads(_report(event, "--format", "json").stdout)
    assert [(r["bib"], r["verdict"]) for r in out] == [
        (601, "eligible"),
        (602, "eligible-with-remarks"),
        (603, "not-eligible"),
        (604, "experimental"),
        (605, "not scrutineered"),
    ]
    assert (
        out[2]["classification"] == "not eligible: R-ALW-05"
        and out[3]["classification"] == "experimental"
    )
    s = _session(event)
    verdicts = {r.key: r for r in s.state.of_kind("scrutineering")}
    assert sorted(verdicts) == ["601", "602", "603", "604"]
    rec = verdicts["603"]
    assert (rec.author, rec.origin, rec.source) == (
        "scrutineering",
        "scrutineering",
        "scrutineering/603.toml",
    )
    breach = rec.payload["breaches"][0]
    assert (breach["rule_id"], breach["measured"], breach["allowed"], breach["unit"]) == (
        "R-ALW-05",
        600,
        "≤ 550",
        "l",
    )
    assert rec.payload["seals"]["engine"] == {
        "initial": "E-603-0201",
        "current": "E-603-0201",
        "changes": 0,
        "checks": 1,
    }
    s.close()


def test_same_verdict_as_check_of_the_single_file(event):
    _report(event)
    single = json.loads(
        invoke(
            "scrutineer", "check", event / "scrutineering" / "603.toml", "--format", "json"
        ).stdout
    )
    s = _session(event)
    stored = s.state.get("scrutineering", "603").payload
    s.close()
    single.pop("file")
    assert stored == single


def test_re_recording_unchanged_verdicts_adds_nothing(event):
    _report(event)
    s = _session(event)
    before = len(s.store.records())
    s.close()
    result = _report(event)
    assert "journal: 0 record(s) appended" in result.stdout
    s = _session(event)
    assert len(s.store.records()) == before
    s.close()


def test_not_eligible_and_experimental_leave_the_stock_ranking_but_stay_flagged(event):
    _report(event)
    s = _session(event)
    stock = classify_general(s.event, s.rulebook, 2, category="Stock", effects=s.effects)
    assert [ln.bib for ln in stock] == [601, 602]  # 605 has no scrutineering record: not ranked yet
    assert [ln.position for ln in stock] == [1, 2]
    overall = {ln.bib: ln for ln in classify_general(s.event, s.rulebook, 2, effects=s.effects)}
    assert overall[603].flags == ("not eligible: R-ALW-05",) and overall[603].position is not None
    assert overall[604].flags == ("experimental",)
    assert overall[605].flags == ("not scrutineered",) and overall[605].position is not None
    assert overall[601].flags == ()
    s.close()


def test_classify_and_explain_show_why(event, cli):
    _report(event)
    code, out, _ = cli("classify", event, "--general")
    assert code == 0 and "not eligible: R-ALW-05" in out and "experimental" in out
    code, out, _ = cli("explain", event, "--bib", 603, "--stage", 1)
    assert code == 0 and "not eligible: R-ALW-05" in out


def test_a_correction_supersedes_the_verdict_and_brings_the_car_back(event):
    _report(event)
    f = event / "scrutineering" / "603.toml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("tank_capacity_l = 600", "tank_capacity_l = 550"),
        encoding="utf-8",
    )
    s = _session(event)
    old_id = s.state.get("scrutineering", "603").id
    s.close()
    _report(event)
    s = _session(event)
    new = s.state.get("scrutineering", "603")
    assert new.payload["verdict"] == "eligible" and new.supersedes == old_id
    assert [
        r.payload["verdict"]
        for r in s.store.records()
        if r.key == "603" and r.kind == "scrutineering"
    ] == ["not-eligible", "eligible"]
    assert 603 in [
        ln.bib
        for ln in classify_general(s.event, s.rulebook, 2, category="Stock", effects=s.effects)
    ]
    s.close()


def test_a_removed_file_withdraws_its_verdict(event):
    _report(event)
    (event / "scrutineering" / "604.toml").unlink()
    _report(event)
    s = _session(event)
    assert s.state.get("scrutineering", "604") is None
    assert (
        s.effects[604].verdict == "not-scrutineered" and s.effects[604].flag == "not scrutineered"
    )
    s.close()


def test_an_event_override_of_a_limit_changes_the_verdict(event):
    toml = event / "event.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + "\n[rules.stock.allowed.fuel_tank]\nmax = 600\n",
        encoding="utf-8",
    )
    out = json.loads(_report(event, "--format", "json").stdout)
    assert {r["bib"]: r["verdict"] for r in out}[603] == "eligible"
    single = invoke("scrutineer", "check", event / "scrutineering" / "603.toml", "--format", "json")
    assert single.exit_code == 0 and json.loads(single.stdout)["verdict"] == "eligible"
    # the same file outside the event folder is checked against the rulebook as published
    outside = event.parent / "603.toml"
    shutil.copy(event / "scrutineering" / "603.toml", outside)
    assert invoke("scrutineer", "check", outside).exit_code == 1


def test_a_seal_change_is_proposed_to_the_stewards_and_counts_once_confirmed(event):
    _report(event)
    s = _session(event)
    proposals = s.state.of_kind("penalty-proposed")
    assert len(proposals) == 1
    p = proposals[0]
    assert p.key == "scrutineering/602/gearbox/1"
    assert (p.payload["stage"], p.payload["bib"], p.payload["amount_ms"]) == (1, 602, 15 * 60_000)
    assert (
        p.payload["evidence"]["seal_before"] == "G-602-0118"
        and p.payload["evidence"]["seal_after"] == "G-602-0577"
    )
    before = {ln.bib: ln.time_ms for ln in classify_general(s.event, s.rulebook, 2)}
    s.record(
        [
            Record(
                "penalty-decision",
                str(p.id),
                {"decision": "confirmed"},
                "steward",
                origin="stewards",
            )
        ]
    )
    after = {ln.bib: ln.time_ms for ln in classify_general(s.event, s.rulebook, 2)}
    assert after[602] - before[602] == 15 * 60_000
    assert all(after[b] == before[b] for b in before if b != 602)
    s.close()


def test_html_report_highlights_the_breaches(event):
    result = _report(event)
    html = (event / "stock-scrutineering.html").read_text(encoding="utf-8")
    assert str(event / "stock-scrutineering.html") in result.stdout.replace("\n", "")
    assert '<tr class="breach-not-eligible"><td class="rule">R-ALW-05</td>' in html
    assert '<tr class="breach-penalty"><td class="rule">R-SEAL-02</td>' in html
    assert html.count('class="car"') == 4  # one section per scrutineered car
    assert "not scrutineered" in html and "@media print" in html
    assert "600 l" in html and "≤ 550" in html


def test_report_without_recording(event):
    result = _report(event, "--no-record", "--html", event / "other.html")
    assert (event / "other.html").is_file() and "--no-record" in result.stdout
    s = _session(event)
    assert s.state.of_kind("scrutineering") == []
    s.close()


def test_references_and_rules_listings():
    out = json.loads(
        invoke("scrutineer", "references", "--event", EVENT, "--format", "json").stdout
    )
    ids = [r["id"] for r in out]
    assert {
        "defender-110-octa",
        "toyota-land-cruiser-300-vja300",
        "toyota-land-cruiser-200-vdj200",
        "nissan-patrol-y61-tb48",
    } == set(ids)
    octa = next(r for r in out if r["id"] == "defender-110-octa")
    assert octa["gearbox"] == "8-speed automatic" and octa["power_kw"] == 467
    rules = json.loads(invoke("scrutineer", "rules", "--format", "json").stdout)
    assert rules[0]["id"] == "R-GEN-01"
    assert {r["id"] for r in rules} >= {"R-STD-02", "R-MAN-01", "R-ALW-05", "R-LIM-01", "R-SEAL-01"}
    assert all(r["source"] for r in rules)
