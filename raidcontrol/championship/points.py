"""A round's points for each crew of a championship category (pure).

* Only crews that *score* (registered and eligible) are ranked, among themselves: a
  non-registered crew between two registered ones takes no points place.
* Final points: the round type's scale by scoring place for a classified crew; the
  not-classified points for a crew whose status is in ``not_classified_scoring``
  (a withdrawal); nothing otherwise (a disqualification).
* Stage points: the top scoring crews of each stage that finished it, 5-4-3-2-1 by default
  (only stages whose special is longer than ``min_special_km``: the caller selects them);
  the power stages add ``power_stage_positions`` (3-2-1) on top; both are kept after a
  withdrawal when ``stage_points_kept_on_retirement`` (the 2024+ rule), lost on a
  disqualification unless ``disqualified_keep_stage_points``.
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
    classified); final_points, stage_points, bonus_points: points from the final
    classification, from the stages and from the power stages; status: the crew's final status.
    """

    bib: int
    place: int | None
    status: str
    final_points: float
    stage_points: float
    bonus_points: float = 0

    @property
    def points(self) -> float:
        return self.final_points + self.stage_points + self.bonus_points


def scoring_places(
    rows: tuple[ResultRow, ...], scoring: set[int], statuses: frozenset[str]
) -> dict[int, int]:
    """bib → place among the scoring crews whose row is ranked and has one of ``statuses``."""
    places: dict[int, int] = {}
    for row in rows:
        if (
            row.bib in scoring
            and row.position is not None
            and row.status in statuses
            and row.bib not in places
        ):
            places[row.bib] = len(places) + 1
    return places


def ladder_points(
    stages: dict[int, tuple[ResultRow, ...]],
    scoring: set[int],
    statuses: frozenset[str],
    positions: tuple[float, ...],
) -> dict[int, float]:
    """bib → points of ``positions`` by place among ``scoring`` in each ranking, summed."""
    totals: dict[int, float] = {}
    for rows in stages.values():
        for bib, place in scoring_places(rows, scoring, statuses).items():
            if place <= len(positions):
                totals[bib] = totals.get(bib, 0) + positions[place - 1]
    return totals


def stage_points(result: CategoryResult, rules: ChampionshipRules) -> dict[int, float]:
    """bib → stage points summed over the result's stages (before retirement rules)."""
    scoring = {bib for bib, crew in result.crews.items() if crew.scores}
    return ladder_points(
        result.stages, scoring, rules.stage_scoring_statuses, rules.stage_positions
    )


def power_points(result: CategoryResult, rules: ChampionshipRules) -> dict[int, float]:
    """bib → power-stage bonus summed over the result's power stages (before retirement rules)."""
    scoring = {bib for bib, crew in result.crews.items() if crew.scores}
    return ladder_points(
        result.power_stages, scoring, rules.stage_scoring_statuses, rules.power_stage_positions
    )


def keeps_stage_points(status: str, rules: ChampionshipRules) -> bool:
    """Whether a crew with this final status keeps its stage (and power-stage) points."""
    if status == WITHDRAWN:
        return rules.stage_points_kept_on_retirement
    if status == DISQUALIFIED:
        return rules.disqualified_keep_stage_points
    return True


def score_round(result: CategoryResult, rules: ChampionshipRules) -> dict[int, CrewRoundScore]:
    """bib → :class:`CrewRoundScore` for every scoring crew in the final classification
    (or with stage points but no final line yet, e.g. an event still running)."""
    scale = rules.scales[result.round.type]
    scoring = {bib for bib, crew in result.crews.items() if crew.scores}
    places = scoring_places(result.final, scoring, rules.classified_statuses)
    bonus = stage_points(result, rules)
    power = power_points(result, rules)
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
        keep = keeps_stage_points(row.status, rules)
        out[row.bib] = CrewRoundScore(
            row.bib,
            place,
            row.status,
            final,
            bonus.get(row.bib, 0) if keep else 0,
            power.get(row.bib, 0) if keep else 0,
        )
    for bib in sorted(
        set(bonus) | set(power)
    ):  # stage points of a crew missing from the final classification
        if bib not in out:
            out[bib] = CrewRoundScore(bib, None, "", 0, bonus.get(bib, 0), power.get(bib, 0))
    return out
