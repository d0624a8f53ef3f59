"""Which stages award stage points (special longer than min_special_km) and the power-stage bonus."""

from __future__ import annotations

import csv
import io

import pytest

from raidcontrol.championship.from_event import awards_power_bonus, awards_stage_points
from raidcontrol.championship.model import CategoryResult, Round
from raidcontrol.championship.points import score_round
from raidcontrol.core.model import Stage
from tests.championship.w2rc_fixtures import FIA, crew, rows
from tests.conftest import make_event


def stage(km: float, number: int = 1, power: bool = False) -> Stage:
    return Stage(number, f"S{number}", km, 36_000_000, True, power_stage=power)


def test_min_special_km_comes_from_the_rulebook():
    assert FIA.min_special_km == 100 and FIA.power_stage_positions == (3, 2, 1)


@pytest.mark.parametrize(
    "km, awards", [(80, False), (100, False), (100.1, True), (101, True), (450, True)]
)
def test_a_stage_scores_only_over_100_km(km, awards):
    assert awards_stage_points(stage(km), FIA) is awards


def test_the_prologue_and_a_stage_outside_the_general_award_nothing():
    assert not awards_stage_points(Stage(0, "P", 300, 1, False), FIA)
    assert not awards_stage_points(Stage(3, "S3", 300, 1, False), FIA)


def test_power_stage_flag():
    assert awards_power_bonus(stage(30, power=True), FIA)
    assert not awards_power_bonus(stage(300), FIA)


def test_power_stage_awards_3_2_1_on_top_among_registered_crews():
    crews = {
        c.bib: c
        for c in (
            crew(1, "A"),
            crew(2, "B", registered=False),
            crew(3, "C"),
            crew(4, "D"),
            crew(5, "E"),
        )
    }
    order = rows("2 1 finished, 1 2 finished, 3 3 finished, 4 4 finished, 5 5 finished")
    res = CategoryResult(Round(1, "R", "rally"), crews, order, {1: order}, {1: order})
    s = score_round(res, FIA)
    assert {b: s[b].bonus_points for b in (1, 3, 4, 5)} == {1: 3, 3: 2, 4: 1, 5: 0}
    assert (s[1].stage_points, s[1].points) == (5, 30 + 5 + 3)


ENTRIES = (
    "bib,category,class,driver,codriver,team,brand,model,w2rc,manufacturer\n"
    "1,Ultimate,T1+,Ann A,Bo B,T,X,Y,true,Alpha\n2,Ultimate,T1+,Cid C,Di D,T,X,Y,true,Beta\n"
    "3,Ultimate,T1+,Eve E,Fa F,T,X,Y,true,Alpha\n"
)
TIMES = """
1,1,08:00:00,10:00:00,finished
1,2,08:00:00,10:01:00,finished
1,3,08:00:00,10:02:00,finished
2,1,08:00:00,10:03:00,finished
2,2,08:00:00,10:01:00,finished
2,3,08:00:00,10:02:00,finished
"""


def _season(tmp_path, km1: float, power2: bool):
    folder = make_event(tmp_path / "r1", entries=ENTRIES, times=TIMES, stages=(1, 2))
    toml = (folder / "event.toml").read_text()
    toml = toml.replace("special_km = 300.0", f"special_km = {km1}", 1)
    if power2:
        toml = toml.replace("number = 2\n", "number = 2\npower_stage = true\n")
    (folder / "event.toml").write_text(toml)
    (tmp_path / "season.toml").write_text(
        'name = "S"\nrulebook = "fia-2026"\n[[round]]\nname = "R1"\ntype = "rally"\nevent = "r1"\n'
    )
    return tmp_path / "season.toml"


def _points(cli, season, *args):
    code, out, err = cli("standings", season, "--format", "csv", *args)
    assert code == 0, err
    return {r[1]: r[2] for r in list(csv.reader(io.StringIO(out)))[1:]}


