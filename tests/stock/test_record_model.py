"""Impossible values in a scrutineering record are bad input: exit 2, one line FILE:LINE: field, nothing recorded."""

from __future__ import annotations

import pytest

from tests.stock.test_stock_bad_input import variant

IMPOSSIBLE = [
    # (what, old text, new text, field)
    (
        "negative track",
        "track_front_mm = 1832",
        "track_front_mm = -1832",
        "car.dimensions.track_front_mm",
    ),
    ("zero wheelbase", "wheelbase_mm = 3022", "wheelbase_mm = 0", "car.dimensions.wheelbase_mm"),
    (
        "zero displacement",
        "displacement_cc = 4395",
        "displacement_cc = 0",
        "car.engine.displacement_cc",
    ),
    (
        "a tank of -40 L",
        "tank_capacity_l = 550",
        "tank_capacity_l = -40",
        "car.fuel.tank_capacity_l",
    ),
    ("a weight under 500 kg", "weight_kg = 2650", "weight_kg = 499.9", "car.weight.weight_kg"),
    (
        "a measured weight under 500 kg",
        "weight_kg = 2648",
        "weight_kg = 450",
        "findings.measured.weight.weight_kg",
    ),
    ("no cylinder", "cylinders = 8", "cylinders = 0", "car.engine.cylinders"),
    (
        "a restrictor larger than the intake",
        "restrictor_count = 2",
        "restrictor_count = 2\nintake_diameter_mm = 35",
        "car.equipment.intake_diameter_mm",
    ),
    (
        "a restrictor as large as the intake",
        "restrictor_count = 2",
        "restrictor_count = 2\nintake_diameter_mm = 36",
        "car.equipment.intake_diameter_mm",
    ),
    (
        "no restrictor counted",
        "restrictor_count = 2",
        "restrictor_count = 0",
        "car.equipment.restrictor_count",
    ),
    (
        "a negative measured restrictor",
        "restrictor_diameter_mm = 35.98",
        "restrictor_diameter_mm = -1",
        "findings.measured.equipment.restrictor_diameter_mm",
    ),
]


@pytest.mark.parametrize("what,old,new,field", IMPOSSIBLE, ids=[c[0] for c in IMPOSSIBLE])
def test_impossible_value_exits_2_with_file_line_and_field(cli, tmp_path, what, old, new, field):
    path, _ = variant(tmp_path, old, new)
    text = path.read_text(encoding="utf-8")
    key = field.rsplit(".", 1)[1]
    wanted = new.splitlines()[-1] if key in new.splitlines()[-1] else new.splitlines()[0]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln == wanted)
    code, out, err = cli("scrutineer", "check", path)
    assert code == 2 and out == ""
    assert f"{path}:{line}: field '{field}'" in err.replace("\n", ""), err


@pytest.mark.parametrize(
    "old,new",
    [
        ("weight_kg = 2650", "weight_kg = 500"),  # just at the floor
        (
            "restrictor_count = 2",
            "restrictor_count = 2\nintake_diameter_mm = 36.01",
        ),  # just inside the intake
        ("restrictor_count = 2", "restrictor_count = 1"),  # possible (a breach, not bad input)
    ],
)
def test_possible_values_are_read(cli, tmp_path, old, new):
    path, _ = variant(tmp_path, old, new)
    code, _, err = cli("scrutineer", "check", path)
    assert code in (0, 1) and "field" not in err


def test_report_records_nothing_when_one_file_is_impossible(cli, tmp_path):
    import shutil

    from raidcontrol.store import JournalStore, default_url
    from tests.stock.stock_fixtures import EVENT

    event = tmp_path / "event"
    shutil.copytree(EVENT, event)
    f = event / "scrutineering" / "603.toml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("tank_capacity_l = 600", "tank_capacity_l = -40"),
        encoding="utf-8",
    )
    code, _, err = cli("scrutineer", "report", event)
    assert code == 2 and "tank_capacity_l" in err
    store = JournalStore(default_url(event))
    assert [r for r in store.records() if r.kind == "scrutineering"] == []
    store.close()


def test_a_measured_restrictor_larger_than_the_declared_intake(cli, tmp_path):
    from tests.stock.test_stock_bad_input import BASE

    text = BASE.replace(
        "restrictor_count = 2", "restrictor_count = 2\nintake_diameter_mm = 36.2"
    ).replace("restrictor_diameter_mm = 35.98", "restrictor_diameter_mm = 36.3")
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("restrictor_diameter_mm = 36.3") + 1
    code, _, err = cli("scrutineer", "check", path)
    assert code == 2
    assert (
        f"{path}:{line}: field 'findings.measured.equipment.restrictor_diameter_mm'"
        in err.replace("\n", "")
    )
