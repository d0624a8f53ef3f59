"""Every regulation number is data with its source (or the word assumption), overridable per event."""

from __future__ import annotations

import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.rules import available_rulebooks, load_rulebook


@pytest.mark.parametrize("rid", ["fia-2026", "fim-2026"])
def test_rulebooks_exist_and_every_number_is_sourced(rid):
    assert rid in available_rulebooks()
    rb = load_rulebook(rid)
    assert rb.bare_numbers() == []
    for path, sv in rb.sourced_leaves():
        assert isinstance(sv.source, str) and len(sv.source.strip()) >= 10, path


def test_fia_and_fim_core_rules():
    fia, fim = load_rulebook("fia-2026"), load_rulebook("fim-2026")
    assert set(fia.section("categories")) >= {"Ultimate", "Stock", "Challenger", "SSV", "Trucks"}
    assert set(fim.value("categories.Bikes.classes")) == {"RallyGP", "Rally2", "Original"}
    assert (
        fia.value("prologue.counts_for_general") is False
        and fim.value("prologue.counts_for_general") is True
    )
    assert fia.duration_ms("forfeit.fixed_penalty") == 10 * 3_600_000


def test_an_event_overrides_any_value():
    rb = load_rulebook("fia-2026", {"forfeit": {"fixed_penalty": "6:00:00"}})
    assert rb.duration_ms("forfeit.fixed_penalty") == 6 * 3_600_000
    assert rb.sourced("forfeit.fixed_penalty").source == "event override"
    assert load_rulebook("fia-2026").duration_ms("forfeit.fixed_penalty") == 10 * 3_600_000


def test_unknown_rulebook():
    with pytest.raises(InputError, match="unknown rulebook"):
        load_rulebook("fia-1999")
