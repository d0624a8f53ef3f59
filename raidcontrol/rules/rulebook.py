"""The :class:`Rulebook`: a merged tree of sourced values (pure, no I/O)."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import TimeFormatError, parse_duration


@dataclass(frozen=True)
class SourcedValue:
    """One regulation figure and where it comes from (a citation, or ``assumption: …``)."""

    value: Any
    source: str

    @property
    def is_assumption(self) -> bool:
        return self.source.strip().lower().startswith("assumption")


def is_sourced(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node and "source" in node and set(node) <= {"value", "source", "note"}


def deep_merge(base: dict, override: dict, override_source: str | None) -> dict:
    """``override`` laid over ``base``; a bare value in ``override`` replaces a sourced
    value's ``value`` and takes ``override_source`` as its source (``None``: kept bare,
    as when the files of one rulebook are merged)."""
    out = copy.deepcopy(base)
    for key, new in override.items():
        old = out.get(key)
        if is_sourced(new):
            out[key] = copy.deepcopy(new)
        elif isinstance(new, dict) and isinstance(old, dict) and not is_sourced(old):
            out[key] = deep_merge(old, new, override_source)
        elif override_source is None:
            out[key] = copy.deepcopy(new)
        else:
            out[key] = {"value": copy.deepcopy(new), "source": override_source}
    return out


def strip_sources(node: Any) -> Any:
    """The tree with every sourced value replaced by its bare value."""
    if is_sourced(node):
        return node["value"]
    if isinstance(node, dict):
        return {k: strip_sources(v) for k, v in node.items()}
    return node


class Rulebook:
    """A merged rulebook.  Look values up by dotted path: ``rb.value("forfeit.fixed_penalty")``.

    Parameters
    ----------
    rulebook_id: the rulebook's id (``fia-2026``).
    tree: the merged TOML tree (sourced values as ``{value, source}`` tables).
    """

    def __init__(self, rulebook_id: str, tree: dict):
        self.id = rulebook_id
        self.tree = tree

    def with_overrides(self, overrides: dict, source: str = "event override") -> "Rulebook":
        return Rulebook(self.id, deep_merge(self.tree, overrides, source))

    def _node(self, path: str) -> Any:
        node: Any = self.tree
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node or is_sourced(node):
                raise KeyError(f"rulebook {self.id!r} has no value at {path!r}")
            node = node[part]
        return node

    def has(self, path: str) -> bool:
        try:
            self._node(path)
            return True
        except KeyError:
            return False

    def sourced(self, path: str) -> SourcedValue:
        node = self._node(path)
        if not is_sourced(node):
            raise KeyError(f"{path!r} in rulebook {self.id!r} is a section, not a value")
        return SourcedValue(node["value"], node["source"])

    def value(self, path: str, default: Any = ...) -> Any:
        try:
            node = self._node(path)
        except KeyError:
            if default is ...:
                raise
            return default
        return strip_sources(node)

    def duration_ms(self, path: str) -> int:
        raw = self.value(path)
        try:
            return parse_duration(str(raw))
        except TimeFormatError as exc:
            raise InputError(f"rulebook {self.id!r} value {path!r}: {exc}") from None

    def section(self, path: str) -> dict:
        """A section's values, sources stripped."""
        node = self.value(path)
        if not isinstance(node, dict):
            raise KeyError(f"{path!r} in rulebook {self.id!r} is a value, not a section")
        return node

    def sourced_leaves(self) -> list[tuple[str, SourcedValue]]:
        out: list[tuple[str, SourcedValue]] = []

        def walk(node: Any, prefix: str) -> None:
            if is_sourced(node):
                out.append((prefix, SourcedValue(node["value"], node["source"])))
            elif isinstance(node, dict):
                for k, v in node.items():
                    walk(v, f"{prefix}.{k}" if prefix else k)

        walk(self.tree, "")
        return out

    def bare_numbers(self) -> list[str]:
        """Paths of numbers that are not wrapped as sourced values (a rulebook defect)."""
        bad: list[str] = []

        def walk(node: Any, prefix: str) -> None:
            if is_sourced(node):
                return
            if isinstance(node, dict):
                for k, v in node.items():
                    walk(v, f"{prefix}.{k}" if prefix else k)
            elif isinstance(node, list):
                for i, v in enumerate(node):
                    walk(v, f"{prefix}[{i}]")
            elif isinstance(node, (int, float)) and not isinstance(node, bool):
                bad.append(prefix)

        walk(self.tree, "")
        return bad
