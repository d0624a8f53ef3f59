"""The fuzzing harness: run a reader or the real CLI on a mutated input and check the property.

The property (issue 11 §4), for every input:

* the reader returns, or raises :class:`~raidcontrol.core.errors.InputError` with a file (and,
  for the CLI, exit 0 or exit 2 with one ``error: FILE[:LINE]: …`` line per problem);
* never another exception, another exit code or a traceback;
* never a journal change when the command refused the input;
* never more than :data:`MAX_SECONDS` seconds or :data:`MAX_MB` MB more peak memory per input;
* what a reader accepts, both databases accept: every record is JSON without NaN, text without
  NUL, whole numbers within 64 bits (PostgreSQL refuses the others; SQLite would take them);
  and no accepted text holds a control character (it would reach a terminal through ``explain``).

Writing a fuzzer (see ``test_fuzz_event_folder.py``)::

    from tests.fuzz.harness import fuzz_settings, check_reader, check_cli, journal_subset

    @fuzz_settings("tracks")                      # example count from RAIDCONTROL_FUZZ_EXAMPLES
    @given(data=my_strategy())
    def test_fuzz_tracks(data):
        with scratch() as folder:                 # a fresh temporary folder per input
            write(folder, data)
            check_reader("tracks", lambda: read_fleet(folder / "t.csv"))      # fast, in-process
            if journal_subset(data):                                          # 1 input in JOURNAL_EVERY
                check_cli("tracks", ["track", "scan", folder, "--stage", "1"], journal=folder)

Figures per reader (inputs, accepted, refused, crashes, hangs, journal changes, slowest input,
largest memory growth) are written to ``bench-out/fuzz/<reader>.json`` when a session ends
(``make fuzz`` prints them with ``tests/fuzz/report.py``).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import io
import json
import math
import os
import re
import resource
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
MAX_SECONDS = float(os.environ.get("RAIDCONTROL_FUZZ_MAX_SECONDS", "10"))
MAX_MB = float(os.environ.get("RAIDCONTROL_FUZZ_MAX_MB", "512"))
JOURNAL_EVERY = int(os.environ.get("RAIDCONTROL_FUZZ_JOURNAL_EVERY", "25"))
REPORT_DIR = REPO / "bench-out" / "fuzz"
REPORT_EVERY = 250
INT64 = 2**63 - 1
CONTROL = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} - {
    "\t"
}  # refused in text (terminal escapes)
ERROR_LINE = re.compile(r"^error: (?!field ')[^:\s][^:]*(:\d+)?: ")  # error: FILE[:LINE]: …

STATS: dict[str, dict[str, Any]] = {}


def fuzz_settings(reader: str, **overrides: Any) -> settings:
    """Hypothesis settings for a fuzzer: the campaign's example count, no deadline (time is checked
    by the property itself, with a generous bound, so a busy machine does not fail a test)."""
    _stats(reader)
    return settings(
        max_examples=overrides.pop("max_examples", EXAMPLES),
        deadline=None,
        derandomize=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
        ],
        **overrides,
    )


def db_urls() -> list[str | None]:
    """The databases the journal property runs against: SQLite (None: the folder's default) and,
    when ``RAIDCONTROL_TEST_PG_URL`` is set, PostgreSQL."""
    pg = os.environ.get("RAIDCONTROL_TEST_PG_URL")
    return [None, pg] if pg else [None]


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh temporary folder for one input (hypothesis runs many inputs per test).  Name event
    folders inside it after it (``root / f"e-{root.name}"``): the folder's name is the event's key in
    a shared PostgreSQL journal, so two campaigns at once never count each other's records."""
    with tempfile.TemporaryDirectory(prefix="rc-fuzz-") as tmp:
        yield Path(tmp)


def journal_subset(index_source: Any) -> bool:
    """Whether this input also runs the full CLI with the journal property (one in JOURNAL_EVERY,
    chosen from the input itself so a shrunk example keeps its choice)."""
    return hash(repr(index_source)) % JOURNAL_EVERY == 0


def _stats(reader: str) -> dict[str, Any]:
    return STATS.setdefault(
        reader,
        {
            "inputs": 0,
            "accepted": 0,
            "refused": 0,
            "crashes": 0,
            "hangs": 0,
            "memory": 0,
            "journal_changes_on_error": 0,
            "db_mismatches": 0,
            "cli_runs": 0,
            "slowest_s": 0.0,
            "max_growth_mb": 0.0,
            "seconds": 0.0,
            "failures": [],
        },
    )


def _failed(reader: str, message: str) -> AssertionError:
    """Record a property failure in the reader's figures (written at once) and return the error to raise."""
    failures = _stats(reader)["failures"]
    if len(failures) < 20:
        failures.append(message[:2000])
    write_report()
    return AssertionError(message)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _measured(reader: str, fn: Callable[[], Any]) -> tuple[Any, BaseException | None, float, float]:
    before, start = _peak_mb(), time.perf_counter()
    try:
        result, error = fn(), None
    except BaseException as exc:
        result, error = None, exc
    seconds, growth = time.perf_counter() - start, _peak_mb() - before
    s = _stats(reader)
    s["seconds"] += seconds
    s["slowest_s"] = max(s["slowest_s"], seconds)
    s["max_growth_mb"] = max(s["max_growth_mb"], growth)
    if seconds > MAX_SECONDS:
        s["hangs"] += 1
        raise _failed(reader, f"{reader}: took {seconds:.1f} s (limit {MAX_SECONDS} s)")
    if growth > MAX_MB:
        s["memory"] += 1
        raise _failed(reader, f"{reader}: peak memory grew by {growth:.0f} MB (limit {MAX_MB} MB)")
    return result, error, seconds, growth


def check_reader(reader: str, fn: Callable[[], Any]) -> Any:
    """Run a reader in-process: it returns, or raises a located InputError; anything else fails.
    Whatever it returns is checked to be storable by both databases (see :func:`storable`)."""
    from raidcontrol.core.errors import InputError

    s = _stats(reader)
    s["inputs"] += 1
    if s["inputs"] % REPORT_EVERY == 0:
        write_report()  # a long campaign's figures so far, should it be stopped
    result, error, _, _ = _measured(reader, fn)
    if error is None:
        s["accepted"] += 1
        problem = storable(result)
        if problem:
            s["db_mismatches"] += 1
            raise _failed(
                reader, f"{reader}: accepted input that PostgreSQL would refuse: {problem}"
            )
        return result
    if isinstance(error, InputError):
        s["refused"] += 1
        assert error.file, f"{reader}: an InputError without a file: {error.located()}"
        return None
    s["crashes"] += 1
    raise _failed(
        reader,
        f"{reader}: crashed with {type(error).__name__}: {error}\n"
        + "".join(traceback.format_exception(error)),
    )


def storable(value: Any, depth: int = 0) -> str | None:
    """Why ``value`` (records, payloads, models) could not be stored the same way in SQLite and
    PostgreSQL (None when it can): NaN/infinity, NUL in text, integers beyond 64 bits."""
    if depth > 200:
        return "nested deeper than 200 levels"
    if hasattr(value, "payload") and hasattr(value, "kind"):
        return storable(value.payload, depth + 1) or storable(value.key, depth + 1)
    if isinstance(value, float) and not math.isfinite(value):
        return f"non-finite number {value!r}"
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) and abs(value) > INT64:
        return "integer beyond 64 bits"
    if isinstance(value, str):
        bad = next((ch for ch in value if ch in CONTROL), None)
        return (
            None
            if bad is None
            else f"control character U+{ord(bad):04X} in accepted text {value[:40]!r}"
        )
    if isinstance(value, dict):
        return next(
            (
                p
                for k, v in value.items()
                for p in (storable(k, depth + 1), storable(v, depth + 1))
                if p
            ),
            None,
        )
    if isinstance(value, (list, tuple, set, frozenset)):
        return next((p for v in value if (p := storable(v, depth + 1))), None)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return storable(
            {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}, depth + 1
        )
    if hasattr(value, "model_dump"):
        return storable(value.model_dump(), depth + 1)
    return None


