"""Reading rulebooks from the package's ``rulebooks/`` folder (an adapter: file I/O)."""
from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from raidcontrol.core.errors import InputError
from raidcontrol.rules.rulebook import Rulebook, deep_merge

RULEBOOK_DIR = Path(str(resources.files("raidcontrol.rules") / "rulebooks"))


def available_rulebooks() -> list[str]:
    return sorted(p.name for p in RULEBOOK_DIR.iterdir() if p.is_dir() and any(p.glob("*.toml")))


def load_rulebook(rulebook_id: str, overrides: dict | None = None, *, override_source: str = "event override") -> Rulebook:
    """Merge every ``*.toml`` of ``rulebooks/<id>/`` (in name order), then ``overrides``."""
    folder = RULEBOOK_DIR / rulebook_id
    if not rulebook_id or not folder.is_dir():
        raise InputError(f"unknown rulebook {rulebook_id!r} (known: {', '.join(available_rulebooks())})",
                         field="rulebook")
    tree: dict = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            part = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"malformed TOML: {exc}", file=str(path)) from None
        tree = deep_merge(tree, part, None)
    book = Rulebook(rulebook_id, tree)
    return book.with_overrides(overrides, override_source) if overrides else book
