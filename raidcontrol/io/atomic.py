"""Atomic file outputs: write to a temporary name in the same folder, then rename.

A reader (or a kill -9) never sees a torn file: either the old file or the whole new one.
``os.replace`` is atomic on POSIX and Windows when both names are on one file system, which is
why the temporary file is created next to the target::

    with atomic_write(out / "times.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)

    with atomic_write(picture, "wb") as fh:     # or give fh.name to a library that wants a path
        figure.savefig(fh, format="png")
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_write(path: str | Path, mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on a clean exit flush, fsync and rename it to ``path``.

    ``mode``: ``"w"`` (text, ``encoding``/``newline`` as for :func:`open`) or ``"wb"`` (bytes).
    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write writes whole files: mode 'w' or 'wb', not {mode!r}")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        text = mode == "w"
        with os.fdopen(fd, mode, encoding=encoding if text else None, newline=newline if text else None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (files get the permissions an ordinary ``open`` would give them)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
