"""Manufacturers' points at one round (pure).

A manufacturer nominates at most ``max_nominated`` crews of the category for the event (more
is bad input); only its nominated cars that are registered and eligible count.  Two
derivations, chosen by the rulebook's ``championship.manufacturers.derivation``:

* ``nominated-cars`` (the default, inferred from the published 2025-2026 totals, see
  docs/championship.md): the nominated cars are ranked **among themselves** — in the final
  classification and in each stage — keeping in each ranking only the ``scoring_cars`` best
  cars of each manufacturer (a third car takes no place); the final scale, the stage scale
  and the power-stage scale are applied to those places and summed per manufacturer.  A
  counted car that did not finish earns the not-classified points, as in the drivers' table;
  stage points follow the drivers' retirement rules.
* ``crew-points``: the round points (final + stage) the nominated crews took in the
  drivers' classification, counting the manufacturer's best ``scoring_cars`` crews.
"""

from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.championship.model import CategoryResult, Person, ResultRow
from raidcontrol.championship.points import CrewRoundScore, keeps_stage_points
from raidcontrol.championship.rules import CREW_POINTS, ChampionshipRules
from raidcontrol.core.errors import InputError


@dataclass(frozen=True)
class ManufacturerRoundScore:
    """A manufacturer's points at one round.

    points: final_points + stage_points + bonus_points (points); counted: the bibs whose
    final points count, best first; best_place: the best final place among its cars (in the
    ranking of the nominated cars for ``nominated-cars``, among the scoring crews for
    ``crew-points``; ``None`` = none classified).
    """

    manufacturer: Person
    points: float
    counted: tuple[int, ...]
    best_place: int | None
    final_points: float = 0
    stage_points: float = 0
    bonus_points: float = 0


def nominations(result: CategoryResult, rules: ChampionshipRules) -> dict[str, list[int]]:
    """Manufacturer key → nominated bibs (all, scoring or not); too many is an InputError."""
    out: dict[str, list[int]] = {}
    for bib in sorted(result.crews):
        crew = result.crews[bib]
        if crew.manufacturer is not None:
            out.setdefault(crew.manufacturer.key, []).append(bib)
    for bibs in out.values():
        if len(bibs) > rules.max_nominated:
            name = _manufacturer(result, bibs[0]).name
            raise InputError(
                f"{result.round.label}: manufacturer {name!r} nominates {len(bibs)} crews "
                f"({', '.join(map(str, bibs))}); at most {rules.max_nominated} may score",
                field="manufacturer",
            )
    return out


def manufacturer_scores(
    result: CategoryResult, crew_scores: dict[int, CrewRoundScore], rules: ChampionshipRules
) -> dict[str, ManufacturerRoundScore]:
    """Manufacturer key → its round score (manufacturers with a nominated car that scored or started)."""
    if rules.manufacturer_derivation == CREW_POINTS:
        return crew_points_scores(result, crew_scores, rules)
    return nominated_car_scores(result, rules)


def _manufacturer(result: CategoryResult, bib: int) -> Person:
    """The manufacturer that nominated crew ``bib`` (one :func:`nominations` lists)."""
    maker = result.crews[bib].manufacturer
    if maker is None:
        raise ValueError(f"crew {bib} was nominated by no manufacturer")
    return maker


def _best_first(score: CrewRoundScore) -> tuple[float, float, int]:
    return (-score.points, score.place if score.place is not None else float("inf"), score.bib)


def crew_points_scores(
    result: CategoryResult, crew_scores: dict[int, CrewRoundScore], rules: ChampionshipRules
) -> dict[str, ManufacturerRoundScore]:
    """The ``crew-points`` derivation: best ``scoring_cars`` nominated crews' drivers' points."""
    out: dict[str, ManufacturerRoundScore] = {}
    for key, bibs in nominations(result, rules).items():
        scored = sorted((crew_scores[b] for b in bibs if b in crew_scores), key=_best_first)
        if not scored:
            continue
        counted = scored[: rules.scoring_cars]
        places = [s.place for s in scored if s.place is not None]
        out[key] = ManufacturerRoundScore(
            _manufacturer(result, bibs[0]),
            sum(s.points for s in counted),
            tuple(s.bib for s in counted),
            min(places) if places else None,
            sum(s.final_points for s in counted),
            sum(s.stage_points for s in counted),
            sum(s.bonus_points for s in counted),
        )
    return out


def capped_places(
    rows: tuple[ResultRow, ...], makers: dict[int, str], statuses: frozenset[str], cap: int
) -> dict[int, int]:
    """bib → place in the ranking of the nominated cars (``makers``: bib → manufacturer key),
    keeping at most ``cap`` cars of each manufacturer: a further car takes no place."""
    places: dict[int, int] = {}
    per_maker: dict[str, int] = {}
    for row in rows:
        key = makers.get(row.bib)
        if key is None or row.position is None or row.status not in statuses or row.bib in places:
            continue
        if per_maker.get(key, 0) >= cap:
            continue
        per_maker[key] = per_maker.get(key, 0) + 1
        places[row.bib] = len(places) + 1
    return places


def _ladder(
    stages: dict[int, tuple[ResultRow, ...]],
    makers: dict[int, str],
    rules: ChampionshipRules,
    positions: tuple[float, ...],
) -> dict[int, float]:
    """bib → points of ``positions`` over ``stages`` in the capped ranking of the nominated cars."""
    totals: dict[int, float] = {}
    for rows in stages.values():
        for bib, place in capped_places(
            rows, makers, rules.stage_scoring_statuses, rules.scoring_cars
        ).items():
            if place <= len(positions):
                totals[bib] = totals.get(bib, 0) + positions[place - 1]
    return totals


def nominated_car_scores(
    result: CategoryResult, rules: ChampionshipRules
) -> dict[str, ManufacturerRoundScore]:
    """The ``nominated-cars`` derivation (see the module's docstring)."""
    nominated = nominations(result, rules)
    makers = {b: key for key, bibs in nominated.items() for b in bibs if result.crews[b].scores}
    scale = rules.scales[result.round.type]
    places = capped_places(result.final, makers, rules.classified_statuses, rules.scoring_cars)
    status = {row.bib: row.status for row in result.final}
    stage = _ladder(result.stages, makers, rules, rules.stage_positions)
    power = _ladder(result.power_stages, makers, rules, rules.power_stage_positions)
    out: dict[str, ManufacturerRoundScore] = {}
    for key, bibs in nominated.items():
        cars = [b for b in bibs if b in makers and (b in status or b in stage or b in power)]
        if not cars:
            continue
        placed = sorted((b for b in cars if b in places), key=places.__getitem__)
        retired = [
            b for b in cars if b not in places and status.get(b) in rules.not_classified_scoring
        ]
        counted = (placed + retired)[: rules.scoring_cars]
        final = sum(
            scale.for_place(places[b]) if b in places else scale.not_classified for b in counted
        )
        kept = [b for b in cars if keeps_stage_points(status.get(b, ""), rules)]
        stage_total = sum(stage.get(b, 0) for b in kept)
        power_total = sum(power.get(b, 0) for b in kept)
        out[key] = ManufacturerRoundScore(
            _manufacturer(result, bibs[0]),
            final + stage_total + power_total,
            tuple(counted),
            places[placed[0]] if placed else None,
            final,
            stage_total,
            power_total,
        )
    return out
