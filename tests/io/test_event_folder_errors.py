"""Bad input: a clear error naming file, line and field, exit code 2, and nothing imported."""

from __future__ import annotations

import pytest

from raidcontrol.session import EventSession
from raidcontrol.store import JournalStore, default_url
from tests.conftest import ENTRIES, make_event

GOOD_TIMES = """
    1,200,10:00:00,14:00:00,finished
    1,201,10:01:00,14:01:00,finished
"""

CASES = {
    # name: (file to write, text, expected pieces of the message)
    "malformed csv": (
        "times.csv",
        'stage,bib,start,finish,status\n1,200,"10:00:00,14:00:00,finished\n',
        ["times.csv:2", "malformed CSV"],
    ),
    "wrong field count": (
        "times.csv",
        "stage,bib,start,finish,status\n1,200,10:00:00,14:00:00\n",
        ["times.csv:2", "4 fields"],
    ),
    "malformed toml": (
        "event.toml",
        'name = "X"\nrulebook = "fia-2026\n',
        ["event.toml:2", "malformed TOML"],
    ),
    "unknown bib": (
        "times.csv",
        "stage,bib,start,finish,status\n1,200,10:00:00,14:00:00,finished\n1,999,10:00:00,14:00:00,finished\n",
        ["times.csv:3", "field 'bib'", "unknown bib 999"],
    ),
    "duplicate record": (
        "times.csv",
        "stage,bib,start,finish,status\n1,200,10:00:00,14:00:00,finished\n1,200,10:00:00,14:10:00,finished\n",
        ["times.csv:3", "field 'bib'", "duplicate record"],
    ),
    "duplicate entry": (
        "entries.csv",
        ENTRIES + "200,Ultimate,T1+,X,Y,Z,A,B\n",
        ["entries.csv:7", "field 'bib'", "duplicate"],
    ),
    "unparseable time": (
        "times.csv",
        "stage,bib,start,finish,status\n1,200,10:00:00,14h00,finished\n",
        ["times.csv:2", "field 'finish'", "14h00"],
    ),
    "finish before start": (
        "times.csv",
        "stage,bib,start,finish,status\n1,200,10:00:00,09:59:59,finished\n",
        ["times.csv:2", "field 'finish'", "not after start"],
    ),
    "unknown category": (
        "entries.csv",
        ENTRIES + "777,Hovercraft,H1,X,Y,Z,A,B\n",
        ["entries.csv:7", "field 'category'", "Hovercraft"],
    ),
    "unknown class": (
        "entries.csv",
        ENTRIES + "777,Stock,T9,X,Y,Z,A,B\n",
        ["entries.csv:7", "field 'class'", "T9"],
    ),
    "unknown rulebook": (
        "event.toml",
        'name = "X"\nrulebook = "fia-1999"\n[[stage]]\nnumber = 1\nname = "S"\nspecial_km = 1.0\nmax_time = "9:00:00"\ncounts_for_general = true\n',
        ["event.toml:2", "field 'rulebook'", "fia-1999"],
    ),
    "bad stage value": (
        "event.toml",
        'name = "X"\nrulebook = "fia-2026"\n[[stage]]\nnumber = 1\nname = "S"\nspecial_km = 1.0\nmax_time = "nine hours"\ncounts_for_general = true\n',
        ["event.toml:7", "field 'max_time'"],
    ),
    "prologue against the rulebook": (
        "event.toml",
        'name = "X"\nrulebook = "fia-2026"\n[[stage]]\nnumber = 0\nname = "P"\nspecial_km = 1.0\nmax_time = "9:00:00"\ncounts_for_general = true\n[[stage]]\nnumber = 1\nname = "S"\nspecial_km = 1.0\nmax_time = "9:00:00"\ncounts_for_general = true\n',
        ["event.toml:8", "field 'counts_for_general'", "rules.prologue"],
    ),
    "unknown stage": (
        "adjustments.csv",
        "stage,bib,kind,amount,scope,reason\n7,200,penalty,0:01:00,special,x\n",
        ["adjustments.csv:2", "field 'stage'"],
    ),
    "bad adjustment kind": (
        "adjustments.csv",
        "stage,bib,kind,amount,scope,reason\n1,200,bonus,0:01:00,special,x\n",
        ["adjustments.csv:2", "field 'kind'"],
    ),
    "bad scope": (
        "adjustments.csv",
        "stage,bib,kind,amount,scope,reason\n1,200,penalty,0:01:00,liaison,x\n",
        ["adjustments.csv:2", "field 'scope'"],
    ),
    "missing column": (
        "times.csv",
        "stage,bib,start,status\n1,200,10:00:00,finished\n",
        ["times.csv:1", "field 'finish'"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_located_exit_2_and_nothing_is_imported(cli, tmp_path, case):
    folder = make_event(tmp_path / "e", times=GOOD_TIMES)
    code, _, _ = cli("classify", folder, "--stage", "1", "--format", "csv")
    assert code == 0
    before = JournalStore(default_url(folder), event_key="e").records()
    file, text, pieces = CASES[case]
    (folder / file).write_text(text)
    code, out, err = cli("classify", folder, "--stage", "1", "--format", "csv")
    assert code == 2 and out == ""
    message = " ".join(err.split())
    for piece in pieces:
        assert piece in message, (piece, message)
    after = JournalStore(default_url(folder), event_key="e").records()
    assert len(after) == len(before)


def test_a_bad_folder_on_first_import_creates_no_journal_records(cli, tmp_path):
    folder = make_event(tmp_path / "e", times="1,200,10:00:00,09:00:00,finished")
    code, _, err = cli("classify", folder, "--stage", "1")
    assert code == 2 and "times.csv:2" in err
    assert JournalStore(default_url(folder), event_key="e").records() == []


def test_bad_command_line_values(cli, tmp_path):
    folder = make_event(tmp_path / "e", times=GOOD_TIMES)
    assert cli("classify", folder, "--stage", "9")[0] == 2
    assert cli("classify", folder, "--stage", "1", "--general")[0] == 2
    assert cli("classify", folder, "--general", "--as-of", "yesterday")[0] == 2
    assert cli("classify", folder, "--general", "--category", "Hovercraft")[0] == 2
    assert cli("classify", folder, "--general", "--class", "T9")[0] == 2
    assert cli("explain", folder, "--bib", "999", "--stage", "1")[0] == 2
    assert cli("convert-official", tmp_path / "nowhere", tmp_path / "out")[0] == 2


def test_session_rejects_before_writing(tmp_path):
    folder = make_event(tmp_path / "e", times="1,200,10:00:00,,finished")
    with pytest.raises(Exception, match="needs a finish"):
        EventSession.open(folder)
