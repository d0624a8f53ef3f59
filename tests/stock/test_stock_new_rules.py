"""The 2026 Stock rules added for a scrutineer's sign-off, each just inside and just outside its limit."""

from __future__ import annotations

import dataclasses

import pytest

from raidcontrol.stock import assess, record_from_dict
from raidcontrol.stock.sheet import Figure
from tests.stock.stock_fixtures import LIBRARY, RULES, case, verdict_of

OCTA = LIBRARY["defender-110-octa"]
KIT = {
    "roll-cage": "roll_cage",
    "seats": "seats",
    "harnesses": "harnesses",
    "extinguishers": "extinguishers",
    "restrictor": "restrictor",
    "control-ecu": "control_ecu",
}


def ids(v) -> list[tuple[str, str]]:
    return [(b.rule_id, b.consequence) for b in v.breaches]


@pytest.mark.parametrize("area", sorted(KIT))
def test_mandatory_kit_declared_as_a_modification_is_allowed_both_ways(area):
    data = case("compliant-d7x-r")
    data["modification"].append({"area": area, "description": "the mandatory item, declared"})
    assert verdict_of(data).verdict == "eligible"  # declared as a modification and fitted
    if area != "restrictor":  # the restrictor's flag also needs its diameter
        data["car"]["equipment"][KIT[area]] = False
        assert verdict_of(data).verdict == "eligible"  # declared only as a modification
    data["modification"][-1]["area"] = area.replace("-", "_") + "s-x"
    assert "R-GEN-01" in [b.rule_id for b in verdict_of(data).breaches]  # an area no rule names


def test_mandatory_item_neither_flagged_nor_declared_is_missing():
    data = case("compliant-d7x-r")
    data["car"]["equipment"]["roll_cage"] = False
    assert ("R-MAN-02", "not-eligible") in ids(verdict_of(data))


def test_a_car_with_no_weight_is_at_most_eligible_with_remarks():
    data = case("compliant-d7x-r")
    del data["car"]["weight"]
    del data["findings"]["measured"]["weight"]
    v = verdict_of(data)
    assert (
        v.verdict == "eligible-with-remarks"
        and "R-LIM-01 (weight.weight_kg): not weighed (no measured or declared weight)" in v.remarks
    )
    data["car"]["weight"] = {
        "weight_kg": 2510
    }  # declared until weighed: just at the production weight
    assert verdict_of(data).verdict == "eligible"
    data["car"]["weight"] = {"weight_kg": 2509.9}  # just under
    assert ("R-LIM-01", "not-eligible") in ids(verdict_of(data))


def _with_sheet(data, **figures):
    record = record_from_dict(data)
    sheet = dataclasses.replace(OCTA, figures={**OCTA.figures, **figures})
    for name, value in figures.items():
        if value is None:
            del sheet.figures[name]
    return assess(record, sheet, RULES)


@pytest.mark.parametrize("units, breach", [(1000, False), (999, True)])
def test_production_volume_without_homologation(units, breach):
    v = _with_sheet(
        case("compliant-d7x-r"),
        **{"production.homologation": None, "production.units": Figure(units, "assumption: test")},
    )
    assert (("R-STD-06", "not-eligible") in ids(v)) is breach


def test_a_sheet_with_neither_volume_nor_homologation_is_a_remark():
    v = _with_sheet(case("compliant-d7x-r"), **{"production.homologation": None})
    assert ("R-STD-06", "remark") in ids(v) and v.verdict == "eligible-with-remarks"


@pytest.mark.parametrize(
    "fuel, outcome",
    [("petrol", None), ("Petrol", None), ("diesel", "not-eligible"), (None, "remark")],
)
def test_fuel_type_as_produced(fuel, outcome):
    data = case("compliant-d7x-r")
    if fuel is None:
        del data["car"]["engine"]["fuel"]
    else:
        data["car"]["engine"]["fuel"] = fuel
    found = [c for r, c in ids(verdict_of(data)) if r == "R-STD-07"]
    assert found == ([outcome] if outcome else [])


