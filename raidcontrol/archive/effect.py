"""What a tracking rule change does to each round's classification and to the standings (pure).

Both sides start from the round's event as recorded, with the tracking penalties proposed in
its journal set aside; each side then takes the archive's findings under its rule set as if
the stewards had confirmed them all (a penalty on the special; a did-not-finish finding turns
a finished time into a forfeit).  Findings of a stage the event does not have, or of a bib
it has not entered, cannot count and are reported.  Rounds without an event folder have no
classification and no points to change: :func:`round_notes` says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from raidcontrol.championship.model import TITLES, Season
from raidcontrol.championship.people import Identities
from raidcontrol.championship.rules import ChampionshipRules
from raidcontrol.championship.season_results import RoundEvent, season_table
from raidcontrol.classification import classify_general, last_stage
from raidcontrol.core.errors import InputError
from raidcontrol.core.model import Adjustment, Event, TimeRecord

TRACKING_ORIGIN = "tracking"
ORIGIN = "archive"
SCOPE = "special"
DNF_KIND = "did-not-finish"

CLASSIFICATION_HEADER = (
    "round",
    "category",
    "bib",
    "driver",
    "position_before",
    "position_after",
    "time_before_ms",
    "time_after_ms",
    "penalty_before_ms",
    "penalty_after_ms",
    "status_before",
    "status_after",
)
STANDINGS_HEADER = (
    "title",
    "category",
    "name",
    "position_before",
    "position_after",
    "points_before",
    "points_after",
)


def event_with_findings(event: Event, findings: Iterable[dict]) -> tuple[Event, int]:
    """The event with its journal's tracking penalties replaced by ``findings`` (rows of the findings
    table for this round), all taken as confirmed.  Returns the event and how many findings could
    not count (a stage or a bib the event does not have)."""
    times = dict(event.times)
    adjustments = [a for a in event.adjustments if a.origin != TRACKING_ORIGIN]
    skipped = 0
    for f in findings:
        stage, bib = f["stage"], f["bib"]
        if stage not in event.stages or bib not in event.entries:
            skipped += 1
            continue
        if f["kind"] == DNF_KIND:
            old = times.get((stage, bib))
            if old is not None and old.status == "finished":
                times[(stage, bib)] = TimeRecord(
                    stage, bib, old.start, old.finish, "dnf", "tracking: under the minimum share"
                )
        if f["penalty_ms"]:
            adjustments.append(
                Adjustment(
                    stage,
                    bib,
                    "penalty",
                    f["penalty_ms"],
                    SCOPE,
                    f"tracking {f['code']} (archive check)",
                    ORIGIN,
                )
            )
    out = Event(
        event.name,
        event.rulebook_id,
        event.rules,
        dict(event.stages),
        dict(event.entries),
        times,
        adjustments,
        dict(event.splits),
    )
    return out, skipped


def classification_changes(rnd: int, before: RoundEvent, after: RoundEvent) -> list[list]:
    """Crews whose general classification (per category, after the last stage with results) differs."""
    rows = []
    for category in sorted({e.category for e in before.event.entries.values()}):
        lines: dict[int, dict] = {}
        for side, o in (("before", before), ("after", after)):
            for ln in classify_general(
                o.event, o.rulebook, last_stage(o.event), category=category, effects=o.effects
            ):
                lines.setdefault(ln.bib, {})[side] = ln
        for bib, pair in sorted(lines.items()):
            a, b = pair.get("before"), pair.get("after")
            key = [(x.position, x.time_ms, x.penalty_ms, x.status) if x else None for x in (a, b)]
            if key[0] == key[1]:
                continue
            who = (a or b).driver
            rows.append(
                [
                    rnd,
                    category,
                    bib,
                    who,
                    a and a.position,
                    b and b.position,
                    a and a.time_ms,
                    b and b.time_ms,
                    a and a.penalty_ms,
                    b and b.penalty_ms,
                    a and a.status,
                    b and b.status,
                ]
            )
    return rows


@dataclass(frozen=True)
class SeasonContext:
    """What the standings need: the season, its championship rules and alias tables, the last round."""

    season: Season
    rules: ChampionshipRules
    identities: Identities
    after: int


def standings_changes(
    ctx: SeasonContext, before: Sequence[RoundEvent], after: Sequence[RoundEvent]
) -> list[list]:
    """Competitors whose position or points change, for every title and championship category."""
    rows = []
    for title in (t for t in TITLES if t in ctx.rules.titles):
        for cat in ctx.rules.categories.values():
            try:
                a = season_table(
                    ctx.season, ctx.rules, ctx.identities, before, title, cat.name, ctx.after
                )
                b = season_table(
                    ctx.season, ctx.rules, ctx.identities, after, title, cat.name, ctx.after
                )
            except InputError:
                continue  # a title this category does not award
            old = {ln.key: ln for ln in a.lines}
            new = {ln.key: ln for ln in b.lines}
            for key in sorted(
                old.keys() | new.keys(), key=lambda k: (new.get(k) or old[k]).position
            ):
                x, y = old.get(key), new.get(key)
                if x and y and (x.position, x.points) == (y.position, y.points):
                    continue
                rows.append(
                    [
                        title,
                        cat.name,
                        (y or x).name,
                        x and x.position,
                        y and y.position,
                        x and x.points,
                        y and y.points,
                    ]
                )
    return rows


def sides(
    opened: Sequence[RoundEvent],
    before: dict[int, list[dict]],
    after: dict[int, list[dict]],
    checked: set[int],
) -> tuple[list[RoundEvent], list[RoundEvent], dict[int, int]]:
    """Each opened round under both rule sets (findings by round number); skipped findings per round.
    A round that was not ``checked`` stays as recorded on both sides (it still counts in the standings)."""
    a_side, b_side, skipped = [], [], {}
    for o in opened:
        n = o.round.number
        if n not in checked:
            a_side.append(o)
            b_side.append(o)
            continue
        ev_a, skip_a = event_with_findings(o.event, before.get(n, []))
        ev_b, skip_b = event_with_findings(o.event, after.get(n, []))
        a_side.append(replace(o, event=ev_a))
        b_side.append(replace(o, event=ev_b))
        skipped[n] = max(skip_a, skip_b)
    return a_side, b_side, skipped


def round_notes(season: Season, archived: set[int], opened: set[int]) -> list[str]:
    """What cannot be computed: archived rounds without an event folder."""
    return [
        f"round {r.number} ({r.name}): no event folder, so no classification or points to compare"
        for r in season.rounds
        if r.number in archived and r.number not in opened
    ]
