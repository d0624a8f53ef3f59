"""Rankings: order, positions, gaps, category and class filters (pure).

Order: ranked crews by time, equal times by race number (the rulebook's ``ties.order``);
then withdrawn crews, then disqualified crews (no position, no time).  Positions are
1, 2, 3 … within the list (an exact tie still takes consecutive positions, as the
organiser publishes them); ``gap`` is from that list's leader.

Remarks (Stock eligibility) come from the event itself (``Event.remarks``): an entry excluded
from a category is left out of that category's ranking and keeps its overall place; its flag
is shown beside it in every list.  ``effects`` overrides them (a what-if, a test).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from raidcontrol.classification.crew_time import DISQUALIFIED, WITHDRAWN
from raidcontrol.core.model import Event
from raidcontrol.core.remark import RankingRemark

CSV_HEADER = ("position", "bib", "driver", "category", "class", "time", "gap", "penalty", "status")


@dataclass(frozen=True)
class ClassLine:
    """One line of a classification.  Times in ms; ``flags`` are remarks shown beside the line
    (e.g. Stock eligibility); ``eligibility`` is the scrutineering verdict in force, or ``""``."""

    position: int | None
    bib: int
    driver: str
    category: str
    klass: str
    time_ms: int | None
    gap_ms: int | None
    penalty_ms: int
    status: str
    flags: tuple[str, ...] = ()
    eligibility: str = ""


@dataclass(frozen=True)
class Standing:
    """A crew's unranked result: what :func:`rank` orders."""

    bib: int
    status: str
    time_ms: int | None
    penalty_ms: int


_STATUS_ORDER = {WITHDRAWN: 1, DISQUALIFIED: 2}


def rank(
    event: Event,
    standings: Iterable[Standing],
    *,
    category: str | None = None,
    klass: str | None = None,
    effects: Mapping[int, RankingRemark] | None = None,
) -> list[ClassLine]:
    effects = event.remarks if effects is None else effects
    chosen = []
    for s in standings:
        entry = event.entries[s.bib]
        if category is not None and entry.category != category:
            continue
        if klass is not None and entry.klass != klass:
            continue
        effect = effects.get(s.bib)
        if effect is not None and category is not None and category in effect.excluded_categories:
            continue
        chosen.append(s)
    chosen.sort(
        key=lambda s: (
            _STATUS_ORDER.get(s.status, 0),
            s.time_ms if s.time_ms is not None else 0,
            s.bib,
        )
    )
    lines: list[ClassLine] = []
    leader: int | None = None
    position = 0
    for s in chosen:
        entry = event.entries[s.bib]
        ranked = s.status not in _STATUS_ORDER
        if ranked:
            position += 1
            leader = s.time_ms if leader is None else leader
        effect = effects.get(s.bib)
        flags = (effect.flag,) if effect is not None and effect.flag else ()
        remark = event.remarks.get(s.bib)
        lines.append(
            ClassLine(
                position if ranked else None,
                s.bib,
                entry.driver,
                entry.category,
                entry.klass,
                s.time_ms if ranked else None,
                (s.time_ms - leader)
                if ranked and leader is not None and s.time_ms is not None
                else None,
                s.penalty_ms,
                s.status,
                flags,
                remark.eligibility if remark is not None else "",
            )
        )
    return lines
