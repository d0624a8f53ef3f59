"""Championship standings after any round, with countback (pure).

Order: most points; a tie on points goes to *countback* — most best places (wins), then
most second places, and so on (an assumption: the W2RC text is not public, see the rulebook's
``championship.countback``).  A tie that survives countback is shared: the same position,
names in alphabetical order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from raidcontrol.championship.titles import INF, Competitors, RoundEntry


@dataclass(frozen=True)
class StandingLine:
    """One competitor in the standings.

    position: 1 = leader (shared on a complete tie); points: the total over the rounds
    counted; by_round: the result at each round in season order (``None`` = not there);
    countback: how a tie on points with the competitor just ahead or behind was settled
    (``ahead of X on countback: 2 wins to 1``; empty when the points decided).
    """

    position: int
    key: str
    name: str
    points: float
    by_round: tuple[RoundEntry | None, ...]
    countback: str = ""

    @property
    def places(self) -> tuple[int | None, ...]:
        return tuple(e.place for e in self.by_round if e is not None)


def rank_key(points: float, places: Iterable[int | None]) -> tuple[float, tuple[int | float, ...]]:
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
            names[key] = person.name  # the alias table's name, else the latest spelling
    rows = []
    for key, name in names.items():
        by_round = tuple(r[key][1] if key in r else None for r in rounds)
        points = sum(e.points for e in by_round if e is not None)
        rows.append(
            (
                rank_key(points, (e.place for e in by_round if e is not None)),
                name,
                key,
                points,
                by_round,
            )
        )
    rows.sort(key=lambda r: (r[0], r[1].casefold(), r[2]))
    out: list[StandingLine] = []
    for i, (rk, name, key, points, by_round) in enumerate(rows):
        position = out[-1].position if out and rows[i - 1][0] == rk else i + 1
        out.append(StandingLine(position, key, name, points, by_round))
    return [
        replace(
            line,
            countback=countback_note(
                line, out[i - 1] if i else None, out[i + 1] if i + 1 < len(out) else None
            ),
        )
        for i, line in enumerate(out)
    ]


def place_word(place: int, count: int) -> str:
    """``2 wins``, ``1 win``, ``3 2nd places``."""
    if place == 1:
        return f"{count} win{'' if count == 1 else 's'}"
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{count} {place}{suffix} place{'' if count == 1 else 's'}"


def deciding_counts(a: StandingLine, b: StandingLine) -> str:
    """The first place count in which two records differ: ``2 wins to 1``; empty when none differs."""
    pa = [p for p in a.places if p is not None]
    pb = [p for p in b.places if p is not None]
    for place in sorted(set(pa) | set(pb)):
        ca, cb = pa.count(place), pb.count(place)
        if ca != cb:
            return f"{place_word(place, ca)} to {cb}"
    return ""


def countback_note(
    line: StandingLine, ahead: StandingLine | None, behind: StandingLine | None
) -> str:
    """How a tie on points with the neighbours was settled, with the deciding counts."""
    notes = []
    if ahead is not None and ahead.points == line.points:
        counts = deciding_counts(line, ahead)
        notes.append(
            f"behind {ahead.name} on countback: {counts}"
            if counts
            else f"tied with {ahead.name} after countback"
        )
    if behind is not None and behind.points == line.points:
        counts = deciding_counts(line, behind)
        notes.append(
            f"ahead of {behind.name} on countback: {counts}"
            if counts
            else f"tied with {behind.name} after countback"
        )
    return "; ".join(notes)
