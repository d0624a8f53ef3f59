"""Shared test helpers: run the CLI in-process, build small event folders, the real Dakar data."""

from __future__ import annotations

import sys
from pathlib import Path
from textwrap import dedent

import pytest

REPO = Path(__file__).resolve().parents[1]
DAKAR_DATA = REPO / "data" / "dakar2025_api_cache"


@pytest.fixture
def cli(capsys, monkeypatch):
    """``cli(*args) -> (exit_code, stdout, stderr)`` through the real entry point, in-process."""
    from raidcontrol.cli.common import run_guarded
    from raidcontrol.cli.main import app

    def run(*args):
        monkeypatch.setattr(sys, "argv", ["raidcontrol", *map(str, args)])
        monkeypatch.setenv("COLUMNS", "200")
        code = run_guarded(app)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(scope="session")
def dakar_event(tmp_path_factory) -> Path:
    """The real Dakar 2025 data converted into an event folder (once per test session)."""
    from raidcontrol.io.official import convert_official

    out = tmp_path_factory.mktemp("dakar2025") / "event"
    convert_official(DAKAR_DATA, out)
    return out


EVENT_TOML = """\
name = "Test Rally"
rulebook = "{rulebook}"
{stages}
{rules}
"""

STAGE_TOML = """
[[stage]]
number = {number}
name = "Stage {number}"
special_km = 300.0
max_time = "{max_time}"
counts_for_general = {counts}
"""

ENTRIES = """\
bib,category,class,driver,codriver,team,brand,model
200,Ultimate,T1+,Ann Driver,Bob Nav,Team A,TOYOTA,HILUX
201,Ultimate,T1+,Cid Driver,Dee Nav,Team B,DACIA,SANDRIDER
202,Ultimate,T1.1,Eve Driver,Fay Nav,Team C,MINI,JCW
500,Stock,Stock,Gus Driver,Hal Nav,Defender,DEFENDER,D7X-R
501,Stock,T2.1,Ivy Driver,Jon Nav,TLC,TOYOTA,LAND CRUISER
"""


def make_event(
    folder: Path,
    *,
    times: str,
    adjustments: str = "",
    entries: str = ENTRIES,
    stages=(1,),
    prologue: bool = False,
    max_time: str = "10:00:00",
    rulebook: str = "fia-2026",
    rules: str = "",
) -> Path:
    """Write a small event folder; ``times``/``adjustments`` are CSV bodies without header."""
    folder.mkdir(parents=True, exist_ok=True)
    numbers = ([0] if prologue else []) + list(stages)
    stage_text = "".join(
        STAGE_TOML.format(number=n, max_time=max_time, counts="false" if n == 0 else "true")
        for n in numbers
    )
    (folder / "event.toml").write_text(
        EVENT_TOML.format(rulebook=rulebook, stages=stage_text, rules=rules)
    )
    (folder / "entries.csv").write_text(entries)
    (folder / "times.csv").write_text(
        "stage,bib,start,finish,status\n" + dedent(times).strip() + "\n"
    )
    (folder / "adjustments.csv").write_text(
        "stage,bib,kind,amount,scope,reason\n"
        + dedent(adjustments).strip()
        + ("\n" if adjustments.strip() else "")
    )
    return folder


def live_stage_args(vehicles: int) -> list[str]:
    """``raidcontrol simulate`` options of the small live stage the live tests replay: an event
    folder, ``vehicles`` crews of 2,500 fixes, 7 waypoints, 2 zones, CSV tracks, no picture."""
    return [
        "--event",
        "--vehicles",
        str(vehicles),
        "--fixes",
        "2500",
        "--waypoints",
        "7",
        "--zones",
        "2",
        "--seed",
        "2",
        "--track-format",
        "csv",
        "--no-picture",
    ]
