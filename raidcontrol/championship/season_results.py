"""A season's standings and outlook from its opened rounds (pure: events in, tables out).

The rounds counted are those up to round number ``after`` (default: the last round with an
event folder; 0 = before the season) that have an event; the rounds still open for the
outlook are the ones after ``after`` and the ones not yet run, each with the stages of its
own event folder when it has one, else a planned number of stages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from raidcontrol.championship.from_event import (
    awards_power_bonus,
    awards_stage_points,
    category_result,
)
from raidcontrol.championship.model import Round, Season
from raidcontrol.championship.outlook import Outlook, RemainingRound, outlook
from raidcontrol.championship.people import Identities
from raidcontrol.championship.rules import ChampionshipRules
from raidcontrol.championship.standings import StandingLine, standings
from raidcontrol.championship.titles import Competitors, title_entries
from raidcontrol.core.errors import InputError
from raidcontrol.core.model import Event, Stage
from raidcontrol.rules import Rulebook

ITINERARY, SEASON_PLAN, DEFAULT_PLAN = "event folder", "season.toml", "rulebook default"


class RoundEvent(Protocol):
    """What the season needs of an opened round (``raidcontrol.io.season.OpenRound``)."""

    round: Round
    event: Event
    rulebook: Rulebook
    verdicts: dict[int, str]
    effects: dict[int, Any]


@dataclass(frozen=True)
class SeasonTable:
    """The standings of one title and category after a round.

    counted: the rounds whose columns the standings carry (1 … after); lines: the standings;
    provisional: names of the counted rounds whose classification is not final yet (a stage
    that counts is not marked final in its event).
    """

    title: str
    category: str
    after: int
    counted: tuple[Round, ...]
    lines: tuple[StandingLine, ...]
    provisional: tuple[str, ...] = ()


def after_round(season: Season, after: str | int | None, folders: Mapping[int, Any]) -> int:
    """The number of the round given by number or name; default: the last round with an event folder."""
    if after is None or str(after).strip() == "":
        return max((r.number for r in season.rounds if r.number in folders), default=0)
    try:
        return season.round(after).number
    except KeyError:
        raise InputError(
            f"no round {after!r} in the season (rounds: "
            f"{', '.join(f'{r.number} {r.name}' for r in season.rounds)})",
            field="after",
        ) from None


def rounds_to_open(season: Season, after: int, folders: Mapping[int, Any]) -> list[int]:
    """Numbers of the rounds up to ``after`` that have an event folder."""
    return [r.number for r in season.rounds if r.number <= after and r.number in folders]


def after_label(season: Season, after: int) -> str:
    return f"after {season.rounds[after - 1].label}" if after else "before round 1"


def season_table(
    season: Season,
    rules: ChampionshipRules,
    identities: Identities,
    opened: Sequence[RoundEvent],
    title: str,
    category: str | None,
    after: int,
) -> SeasonTable:
    """Standings of ``title`` in ``category`` over the rounds up to ``after``."""
    rules.check_title(title)
    cat = rules.category(category)
    by_number = {o.round.number: o for o in opened}
    counted = tuple(r for r in season.rounds if r.number <= after)
    rounds: list[Competitors] = []
    for rnd in counted:
        o = by_number.get(rnd.number)
        if o is None:
            rounds.append({})
            continue
        result = category_result(
            rnd, o.event, o.rulebook, rules, cat.name, identities, o.verdicts, o.effects
        )
        rounds.append(title_entries(title, result, rules))
    provisional = tuple(
        o.round.name
        for o in opened
        if o.round.number <= after
        and not all(st.final for st in o.event.stages.values() if st.counts_for_general)
    )
    return SeasonTable(title, cat.name, after, counted, tuple(standings(rounds)), provisional)


def remaining_round(
    rnd: Round, rules: ChampionshipRules, itinerary: Sequence[Stage] | None
) -> RemainingRound:
    """A round still to count.  With an event folder, its own stages decide (their km and flags);
    otherwise ``stages`` of season.toml, else the rulebook's planned stages for the round type."""
    if itinerary is not None:
        return RemainingRound(
            rnd,
            sum(awards_stage_points(st, rules) for st in itinerary),
            sum(awards_power_bonus(st, rules) for st in itinerary),
            ITINERARY,
        )
    if rnd.stages is not None:
        return RemainingRound(rnd, rnd.stages, 0, SEASON_PLAN)
    return RemainingRound(rnd, rules.planned_stages[rnd.type], 0, DEFAULT_PLAN)


def remaining_rounds(
    season: Season,
    rules: ChampionshipRules,
    after: int,
    opened: Sequence[RoundEvent],
    itineraries: Mapping[int, Sequence[Stage]] | None = None,
) -> list[RemainingRound]:
    """The rounds still to count: after ``after``, or not yet run.  ``itineraries``: round number →
    the stages of its event folder (rounds that have one)."""
    itineraries = itineraries or {}
    ran = {o.round.number for o in opened if o.event.stages_with_results()}
    return [
        remaining_round(rnd, rules, itineraries.get(rnd.number))
        for rnd in season.rounds
        if rnd.number > after or rnd.number not in ran
    ]


def season_outlook(
    table: SeasonTable,
    season: Season,
    rules: ChampionshipRules,
    opened: Sequence[RoundEvent],
    itineraries: Mapping[int, Sequence[Stage]] | None = None,
) -> Outlook:
    return outlook(
        table.title,
        list(table.lines),
        rules,
        remaining_rounds(season, rules, table.after, opened, itineraries),
    )
