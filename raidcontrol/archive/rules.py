"""The rules an archive is checked under: each round's rules in force, and ``--override`` what-ifs.

A round's rules in force are its event's rulebook with the event's ``[rules]`` overrides when
the round has an event folder, else the season's rulebook with the season's ``[rules]``.
``--override tracking.KEY=VALUE`` lays a value over every round's rules in force; VALUE is read
as a TOML value (``3``, ``0.5``, ``"any"``, ``[[0, "0:00:10"]]``), else taken as text
(``0:00:45``).  Only ``tracking.*`` values that exist in the rulebook can be overridden.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence

from raidcontrol.archive.task import RuleSet
from raidcontrol.core.errors import InputError
from raidcontrol.rules import load_rulebook
from raidcontrol.rules.rulebook import deep_merge

OVERRIDE_FIELD = "--override"
WHAT_IF_SOURCE = "what-if override (archive check --override)"


def rules_in_force(season_file, rnd: int) -> tuple[str, dict, str]:
    """(rulebook id, overrides, where they come from) of round ``rnd`` of a season."""
    folder = season_file.folders.get(rnd)
    if folder is None:
        return (
            season_file.season.rulebook_id,
            dict(season_file.rules),
            f"season {season_file.path.name} [rules]",
        )
    toml = folder / "event.toml"
    try:
        doc = tomllib.loads(toml.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed TOML: {exc}", file=str(toml)) from None
    return (
        str(doc.get("rulebook", season_file.season.rulebook_id)),
        dict(doc.get("rules", {})),
        f"event {folder.name}/event.toml [rules]",
    )


def _value(text: str):
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_overrides(items: Sequence[str], rulebook_id: str) -> dict:
    """``["tracking.speeding.tolerance_kmh=3", …]`` → a nested overrides table, each path checked."""
    base = load_rulebook(rulebook_id)
    out: dict = {}
    for item in items:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not text.strip():
            raise InputError(f"expected tracking.KEY=VALUE, not {item!r}", field=OVERRIDE_FIELD)
        if not path.startswith("tracking."):
            raise InputError(
                f"only tracking rules can be overridden here, not {path!r}", field=OVERRIDE_FIELD
            )
        try:
            base.sourced(path)
        except KeyError:
            raise InputError(
                f"rulebook {rulebook_id!r} has no value {path!r}", field=OVERRIDE_FIELD
            ) from None
        node = out
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = _value(text.strip())
    return out


def rule_sets(in_force: dict[int, dict], what_if: dict) -> dict[int, tuple[RuleSet, ...]]:
    """Per round: the rules in force (round → the archive's ``{"rulebook", "overrides", "source"}``),
    and with ``what_if`` the same with the overrides laid over.

    Every rule set is built once here so that a bad value fails before any task runs."""
    from raidcontrol.tracking.rules import TrackingRules

    out = {}
    for rnd, rec in sorted(in_force.items()):
        rid, overrides, source = (
            rec["rulebook"],
            dict(rec.get("overrides", {})),
            str(rec.get("source", "")),
        )
        sets = [RuleSet(rid, overrides, source)]
        if what_if:
            sets.append(
                RuleSet(rid, deep_merge(overrides, what_if, None), f"{source} + {WHAT_IF_SOURCE}")
            )
        for i, rs in enumerate(sets):
            try:
                TrackingRules.from_rulebook(
                    load_rulebook(rs.rulebook_id, rs.overrides, override_source=rs.source)
                )
            except InputError as exc:
                if i == 0:
                    raise exc.at(file=f"round {rnd}'s rules in force") from None
                raise InputError(exc.message, field=OVERRIDE_FIELD) from None
        out[rnd] = tuple(sets)
    return out
