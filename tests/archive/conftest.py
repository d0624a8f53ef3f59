"""Shared fixtures of the archive tests: a simulated season (3 rounds × 3 stages × 40 crews) written
with ``raidcontrol simulate`` and added with ``raidcontrol archive add``, and a 2-worker local
cluster of processes (started once for the module that uses it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from raidcontrol.cli.main import app

ROUNDS, STAGES, CREWS = 3, 3, 40
FIXES = 3000
BIBS_PER_PARTITION = 20  # bibs 1…40 in 3 ranges: 27 tasks

SEASON_TOML = """\
name = "Simulated season"
rulebook = "fia-2026"

[[round]]
name = "Alpha"
type = "rally"
stages = 3

[[round]]
name = "Bravo"
type = "rally"
stages = 3

[[round]]
name = "Charlie"
type = "marathon"
stages = 3
"""


def invoke(*args) -> str:
    res = CliRunner().invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, (args, res.output, res.exception)
    return res.output


def stage_files(root: Path, rnd: int, stage: int) -> tuple[Path, Path]:
    """The roadbook and the tracks ``raidcontrol simulate`` wrote for (round, stage)."""
    folder = root / f"round-{rnd}"
    return folder / "roadbooks" / f"stage-{stage}.gpx", folder / "tracks" / f"stage-{stage}.parquet"


@pytest.fixture(scope="session")
def sim_season(tmp_path_factory) -> Path:
    """season.toml of a simulated season whose archive holds every stage (default archive folder)."""
    root = tmp_path_factory.mktemp("season")
    season = root / "season.toml"
    season.write_text(SEASON_TOML, encoding="utf-8")
    for rnd in range(1, ROUNDS + 1):
        for stage in range(1, STAGES + 1):
            invoke(
                "simulate",
                root / f"round-{rnd}",
                "--vehicles",
                CREWS,
                "--fixes",
                FIXES,
                "--waypoints",
                7,
                "--zones",
                2,
                "--stage",
                stage,
                "--seed",
                100 * rnd + stage,
                "--no-picture",
            )
            roadbook, tracks = stage_files(root, rnd, stage)
            invoke(
                "archive",
                "add",
                season,
                rnd,
                stage,
                tracks,
                "--roadbook",
                roadbook,
                "--bibs-per-partition",
                BIBS_PER_PARTITION,
            )
    return season


@pytest.fixture(scope="module")
def process_client():
    """A local cluster of 2 worker processes (one thread each) and its client."""
    from raidcontrol.archive.run import open_client

    client, cluster = open_client("processes", 2, "2GiB")
    yield client
    client.close()
    cluster.close()
