"""Manufacturers' points as the real 2025-2026 totals show them: nominated cars ranked among themselves."""

from __future__ import annotations

import dataclasses

from raidcontrol.championship.manufacturers import manufacturer_scores
from raidcontrol.championship.points import score_round
from raidcontrol.championship.titles import title_entries
from tests.championship.w2rc_fixtures import FIA, crew, result

MAKERS = ("Dacia", "Ford", "Toyota")


def _dakar_2026_like():
    """A 13-stage marathon: three manufacturers nominate three cars each (D1-D3, F1-F3, T1-T3) among six
    other registered cars (O1-O6).  Final: O1, D1, F1, O2, D2, T1, F2, D3, O3, T2, F3, T3, O4, O5, O6.
    Every stage: the same order, except that a non-manufacturer car wins stages 1, 9 and 10."""
    bibs = {
        name: 100 + i
        for i, name in enumerate(
            [
                "O1",
                "D1",
                "F1",
                "O2",
                "D2",
                "T1",
                "F2",
                "D3",
                "O3",
                "T2",
                "F3",
                "T3",
                "O4",
                "O5",
                "O6",
            ]
        )
    }
    crews = [
        crew(b, n, maker={"D": "Dacia", "F": "Ford", "T": "Toyota"}.get(n[0]))
        for n, b in bibs.items()
    ]
    order = list(bibs.values())
    line = ", ".join(f"{b} {i + 1} finished" for i, b in enumerate(order))
    others_first = [bibs["O6"]] + [b for b in order if b != bibs["O6"]]
    stage_line = {
        n: ", ".join(
            f"{b} {i + 1} finished"
            for i, b in enumerate(others_first if n in (1, 9, 10) else order)
        )
        for n in range(1, 14)
    }
    return result(crews, line, stage_line, kind="marathon")


def test_the_384_points_of_the_dakar_2026():
    res = _dakar_2026_like()
    makers = manufacturer_scores(res, score_round(res, FIA), FIA)
    # Final, among the nominated cars (a third car takes no place): D1 50, F1 40, D2 30, T1 26, F2 23, T2 20.
    assert {k: m.final_points for k, m in makers.items()} == {"dacia": 80, "ford": 63, "toyota": 46}
    # Every stage, even those a non-manufacturer car won: D1 5, F1 4, D2 3, T1 2, F2 1 → 13 × (8, 5, 2).
    assert {k: m.stage_points for k, m in makers.items()} == {
        "dacia": 104,
        "ford": 65,
        "toyota": 26,
    }
    total = sum(m.points for m in makers.values())
    assert total == (50 + 40 + 30 + 26 + 23 + 20) + 13 * (5 + 4 + 3 + 2 + 1) == 384
    # The old derivation (drivers' points summed) cannot reach it.
    old = dataclasses.replace(FIA, manufacturer_derivation="crew-points")
    assert (
        sum(m.points for m in manufacturer_scores(res, score_round(res, old), old).values()) < 384
    )


def test_more_than_the_two_best_drivers_points_combined():
    """Dakar 2025: Toyota 147, more than its two best drivers' 70 + 55; possible only among nominated cars."""
    res = _dakar_2026_like()
    crew_points = score_round(res, FIA)
    dacia = sorted(
        (
            s.points
            for b, s in crew_points.items()
            if res.crews[b].manufacturer and res.crews[b].manufacturer.key == "dacia"
        ),
        reverse=True,
    )
    assert manufacturer_scores(res, crew_points, FIA)["dacia"].points > sum(dacia[:2])


