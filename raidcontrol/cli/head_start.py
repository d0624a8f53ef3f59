"""A head start for ``track check`` on a Parquet fleet: the file starts being read before the
command line is parsed.

Parsing costs the command some 0.15–0.3 s of Python (typer, and the pydantic it builds its
converters with, then the command's own imports) before it runs, while a Parquet fleet is
decoded by pyarrow without the GIL: reading the file meanwhile takes most of that time off the
command (docs/performance.md).  :func:`start` looks at the raw arguments; ``track check`` then
takes the reading with :func:`take` when its tracks argument names the same file.  A wrong
guess (an option this module does not know, another file) only means the reading is not taken:
the command reads as it would have.  An error the head start meets is left for the command,
which meets it again and reports it — so the head start changes when the answer comes, never
what it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from raidcontrol.io.stream_check import StreamCheck

COMMAND = ("track", "check")
# ``track check``'s options that take a value (tests/cli/test_head_start.py checks them against
# the command's own)
VALUE_OPTIONS = frozenset({"--format", "--rulebook", "--pictures", "--evidence"})
TRACKS_POSITION = 1  # the tracks are the second argument (after the roadbook)
KEEP_FLEET = frozenset({"--pictures", "--evidence"})  # options that need the whole fleet

_started: tuple[Path, StreamCheck] | None = None


def parquet_tracks(args: Sequence[str]) -> Path | None:
    """The Parquet tracks file a ``track check`` command line names, or None (another command,
    no such argument, another kind of file, ``--help``, or pictures to draw: the command then
    reads the fleet whole)."""
    if tuple(args[: len(COMMAND)]) != COMMAND:
        return None
    positional: list[str] = []
    rest = iter(args[len(COMMAND) :])
    for arg in rest:
        if arg == "--":
            positional.extend(rest)
        elif arg in ("--help", "-h") or arg.split("=", 1)[0] in KEEP_FLEET:
            return None
        elif arg in VALUE_OPTIONS:
            next(rest, None)
        elif not arg.startswith("-"):  # "--option=value" and flags are skipped
            positional.append(arg)
    if len(positional) <= TRACKS_POSITION:
        return None
    path = Path(positional[TRACKS_POSITION])
    return path if path.suffix.lower() == ".parquet" and path.is_file() else None


def start(args: Sequence[str]) -> None:
    """Start reading the Parquet fleet of a ``track check`` command line (in a thread); nothing
    for another command line."""
    global _started
    path = parquet_tracks(args)
    if path is None:
        return
    if _started is not None:  # a reading started before and not taken
        _started[1].close()
    from raidcontrol.io.stream_check import StreamCheck

    try:
        _started = (path.resolve(), StreamCheck(path))
    except Exception:  # the command opens the file again and reports the error
        _started = None


def take(path: Path) -> StreamCheck | None:
    """The reading started for ``path``, once (None when none was started for that file; a
    reading started for another file is stopped)."""
    global _started
    started, _started = _started, None
    if started is None:
        return None
    if started[0] != path.resolve():
        started[1].close()
        return None
    return started[1]
