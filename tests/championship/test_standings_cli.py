"""`raidcontrol standings`: every total traced (--rounds), countback said, duplicates warned, outlook plans."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from tests.championship.test_w2rc_season_cli import build_season

SEASON_FOUR = """\
name = "Test W2RC"
rulebook = "fia-2026"

[[round]]
name = "Dakar"
type = "marathon"
event = "dakar"

[[round]]
name = "Portugal"
type = "rally"
event = "portugal"

[[round]]
name = "Argentina"
type = "rally"
stages = 2

[[round]]
name = "Maroc"
type = "rally"
"""


def rows(cli, *args) -> list[dict]:
    code, out, err = cli("standings", *args, "--format", "csv")
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def test_rounds_trace_every_total(cli, tmp_path):
    season = build_season(tmp_path)
    traced = rows(cli, season, "--rounds")
    assert list(traced[0]) == [
        "position",
        "name",
        "round",
        "place",
        "final_points",
        "stage_points",
        "bonus_points",
        "points",
        "bibs",
    ]
    cid = [r for r in traced if r["name"] == "Cid Driver"]
    # Dakar: 1st among the registered (50) + stage points 4 + 5; Portugal: 2nd (25) + 3 + 4.
    assert [
        (r["round"], r["place"], r["final_points"], r["stage_points"], r["points"], r["bibs"])
        for r in cid
    ] == [("Dakar", "1", "50", "9", "59", "201"), ("Portugal", "2", "25", "7", "32", "201")]
    totals = {r["name"]: int(r["points"]) for r in rows(cli, season)}
    for name, total in totals.items():
        assert sum(int(r["points"]) for r in traced if r["name"] == name) == total
    makers = rows(cli, season, "--rounds", "--title", "manufacturers")
    toyota = [r for r in makers if r["name"] == "Toyota Gazoo Racing"]
    assert (
        toyota[0]["bibs"] == "203 200" and toyota[0]["points"] == "54"
    )  # the counted cars, best first


def test_countback_is_said_with_the_deciding_counts(cli, tmp_path):
    season = build_season(tmp_path)
    # A season scale under which 1st and 2nd at the Dakar end level: Cid 1st 45 + stages 4 + 5 = 54,
    # Gil 2nd 47 + 3 + 4 = 54.  Cid has the win: ahead on countback, 1 win to 0.
    season.write_text(
        season.read_text() + "\n[rules.championship.scales.marathon]\npositions = [45, 47, 30]\n"
    )
    standing = rows(cli, season, "--after", "1")
    assert [(r["position"], r["name"], r["points"], r["countback"]) for r in standing] == [
        ("1", "Cid Driver", "54", "ahead of Gil Driver on countback: 1 win to 0"),
        ("2", "Gil Driver", "54", "behind Cid Driver on countback: 0 wins to 1"),
        ("3", "Ann Driver", "7", ""),
    ]


def test_likely_duplicate_people_are_warned_about(cli, tmp_path):
    season = build_season(tmp_path)
    entries = tmp_path / "portugal" / "entries.csv"
    entries.write_text(entries.read_text().replace("DRIVER Ann", "A. Driver"))
    code, _, err = cli("standings", season, "--format", "csv")
    assert code == 0
    flat = " ".join(err.split())
    assert (
        "warning: 'A. Driver' and 'Ann Driver' may be one person" in flat and "[[person]]" in flat
    )
    code, _, err = cli("standings", season, "--title", "codrivers", "--format", "csv")
    assert "warning" not in err


def test_outlook_says_which_rounds_use_the_planned_default(cli, tmp_path):
    season = build_season(tmp_path, SEASON_FOUR)
    code, out, err = cli("standings", season, "--outlook", "--format", "csv")
    assert code == 0
    assert "round 4 (Maroc)" in err and "planned stages" in err
    code, out, _ = cli("standings", season, "--outlook")
    flat = " ".join(out.split())
    assert "round 3 (Argentina): 2 point stage(s) (season.toml)" in flat
    assert "round 4 (Maroc): 5 point stage(s) (rulebook default, not yet in a folder)" in flat


def test_outlook_after_round_one_counts_the_folder_of_round_two(cli, tmp_path):
    season = build_season(tmp_path, SEASON_FOUR)
    code, out, _ = cli("standings", season, "--outlook", "--after", "1")
    assert code == 0
    assert "round 2 (Portugal): 2 point stage(s) (event folder)" in " ".join(out.split())


def test_chart_without_a_global_backend_switch(tmp_path):
    code = (
        "import sys, matplotlib; before = dict.__getitem__(matplotlib.rcParams, 'backend');"
        "from raidcontrol.cli.standings import write_chart;"
        "from raidcontrol.championship.season_results import SeasonTable;"
        "from pathlib import Path;"
        f"write_chart(SeasonTable('drivers', 'Ultimate', 0, (), ()), 'x', Path(r'{tmp_path}/c.png'));"
        "assert 'matplotlib.pyplot' not in sys.modules;"
        "assert dict.__getitem__(matplotlib.rcParams, 'backend') == before"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c.png").stat().st_size > 0
