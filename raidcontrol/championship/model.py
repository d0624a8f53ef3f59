"""The championship's plain data: rounds, crews and their result rows (pure, no I/O).

The points engine never sees an event folder: a round's results in one championship
category arrive as a :class:`CategoryResult`, built by
:mod:`raidcontrol.championship.from_event` from the event's classifications or written by
hand in a test.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROUND_TYPES = ("marathon", "rally")
TITLES = ("drivers", "codrivers", "manufacturers")  # the championship titles
Points = (
    float  # points may be fractional on the FIM side (the marathon coefficient); ints are fine too
)


def format_points(points: float | None) -> str:
    """``50`` for a whole number, ``37.5`` otherwise, ``""`` for no result."""
    if points is None:
        return ""
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


@dataclass(frozen=True)
class Round:
    """One round of the season.

    number: its place in the season (1 = first); name: its short name, also the name of its
    column in the standings; type: ``marathon`` or ``rally`` (selects the points scale);
    event_dir: the event folder as written in ``season.toml`` (``None`` = not yet run);
    stages: the number of point-scoring stages planned (``None`` = the rulebook's default).
    """

    number: int
    name: str
    type: str
    event_dir: str | None = None
    stages: int | None = None

    @property
    def label(self) -> str:
        return f"round {self.number} ({self.name})"


@dataclass(frozen=True)
class Person:
    """A driver, co-driver or manufacturer across rounds: a stable ``key`` and a display name."""

    key: str
    name: str


@dataclass(frozen=True)
class Crew:
    """A crew of one championship category at one round.

    registered: entered for the championship (W2RC registration); eligible: ``False`` when
    the scrutineers ruled the car experimental or not eligible.  Only crews that are both
    score points, and only they take points places.  manufacturer: the manufacturer the car
    is nominated for (``None`` = not nominated).
    """

    bib: int
    driver: Person
    codriver: Person | None = None
    manufacturer: Person | None = None
    registered: bool = True
    eligible: bool = True

    @property
    def scores(self) -> bool:
        return self.registered and self.eligible


@dataclass(frozen=True)
class ResultRow:
    """One line of a classification, in classification order.

    position: the event's position (``None`` = not ranked); status: ``finished``,
    ``forfeit``, ``withdrawn`` or ``disqualified`` (the classification's statuses).
    """

    bib: int
    position: int | None
    status: str


@dataclass(frozen=True)
class CategoryResult:
    """One round's results in one championship category.

    final: the final (general) classification; stages: stage number → that stage's
    classification, for the stages that award stage points; power_stages: the same for the
    power stages (``power_stage = true`` in event.toml), which award the power-stage bonus.
    """

    round: Round
    crews: dict[int, Crew]
    final: tuple[ResultRow, ...]
    stages: dict[int, tuple[ResultRow, ...]] = field(default_factory=dict)
    power_stages: dict[int, tuple[ResultRow, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Season:
    """A championship season: its name, rulebook and rounds in order (``season.toml``)."""

    name: str
    rulebook_id: str
    rounds: tuple[Round, ...]

    def round(self, ref: str | int) -> Round:
        """A round by number (``2``) or by name (case-insensitive)."""
        text = str(ref).strip()
        for rnd in self.rounds:
            if text == str(rnd.number) or text.casefold() == rnd.name.casefold():
                return rnd
        raise KeyError(text)
