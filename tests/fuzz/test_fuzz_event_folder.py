"""Fuzzing the event folder: event.toml and each CSV file, mutated from a valid folder.

Every input is read in-process (``read_event_folder``: returns or raises a located InputError);
one in ``JOURNAL_EVERY`` also runs ``raidcontrol classify`` on a folder already synced into its
journal, on SQLite and (when configured) PostgreSQL: exit 0, or exit 2 and the journal unchanged.
"""

from __future__ import annotations

import tomllib

from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import ENTRIES, make_event
from tests.fuzz.harness import (
    check_cli,
    check_reader,
    db_urls,
    fuzz_settings,
    journal_subset,
    scratch,
)
from tests.fuzz.strategies import csv_mutation, dumps, leaf_mutation, text_mutation

TIMES = "1,200,10:00:00,14:00:00,finished\n1,201,10:01:00,,dnf\n2,200,2025-01-06T23:00:00+03:00,2025-01-07T02:00:00+03:00,finished\n"
ADJUSTMENTS = (
    "1,200,penalty,0:05:00,special,missed WP\n1,201,credit,0:01:35,special,helped a crew\n"
)
SPLITS = "stage,bib,waypoint,elapsed,position\n1,200,01207,0:30:05,1\n1,201,01207,0:31:00,\n"


def _folder(root):
    # a unique folder name: the event's key in a shared PostgreSQL journal is the folder's name
    folder = make_event(
        root / f"e-{root.name}",
        times=TIMES,
        adjustments=ADJUSTMENTS,
        stages=(1, 2),
        prologue=True,
        rules='[rules.forfeit]\nfixed_penalty = "10:00:00"\n',
    )
    (folder / "splits.csv").write_text(SPLITS)
    return folder


FILES = ["event.toml", "entries.csv", "times.csv", "adjustments.csv", "splits.csv"]


@st.composite
def mutated_folder(draw):
    """(file name, new bytes): one file of the valid folder, mutated structurally or textually."""
    with scratch() as root:
        folder = _folder(root)
        name = draw(st.sampled_from(FILES))
        text = (folder / name).read_text(encoding="utf-8")
    how = draw(st.sampled_from(["structure", "text"]))
    if how == "text":
        return name, draw(text_mutation(text))
    if name == "event.toml":
        written = dumps(draw(leaf_mutation(tomllib.loads(text))), "toml")
        return name, written if written is not None else draw(text_mutation(text))
    header, *rows = [line.split(",") for line in text.strip().splitlines()]
    return name, draw(csv_mutation(header, rows)).encode()


def _run(name: str, content: bytes) -> None:
    from raidcontrol.io.event_folder import read_event_folder

    with scratch() as root:
        folder = _folder(root)
        (folder / name).write_bytes(content)
        check_reader("event_folder", lambda: read_event_folder(folder))
    if journal_subset((name, content)):
        for url in db_urls():
            with scratch() as root:
                folder = _folder(root)
                check_cli(
                    "event_folder", ["classify", folder, "--general", "--format", "csv"], db_url=url
                )
                (folder / name).write_bytes(content)
                check_cli(
                    "event_folder",
                    ["classify", folder, "--general", "--format", "csv"],
                    journal=folder,
                    db_url=url,
                )


@fuzz_settings("event_folder")
@given(mutated=mutated_folder())
@example(mutated=("event.toml", b'name = "Rallye d\'\xc9t\xe9"\nrulebook = "fia-2026"\n'))
@example(mutated=("event.toml", b'name = "X"\nrulebook = "fia-2026"\nstage = [1, 2]\n'))
@example(
    mutated=("event.toml", b'name = "X"\nrulebook = "fia-2026"\nx = ' + b"[" * 1000 + b"]" * 1000)
)
@example(
    mutated=(
        "event.toml",
        b'name = "X"\nrulebook = "fia-2026"\n[[stage]]\nnumber = 1' + b"0" * 5000,
    )
)
@example(
    mutated=("entries.csv", (ENTRIES + "\u0662\u0660\u0663,Ultimate,T1+,X,Y,Z,A,B\n").encode())
)
@example(
    mutated=(
        "times.csv",
        (
            b"stage,bib,start,finish,status\n1,200,2025-01-05T10:00:00Z,9999-12-31T23:00:00-12:00,"
            b"finished\n"
        ),
    )
)
@example(
    mutated=(
        "adjustments.csv",
        b"stage,bib,kind,amount,scope,reason\n1,200,penalty,-10:00:00,special,x\n",
    )
)
@example(mutated=("splits.csv", b"stage,bib,waypoint,elapsed\n1,200," + b"W" * 300 + b",0:10:00\n"))
@example(
    mutated=("event.toml", b'name = "X"\nrulebook = "a/\\u0000b"\n')
)  # found by the campaign: NUL in a path
def test_fuzz_event_folder(mutated):
    _run(*mutated)
