"""Where ``track follow`` reads live fixes: a growing file, or a folder a provider drops files into.

* **a growing file** (``.csv`` with its header line, or ``.jsonl``/``.ndjson``): each poll reads
  the complete lines appended since the last one (a line still being written waits);
* **a folder**: each poll takes the files that appeared since the last one, in name order, that
  are complete — a name starting with ``.`` or ending in ``.tmp``/``.part`` is being written (a
  provider writes under such a name and renames; a file is also taken only once its size held
  still for one poll).  Suffixes: see :data:`raidcontrol.io.fix_batch.SUFFIX_TYPES`.

A :class:`Chunk` carries the bytes, their content type, the name errors should show, and the
file line of the chunk's first data line, so a refused fix is located in the real file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from raidcontrol.core.errors import InputError
from raidcontrol.io.fix_batch import CSV_TYPES, SUFFIX_TYPES, content_type_of

IN_PROGRESS = (".tmp", ".part")
TAIL_SUFFIXES = (".csv", ".jsonl", ".ndjson")


@dataclass
class Chunk:
    """data: the bytes of a batch; content_type; name: the file; first_line: the file line of
    the chunk's first data line (CSV: the header is the chunk's line 1)."""

    data: bytes
    content_type: str
    name: str
    first_line: int = 1

    def locate(self, exc: InputError) -> InputError:
        """The error with its line moved from the chunk to the file."""
        if exc.line is None or self.first_line == 1:
            return InputError(exc.message, file=self.name, line=exc.line, field=exc.field)
        header = 1 if self.content_type == CSV_TYPES[0] else 0
        return InputError(
            exc.message,
            file=self.name,
            line=exc.line - 1 - header + self.first_line,
            field=exc.field,
        )


@dataclass
class GrowingFile:
    """A file that grows: the complete lines appended since the last poll."""

    path: Path
    offset: int = 0
    lines: int = 0
    header: bytes = b""

    def poll(self) -> list[Chunk]:
        if not self.path.is_file():
            return []
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        if end == 0:
            return []
        data = data[:end]
        self.offset += end
        ctype = content_type_of(self.path)
        if ctype == CSV_TYPES[0] and not self.header:
            cut = data.index(b"\n") + 1
            self.header, data = data[:cut], data[cut:]
            self.lines = 1
        first = self.lines + 1
        self.lines += data.count(b"\n")
        if not data.strip():
            return []
        return [Chunk(self.header + data, ctype, str(self.path), first)]


@dataclass
class DropFolder:
    """A folder files are dropped into: each complete new file once."""

    path: Path
    done: set[str] = field(default_factory=set)
    sizes: dict[str, int] = field(default_factory=dict)

    def poll(self) -> list[Chunk]:
        out = []
        for p in sorted(self.path.iterdir()):
            name = p.name
            if (
                name in self.done
                or not p.is_file()
                or name.startswith(".")
                or name.endswith(IN_PROGRESS)
            ):
                continue
            if p.suffix.lower() not in SUFFIX_TYPES:
                continue
            size = p.stat().st_size
            if self.sizes.get(name) != size:  # still growing, or first seen: wait a poll
                self.sizes[name] = size
                continue
            self.done.add(name)
            out.append(Chunk(p.read_bytes(), content_type_of(p), str(p)))
        return out


def open_source(path: Path) -> GrowingFile | DropFolder:
    """A folder → :class:`DropFolder`; a ``.csv``/``.jsonl`` file (present or to come) → :class:`GrowingFile`."""
    if path.is_dir():
        return DropFolder(path)
    if path.suffix.lower() in TAIL_SUFFIXES:
        return GrowingFile(path)
    raise InputError(
        f"SOURCE must be a folder or a growing {'/'.join(TAIL_SUFFIXES)} file",
        file=str(path),
        field="SOURCE",
    )
