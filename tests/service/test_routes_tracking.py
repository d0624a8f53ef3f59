"""The live-tracking endpoints on the service: ``POST /api/v1/tracking/fixes`` (role tracking) in
every format, idempotent, refusing bad batches with their line and field, the proposals in the
journal equal to ``track scan``'s once the stage is closed; ``GET /api/v1/tracking/positions``.
Skipped until the live service (``raidcontrol.service.app``) is on the branch."""

from __future__ import annotations

import io
import json
import shutil
import uuid

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("raidcontrol.service.app")
from fastapi.testclient import TestClient

from raidcontrol.cli.main import app as cli_app
from raidcontrol.io.fix_batch import ARROW_TYPES
from raidcontrol.io.fix_replay import arrow_batch, replay_batches, replay_slices
from raidcontrol.io.tracks import read_fleet
from tests.conftest import live_stage_args

SIM = live_stage_args(8)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("svc") / "sim"
    assert CliRunner().invoke(cli_app, ["simulate", str(out), *SIM]).exit_code == 0
    return out


@pytest.fixture
def service(simulated, tmp_path):
    from raidcontrol.service.app import create_app
    from raidcontrol.service.settings import Settings
    from raidcontrol.service.users import Users

    event = tmp_path / "event"
    shutil.copytree(simulated, event)
    (event / "event.toml").write_text(
        f'id = "svc-{uuid.uuid4().hex}"\n' + (event / "event.toml").read_text()
    )
    settings = Settings.for_event(event)
    with TestClient(create_app(settings)) as client:
        users = client.app.state.users
        tokens = {r: Users.add(users, f"{r}-1", r)[1] for r in ("tracking", "steward")}
        yield client, event, tokens


def post(client, token, body, ctype, stage=1):
    return client.post(
        f"/api/v1/tracking/fixes?stage={stage}",
        content=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": ctype},
    )


def test_only_the_tracking_role_may_post_fixes(service):
    client, _event, tokens = service
    body = b"bib,time,lat,lon\n1,2026-01-13T04:28:25Z,20.47,44.78\n"
    assert post(client, "", body, "text/csv").status_code == 401
    assert post(client, tokens["steward"], body, "text/csv").status_code == 403
    ok = post(client, tokens["tracking"], body, "text/csv")
    assert ok.status_code == 200 and ok.json()["kept"] == 1


def test_streamed_fixes_end_with_track_scans_proposals_and_resends_record_nothing(service):
    client, event, tokens = service
    fleet = read_fleet(event / "tracks" / "stage-1.csv")
    proposed = []
    for k, (_, idx) in enumerate(replay_slices(fleet, 200, 1.0)):
        if k % 2:
            body, ctype = arrow_batch(fleet, idx), ARROW_TYPES[0]
        else:
            rows = [
                {
                    "bib": int(fleet.bib[i]),
                    "time": int(fleet.t_ms[i]),
                    "lat": float(fleet.lat[i]),
                    "lon": float(fleet.lon[i]),
                }
                for i in idx
            ]
            for r, i in zip(rows, idx):
                if not np.isnan(fleet.speed_kmh[i]):
                    r["speed"] = float(fleet.speed_kmh[i])
            body, ctype = (
                "".join(json.dumps(r) + "\n" for r in rows).encode(),
                "application/x-ndjson",
            )
        answer = post(client, tokens["tracking"], body, ctype)
        assert answer.status_code == 200, answer.text
        proposed += answer.json()["proposals"]
        again = post(client, tokens["tracking"], body, ctype).json()
        assert again["kept"] == 0 and again["proposals"] == []
    assert any(p["action"] == "proposed" for p in proposed)
    from raidcontrol.live_stage import LiveStage

    live, _ = client.app.state.live_stages[1]
    live.close()
    result = CliRunner().invoke(cli_app, ["track", "scan", str(event), "--stage", "1"])
    assert result.exit_code == 0 and "0 journal record(s) appended" in result.output
    assert isinstance(live, LiveStage)


def test_a_bad_batch_is_422_with_line_and_field_and_stores_nothing(service):
    client, _event, tokens = service
    body = (
        b"bib,time,lat,lon\n1,2026-01-13T04:28:25Z,20.47,44.78\n1,2026-01-13T04:28:26Z,20.47,999\n"
    )
    answer = post(client, tokens["tracking"], body, "text/csv")
    assert answer.status_code == 422
    detail = answer.json()["detail"][0]
    assert detail["line"] == 3 and "lon" in detail["loc"]
    live, _ = client.app.state.live_stages[1]
    assert live.fixes.count(1) == 0
    assert post(client, tokens["tracking"], body, "application/xml").status_code == 422


def test_positions_are_public_json_and_csv(service):
    client, event, tokens = service
    fleet = read_fleet(event / "tracks" / "stage-1.csv")
    for _, text in replay_batches(fleet, 0, 100_000):
        assert post(client, tokens["tracking"], text.encode(), "text/csv").status_code == 200
    answer = client.get("/api/v1/tracking/positions?stage=1").json()
    assert answer["public_delay_ms"] == 0 and len(answer["positions"]) == 8
    assert answer["positions"][0]["rank"] == 1
    csv_text = client.get("/api/v1/tracking/positions?stage=1&format=csv").text
    assert csv_text.startswith("rank,bib,last_wp") and len(io.StringIO(csv_text).readlines()) == 9
