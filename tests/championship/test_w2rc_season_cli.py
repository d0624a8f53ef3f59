"""A hand-computed season through the real command: event folders → journal → standings.

Season: round 1 Dakar (marathon, 2 stages), round 2 Portugal (rally, 2 stages), round 3
Argentina (rally, not yet run, 2 stages planned).  Ultimate crews: 200 Ann (Toyota), 201 Cid
(Dacia), 202 Eve (not W2RC-registered), 203 Gil (Toyota); Stock: 500 Gus, 501 Ivy.
"""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime
from pathlib import Path

from raidcontrol.core.journal import Record
from raidcontrol.session import EventSession
from tests.conftest import make_event

HEADER = (
    "bib,category,class,driver,codriver,team,brand,model,w2rc,manufacturer,driver_id,codriver_id\n"
)
DAKAR_ENTRIES = (
    HEADER
    + """\
200,Ultimate,T1+,Ann Driver,Bob Nav,Team A,TOYOTA,HILUX,true,Toyota Gazoo Racing,,
201,Ultimate,T1+,Cid Driver,Dee Nav,Team B,DACIA,SANDRIDER,true,Dacia,,
202,Ultimate,T1.1,Eve Driver,Fay Nav,Team C,MINI,JCW,false,,,
203,Ultimate,T1+,Gil Driver,Hub Nav,Team A,TOYOTA,HILUX,true,Toyota Gazoo Racing,gil-77,
500,Stock,Stock,Gus Driver,Hal Nav,Defender,DEFENDER,D7X-R,true,,,
501,Stock,Stock,Ivy Driver,Jon Nav,TLC,TOYOTA,LAND CRUISER,true,,,
"""
)
DAKAR_TIMES = """
1,200,10:00:00,14:00:00,finished
1,201,10:00:00,14:05:00,finished
1,202,10:00:00,13:50:00,finished
1,203,10:00:00,14:10:00,finished
1,500,10:00:00,15:00:00,finished
1,501,10:00:00,15:10:00,finished
2,200,,,withdrawn
2,201,09:00:00,12:00:00,finished
2,202,09:00:00,12:05:00,finished
2,203,09:00:00,12:10:00,finished
2,500,09:00:00,13:00:00,finished
2,501,09:00:00,13:20:00,finished
"""
# Different spellings at round 2: Ann by name normalisation, Cid through the alias table,
# Gil through his stable id; the manufacturer through the manufacturer alias table.
PORTUGAL_ENTRIES = (
    HEADER
    + """\
200,Ultimate,T1+,DRIVER Ann,Bob Nav,Team A,TOYOTA,HILUX,yes,TGR,,
201,Ultimate,T1+,C. Driver,Dee Nav,Team B,DACIA,SANDRIDER,yes,DACIA,,
202,Ultimate,T1.1,Eve Driver,Fay Nav,Team C,MINI,JCW,,,,
203,Ultimate,T1+,Gill Driver,Hub Nav,Team A,TOYOTA,HILUX,yes,toyota gazoo racing,gil-77,
"""
)
PORTUGAL_TIMES = """
1,200,08:00:00,10:00:00,finished
1,201,08:00:00,10:02:00,finished
1,202,08:00:00,09:59:00,finished
1,203,08:00:00,10:01:00,finished
2,200,08:00:00,10:00:00,finished
2,201,08:00:00,10:01:00,finished
2,202,08:00:00,10:03:00,finished
2,203,08:00:00,10:02:30,finished
"""
SEASON = """\
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

[[person]]
id = "cid"
name = "Cid Driver"
aliases = ["C. Driver"]

[[manufacturer]]
id = "toyota"
name = "Toyota Gazoo Racing"
aliases = ["TGR"]
"""


def build_season(root: Path, season_text: str = SEASON) -> Path:
    make_event(root / "dakar", entries=DAKAR_ENTRIES, times=DAKAR_TIMES, stages=(1, 2))
    make_event(root / "portugal", entries=PORTUGAL_ENTRIES, times=PORTUGAL_TIMES, stages=(1, 2))
    (root / "season.toml").write_text(season_text)
    return root / "season.toml"


def table(cli, *args, countback: tuple[str, ...] = ()) -> list[list[str]]:
    """The standings CSV without its last column, countback, which must hold ``countback`` (one note per
    line, in order; empty notes when no tie on points was settled by countback)."""
    code, out, err = cli("standings", *args, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][-1] == "countback"
    assert [r[-1] for r in rows[1:]] == list(countback or [""] * (len(rows) - 1))
    return [r[:-1] for r in rows]


