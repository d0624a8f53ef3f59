"""Exactly once under concurrency (issue 11 §1): CLI processes writing one event at once.

Each round starts N forked processes on a barrier, each running the real CLI entry point
(``classify`` ∥ ``classify`` on a new folder, ``track scan`` ∥ ``track scan``, ``penalties
confirm`` ∥ ``penalties dismiss`` ∥ ``classify``), on SQLite and on PostgreSQL.  Every
process must exit 0 with no "database is locked" on stderr; the journal must hold each
record once (no two rows with the same identity, nothing doubled against a serial run), and
every decision taken must be in it.

Rounds: ``RAIDCONTROL_CONCURRENCY_ROUNDS`` (default 3; the acceptance run uses 50).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import shutil
import sys
import traceback
import uuid
from collections import Counter
from pathlib import Path

import pytest

from raidcontrol.store import JournalStore, default_url

PG_URL = os.environ.get("RAIDCONTROL_TEST_PG_URL")
ROUNDS = int(os.environ.get("RAIDCONTROL_CONCURRENCY_ROUNDS", "3"))
DATABASES = ["sqlite"] + (["postgresql"] if PG_URL else [])
CTX = multiprocessing.get_context("fork")


def _run(barrier, argv: list[str], db: str | None, out_path: str) -> None:
    """A child process: wait for the others, run the CLI once, write "code\\nstderr" to out_path."""
    from raidcontrol.cli.common import run_guarded
    from raidcontrol.cli.main import app

    if db:
        os.environ["RAIDCONTROL_DB"] = db
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()
    sys.argv = ["raidcontrol", *argv]
    barrier.wait()
    try:
        code = run_guarded(app)
    except BaseException:
        code, _ = 99, sys.stderr.write(traceback.format_exc())
    Path(out_path).write_text(f"{code}\n{sys.stderr.getvalue()}")
    os._exit(0)


def _at_once(tmp: Path, commands: list[list[str]], db: str | None) -> list[tuple[int, str]]:
    barrier = CTX.Barrier(len(commands))
    outs = [tmp / f"out-{uuid.uuid4().hex}" for _ in commands]
    procs = [
        CTX.Process(target=_run, args=(barrier, argv, db, str(out)))
        for argv, out in zip(commands, outs)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0, f"process died: {p.exitcode}"
    results = []
    for out in outs:
        code, _, err = out.read_text().partition("\n")
        results.append((int(code), err))
    return results


def _assert_clean(results: list[tuple[int, str]], what: str) -> None:
    for code, err in results:
        assert code == 0 and "locked" not in err.lower(), f"{what}: exit {code}: {err}"


def _store(folder: Path, db: str | None) -> JournalStore:
    return JournalStore(db or default_url(folder), event_key=folder.resolve().name)


def _no_duplicates(store: JournalStore) -> list:
    records = store.records()
    counts = Counter((r.kind, r.key, r.digest, r.supersedes) for r in records)
    assert max(counts.values(), default=1) == 1, [k for k, n in counts.items() if n > 1][:3]
    return records


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A small simulated event (entries, times, roadbook, tracks) with infringements to propose."""
    from raidcontrol.cli.common import run_guarded
    from raidcontrol.cli.main import app

    folder = tmp_path_factory.mktemp("concurrency") / "template"
    argv = [
        "raidcontrol",
        "simulate",
        str(folder),
        "--event",
        "--vehicles",
        "12",
        "--fixes",
        "1500",
        "--waypoints",
        "4",
        "--zones",
        "1",
        "--no-picture",
    ]
    warm = [
        "raidcontrol",
        "track",
        "scan",
        str(folder.parent / "warm"),
        "--stage",
        "1",
        "--no-pictures",
    ]
    old = sys.argv
    try:
        sys.argv = argv
        assert run_guarded(app) == 0
        shutil.copytree(folder, folder.parent / "warm")
        sys.argv = warm  # load the tracking kernels before the forks: rounds stay short
        assert run_guarded(app) == 0
    finally:
        sys.argv = old
    return folder


def _copy(template: Path, tmp: Path, name: str) -> Path:
    folder = tmp / f"{name}-{uuid.uuid4().hex[:10]}"
    shutil.copytree(template, folder, ignore=shutil.ignore_patterns(".raidcontrol"))
    return folder


@pytest.fixture(params=DATABASES)
def db(request) -> str | None:
    return PG_URL if request.param == "postgresql" else None


def test_classify_in_parallel_on_a_new_folder_records_once(template, tmp_path, db):
    serial = _copy(template, tmp_path, "serial")
    _assert_clean(
        _at_once(tmp_path, [["classify", str(serial), "--general", "--format", "csv"]], db),
        "serial",
    )
    expected = len(_store(serial, db).records())
    assert expected > 0
    for n in range(ROUNDS):
        folder = _copy(template, tmp_path, f"classify{n}")
        results = _at_once(
            tmp_path, [["classify", str(folder), "--general", "--format", "csv"]] * 3, db
        )
        _assert_clean(results, f"round {n}")
        assert len(_no_duplicates(_store(folder, db))) == expected, f"round {n}"


def test_track_scan_in_parallel_proposes_once(template, tmp_path, db):
    for n in range(ROUNDS):
        folder = _copy(template, tmp_path, f"scan{n}")
        results = _at_once(
            tmp_path, [["track", "scan", str(folder), "--stage", "1", "--no-pictures"]] * 2, db
        )
        _assert_clean(results, f"round {n}")
        records = _no_duplicates(_store(folder, db))
        proposals = [r for r in records if r.kind == "penalty-proposed"]
        assert proposals and len({r.key for r in proposals}) == len(proposals), f"round {n}"


def test_decisions_in_parallel_with_classify_are_all_kept(template, tmp_path, db):
    for n in range(ROUNDS):
        folder = _copy(template, tmp_path, f"decide{n}")
        _assert_clean(
            _at_once(
                tmp_path, [["track", "scan", str(folder), "--stage", "1", "--no-pictures"]], db
            ),
            "scan",
        )
        ids = sorted(r.id for r in _store(folder, db).records() if r.kind == "penalty-proposed")
        assert len(ids) >= 2
        commands = [
            ["penalties", "confirm", str(ids[0]), "--event", str(folder), "--by", "steward A"],
            [
                "penalties",
                "dismiss",
                str(ids[1]),
                "--event",
                str(folder),
                "--reason",
                "no evidence",
            ],
            ["penalties", "confirm", str(ids[0]), "--event", str(folder), "--by", "steward A"],
            ["classify", str(folder), "--general", "--format", "csv"],
        ]
        _assert_clean(_at_once(tmp_path, commands, db), f"round {n}")
        records = _no_duplicates(_store(folder, db))
        decisions = [r for r in records if r.kind == "penalty-decision"]
        assert Counter(r.key for r in decisions) == {str(ids[0]): 2, str(ids[1]): 1}, f"round {n}"
        assert not [r for r in records if r.kind in ("entry", "time") and r.supersedes is not None]
