"""The scrutineering record of one Stock entry: the team's declaration of the car as
built (with its modifications), and the scrutineers' findings (measured values, seal
numbers, remarks, decision).  One TOML file per entry, ``scrutineering/<bib>.toml``;
the format is documented with complete examples in ``docs/stock.md``.

:func:`record_from_dict` validates a parsed file; every error names the dotted field
(``car.engine.displacement_cc``, ``modification[2].area``, ``seal_check[1].engine``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.stock.schema import Field, check_table

HEAD = (
    Field("bib", "int", help="the entry's race number"),
    Field("reference", "str", help="id of a production-reference sheet"),
    Field("team", "str", required=False),
    Field("crew", "str", required=False),
    Field(
        "experimental", "bool", required=False, help="true: the team enters the car as experimental"
    ),
    Field("experimental_reason", "str", required=False),
)

# The car as built.  In [findings.measured] every field is optional.
CAR: dict[str, tuple[Field, ...]] = {
    "body": (Field("production_bodyshell", "bool", help="true when the bodyshell is as produced"),),
    "engine": (
        Field("code", "str"),
        Field("displacement_cc", "int"),
        Field("cylinders", "int"),
        Field("induction", "str"),
        Field(
            "fuel", "str", required=False, help="the fuel type the engine runs on: petrol or diesel"
        ),
    ),
    "driveline": (
        Field("gearbox_type", "str"),
        Field("gears", "int"),
        Field("final_drive_ratio", "number", required=False),
    ),
    "suspension": (
        Field("production_mounting_points", "bool"),
        Field("dampers", "str", required=False),
        Field("springs", "str", required=False),
    ),
    "dimensions": (
        Field("wheelbase_mm", "int"),
        Field("track_front_mm", "int"),
        Field("track_rear_mm", "int"),
        Field("ground_clearance_mm", "int", required=False),
    ),
    "equipment": (
        Field("restrictor", "bool"),
        Field("restrictor_diameter_mm", "number", required=False),
        Field(
            "restrictor_count",
            "int",
            required=False,
            help="restrictors fitted (one per turbocharger)",
        ),
        Field(
            "intake_diameter_mm",
            "number",
            required=False,
            help="inner diameter of the intake the restrictor sits in",
        ),
        Field("roll_cage", "bool"),
        Field("seats", "bool"),
        Field("harnesses", "bool"),
        Field("extinguishers", "bool"),
        Field("control_ecu", "bool"),
        Field("sustainable_fuel", "bool"),
        Field(
            "harnesses_expiry", "date", required=False, help="end of validity on the harness label"
        ),
        Field("seats_expiry", "date", required=False, help="end of validity on the seat label"),
        Field(
            "extinguishers_expiry",
            "date",
            required=False,
            help="end of validity on the extinguisher label",
        ),
    ),
    "fuel": (Field("tank_capacity_l", "number"),),
    "wheels": (
        Field("tyre_diameter_in", "number"),
        Field("tyre_width_mm", "number", required=False),
    ),
    "weight": (Field("weight_kg", "number", required=False),),
}
CAR_FIELDS: dict[str, Field] = {f"{s}.{f.name}": f for s, fs in CAR.items() for f in fs}

MODIFICATION = (
    Field("area", "str", help="what is modified: an area named in the Stock rulebook"),
    Field("description", "str"),
    Field("part", "str", required=False),
)
FINDINGS = (
    Field("scrutineer", "str"),
    Field("date", "str", required=False),
    Field("remarks", "list[str]", required=False),
    Field(
        "decision",
        "str",
        required=False,
        help="'experimental' to run the car outside the Stock ranking",
    ),
)
SEAL_CHECK = (
    Field("label", "str", help="e.g. 'initial scrutineering', 'after stage 6'"),
    Field("after_stage", "int", required=False, help="absent for the initial check"),
    Field("engine", "str"),
    Field("gearbox", "str"),
    Field("remark", "str", required=False),
)
SEALED_PARTS = ("engine", "gearbox")
DECISIONS = ("experimental",)


@dataclass(frozen=True)
class Modification:
    """A change the team declares: ``area`` (rulebook area name), ``description``, ``part``."""

    area: str
    description: str
    part: str = ""


@dataclass(frozen=True)
class SealCheck:
    """Seal numbers read at one check; ``after_stage`` is ``None`` for the initial check."""

    label: str
    after_stage: int | None
    seals: dict[str, str] = field(hash=False)
    remark: str = ""


@dataclass(frozen=True)
class ScrutineeringRecord:
    """One entry's declaration and findings.

    ``car`` maps ``section.field`` → declared value; ``measured`` the same paths →
    the scrutineers' measured value (it prevails over the declaration).
    """

    bib: int
    reference: str
    car: dict[str, Any]
    modifications: tuple[Modification, ...] = ()
    measured: dict[str, Any] = field(default_factory=dict, hash=False)
    scrutineer: str = ""
    date: str = ""
    remarks: tuple[str, ...] = ()
    decision: str = ""
    seal_checks: tuple[SealCheck, ...] = ()
    team: str = ""
    crew: str = ""
    experimental: bool = False
    experimental_reason: str = ""

    def value(self, path: str) -> tuple[Any, str]:
        """The value in force at ``path`` and its basis: ``measured`` or ``declared``."""
        if path in self.measured:
            return self.measured[path], "measured"
        return self.car.get(path), "declared"

    @property
    def has_findings(self) -> bool:
        return bool(self.scrutineer)


def record_from_dict(data: dict[str, Any]) -> ScrutineeringRecord:
    """Validate a parsed scrutineering file (pure; errors name the field)."""
    known_tables = {"car", "modification", "findings", "seal_check"}
    head = check_table({k: v for k, v in data.items() if k not in known_tables}, HEAD, "")
    if "car" not in data:
        raise InputError("missing required table [car] (the car as built)", field="car")
    car = _car(data["car"], "car", required=True)
    mods = tuple(
        Modification(**check_table(m, MODIFICATION, f"modification[{i}]"))
        for i, m in enumerate(_array(data.get("modification", []), "modification"), start=1)
    )
    findings = data.get("findings", {})
    if not isinstance(findings, dict):
        raise InputError("expected a table [findings]", field="findings")
    measured = _car(findings.get("measured", {}), "findings.measured", required=False)
    info = (
        check_table({k: v for k, v in findings.items() if k != "measured"}, FINDINGS, "findings")
        if findings
        else {}
    )
    if info.get("decision", "") and info["decision"] not in DECISIONS:
        raise InputError(
            f"unknown decision {info['decision']!r} (known: {', '.join(DECISIONS)})",
            field="findings.decision",
        )
    if car["equipment.restrictor"] and "equipment.restrictor_diameter_mm" not in car:
        raise InputError(
            "required when restrictor = true (the restrictor's inner diameter, in mm)",
            field="car.equipment.restrictor_diameter_mm",
        )
    checks = _seal_checks(_array(data.get("seal_check", []), "seal_check"))
    if checks and not info:
        raise InputError(
            "seal checks need a [findings] table with the scrutineer's name", field="findings"
        )
    record = ScrutineeringRecord(
        bib=head["bib"],
        reference=head["reference"],
        car=car,
        modifications=mods,
        measured=measured,
        scrutineer=info.get("scrutineer", ""),
        date=info.get("date", ""),
        remarks=tuple(info.get("remarks", [])),
        decision=info.get("decision", ""),
        seal_checks=checks,
        team=head.get("team", ""),
        crew=head.get("crew", ""),
        experimental=head.get("experimental", False),
        experimental_reason=head.get("experimental_reason", ""),
    )
    _restrictor_inside_intake(record)
    return record


def _restrictor_inside_intake(record: ScrutineeringRecord) -> None:
    """A restrictor (declared or measured) cannot be as large as the intake it sits in (bad input)."""
    declared = (
        record.car.get("equipment.restrictor_diameter_mm"),
        record.car.get("equipment.intake_diameter_mm"),
        "car.equipment.intake_diameter_mm",
    )
    restrictor, basis = record.value("equipment.restrictor_diameter_mm")
    in_force = (
        restrictor,
        record.value("equipment.intake_diameter_mm")[0],
        f"{'findings.measured' if basis == 'measured' else 'car'}.equipment.restrictor_diameter_mm",
    )
    for restrictor, intake, where in (declared, in_force):
        if restrictor is not None and intake is not None and restrictor >= intake:
            raise InputError(
                f"a restrictor of {restrictor:g} mm cannot sit in an intake of {intake:g} mm "
                "(restrictor_diameter_mm must be smaller than intake_diameter_mm)",
                field=where,
            )


def _array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"expected an array of tables [[{path}]]", field=path)
    return value


def _car(table: Any, path: str, *, required: bool) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise InputError("expected a table", field=path)
    for key in table:
        if key not in CAR:
            raise InputError(f"unknown section; known: {', '.join(CAR)}", field=f"{path}.{key}")
    out: dict[str, Any] = {}
    for section, fields in CAR.items():
        if section not in table:
            if required and any(f.required for f in fields):
                raise InputError(
                    f"missing required table [{path}.{section}]", field=f"{path}.{section}"
                )
            continue
        use = fields if required else tuple(Field(f.name, f.kind, False) for f in fields)
        for name, value in check_table(table[section], use, f"{path}.{section}").items():
            out[f"{section}.{name}"] = value
    return out


def _seal_checks(items: list[Any]) -> tuple[SealCheck, ...]:
    out: list[SealCheck] = []
    for i, raw in enumerate(items, start=1):
        where = f"seal_check[{i}]"
        t = check_table(raw, SEAL_CHECK, where)
        after = t.get("after_stage")
        if i == 1 and after is not None:
            raise InputError(
                "the first seal check is the initial one: leave after_stage out",
                field=f"{where}.after_stage",
            )
        if i > 1:
            if after is None:
                raise InputError(
                    "a later seal check needs after_stage (the stage it follows)",
                    field=f"{where}.after_stage",
                )
            previous = out[-1].after_stage
            if previous is not None and after < previous:
                raise InputError(
                    f"seal checks must be in stage order ({after} after {previous})",
                    field=f"{where}.after_stage",
                )
        out.append(
            SealCheck(t["label"], after, {p: t[p] for p in SEALED_PARTS}, t.get("remark", ""))
        )
    return tuple(out)
