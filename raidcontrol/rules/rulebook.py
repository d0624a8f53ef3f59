"""The :class:`Rulebook`: a merged tree of sourced values (pure, no I/O)."""

from __future__ import annotations

import copy
import math
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
    return (
        isinstance(node, dict)
        and "value" in node
        and "source" in node
        and set(node) <= {"value", "source", "note"}
    )


def deep_merge(
    base: dict[str, Any], override: dict[str, Any], override_source: str | None
) -> dict[str, Any]:
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

    def __init__(self, rulebook_id: str, tree: dict[str, Any]):
        self.id = rulebook_id
        self.tree = tree

    def with_overrides(self, overrides: dict[str, Any], source: str = "event override") -> Rulebook:
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

    def section(self, path: str) -> dict[str, Any]:
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


def nesting_depth(node: Any, limit: int) -> int:
    """Depth of nested tables and lists in ``node``, counted up to ``limit + 1`` (no recursion,
    so a hostile 1,000-deep input cannot exhaust the stack)."""
    deepest, stack = 0, [(node, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _kind(value: Any) -> str:
    """The schema kind of a rulebook value: bool, int, number, duration, text, list, table or other."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        try:
            parse_duration(value)
            return "duration"
        except TimeFormatError:
            return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    return "other"


_KIND_NAMES = {
    "bool": "true or false",
    "int": "a whole number",
    "number": "a number",
    "duration": "a duration text H:MM:SS",
    "text": "a text",
    "list": "a list",
    "table": "a table",
}


def _shown(value: Any) -> str:
    """A value as TOML writes it (``true``, ``"10:00:00"``), shortened."""
    text = str(value).lower() if isinstance(value, bool) else repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _value_problem(base: Any, new: Any) -> str | None:
    """Why ``new`` cannot replace the rulebook value ``base`` (None when it can).

    The base value is the schema: the same kind (``"no"`` is not a boolean, ``"ten hours"`` and
    ``36000`` are not durations), never negative where the rulebook's value is not (penalties,
    maxima and forfeits), finite numbers, lists of the same kind of items.
    """
    want, got = _kind(base), _kind(new)
    if want == "number" and got == "int":
        got = "number"
    if want == "text" and got == "duration":
        got = "text"
    if got != want:
        return f"must be {_KIND_NAMES.get(want, want)} like the rulebook's {_shown(base)}, got {_shown(new)}"
    if want == "number" and not math.isfinite(new):
        return "must be a finite number"
    if want in ("int", "number") and new < 0 <= base:
        return f"must not be negative, got {new!r}"
    if want == "duration" and parse_duration(new) < 0 <= parse_duration(base):
        return f"must not be negative (penalties, maxima and forfeits; a credit is an adjustment), got {new!r}"
    if want == "list" and base:
        for i, item in enumerate(
            new
        ):  # item by item against the rulebook's (rows such as [from, penalty] too)
            problem = _value_problem(base[min(i, len(base) - 1)], item)
            if problem:
                return f"item {i + 1}: {problem}"
    return None


def override_problems(
    base: dict[str, Any], overrides: Any, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], str]]:
    """Every way ``overrides`` does not fit the rulebook tree ``base``, as ``(path, message)``.

    The rulebook is its own schema: a key must exist in it (overrides change rules, they do not
    invent them), a table stays a table, a value keeps its kind and sign (see :func:`_value_problem`).
    A sourced override ``{value = …, source = …}`` is checked on its value.  Call
    :func:`nesting_depth` first on untrusted input.
    """
    if not isinstance(overrides, dict):
        return [(path, "must be a table of rulebook values")]
    problems: list[tuple[tuple[str, ...], str]] = []
    for key, new in overrides.items():
        where = (*path, key)
        if key not in base:
            known = ", ".join(sorted(k for k in base if isinstance(k, str)))
            problems.append((where, f"not in the rulebook (known here: {known})"))
            continue
        old = base[key]
        if isinstance(old, dict) and not is_sourced(old):
            problems += override_problems(old, new, where)
            continue
        if is_sourced(new):
            if not isinstance(new["source"], str) or not new["source"].strip():
                problems.append(((*where, "source"), "a sourced value needs a source text"))
            new = new["value"]
        problem = _value_problem(strip_sources(old), new)
        if problem:
            problems.append((where, problem))
    return problems
