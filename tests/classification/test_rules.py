"""Unit tests of the classification rules on small hand-made events."""

from __future__ import annotations

import csv
import io
from datetime import UTC

from tests.conftest import make_event


def _classify(cli, folder, *args):
    code, out, err = cli("classify", folder, *args, "--format", "csv")
    assert code == 0, err
    return [
        (r["position"], r["bib"], r["time"], r["gap"], r["penalty"], r["status"])
        for r in csv.DictReader(io.StringIO(out))
    ]


def test_forfeit_credit_scopes_and_ties(cli, tmp_path):
    ev = make_event(
        tmp_path / "e",
        times="""
        1,200,10:00:00,14:00:00,finished
        1,201,10:01:00,14:01:00,finished
        1,202,10:02:00,,dnf
        1,500,10:03:00,15:00:00.250,finished
        1,501,10:04:00,14:02:30,finished
    """,
        adjustments="""
        1,201,credit,0:01:35,special,stopped to help an injured rider
        1,500,penalty,0:02:00,special,speeding DZ3
        1,501,penalty,0:29:00,stage,penalty outside the special
        1,202,penalty,0:45:00,special,3 missed waypoints
    """,
    )
    special = _classify(cli, ev, "--stage", "1", "--special")
    assert special == [
        ("1", "201", "3:58:25", "0:00:00", "0:00:00", "finished"),  # credit reduces time, not shown
        (
            "2",
            "501",
            "3:58:30",
            "0:00:05",
            "0:00:00",
            "finished",
        ),  # stage-scope penalty not counted here
        ("3", "200", "4:00:00", "0:01:35", "0:00:00", "finished"),
        ("4", "500", "4:59:00.250", "1:00:35.250", "0:02:00", "finished"),
        (
            "5",
            "202",
            "20:45:00",
            "16:46:35",
            "10:45:00",
            "forfeit",
        ),  # max 10 h + fixed 10 h + 45 min
    ]
    assert [s[1] for s in special] == ["201", "501", "200", "500", "202"]
    stage = _classify(cli, ev, "--stage", "1")
    assert [s[1] for s in stage] == ["201", "200", "501", "500", "202"]
    assert stage[2] == ("3", "501", "4:27:30", "0:29:05", "0:29:00", "finished")
    assert stage[4] == ("5", "202", "20:45:00", "16:46:35", "10:45:00", "forfeit")


def test_equal_times_are_ordered_by_race_number(cli, tmp_path):
    ev = make_event(
        tmp_path / "e",
        times="""
        1,202,10:00:00,14:00:00,finished
        1,200,10:05:00,14:05:00,finished
        1,201,10:03:00,14:03:00,finished
    """,
    )
    assert [(p, b) for p, b, *_ in _classify(cli, ev, "--stage", "1")] == [
        ("1", "200"),
        ("2", "201"),
        ("3", "202"),
    ]


def test_withdrawn_out_of_the_stage_and_every_later_general_disqualified_last(cli, tmp_path):
    ev = make_event(
        tmp_path / "e",
        stages=(1, 2, 3),
        times="""
        1,200,10:00:00,14:00:00,finished
        1,201,10:00:00,14:10:00,finished
        1,202,10:00:00,14:20:00,finished
        2,200,10:00:00,13:00:00,finished
        2,201,,,withdrawn
        2,202,10:00:00,13:00:00,disqualified
        3,200,10:00:00,12:00:00,finished
    """,
    )
    st2 = _classify(cli, ev, "--stage", "2")
    assert st2 == [
        ("1", "200", "3:00:00", "0:00:00", "0:00:00", "finished"),
        ("", "201", "", "", "0:00:00", "withdrawn"),
        ("", "202", "", "", "0:00:00", "disqualified"),
    ]
    g1 = _classify(cli, ev, "--general", "--after", "1")
    assert [(p, b, s) for p, b, _, _, _, s in g1] == [
        ("1", "200", "finished"),
        ("2", "201", "finished"),
        ("3", "202", "finished"),
    ]
    g3 = _classify(cli, ev, "--general")  # after the last stage with results = 3
    assert [(p, b, t, s) for p, b, t, _, _, s in g3] == [
        ("1", "200", "9:00:00", "finished"),
        ("", "201", "", "withdrawn"),
        ("", "202", "", "disqualified"),
    ]
    st3 = _classify(cli, ev, "--stage", "3")
    assert ("", "201", "", "", "0:00:00", "withdrawn") in st3  # still out at later stages


