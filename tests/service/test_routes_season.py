"""Season standings over the API equal ``raidcontrol standings``, and follow a decision at once."""

from __future__ import annotations

import shutil

import httpx

from raidcontrol.store import default_url
from tests.conftest import REPO
from tests.service.conftest import auth, token


def test_standings_over_the_api_equal_the_command_and_follow_decisions(cli, tmp_path, serve):
    season = tmp_path / "season"
    shutil.copytree(REPO / "examples" / "season", season)
    code, expected, err = cli("standings", season / "season.toml", "--format", "csv")
    assert code == 0, err
    code, expected_outlook, err = cli(
        "standings", season / "season.toml", "--outlook", "--format", "csv"
    )
    assert code == 0, err
    event = season / "dakar"
    server = serve(event, default_url(event), "--season", str(season / "season.toml"))
    assert httpx.get(f"{server.url}/api/v1/standings?format=csv").text == expected
    assert (
        httpx.get(f"{server.url}/api/v1/standings?format=csv&outlook=true").text == expected_outlook
    )
    before = {r["name"]: r for r in httpx.get(f"{server.url}/api/v1/standings").json()["rows"]}
    page = httpx.get(f"{server.url}/championship").text  # the website's championship page
    leader = max(before.values(), key=lambda r: r["points"])
    assert page.count("<tr>") == len(before) + 1 + len(expected_outlook.splitlines())
    assert leader["name"] in page and "Outlook" in page
    general = httpx.get(f"{server.url}/api/v1/classification/general").json()["rows"]
    winner = next(r for r in general if r["position"] == 1)
    assert before[winner["driver"]]["Dakar"] > 0
    steward = token(default_url(event), "steward")
    dq = {
        "stage": httpx.get(f"{server.url}/api/v1/event").json()["last_stage"],
        "bib": winner["bib"],
        "reason": "technical infringement",
        "decision": "D-season",
    }
    assert (
        httpx.post(
            f"{server.url}/api/v1/disqualifications", json=dq, headers=auth(steward)
        ).status_code
        == 201
    )
    after = {r["name"]: r for r in httpx.get(f"{server.url}/api/v1/standings").json()["rows"]}
    assert after[winner["driver"]]["Dakar"] in (None, 0)  # no Dakar points once disqualified
    assert (
        after[winner["driver"]]["points"]
        == before[winner["driver"]]["points"] - before[winner["driver"]]["Dakar"]
    )


def test_standings_without_a_season_are_404(small_event, serve, db_url):
    server = serve(small_event, db_url)
    assert httpx.get(f"{server.url}/api/v1/standings").status_code == 404
