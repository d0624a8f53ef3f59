"""The outlook: points still available from the round's own event folder; no "out" rival named as a threat."""

from __future__ import annotations

from raidcontrol.championship.model import Round
from raidcontrol.championship.outlook import OUT, RemainingRound, outlook, round_maximum
from raidcontrol.championship.season_results import (
    DEFAULT_PLAN,
    ITINERARY,
    SEASON_PLAN,
    remaining_round,
)
from raidcontrol.core.model import Stage
from tests.championship.test_w2rc_standings_outlook import season
from tests.championship.w2rc_fixtures import FIA

RALLY = Round(3, "R3", "rally")


def st(n: int, km: float, power: bool = False, counts: bool = True) -> Stage:
    return Stage(n, f"S{n}", km, 1, counts, power_stage=power)


def test_a_round_in_a_folder_counts_its_own_stages_km_and_flags():
    route = (
        st(0, 30, counts=False),
        st(1, 80),
        st(2, 100),
        st(3, 101),
        st(4, 350, power=True),
        st(5, 20, power=True),
    )
    rem = remaining_round(RALLY, FIA, route)
    assert (rem.stages, rem.power_stages, rem.source) == (
        2,
        2,
        ITINERARY,
    )  # stages 3 and 4; power 4 and 5
    assert round_maximum("drivers", FIA, rem) == 30 + 2 * 5 + 2 * 3
    assert round_maximum("manufacturers", FIA, rem) == 30 + 25 + 2 * (5 + 4) + 2 * (3 + 2)


def test_a_round_not_in_a_folder_uses_the_planned_stages_and_says_so():
    assert remaining_round(Round(4, "R4", "rally", stages=3), FIA, None).source == SEASON_PLAN
    rem = remaining_round(RALLY, FIA, None)
    assert (rem.stages, rem.source) == (FIA.planned_stages["rally"], DEFAULT_PLAN)


def test_an_out_rival_is_never_named_in_a_condition():
    lines = season(
        {"Ann": (50, 1), "Bob": (40, 2), "Cyd": (20, 5)},
        {"Ann": (50, 2), "Bob": (40, 1), "Cyd": (20, 4)},
    )
    view = outlook("drivers", lines, FIA, [RemainingRound(RALLY, 2)])
    out = {ln.name for ln in view.lines if ln.status == OUT}
    assert out == {"Cyd"}
    for ln in view.lines:
        assert not any(name in ln.condition for name in out) and "newcomer" not in ln.condition
