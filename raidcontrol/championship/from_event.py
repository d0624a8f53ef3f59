"""A round's results from its event, as the points engine wants them (pure).

Takes the event (:class:`~raidcontrol.core.model.Event`), its rulebook and the scrutineering
verdicts in force, and runs the event's classifications: the final classification is
``classify_general`` of the category, the stage results are ``classify_stage`` of each
stage that counts for the general classification (and the prologue when the rulebook
awards prologue stage points) whose special is longer than the rulebook's
``min_special_km``; the power stages (``power_stage = true`` in event.toml) are ranked the
same way for the power-stage bonus.

The entry's further columns read here (kept as text in ``Entry.extra``):

* ``w2rc`` — ``true``/``false`` (also yes/no, 1/0): registered for the championship; empty
  or absent means not registered, unless the category registers every entry;
* ``manufacturer`` — the manufacturer the car is nominated for; empty = not nominated;
* ``driver_id``, ``codriver_id`` — stable person ids (optional; else the names are used).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from raidcontrol.championship.model import CategoryResult, Crew, ResultRow, Round
from raidcontrol.championship.people import Identities
from raidcontrol.championship.rules import ChampionshipCategory, ChampionshipRules
from raidcontrol.classification import ClassLine, classify_general, classify_stage
from raidcontrol.core.errors import InputError
from raidcontrol.core.model import Entry, Event, Stage
from raidcontrol.rules import Rulebook

TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})


def registered(entry: Entry, category: ChampionshipCategory) -> bool:
    text = entry.extra.get("w2rc", "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return category.auto_registered
    raise InputError(
        f"bib {entry.bib}: w2rc must be true or false, not {text!r}",
        field="w2rc",
    )


def in_category(entry: Entry, category: ChampionshipCategory) -> bool:
    return entry.category == category.category and (
        category.klass is None or entry.klass == category.klass
    )


def crews_of(
    event: Event,
    category: ChampionshipCategory,
    verdicts: Mapping[int, str],
    rules: ChampionshipRules,
    people: Identities,
) -> dict[int, Crew]:
    """The category's crews; ``verdicts``: bib → scrutineering verdict in force."""
    out = {}
    for bib, e in sorted(event.entries.items()):
        if not in_category(e, category):
            continue
        codriver = (
            people.person(e.codriver, e.extra.get("codriver_id", ""))
            if e.codriver.strip()
            else None
        )
        out[bib] = Crew(
            bib,
            people.person(e.driver, e.extra.get("driver_id", "")),
            codriver,
            people.manufacturer(e.extra.get("manufacturer", "")),
            registered(e, category),
            verdicts.get(bib) not in rules.excluded_verdicts,
        )
    return out


def awards_stage_points(stage: Stage, rules: ChampionshipRules) -> bool:
    """A stage awards stage points when it counts (or is a prologue the rulebook scores) and its
    special is longer than ``min_special_km``."""
    counts = stage.counts_for_general or (stage.number == 0 and rules.prologue_stage_points)
    return counts and stage.special_km > rules.min_special_km


def awards_power_bonus(stage: Stage, rules: ChampionshipRules) -> bool:
    """A stage flagged ``power_stage = true`` awards the power-stage bonus (when the rulebook has one)."""
    return bool(getattr(stage, "power_stage", False)) and bool(rules.power_stage_positions)


def point_stages(event: Event, rules: ChampionshipRules) -> list[int]:
    """Stages with results that award stage points."""
    done = set(event.stages_with_results())
    return [
        n for n, st in sorted(event.stages.items()) if n in done and awards_stage_points(st, rules)
    ]


def power_stages(event: Event, rules: ChampionshipRules) -> list[int]:
    """Stages with results that award the power-stage bonus."""
    done = set(event.stages_with_results())
    return [
        n for n, st in sorted(event.stages.items()) if n in done and awards_power_bonus(st, rules)
    ]


def category_result(
    rnd: Round,
    event: Event,
    rulebook: Rulebook,
    rules: ChampionshipRules,
    category_name: str | None,
    people: Identities,
    verdicts: Mapping[int, str],
    effects: dict[int, Any] | None = None,
) -> CategoryResult:
    """Round ``rnd``'s results in one championship category."""
    category = rules.category(category_name)
    try:
        for entry in (
            event.entries.values()
        ):  # every entry's w2rc value is checked, not only this category's
            registered(entry, category)
        crews = crews_of(event, category, verdicts, rules, people)
    except InputError as exc:
        where = f"{rnd.label}, event folder {rnd.event_dir}" if rnd.event_dir else rnd.label
        raise InputError(
            f"{where}: {exc.message}", file=exc.file, line=exc.line, field=exc.field
        ) from None
    if not crews or not event.stages_with_results():
        return CategoryResult(rnd, crews, ())

    def rows(lines: Iterable[ClassLine]) -> tuple[ResultRow, ...]:
        return tuple(ResultRow(line.bib, line.position, line.status) for line in lines)

    final = rows(
        classify_general(
            event, rulebook, category=category.category, klass=category.klass, effects=effects
        )
    )

    def stage_rows(n: int) -> tuple[ResultRow, ...]:
        return rows(
            classify_stage(
                event,
                rulebook,
                n,
                category=category.category,
                klass=category.klass,
                effects=effects,
            )
        )

    stages = {n: stage_rows(n) for n in point_stages(event, rules)}
    power = {n: stages[n] if n in stages else stage_rows(n) for n in power_stages(event, rules)}
    return CategoryResult(rnd, crews, final, stages, power)
