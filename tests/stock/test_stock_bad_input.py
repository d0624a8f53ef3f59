"""Bad input: a clear error naming file, line and field, exit code 2, nothing recorded."""

from __future__ import annotations

import shutil

import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.store import JournalStore, default_url
from tests.stock.stock_fixtures import CASES, EVENT, invoke

BASE = (CASES / "compliant-d7x-r.toml").read_text(encoding="utf-8")


def variant(tmp_path, old: str, new: str, name: str = "bad.toml") -> tuple:
    """The compliant case with one text replaced; returns (path, 1-based line of the new text)."""
    assert BASE.count(old) == 1, old
    text = BASE.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    first = new.splitlines()[0] if new else None
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln == first) if first else None
    return path, line


def located(path):
    result = invoke("scrutineer", "check", path)
    assert isinstance(result.exception, InputError), result.output
    return result.exception


CASES_BAD = [
    # (description, old text, new text, field, message part, line of)
    (
        "unknown production reference",
        'reference = "defender-110-octa"',
        'reference = "defender-90-octa"',
        "reference",
        "unknown production reference 'defender-90-octa'",
        'reference = "defender-90-octa"',
    ),
    (
        "wrong unit in the value",
        "displacement_cc = 4395",
        'displacement_cc = "3.4 L"',
        "car.engine.displacement_cc",
        "without a unit",
        'displacement_cc = "3.4 L"',
    ),
    (
        "wrong unit in the field name",
        "displacement_cc = 4395",
        "displacement_l = 4.4",
        "car.engine.displacement_l",
        "did you mean 'displacement_cc'",
        "displacement_l = 4.4",
    ),
    (
        "wrong type",
        "harnesses = true",
        'harnesses = "yes"',
        "car.equipment.harnesses",
        "expected true or false",
        'harnesses = "yes"',
    ),
    (
        "a float where a whole number is expected",
        "gears = 8",
        "gears = 8.5",
        "car.driveline.gears",
        "expected a whole number",
        "gears = 8.5",
    ),
    (
        "missing required field",
        "cylinders = 8\n",
        "",
        "car.engine.cylinders",
        "missing required field",
        "[car.engine]",
    ),
    (
        "missing required table",
        "[car.wheels]\ntyre_diameter_in = 35\n",
        "",
        "car.wheels",
        "missing required table",
        None,
    ),
    (
        "missing field of the second modification",
        'description = "6-piston front / 4-piston rear calipers"\n',
        "",
        "modification[2].description",
        "missing required field",
        "[[modification]]#2",
    ),
    (
        "restrictor without its diameter",
        "restrictor_diameter_mm = 36\n",
        "",
        "car.equipment.restrictor_diameter_mm",
        "required when restrictor = true",
        "[car.equipment]",
    ),
    (
        "a later seal check without its stage",
        "after_stage = 6\n",
        "",
        "seal_check[2].after_stage",
        "needs after_stage",
        "[[seal_check]]#2",
    ),
    (
        "unknown decision",
        'scrutineer = "J. Martin"',
        'scrutineer = "J. Martin"\ndecision = "maybe"',
        "findings.decision",
        "unknown decision 'maybe'",
        'decision = "maybe"',
    ),
]


def _line(text: str, marker: str | None) -> int | None:
    if marker is None:
        return None
    if "#" in marker and marker.startswith("[["):
        head, nth = marker.split("#")
        return [i for i, ln in enumerate(text.splitlines(), 1) if ln == head][int(nth) - 1]
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln == marker)


@pytest.mark.parametrize(
    "what,old,new,field,message,marker", CASES_BAD, ids=[c[0] for c in CASES_BAD]
)
def test_bad_scrutineering_file_is_located(tmp_path, what, old, new, field, message, marker):
    path, _ = variant(tmp_path, old, new)
    exc = located(path)
    assert exc.file == str(path)
    assert exc.field == field
    assert message in exc.message
    expected_line = _line(path.read_text(encoding="utf-8"), marker)
    if expected_line is not None:
        assert exc.line == expected_line
    else:
        assert exc.line is None or exc.line >= 1