def test_drivers_codrivers_manufacturers_hand_computed(cli, tmp_path):
    season = build_season(tmp_path)
    # Dakar (marathon): Eve (not registered) is 1st overall and takes no points place: Cid 1st = 50,
    # Gil 2nd = 40, Ann withdrew = 2.  Stage points among registered crews: stage 1 Ann 5, Cid 4,
    # Gil 3; stage 2 Cid 5, Gil 4.  Ann keeps her stage win after retiring: 2 + 5 = 7.
    # Portugal (rally): Ann 30 + 5 + 5, Cid 25 + 3 + 4, Gil 20 + 4 + 3.
    assert table(cli, season) == [
        ["position", "name", "points", "Dakar", "Portugal"],
        ["1", "Cid Driver", "91", "59", "32"],
        ["2", "Gill Driver", "74", "47", "27"],
        ["3", "DRIVER Ann", "47", "7", "40"],
    ]
    assert table(cli, season, "--title", "codrivers")[1:] == [
        ["1", "Dee Nav", "91", "59", "32"],
        ["2", "Hub Nav", "74", "47", "27"],
        ["3", "Bob Nav", "47", "7", "40"],
    ]
    # Best two Toyotas: Dakar Gil 47 + Ann 7 = 54; Portugal Ann 40 + Gil 27 = 67.
    assert table(cli, season, "--title", "manufacturers")[1:] == [
        ["1", "Toyota Gazoo Racing", "121", "54", "67"],
        ["2", "DACIA", "91", "59", "32"],
    ]  # the latest spelling
    assert table(cli, season, "--after", "1") == [
        ["position", "name", "points", "Dakar"],
        ["1", "Cid Driver", "59", "59"],
        ["2", "Gil Driver", "47", "47"],
        ["3", "Ann Driver", "7", "7"],
    ]
    assert table(cli, season, "--after", "Dakar") == table(cli, season, "--after", "1")


def test_experimental_stock_car_scores_nothing(cli, tmp_path):
    season = build_season(tmp_path)
    # No scrutineering record yet: both Stock cars are "not scrutineered", not ranked in Stock, no points.
    assert table(cli, season, "--category", "Stock", "--after", "1")[1:] == []
    session = EventSession.open(tmp_path / "dakar")
    session.record(
        [
            Record(
                "scrutineering",
                str(bib),
                {"verdict": "eligible"},
                author="scrutineering",
                origin="scrutineering",
            )
            for bib in (500, 501)
        ]
    )
    session.close()
    assert table(cli, season, "--category", "Stock", "--after", "1")[1:] == [
        ["1", "Gus Driver", "60", "60"],
        ["2", "Ivy Driver", "48", "48"],
    ]
    session = EventSession.open(tmp_path / "dakar")
    session.record(
        [
            Record(
                "scrutineering",
                "500",
                {"verdict": "experimental"},
                author="scrutineering",
                origin="scrutineering",
            )
        ]
    )
    session.close()
    assert table(cli, season, "--category", "Stock", "--after", "1")[1:] == [
        ["1", "Ivy Driver", "60", "60"]
    ]


def test_late_penalty_swaps_two_contenders_and_as_of_shows_before(cli, tmp_path):
    season = build_season(tmp_path)
    assert [r[1] for r in table(cli, season)[1:3]] == ["Cid Driver", "Gill Driver"]
    before = datetime.now(UTC)
    time.sleep(0.05)
    # Upheld on appeal hours later: 30 min on Cid at Dakar stage 2.  Gil now wins the Dakar
    # (50 + 3 + 5 = 58) and Cid is 2nd (40 + 4 + 4 = 48).
    (tmp_path / "dakar" / "adjustments.csv").write_text(
        "stage,bib,kind,amount,scope,reason\n2,201,penalty,0:30:00,stage,speeding in DZ4 (upheld on appeal)\n"
    )
    assert table(cli, season)[1:] == [
        ["1", "Gill Driver", "85", "58", "27"],
        ["2", "Cid Driver", "80", "48", "32"],
        ["3", "DRIVER Ann", "47", "7", "40"],
    ]
    old = table(cli, season, "--as-of", before.isoformat())
    assert old[1] == ["1", "Cid Driver", "91", "59", "32"]


def test_outlook_before_the_last_round(cli, tmp_path):
    season = build_season(tmp_path)
    code, out, err = cli("standings", season, "--outlook", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["name"], r["points"], r["max_points"], r["status"]) for r in rows] == [
        ("Cid Driver", "91", "131", "can win"),
        ("Gill Driver", "74", "114", "can win"),
        ("DRIVER Ann", "47", "87", "out"),
    ]
    # Argentina: at most 30 + 2 × 5 = 40.  Gil's best is 114; Cid 2nd = 116 > 114, Cid 3rd = 111.
    assert (
        rows[0]["condition"]
        == "Cid Driver is champion by finishing 2nd or better at round 3 (Argentina)"
    )
    # Ann is "out" (87 at most < Cid's 91): no threat, not named (issue 8).
    assert rows[1]["condition"] == (
        "Gill Driver is champion by outscoring Cid Driver by more than 17 points over the "
        "remaining rounds (a tie on points goes to countback)"
    )
    code, out, err = cli("standings", season, "--outlook")
    assert code == 0, err
    assert "most points still available: 40" in out