def test_a_third_car_takes_no_place_and_a_retired_car_scores_the_not_classified_points():
    crews = [
        crew(1, "A1", maker="A"),
        crew(2, "A2", maker="A"),
        crew(3, "A3", maker="A"),
        crew(4, "B1", maker="B"),
        crew(5, "B2", maker="B"),
    ]
    res = result(
        crews,
        "1 1 finished, 2 2 finished, 3 3 finished, 4 4 finished, 5 - withdrawn",
        {1: "5 1 finished, 3 2 finished, 1 3 finished, 2 4 finished, 4 5 finished"},
        kind="rally",
    )
    makers = manufacturer_scores(res, score_round(res, FIA), FIA)
    # Final: A1 30, A2 25, (A3 none), B1 20; B2 withdrew: 1 (rally not classified).
    assert (makers["a"].final_points, makers["b"].final_points) == (55, 21)
    assert makers["a"].counted == (1, 2) and makers["b"].counted == (4, 5)
    # Stage: B2 5 (kept after retiring), A3 4, A1 3, (A2 is A's third), B1 2.
    assert (makers["a"].stage_points, makers["b"].stage_points) == (7, 7)
    ranks = title_entries("manufacturers", res, FIA)
    assert (ranks["a"][1].place, ranks["b"][1].place) == (1, 2)


def test_only_registered_nominated_cars_take_places():
    crews = [
        crew(1, "A1", maker="A", registered=False),
        crew(2, "B1", maker="B"),
        crew(3, "A2", maker="A"),
    ]
    res = result(crews, "1 1 finished, 2 2 finished, 3 3 finished", kind="rally")
    makers = manufacturer_scores(res, score_round(res, FIA), FIA)
    assert (makers["b"].final_points, makers["a"].final_points) == (30, 25)
    assert makers["a"].counted == (3,)


def test_the_384_points_through_the_command(cli, tmp_path):
    """The acceptance: `standings SEASON.toml --title manufacturers --format csv`, nominated cars by default."""
    import csv
    import io

    from tests.conftest import make_event

    order = [
        "O1",
        "D1",
        "F1",
        "O2",
        "D2",
        "T1",
        "F2",
        "D3",
        "O3",
        "T2",
        "F3",
        "T3",
        "O4",
        "O5",
        "O6",
    ]
    maker = {"D": "Dacia", "F": "Ford", "T": "Toyota"}
    bib = {name: 300 + i for i, name in enumerate(order)}
    entries = "bib,category,class,driver,codriver,team,brand,model,w2rc,manufacturer\n" + "".join(
        f"{bib[n]},Ultimate,T1+,Driver {n},Nav {n},Team {n},X,Y,true,{maker.get(n[0], '')}\n"
        for n in order
    )
    times = []
    for stage in range(1, 14):
        # each stage in the order above, except that O6 (no manufacturer) wins stages 1, 9 and 10; a place is
        # a minute.  O6 then passes O4, O5 and T3 (Toyota's third car) in the general; the nominated order holds.
        ranking = (["O6"] + [n for n in order if n != "O6"]) if stage in (1, 9, 10) else order
        times += [
            f"{stage},{bib[n]},08:00:00,12:{i:02d}:00,finished" for i, n in enumerate(ranking)
        ]
    make_event(
        tmp_path / "dakar", entries=entries, times="\n".join(times), stages=tuple(range(1, 14))
    )
    (tmp_path / "season.toml").write_text(
        'name = "S"\nrulebook = "fia-2026"\n[[round]]\nname = "Dakar"\n'
        'type = "marathon"\nevent = "dakar"\n'
    )
    code, out, err = cli(
        "standings", tmp_path / "season.toml", "--title", "manufacturers", "--format", "csv"
    )
    assert code == 0, err
    got = {r["name"]: int(r["points"]) for r in csv.DictReader(io.StringIO(out))}
    assert got == {"Dacia": 80 + 13 * 8, "Ford": 63 + 13 * 5, "Toyota": 46 + 13 * 2}
    assert sum(got.values()) == (50 + 40 + 30 + 26 + 23 + 20) + 13 * (5 + 4 + 3 + 2 + 1) == 384
    code, out, _ = cli("classify", tmp_path / "dakar", "--stage", "9", "--format", "csv")
    assert next(iter(csv.DictReader(io.StringIO(out))))["bib"] == str(
        bib["O6"]
    )  # a non-manufacturer stage win
