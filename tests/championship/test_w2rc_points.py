"""Round points, hand-computed from the FIA 2026 scales (rulebook fia-2026/championship.toml)."""

from __future__ import annotations

import dataclasses

import pytest

from raidcontrol.championship.manufacturers import manufacturer_scores
from raidcontrol.championship.points import score_round
from raidcontrol.championship.titles import title_entries
from raidcontrol.core.errors import InputError
from tests.championship.w2rc_fixtures import FIA, FIM, crew, result


def test_scales_come_from_the_rulebook():
    m, r = FIA.scales["marathon"], FIA.scales["rally"]
    assert [m.for_place(p) for p in (1, 2, 3, 4, 5, 15, 16, 40)] == [50, 40, 30, 26, 23, 4, 4, 4]
    assert m.not_classified == 2
    assert [r.for_place(p) for p in (1, 2, 13, 14, 15, 16, 30)] == [30, 25, 4, 3, 2, 2, 2]
    assert r.not_classified == 1
    assert FIA.stage_positions == (5, 4, 3, 2, 1)
    assert (FIA.max_nominated, FIA.scoring_cars) == (3, 2)
    assert FIM.scales["marathon"].for_place(1) == 37.5 and FIM.stage_positions == ()


def test_non_registered_crew_between_two_registered_takes_no_points_place():
    res = result(
        [crew(200, "Ann"), crew(201, "Cid", registered=False), crew(202, "Eve")],
        "200 1 finished, 201 2 finished, 202 3 finished",
        kind="rally",
    )
    s = score_round(res, FIA)
    assert set(s) == {200, 202}
    assert (s[200].place, s[200].points) == (1, 30)
    assert (s[202].place, s[202].points) == (2, 25)  # 2nd among the registered, not 3rd overall


def test_experimental_entry_scores_nothing_and_takes_no_place():
    res = result(
        [crew(500, "Gus", eligible=False), crew(501, "Ivy")],
        "500 1 finished, 501 2 finished",
        {1: "500 1 finished, 501 2 finished"},
    )
    s = score_round(res, FIA)
    assert 500 not in s
    assert (s[501].place, s[501].final_points, s[501].stage_points) == (1, 50, 5)


def test_stage_points_of_a_crew_that_retired_are_kept():
    crews = [crew(200, "Ann"), crew(201, "Cid"), crew(202, "Eve")]
    res = result(
        crews,
        "201 1 finished, 202 2 forfeit, 200 - withdrawn",
        {
            1: "200 1 finished, 201 2 finished, 202 3 finished",
            2: "200 1 finished, 202 2 finished, 201 3 finished",
            3: "201 1 finished, 202 2 forfeit, 200 - withdrawn",
        },
    )
    s = score_round(res, FIA)
    # 200: withdrawn → not classified (2) + stage wins 5 + 5
    assert (s[200].place, s[200].final_points, s[200].stage_points) == (None, 2, 10)
    # 201: 1st (50) + stage 4 + 3 + 5
    assert (s[201].place, s[201].points) == (1, 50 + 12)
    # 202: forfeit crews stay classified: 2nd (40) + stage 3 + 4; a forfeit stage earns no stage place
    assert (s[202].place, s[202].points) == (2, 40 + 7)
    old_rule = dataclasses.replace(FIA, stage_points_kept_on_retirement=False)
    assert score_round(res, old_rule)[200].points == 2  # the pre-2024 rule: stage points lost


def test_disqualified_crew_scores_nothing():
    res = result(
        [crew(200, "Ann"), crew(201, "Cid")],
        "201 1 finished, 200 - disqualified",
        {1: "200 1 finished, 201 2 finished"},
        kind="rally",
    )
    s = score_round(res, FIA)
    assert s[200].points == 0 and s[200].place is None
    assert s[201].points == 30 + 4


def test_sixteenth_and_lower_and_stage_top_five_only():
    crews = [crew(b, f"D{b}") for b in range(1, 19)]
    order = ", ".join(f"{b} {b} finished" for b in range(1, 19))
    s = score_round(result(crews, order, {1: order}), FIA)
    assert [s[b].final_points for b in (1, 15, 16, 18)] == [50, 4, 4, 4]
    assert [s[b].stage_points for b in (1, 2, 3, 4, 5, 6)] == [5, 4, 3, 2, 1, 0]
    assert (
        sum(x.points for x in s.values())
        == sum((50, 40, 30, 26, 23, 20, 17, 15, 13, 11, 9, 7, 6, 5, 4)) + 3 * 4 + 15
    )


def test_manufacturer_best_two_of_three_nominated_crew_points_option():
    """The crew-points derivation, kept as a rulebook option (championship.manufacturers.derivation)."""
    rules = dataclasses.replace(FIA, manufacturer_derivation="crew-points")
    crews = [
        crew(200, "Ann", maker="Toyota"),
        crew(201, "Cid", maker="Dacia"),
        crew(202, "Eve", maker="Toyota"),
        crew(203, "Gil", maker="Toyota"),
        crew(204, "Hub", maker="Dacia"),
        crew(205, "Ida"),
    ]
    res = result(
        crews,
        "201 1 finished, 203 2 finished, 205 3 finished, 202 4 finished, 200 - withdrawn,"
        " 204 - withdrawn",
        {
            1: "200 1 finished, 201 2 finished, 203 3 finished, 202 4 finished, 205 5 finished, 204 6 finished"
        },
    )
    crew_scores = score_round(res, rules)
    makers = manufacturer_scores(res, crew_scores, rules)
    # Toyota: 203 = 40 + 3, 202 = 26 + 2, 200 = 2 + 5 → best two: 43 + 28 = 71 (the 7 of 200 does not count)
    assert makers["toyota"].points == 71 and makers["toyota"].counted == (203, 202)
    # Dacia: 201 = 50 + 4, 204 = 2 → 56
    assert makers["dacia"].points == 56
    entries = title_entries("manufacturers", res, rules)
    assert entries["toyota"][1].place == 1 and entries["dacia"][1].place == 2


def test_more_than_three_nominated_cars_is_bad_input():
    crews = [crew(b, f"D{b}", maker="Toyota") for b in (200, 201, 202, 203)]
    res = result(crews, "200 1 finished, 201 2 finished, 202 3 finished, 203 4 finished")
    with pytest.raises(InputError, match="nominates 4 crews"):
        manufacturer_scores(res, score_round(res, FIA), FIA)


def test_codrivers_score_their_crews_points_and_bikes_have_none():
    res = result(
        [crew(200, "Ann", "Bob"), crew(201, "Cid", "Dee")],
        "201 1 finished, 200 2 finished",
        kind="rally",
    )
    entries = title_entries("codrivers", res, FIA)
    assert {k: (e.points, e.place) for k, (_, e) in entries.items()} == {
        "dee": (30, 1),
        "bob": (25, 2),
    }
    with pytest.raises(InputError):
        FIM.check_title("codrivers")


def test_fim_marathon_scale_is_fractional():
    res = result(
        [crew(1, "Rider A"), crew(2, "Rider B")], "2 1 finished, 1 2 finished", {1: "1 1 finished"}
    )
    s = score_round(res, FIM)
    assert (s[2].points, s[1].points) == (37.5, 30)  # no FIM stage points
