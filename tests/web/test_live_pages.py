"""The live pages of the website over a real simulated stage fed through the tracking API: the
positions table and map on ``/live/N`` (the same positions as ``/api/v1/tracking/positions``,
hidden for the public delay), and the stewards' board on ``/stewards`` (the proposals in force
with their evidence, a steward's decision shown)."""

from __future__ import annotations

import re
import shutil
import uuid
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from raidcontrol.io.fix_replay import replay_batches
from raidcontrol.io.tracks import read_fleet
from tests.service.live_sim import injected, write_live_event


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("live-pages") / "sim"
    roadbook, truth = write_live_event(out, "template")
    return out, roadbook, truth


def _serve(simulated, tmp_path, rules: str = ""):
    from raidcontrol.service.app import create_app
    from raidcontrol.service.settings import Settings

    event = tmp_path / "event"
    shutil.copytree(simulated, event)
    toml = event / "event.toml"
    text = re.sub(r'^id = ".*"', f'id = "pages-{uuid.uuid4().hex}"', toml.read_text(), count=1)
    toml.write_text(text + rules)
    return TestClient(create_app(Settings.for_event(event))), event


def _feed(client, event, tokens) -> None:
    fleet = read_fleet(event / "tracks" / "stage-1.csv")
    for _, rows in replay_batches(fleet, 0, 60):
        r = client.post(
            "/api/v1/tracking/fixes?stage=1",
            content=rows.encode(),
            headers={"Authorization": f"Bearer {tokens['tracking']}", "Content-Type": "text/csv"},
        )
        assert r.status_code == 200, r.text


def _tokens(client) -> dict[str, str]:
    from raidcontrol.service.users import Users

    users = client.app.state.users
    return {
        r: Users.add(users, f"{r}-{uuid.uuid4().hex[:6]}", r)[1] for r in ("tracking", "steward")
    }


class _Table(HTMLParser):
    """Body rows of the table with class ``cls``: (row attributes, cell texts)."""

    def __init__(self, cls: str) -> None:
        super().__init__()
        self.cls, self.rows, self.inside, self.cell = cls, [], False, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and self.cls in (a.get("class") or "").split():
            self.inside = True
        elif self.inside and tag == "tr" and ("data-bib" in a or "data-key" in a):
            self.rows.append((a, []))
        elif self.inside and tag in ("td", "th") and self.rows:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1][1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def rows_of(html: str, cls: str):
    p = _Table(cls)
    p.feed(html)
    return p.rows


def test_the_live_page_shows_every_crews_position_as_the_api_and_draws_them(simulated, tmp_path):
    folder, _roadbook, truth = simulated
    client, event = _serve(folder, tmp_path)
    with client:
        tokens = _tokens(client)
        _feed(client, event, tokens)
        api = client.get("/api/v1/tracking/positions?stage=1").json()["positions"]
        html = client.get("/live/1").text
        stage_page = client.get("/stage/1").text
    assert 'href="/live/1?lang=en"' in stage_page  # linked from the stage page
    rows = rows_of(html, "positions")
    assert len(rows) == len(truth.crews) == len(api)
    shown = [
        (c[0], int(c[1]), c[3], c[4], c[5], float(c[6])) for _, c in rows
    ]  # rank, bib, last wp, running, gap, km
    expected = [
        (str(p["rank"]), p["bib"], p["last_wp"], p["running"], p["gap"], float(p["km"]))
        for p in api
    ]
    assert shown == expected
    finished = [b for b, c in truth.crews.items() if c.finished]
    assert all(r[2] for r in shown if r[1] in finished)  # every finisher validated a waypoint
    assert all(r[5] > 0 for r in shown)
    svg = html[html.index("<svg") : html.index("</svg>")]
    drawn = sorted(int(b) for b in re.findall(r'<g class="crew" data-bib="(\d+)"', svg))
    assert drawn == sorted(truth.crews)
    for p in api:  # each label carries the crew's virtual rank
        assert f"#{p['bib']} ({p['rank']})" in svg
    assert 'data-refresh="' in html  # refreshed live (fixes are not journal changes)


def test_the_live_page_hides_positions_for_the_public_delay(simulated, tmp_path):
    far = '\n[rules.tracking.live]\npublic_delay = "87600:00:00"\n'  # ten years: all hidden
    client, event = _serve(simulated[0], tmp_path, far)
    with client:
        _feed(client, event, _tokens(client))
        html = client.get("/live/1").text
        api = client.get("/api/v1/tracking/positions?stage=1").json()
    assert api["public_delay_ms"] == 87600 * 3600 * 1000 and api["positions"] == []
    assert rows_of(html, "positions") == [] and 'id="live-empty"' in html
    assert "87600:00:00" in html


def test_a_stage_without_live_tracking_says_so(simulated, tmp_path):
    client, event = _serve(simulated[0], tmp_path)
    (event / "roadbooks" / "stage-1.gpx").unlink()
    with client:
        html = client.get("/live/1?lang=fr").text
        assert client.get("/live/9").status_code == 404
    assert 'id="live-problem"' in html and "Pas de suivi en direct" in html


def test_the_board_lists_the_proposals_with_evidence_and_a_decision(simulated, tmp_path):
    folder, roadbook, truth = simulated
    client, event = _serve(folder, tmp_path)
    with client:
        tokens = _tokens(client)
        _feed(client, event, tokens)
        board = rows_of(client.get("/stewards").text, "proposals")
        listed = client.get("/api/v1/penalties?stage=1").json()
        proposed = {r["id"]: r for r in listed["rows"] if r["status"] == "proposed"}
        assert {int(a["data-key"]) for a, _ in board} == set(proposed)
        codes = {(int(c[2].split()[0]), c[3].split()[-1]) for _, c in board}
        assert injected(roadbook, truth) <= codes
        first = min(int(a["data-key"]) for a, _ in board)
        r = client.post(
            f"/api/v1/penalties/{first}/decision",
            json={"decision": "confirmed", "reason": "seen"},
            headers={
                "Authorization": f"Bearer {tokens['steward']}",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        assert r.status_code == 201, r.text
        html = client.get("/stewards?stage=1").text
    after = {int(a["data-key"]): (a["data-status"], c) for a, c in rows_of(html, "proposals")}
    assert after[first][0] == "confirmed" and "seen" in after[first][1][-1]
    assert all(s == "proposed" for k, (s, _) in after.items() if k != first)
    for key, (_, cells) in after.items():  # each with its reason and evidence
        payload = proposed[key]
        assert cells[5] == payload["reason"]
        assert cells[4] == payload["amount"]
    assert 'href="/evidence/evidence/stage-1/' in html  # pictures linked
    assert html.count('class="decide"') == 2 * (len(after) - 1)
