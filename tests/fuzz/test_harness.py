"""The harness itself: its property fails on what it must catch (so a green fuzz run means something)."""

from __future__ import annotations

import math

import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import Record
from tests.fuzz.harness import check_cli, check_reader, storable


def test_a_located_refusal_and_a_clean_return_pass():
    assert check_reader("selftest", lambda: [Record("entry", "1", {"bib": 1})])[0].key == "1"

    def refuse():
        raise InputError("bad", file="x.csv", line=2, field="bib")

    assert check_reader("selftest", refuse) is None


@pytest.mark.parametrize(
    "error", [ValueError("boom"), KeyError("k"), RecursionError(), InputError("no file")]
)
def test_a_crash_or_an_unlocated_error_fails(error):
    def crash():
        raise error

    with pytest.raises(AssertionError):
        check_reader("selftest", crash)


@pytest.mark.parametrize(
    "value", [math.nan, {"a": [math.inf]}, "a\x00b", 2**64, Record("x", "k", {"v": -math.inf})]
)
def test_what_postgresql_refuses_is_not_storable(value):
    assert storable(value)
    with pytest.raises(AssertionError):
        check_reader("selftest", lambda: value)


def test_cli_exit_codes_are_checked(tmp_path):
    assert check_cli("selftest", ["--help"]) == 0
    with pytest.raises(AssertionError):  # a usage error without a file is not a located input error
        check_cli("selftest", ["classify", tmp_path / "nowhere", "--bogus-option"])
