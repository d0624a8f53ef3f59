"""Production-reference sheets: the figures of one series-production model that
scrutineers check a Stock car against.

A sheet is data (one TOML file per model, see ``docs/stock.md``).  Identification is
plain text (``id``, ``make``, ``model``, ``variant``); every figure is a *sourced
figure* ``{ value = …, source = "…" }`` whose source is a citation or starts with
``assumption``.  Field names carry their unit:

======================  ======  =============================================
figure                   unit    meaning
======================  ======  =============================================
body.bodyshell           –       production bodyshell (construction, doors)
engine.code              –       manufacturer engine code
engine.displacement_cc   cm³     swept volume
engine.cylinders         –       number of cylinders
engine.layout            –       ``V8``, ``V6``, ``I6`` …
engine.induction         –       ``twin-turbo``, ``turbo``, ``natural`` …
engine.power_kw          kW      rated power of the road car
engine.torque_nm         N·m     rated torque of the road car
engine.fuel              –       ``petrol`` or ``diesel``
engine.turbochargers     –       number of turbochargers (optional; one restrictor each)
driveline.gearbox_type   –       ``automatic`` or ``manual``
driveline.gears          –       forward gears
driveline.drive          –       driveline description (4WD system, transfer box)
suspension.front/rear    –       suspension type
suspension.mounting_points –     where the suspension is mounted on the body/frame
dimensions.wheelbase_mm  mm      wheelbase
dimensions.track_front_mm, track_rear_mm  mm  track widths
weight.production_weight_kg  kg  kerb weight of the production car
production.units         –       units built (optional, where known)
production.plant         –       production plant (optional)
production.start_year    –       first production year (optional)
production.homologation  –       the model's homologation (optional; text: who homologated it, when)
======================  ======  =============================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.stock.schema import Field, check_table

IDENTITY = (
    Field("id", "str", help="the sheet's id, e.g. 'defender-110-octa'"),
    Field("make", "str"),
    Field("model", "str"),
    Field("variant", "str"),
    Field("note", "str", required=False),
)

SECTIONS: dict[str, tuple[Field, ...]] = {
    "body": (Field("bodyshell", "str"),),
    "engine": (
        Field("code", "str"),
        Field("displacement_cc", "int"),
        Field("cylinders", "int"),
        Field("layout", "str"),
        Field("induction", "str"),
        Field("power_kw", "number"),
        Field("torque_nm", "number"),
        Field("fuel", "str"),
        Field("turbochargers", "int", required=False),
    ),
    "driveline": (Field("gearbox_type", "str"), Field("gears", "int"), Field("drive", "str")),
    "suspension": (Field("front", "str"), Field("rear", "str"), Field("mounting_points", "str")),
    "dimensions": (
        Field("wheelbase_mm", "int"),
        Field("track_front_mm", "int"),
        Field("track_rear_mm", "int"),
    ),
    "weight": (Field("production_weight_kg", "number"),),
    "production": (
        Field("units", "int", required=False),
        Field("plant", "str", required=False),
        Field("start_year", "int", required=False),
        Field("homologation", "str", required=False),
    ),
}


@dataclass(frozen=True)
class Figure:
    """One figure of a sheet and where it comes from."""

    value: Any
    source: str

    @property
    def is_assumption(self) -> bool:
        return self.source.strip().lower().startswith("assumption")


@dataclass(frozen=True)
class ProductionReference:
    """A production model admitted in Stock.  ``figures`` maps ``section.name`` → :class:`Figure`."""

    id: str
    make: str
    model: str
    variant: str
    figures: dict[str, Figure] = field(default_factory=dict, hash=False, compare=False)
    note: str = ""

    @property
    def title(self) -> str:
        return f"{self.make} {self.model} {self.variant}".strip()

    def figure(self, path: str) -> Figure:
        try:
            return self.figures[path]
        except KeyError:
            raise KeyError(f"sheet {self.id!r} has no figure {path!r}") from None

    def has(self, path: str) -> bool:
        return path in self.figures


def sheet_from_dict(data: dict[str, Any]) -> ProductionReference:
    """Validate a parsed sheet; errors name the field (``engine.displacement_cc.value``)."""
    identity = check_table({k: v for k, v in data.items() if k not in SECTIONS}, IDENTITY, "")
    if not identity["id"].strip():
        raise InputError("the id must not be empty", field="id")
    figures: dict[str, Figure] = {}
    for section, fields in SECTIONS.items():
        required = any(f.required for f in fields)
        if section not in data:
            if required:
                raise InputError(f"missing required section [{section}]", field=section)
            continue
        table = check_table(data[section], fields, section, sourced=True)
        for name, (value, source) in table.items():
            figures[f"{section}.{name}"] = Figure(value, source)
    return ProductionReference(
        identity["id"],
        identity["make"],
        identity["model"],
        identity["variant"],
        figures,
        identity.get("note", ""),
    )


FIGURE_FIELDS: dict[str, Field] = {f"{s}.{f.name}": f for s, fs in SECTIONS.items() for f in fs}
