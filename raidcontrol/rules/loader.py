"""Reading rulebooks from the package's ``rulebooks/`` folder (an adapter: file I/O)."""

from __future__ import annotations

import copy
import functools
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.rules.rulebook import Rulebook, deep_merge

RULEBOOK_DIR = Path(str(resources.files("raidcontrol.rules") / "rulebooks"))


def available_rulebooks() -> list[str]:
    return sorted(p.name for p in RULEBOOK_DIR.iterdir() if p.is_dir() and any(p.glob("*.toml")))


def rulebook_folder(rulebook_id: str, base: Path | None = None) -> Path:
    """Where rulebook ``rulebook_id`` lives: a known id (``fia-2026``) in the package, or a relative
    path with a ``/`` (``rules/my-2026``) inside the event folder ``base``.  An absolute path, a
    ``..``, or a path outside ``base`` is refused: an event cannot read another folder's files."""
    known = available_rulebooks()
    if isinstance(rulebook_id, str) and rulebook_id in known:
        return RULEBOOK_DIR / rulebook_id
    text = rulebook_id if isinstance(rulebook_id, str) else ""
    parts = text.replace("\\", "/").split("/")
    if (
        "/" in text.replace("\\", "/")
        and base is not None
        and not Path(text).is_absolute()
        and ".." not in parts
        and not text.startswith(("/", "\\"))
        and ":" not in text
        and text.isprintable()
        and len(text) <= 255
    ):
        try:
            folder = (base / text).resolve()
            if (
                folder.is_relative_to(base.resolve())
                and folder.is_dir()
                and any(folder.glob("*.toml"))
            ):
                return folder
        except (OSError, ValueError):  # a name the file system cannot hold
            pass
    raise InputError(
        f"unknown rulebook {rulebook_id!r} (known: {', '.join(known)}; or a folder of TOML files "
        "given as a relative path inside the event folder, without '..')",
        field="rulebook",
    )


def load_rulebook(
    rulebook_id: str,
    overrides: dict[str, Any] | None = None,
    *,
    override_source: str = "event override",
    base: Path | None = None,
) -> Rulebook:
    """Merge every ``*.toml`` of the rulebook's folder (in name order; see :func:`rulebook_folder`,
    ``base`` is the event folder), then ``overrides``."""
    folder = rulebook_folder(rulebook_id, base)
    files = tuple(
        (p, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.toml"))
    )
    book = Rulebook(rulebook_id, copy.deepcopy(_merged(files)))
    return book.with_overrides(overrides, override_source) if overrides else book


@functools.lru_cache(maxsize=16)
def _merged(files: tuple[tuple[Path, int, int], ...]) -> dict[str, Any]:
    """The merged tree of a rulebook's files, read once per version of the files (keyed on their
    modification times and sizes); callers get a copy."""
    tree: dict[str, Any] = {}
    for path, _, _ in files:
        try:
            part = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError, ValueError) as exc:
            raise InputError(f"malformed TOML: {exc}", file=str(path)) from None
        tree = deep_merge(tree, part, None)
    return tree
