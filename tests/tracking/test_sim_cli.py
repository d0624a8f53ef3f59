"""``raidcontrol simulate``: the files it writes, its summary, its errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from raidcontrol.cli.common import run_guarded
from raidcontrol.cli.main import app
from raidcontrol.io.openrally import read_roadbook
from raidcontrol.io.tracks import read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.tracking.rules import TrackingRules

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def simulate(out, *extra):
    return CliRunner().invoke(
        app,
        [
            "simulate",
            str(out),
            "--vehicles",
            "6",
            "--fixes",
            "3000",
            "--waypoints",
            "7",
            "--zones",
            "2",
            *extra,
        ],
    )


@pytest.mark.parametrize("fmt", ["parquet", "csv", "gpx"])
def test_simulate_writes_roadbook_tracks_truth_and_picture(tmp_path, fmt):
    res = simulate(tmp_path, "--format", fmt, "--stage", "4", "--seed", "9")
    assert res.exit_code == 0, res.output
    rules = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
    roadbook = read_roadbook(tmp_path / "roadbooks" / "stage-4.gpx", rules)
    assert len(roadbook.waypoints) == 7 and len(roadbook.zones) == 2
    fleet = read_fleet(tmp_path / "tracks" / f"stage-4.{fmt}")
    truth = json.loads((tmp_path / "truth" / "stage-4.json").read_text())
    assert (
        sorted(int(b) for b in truth["crews"]) == sorted(fleet.bibs.tolist()) == list(range(1, 7))
    )
    assert len(fleet) == 6 * 3000 + sum(c["duplicates"] for c in truth["crews"].values())
    assert (tmp_path / "simulation" / "stage-4.png").read_bytes()[:8] == PNG_MAGIC
    assert "Simulated stage 4" in res.output and "speeding infringements" in res.output


def test_the_same_seed_writes_the_same_truth(tmp_path):
    for folder in ("a", "b"):
        assert simulate(tmp_path / folder, "--seed", "3", "--no-picture").exit_code == 0
    assert (tmp_path / "a" / "truth" / "stage-1.json").read_text() == (
        tmp_path / "b" / "truth" / "stage-1.json"
    ).read_text()
    assert not (tmp_path / "a" / "simulation").exists()


def test_too_many_items_for_the_special_is_exit_2_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        "sys.argv",
        [
            "raidcontrol",
            "simulate",
            str(tmp_path / "out"),
            "--fixes",
            "600",
            "--waypoints",
            "40",
            "--zones",
            "10",
        ],
    )
    assert run_guarded(app) == 2
    assert "too short" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_unknown_rulebook_is_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(
        "sys.argv", ["raidcontrol", "simulate", str(tmp_path / "out"), "--rulebook", "nope"]
    )
    assert run_guarded(app) == 2
    assert "unknown rulebook" in capsys.readouterr().err


def test_help_documents_every_option():
    res = CliRunner().invoke(app, ["simulate", "--help"])
    assert res.exit_code == 0
    for option in (
        "--vehicles",
        "--fixes",
        "--waypoints",
        "--zones",
        "--seed",
        "--format",
        "--stage",
        "--rulebook",
    ):
        assert option in res.output


def test_event_mode_writes_an_event_folder_the_core_reads(tmp_path, monkeypatch, capsys):
    from raidcontrol.io.event_folder import read_event_folder

    res = CliRunner().invoke(
        app,
        [
            "simulate",
            str(tmp_path),
            "--event",
            "--vehicles",
            "8",
            "--fixes",
            "4000",
            "--waypoints",
            "7",
            "--zones",
            "2",
            "--seed",
            "5",
            "--no-picture",
        ],
    )
    assert res.exit_code == 0, res.output
    rulebook, records = read_event_folder(tmp_path)
    assert rulebook.id == "fia-2026"
    entries = [r for r in records if r.kind == "entry"]
    times = {r.payload["bib"]: r.payload for r in records if r.kind == "time"}
    assert len(entries) == 8 and {e.payload["category"] for e in entries} <= {"Ultimate", "Trucks"}
    truth = json.loads((tmp_path / "truth" / "stage-1.json").read_text())["crews"]
    for bib, crew in truth.items():
        assert crew["category"] in ("car", "truck")
        assert times[int(bib)]["status"] == ("finished" if crew["finished"] else "dnf")
    monkeypatch.setattr("sys.argv", ["raidcontrol", "simulate", str(tmp_path), "--event"])
    assert run_guarded(app) == 2
    assert "already holds an event.toml" in capsys.readouterr().err