@pytest.mark.parametrize(
    "count, outcome", [(2, None), (1, "not-eligible"), (3, "not-eligible"), (None, "remark")]
)
def test_one_restrictor_per_turbocharger(count, outcome):
    data = case("compliant-d7x-r")
    if count is None:
        del data["car"]["equipment"]["restrictor_count"]
    else:
        data["car"]["equipment"]["restrictor_count"] = count
    found = [c for r, c in ids(verdict_of(data)) if r == "R-MAN-08"]
    assert found == ([outcome] if outcome else [])


def test_a_naturally_aspirated_engine_has_one_restrictor():
    data = case("compliant-d7x-r")
    data["car"]["equipment"]["restrictor_count"] = 1
    assert "R-MAN-08" not in [
        b.rule_id for b in _with_sheet(data, **{"engine.turbochargers": Figure(0, "a")}).breaches
    ]


@pytest.mark.parametrize("width, ok", [(255, True), (254.9, False), (320, True), (320.1, False)])
def test_tyre_width_within_the_range(width, ok):
    data = case("compliant-d7x-r")
    data["findings"]["measured"]["wheels"]["tyre_width_mm"] = width
    assert (("R-ALW-13", "not-eligible") not in ids(verdict_of(data))) is ok


def test_tyre_width_not_declared_is_a_remark():
    data = case("compliant-d7x-r")
    del data["findings"]["measured"]["wheels"]
    assert ("R-ALW-13", "remark") in ids(verdict_of(data))


@pytest.mark.parametrize("label", ["harnesses_expiry", "seats_expiry", "extinguishers_expiry"])
def test_safety_labels_valid_at_scrutineering(label):
    data = case("compliant-d7x-r")  # scrutineered on 2026-01-02
    data["car"]["equipment"][label] = "2026-01-02"  # valid to the day
    assert "R-MAN-09" not in [b.rule_id for b in verdict_of(data).breaches]
    data["car"]["equipment"][label] = "2026-01-01"  # expired the day before
    breach = next(b for b in verdict_of(data).breaches if b.rule_id == "R-MAN-09")
    assert breach.subject == f"equipment.{label}" and breach.consequence == "not-eligible"
    assert breach.measured == "2026-01-01" and breach.allowed.startswith("≥ 2026-01-02")
    del data["car"]["equipment"][label]
    assert ("R-MAN-09", "remark") in ids(verdict_of(data))


def test_expiry_without_a_scrutineering_date_is_a_remark():
    data = case("compliant-d7x-r")
    del data["findings"]["date"]
    assert [c for r, c in ids(verdict_of(data)) if r == "R-MAN-09"] == ["remark"] * 3


def test_a_declared_larger_displacement_is_an_overbore_even_within_1_percent():
    data = case("compliant-d7x-r")
    data["car"]["engine"]["displacement_cc"] = (
        4396  # declared: the sheet's figure exactly, no tolerance
    )
    assert ("R-STD-02", "not-eligible") in ids(verdict_of(data))


@pytest.mark.parametrize(
    "measured, outcome", [(4395, None), (4438, "remark"), (4439, "not-eligible")]
)
def test_measured_displacement_tolerance_is_for_measuring_error_and_the_figure_is_shown(
    measured, outcome
):
    data = case("compliant-d7x-r")
    data["findings"]["measured"]["engine"] = {"displacement_cc": measured}
    v = verdict_of(data)
    found = [b for b in v.breaches if b.rule_id == "R-STD-02"]
    assert [b.consequence for b in found] == ([outcome] if outcome else [])
    if outcome == "remark":
        assert "+0.98 %" in found[0].allowed and any("4438" in r for r in v.remarks)
        assert v.verdict == "eligible-with-remarks"
