"""Issue 14's acceptance, as docs/live-tracking.md walks through it: ``raidcontrol simulate OUT
--event``, ``raidcontrol serve OUT``, a tracking token, then ``raidcontrol track replay OUT --stage 1
--post URL --close``: the proposals come on the stream and on the stewards' board while the
replay runs, and the final findings equal ``track check``'s (``track scan`` appends nothing)."""

from __future__ import annotations

import json
import re

import httpx

from raidcontrol.core.timefmt import parse_duration
from tests.conftest import live_stage_args
from tests.service.conftest import EventReader, Server, token

SIM = live_stage_args(8)


def test_simulate_serve_replay_shows_live_proposals_and_ends_equal_to_track_check(
    cli, tmp_path, monkeypatch
):
    out = tmp_path / "sim"
    assert cli("simulate", out, *SIM)[0] == 0
    db_url = f"sqlite:///{tmp_path / 'journal.sqlite'}"
    server = Server(out, db_url, tmp_path / "server.log").start()
    try:
        stream = EventReader(server.url)
        monkeypatch.setenv("RAIDCONTROL_TOKEN", token(db_url, "tracking"))
        code, _, err = cli(
            "track", "replay", out, "--stage", "1", "--post", server.url, "--speed", "0",
            "--step", "120", "--close",
        )  # fmt: skip
        assert code == 0, err
        assert "closed" in err
        pushed = stream.wait_for(lambda e: "penalty-proposed" in e["data"]["kinds"], timeout=10)
        assert pushed is not None and "penalties" in pushed["data"]["changed"]
        board = httpx.get(f"{server.url}/stewards?stage=1", timeout=30).text
        listed = httpx.get(f"{server.url}/api/v1/penalties?stage=1", timeout=30).json()["rows"]
    finally:
        server.stop()
    on_board = {int(k) for k in re.findall(r'<tr id="proposal-\d+" data-key="(\d+)"', board)}
    tracking = [r for r in listed if r["origin"] == "tracking"]
    assert on_board == {r["id"] for r in tracking} and on_board

    code, check_out, _ = cli(
        "track", "check", out / "roadbooks" / "stage-1.gpx", out / "tracks" / "stage-1.csv",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    expected = set()
    for bib, crew in json.loads(check_out)["crews"].items():
        expected |= {(int(bib), m["name"], parse_duration(m["penalty"])) for m in crew["missed"]}
        expected |= {(int(bib), s["zone"], parse_duration(s["penalty"])) for s in crew["speeding"]}
    from raidcontrol.session import EventSession

    session = EventSession.open(out, db_url=db_url)
    try:
        found = {
            (
                r.payload["bib"],
                r.payload["evidence"].get("name") or r.payload["evidence"].get("zone"),
                r.payload["amount_ms"],
            )
            for r in session.state.of_kind("penalty-proposed")
            if r.author == "tracking" and r.payload["code"] != "share"
        }
    finally:
        session.close()
    assert found == expected and expected
    code, scan, _ = cli("track", "scan", out, "--stage", "1", "--db", db_url)
    assert code == 0 and "0 journal record(s) appended" in scan
