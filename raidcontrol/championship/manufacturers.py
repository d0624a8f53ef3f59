"""Manufacturers' points at one round (pure).

Assumption (documented in docs/championship.md): a manufacturer nominates at most
``max_nominated`` crews of the category for the event; it scores the round points
(final + stage) those crews took in the drivers' classification of the category, counting
its best ``scoring_cars`` crews.  More nominations than allowed is bad input.
"""
from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.championship.model import CategoryResult, Person
from raidcontrol.championship.points import CrewRoundScore
from raidcontrol.championship.rules import ChampionshipRules
from raidcontrol.core.errors import InputError


@dataclass(frozen=True)
class ManufacturerRoundScore:
    """A manufacturer's points at one round.

    points: the sum of its counted crews' round points; counted: the bibs that scored for
    it, best first; best_place: the best final place among its crews (``None`` = none
    classified).
    """

    manufacturer: Person
    points: float
    counted: tuple[int, ...]
    best_place: int | None


def nominations(result: CategoryResult, rules: ChampionshipRules) -> dict[str, list[int]]:
    """Manufacturer key → nominated bibs (all, scoring or not); too many is an InputError."""
    out: dict[str, list[int]] = {}
    for bib in sorted(result.crews):
        crew = result.crews[bib]
        if crew.manufacturer is not None:
            out.setdefault(crew.manufacturer.key, []).append(bib)
    for bibs in out.values():
        if len(bibs) > rules.max_nominated:
            name = result.crews[bibs[0]].manufacturer.name
            raise InputError(f"{result.round.label}: manufacturer {name!r} nominates {len(bibs)} crews "
                             f"({', '.join(map(str, bibs))}); at most {rules.max_nominated} may score",
                             file="entries.csv", field="manufacturer")
    return out


def _best_first(score: CrewRoundScore) -> tuple:
    return (-score.points, score.place if score.place is not None else float("inf"), score.bib)


def manufacturer_scores(result: CategoryResult, crew_scores: dict[int, CrewRoundScore],
                        rules: ChampionshipRules) -> dict[str, ManufacturerRoundScore]:
    """Manufacturer key → its round score (manufacturers with a nominated crew that scored or started)."""
    out: dict[str, ManufacturerRoundScore] = {}
    for key, bibs in nominations(result, rules).items():
        scored = sorted((crew_scores[b] for b in bibs if b in crew_scores), key=_best_first)
        if not scored:
            continue
        counted = scored[:rules.scoring_cars]
        places = [s.place for s in scored if s.place is not None]
        out[key] = ManufacturerRoundScore(result.crews[bibs[0]].manufacturer, sum(s.points for s in counted),
                                          tuple(s.bib for s in counted), min(places) if places else None)
    return out
