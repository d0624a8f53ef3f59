"""The complete example cases of examples/stock/cases through `raidcontrol scrutineer check`."""

from __future__ import annotations

import json

import pytest

from tests.stock.stock_fixtures import CASES, invoke

# case file → (exit code, verdict, [(rule id, subject, found, allowed)])
EXPECTED = {
    "compliant-d7x-r": (0, "eligible", []),
    "safety-kit-declared": (
        0,
        "eligible",
        [],
    ),  # mandatory kit declared as modifications is allowed
    "modified-engine": (
        1,
        "not-eligible",
        [
            ("R-STD-02", "engine.displacement_cc", 4801, "4395 ± 43.95 (production ± 1 %)"),
            (
                "R-STD-02",
                "modification: engine-internals",
                "cylinders bored out, longer-stroke crankshaft",
                "as produced",
            ),
        ],
    ),
    "missing-restrictor": (
        1,
        "not-eligible",
        [("R-MAN-01", "equipment.restrictor", "no", "fitted")],
    ),
    "modification-not-allowed": (
        1,
        "not-eligible",
        [
            (
                "R-GEN-01",
                "modification: rear-wing",
                "carbon rear wing on the roof line",
                "no modification in this area",
            ),
        ],
    ),
    "allowed-beyond-limit": (
        1,
        "not-eligible",
        [
            ("R-ALW-05", "fuel.tank_capacity_l", 600, "≤ 550"),
            ("R-ALW-07", "dimensions.track_front_mm", 1851, "≤ 1832 (production 1772 + 60)"),
            ("R-ALW-07", "dimensions.track_rear_mm", 1849, "≤ 1832 (production 1772 + 60)"),
        ],
    ),
    "experimental": (0, "experimental", []),
    "changed-seal": (
        0,
        "eligible-with-remarks",
        [("R-SEAL-01", "engine", "E-616-0342", "E-616-0117")],
    ),
}


def test_every_case_file_is_tested():
    assert {p.stem for p in CASES.glob("*.toml")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_verdict_exit_code_and_breaches(name):
    code, verdict, breaches = EXPECTED[name]
    result = invoke("scrutineer", "check", CASES / f"{name}.toml", "--format", "json")
    assert result.exit_code == code, result.output
    out = json.loads(result.stdout)
    assert out["verdict"] == verdict
    assert [
        (b["rule_id"], b["subject"], b["measured"], b["allowed"]) for b in out["breaches"]
    ] == breaches


def test_measured_value_prevails_and_is_named_as_such():
    out = json.loads(
        invoke("scrutineer", "check", CASES / "modified-engine.toml", "--format", "json").stdout
    )
    first = out["breaches"][0]
    assert first["basis"] == "measured" and first["unit"] == "cc"  # declared 4799, measured 4801
    assert first["limit_source"].startswith("sheet defender-110-octa: assumption")
    beyond = json.loads(
        invoke(
            "scrutineer", "check", CASES / "allowed-beyond-limit.toml", "--format", "json"
        ).stdout
    )
    tank = beyond["breaches"][0]
    assert tank["basis"] == "declared" and tank["limit_source"].startswith("assumption")


def test_changed_seal_gives_the_engine_change_penalty_of_the_rulebook():
    out = json.loads(
        invoke("scrutineer", "check", CASES / "changed-seal.toml", "--format", "json").stdout
    )
    assert out["penalties"] == [
        {
            "stage": 6,
            "amount_ms": 15 * 60_000,
            "rule_id": "R-SEAL-01",
            "reason": "R-SEAL-01: engine seal changed (E-616-0342, was E-616-0117)",
        }
    ]
    assert out["seals"]["engine"] == {
        "initial": "E-616-0117",
        "current": "E-616-0342",
        "changes": 1,
        "checks": 2,
    }
    assert out["seals"]["gearbox"]["changes"] == 0
    assert any("seal changed after stage 6" in r for r in out["remarks"])


def test_experimental_reason_is_reported():
    out = json.loads(
        invoke("scrutineer", "check", CASES / "experimental.toml", "--format", "json").stdout
    )
    assert out["experimental_reason"] == "FIA homologation of the model not yet granted"


def test_table_output_shows_verdict_and_breaches():
    result = invoke("scrutineer", "check", CASES / "allowed-beyond-limit.toml")
    assert result.exit_code == 1
    assert (
        "NOT-ELIGIBLE" in result.stdout and "R-ALW-05" in result.stdout and "≤ 550" in result.stdout
    )
    csv = invoke(
        "scrutineer", "check", CASES / "allowed-beyond-limit.toml", "--format", "csv"
    ).stdout.splitlines()
    assert csv[0].startswith("rule,subject,measured,allowed") and len(csv) == 4
    assert csv[1].startswith("R-ALW-05,fuel.tank_capacity_l,600,≤ 550,l,declared,not-eligible")
