"""Issue 11 §2/§3 regression cases: each hostile input is refused with exit 2, located, nothing recorded.

Every case starts from a good, already-synced event folder, breaks one file and checks that the
command exits 2 with ``FILE:LINE`` and the field, never a traceback, and that the journal is unchanged.
"""

from __future__ import annotations

import os

import pytest

from raidcontrol.store import JournalStore, default_url
from tests.conftest import ENTRIES, EVENT_TOML, STAGE_TOML, make_event

GOOD_TIMES = """
    1,200,10:00:00,14:00:00,finished
    1,201,10:01:00,14:01:00,finished
"""
STAGE = STAGE_TOML.format(number=1, max_time="10:00:00", counts="true")


def event_toml(extra_top: str = "", rules: str = "", stage: str = STAGE) -> str:
    return extra_top + EVENT_TOML.format(rulebook="fia-2026", stages=stage, rules=rules)


CASES = {
    # name: (file, content (str or bytes), pieces expected in stderr)
    "latin-1 bytes": (
        "event.toml",
        event_toml().replace('"Test Rally"', '"Rallye d\'Été"').encode("latin-1"),
        ["event.toml:1", "not UTF-8"],
    ),
    "nested 1000 deep value": (
        "event.toml",
        event_toml("deep = " + "[" * 1000 + "]" * 1000 + "\n"),
        ["event.toml", "malformed TOML"],
    ),
    "nested 1000 deep rules": (
        "event.toml",
        event_toml(rules="[rules]\n" + "x = " + "{a = " * 300 + "1" + "}" * 300),
        ["event.toml", "rules"],
    ),
    "nested rules tables": (
        "event.toml",
        event_toml(rules="[rules." + ".".join(["a"] * 200) + "]\nb = 1\n"),
        ["event.toml", "field 'rules'", "nested deeper"],
    ),
    "5000-digit integer": (
        "event.toml",
        event_toml(stage=STAGE.replace("number = 1", "number = 1" + "0" * 5000)),
        ["event.toml", "malformed TOML"],
    ),
    "stage = [1, 2]": (
        "event.toml",
        'name = "X"\nrulebook = "fia-2026"\nstage = [1, 2]\n',
        ["event.toml:3", "field 'stage'"],
    ),
    "categories = 1": (
        "event.toml",
        event_toml(rules="[rules]\ncategories = 1\n"),
        ["event.toml:", "field 'rules.categories'", "table"],
    ),
    "a TOML date in [rules]": (
        "event.toml",
        event_toml(rules="[rules.forfeit]\nfixed_penalty = 2025-01-01\n"),
        ["field 'rules.forfeit.fixed_penalty'", "duration"],
    ),
    "nan special_km": (
        "event.toml",
        event_toml(stage=STAGE.replace("300.0", "nan")),
        ["event.toml:", "special_km", "finite"],
    ),
    "nan in [rules]": (
        "event.toml",
        event_toml(rules="[rules.stock.allowed.fuel_tank]\nmax = nan\n"),
        ["field 'rules.stock.allowed.fuel_tank.max'", "finite"],
    ),
    "500-character id": (
        "event.toml",
        event_toml('id = "' + "e" * 500 + '"\n'),
        ["event.toml:1", "field 'id'", "at most"],
    ),
    "fixed_penalty ten hours": (
        "event.toml",
        event_toml(rules='[rules.forfeit]\nfixed_penalty = "ten hours"\n'),
        ["field 'rules.forfeit.fixed_penalty'", "duration"],
    ),
    "fixed_penalty 36000": (
        "event.toml",
        event_toml(rules="[rules.forfeit]\nfixed_penalty = 36000\n"),
        ["field 'rules.forfeit.fixed_penalty'", "36000"],
    ),
    "forfeit none": (
        "event.toml",
        event_toml(rules='[rules]\nforfeit = "none"\n'),
        ["field 'rules.forfeit'", "table"],
    ),
    "negative fixed_penalty": (
        "event.toml",
        event_toml(rules='[rules.forfeit]\nfixed_penalty = "-10:00:00"\n'),
        ["field 'rules.forfeit.fixed_penalty'", "negative"],
    ),
    "kept_on_retirement no": (
        "event.toml",
        event_toml(rules='[rules.championship.stage_points]\nkept_on_retirement = "no"\n'),
        ["field 'rules.championship.stage_points.kept_on_retirement'", "true or false"],
    ),
    "unknown rule": (
        "event.toml",
        event_toml(rules='[rules.forfeit]\nfixed_penalties = "1:00:00"\n'),
        ["field 'rules.forfeit.fixed_penalties'", "not in the rulebook"],
    ),
    "absolute rulebook path": (
        "event.toml",
        event_toml().replace('"fia-2026"', '"/etc"'),
        ["event.toml:2", "field 'rulebook'"],
    ),
    "rulebook path with ..": (
        "event.toml",
        event_toml().replace('"fia-2026"', '"../fia-2026"'),
        ["event.toml:2", "field 'rulebook'"],
    ),
    "NUL in a rulebook path": (
        "event.toml",
        event_toml().replace('"fia-2026"', '"rules/\\u0000x"'),
        ["event.toml:2", "field 'rulebook'"],
    ),
    "control character in a name": (
        "entries.csv",
        ENTRIES + "777,Ultimate,T1+,\x1b[31mRed,Y,Z,A,B\n",
        ["entries.csv:7", "field 'driver'", "control character"],
    ),
    "arabic-indic digits": (
        "entries.csv",
        ENTRIES + "٢٠٣,Ultimate,T1+,X,Y,Z,A,B\n",
        ["entries.csv:7", "field 'bib'", "ASCII"],
    ),
    "year 9999 at -12:00": (
        "times.csv",
        (
            "stage,bib,start,finish,status\n"
            "1,200,2025-01-05T10:00:00Z,9999-12-31T23:00:00-12:00,finished\n"
        ),
        ["times.csv:2", "field 'finish'", "window"],
    ),
    "a time far from the event": (
        "times.csv",
        (
            "stage,bib,start,finish,status\n"
            "1,200,1970-01-05T10:00:00Z,1970-01-05T14:00:00Z,finished\n"
        ),
        ["times.csv:2", "field 'start'", "window"],
    ),
    "negative penalty": (
        "adjustments.csv",
        "stage,bib,kind,amount,scope,reason\n1,200,penalty,-1:00:00,special,x\n",
        ["adjustments.csv:2", "field 'amount'", "negative"],
    ),
    "huge bib": (
        "times.csv",
        "stage,bib,start,finish,status\n1,99999999999999999999999,10:00:00,14:00:00,finished\n",
        ["times.csv:2", "field 'bib'"],
    ),
}


