"""What each contender needs at the rounds not yet counted (pure).

Exact over the points still available, with these assumptions (docs/championship.md):

* the most a competitor can take at a round is the best final place plus every stage's top
  stage points (for a manufacturer: its best ``scoring_cars`` crews in the top places and on
  top of every stage); a competitor may also score nothing (not start);
* a tie on points goes to countback (:func:`raidcontrol.championship.standings.beats`);
* *can still win*: winning every remaining round with every stage while no rival scores
  puts the competitor ahead of (or level with, all countback included) everyone;
* *clinched*: no rival taking everything that is left can pass the leader;
* the simplest condition: the weakest result at one remaining round (earliest round first)
  that makes the competitor champion whatever else happens — the competitor scoring nothing
  elsewhere and each rival taking everything the competitor leaves (for drivers exactly: the
  rival cannot take the competitor's place; for manufacturers a sufficient condition on the
  points, rivals' best taken without the places the competitor's cars hold).  When no single
  round is enough, the condition is the exact margin over each rival that could still pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.championship.model import Round, format_points
from raidcontrol.championship.rules import ChampionshipRules
from raidcontrol.championship.standings import StandingLine, beats

CHAMPION, CAN_WIN, OUT = "champion", "can win", "out"
NEWCOMER = "a newcomer"  # someone who has not scored yet
NAMED_RIVALS = 3  # rivals named in a margin condition before "and N more" (display only)


@dataclass(frozen=True)
class RemainingRound:
    """A round still to count: the stages that will award stage points there, its power stages,
    and where those numbers come from (``event folder``, ``season.toml`` or ``rulebook default``)."""

    round: Round
    stages: int
    power_stages: int = 0
    source: str = "event folder"


@dataclass(frozen=True)
class OutlookLine:
    """One competitor's outlook: points now, the most reachable, status and condition."""

    position: int
    name: str
    points: float
    max_points: float
    status: str
    condition: str


@dataclass(frozen=True)
class Outlook:
    """available: the most points one competitor can still take; lines: the standings' order."""

    remaining: tuple[RemainingRound, ...]
    available: float
    lines: tuple[OutlookLine, ...]
    newcomer_can_win: bool


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def round_maximum(title: str, rules: ChampionshipRules, rem: RemainingRound) -> float:
    """The most one competitor of ``title`` can take at a remaining round."""
    scale = rules.scales[rem.round.type]
    cars = rules.scoring_cars if title == "manufacturers" else 1
    finals = [scale.for_place(p) for p in range(1, cars + 1)]
    return (
        sum(finals)
        + _tops(rules.stage_positions, cars) * rem.stages
        + _tops(rules.power_stage_positions, cars) * rem.power_stages
    )


def _tops(positions: tuple[float, ...], cars: int) -> float:
    """The points of the first ``cars`` places of a stage scale."""
    return sum(positions[:cars])


def _driver_ladder(
    rules: ChampionshipRules, rem: RemainingRound
) -> list[tuple[str, float, int | None, float, int]]:
    """(wording, points the competitor is sure of, its place, the most a rival takes there,
    the rival's place) from the weakest result up to a win."""
    scale = rules.scales[rem.round.type]
    stage_max = (
        _tops(rules.stage_positions, 1) * rem.stages
        + _tops(rules.power_stage_positions, 1) * rem.power_stages
    )
    where = f"at {rem.round.label}"
    ladder: list[tuple[str, float, int | None, float, int]] = [
        (f"starting {where}", scale.not_classified, None, scale.for_place(1) + stage_max, 1),
        (
            f"being classified {where}",
            scale.lower_classified,
            None,
            scale.for_place(1) + stage_max,
            1,
        ),
    ]
    for place in range(len(scale.positions), 1, -1):
        ladder.append(
            (
                f"finishing {ordinal(place)} or better {where}",
                scale.for_place(place),
                place,
                scale.for_place(1) + stage_max,
                1,
            )
        )
    ladder.append(
        (f"winning {rem.round.label}", scale.for_place(1), 1, scale.for_place(2) + stage_max, 2)
    )
    return ladder


