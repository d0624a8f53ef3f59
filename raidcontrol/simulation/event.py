"""A simulated stage as event-folder tables (pure): ``event.toml``'s content, entries,
times and adjustments, so that ``track scan`` and ``classify`` run on simulated data.

Crews take the rulebook's category and class for their vehicle (profile section
``event``); the start is the DSS start, the finish the noise-free ASS passage, a crew
that broke down or ran out of fixes before the ASS did not finish (``dnf``), and the
neutralisation's stop comes back as a credit.
"""

from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import Instant, format_duration
from raidcontrol.simulation.profile import SimProfile
from raidcontrol.simulation.truth import StageTruth


@dataclass(frozen=True)
class EventTables:
    """stage: one ``[[stage]]`` table; entries / times / adjustments: rows in the event
    folder's column order (``docs/event-folder.md``)."""

    stage: dict
    entries: list[list[str]]
    times: list[list[str]]
    adjustments: list[list[str]]


def vehicle_shares(profile: SimProfile, rulebook_id: str) -> list[float]:
    """The profile's category shares, with the vehicles the rulebook does not cover at 0."""
    allowed = profile.value(f"event.{rulebook_id}", None)
    if allowed is None:
        raise InputError(
            f"the simulator has no event mapping for rulebook {rulebook_id!r}", field="rulebook"
        )
    return [
        s if c in allowed else 0.0
        for c, s in zip(profile.value("vehicles.categories"), profile.floats("vehicles.share"))
    ]


def event_tables(
    truth: StageTruth,
    *,
    stage: int,
    rulebook_id: str,
    profile: SimProfile,
    fixes: int,
    fix_interval_ms: int,
    neutral_ms: int | None,
) -> EventTables:
    """The event-folder rows of one simulated stage."""
    mapping = profile.value(f"event.{rulebook_id}")
    entries, times, adjustments = [], [], []
    for bib, crew in sorted(truth.crews.items()):
        category, klass = mapping[crew.category]
        entries.append(
            [
                str(bib),
                category,
                klass,
                f"Driver {bib}",
                f"Co-driver {bib}",
                "Simulated",
                "Simulated",
                crew.category,
            ]
        )
        start = str(Instant(crew.start_ms, "utc"))
        if crew.finish_ms is None:
            times.append([str(stage), str(bib), start, "", "dnf"])
            continue
        times.append([str(stage), str(bib), start, str(Instant(crew.finish_ms, "utc")), "finished"])
        if neutral_ms:
            adjustments.append(
                [
                    str(stage),
                    str(bib),
                    "credit",
                    format_duration(neutral_ms),
                    "special",
                    "neutralised fuel stop",
                ]
            )
    stage_table = {
        "number": stage,
        "name": f"Simulated stage {stage} (seed {truth.seed})",
        "special_km": round(truth.special_km, 3),
        "max_time": format_duration(fixes * fix_interval_ms),
        "counts_for_general": True,
    }
    return EventTables(stage_table, entries, times, adjustments)