def _records(folder):
    return len(JournalStore(default_url(folder), event_key="e").records())


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_input_is_refused_located_and_nothing_recorded(cli, tmp_path, case):
    folder = make_event(tmp_path / "e", times=GOOD_TIMES)
    assert cli("classify", folder, "--stage", "1", "--format", "csv")[0] == 0
    before = _records(folder)
    file, content, pieces = CASES[case]
    (folder / file).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    code, out, err = cli("classify", folder, "--stage", "1", "--format", "csv")
    assert (code, out) == (2, ""), err
    assert "Traceback" not in err
    for piece in pieces:
        assert piece in err, (piece, err)
    assert _records(folder) == before


def test_every_problem_of_a_file_is_reported_up_to_twenty(cli, tmp_path):
    rows = "".join(f"1,{900 + i},10:00:00,14:00:00,finished\n" for i in range(30))
    folder = make_event(
        tmp_path / "e",
        times="1,200,10:00:00,14h00,finished\n1,201,10:00:00,09:00:00,finished\n" + rows,
    )
    code, _, err = cli("classify", folder, "--stage", "1")
    lines = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert code == 2 and len(lines) == 20
    assert "times.csv:2: field 'finish'" in lines[0] and "times.csv:3: field 'finish'" in lines[1]
    assert all("unknown bib" in ln for ln in lines[2:])


