"""Start-up: commands that touch neither tracks nor the database load no heavy library.

Each command runs through the real entry point in a fresh interpreter; the test reads which
modules it loaded (``sys.modules``), not how long it took (timing is the benchmark's job:
benchmarks/bench_startup.py).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

# issue 10's list, plus numpy (under numba and pyarrow) and jinja2 (the HTML report). Not pydantic:
# typer itself loads it to run any subcommand.
HEAVY = ("numba", "llvmlite", "pyarrow", "sqlalchemy", "matplotlib", "numpy", "jinja2")
PROBE = """
import sys, runpy
sys.argv = {argv!r}
try:
    runpy.run_module("raidcontrol.cli.main", run_name="__main__")
except SystemExit as exc:
    code = exc.code
print("LOADED=" + ",".join(sorted(m for m in sys.modules if m.split(".")[0] in {heavy!r})), file=sys.stderr)
"""
CHECK = REPO / "examples" / "stock" / "cases" / "compliant-d7x-r.toml"


def loaded(*args: str) -> tuple[set[str], str]:
    code = PROBE.format(argv=["raidcontrol", *args], heavy=HEAVY)
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    line = [ln for ln in res.stderr.splitlines() if ln.startswith("LOADED=")]
    assert line, res.stderr
    return {m.split(".")[0] for m in line[-1].removeprefix("LOADED=").split(",") if m}, res.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("classify", "--help"),
        ("track", "check", "--help"),
        ("scrutineer", "rules", "--format", "csv"),
        ("scrutineer", "references", "--format", "csv"),
    ],
)
def test_help_and_light_commands_load_no_heavy_library(args):
    mods, out = loaded(*args)
    assert mods == set(), mods
    assert out


def test_scrutineer_check_loads_no_heavy_library():
    mods, out = loaded("scrutineer", "check", str(CHECK), "--format", "json")
    assert mods == set(), mods
    assert '"verdict"' in out


def test_convert_official_touches_no_database_and_loads_no_heavy_library(tmp_path):
    from tests.conftest import DAKAR_DATA

    mods, out = loaded("convert-official", str(DAKAR_DATA), str(tmp_path / "ev"), "--format", "csv")
    assert mods == set(), mods
    assert "entries,201" in out


def test_a_database_command_does_load_the_store(tmp_path):
    """The probe can fail: classify opens the journal, so SQLAlchemy is there."""
    from tests.conftest import make_event

    folder = make_event(tmp_path / "e", times="1,200,10:00:00,14:00:00,finished")
    mods, out = loaded("classify", str(folder), "--stage", "1", "--format", "csv")
    assert "sqlalchemy" in mods and "numba" not in mods
    assert out.startswith("position,bib,")


def test_the_top_level_help_loads_neither_rich_nor_pydantic():
    """``raidcontrol --help`` imports every command module: none may import the libraries of its
    commands' work at module level (rich and pydantic load in the command that prints or reads)."""
    code = PROBE.format(argv=["raidcontrol", "--help"], heavy=("rich", "pydantic"))
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=False
    )
    line = [ln for ln in res.stderr.splitlines() if ln.startswith("LOADED=")]
    assert line == ["LOADED="], res.stderr
    assert "scrutineer" in res.stdout and "standings" in res.stdout


def test_numpy_starts_no_blas_threads_under_the_command():
    """The command does no linear algebra: numpy's OpenBLAS gets one thread, instead of one per
    core that would spin for a while beside the command's work (unless the user asks for more)."""
    code = (
        "import os, raidcontrol.cli.main, numpy; "
        "print(os.environ['OPENBLAS_NUM_THREADS'], len(os.listdir('/proc/self/task')))"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=True
    )
    assert res.stdout.split() == ["1", "1"]  # the setting, and the process's only thread
    env["OPENBLAS_NUM_THREADS"] = "2"
    res = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env, check=True
    )
    assert res.stdout.split()[0] == "2"  # the user's choice stands
