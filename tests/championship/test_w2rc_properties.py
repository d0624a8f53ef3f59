"""Invariants of the points engine, the standings and the outlook (hypothesis)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from raidcontrol.championship.manufacturers import manufacturer_scores
from raidcontrol.championship.model import CategoryResult, Person, Round
from raidcontrol.championship.outlook import CAN_WIN, CHAMPION, OUT, RemainingRound, outlook
from raidcontrol.championship.points import score_round
from raidcontrol.championship.standings import standings
from raidcontrol.championship.titles import RoundEntry
from tests.championship.w2rc_fixtures import FIA, crew, result

NAMES = [f"P{i}" for i in range(8)]
entry = st.tuples(st.integers(0, 80), st.one_of(st.none(), st.integers(1, 6)))
a_round = st.dictionaries(st.sampled_from(NAMES), entry, max_size=8)
seasons = st.lists(a_round, min_size=1, max_size=5)


def table(rounds):
    return standings(
        [{n: (Person(n, n), RoundEntry(p, pl)) for n, (p, pl) in r.items()} for r in rounds]
    )


@given(seasons)
def test_total_is_the_sum_of_the_rounds_and_order_follows_points(rounds):
    lines = table(rounds)
    for ln in lines:
        assert ln.points == sum(r[ln.key][0] for r in rounds if ln.key in r)
        assert [e.points if e else None for e in ln.by_round] == [
            r[ln.key][0] if ln.key in r else None for r in rounds
        ]
    assert [ln.points for ln in lines] == sorted((ln.points for ln in lines), reverse=True)
    assert [ln.position for ln in lines] == sorted(ln.position for ln in lines)
    assert lines == [] or lines[0].position == 1


@given(seasons, st.data())
def test_adding_points_never_lowers_a_position(rounds, data):
    lines = table(rounds)
    if not lines:
        return
    who = data.draw(st.sampled_from([ln.key for ln in lines]))
    i = data.draw(st.integers(0, len(rounds) - 1))
    extra = data.draw(st.integers(1, 50))
    before = {ln.key: ln.position for ln in lines}[who]
    bumped = [dict(r) for r in rounds]
    points, place = bumped[i].get(who, (0, None))
    bumped[i][who] = (points + extra, place)
    assert {ln.key: ln.position for ln in table(bumped)}[who] <= before


statuses = st.sampled_from(["finished", "finished", "forfeit", "withdrawn", "disqualified"])


@st.composite
def round_results(draw):
    n = draw(st.integers(1, 20))
    bibs = list(range(100, 100 + n))
    scoring = {b: draw(st.booleans()) for b in bibs}
    stat = {b: draw(statuses) for b in bibs}
    ranked = [b for b in bibs if stat[b] in ("finished", "forfeit")]
    order = draw(st.permutations(ranked)) + [b for b in bibs if b not in ranked]
    final = ", ".join(f"{b} {i + 1 if b in ranked else '-'} {stat[b]}" for i, b in enumerate(order))
    stage_order = draw(st.permutations(bibs))
    stage = ", ".join(f"{b} {i + 1} finished" for i, b in enumerate(stage_order))
    crews = [crew(b, f"D{b}", registered=scoring[b]) for b in bibs]
    return result(
        crews, final, {1: stage}, kind=draw(st.sampled_from(["marathon", "rally"]))
    ), scoring


@settings(max_examples=60)
@given(round_results())
def test_non_scoring_crews_change_nothing_and_places_are_consecutive(case):
    res, scoring = case
    scores = score_round(res, FIA)
    assert set(scores) == {b for b, s in scoring.items() if s}
    places = sorted(s.place for s in scores.values() if s.place is not None)
    assert places == list(range(1, len(places) + 1))
    scale = FIA.scales[res.round.type]
    assert sum(s.final_points for s in scores.values() if s.place) == sum(
        scale.for_place(p) for p in places
    )
    assert sum(s.stage_points for s in scores.values()) <= sum(FIA.stage_positions)
    kept = {b for b, s in scoring.items() if s}
    without = CategoryResult(
        res.round,
        {b: c for b, c in res.crews.items() if b in kept},
        tuple(r for r in res.final if r.bib in kept),
        {1: tuple(r for r in res.stages[1] if r.bib in kept)},
    )
    assert score_round(without, FIA) == scores


@settings(max_examples=80)
@given(
    seasons,
    st.lists(st.tuples(st.sampled_from(["marathon", "rally"]), st.integers(0, 4)), max_size=3),
)
def test_outlook_is_consistent(rounds, remaining_spec):
    lines = table(rounds)
    remaining = [
        RemainingRound(Round(10 + i, f"X{i}", kind), stages)
        for i, (kind, stages) in enumerate(remaining_spec)
    ]
    view = outlook("drivers", lines, FIA, remaining)
    status = [ln.status for ln in view.lines]
    if CHAMPION in status:
        assert status.count(CHAMPION) == 1 and status.count(CAN_WIN) == 0
    if lines and lines[0].position == 1 and (len(lines) == 1 or lines[1].position > 1):
        assert status[0] in (CHAMPION, CAN_WIN)  # a sole leader can always still win
    if lines and not remaining:
        assert all(s == OUT for s, ln in zip(status, lines) if ln.position > 1)
    for ln in view.lines:
        assert ln.max_points == ln.points + view.available
        if ln.status == CAN_WIN:
            assert ln.condition.startswith(ln.name)


@st.composite
def nominated_rounds(draw):
    n = draw(st.integers(1, 12))
    bibs = list(range(200, 200 + n))
    makers = {b: draw(st.sampled_from([None, "M1", "M2", "M3"])) for b in bibs}
    for maker in ("M1", "M2", "M3"):  # keep within the nomination limit
        for b in [b for b in bibs if makers[b] == maker][FIA.max_nominated :]:
            makers[b] = None
    order = draw(st.permutations(bibs))
    final = ", ".join(f"{b} {i + 1} finished" for i, b in enumerate(order))
    stage = ", ".join(f"{b} {i + 1} finished" for i, b in enumerate(draw(st.permutations(bibs))))
    crews = [crew(b, f"D{b}", maker=makers[b], registered=draw(st.booleans())) for b in bibs]
    return result(crews, final, {1: stage}, kind="rally")


@given(nominated_rounds())
def test_manufacturer_points_are_its_best_two_crews(res):
    """The crew-points derivation (kept as a rulebook option)."""
    rules = dataclasses.replace(FIA, manufacturer_derivation="crew-points")
    crew_scores = score_round(res, rules)
    makers = manufacturer_scores(res, crew_scores, rules)
    for key, score in makers.items():
        mine = sorted(
            (
                crew_scores[b].points
                for b, c in res.crews.items()
                if c.manufacturer is not None and c.manufacturer.key == key and b in crew_scores
            ),
            reverse=True,
        )
        assert score.points == sum(mine[: FIA.scoring_cars])
        assert len(score.counted) <= FIA.scoring_cars
        assert all(res.crews[b].manufacturer.key == key for b in score.counted)


@given(nominated_rounds())
def test_nominated_cars_take_the_first_places_of_each_scale(res):
    """Nominated-cars derivation: every finisher classified, so the places handed out are the first
    ones of the scale, once each, two cars at most per manufacturer, in the final and in the stage."""
    makers = manufacturer_scores(res, score_round(res, FIA), FIA)
    scoring = [b for b, c in res.crews.items() if c.manufacturer is not None and c.scores]
    per_maker: dict[str, int] = {}
    for b in scoring:
        per_maker[res.crews[b].manufacturer.key] = (
            per_maker.get(res.crews[b].manufacturer.key, 0) + 1
        )
    placed = sum(min(n, FIA.scoring_cars) for n in per_maker.values())
    scale = FIA.scales["rally"]
    assert sum(m.final_points for m in makers.values()) == sum(
        scale.for_place(p) for p in range(1, placed + 1)
    )
    assert sum(m.stage_points for m in makers.values()) == sum(FIA.stage_positions[:placed])
    assert all(len(m.counted) <= FIA.scoring_cars for m in makers.values())
    assert set(makers) == set(per_maker)