def test_exit_code_2_and_message_through_the_real_entry_point(cli, tmp_path):
    path, line = variant(tmp_path, "displacement_cc = 4395", 'displacement_cc = "3.4 L"')
    code, out, err = cli("scrutineer", "check", path)
    assert code == 2 and out == ""
    assert f"{path}:{line}: field 'car.engine.displacement_cc'" in err.replace("\n", "")


def test_malformed_toml_names_the_line(cli, tmp_path):
    path, line = variant(tmp_path, "gears = 8", "gears = = 8")
    code, _, err = cli("scrutineer", "check", path)
    assert code == 2 and f"{path}:{line}:" in err and "malformed TOML" in err


def test_a_bad_sheet_in_the_event_references_is_located(cli, tmp_path):
    event = tmp_path / "event"
    shutil.copytree(EVENT, event)
    sheet = event / "references" / "nissan-patrol-y61-example.toml"
    text = sheet.read_text(encoding="utf-8").replace(
        "displacement_cc = { value = 4759,", 'displacement_cc = { value = "4.8 L",'
    )
    sheet.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("displacement_cc"))
    code, _, err = cli("scrutineer", "check", event / "scrutineering" / "601.toml")
    assert code == 2
    assert f"{sheet}:{line}: field 'engine.displacement_cc.value'" in err.replace("\n", "")


def test_a_sheet_figure_without_source_is_refused(tmp_path):
    from raidcontrol.io.scrutineering import load_library

    folder = tmp_path / "refs"
    folder.mkdir()
    src = (EVENT / "references" / "nissan-patrol-y61-example.toml").read_text(encoding="utf-8")
    (folder / "x.toml").write_text(
        src.replace('gears = { value = 5, source = "assumption: example sheet" }', "gears = 5"),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_library([folder])
    assert info.value.field == "driveline.gears" and "sourced figure" in info.value.message
    assert info.value.line == next(
        i
        for i, ln in enumerate((folder / "x.toml").read_text().splitlines(), 1)
        if ln == "gears = 5"
    )


def _scrutineering_records(event):
    store = JournalStore(default_url(event), event_key=event.resolve().name)
    try:
        return [r for r in store.records() if r.origin == "scrutineering"]
    finally:
        store.close()


def test_one_bad_file_in_an_event_records_nothing(cli, tmp_path):
    event = tmp_path / "event"
    shutil.copytree(EVENT, event)
    bad = event / "scrutineering" / "604.toml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace(
            "tank_capacity_l = 500", 'tank_capacity_l = "500 L"'
        ),
        encoding="utf-8",
    )
    code, _, err = cli("scrutineer", "report", event)
    assert code == 2 and "604.toml" in err and "car.fuel.tank_capacity_l" in err
    assert _scrutineering_records(event) == []
    assert not (event / "stock-scrutineering.html").exists()


@pytest.mark.parametrize(
    "change,message",
    [
        (("bib = 601", "bib = 607"), "must be named 607.toml"),
    ],
)
def test_file_name_must_match_the_bib(cli, tmp_path, change, message):
    event = tmp_path / "event"
    shutil.copytree(EVENT, event)
    f = event / "scrutineering" / "601.toml"
    f.write_text(f.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    code, _, err = cli("scrutineer", "report", event)
    assert code == 2 and message in err and "field 'bib'" in err
    assert _scrutineering_records(event) == []


def test_a_file_for_an_entry_outside_stock_is_refused(cli, tmp_path):
    event = tmp_path / "event"
    shutil.copytree(EVENT, event)
    src = (event / "scrutineering" / "601.toml").read_text(encoding="utf-8")
    (event / "scrutineering" / "201.toml").write_text(
        src.replace("bib = 601", "bib = 201"), encoding="utf-8"
    )
    code, _, err = cli("scrutineer", "report", event)
    assert code == 2 and "entered in 'Ultimate', not in 'Stock'" in err
    assert _scrutineering_records(event) == []
