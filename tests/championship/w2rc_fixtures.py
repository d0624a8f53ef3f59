"""Helpers for the championship tests: hand-written rounds as plain result rows."""

from __future__ import annotations

from raidcontrol.championship.model import CategoryResult, Crew, Person, ResultRow, Round
from raidcontrol.championship.rules import championship_rules
from raidcontrol.rules import load_rulebook

FIA = championship_rules(load_rulebook("fia-2026"))
FIM = championship_rules(load_rulebook("fim-2026"))


def person(name: str) -> Person:
    return Person(name.lower(), name)


def crew(
    bib: int,
    driver: str,
    codriver: str | None = None,
    maker: str | None = None,
    *,
    registered: bool = True,
    eligible: bool = True,
) -> Crew:
    return Crew(
        bib,
        person(driver),
        person(codriver) if codriver else None,
        person(maker) if maker else None,
        registered,
        eligible,
    )


def rows(text: str) -> tuple[ResultRow, ...]:
    """``"200 1 finished, 201 - withdrawn"`` → result rows in that order (``-`` = no position)."""
    out = []
    for part in text.split(","):
        bib, pos, status = part.split()
        out.append(ResultRow(int(bib), None if pos == "-" else int(pos), status))
    return tuple(out)


def result(
    crews: list[Crew],
    final: str,
    stages: dict[int, str] | None = None,
    *,
    kind: str = "marathon",
    number: int = 1,
    name: str = "R1",
) -> CategoryResult:
    return CategoryResult(
        Round(number, name, kind),
        {c.bib: c for c in crews},
        rows(final),
        {n: rows(t) for n, t in (stages or {}).items()},
    )
