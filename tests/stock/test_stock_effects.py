"""ranking_effects: what a verdict does to the classification, with hand-made verdicts."""
from __future__ import annotations

from raidcontrol.rules import load_rulebook
from raidcontrol.stock import RankingEffect, ranking_effects

RB = load_rulebook("fia-2026")


def _breach(rule_id, consequence="not-eligible"):
    return {"rule_id": rule_id, "consequence": consequence}


VERDICTS = {
    500: {"verdict": "eligible", "breaches": []},
    501: {"verdict": "eligible-with-remarks", "breaches": [_breach("R-SEAL-01", "penalty")]},
    502: {"verdict": "not-eligible", "breaches": [_breach("R-MAN-01"), _breach("R-ALW-05"), _breach("R-MAN-01"),
                                                  _breach("R-SEAL-02", "penalty")]},
    503: {"verdict": "experimental", "breaches": [_breach("R-STD-02")]},
}


def test_not_eligible_and_experimental_are_excluded_from_stock_and_flagged():
    effects = ranking_effects(VERDICTS, RB)
    assert effects == {
        502: RankingEffect(frozenset({"Stock"}), "not eligible: R-ALW-05, R-MAN-01"),
        503: RankingEffect(frozenset({"Stock"}), "experimental"),
    }


def test_flag_only_keeps_the_entry_ranked():
    rb = load_rulebook("fia-2026", {"stock": {"consequences": {"not_eligible": "flag-only"}}})
    effects = ranking_effects(VERDICTS, rb)
    assert effects[502] == RankingEffect(frozenset(), "not eligible: R-ALW-05, R-MAN-01")
    assert effects[503].excluded_categories == frozenset({"Stock"})


def test_the_category_name_comes_from_the_rulebook():
    rb = load_rulebook("fia-2026", {"stock": {"category": "T2"}})
    assert ranking_effects({7: {"verdict": "experimental", "breaches": []}}, rb)[7].excluded_categories == {"T2"}


def test_keys_from_the_journal_are_text():
    assert set(ranking_effects({"503": VERDICTS[503]}, RB)) == {503}


def test_no_verdicts_no_effects():
    assert ranking_effects({}, RB) == {}