def _single_round_condition(
    title: str,
    me: StandingLine,
    rivals: list[StandingLine],
    rules: ChampionshipRules,
    remaining: list[RemainingRound],
) -> str | None:
    maxima = [round_maximum(title, rules, r) for r in remaining]
    for i, rem in enumerate(remaining):
        elsewhere = sum(maxima) - maxima[i]
        others = (1,) * (len(remaining) - 1)
        if title == "manufacturers":
            need = max(o.points + sum(maxima) for o in rivals) - me.points
            if 0 <= need < maxima[i]:
                return f"{me.name} is champion by scoring more than {format_points(need)} points at {rem.round.label}"
            continue
        for wording, mine, my_place, theirs, their_place in _driver_ladder(rules, rem):
            me_then = (me.points + mine, me.places + (my_place,))
            if all(
                beats(me_then, (o.points + theirs + elsewhere, o.places + (their_place,) + others))
                for o in rivals
            ):
                return f"{me.name} is champion by {wording}"
    return None


def _names_and_points(items: list[tuple[str, float]]) -> str:
    texts = [f"{name} by {format_points(points)}" for name, points in items]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " or " + texts[-1]


def _closest(behind: list[tuple[str, float]]) -> str:
    """The closest rivals behind, named, and how many more (a display choice, not a rule)."""
    ordered = sorted(behind, key=lambda item: item[1])
    named = ", ".join(f"{name} by {format_points(gap)}" for name, gap in ordered[:NAMED_RIVALS])
    more = len(ordered) - NAMED_RIVALS
    return f"closest: {named}" + (f" and {more} more" if more > 0 else "")


def _margin_condition(me: StandingLine, rivals: list[StandingLine], available: float) -> str:
    """The exact margins over every rival that could still pass (ties go to countback)."""
    ahead = [(o.name, o.points - me.points) for o in rivals if o.points >= me.points]
    behind = [
        (o.name, me.points - o.points)
        for o in rivals
        if me.points > o.points and o.points + available >= me.points
    ]
    text = me.name + " is champion"
    if ahead:
        text += (
            " by outscoring "
            + " and ".join(f"{n} by more than {format_points(g)}" for n, g in ahead)
            + " points over the remaining rounds"
        )
        if len(behind) > NAMED_RIVALS:
            text += (
                f", while no rival behind outscores them by its gap or more ({_closest(behind)})"
            )
        elif behind:
            text += ", while not outscored by " + _names_and_points(behind) + " points or more"
    elif len(behind) > NAMED_RIVALS:
        text += f" unless a rival outscores them over the remaining rounds by its gap or more ({_closest(behind)})"
    elif behind:
        text += (
            " unless outscored over the remaining rounds by "
            + _names_and_points(behind)
            + " points or more"
        )
    return text + " (a tie on points goes to countback)"


def _status(
    me: StandingLine, everyone: list[StandingLine], available: float, wins: tuple[int, ...]
) -> str:
    """champion (no rival taking everything left can pass), can win (taking everything left while
    no rival scores puts the competitor ahead or level), or out."""
    rivals = [o for o in everyone if o.key != me.key]
    if all(beats((me.points, me.places), (o.points + available, o.places + wins)) for o in rivals):
        return CHAMPION
    best = (me.points + available, me.places + wins)
    if all(not beats((o.points, o.places), best) for o in rivals):
        return CAN_WIN
    return OUT


def outlook(
    title: str, lines: list[StandingLine], rules: ChampionshipRules, remaining: list[RemainingRound]
) -> Outlook:
    """Who can still win, who has clinched and the simplest winning condition of each contender."""
    available = sum(round_maximum(title, rules, r) for r in remaining)
    wins = (1,) * len(remaining)
    newcomer = StandingLine(0, "", NEWCOMER, 0, ())
    everyone = [*lines, newcomer]
    status = {me.key: _status(me, everyone, available, wins) for me in everyone}
    out = []
    for me in lines:
        # a rival whose own status is "out" is no threat: it is not named in a condition
        rivals = [o for o in everyone if o.key != me.key and status[o.key] != OUT]
        condition = ""
        if status[me.key] == CHAMPION:
            condition = f"{me.name} is champion"
        elif status[me.key] == CAN_WIN:
            condition = _single_round_condition(
                title, me, rivals, rules, remaining
            ) or _margin_condition(me, rivals, available)
        out.append(
            OutlookLine(
                me.position, me.name, me.points, me.points + available, status[me.key], condition
            )
        )
    leader_points = lines[0].points if lines else 0
    return Outlook(
        tuple(remaining), available, tuple(out), bool(remaining) and available >= leader_points
    )
