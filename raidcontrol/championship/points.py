"""A round's points for each crew of a championship category (pure).

* Only crews that *score* (registered and eligible) are ranked, among themselves: a
  non-registered crew between two registered ones takes no points place.
* Final points: the round type's scale by scoring place for a classified crew; the
  not-classified points for a crew whose status is in ``not_classified_scoring``
  (a withdrawal); nothing otherwise (a disqualification).
* Stage points: the top scoring crews of each stage that finished it, 5-4-3-2-1 by default;
  kept after a withdrawal when ``stage_points_kept_on_retirement`` (the 2024+ rule), lost
  on a disqualification unless ``disqualified_keep_stage_points``.
"""
from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.championship.model import CategoryResult, ResultRow
from raidcontrol.championship.rules import ChampionshipRules

WITHDRAWN = "withdrawn"
DISQUALIFIED = "disqualified"


@dataclass(frozen=True)
class CrewRoundScore:
    """A crew's points at one round.

    place: the crew's final place among the scoring crews (1 = best; ``None`` = not
    classified); final_points, stage_points: points from the final classification and from
    the stages; status: the crew's final status.
    """

    bib: int
    place: int | None
    status: str
    final_points: float
    stage_points: float

    @property
    def points(self) -> float:
        return self.final_points + self.stage_points


def scoring_places(rows: tuple[ResultRow, ...], scoring: set[int], statuses: frozenset[str]) -> dict[int, int]:
    """bib → place among the scoring crews whose row is ranked and has one of ``statuses``."""
    places: dict[int, int] = {}
    for row in rows:
        if row.bib in scoring and row.position is not None and row.status in statuses and row.bib not in places:
            places[row.bib] = len(places) + 1
    return places


def stage_points(result: CategoryResult, rules: ChampionshipRules) -> dict[int, float]:
    """bib → stage points summed over the result's stages (before retirement rules)."""
    scoring = {bib for bib, crew in result.crews.items() if crew.scores}
    totals: dict[int, float] = {}
    for rows in result.stages.values():
        for bib, place in scoring_places(rows, scoring, rules.stage_scoring_statuses).items():
            if place <= len(rules.stage_positions):
                totals[bib] = totals.get(bib, 0) + rules.stage_positions[place - 1]
    return totals


def score_round(result: CategoryResult, rules: ChampionshipRules) -> dict[int, CrewRoundScore]:
    """bib → :class:`CrewRoundScore` for every scoring crew in the final classification
    (or with stage points but no final line yet, e.g. an event still running)."""
    scale = rules.scales[result.round.type]
    scoring = {bib for bib, crew in result.crews.items() if crew.scores}
    places = scoring_places(result.final, scoring, rules.classified_statuses)
    bonus = stage_points(result, rules)
    out: dict[int, CrewRoundScore] = {}
    for row in result.final:
        if row.bib not in scoring or row.bib in out:
            continue
        place = places.get(row.bib)
        if place is not None:
            final = scale.for_place(place)
        elif row.status in rules.not_classified_scoring:
            final = scale.not_classified
        else:
            final = 0
        kept = bonus.get(row.bib, 0)
        if row.status == WITHDRAWN and not rules.stage_points_kept_on_retirement:
            kept = 0
        if row.status == DISQUALIFIED and not rules.disqualified_keep_stage_points:
            kept = 0
        out[row.bib] = CrewRoundScore(row.bib, place, row.status, final, kept)
    for bib, points in bonus.items():  # stage points of a crew missing from the final classification
        if bib not in out:
            out[bib] = CrewRoundScore(bib, None, "", 0, points)
    return out
