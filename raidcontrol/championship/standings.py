"""Championship standings after any round, with countback (pure).

Order: most points; a tie on points goes to *countback* — most best places (wins), then
most second places, and so on (an assumption: the W2RC text is not public, see the rulebook's
``championship.countback``).  A tie that survives countback is shared: the same position,
names in alphabetical order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from raidcontrol.championship.titles import INF, Competitors, RoundEntry


@dataclass(frozen=True)
class StandingLine:
    """One competitor in the standings.

    position: 1 = leader (shared on a complete tie); points: the total over the rounds
    counted; by_round: the result at each round in season order (``None`` = not there).
    """

    position: int
    key: str
    name: str
    points: float
    by_round: tuple[RoundEntry | None, ...]

    @property
    def places(self) -> tuple[int | None, ...]:
        return tuple(e.place for e in self.by_round if e is not None)


def rank_key(points: float, places: Iterable[int | None]) -> tuple:
    """Smaller is better: more points first, then countback on the places.

    Comparing the sorted places (with an end marker) is the same as comparing the number of
    1st places, then of 2nd places, and so on.
    """
    return (-points, tuple(sorted(p for p in places if p is not None)) + (INF,))


def beats(a: tuple[float, Sequence[int | None]], b: tuple[float, Sequence[int | None]]) -> bool:
    """Whether record ``a`` (points, places) is strictly ahead of record ``b``."""
    return rank_key(*a) < rank_key(*b)


def standings(rounds: Sequence[Competitors]) -> list[StandingLine]:
    """The standings over ``rounds`` (each: competitor key → (who, round result))."""
    names: dict[str, str] = {}
    for competitors in rounds:
        for key, (person, _) in competitors.items():
            names[key] = person.name  # the latest spelling is shown
    rows = []
    for key in names:
        by_round = tuple(r[key][1] if key in r else None for r in rounds)
        points = sum(e.points for e in by_round if e is not None)
        rows.append((rank_key(points, (e.place for e in by_round if e is not None)), names[key], key, points, by_round))
    rows.sort(key=lambda r: (r[0], r[1].casefold(), r[2]))
    out: list[StandingLine] = []
    for i, (rk, name, key, points, by_round) in enumerate(rows):
        position = out[-1].position if out and rows[i - 1][0] == rk else i + 1
        out.append(StandingLine(position, key, name, points, by_round))
    return out