def test_an_80_km_stage_awards_no_stage_points_and_a_power_stage_adds_3_2_1(cli, tmp_path):
    # General: Cid 2:01 + 2:01 = 4:02 (30), Ann 2:00 + 2:03 = 4:03 (25), Eve 2:02 + 2:02 = 4:04 (20).
    # Stage 2 (300 km): Cid 5, Eve 4, Ann 3.
    base = _points(cli, _season(tmp_path / "a", 300.0, False))
    assert base == {
        "Cid C": "39",
        "Ann A": "33",
        "Eve E": "27",
    }  # stage 1 (300 km): Ann 5, Cid 4, Eve 3
    short = _points(cli, _season(tmp_path / "b", 80.0, False))
    assert short == {"Cid C": "35", "Ann A": "28", "Eve E": "24"}  # stage 1 (80 km) awards nothing
    power = _points(cli, _season(tmp_path / "c", 80.0, True))
    assert power == {
        "Cid C": "38",
        "Ann A": "29",
        "Eve E": "26",
    }  # + power stage 2: Cid 3, Eve 2, Ann 1


def test_manufacturers_by_default_from_the_nominated_cars(cli, tmp_path):
    season = _season(tmp_path, 80.0, True)
    code, out, err = cli("standings", season, "--title", "manufacturers", "--format", "csv")
    assert code == 0, err
    # Nominated ranking = the general: Beta (Cid) 30 + 5 + 3; Alpha Ann 25 + 3 + 1, Eve 20 + 4 + 2.
    assert list(csv.reader(io.StringIO(out)))[1:] == [
        ["1", "Alpha", "55", "55", ""],
        ["2", "Beta", "38", "38", ""],
    ]


def test_power_stage_must_be_true_or_false(cli, tmp_path):
    folder = make_event(tmp_path / "ev", entries=ENTRIES, times=TIMES, stages=(1, 2))
    toml = (
        (folder / "event.toml")
        .read_text()
        .replace("number = 2\n", 'number = 2\npower_stage = "yes"\n')
    )
    (folder / "event.toml").write_text(toml)
    code, _, err = cli("classify", folder, "--stage", "1")
    assert code == 2 and "power_stage" in err and "event.toml:" in err


def test_stage_points_kept_on_retirement_as_the_2025_figures_show():
    """Al Rajhi, 2025: 70 → 73 at a rally he retired from: 1 point for retiring + 2 stage points kept."""
    assert FIA.stage_points_kept_on_retirement
    crews = {
        c.bib: c
        for c in (crew(1, "A"), crew(2, "B"), crew(3, "C"), crew(4, "Al Rajhi"), crew(5, "E"))
    }
    stage1 = rows("1 1 finished, 2 2 finished, 3 3 finished, 4 4 finished, 5 5 finished")
    final = rows("1 1 finished, 2 2 finished, 3 3 finished, 5 4 finished, 4 - withdrawn")
    s = score_round(CategoryResult(Round(2, "R2", "rally"), crews, final, {1: stage1}), FIA)
    assert (s[4].final_points, s[4].stage_points, s[4].points) == (1, 2, 3)


def test_the_organisers_power_stage_flag_is_imported(dakar_event):
    """Dakar 2025: the organiser's itinerary flags stage 12 (a 61 km special) as the power stage; under
    the 100 km threshold it awards the power-stage bonus only."""
    from raidcontrol.io.event_folder import read_event_toml

    _, _, records = read_event_toml(dakar_event)
    stages = {r.payload["number"]: r.payload for r in records if r.kind == "stage"}
    assert [n for n, p in stages.items() if p.get("power_stage")] == [12]
    twelve = Stage(12, "S12", stages[12]["special_km"], 1, True, power_stage=True)
    assert (
        twelve.special_km == 61
        and not awards_stage_points(twelve, FIA)
        and awards_power_bonus(twelve, FIA)
    )
