"""The live commands end to end: ``simulate --event``, ``track replay`` into a drop folder,
``track follow --close`` shows the proposals, ``track scan`` then finds nothing to change;
a growing file; a refused file; ``track positions``."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import live_stage_args

SIM = live_stage_args(10)


@pytest.fixture
def sim(cli, tmp_path):
    out = tmp_path / "sim"
    assert cli("simulate", out, *SIM)[0] == 0
    return out


def test_simulate_replay_follow_shows_live_proposals_and_ends_equal_to_track_scan(
    cli, sim, tmp_path
):
    drop = tmp_path / "drop"
    code, _, err = cli(
        "track", "replay", sim, "--stage", "1", "--into", drop, "--speed", "0", "--step", "120"
    )
    assert code == 0 and "replayed" in err
    files = sorted(drop.iterdir())
    assert len(files) > 10 and all(f.suffix == ".csv" for f in files)
    code, out, err = cli(
        "track",
        "follow",
        sim,
        drop,
        "--stage",
        "1",
        "--poll",
        "0.05",
        "--idle",
        "0.3",
        "--close",
        "--format",
        "json",
    )
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events and {e["action"] for e in events} <= {"proposed", "revised", "withdrawn"}
    assert any(e["action"] == "proposed" for e in events)
    pictures = sorted((sim / "evidence" / "stage-1").glob("*.png"))
    assert pictures  # drawn live, where track scan draws them
    code, out, _ = cli("track", "scan", sim, "--stage", "1")
    assert code == 0 and "0 journal record(s) appended" in out  # same findings, same evidence
    code, out, _ = cli("penalties", "list", sim, "--format", "json")
    assert all(
        p["picture"] and (sim / p["picture"]).is_file()
        for p in json.loads(out)
        if p["code"] != "share"
    )
    listed = {(p["bib"], p["code"]) for p in json.loads(out)}
    assert {
        (e["bib"], e["code"]) for e in events if e["action"] != "withdrawn"
    } >= listed and listed


def test_follow_a_growing_file_and_refuse_a_bad_one_with_its_line(cli, sim, tmp_path):
    lines = (sim / "tracks" / "stage-1.csv").read_text().splitlines(keepends=True)
    growing = tmp_path / "feed.csv"
    growing.write_text(
        "".join(lines[:1000]) + lines[1000][:10]
    )  # the last line still being written
    code, _, err = cli(
        "track", "follow", sim, growing, "--stage", "1", "--poll", "0.05", "--idle", "0.2"
    )
    assert code == 0, err
    code, out, _ = cli(
        "track", "positions", sim, "--stage", "1", "--format", "csv", "--at", "2100-01-01T00:00:00Z"
    )
    assert code == 0 and len(out.splitlines()) > 1
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.csv").write_text(
        "bib,time,lat,lon\n1,2026-01-13T04:28:25Z,20.47,44.78\n1,2026-01-13T04:28:26Z,91,44\n"
    )
    code, _, err = cli(
        "track", "follow", sim, drop, "--stage", "1", "--poll", "0.05", "--idle", "0.2"
    )
    assert code == 2 and f"{drop / 'a.csv'}:3: field 'lat'" in err.replace("\n", "")


def test_a_growing_file_error_names_the_files_own_line(tmp_path):
    from raidcontrol.core.errors import InputError
    from raidcontrol.io.fix_batch import parse_fixes
    from raidcontrol.io.fix_source import GrowingFile

    feed = tmp_path / "feed.csv"
    feed.write_text("bib,time,lat,lon\n1,2026-01-13T04:28:25Z,20.47,44.78\n")
    src = GrowingFile(feed)
    assert len(src.poll()) == 1 and src.poll() == []
    with feed.open("a") as f:
        f.write("1,2026-01-13T04:28:26Z,20.47,44.78\n1,2026-01-13T04:28:27Z,20.47,444\n")
    chunk = src.poll()[0]
    with pytest.raises(InputError) as err:
        parse_fixes(chunk.data, chunk.content_type, chunk.name)
    located = chunk.locate(err.value)
    assert (located.file, located.line, located.field) == (str(feed), 4, "lon")


def test_positions_hide_everything_behind_the_public_delay(cli, sim, tmp_path):
    shutil.copy(sim / "tracks" / "stage-1.csv", tmp_path / "all.csv")
    assert (
        cli(
            "track",
            "follow",
            sim,
            tmp_path / "all.csv",
            "--stage",
            "1",
            "--poll",
            "0.05",
            "--idle",
            "0.2",
        )[0]
        == 0
    )
    code, out, _ = cli(
        "track",
        "positions",
        sim,
        "--stage",
        "1",
        "--format",
        "json",
        "--at",
        "2026-01-13T04:00:00Z",
    )
    assert code == 0 and json.loads(out) == []  # before anyone's first fix
    code, out, _ = cli(
        "track",
        "positions",
        sim,
        "--stage",
        "1",
        "--format",
        "json",
        "--at",
        "2100-01-01T00:00:00Z",
        "--delay",
        "0:00:00",
    )
    rows = json.loads(out)
    assert len(rows) == 10 and rows[0]["rank"] == 1
    png = tmp_path / "map.png"
    code, _, _ = cli(
        "track", "positions", sim, "--stage", "1", "--at", "2100-01-01T00:00:00Z", "--map", png
    )
    assert (
        code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    )
    code, _, err = cli("track", "positions", sim, "--stage", "1", "--delay", "soon")
    assert code == 2 and "--delay" in err


def test_replay_posts_each_batch_to_the_service_with_the_token(sim, monkeypatch):
    import httpx

    from raidcontrol.cli.track_follow import _post_to

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(
            (
                request.url.path,
                request.url.params["stage"],
                request.headers["authorization"],
                request.headers["content-type"],
                request.content,
            )
        )
        return httpx.Response(200 if len(seen) == 1 else 422, json={})

    monkeypatch.setenv("RAIDCONTROL_TOKEN", "tok")
    send = _post_to("http://service/", 1, httpx.MockTransport(handler))
    send(0, "bib,time,lat,lon,speed\n1,1,20.0,44.0,\n")
    assert seen == [
        (
            "/api/v1/tracking/fixes",
            "1",
            "Bearer tok",
            "text/csv",
            b"bib,time,lat,lon,speed\n1,1,20.0,44.0,\n",
        )
    ]
    with pytest.raises(Exception, match="refused batch 1: 422"):
        send(1, "bib,time,lat,lon\n")


def test_replay_needs_exactly_one_destination(cli, sim, tmp_path):
    code, _, err = cli("track", "replay", sim, "--stage", "1")
    assert code == 2 and "exactly one" in err


def test_follow_prints_csv_rows_under_one_header_with_the_json_lines_fields(capsys):
    from raidcontrol.cli.common import OutputFormat
    from raidcontrol.cli.track_follow import _print_records
    from raidcontrol.core.journal import Record

    proposed = Record(
        "penalty-proposed",
        "1/204/speeding-z1",
        {"amount_ms": 90_000, "reason": "=speeding"},
        id=7,
    )
    withdrawn = Record("penalty-proposed", "1/205/missed-wp2", None, id=9, supersedes=8)
    _print_records([proposed], OutputFormat.csv, header=True)
    _print_records([withdrawn], OutputFormat.csv)
    _print_records([], OutputFormat.csv)  # nothing new: nothing printed, no second header
    assert capsys.readouterr().out.splitlines() == [
        "id,key,bib,code,action,supersedes,amount,reason,amount_ms",
        "7,1/204/speeding-z1,204,speeding-z1,proposed,,0:01:30,'=speeding,90000",
        "9,1/205/missed-wp2,205,missed-wp2,withdrawn,8,,,",
    ]
    _print_records([proposed, withdrawn], OutputFormat.json)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["id"], e["action"], e.get("amount_ms")) for e in lines] == [
        (7, "proposed", 90_000),
        (9, "withdrawn", None),
    ]
