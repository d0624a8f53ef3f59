"""pydantic v2 model of ``season.toml`` (parsing only: what a season means is ``championship/``'s).

:func:`parse_season` reads the file safely (UTF-8, depth, huge numbers), validates its shape and
checks its ``[rules]`` overrides against the season's rulebook, reporting every problem at once
with file, line and field.  ``io/season.py`` then resolves rounds and event folders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from raidcontrol.core.errors import InputError
from raidcontrol.io.fields import STRICT, Count, Identifier, NonEmptyText, Text
from raidcontrol.io.validation import Collector, locate, toml_lines, validate


class RoundModel(BaseModel):
    """``[[round]]``: name (unique), type (checked against the championship's round types), event
    (folder relative to season.toml; omit for a round not yet run), stages (planned point-scoring stages)."""

    model_config = STRICT
    name: NonEmptyText
    type: Text
    event: NonEmptyText | None = None
    stages: Count | None = None


class AliasModel(BaseModel):
    """``[[person]]`` / ``[[manufacturer]]``: one id and name, however the events spell it."""

    model_config = STRICT
    id: Identifier
    name: NonEmptyText
    aliases: list[NonEmptyText] = Field(default_factory=list)


class SeasonModel(BaseModel):
    """``season.toml``: name, rulebook (a known id), rounds, optional alias tables and rule overrides."""

    model_config = STRICT
    name: NonEmptyText
    rulebook: NonEmptyText
    round: list[RoundModel] = Field(min_length=1)
    person: list[AliasModel] = Field(default_factory=list)
    manufacturer: list[AliasModel] = Field(default_factory=list)
    rules: dict[str, Any] = Field(default_factory=dict)


def parse_season(path: Path, file: str) -> tuple[str, dict]:
    """``season.toml``'s text and document, validated (shape and ``[rules]`` overrides); every
    problem (up to 20) raised at once as located :class:`~raidcontrol.core.errors.InputError`."""
    from raidcontrol.io.event_folder import read_toml
    from raidcontrol.rules import load_rulebook
    from raidcontrol.rules.rulebook import nesting_depth, override_problems

    text, doc = read_toml(path, file)
    lines = toml_lines(text)
    errors = Collector()
    with errors.row():
        validate(SeasonModel, doc, file=file, lines=lines)
    rules = doc.get("rules")
    if isinstance(rules, dict) and isinstance(doc.get("rulebook"), str) and not errors:
        try:
            base = load_rulebook(doc["rulebook"])
        except InputError as exc:
            raise exc.at(file=file, line=locate(lines, ("rulebook",)), field="rulebook") from None
        depth = int(base.value("inputs.max_nesting"))
        if nesting_depth(rules, depth) > depth:
            errors.add(
                InputError(
                    f"nested deeper than {depth} tables",
                    file=file,
                    line=locate(lines, ("rules",)),
                    field="rules",
                )
            )
        else:
            for where, message in override_problems(base.tree, rules):
                errors.add(
                    InputError(
                        message,
                        file=file,
                        line=locate(lines, ("rules", *where)),
                        field=".".join(("rules", *where)),
                    )
                )
    errors.raise_if_any()
    return text, doc