def run_cli(args: list[Any]) -> tuple[int | str, str, str]:
    """The real CLI in-process (``run_guarded(app)``, as the ``raidcontrol`` script runs it):
    ``(exit code, stdout, stderr)``; an exception escaping it is exit ``"crash"`` with its traceback."""
    from raidcontrol.cli.common import run_guarded
    from raidcontrol.cli.main import app

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["raidcontrol", *map(str, args)]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code: int | str = run_guarded(app)
    except BaseException:
        code = "crash"
        err.write(traceback.format_exc())
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


def journal_count(folder: Path, db_url: str | None) -> int:
    """Records in the event's journal (0 when there is none yet)."""
    from raidcontrol.store import JournalStore, default_url

    key = _event_key(folder)
    store = JournalStore(db_url or default_url(folder), event_key=key)
    try:
        return len(store.records())
    finally:
        with contextlib.suppress(Exception):
            store.close()


def _event_key(folder: Path) -> str:
    import tomllib

    try:
        key = tomllib.loads((folder / "event.toml").read_text(encoding="utf-8")).get("id")
    except Exception:
        key = None
    return key if isinstance(key, str) and key.strip() and len(key) <= 64 else folder.resolve().name


def check_cli(
    reader: str,
    args: list[Any],
    *,
    journal: Path | None = None,
    db_url: str | None = None,
    ok_codes: tuple[int, ...] = (0,),
) -> int:
    """Run the CLI on an input: exit in ``ok_codes`` or exit 2 with located error lines, no
    traceback; with ``journal`` (an event folder), the journal unchanged when the exit is 2."""
    s = _stats(reader)
    s["cli_runs"] += 1
    before = journal_count(journal, db_url) if journal is not None else 0
    full = [*args, "--db", db_url] if db_url else args
    (code, _, err), error, _, _ = _measured(reader, lambda: run_cli(full))
    assert error is None, error
    if code not in (*ok_codes, 2) or "Traceback" in err:
        s["crashes"] += 1
        raise _failed(reader, f"{reader}: exit {code!r} for {args}\n{err}")
    if code == 2:
        # one "error: FILE[:LINE]: …" line per problem (a narrow terminal may wrap a long one: its
        # continuation lines do not start with "error:")
        lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
        if not (lines and all(ERROR_LINE.match(ln) for ln in lines)):
            raise _failed(reader, f"{reader}: unlocated error output for {args}:\n{err}")
        if journal is not None and journal_count(journal, db_url) != before:
            s["journal_changes_on_error"] += 1
            raise _failed(
                reader, f"{reader}: the journal changed although the input was refused\n{err}"
            )
    return code  # type: ignore[return-value]


def write_report() -> None:
    """Each reader's figures as ``bench-out/fuzz/<reader>.json`` (merged with an earlier run's
    figures of the same session id, so xdist-free runs of several test files add up)."""
    if not STATS or not os.environ.get("RAIDCONTROL_FUZZ_REPORT"):
        return
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    for reader, figures in STATS.items():
        if figures["inputs"] or figures["cli_runs"]:
            out = dict(
                figures, examples_setting=EXAMPLES, databases=len(db_urls()), written_at=time.time()
            )
            (REPORT_DIR / f"{reader}.json").write_text(
                json.dumps(out, indent=1) + "\n", encoding="utf-8"
            )


atexit.register(write_report)