def test_outlook_after_round_one(cli, tmp_path):
    season = build_season(tmp_path)
    code, out, _ = cli("standings", season, "--outlook", "--after", "1", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    # Portugal (its event folder: 2 stages of 300 km, 30 + 2 × 5) and Argentina (2 stages planned in
    # season.toml: 40) are still open: 80.
    assert [(r["name"], r["max_points"], r["status"]) for r in rows] == [
        ("Cid Driver", "139", "can win"),
        ("Gil Driver", "127", "can win"),
        ("Ann Driver", "87", "can win"),
    ]


def bad(cli, season) -> str:
    code, out, err = cli("standings", season, "--format", "csv")
    assert code == 2 and out == ""
    return err


def test_unknown_event_folder(cli, tmp_path):
    season = build_season(tmp_path, SEASON.replace('event = "portugal"', 'event = "lisbon"'))
    err = bad(cli, season)
    assert "unknown event folder 'lisbon'" in err and "season.toml:12" in err


def test_round_listed_twice(cli, tmp_path):
    season = build_season(tmp_path, SEASON.replace('event = "portugal"', 'event = "dakar"'))
    assert "event folder 'dakar' is listed twice" in bad(cli, season)
    season = build_season(tmp_path, SEASON.replace('name = "Portugal"', 'name = "DAKAR"'))
    assert "round 'DAKAR' is listed twice" in bad(cli, season)


def test_event_with_another_rulebook_is_refused_before_anything_is_written(cli, tmp_path):
    season = build_season(tmp_path)
    text = (tmp_path / "portugal" / "event.toml").read_text().replace('"fia-2026"', '"fim-2026"')
    (tmp_path / "portugal" / "event.toml").write_text(text)
    err = bad(cli, season)
    assert "rulebook 'fim-2026' is not the season's 'fia-2026'" in err
    assert not (tmp_path / "dakar" / ".raidcontrol").exists()  # round 1 was not synced either


def test_bad_options(cli, tmp_path):
    season = build_season(tmp_path)
    code, _, err = cli("standings", season, "--title", "teams")
    assert code == 2 and "--title" in err
    code, _, err = cli("standings", season, "--category", "Trucks")
    assert code == 2 and "unknown championship category" in err
    code, _, err = cli("standings", season, "--after", "9")
    assert code == 2 and "no round '9'" in err
    code, _, err = cli("standings", tmp_path / "nope.toml")
    assert code == 2 and "no such season file" in err


def test_season_overrides_the_championship_rules(cli, tmp_path):
    # The pre-2024 rule, for a what-if: a crew that retires loses its stage points (Ann: 2, not 2 + 5).
    season = build_season(
        tmp_path, SEASON + "\n[rules.championship.stage_points]\nkept_on_retirement = false\n"
    )
    assert table(cli, season, "--after", "1")[3] == ["3", "Ann Driver", "2", "2"]
    season = build_season(tmp_path, "teams = true\n" + SEASON)
    assert "unknown keys teams" in bad(cli, season)


def test_chart_of_the_points_after_each_round(cli, tmp_path):
    season = build_season(tmp_path)
    code, _, err = cli("standings", season, "--chart", tmp_path / "points.gif")
    assert (
        code == 2 and ".png or .svg" in err and not (tmp_path / "dakar" / ".raidcontrol").exists()
    )
    code, _, err = cli(
        "standings", season, "--chart", tmp_path / "out" / "points.png", "--format", "csv"
    )
    assert code == 0, err
    assert (tmp_path / "out" / "points.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_penalty_confirmed_then_dismissed_on_appeal(cli, tmp_path):
    season = build_season(tmp_path)
    session = EventSession.open(tmp_path / "dakar")
    (proposed,) = session.record(
        [
            Record(
                "penalty-proposed",
                "tracking/201/2/DZ4",
                {
                    "stage": 2,
                    "bib": 201,
                    "amount_ms": 30 * 60_000,
                    "scope": "stage",
                    "reason": "speeding in DZ4",
                },
                author="tracking",
                origin="tracking",
            )
        ]
    )
    leaders = lambda *a: [r[1] for r in table(cli, season, *a)[1:3]]
    assert leaders() == ["Cid Driver", "Gill Driver"]  # proposed only: does not count
    session.record(
        [
            Record(
                "penalty-decision",
                str(proposed.id),
                {"decision": "confirmed"},
                author="stewards",
                origin="stewards",
            )
        ]
    )
    assert leaders() == ["Gill Driver", "Cid Driver"]  # confirmed: 85 to 80
    confirmed_at = datetime.now(UTC)
    time.sleep(0.05)
    session.record(
        [
            Record(
                "penalty-decision",
                str(proposed.id),
                {"decision": "dismissed"},
                author="court of appeal",
                origin="stewards",
            )
        ]
    )
    session.close()
    assert leaders() == ["Cid Driver", "Gill Driver"]  # dismissed on appeal
    assert leaders("--as-of", confirmed_at.isoformat()) == ["Gill Driver", "Cid Driver"]


def test_bad_registration_value_names_the_round(cli, tmp_path):
    season = build_season(tmp_path)
    entries = (
        (tmp_path / "portugal" / "entries.csv").read_text().replace(",yes,TGR,", ",maybe,TGR,")
    )
    (tmp_path / "portugal" / "entries.csv").write_text(entries)
    err = bad(cli, season)
    assert (
        "round 2 (Portugal), event folder portugal: bib 200: w2rc must be true or false, not 'maybe'"
        in err
    )


FIM_ENTRIES = """\
bib,category,class,driver,codriver,team,brand,model,w2rc,manufacturer
1,Bikes,RallyGP,Rider One,,Works A,KTM,450,true,KTM
2,Bikes,RallyGP,Rider Two,,Works B,HONDA,450,false,
3,Bikes,RallyGP,Rider Three,,Works A,KTM,450,true,KTM
20,Bikes,Rally2,Privateer One,,Club,HUSQVARNA,450,,
21,Bikes,Rally2,Privateer Two,,Club,KTM,450,,
"""
FIM_TIMES = """
1,1,08:00:00,12:00:00,finished
1,2,08:00:00,11:50:00,finished
1,3,08:00:00,12:10:00,finished
1,20,08:00:00,12:30:00,finished
1,21,08:00:00,12:20:00,finished
"""


def test_fim_season_classes_and_automatic_registration(cli, tmp_path):
    make_event(tmp_path / "dakar", entries=FIM_ENTRIES, times=FIM_TIMES, rulebook="fim-2026")
    (tmp_path / "season.toml").write_text(
        'name = "FIM"\nrulebook = "fim-2026"\n\n[[round]]\nname = "Dakar"\n'
        'type = "marathon"\nevent = "dakar"\n'
    )
    season = tmp_path / "season.toml"
    # RallyGP (registration needed): Rider Two is not registered; marathon = the scale × 1.5 (assumption).
    assert table(cli, season)[1:] == [
        ["1", "Rider One", "37.5", "37.5"],
        ["2", "Rider Three", "30", "30"],
    ]
    # Rally2 riders are registered automatically.
    assert table(cli, season, "--category", "Rally2")[1:] == [
        ["1", "Privateer Two", "37.5", "37.5"],
        ["2", "Privateer One", "30", "30"],
    ]
    assert table(cli, season, "--title", "manufacturers")[1:] == [["1", "KTM", "67.5", "67.5"]]
    code, _, err = cli("standings", season, "--title", "codrivers")
    assert code == 2 and "awards no 'codrivers' title" in err


def test_json_points_are_numbers_and_missing_rounds_null(cli, tmp_path):
    import json

    season = build_season(
        tmp_path,
        SEASON.replace(
            'event = "portugal"',
            'event = "portugal"\n\n[[round]]\nname = "Maroc"\ntype = "rally"\nevent = "maroc"',
        ),
    )
    make_event(
        tmp_path / "maroc",
        entries=HEADER + "203,Ultimate,T1+,Gil Driver,Hub Nav,A,T,H,true,,gil-77,\n",
        times="1,203,08:00:00,10:00:00,finished",
    )
    code, out, err = cli("standings", season, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    # Maroc is listed before Argentina (not yet run), so the standings stop after Maroc.
    assert rows[0] == {
        "position": 1,
        "name": "Gil Driver",
        "points": 109,
        "Dakar": 47,
        "Portugal": 27,
        "Maroc": 35,
        "countback": None,  # JSON null for none: the points decided (an empty cell in CSV)
    }  # 30 + 5: alone at Maroc
    assert rows[1]["Maroc"] is None


def test_provisional_rounds_are_said_so(cli, tmp_path):
    season = build_season(tmp_path)
    code, out, _ = cli("standings", season)
    assert code == 0 and "provisional: Dakar, Portugal" in out
    for name in ("dakar", "portugal"):
        path = tmp_path / name / "event.toml"
        path.write_text(
            path.read_text().replace(
                "counts_for_general = true", "counts_for_general = true\nfinal = true"
            )
        )
    code, out, _ = cli("standings", season)
    assert code == 0 and "provisional" not in out
