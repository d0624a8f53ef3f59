"""The outlook checked against every possible result of the last round (small seasons).

One rally round left without stage points; every competitor (and a newcomer without points)
either does not start, starts and is not classified, or takes a distinct place.  The status
and the single-round conditions the outlook states must agree with the brute force.
"""

from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.championship.model import Person, Round
from raidcontrol.championship.outlook import (
    CAN_WIN,
    CHAMPION,
    NEWCOMER,
    OUT,
    RemainingRound,
    outlook,
)
from raidcontrol.championship.standings import beats, standings
from raidcontrol.championship.titles import RoundEntry
from tests.championship.w2rc_fixtures import FIA

LAST = RemainingRound(Round(9, "Final", "rally"), stages=0)
SCALE = FIA.scales["rally"]
DNS, DNF = "dns", "dnf"


def outcomes(n: int):
    """Every result of n competitors: a distinct place, or dns / dnf."""
    choices = list(range(1, n + 1)) + [DNS, DNF]
    for combo in itertools.product(choices, repeat=n):
        places = [c for c in combo if isinstance(c, int)]
        if len(places) == len(set(places)):
            yield combo


def final_records(lines, combo):
    out = []
    for (points, places), result in zip(lines, combo):
        if result == DNS:
            out.append((points, places))
        elif result == DNF:
            out.append((points + SCALE.not_classified, places))
        else:
            out.append((points + SCALE.for_place(result), places + (result,)))
    return out


def champion(records, i):
    return all(beats(records[i], r) for j, r in enumerate(records) if j != i)


def not_beaten(records, i):
    return not any(beats(r, records[i]) for j, r in enumerate(records) if j != i)


history = st.lists(
    st.tuples(st.integers(0, 60), st.lists(st.integers(1, 4), max_size=3)), min_size=1, max_size=3
)


@settings(max_examples=60, deadline=None)
@given(history)
def test_status_and_conditions_match_every_outcome(people):
    names = [f"C{i}" for i in range(len(people))]
    depth = max(1, *(len(places) for _, places in people))
    rounds = [
        {
            n: (
                Person(n, n),
                RoundEntry(points if k == 0 else 0, places[k] if k < len(places) else None),
            )
            for n, (points, places) in zip(names, people)
        }
        for k in range(depth)
    ]
    lines = standings(rounds)
    view = {ln.name: ln for ln in outlook("drivers", lines, FIA, [LAST]).lines}
    current = [(ln.points, ln.places) for ln in lines] + [(0, ())]  # the newcomer last
    who = [ln.name for ln in lines] + [NEWCOMER]
    for i, name in enumerate(who[:-1]):
        results = [(combo, final_records(current, combo)) for combo in outcomes(len(current))]
        status = view[name].status
        assert (status == CHAMPION) == all(champion(r, i) for _, r in results)
        assert (status != OUT) == any(not_beaten(r, i) for _, r in results)
        m = re.search(
            r"by (finishing (\d+)\w\w or better|winning|starting|being classified) at",
            view[name].condition,
        )
        if status == CAN_WIN and m:
            if m.group(1) == "starting":
                ok = lambda c: c != DNS
            elif m.group(1) == "being classified" or m.group(1) == "winning":
                limit = 1 if m.group(1) == "winning" else len(current)
                ok = lambda c, limit=limit: isinstance(c, int) and c <= limit
            else:
                place = int(m.group(2))
                ok = lambda c, p=place: isinstance(c, int) and c <= p
            covered = [r for combo, r in results if ok(combo[i])]
            assert covered and all(champion(r, i) for r in covered), view[name].condition
