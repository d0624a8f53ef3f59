"""The Stock rulebook and the production-reference library are data, sourced, overridable."""

from __future__ import annotations

import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.rules import load_rulebook
from raidcontrol.stock import stock_rules
from raidcontrol.stock.rules import GROUPS
from raidcontrol.stock.sheet import SECTIONS
from tests.stock.stock_fixtures import LIBRARY, RULES, case, verdict_of


def _is_sourced(text: str) -> bool:
    return text.startswith("http") or text.lower().startswith("assumption") or "http" in text


def test_every_rule_has_id_text_and_source():
    rules = [RULES.principle, *RULES.rules]
    assert len({r.id for r in rules}) == len(rules)
    for r in rules:
        assert r.id.startswith("R-") and len(r.text) > 20 and _is_sourced(r.source), r.id
    for seal in RULES.seals.values():
        assert seal.id.startswith("R-SEAL-") and _is_sourced(seal.source)
    assert {g: len(RULES.group(g)) for g in GROUPS} == {
        "as_produced": 7,
        "mandatory": 9,
        "allowed": 13,
        "limits": 1,
    }


def test_the_issue_items_are_covered():
    areas = {a for r in RULES.group("allowed") for a in r.areas}
    assert {
        "dampers",
        "springs",
        "brakes",
        "cooling",
        "underbody-protection",
        "fuel-tank",
        "tyres",
        "track",
    } <= areas
    flags = {f for r in RULES.group("mandatory") for f in r.flags}
    assert {
        "equipment.restrictor",
        "equipment.roll_cage",
        "equipment.seats",
        "equipment.harnesses",
        "equipment.extinguishers",
    } <= flags
    produced = {f for r in RULES.group("as_produced") for f in (*r.flags, *r.figures)}
    assert {
        "body.production_bodyshell",
        "engine.displacement_cc",
        "driveline.gears",
        "suspension.production_mounting_points",
    } <= produced
    assert RULES.principle.text == "Any modification that is not expressly allowed is forbidden."


def test_every_limit_is_a_sourced_value():
    rb = load_rulebook("fia-2026")
    for r in RULES.rules:
        for limit in r.limits:
            sv = rb.sourced(f"stock.{r.group}.{r.key}.{limit}")
            assert _is_sourced(sv.source), (r.id, limit)
    assert rb.sourced("stock.allowed.fuel_tank.max").is_assumption
    assert RULES.limit_source(RULES.group("mandatory")[0], "defender-110-octa", "max").startswith(
        "assumption"
    )


def test_balance_of_performance_per_model():
    restrictor = next(r for r in RULES.rules if r.key == "restrictor")
    assert restrictor.limits_for(RULES, "defender-110-octa")["max"] == 36
    assert (
        restrictor.limits_for(RULES, "toyota-land-cruiser-200-vdj200")["max"] == 39
    )  # the default
    data = case("compliant-d7x-r")
    data["findings"]["measured"]["equipment"]["restrictor_diameter_mm"] = 37.0
    v = verdict_of(data)
    assert v.verdict == "not-eligible"
    assert [(b.rule_id, b.measured, b.allowed) for b in v.breaches] == [("R-MAN-01", 37.0, "≤ 36")]


def test_an_event_override_replaces_a_limit_with_its_source():
    rb = load_rulebook("fia-2026", {"stock": {"allowed": {"track": {"max_over_reference": 80}}}})
    assert rb.sourced("stock.allowed.track.max_over_reference").source == "event override"
    rules = stock_rules(rb)
    data = case("allowed-beyond-limit")
    ids = [b.rule_id for b in verdict_of(data, rules).breaches]
    assert ids == ["R-ALW-05"]  # the track (+79/+77 mm) is now within the limit
    track = next(r for r in rules.rules if r.key == "track")
    assert rules.limit_source(track, "defender-110-octa", "max_over_reference") == "event override"


def test_an_override_can_turn_a_rule_into_a_remark():
    rules = stock_rules(
        load_rulebook("fia-2026", {"stock": {"allowed": {"fuel_tank": {"consequence": "remark"}}}})
    )
    data = case("compliant-d7x-r")
    data["car"]["fuel"]["tank_capacity_l"] = 560
    v = verdict_of(data, rules)
    assert v.verdict == "eligible-with-remarks"
    assert v.remarks == ("R-ALW-05 (fuel.tank_capacity_l): 560 — allowed ≤ 550",)