def test_prologue_does_not_count_for_fia_but_does_for_fim(cli, tmp_path):
    times = """
        0,200,10:00:00,10:10:00,finished
        0,201,10:00:00,10:20:00,finished
        1,200,10:00:00,14:00:00,finished
        1,201,10:00:00,13:55:00,finished
    """
    fia = make_event(tmp_path / "fia", prologue=True, times=times)
    assert [(b, t) for _, b, t, *_ in _classify(cli, fia, "--general")] == [
        ("201", "3:55:00"),
        ("200", "4:00:00"),
    ]
    bikes = "bib,category,class,driver,codriver,team,brand,model\n200,Bikes,RallyGP,A,,KTM,KTM,450\n201,Bikes,Rally2,B,,HON,HONDA,450\n"
    fim = make_event(
        tmp_path / "fim", prologue=True, times=times, entries=bikes, rulebook="fim-2026"
    )
    (fim / "event.toml").write_text(
        (fim / "event.toml")
        .read_text()
        .replace(
            'number = 0\nname = "Stage 0"\nspecial_km = 300.0\nmax_time = "10:00:00"\ncounts_for_general = false',
            'number = 0\nname = "Stage 0"\nspecial_km = 300.0\nmax_time = "10:00:00"\ncounts_for_general = true',
        )
    )
    assert [(b, t) for _, b, t, *_ in _classify(cli, fim, "--general")] == [
        ("200", "4:10:00"),
        ("201", "4:15:00"),
    ]
    # An FIA event may decide otherwise, through the rulebook override, not by contradicting it.
    toml = (
        (fia / "event.toml")
        .read_text()
        .replace("counts_for_general = false", "counts_for_general = true")
    )
    (fia / "event.toml").write_text(toml + "\n[rules.prologue]\ncounts_for_general = true\n")
    assert [(b, t) for _, b, t, *_ in _classify(cli, fia, "--general")] == [
        ("200", "4:10:00"),
        ("201", "4:15:00"),
    ]


def test_fixed_penalty_is_overridable_per_event(cli, tmp_path):
    ev = make_event(
        tmp_path / "e",
        times="1,200,10:00:00,,dnf",
        rules='[rules.forfeit]\nfixed_penalty = "6:00:00"',
    )
    assert _classify(cli, ev, "--stage", "1")[0][2:5] == ("16:00:00", "0:00:00", "6:00:00")


def test_corrections_and_as_of(cli, tmp_path):
    from datetime import datetime

    ev = make_event(
        tmp_path / "e",
        times="""
        1,200,10:00:00,14:00:00,finished
        1,201,10:00:00,14:01:00,finished
    """,
    )
    assert [b for _, b, *_ in _classify(cli, ev, "--stage", "1")] == ["200", "201"]
    moment = datetime.now(UTC).isoformat()
    (ev / "adjustments.csv").write_text(
        "stage,bib,kind,amount,scope,reason\n1,200,penalty,0:02:00,special,speeding\n"
    )
    assert [b for _, b, *_ in _classify(cli, ev, "--stage", "1")] == ["201", "200"]
    assert [b for _, b, *_ in _classify(cli, ev, "--stage", "1", "--as-of", moment)] == [
        "200",
        "201",
    ]
    (ev / "adjustments.csv").write_text(
        "stage,bib,kind,amount,scope,reason\n"
    )  # penalty withdrawn on appeal
    assert [b for _, b, *_ in _classify(cli, ev, "--stage", "1")] == ["200", "201"]


def test_explain_lists_every_term(cli, tmp_path):
    ev = make_event(
        tmp_path / "e",
        times="1,201,10:00:00,14:00:00,finished",
        adjustments="""
        1,201,credit,0:01:35,special,stopped to help an injured rider
        1,201,penalty,0:00:10,special,speeding
    """,
    )
    code, out, _ = cli("explain", ev, "--bib", "201", "--stage", "1")
    assert code == 0
    for text in (
        "4:00:00",
        "-0:01:35",
        "stopped to help an injured rider",
        "0:00:10",
        "speeding",
        "3:58:35",
    ):
        assert text in out
