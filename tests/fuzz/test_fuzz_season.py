"""Fuzzing season files: ``season.toml`` mutated structurally (a value replaced) or textually.

``read_season`` must return or raise a located InputError; an accepted season's rulebook (with its
``[rules]`` overrides) must be usable by the championship rules.  One input in ``JOURNAL_EVERY`` runs
``raidcontrol standings`` on a season whose round has an event folder (exit 0 or 2, journal unchanged on 2).
"""

from __future__ import annotations

import tomllib

from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import make_event
from tests.fuzz.harness import (
    check_cli,
    check_reader,
    db_urls,
    fuzz_settings,
    journal_subset,
    scratch,
)
from tests.fuzz.strategies import dumps, leaf_mutation, text_mutation

SEASON = """\
name = "W2RC 2026"
rulebook = "fia-2026"

[[round]]
name = "Dakar"
type = "marathon"
event = "dakar"

[[round]]
name = "Abu Dhabi"
type = "rally"
stages = 5

[rules.championship.stage_points]
kept_on_retirement = false

[[person]]
id = "ann-driver"
name = "Ann Driver"
aliases = ["A. Driver"]
"""
TIMES = "1,200,10:00:00,14:00:00,finished\n1,201,10:01:00,14:01:00,finished\n"


@st.composite
def mutated_season(draw):
    if draw(st.booleans()):
        return draw(text_mutation(SEASON))
    written = dumps(draw(leaf_mutation(tomllib.loads(SEASON))), "toml")
    return written if written is not None else draw(text_mutation(SEASON))


def _read(path):
    from raidcontrol.championship.rules import championship_rules
    from raidcontrol.io.season import read_season

    season = read_season(path)
    championship_rules(season.rulebook())
    return season.rules


@fuzz_settings("season")
@given(content=mutated_season())
@example(content=SEASON.replace("kept_on_retirement = false", 'kept_on_retirement = "no"').encode())
@example(content=SEASON.replace("W2RC", "Saison \xe9t\xe9").encode("latin-1"))
@example(content=SEASON.replace("stages = 5", "stages = 5" + "0" * 5000).encode())
@example(content=(SEASON + "deep = " + "[" * 1000 + "]" * 1000 + "\n").encode())
@example(content=SEASON.replace('event = "dakar"', 'event = "../../etc"').encode())
@example(
    content=SEASON.replace('aliases = ["A. Driver"]', 'aliases = [""]').encode()
)  # found by this fuzzer
def test_fuzz_season(content):
    with scratch() as root:
        make_event(root / "dakar", times=TIMES)  # the event key is unique: see the id below
        (root / "dakar" / "event.toml").write_text(
            f'id = "dakar-{root.name}"\n' + (root / "dakar" / "event.toml").read_text()
        )
        (root / "season.toml").write_bytes(content)
        check_reader("season", lambda: _read(root / "season.toml"))
        if journal_subset(content):
            for url in db_urls():
                check_cli(
                    "season",
                    ["standings", root / "season.toml", "--format", "csv"],
                    journal=root / "dakar",
                    db_url=url,
                )