def test_several_event_toml_problems_in_one_pass(cli, tmp_path):
    folder = make_event(tmp_path / "e", times=GOOD_TIMES)
    (folder / "event.toml").write_text(
        event_toml(
            stage=STAGE.replace("300.0", "-1.0").replace('"10:00:00"', '"x"'),
            rules='[rules.forfeit]\nfixed_penalty = "x"\n',
        )
    )
    code, _, err = cli("classify", folder, "--stage", "1")
    assert code == 2 and "field 'rules.forfeit.fixed_penalty'" in err
    folder2 = make_event(tmp_path / "f", times=GOOD_TIMES)
    (folder2 / "event.toml").write_text(
        event_toml(stage=STAGE.replace("300.0", "-1.0").replace('"10:00:00"', '"x"'))
    )
    code, _, err = cli("classify", folder2, "--stage", "1")
    assert code == 2 and "field 'special_km'" in err and "field 'max_time'" in err


def test_valid_overrides_still_apply(cli, tmp_path):
    folder = make_event(
        tmp_path / "e",
        times="1,200,10:00:00,,dnf",
        rules='[rules.forfeit]\nfixed_penalty = { value = "6:00:00", source = "event regulations" }',
    )
    code, out, err = cli("explain", folder, "--bib", "200", "--stage", "1")
    assert code == 0, err
    assert "6:00:00" in out


def test_a_rulebook_folder_inside_the_event(cli, tmp_path):
    from raidcontrol.rules.loader import RULEBOOK_DIR

    folder = make_event(tmp_path / "e", times=GOOD_TIMES)
    own = folder / "rules" / "my-2026"
    own.mkdir(parents=True)
    for path in (RULEBOOK_DIR / "fia-2026").glob("*.toml"):
        (own / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "event.toml").write_text(event_toml().replace('"fia-2026"', '"rules/my-2026"'))
    code, out, err = cli("classify", folder, "--stage", "1", "--format", "csv")
    assert code == 0, err and "200" in out


def test_event_dates_narrow_the_window(cli, tmp_path):
    folder = make_event(
        tmp_path / "e", times="1,200,2025-01-05T10:00:00Z,2025-01-05T14:00:00Z,finished"
    )
    (folder / "event.toml").write_text(
        event_toml("start_date = 2025-01-03\nend_date = 2025-01-17\n")
    )
    assert cli("classify", folder, "--stage", "1")[0] == 0
    (folder / "times.csv").write_text(
        "stage,bib,start,finish,status\n1,200,2024-01-05T10:00:00Z,2024-01-05T14:00:00Z,finished\n"
    )
    code, _, err = cli("classify", folder, "--stage", "1")
    assert code == 2 and "times.csv:2" in err and "window" in err


PG_URL = os.environ.get("RAIDCONTROL_TEST_PG_URL")
PG_ONLY = [
    "nan special_km",
    "nan in [rules]",
    "500-character id",
    "year 9999 at -12:00",
    "control character in a name",
]


@pytest.mark.postgres
@pytest.mark.skipif(
    not PG_URL and not os.environ.get("RAIDCONTROL_REQUIRE_PG"), reason="no PostgreSQL server given"
)
@pytest.mark.parametrize("case", PG_ONLY)
def test_postgresql_refuses_exactly_what_sqlite_refuses(cli, tmp_path, case):
    """The inputs that raised DataError on PostgreSQL only: refused before either database is touched."""
    assert PG_URL, "RAIDCONTROL_REQUIRE_PG is set but RAIDCONTROL_TEST_PG_URL is not"
    results = []
    for url in (None, PG_URL):
        folder = make_event(tmp_path / f"e-{len(results)}-{case.split()[0]}", times=GOOD_TIMES)
        db = ["--db", url] if url else []
        assert cli("classify", folder, "--stage", "1", *db)[0] == 0
        file, content, pieces = CASES[case]
        (folder / file).write_bytes(
            content if isinstance(content, bytes) else content.encode("utf-8")
        )
        code, _, err = cli("classify", folder, "--stage", "1", *db)
        assert "Traceback" not in err and "DataError" not in err
        results.append((code, [p in err for p in pieces]))
    assert results[0] == results[1] == (2, [True] * len(CASES[case][2]))
