"""The championship rules of a rulebook as one typed object (pure: reads a Rulebook).

Every number comes from the rulebook's ``championship`` section (``championship.toml``);
see docs/championship.md for what each value means and where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.championship.model import ROUND_TYPES
from raidcontrol.core.errors import InputError
from raidcontrol.rules import Rulebook

NOMINATED_CARS, CREW_POINTS = "nominated-cars", "crew-points"
DERIVATIONS = (NOMINATED_CARS, CREW_POINTS)


@dataclass(frozen=True)
class Scale:
    """Final-classification points of one round type.

    positions: points of the 1st, 2nd … scoring place; lower_classified: points of every
    classified place beyond that list; not_classified: points of a crew that started and
    was not classified (statuses in ``ChampionshipRules.not_classified_scoring``).
    """

    positions: tuple[float, ...]
    lower_classified: float
    not_classified: float

    def for_place(self, place: int) -> float:
        return self.positions[place - 1] if place <= len(self.positions) else self.lower_classified


@dataclass(frozen=True)
class ChampionshipCategory:
    """Which entries make up a championship category: the event category, optionally one class."""

    name: str
    category: str
    klass: str | None
    auto_registered: bool


@dataclass(frozen=True)
class ChampionshipRules:
    """The championship section of a rulebook.

    stage_positions: stage points of the 1st, 2nd … scoring crew of a stage;
    min_special_km: a stage awards stage points only when its special is longer than this (km);
    power_stage_positions: bonus points of the 1st, 2nd … scoring crew of a power stage;
    manufacturer_derivation: ``nominated-cars`` (the nominated cars ranked among themselves,
    best ``scoring_cars`` of each manufacturer per ranking) or ``crew-points`` (the best
    ``scoring_cars`` nominated crews' points from the drivers' table);
    planned_stages: round type → stages assumed at a round not yet run.
    """

    rulebook_id: str
    name: str
    titles: tuple[str, ...]
    default_category: str
    categories: dict[str, ChampionshipCategory]
    scales: dict[str, Scale]
    stage_positions: tuple[float, ...]
    stage_points_kept_on_retirement: bool
    stage_scoring_statuses: frozenset[str]
    prologue_stage_points: bool
    classified_statuses: frozenset[str]
    not_classified_scoring: frozenset[str]
    disqualified_keep_stage_points: bool
    max_nominated: int
    scoring_cars: int
    excluded_verdicts: frozenset[str]
    planned_stages: dict[str, int]
    min_special_km: float = 0.0
    power_stage_positions: tuple[float, ...] = ()
    manufacturer_derivation: str = NOMINATED_CARS

    def category(self, name: str | None) -> ChampionshipCategory:
        name = name or self.default_category
        for known in self.categories.values():
            if known.name.lower() == name.lower():
                return known
        raise InputError(
            f"unknown championship category {name!r} in rulebook {self.rulebook_id!r} "
            f"(known: {', '.join(self.categories)})",
            field="category",
        )

    def check_title(self, title: str) -> None:
        if title not in self.titles:
            raise InputError(
                f"rulebook {self.rulebook_id!r} awards no {title!r} title "
                f"(titles: {', '.join(self.titles)})",
                field="title",
            )


def championship_rules(rulebook: Rulebook) -> ChampionshipRules:
    """Read ``championship.*`` from the rulebook; a missing value is a located InputError."""
    try:
        ch = rulebook.section("championship")
        scales = {
            t: Scale(
                tuple(ch["scales"][t]["positions"]),
                ch["scales"][t]["lower_classified"],
                ch["scales"][t]["not_classified"],
            )
            for t in ROUND_TYPES
        }
        cats = {
            name: ChampionshipCategory(
                name, c["category"], c.get("class"), bool(c.get("auto_registered", False))
            )
            for name, c in ch["categories"].items()
        }
        sp, cl, mf = ch["stage_points"], ch["classification"], ch["manufacturers"]
        return ChampionshipRules(
            rulebook_id=rulebook.id,
            name=ch.get("name", rulebook.id),
            titles=tuple(ch["titles"]),
            default_category=ch["default_category"],
            categories=cats,
            scales=scales,
            stage_positions=tuple(sp["positions"]),
            stage_points_kept_on_retirement=bool(sp["kept_on_retirement"]),
            stage_scoring_statuses=frozenset(sp["scoring_statuses"]),
            prologue_stage_points=bool(sp["prologue"]),
            classified_statuses=frozenset(cl["classified_statuses"]),
            not_classified_scoring=frozenset(cl["not_classified_scoring"]),
            disqualified_keep_stage_points=bool(cl["disqualified_keep_stage_points"]),
            max_nominated=int(mf["max_nominated"]),
            scoring_cars=int(mf["scoring_cars"]),
            excluded_verdicts=frozenset(ch["eligibility"]["excluded_verdicts"]),
            planned_stages={t: int(ch["planned_stages"][t]) for t in ROUND_TYPES},
            min_special_km=float(sp["min_special_km"]),
            power_stage_positions=tuple(sp["power_stage"]),
            manufacturer_derivation=_derivation(rulebook, mf["derivation"]),
        )
    except KeyError as exc:
        raise InputError(
            f"rulebook {rulebook.id!r} lacks the championship value {exc}", field="championship"
        ) from None


def _derivation(rulebook: Rulebook, value: str) -> str:
    if value not in DERIVATIONS:
        raise InputError(
            f"rulebook {rulebook.id!r}: manufacturers derivation {value!r} is unknown "
            f"(known: {', '.join(DERIVATIONS)})",
            field="championship.manufacturers.derivation",
        )
    return value
