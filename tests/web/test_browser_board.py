"""The stewards' board and the live positions in a real browser (Debian's Chromium driven by
Playwright against ``raidcontrol serve`` on loopback): fixes POSTed to the tracking API make a
proposal appear on the open board without a reload; a steward pastes a token and confirms it
through the board, and its status changes (in the page and in the API); the live page shows every
crew's position.  Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import uuid

import httpx
import pytest

from raidcontrol.io.fix_replay import replay_batches
from raidcontrol.io.tracks import read_fleet
from tests.service.conftest import Server, token
from tests.service.live_sim import write_live_event
from tests.web.browser import SHOTS, browser, errors_of, needs_chromium  # noqa: F401  (fixture)

pytestmark = needs_chromium

BATCH_STAGE_S = 60  # stage seconds per POSTed batch (fed as fast as possible)


@pytest.fixture
def live_server(tmp_path):
    event = tmp_path / "sim"
    write_live_event(event, f"board-{uuid.uuid4().hex[:8]}")
    srv = Server(event, f"sqlite:///{tmp_path / 'journal.sqlite'}", tmp_path / "server.log").start()
    yield srv
    srv.stop()


def _feed(srv: Server, tok: str) -> None:
    fleet = read_fleet(srv.event_dir / "tracks" / "stage-1.csv")
    with httpx.Client(base_url=srv.url, timeout=60) as client:
        for _, rows in replay_batches(fleet, 0, BATCH_STAGE_S):
            r = client.post(
                "/api/v1/tracking/fixes?stage=1",
                content=rows.encode(),
                headers={"Authorization": f"Bearer {tok}", "Content-Type": "text/csv"},
            )
            assert r.status_code == 200, r.text


def test_a_proposal_appears_live_on_the_board_and_a_confirm_changes_its_status(
    live_server, browser
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = errors_of(page)
    page.goto(f"{live_server.url}/stewards")
    page.wait_for_selector("#live-state.live", timeout=10_000)
    assert page.locator("#no-proposals").count() == 1
    page.evaluate("window.__noReload = true")  # gone if the page reloads
    _feed(live_server, token(live_server.db_url, "tracking"))
    page.wait_for_selector("table.proposals tbody tr[data-status=proposed]", timeout=10_000)
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=str(SHOTS / "stewards-board-proposed.png"), full_page=True)

    row = page.locator("table.proposals tbody tr").first
    pid = row.get_attribute("data-key")
    page.fill("#token", token(live_server.db_url, "steward"))
    page.click("#steward-token button[type=submit]")
    assert page.evaluate("sessionStorage.getItem('raidcontrol.stewardToken')")
    page.fill("#decision-reason", "GPS evidence reviewed")
    page.click(f"#proposal-{pid} button[data-decision=confirmed]")
    page.wait_for_selector(f"#proposal-{pid}[data-status=confirmed]", timeout=10_000)
    assert page.evaluate("window.__noReload") is True
    assert "GPS evidence reviewed" in page.inner_text(f"#proposal-{pid}")
    decided = httpx.get(f"{live_server.url}/api/v1/penalties/{pid}", timeout=10).json()
    assert decided["decision"]["decision"] == "confirmed"
    page.screenshot(path=str(SHOTS / "stewards-board-confirmed.png"), full_page=True)
    assert errors == []


def test_without_a_token_the_board_refuses_and_records_nothing(live_server, browser):
    _feed(live_server, token(live_server.db_url, "tracking"))
    page = browser.new_page()
    page.goto(f"{live_server.url}/stewards")
    page.wait_for_selector("table.proposals tbody tr")
    pid = page.locator("table.proposals tbody tr").first.get_attribute("data-key")
    page.click(f"#proposal-{pid} button[data-decision=dismissed]")
    page.wait_for_function(
        "document.getElementById('decision-message').textContent.includes('401')", timeout=10_000
    )
    assert (
        httpx.get(f"{live_server.url}/api/v1/penalties/{pid}", timeout=10).json()["decision"]
        is None
    )


def test_the_live_page_shows_positions_in_the_browser(live_server, browser):
    _feed(live_server, token(live_server.db_url, "tracking"))
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = errors_of(page)
    page.goto(f"{live_server.url}/live/1")
    page.wait_for_selector("table.positions tbody tr")
    assert page.locator("table.positions tbody tr").count() == 5
    assert page.locator("svg.map g.crew").count() == 5
    page.screenshot(path=str(SHOTS / "live-positions-1200.png"), full_page=True)
    assert errors == []
