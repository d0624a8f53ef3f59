"""The website in a real browser: Playwright drives Debian's Chromium against `raidcontrol serve` on
loopback.  A steward's penalty through the API moves the row without a page reload; a dropped stream
catches up on reconnection; no page logs a console error; a screenshot of each page is kept."""

from __future__ import annotations

import httpx
import pytest

from tests.service.conftest import Server, auth, small_event, token  # noqa: F401  (fixtures)
from tests.web.browser import SHOTS, browser, errors_of, needs_chromium  # noqa: F401  (fixture)

pytestmark = needs_chromium


@pytest.fixture
def server(small_event, tmp_path):
    srv = Server(
        small_event, f"sqlite:///{tmp_path / 'journal.sqlite'}", tmp_path / "server.log"
    ).start()
    yield srv
    srv.stop()


def _penalty(srv: Server, bib: int, amount: str) -> None:
    tok = token(srv.db_url, "steward")
    r = httpx.post(
        f"{srv.url}/api/v1/adjustments",
        headers=auth(tok),
        timeout=10,
        json={
            "stage": 1,
            "bib": bib,
            "kind": "penalty",
            "amount": amount,
            "scope": "stage",
            "reason": "speeding",
            "decision": "D-1",
        },
    )
    assert r.status_code in (200, 201), r.text


def _order(page) -> list[str]:
    return page.eval_on_selector_all(
        "table.classification tbody tr", "rows => rows.map(r => r.dataset.bib)"
    )


def test_a_penalty_moves_the_row_live_without_reload(server, browser):
    page = browser.new_page()
    errors = errors_of(page)
    page.goto(f"{server.url}/general")
    page.wait_for_selector("#live-state.live", timeout=10_000)
    assert _order(page)[:3] == ["202", "200", "201"]  # 2:57, 3:00, 3:08
    before = _order(page)
    page.evaluate("window.__noReload = true")  # gone if the page reloads
    leader = before[0]
    _penalty(server, int(leader), "1:00:00")
    page.wait_for_function(
        f"document.querySelector('table.classification tbody tr').dataset.bib !== '{leader}'",
        timeout=2_000,
    )
    assert page.evaluate("window.__noReload") is True
    after = _order(page)
    assert after[0] != leader and after.index(leader) > 0
    assert errors == []


def test_a_dropped_stream_catches_up_on_reconnect(server, browser):
    page = browser.new_page()
    errors = errors_of(page)
    page.goto(f"{server.url}/general")
    page.wait_for_selector("#live-state.live", timeout=10_000)
    leader = _order(page)[0]
    server.stop()  # the link drops: the server goes away
    page.wait_for_selector("#live-state.reconnecting", timeout=15_000)
    with (server.event_dir / "adjustments.csv").open(
        "a"
    ) as fh:  # a change made while the page is cut off
        fh.write(f"1,{leader},penalty,2:00:00,stage,late at the start\n")
    server.start()  # same port; it records the folder's change
    page.wait_for_function(
        f"document.querySelector('table.classification tbody tr').dataset.bib !== '{leader}'",
        timeout=15_000,
    )
    page.wait_for_selector("#live-state.live", timeout=15_000)
    assert [e for e in errors if "net::" not in e and "Failed to load resource" not in e] == []


PAGES = {
    "home": "/",
    "stage": "/stage/1",
    "general": "/general",
    "crew": "/crew/200",
    "notices": "/notices",
    "stock": "/stock",
    "championship": "/championship",
    "search": "/search?q=driver",
}


@pytest.mark.parametrize("width", [1200, 375])
def test_every_page_without_console_errors_and_screenshots(server, browser, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = errors_of(page)
    for name, path in PAGES.items():
        page.goto(f"{server.url}{path}")
        page.wait_for_selector("h1")
        assert page.locator("html").get_attribute("lang") == "en"
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 375:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (name, overflow)  # tables scroll inside their box
    page.keyboard.press("Tab")
    assert (
        page.evaluate("document.activeElement.className") == "skip"
    )  # keyboard: the skip link first
    assert errors == []
