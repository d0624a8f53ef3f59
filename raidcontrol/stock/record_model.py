"""The scrutineering record as pydantic v2 models: strict types, no unknown keys, and the ranges a
real car can have (an impossible value is bad input, not a breach).

The models are built from the field tables of :mod:`raidcontrol.stock.record` (one schema), with
:data:`BOUNDS` laid over.  Bounds are physical plausibility, not regulations (those are in the
rulebook's ``stock.toml``): a dimension, a displacement, a tank, a tyre are more than zero; a car
weighs at least :data:`MIN_PLAUSIBLE_WEIGHT_KG`.  (That a restrictor is smaller than its intake,
declared or measured, is checked on the whole record by :func:`raidcontrol.stock.record.record_from_dict`.)
The reader
(:func:`raidcontrol.io.scrutineering.read_record`) validates a file with :data:`RecordModel` and
turns every problem into an ``InputError`` naming file, line and field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from raidcontrol.stock import record as schema
from raidcontrol.stock.schema import Field as SchemaField

MIN_PLAUSIBLE_WEIGHT_KG = (
    500  # no car of the cross-country categories weighs less: an input check, not a rule
)
POSITIVE: dict[str, Any] = {"gt": 0}
BOUNDS: dict[str, dict[str, Any]] = {
    "engine.displacement_cc": POSITIVE,
    "engine.cylinders": {"ge": 1},
    "driveline.gears": {"ge": 1},
    "driveline.final_drive_ratio": POSITIVE,
    "dimensions.wheelbase_mm": POSITIVE,
    "dimensions.track_front_mm": POSITIVE,
    "dimensions.track_rear_mm": POSITIVE,
    "dimensions.ground_clearance_mm": POSITIVE,
    "equipment.restrictor_diameter_mm": POSITIVE,
    "equipment.restrictor_count": {"ge": 1},
    "equipment.intake_diameter_mm": POSITIVE,
    "fuel.tank_capacity_l": POSITIVE,
    "wheels.tyre_diameter_in": POSITIVE,
    "wheels.tyre_width_mm": POSITIVE,
    "weight.weight_kg": {"ge": MIN_PLAUSIBLE_WEIGHT_KG},
}
TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "number": float,
    "bool": bool,
    "list[str]": list[str],
    "date": date,
}
STRICT = ConfigDict(extra="forbid", strict=True)


def _model(
    name: str, fields: tuple[SchemaField, ...], section: str = "", *, optional: bool = False
) -> type[BaseModel]:
    spec: dict[str, Any] = {}
    for f in fields:
        kind = TYPES[f.kind]
        bounds = BOUNDS.get(f"{section}.{f.name}", {}) if section else {}
        options: dict[str, Any] = dict(bounds)
        if f.kind == "date":
            options["strict"] = False  # a TOML date or a YYYY-MM-DD text
        if f.required and not optional:
            spec[f.name] = (kind, Field(..., **options))
        else:
            spec[f.name] = (kind | None, Field(None, **options))
    return create_model(name, __config__=STRICT, **spec)


def _car(name: str, optional: bool) -> type[BaseModel]:
    sections = {s: _model(f"{name}_{s}", fs, s, optional=optional) for s, fs in schema.CAR.items()}
    spec: dict[str, Any] = {}
    for s, model in sections.items():
        required = not optional and any(f.required for f in schema.CAR[s])
        spec[s] = (model, ...) if required else (model | None, None)
    return create_model(name, __config__=STRICT, **spec)


CarModel = _car("Car", optional=False)
MeasuredModel = _car("Measured", optional=True)
ModificationModel = _model("Modification", schema.MODIFICATION)
SealCheckModel = _model("SealCheck", schema.SEAL_CHECK)


def _optional(model: type[BaseModel]) -> Any:
    """The field type "model or None" (models built at run time are no static types)."""
    return model | None


def _list_of(model: type[BaseModel]) -> Any:
    """The field type "list of model"."""
    return list[model]  # type: ignore[valid-type]  # a model built at run time


FindingsModel = create_model(
    "Findings",
    __base__=_model("FindingsHead", schema.FINDINGS),
    measured=(_optional(MeasuredModel), None),
)
RecordModel = create_model(
    "Record",
    __base__=_model("RecordHead", schema.HEAD),
    car=(CarModel, ...),
    modification=(_list_of(ModificationModel), []),
    findings=(_optional(FindingsModel), None),
    seal_check=(_list_of(SealCheckModel), []),
)
