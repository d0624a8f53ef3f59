"""``raidcontrol export``: the journal's state back into the folder; the folder stays an input."""

from __future__ import annotations

import csv
import io

import httpx

from tests.service.conftest import auth, token


def test_export_writes_api_times_into_the_folder_and_a_restart_keeps_them(
    cli, small_event, serve, db_url
):
    server = serve(small_event, db_url)
    keeper, steward = token(db_url, "timekeeper"), token(db_url, "steward")
    correction = {
        "stage": 1,
        "bib": 201,
        "start": "09:02:00",
        "finish": "11:59:00",
        "reason": "clock re-read",
    }
    assert (
        httpx.post(f"{server.url}/api/v1/times", json=correction, headers=auth(keeper)).status_code
        == 201
    )
    penalty = {
        "stage": 1,
        "bib": 200,
        "kind": "penalty",
        "amount": "0:01:00",
        "scope": "stage",
        "reason": "late",
        "decision": "D-9",
    }
    assert (
        httpx.post(
            f"{server.url}/api/v1/adjustments", json=penalty, headers=auth(steward)
        ).status_code
        == 201
    )
    served = httpx.get(f"{server.url}/api/v1/classification/general?format=csv").text
    server.stop()
    again = serve(small_event, db_url)  # an unedited folder does not undo the API's correction
    assert httpx.get(f"{again.url}/api/v1/classification/general?format=csv").text == served
    again.stop()
    code, _, err = cli("export", small_event, "--db", db_url)
    assert code == 0, err
    times = {
        (r["stage"], r["bib"]): r
        for r in csv.DictReader(io.StringIO((small_event / "times.csv").read_text()))
    }
    assert times[("1", "201")]["finish"] == "11:59:00"
    decisions = list(csv.DictReader(io.StringIO((small_event / "decisions.csv").read_text())))
    assert [d["kind"] for d in decisions] == ["adjustment"]
    code, by_cli, err = cli("classify", small_event, "--general", "--format", "csv", "--db", db_url)
    assert code == 0, err
    assert by_cli == served
