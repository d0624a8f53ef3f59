"""The kernels are lazy (importing them loads no numba), the check's entry points compiled ahead
of time (``raidcontrol warmup``) give numba's results without loading numba, release the GIL,
and a module built from other sources is never used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from raidcontrol.tracking import compiled
from raidcontrol.tracking.jit import Kernel

NO_NUMBA = """
import sys
import raidcontrol.tracking.check, raidcontrol.tracking.assemble, raidcontrol.tracking.warm
import raidcontrol.io.tracks, raidcontrol.io.stream_check, raidcontrol.io.gpx_kernel
print(sorted(m for m in sys.modules if m.split(".")[0] in ("numba", "llvmlite")))
"""

CHECK = """
import io, json, sys
from contextlib import redirect_stdout
from raidcontrol.cli.main import app_for
from raidcontrol.cli.common import run_guarded
sys.argv = ["raidcontrol", "track", "check", sys.argv[1], sys.argv[2], "--format", "json"]
out = io.StringIO()
with redirect_stdout(out):
    code = run_guarded(app_for(sys.argv[1:]))
print(json.dumps({"code": code, "numba": "numba" in sys.modules, "report": json.loads(out.getvalue())}))
"""


def _python(code: str, *args: str, **env: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    ).stdout


def test_importing_the_kernels_loads_no_numba():
    assert _python(NO_NUMBA).strip() == "[]"


def test_the_entry_points_are_the_kernels_of_their_modules():
    import importlib

    for module_name, names in compiled.ENTRY_POINTS.items():
        module = importlib.import_module(f"raidcontrol.tracking.{module_name}")
        for name in names:
            kernel = getattr(module, name)
            assert isinstance(kernel, Kernel) or hasattr(kernel, "py_func"), name
            assert f"{module_name}__{name}" == f"{kernel.__module__.rsplit('.', 1)[-1]}__{name}"


def test_a_module_built_from_other_sources_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    stale = tmp_path / "raidcontrol" / f"{compiled.PREFIX}0000000000000000.so"
    stale.parent.mkdir()
    stale.write_bytes(b"not a module")
    assert compiled.module_path() != stale
    assert compiled._import(compiled.module_path()) is None  # not built for these sources
    assert compiled._import(stale) is None  # unloadable: ignored, not an error


def test_the_fingerprint_follows_the_sources(tmp_path, monkeypatch):
    before = compiled.fingerprint()
    copy = tmp_path / "tracking"
    copy.mkdir()
    for source in compiled._HERE.glob("*.py"):
        (copy / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(compiled, "_HERE", copy)
    assert compiled.fingerprint() == before
    (copy / "kernel.py").write_text((copy / "kernel.py").read_text() + "\n# changed\n")
    assert compiled.fingerprint() != before


needs_module = pytest.mark.skipif(
    compiled.module() is None,
    reason="the check's kernels are not compiled ahead of time here: run `raidcontrol warmup`",
)


def _can_build() -> bool:
    """A C compiler and Python's headers: what numba's AOT compiler needs to build the module."""
    import shutil
    import sysconfig
    from pathlib import Path

    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return bool(shutil.which("cc") or shutil.which("gcc")) and headers.is_file()


@pytest.mark.skipif(not _can_build(), reason="no C compiler or no Python headers: the JIT serves")
def test_warmup_built_the_module_for_these_sources():
    """``make setup`` runs ``raidcontrol warmup``, which builds it where it can."""
    assert compiled.module_path().is_file(), "raidcontrol warmup did not build the module"
    found = compiled.module()
    assert found is not None
    for module_name, names in compiled.ENTRY_POINTS.items():
        for name in names:
            assert callable(getattr(found, f"{module_name}__{name}"))


@needs_module
def test_track_check_without_numba_equals_numba(tmp_path):
    from raidcontrol.io.openrally_writer import write_roadbook
    from raidcontrol.io.track_writers import write_fleet
    from raidcontrol.rules import load_rulebook
    from raidcontrol.simulation.simulator import simulate_stage
    from raidcontrol.tracking.rules import TrackingRules

    rules = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
    stage = simulate_stage(
        seed=3, vehicles=6, fixes_per_vehicle=3000, waypoints=8, zones=3, rules=rules
    )
    roadbook, tracks = tmp_path / "stage.gpx", tmp_path / "fleet.parquet"
    write_roadbook(stage.roadbook, roadbook)
    write_fleet(stage.recorded, tracks)
    ahead = json.loads(_python(CHECK, str(roadbook), str(tracks)))
    jit = json.loads(_python(CHECK, str(roadbook), str(tracks), RAIDCONTROL_KERNELS="jit"))
    assert ahead["code"] == jit["code"] == 0
    assert not ahead["numba"] and jit["numba"]
    assert ahead["report"] == jit["report"]
    assert any(c["missed"] or c["speeding"] for c in ahead["report"]["crews"].values())


@needs_module
def test_the_compiled_kernels_release_the_gil():
    """A Python thread runs about as fast while the main thread runs compiled kernels as while it
    sleeps; were the GIL held, it would get only the moments between two calls."""
    count_descents = compiled.function("order__count_descents")
    t = np.arange(20_000_000, dtype=np.int64)
    offsets = np.array([0, t.shape[0]], np.int64)
    count_descents(t, offsets)  # the first call pages the array in
    ticks, running = [0], [True]

    def spin() -> None:
        while running[0]:
            ticks[0] += 1

    def ticks_during(work) -> int:
        before, start = ticks[0], time.perf_counter()
        while time.perf_counter() - start < 0.3:
            work()
        return ticks[0] - before

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        asleep = ticks_during(lambda: time.sleep(0.01))
        kernels = ticks_during(lambda: count_descents(t, offsets))
    finally:
        running[0] = False
        spinner.join()
    assert kernels > 0.35 * asleep, (kernels, asleep)