@pytest.mark.parametrize(
    "override,field",
    [
        ({"stock": {"allowed": {"fuel_tank": {"max": "lots"}}}}, "stock.allowed.fuel_tank.max"),
        (
            {"stock": {"allowed": {"fuel_tank": {"measures": ["fuel.tank_l"]}}}},
            "stock.allowed.fuel_tank.measures",
        ),
        ({"stock": {"consequences": {"experimental": "hide"}}}, "stock.consequences.experimental"),
        (
            {"stock": {"seals": {"engine": {"penalties": ["15 min"]}}}},
            "stock.seals.engine.penalties",
        ),
        ({"stock": {"allowed": {"brakes": {"id": "R-ALW-01"}}}}, "stock"),
    ],
)
def test_a_defective_override_is_a_located_error(override, field):
    with pytest.raises(InputError) as info:
        stock_rules(load_rulebook("fia-2026", override))
    assert info.value.field == field


def test_library_has_the_required_models_and_every_figure_is_sourced():
    assert {
        "defender-110-octa",
        "toyota-land-cruiser-300-vja300",
        "toyota-land-cruiser-200-vdj200",
    } <= set(LIBRARY)
    for sheet in LIBRARY.values():
        required = {f"{s}.{f.name}" for s, fs in SECTIONS.items() for f in fs if f.required}
        assert required <= set(sheet.figures), sheet.id
        for path, fig in sheet.figures.items():
            assert _is_sourced(fig.source), (sheet.id, path)


def test_sheet_figures_as_published():
    octa, lc300, lc200 = (
        LIBRARY[k]
        for k in (
            "defender-110-octa",
            "toyota-land-cruiser-300-vja300",
            "toyota-land-cruiser-200-vdj200",
        )
    )
    assert (octa.figure("engine.layout").value, octa.figure("engine.induction").value) == (
        "V8",
        "twin-turbo",
    )
    assert (octa.figure("driveline.gears").value, octa.figure("driveline.gearbox_type").value) == (
        8,
        "automatic",
    )
    assert (
        not octa.figure("engine.power_kw").is_assumption
        and octa.figure("engine.displacement_cc").is_assumption
    )
    assert (lc300.figure("engine.code").value, lc300.figure("engine.cylinders").value) == (
        "V35A-FTS",
        6,
    )
    assert (
        lc300.figure("engine.fuel").value == "petrol"
        and lc300.figure("driveline.gears").value == 10
    )
    assert (
        lc200.figure("engine.fuel").value == "diesel"
        and lc200.figure("production.start_year").value == 2007
    )


def test_an_old_t2_car_checks_against_its_own_sheet():
    data = case("compliant-d7x-r")
    data["reference"] = "toyota-land-cruiser-200-vdj200"
    data["car"]["engine"] = {
        "code": "1VD-FTV",
        "displacement_cc": 4461,
        "cylinders": 8,
        "induction": "twin-turbo",
        "fuel": "diesel",
    }
    data["car"]["driveline"] = {"gearbox_type": "automatic", "gears": 6}
    data["car"]["dimensions"] = {
        "wheelbase_mm": 2850,
        "track_front_mm": 1700,
        "track_rear_mm": 1695,
    }
    data["car"]["equipment"]["restrictor_diameter_mm"] = 38
    data["findings"] = {
        "scrutineer": "X",
        "date": "2026-01-02",
        "measured": {"wheels": {"tyre_width_mm": 318}},
    }
    del data["seal_check"]
    assert verdict_of(data).verdict == "eligible"
    data["car"]["driveline"]["gears"] = 8  # a gearbox that is not the production one
    breaches = verdict_of(data).breaches
    assert [(b.rule_id, b.subject, b.measured, b.allowed) for b in breaches] == [
        ("R-STD-03", "driveline.gears", 8, "6 (production)")
    ]


def test_a_misspelt_area_is_a_breach_that_names_the_nearest_rulebook_area():
    data = case("compliant-d7x-r")
    data["modification"].append({"area": "fuel_tank", "description": "second tank"})
    breach = verdict_of(data).breaches[-1]
    assert (breach.rule_id, breach.allowed) == (
        "R-GEN-01",
        "no modification in this area (a rulebook area is 'fuel-tank')",
    )
