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
    502: {
        "verdict": "not-eligible",
        "breaches": [
            _breach("R-MAN-01"),
            _breach("R-ALW-05"),
            _breach("R-MAN-01"),
            _breach("R-SEAL-02", "penalty"),
        ],
    },
    503: {"verdict": "experimental", "breaches": [_breach("R-STD-02")]},
}


def test_not_eligible_and_experimental_are_excluded_from_stock_and_flagged():
    effects = ranking_effects(VERDICTS, RB)
    assert effects == {
        500: RankingEffect(frozenset(), "", "eligible"),
        501: RankingEffect(frozenset(), "", "eligible-with-remarks", ("R-SEAL-01",)),
        502: RankingEffect(
            frozenset({"Stock"}),
            "not eligible: R-ALW-05, R-MAN-01",
            "not-eligible",
            ("R-ALW-05", "R-MAN-01", "R-SEAL-02"),
        ),
        503: RankingEffect(frozenset({"Stock"}), "experimental", "experimental", ("R-STD-02",)),
    }


def test_flag_only_keeps_the_entry_ranked():
    rb = load_rulebook("fia-2026", {"stock": {"consequences": {"not_eligible": "flag-only"}}})
    effects = ranking_effects(VERDICTS, rb)
    assert (
        effects[502].excluded_categories == frozenset()
        and effects[502].flag == "not eligible: R-ALW-05, R-MAN-01"
    )
    assert effects[503].excluded_categories == frozenset({"Stock"})


def test_the_category_name_comes_from_the_rulebook():
    rb = load_rulebook("fia-2026", {"stock": {"category": "T2"}})
    assert ranking_effects({7: {"verdict": "experimental", "breaches": []}}, rb)[
        7
    ].excluded_categories == {"T2"}


def test_keys_from_the_journal_are_text():
    assert set(ranking_effects({"503": VERDICTS[503]}, RB)) == {503}


def test_no_verdicts_no_effects():
    assert ranking_effects({}, RB) == {}


ENTRIES = {500: "Stock", 501: "Stock", 502: "Stock", 503: "Stock", 504: "Stock", 201: "Ultimate"}


def test_a_stock_entry_without_a_verdict_is_not_scrutineered_and_not_ranked():
    effects = ranking_effects(VERDICTS, RB, ENTRIES)
    assert effects[504] == RankingEffect(
        frozenset({"Stock"}), "not scrutineered", "not-scrutineered"
    )
    assert 201 not in effects  # not a Stock entry: nothing to say
    assert ranking_effects({}, RB, ENTRIES)[500].flag == "not scrutineered"


def test_an_event_without_stock_scrutineering_changes_nothing():
    rb = load_rulebook("fia-2026", {"stock": {"scrutineering": False}})
    assert ranking_effects({}, rb, ENTRIES) == {}
    assert 504 not in ranking_effects(VERDICTS, rb, ENTRIES)


def test_every_flag_and_remark_is_data():
    payload = {
        "verdict": "eligible-with-remarks",
        "remarks": ["R-LIM-01 (weight.weight_kg): not weighed"],
        "breaches": [{"rule_id": "R-LIM-01", "consequence": "remark"}],
    }
    effect = ranking_effects({510: payload}, RB)[510]
    assert effect.as_dict() == {
        "stock_verdict": "eligible-with-remarks",
        "stock_flag": "",
        "stock_rules": ["R-LIM-01"],
        "stock_remarks": ["R-LIM-01 (weight.weight_kg): not weighed"],
        "stock_ranked": True,
    }
    assert ranking_effects({}, RB, ENTRIES)[504].as_dict() == {
        "stock_verdict": "not-scrutineered",
        "stock_flag": "not scrutineered",
        "stock_rules": [],
        "stock_remarks": [],
        "stock_ranked": False,
    }
