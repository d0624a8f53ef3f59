"""``raidcontrol archive`` end to end on a copy of the example season: simulate, check on the default
local cluster, a what-if with its effect, a corrupt partition, bad input."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from raidcontrol.archive.layout import default_archive_dir, open_archive
from raidcontrol.archive.output import read_findings
from tests.conftest import REPO

FIXES = "3000"


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def example_season(tmp_path_factory) -> Path:
    """A copy of examples/season whose archive holds simulated tracks for the two rounds run."""
    from typer.testing import CliRunner

    from raidcontrol.cli.main import app

    root = tmp_path_factory.mktemp("example") / "season"
    shutil.copytree(REPO / "examples" / "season", root)
    res = CliRunner().invoke(
        app, ["archive", "simulate", str(root / "season.toml"), "--fixes", FIXES]
    )
    assert res.exit_code == 0, res.output
    return root / "season.toml"


def test_check_runs_on_the_local_cluster_by_default(example_season, cli, tmp_path):
    code, out, err = cli(
        "archive", "check", example_season, "--out", tmp_path / "findings", "--workers", "2"
    )
    assert code == 0, err
    job = json.loads((tmp_path / "findings" / "job.json").read_text())
    assert job["scheduler"] == "processes" and job["workers"] == 2 and job["failed"] == 0
    archive = open_archive(default_archive_dir(example_season))
    assert job["partitions"] == len(archive.partitions()) and job["fixes"] > 0
    findings = read_findings(tmp_path / "findings" / "findings")
    assert findings.num_rows == job["findings"] > 0
    summary = _rows(tmp_path / "findings" / "summary.csv")
    assert {r["round_name"] for r in summary} == {"Dakar", "Portugal"}
    assert sum(int(r["penalty_ms"]) for r in summary) == sum(findings["penalty_ms"].to_pylist())
    assert "Findings per round and category" in out
    assert "dashboard" in err


def test_a_what_if_lists_the_changes_and_their_effect_on_the_classification(
    example_season, cli, tmp_path
):
    out_dir = tmp_path / "what-if"
    code, _, err = cli(
        "archive",
        "check",
        example_season,
        "--out",
        out_dir,
        "--scheduler",
        "threads",
        "--workers",
        "2",
        "--override",
        "tracking.speeding.tolerance_kmh=40",
    )
    assert code == 0, err
    before, after = read_findings(out_dir / "findings"), read_findings(out_dir / "findings-what-if")
    speeding = [r for r in before.to_pylist() if r["kind"] == "speeding"]
    assert speeding, "the simulated season has speeding to forgive"
    diff = _rows(out_dir / "diff.csv")
    assert {(r["round"], r["stage"], r["bib"], r["code"]) for r in diff} == {
        (str(r["round"]), str(r["stage"]), str(r["bib"]), r["code"]) for r in speeding
    }
    assert after.num_rows == before.num_rows - len(speeding)
    # every crew relieved of a penalty ends its round's general classification that much faster
    # (stage 0, the example's prologue, does not count for the general classification)
    deltas: dict[tuple[str, str], int] = {}
    for r in _rows(out_dir / "crews.csv"):
        if r["stage"] != "0":
            deltas[(r["round"], r["bib"])] = deltas.get((r["round"], r["bib"]), 0) + int(
                r["delta_ms"]
            )
    lines = {(r["round"], r["bib"]): r for r in _rows(out_dir / "classification.csv")}
    assert deltas and set(deltas) <= set(lines)
    for key, delta in deltas.items():
        assert int(lines[key]["time_after_ms"]) - int(lines[key]["time_before_ms"]) == delta
    assert any(r["position_before"] != r["position_after"] for r in lines.values())
    standings = _rows(out_dir / "standings.csv")
    assert {r["title"] for r in standings} >= {"drivers"}
    assert all(
        (r["position_before"], r["points_before"]) != (r["position_after"], r["points_after"])
        for r in standings
    )
    assert "standings after round 2" in (out_dir / "notes.txt").read_text()
    # the same folder checked again without the override keeps no stale comparison
    code, _, err = cli(
        "archive",
        "check",
        example_season,
        "--out",
        out_dir,
        "--scheduler",
        "threads",
        "--workers",
        "1",
    )
    assert code == 0, err
    assert not (out_dir / "diff.csv").exists() and not (out_dir / "findings-what-if").exists()
    assert read_findings(out_dir / "findings").equals(before)


def test_a_corrupt_partition_names_itself_and_the_rest_completes(example_season, cli, tmp_path):
    season = tmp_path / "season"
    shutil.copytree(example_season.parent, season)
    archive = open_archive(default_archive_dir(season / "season.toml"))
    victim = archive.partitions()[0].path / "part-0.parquet"
    victim.write_bytes(b"not parquet at all")
    code, _, err = cli(
        "archive",
        "check",
        season / "season.toml",
        "--out",
        tmp_path / "out",
        "--scheduler",
        "threads",
        "--workers",
        "1",
    )
    assert code == 1
    assert str(victim) in err
    failures = _rows(tmp_path / "out" / "failures.csv")
    assert [f["partition"] for f in failures] == [archive.partitions()[0].label]
    assert str(victim) in failures[0]["error"]
    assert read_findings(tmp_path / "out" / "findings").num_rows > 0


@pytest.mark.parametrize(
    "override, words",
    [
        ("tracking.nope=1", "has no value"),
        ("sporting.forfeit=1", "only tracking rules"),
        ("tracking.speeding.tolerance_kmh", "KEY=VALUE"),
        ("tracking.speeding.tolerance_kmh=fast", "not a number"),
    ],
)
def test_a_bad_override_is_bad_input_and_nothing_is_written(
    example_season, cli, tmp_path, override, words
):
    code, _, err = cli(
        "archive", "check", example_season, "--out", tmp_path / "out", "--override", override
    )
    assert code == 2 and words in err and "--override" in err
    assert not (tmp_path / "out").exists()


def test_a_bad_roadbook_or_bad_tracks_are_bad_input_and_the_archive_is_untouched(
    example_season, tmp_path, cli
):
    season = tmp_path / "season"
    shutil.copytree(REPO / "examples" / "season", season)
    tracks = tmp_path / "tracks.csv"
    tracks.write_text(
        "bib,time,lat,lon\n201,2026-01-05T08:00:00Z,24.1,45.2\n201,,24.2,45.3\n", encoding="utf-8"
    )
    bad_roadbook = tmp_path / "rb.gpx"
    bad_roadbook.write_text("<gpx>not a roadbook", encoding="utf-8")
    code, _, err = cli(
        "archive", "add", season / "season.toml", "Dakar", 1, tracks, "--roadbook", bad_roadbook
    )
    assert code == 2 and str(bad_roadbook) in err
    good_roadbook = open_archive(default_archive_dir(example_season)).roadbook_path(1, 1)
    code, _, err = cli(
        "archive", "add", season / "season.toml", "Dakar", 1, tracks, "--roadbook", good_roadbook
    )
    assert code == 2 and f"{tracks}:3:" in err and "time" in err
    assert not default_archive_dir(season / "season.toml").exists()
    code, _, err = cli(
        "archive",
        "add",
        season / "season.toml",
        "Rallye du Nord",
        1,
        tracks,
        "--roadbook",
        good_roadbook,
    )
    assert code == 2 and "no round" in err


def test_check_without_an_archive_says_how_to_make_one(tmp_path, cli):
    season = tmp_path / "season"
    shutil.copytree(REPO / "examples" / "season", season)
    code, _, err = cli("archive", "check", season / "season.toml", "--out", tmp_path / "out")
    assert code == 2 and "archive simulate" in err


def test_the_command_starts_without_dask():
    import subprocess
    import sys

    code = "import sys, raidcontrol.cli.main; print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_a_running_dask_cluster_is_used_by_its_address(example_season, cli, tmp_path):
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        dashboard_address=":0",
    ) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        code, _, err = cli(
            "archive",
            "check",
            example_season,
            "--out",
            tmp_path / "out",
            "--scheduler",
            address,
            "--rounds",
            "Portugal",
        )
    assert code == 0, err
    job = json.loads((tmp_path / "out" / "job.json").read_text())
    assert job["scheduler"] == address and job["workers"] == 1
    assert set(read_findings(tmp_path / "out" / "findings")["round"].to_pylist()) == {2}


def test_an_unknown_scheduler_is_bad_input(example_season, cli, tmp_path):
    code, _, err = cli(
        "archive", "check", example_season, "--out", tmp_path / "out", "--scheduler", "mpi"
    )
    assert code == 2 and "--scheduler" in err


def test_the_summary_as_json_on_stdout(example_season, cli, tmp_path):
    from raidcontrol.archive.summary import SUMMARY_HEADER

    code, out, err = cli(
        "archive",
        "check",
        example_season,
        "--out",
        tmp_path / "out",
        "--scheduler",
        "threads",
        "--workers",
        "1",
        "--format",
        "json",
    )
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(list(r) == list(SUMMARY_HEADER) for r in rows)
    assert rows == [
        dict(zip(SUMMARY_HEADER, (int(v) if v.lstrip("-").isdigit() else v for v in r.values())))
        for r in _rows(tmp_path / "out" / "summary.csv")
    ]


def test_a_what_if_on_one_round_keeps_the_other_rounds_in_the_standings(
    example_season, cli, tmp_path
):
    out_dir = tmp_path / "portugal"
    code, _, err = cli(
        "archive",
        "check",
        example_season,
        "--out",
        out_dir,
        "--scheduler",
        "threads",
        "--workers",
        "1",
        "--rounds",
        "Portugal",
        "--override",
        "tracking.speeding.tolerance_kmh=40",
    )
    assert code == 0, err
    assert {r["round"] for r in _rows(out_dir / "classification.csv")} == {"2"}
    code, out, err = cli("standings", example_season, "--format", "csv")  # the season as recorded
    assert code == 0, err
    recorded = {r["name"]: r for r in csv.DictReader(out.splitlines())}
    drivers = [
        r
        for r in _rows(out_dir / "standings.csv")
        if r["title"] == "drivers" and r["category"] == "Ultimate"
    ]
    assert drivers
    for row in drivers:
        # Dakar counts on both sides as recorded: its points are in both totals
        dakar = float(recorded[row["name"]]["Dakar"] or 0)
        assert float(row["points_before"]) >= dakar and float(row["points_after"]) >= dakar
    assert max(float(recorded[r["name"]]["Dakar"] or 0) for r in drivers) > 0


def test_list_shows_what_the_archive_holds(example_season, cli):
    code, out, err = cli("archive", "list", example_season, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert [(r["round"], r["stage"]) for r in rows] == [
        ("1", "0"),
        ("1", "1"),
        ("1", "2"),
        ("1", "3"),
        ("2", "1"),
        ("2", "2"),
    ]
    archive = open_archive(default_archive_dir(example_season))
    assert sum(int(r["partitions"]) for r in rows) == len(archive.partitions())
    assert all(int(r["fixes"]) > 0 and r["roadbook"] == "yes" for r in rows)
    assert rows[0]["bibs"] == "200-399"  # Dakar's entries: bibs 2xx and 3xx
