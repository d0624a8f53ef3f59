"""Classifications (pure functions over an :class:`~raidcontrol.core.model.Event`).

* :func:`classify_special` — the special section's ranking (special-scope adjustments only);
* :func:`classify_stage` — the stage ranking (special + stage-scope adjustments);
* :func:`classify_general` — the general classification after a stage: the sum of the
  stage results of every counted stage up to it.
"""

from __future__ import annotations

from collections.abc import Mapping

from raidcontrol.classification.crew_time import (
    DISQUALIFIED,
    FINISHED,
    FORFEIT,
    SPECIAL,
    STAGE,
    WITHDRAWN,
    CrewTime,
    TimePart,
    crew_time,
)
from raidcontrol.classification.ranking import CSV_HEADER, ClassLine, Standing, rank
from raidcontrol.core.errors import InputError
from raidcontrol.core.model import Event
from raidcontrol.core.remark import RankingRemark
from raidcontrol.rules import Rulebook

__all__ = [
    "CSV_HEADER",
    "ClassLine",
    "CrewTime",
    "TimePart",
    "classify_general",
    "classify_special",
    "classify_stage",
    "counted_stages",
    "crew_time",
    "last_stage",
]


def _check_stage(event: Event, stage: int) -> None:
    if stage not in event.stages:
        raise InputError(
            f"stage {stage} is not in the event (stages: {', '.join(map(str, event.stage_numbers()))})",
            field="stage",
        )


def _stage_standings(event: Event, rulebook: Rulebook, stage: int, scope: str) -> list[Standing]:
    out = []
    for bib in event.entries:
        ct = crew_time(event, rulebook, stage, bib, scope)
        if ct is not None:
            out.append(Standing(bib, ct.status, ct.time_ms, ct.penalty_ms))
    return out


def classify_special(
    event: Event,
    rulebook: Rulebook,
    stage: int,
    *,
    category: str | None = None,
    klass: str | None = None,
    effects: Mapping[int, RankingRemark] | None = None,
) -> list[ClassLine]:
    _check_stage(event, stage)
    return rank(
        event,
        _stage_standings(event, rulebook, stage, SPECIAL),
        category=category,
        klass=klass,
        effects=effects,
    )


def classify_stage(
    event: Event,
    rulebook: Rulebook,
    stage: int,
    *,
    category: str | None = None,
    klass: str | None = None,
    effects: Mapping[int, RankingRemark] | None = None,
) -> list[ClassLine]:
    _check_stage(event, stage)
    return rank(
        event,
        _stage_standings(event, rulebook, stage, STAGE),
        category=category,
        klass=klass,
        effects=effects,
    )


def last_stage(event: Event) -> int:
    """The last stage with results (a finished or forfeit record); else the last stage."""
    with_results = event.stages_with_results()
    if with_results:
        return with_results[-1]
    if not event.stages:
        raise InputError("the event has no stages", field="stage")
    return event.stage_numbers()[-1]


def counted_stages(event: Event, after: int) -> list[int]:
    return [n for n in event.stage_numbers() if n <= after and event.stages[n].counts_for_general]


def general_standings(event: Event, rulebook: Rulebook, after: int) -> list[Standing]:
    stages = counted_stages(event, after)
    out = []
    for bib in event.entries:
        results = [crew_time(event, rulebook, s, bib, STAGE) for s in stages]
        statuses = {r.status for r in results if r is not None}
        penalty = sum(r.penalty_ms for r in results if r is not None)
        if DISQUALIFIED in statuses:
            out.append(Standing(bib, DISQUALIFIED, None, penalty))
        elif WITHDRAWN in statuses:
            out.append(Standing(bib, WITHDRAWN, None, penalty))
        elif stages and all(r is not None and r.time_ms is not None for r in results):
            status = FORFEIT if FORFEIT in statuses else FINISHED
            out.append(
                Standing(
                    bib,
                    status,
                    sum(r.time_ms for r in results if r is not None and r.time_ms is not None),
                    penalty,
                )
            )
        # else: no record in a counted stage — not in the general classification
    return out


def classify_general(
    event: Event,
    rulebook: Rulebook,
    after: int | None = None,
    *,
    category: str | None = None,
    klass: str | None = None,
    effects: Mapping[int, RankingRemark] | None = None,
) -> list[ClassLine]:
    after = last_stage(event) if after is None else after
    _check_stage(event, after)
    return rank(
        event,
        general_standings(event, rulebook, after),
        category=category,
        klass=klass,
        effects=effects,
    )
