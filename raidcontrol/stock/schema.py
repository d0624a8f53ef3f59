"""Typed fields for the Stock files (reference sheets, scrutineering records).

A :class:`Field` names one value of a TOML table, its type and whether it is
required.  Units are part of the name (``displacement_cc``, ``track_front_mm``), so a
value written with another unit — a field ``displacement_l``, or the text
``"3.4 L"`` where a number of cubic centimetres is expected — is an error naming the
field.  Errors are :class:`~raidcontrol.core.errors.InputError` with ``field`` set to
the dotted path (``car.engine.displacement_cc``); the file reader adds file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from raidcontrol.core.errors import InputError

TYPE_NAMES = {
    "str": "a text",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "list[str]": "a list of texts",
    "date": "a date (YYYY-MM-DD)",
}


@dataclass(frozen=True)
class Field:
    """One value of a table: ``kind`` is ``str``, ``int``, ``number``, ``bool``, ``list[str]`` or ``date``
    (a TOML date or a ``YYYY-MM-DD`` text, read as :class:`datetime.date`)."""

    name: str
    kind: str
    required: bool = True
    help: str = ""

    @property
    def unit(self) -> str:
        """The unit suffix of the name (``mm`` of ``track_front_mm``), or ``""``."""
        stem, _, suffix = self.name.rpartition("_")
        return suffix if stem and suffix in UNIT_SUFFIXES else ""


UNIT_SUFFIXES = ("cc", "mm", "kg", "kw", "nm", "l", "in", "ms", "pct")


def _stem(name: str) -> str:
    stem, _, suffix = name.rpartition("_")
    return stem if stem and suffix in UNIT_SUFFIXES else name


def as_date(value: Any) -> date | None:
    """A TOML date (or a ``YYYY-MM-DD`` text) as a date; ``None`` when it is not one."""
    if isinstance(value, datetime):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def type_ok(kind: str, value: Any) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list[str]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "date":
        return as_date(value) is not None
    raise ValueError(f"unknown field kind {kind!r}")


def check_value(field: Field, value: Any, path: str) -> Any:
    """``value`` if it has the field's type, else an :class:`InputError` naming ``path``."""
    if type_ok(field.kind, value):
        return as_date(value) if field.kind == "date" else value
    shown = f"{value!r}"
    hint = ""
    if field.unit and isinstance(value, str):
        hint = f" (write the number in {field.unit}, without a unit: the unit is in the field name)"
    raise InputError(f"expected {TYPE_NAMES[field.kind]}, got {shown}{hint}", field=path)


def check_table(
    table: Any, fields: tuple[Field, ...], path: str, *, sourced: bool = False
) -> dict[str, Any]:
    """Validate one TOML table against ``fields``; unknown keys are errors (with a hint when
    only the unit differs).  With ``sourced=True`` every value is ``{ value, source }``."""
    if not isinstance(table, dict):
        raise InputError(f"expected a table, got {table!r}", field=path)
    known = {f.name: f for f in fields}
    for key in table:
        if key not in known:
            near = [f.name for f in fields if _stem(f.name) == _stem(key)]
            hint = (
                f" — did you mean {near[0]!r}? (units are part of the field name)" if near else ""
            )
            raise InputError(
                f"unknown field{hint}; known: {', '.join(known)}", field=_join(path, key)
            )
    out: dict[str, Any] = {}
    for f in fields:
        where = _join(path, f.name)
        if f.name not in table:
            if f.required:
                raise InputError(
                    f"missing required field ({TYPE_NAMES[f.kind]}{', ' + f.help if f.help else ''})",
                    field=where,
                )
            continue
        raw = table[f.name]
        if sourced:
            out[f.name] = check_sourced(f, raw, where)
        else:
            out[f.name] = check_value(f, raw, where)
    return out


def check_sourced(field: Field, raw: Any, path: str) -> tuple[Any, str]:
    """A sheet figure: ``{ value = …, source = "…" }`` → ``(value, source)``."""
    if not isinstance(raw, dict) or "value" not in raw or "source" not in raw:
        raise InputError('expected a sourced figure { value = …, source = "…" }', field=path)
    extra = set(raw) - {"value", "source", "note"}
    if extra:
        raise InputError(
            f"unknown key(s) {', '.join(sorted(extra))} in a sourced figure", field=path
        )
    source = raw["source"]
    if not isinstance(source, str) or not source.strip():
        raise InputError(
            "the source must be a citation or start with 'assumption'", field=f"{path}.source"
        )
    return check_value(field, raw["value"], f"{path}.value"), source


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
