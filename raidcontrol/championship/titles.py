"""From a round's category results to each title's competitors and their round results (pure).

* ``drivers`` and ``codrivers``: a crew's round points go to its driver (co-driver); the
  place used for countback is the crew's final place among the scoring crews.
* ``manufacturers``: :mod:`raidcontrol.championship.manufacturers`; the place used for
  countback is the manufacturer's rank among the manufacturers at that round (points, then
  best crew place).
"""

from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.championship.manufacturers import manufacturer_scores
from raidcontrol.championship.model import TITLES, CategoryResult, Person
from raidcontrol.championship.points import score_round
from raidcontrol.championship.rules import ChampionshipRules
from raidcontrol.core.errors import InputError

INF = float("inf")


@dataclass(frozen=True)
class RoundEntry:
    """A competitor's result at one round: points, and the place that counts in a countback
    (``None`` = no placed result).

    For tracing (``standings --rounds``): final_points, stage_points, bonus_points (power
    stages) add up to points; bibs: the crews the points come from (a manufacturer's counted
    cars first).
    """

    points: float
    place: int | None
    final_points: float = 0
    stage_points: float = 0
    bonus_points: float = 0
    bibs: tuple[int, ...] = ()


Competitors = dict[str, tuple[Person, RoundEntry]]


def title_entries(title: str, result: CategoryResult, rules: ChampionshipRules) -> Competitors:
    """Competitor key → (who, their result at this round) for one title."""
    if title not in TITLES:
        raise InputError(f"unknown title {title!r} (titles: {', '.join(TITLES)})", field="title")
    crew_scores = score_round(result, rules)
    out: Competitors = {}
    if title == "manufacturers":
        scores = manufacturer_scores(result, crew_scores, rules)
        ordered = sorted(
            scores.items(), key=lambda kv: (-kv[1].points, kv[1].best_place or INF, kv[0])
        )
        for rank, (key, maker) in enumerate(ordered, start=1):
            out[key] = (
                maker.manufacturer,
                RoundEntry(
                    maker.points,
                    rank,
                    maker.final_points,
                    maker.stage_points,
                    maker.bonus_points,
                    maker.counted,
                ),
            )
        return out
    for bib, score in crew_scores.items():
        crew = result.crews[bib]
        person = crew.driver if title == "drivers" else crew.codriver
        if person is None:
            continue
        previous = out.get(person.key)
        entry = RoundEntry(
            score.points,
            score.place,
            score.final_points,
            score.stage_points,
            score.bonus_points,
            (bib,),
        )
        if (
            previous is None or previous[1].points < entry.points
        ):  # a person twice in one category: best crew
            out[person.key] = (person, entry)
    return out
