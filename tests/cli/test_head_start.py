"""The head start of ``track check`` on a Parquet fleet: which command lines it reads ahead, that
it knows the command's options, and that it changes nothing of what the command answers."""

from __future__ import annotations

import json

import numpy as np
import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from raidcontrol.cli import head_start
from raidcontrol.cli.main import build_app
from raidcontrol.io.openrally_writer import write_roadbook
from raidcontrol.io.stream_check import StreamCheck
from raidcontrol.simulation.simulator import simulate_stage
from tests.io.test_stream_check import RULES, _write


def _check_command():
    group = get_command(build_app(("track",)))
    track = group.commands["track"]  # type: ignore[attr-defined]
    return track.commands["check"]


def test_it_knows_every_option_of_track_check_that_takes_a_value():
    command = _check_command()
    taking = {
        name
        for param in command.params
        if param.param_type_name == "option" and not getattr(param, "is_flag", False)
        for name in param.opts
    }
    assert taking == head_start.VALUE_OPTIONS
    roadbook, tracks = (p for p in command.params if p.param_type_name == "argument")
    assert [roadbook.name, tracks.name] == ["roadbook", "tracks"]  # the tracks come second


@pytest.fixture()
def files(tmp_path):
    fleet = tmp_path / "fleet.parquet"
    fleet.write_bytes(b"PAR1")
    (tmp_path / "fleet.csv").write_text("bib,time,lat,lon\n")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "found"),
    [
        (["track", "check", "rb.gpx", "{d}/fleet.parquet"], True),
        (["track", "check", "--format", "json", "rb.gpx", "{d}/fleet.parquet"], True),
        (["track", "check", "rb.gpx", "--rulebook", "fia-2026", "{d}/fleet.parquet"], True),
        (["track", "check", "--format=json", "rb.gpx", "{d}/fleet.parquet"], True),
        (["track", "check", "--", "rb.gpx", "{d}/fleet.parquet"], True),
        (["track", "check", "rb.gpx", "{d}/fleet.parquet", "--pictures", "p"], False),  # whole
        (["track", "check", "rb.gpx", "{d}/fleet.parquet", "--evidence=p"], False),
        (["track", "check", "--rulebook", "r", "rb.gpx", "x.gpx", "{d}/fleet.parquet"], False),
        (["track", "check", "rb.gpx", "--format", "{d}/fleet.parquet"], False),
        (["track", "check", "rb.gpx", "{d}/fleet.csv"], False),
        (["track", "check", "rb.gpx", "{d}/missing.parquet"], False),
        (["track", "check", "rb.gpx", "{d}/fleet.parquet", "--help"], False),
        (["track", "scan", "rb.gpx", "{d}/fleet.parquet"], False),
        (["track", "check", "{d}/fleet.parquet"], False),
        ([], False),
    ],
)
def test_the_command_lines_it_reads_ahead(files, args, found):
    line = [a.format(d=files) for a in args]
    assert (head_start.parquet_tracks(line) is not None) is found


def test_a_reading_is_taken_once_and_only_for_its_file(tmp_path):
    stage = simulate_stage(
        seed=5, vehicles=7, fixes_per_vehicle=1500, waypoints=8, zones=2, rules=RULES
    )
    path = tmp_path / "fleet.parquet"
    _write(stage.recorded, path, 200)
    head_start.start(["track", "check", "rb.gpx", str(path)])
    dropped = head_start._started[1]
    assert head_start.take(tmp_path / "other.parquet") is None  # another file: dropped
    assert head_start.take(path) is None
    dropped._reader.join(10)
    assert not dropped._reader.is_alive()  # and stopped
    head_start.start(["track", "check", "rb.gpx", str(path)])
    taken = head_start.take(tmp_path / "." / "fleet.parquet")  # the same file, written otherwise
    assert isinstance(taken, StreamCheck)
    assert head_start.take(path) is None  # once
    taken.check(stage.roadbook, RULES)


def test_an_unreadable_file_is_left_for_the_command(tmp_path):
    path = tmp_path / "fleet.parquet"
    path.write_text("not parquet")
    head_start.start(["track", "check", "rb.gpx", str(path)])  # no error here
    assert head_start.take(path) is None


def test_the_command_answers_the_same_with_a_head_start(stage_files, monkeypatch):
    """``track check`` through the app, with the reading started ahead and without."""
    roadbook, path, _ = stage_files
    args = ["track", "check", str(roadbook), str(path), "--format", "json"]
    app: typer.Typer = build_app(("track",))
    plain = CliRunner().invoke(app, args)
    taken = []
    monkeypatch.setattr(
        head_start, "take", lambda p, take=head_start.take: taken.append(take(p)) or taken[-1]
    )
    head_start.start(args)
    ahead = CliRunner().invoke(app, args)
    assert plain.exit_code == ahead.exit_code == 0, plain.output + ahead.output
    assert json.loads(ahead.stdout) == json.loads(plain.stdout)
    assert len(taken) == 1 and isinstance(taken[0], StreamCheck)  # the reading started ahead


def test_a_fleet_wanted_for_pictures_is_read_whole(stage_files):
    """With pictures to draw, the command wants the fleet: a reading started ahead is stopped,
    the file read whole (once), sorted by time, and the report is the streamed one."""
    from raidcontrol.cli.track import check_tracks, start_reading
    from raidcontrol.io.openrally import read_roadbook

    roadbook_path, path, stage = stage_files
    roadbook = read_roadbook(roadbook_path, RULES)
    started = start_reading(path)
    report, fleet = check_tracks(roadbook, path, RULES, streaming=started, with_fleet=True)
    started._reader.join(10)
    assert not started._reader.is_alive()
    streamed, none = check_tracks(roadbook, path, RULES)
    assert none is None and streamed.to_dict() == report.to_dict()
    assert len(fleet) == len(stage.recorded) and fleet.reordered is not None
    for s, e in zip(fleet.offsets[:-1], fleet.offsets[1:], strict=True):
        assert np.all(np.diff(fleet.t_ms[s:e]) >= 0)  # each crew sorted by time


@pytest.fixture()
def stage_files(tmp_path):
    stage = simulate_stage(
        seed=5, vehicles=7, fixes_per_vehicle=1500, waypoints=8, zones=2, rules=RULES
    )
    roadbook = write_roadbook(stage.roadbook, tmp_path / "stage.gpx")
    path = tmp_path / "fleet.parquet"
    _write(stage.recorded, path, 500)
    return roadbook, path, stage
