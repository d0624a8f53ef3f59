"""How one crew's time in one stage is made (pure).

``special`` scope: the special's time = finish − start, or for a crew that did not
finish the special's maximum time + the rulebook's fixed penalty; then the
``special``-scope penalties and credits.  ``stage`` scope adds the ``stage``-scope
adjustments.  Every part is kept (:class:`TimePart`) so that ``explain`` can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from raidcontrol.core.model import RESULT_STATUSES, Adjustment, Event
from raidcontrol.rules import Rulebook

SPECIAL, STAGE = "special", "stage"

# Result statuses as published (CSV ``status``): see ``ResultStatus`` in core/model.py.
FINISHED, FORFEIT, WITHDRAWN, DISQUALIFIED = RESULT_STATUSES


@dataclass(frozen=True)
class TimePart:
    """One term of a crew's stage time: ``ms`` is signed (credits are negative)."""

    label: str
    ms: int
    reason: str = ""
    adjustment: Adjustment | None = None


@dataclass
class CrewTime:
    """A crew's result in one stage for one scope.

    time_ms: the time that ranks (None for withdrawn or disqualified crews).
    penalty_ms: the total of penalties counted (fixed forfeit penalty included; credits not).
    """

    bib: int
    stage: int
    status: str
    time_ms: int | None
    penalty_ms: int
    parts: list[TimePart] = field(default_factory=list)


def _scopes(scope: str) -> tuple[str, ...]:
    return (SPECIAL,) if scope == SPECIAL else (SPECIAL, STAGE)


def crew_time(
    event: Event, rulebook: Rulebook, stage: int, bib: int, scope: str = STAGE
) -> CrewTime | None:
    """The crew's result, or ``None`` when it has no record for the stage (and is not out)."""
    out_from = event.withdrawn_from(bib)
    if out_from is not None and out_from <= stage:
        return CrewTime(
            bib,
            stage,
            WITHDRAWN,
            None,
            0,
            [
                TimePart(
                    f"withdrawn from stage {out_from}",
                    0,
                    "did not take the start and left the rally",
                )
            ],
        )
    record = event.times.get((stage, bib))
    if record is None:
        return None
    if record.status == "disqualified":
        return CrewTime(bib, stage, DISQUALIFIED, None, 0, [TimePart("disqualified", 0)])
    parts: list[TimePart] = []
    penalty = 0
    if record.status == "finished":
        status = FINISHED
        parts.append(TimePart(f"special time {record.start} → {record.finish}", record.raw_ms or 0))
    else:  # dnf
        status = FORFEIT
        max_ms = event.stages[stage].max_time_ms
        fixed = rulebook.duration_ms("forfeit.fixed_penalty")
        parts.append(
            TimePart("maximum time of the special (did not finish)", max_ms, record.reason)
        )
        parts.append(
            TimePart(
                "fixed penalty for not finishing",
                fixed,
                rulebook.sourced("forfeit.fixed_penalty").source,
            )
        )
        penalty += fixed
    for adj in event.adjustments_for(stage, bib):
        if adj.scope not in _scopes(scope):
            continue
        label = f"{adj.kind} ({adj.scope})" + (f" [{adj.origin}]" if adj.origin != "folder" else "")
        parts.append(TimePart(label, adj.signed_ms, adj.reason, adj))
        if adj.kind == "penalty":
            penalty += adj.amount_ms
    return CrewTime(bib, stage, status, sum(p.ms for p in parts), penalty, parts)
