"""Reading the Stock files: production-reference sheets and ``scrutineering/<bib>.toml``.

Every problem is an :class:`~raidcontrol.core.errors.InputError` naming the file, the line
and the dotted field; nothing is recorded before every file has been read.  Sheets come
from the package's library (``raidcontrol/stock/references/``) and, for an event, from
``EVENT_DIR/references/*.toml`` (a sheet there with the id of a shipped one replaces it).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from raidcontrol.core.errors import InputError
from raidcontrol.rules import Rulebook
from raidcontrol.stock.breach import Verdict
from raidcontrol.stock.record import ScrutineeringRecord, record_from_dict
from raidcontrol.stock.rules import StockRules, stock_rules
from raidcontrol.stock.sheet import ProductionReference, sheet_from_dict
from raidcontrol.stock.verdict import assess

LIBRARY_DIR = Path(str(resources.files("raidcontrol.stock") / "references"))
EVENT_REFERENCES = "references"
SCRUTINEERING_DIR = "scrutineering"


def key_lines(text: str) -> dict[str, int]:
    """Line of every table header and key in TOML text, by dotted path; the n-th
    ``[[name]]`` table is ``name[n]`` (from 1).  A view of the one line-finder,
    :func:`raidcontrol.io.validation.toml_lines`."""
    from raidcontrol.io.validation import toml_lines

    lines: dict[str, int] = {}
    for path, number in toml_lines(text).items():
        name = ""
        for part in path:
            name = (
                f"{name}[{part + 1}]"
                if isinstance(part, int)
                else f"{name}.{part}"
                if name
                else part
            )
        lines.setdefault(name, number)
    return lines


def locate(lines: dict[str, int], field: str | None) -> int | None:
    """The line of ``field``, or of the nearest enclosing table that is in the file."""
    path = field or ""
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return 1 if field and "." not in field else None


def _read(path: Path) -> tuple[dict, dict[str, int]]:
    from raidcontrol.io.event_folder import (
        read_toml,
    )  # UTF-8, depth and huge numbers refused, located
    from raidcontrol.io.fields import doc_problems

    if not path.is_file():
        raise InputError("cannot read: no such file", file=str(path))
    text, data = read_toml(path, str(path))
    lines = key_lines(text)
    for where, problem in doc_problems(
        data
    ):  # control characters, non-finite numbers, beyond 64 bits
        field = ".".join(str(p) for p in where if isinstance(p, str))
        raise InputError(problem, file=str(path), line=locate(lines, field), field=field or None)
    return data, lines


def read_sheet(path: Path) -> ProductionReference:
    """One production-reference sheet."""
    data, lines = _read(path)
    try:
        return sheet_from_dict(data)
    except InputError as exc:
        raise exc.at(file=str(path), line=locate(lines, exc.field)) from None


def load_library(extra_dirs: Iterable[Path] = ()) -> dict[str, ProductionReference]:
    """The shipped sheets, then those of ``extra_dirs`` (later ones replace earlier ids)."""
    library: dict[str, ProductionReference] = {}
    for folder in (LIBRARY_DIR, *extra_dirs):
        seen: dict[str, Path] = {}
        for path in sorted(Path(folder).glob("*.toml")):
            sheet = read_sheet(path)
            if sheet.id in seen:
                raise InputError(
                    f"sheet id {sheet.id!r} already used by {seen[sheet.id].name}",
                    file=str(path),
                    line=1,
                    field="id",
                )
            seen[sheet.id] = path
            library[sheet.id] = sheet
    return library


def read_record(path: Path, library: dict[str, ProductionReference]) -> ScrutineeringRecord:
    """One scrutineering file, its production reference checked against ``library``.

    The structure is checked first (types, required fields, units in the field names, with hints),
    then the values against the pydantic model :data:`~raidcontrol.stock.record_model.RecordModel`
    (impossible values: every problem located by file, line and field)."""
    from raidcontrol.io.validation import (
        toml_lines,
        validate,
    )  # pydantic: loaded only when a record is read
    from raidcontrol.stock.record_model import RecordModel

    data, lines = _read(path)
    try:
        record = record_from_dict(data)
        if record.reference not in library:
            raise InputError(
                f"unknown production reference {record.reference!r} "
                f"(known: {', '.join(sorted(library)) or 'none'})",
                field="reference",
            )
    except InputError as exc:
        raise exc.at(file=str(path), line=locate(lines, exc.field)) from None
    validate(RecordModel, data, file=str(path), lines=toml_lines(path.read_text(encoding="utf-8")))
    return record


def check_file(
    path: Path,
    rulebook: Rulebook,
    library: dict[str, ProductionReference],
    rules: StockRules | None = None,
) -> tuple[ScrutineeringRecord, Verdict]:
    """Read one scrutineering file and give its verdict."""
    record = read_record(path, library)
    rules = rules or stock_rules(rulebook)
    return record, assess(record, library[record.reference], rules, rulebook.id)


def read_event_scrutineering(
    event_dir: Path,
    rulebook: Rulebook,
    categories: dict[int, str] | None = None,
) -> list[tuple[ScrutineeringRecord, Verdict, Path]]:
    """Every ``scrutineering/<bib>.toml`` of an event, validated, with its verdict.  The file
    is named after its bib; with ``categories`` (bib → category of ``entries.csv``) each bib
    must be an entry of the Stock category."""
    library = load_library([Path(event_dir) / EVENT_REFERENCES])
    rules = stock_rules(rulebook)
    out = []
    for path in sorted((Path(event_dir) / SCRUTINEERING_DIR).glob("*.toml")):
        record, verdict = check_file(path, rulebook, library, rules)
        problem = ""
        if path.stem != str(record.bib):
            problem = f"the file of bib {record.bib} must be named {record.bib}.toml"
        elif categories is not None and record.bib not in categories:
            problem = f"bib {record.bib} is not an entry of the event (entries.csv)"
        elif categories is not None and categories[record.bib] != rules.category:
            problem = f"bib {record.bib} is entered in {categories[record.bib]!r}, not in {rules.category!r}"
        if problem:
            lines = key_lines(path.read_text(encoding="utf-8"))
            raise InputError(problem, file=str(path), line=locate(lines, "bib"), field="bib")
        out.append((record, verdict, path))
    return out
