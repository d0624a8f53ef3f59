"""The event folder: the whole event as plain files an organiser edits and keeps in git.

Reading validates everything and returns journal :class:`~raidcontrol.core.journal.Record`
objects; the first problem raises :class:`~raidcontrol.core.errors.InputError` naming the
file, line and field, before anything is recorded.  The format is documented in
``docs/event-folder.md``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from raidcontrol.core.errors import InputError, InputErrors
from raidcontrol.core.journal import Record
from raidcontrol.core.timefmt import parse_instant
from raidcontrol.io.csvfile import read_rows
from raidcontrol.io.event_models import AdjustmentRow, EntryRow, EventModel, SplitRow, TimeRow
from raidcontrol.io.fields import DEFAULT_LIMITS, Limits, check_text, doc_problems, duration_ms
from raidcontrol.io.validation import Collector, errors_of, field_name, locate, toml_lines, validate
from raidcontrol.rules import Rulebook, load_rulebook
from raidcontrol.rules.rulebook import nesting_depth, override_problems, strip_sources
from raidcontrol.rules.sections import Inputs, Sporting

EVENT_FILE = "event.toml"
ENTRIES_FILE = "entries.csv"
TIMES_FILE = "times.csv"
ADJUSTMENTS_FILE = "adjustments.csv"
SPLITS_FILE = "splits.csv"
ENTRY_COLUMNS = ("bib", "category", "class", "driver", "codriver", "team", "brand", "model")
TIME_COLUMNS = ("stage", "bib", "start", "finish", "status")
ADJUSTMENT_COLUMNS = ("stage", "bib", "kind", "amount", "scope", "reason")


def read_toml(path: Path, file: str) -> tuple[str, dict]:
    """A TOML file's text and document; every way it can be unreadable is a located InputError
    (not UTF-8, malformed, nested too deep for the parser, a number too long to read)."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x})", file=file, line=line
        ) from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(
            f"malformed TOML: {exc}", file=file, line=int(m.group(1)) if m else None
        ) from None
    except RecursionError:
        raise InputError("malformed TOML: nested too deep", file=file) from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"malformed TOML: {str(exc)[:120]}", file=file) from None


def _limits(rulebook: Rulebook) -> Limits:
    """The readers' limits from the rulebook's ``[inputs]`` (validated by its model)."""
    inputs = validate(
        Inputs, rulebook.section("inputs"), file=f"rulebook {rulebook.id}", prefix=("inputs",)
    )
    earliest, latest = inputs.window()
    return Limits(
        inputs.max_text_length, inputs.max_id_length, inputs.max_nesting, earliest, latest
    )


def _hygiene(node: Any, limits: Limits, errors: Collector, lines: dict, path: tuple = ()) -> None:
    """Values no model may let through, anywhere in the document (see :func:`~raidcontrol.io.fields.doc_problems`):
    what PostgreSQL would refuse, SQLite must not take either."""
    for where, problem in doc_problems(node, limits, path):
        field, context = field_name(where)
        errors.add(
            InputError(context + problem, file=EVENT_FILE, line=locate(lines, where), field=field)
        )


def _bad_text(text: str, limit: int) -> str | None:
    try:
        check_text(text, limit)
    except ValueError as exc:
        return str(exc)
    return None


def _rulebook(folder: Path, doc: dict, lines: dict) -> Rulebook:
    """The event's base rulebook (without its overrides): a known id or a folder inside the event."""
    try:
        return load_rulebook(doc.get("rulebook"), base=folder)  # type: ignore[arg-type]
    except InputError as exc:
        raise exc.at(file=EVENT_FILE, line=locate(lines, ("rulebook",)), field="rulebook") from None


def _rules(base: Rulebook, rules: Any, limits: Limits, lines: dict, errors: Collector) -> Rulebook:
    """The rulebook with the event's ``[rules]`` overrides, each checked against the rulebook first."""
    if nesting_depth(rules, limits.max_nesting) > limits.max_nesting:
        errors.add(
            InputError(
                f"nested deeper than {limits.max_nesting} tables (rulebook inputs.max_nesting)",
                file=EVENT_FILE,
                line=locate(lines, ("rules",)),
                field="rules",
            )
        )
        return base
    problems = override_problems(base.tree, rules)
    for where, message in problems:
        errors.add(
            InputError(
                message,
                file=EVENT_FILE,
                line=locate(lines, ("rules", *where)),
                field=".".join(("rules", *where)),
            )
        )
    if problems or not rules:
        return base
    book = base.with_overrides(rules)
    try:
        Sporting.model_validate(strip_sources(book.tree))
    except ValidationError as exc:
        errors.add(InputErrors(errors_of(exc, file=EVENT_FILE, lines=lines, prefix=("rules",))))
    _consumers_accept(book, set(rules), lines, errors)
    return book


def _consumers_accept(book: Rulebook, sections: set[str], lines: dict, errors: Collector) -> None:
    """Each overridden section read by its consumer now (tracking, Stock, championship rules), so
    an override they cannot use is refused here, located, before the event record is written."""
    from raidcontrol.championship.rules import championship_rules
    from raidcontrol.stock.rules import stock_rules
    from raidcontrol.tracking.rules import TrackingRules

    readers = {
        "tracking": TrackingRules.from_rulebook,
        "stock": stock_rules,
        "championship": championship_rules,
    }
    for section in sorted(sections & set(readers)):
        try:
            readers[section](book)
        except InputError as exc:
            field = exc.field if exc.field and exc.field.startswith(section) else section
            where = ("rules", *field.split("."))
            errors.add(
                InputError(
                    exc.message, file=EVENT_FILE, line=locate(lines, where), field=".".join(where)
                )
            )
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            errors.add(
                InputError(
                    f"the {section} rules cannot use this override ({type(exc).__name__}: {exc})",
                    file=EVENT_FILE,
                    line=locate(lines, ("rules", section)),
                    field=f"rules.{section}",
                )
            )


def read_event_toml(folder: Path) -> tuple[dict, Rulebook, list[Record]]:
    """Validate ``event.toml``; return the document, the rulebook with its overrides and the
    event and stage records.  Every problem found (up to 20) is raised at once."""
    doc, rulebook, records, _ = read_event_file(folder)
    return doc, rulebook, records


def read_event_file(folder: Path) -> tuple[dict, Rulebook, list[Record], Limits]:
    """:func:`read_event_toml` and the readers' limits for the other files."""
    path = folder / EVENT_FILE
    if not path.is_file():
        raise InputError("no event.toml in the event folder", file=str(folder / EVENT_FILE))
    text, doc = read_toml(path, EVENT_FILE)
    lines = toml_lines(text)
    base = _rulebook(folder, doc, lines)
    limits = _limits(base)
    errors = Collector()
    _hygiene({k: v for k, v in doc.items() if k != "rules"}, limits, errors, lines)
    rulebook = base
    if isinstance(doc.get("rules"), dict):
        if nesting_depth(doc["rules"], limits.max_nesting) <= limits.max_nesting:
            _hygiene(doc["rules"], limits, errors, lines, ("rules",))
        if not errors:
            rulebook = _rules(base, doc["rules"], limits, lines, errors)
        if not errors:
            limits = _limits(rulebook)
    model = None
    try:
        model = validate(EventModel, doc, file=EVENT_FILE, lines=lines, context={"limits": limits})
    except InputError as exc:
        errors.add(exc)
    if (
        model is not None
        and model.id is None
        and _bad_text(folder.resolve().name, limits.max_id_length)
    ):
        errors.add(
            InputError(
                f"the folder's name is not a usable event id (at most {limits.max_id_length} "
                "characters, no control characters): give an id in event.toml",
                file=EVENT_FILE,
            )
        )
    errors.raise_if_any()
    assert model is not None
    records = [_event_record(doc, model)] + _stage_records(model, rulebook, lines, errors)
    errors.raise_if_any()
    return (
        doc,
        rulebook,
        records,
        limits.around(model.start_date, model.end_date, _margin(rulebook)),
    )


def _margin(rulebook: Rulebook) -> int:
    return int(rulebook.value("inputs.margin_days"))


def _event_record(doc: dict, model: EventModel) -> Record:
    payload: dict[str, Any] = {
        "name": model.name,
        "rulebook": model.rulebook,
        "rules": doc.get("rules", {}),
    }
    if model.id is not None:
        payload["id"] = model.id
    if model.start_date is not None and model.end_date is not None:
        payload["start_date"], payload["end_date"] = (
            model.start_date.isoformat(),
            model.end_date.isoformat(),
        )
    return Record("event", "event", payload, source=EVENT_FILE)


def _stage_records(
    model: EventModel, rulebook: Rulebook, lines: dict, errors: Collector
) -> list[Record]:
    """One record per stage; stage numbers unique, the prologue as the rulebook says."""
    records, seen = [], set()
    for i, st in enumerate(model.stage):

        def fail(message: str, key: str, i: int = i) -> None:
            errors.add(
                InputError(
                    message, file=EVENT_FILE, line=locate(lines, ("stage", i, key)), field=key
                )
            )

        if st.number in seen:
            fail(f"stage number {st.number} is negative or listed twice", "number")
        seen.add(st.number)
        if (
            st.number == 0
            and rulebook.has("prologue.counts_for_general")
            and st.counts_for_general != rulebook.value("prologue.counts_for_general")
        ):
            rule = str(rulebook.value("prologue.counts_for_general")).lower()
            fail(
                f"the prologue's counts_for_general contradicts rulebook {rulebook.id} "
                f"(prologue.counts_for_general = {rule}); to change the rule for this event, override it "
                "in [rules.prologue]",
                "counts_for_general",
            )
        records.append(
            Record(
                "stage",
                str(st.number),
                {
                    "number": st.number,
                    "name": st.name,
                    "special_km": float(st.special_km),
                    "max_time_ms": duration_ms(st.max_time),
                    "counts_for_general": st.counts_for_general,
                    "final": st.final,
                    **({"power_stage": True} if st.power_stage else {}),
                },
                source=f"{EVENT_FILE}:{locate(lines, ('stage', i, 'number'))}",
            )
        )
    return records


def _rows(
    path: Path,
    model: type,
    columns: tuple[str, ...],
    limits: Limits,
    errors: Collector,
    optional: tuple[str, ...] | None = (),
) -> list[tuple[int, Any]]:
    """``(line, model)`` for each valid row of a CSV file; each invalid row's problems are collected."""
    out = []
    for line, row in read_rows(path, columns, optional=optional):
        try:
            out.append(
                (line, validate(model, row, file=path.name, line=line, context={"limits": limits}))
            )
        except InputError as exc:
            errors.add(exc)
    return out


def read_entries(folder: Path, rulebook: Rulebook, limits: Limits | None = None) -> list[Record]:
    """``entries.csv``: one record per crew; every problem of the file collected (up to 20)."""
    path = folder / ENTRIES_FILE
    if not path.is_file():
        raise InputError("no entries.csv in the event folder", file=ENTRIES_FILE)
    categories = rulebook.section("categories")
    records, seen, errors = [], set(), Collector()
    for line, row in _rows(
        path, EntryRow, ENTRY_COLUMNS, limits or _limits(rulebook), errors, optional=None
    ):

        def fail(message: str, field: str, line: int = line) -> None:
            errors.add(InputError(message, file=ENTRIES_FILE, line=line, field=field))

        if row.bib in seen:
            fail(f"bib {row.bib} is entered twice (duplicate record)", "bib")
        seen.add(row.bib)
        if row.category not in categories:
            fail(
                f"unknown category {row.category!r} in rulebook {rulebook.id} (known: {', '.join(categories)})",
                "category",
            )
        elif row.klass not in (classes := categories[row.category].get("classes", [])):
            fail(
                f"unknown class {row.klass!r} for category {row.category} (known: {', '.join(classes)})",
                "class",
            )
        payload: dict[str, Any] = {
            k: getattr(row, "klass" if k == "class" else k) for k in ENTRY_COLUMNS
        }
        payload["extra"] = dict(row.model_extra or {})
        records.append(Record("entry", str(row.bib), payload, source=f"{ENTRIES_FILE}:{line}"))
    errors.raise_if_any()
    return records


def _known(
    row: Any, file: str, line: int, stages: set[int], bibs: set[int], errors: Collector
) -> bool:
    """Whether the row's stage and bib are known to the event (problems collected)."""
    ok = True
    if row.stage not in stages:
        errors.add(
            InputError(
                f"stage {row.stage} is not in event.toml", file=file, line=line, field="stage"
            )
        )
        ok = False
    if row.bib not in bibs:
        errors.add(
            InputError(
                f"unknown bib {row.bib} (not in entries.csv)", file=file, line=line, field="bib"
            )
        )
        ok = False
    return ok


def _time_problem(row: TimeRow) -> tuple[str, str] | None:
    """``(field, message)`` when a time row's start, finish and status disagree."""
    if row.status == "finished":
        if not row.start:
            return "start", "a finished crew needs a start"
        if not row.finish:
            return "finish", "a finished crew needs a finish"
        start, finish = parse_instant(row.start), parse_instant(row.finish)
        if start.kind != finish.kind:
            return "finish", "start and finish must both be times of day or both full datetimes"
        if finish.ms <= start.ms:
            return "finish", f"finish {row.finish} is not after start {row.start}"
    elif row.status == "dnf" and row.finish:
        return "finish", "a crew that did not finish has an empty finish"
    return None


def read_times(
    folder: Path, stages: set[int], bibs: set[int], limits: Limits | None = None
) -> list[Record]:
    """``times.csv``: one record per crew and stage (start, finish, status)."""
    path = folder / TIMES_FILE
    if not path.is_file():
        return []
    records, seen, errors = [], set(), Collector()
    for line, row in _rows(path, TimeRow, TIME_COLUMNS, limits or DEFAULT_LIMITS, errors):
        if not _known(row, TIMES_FILE, line, stages, bibs, errors):
            continue
        if (row.stage, row.bib) in seen:
            errors.add(
                InputError(
                    f"a second time record for bib {row.bib} in stage {row.stage} (duplicate record)",
                    file=TIMES_FILE,
                    line=line,
                    field="bib",
                )
            )
        seen.add((row.stage, row.bib))
        if problem := _time_problem(row):
            errors.add(InputError(problem[1], file=TIMES_FILE, line=line, field=problem[0]))
        records.append(
            Record(
                "time",
                f"{row.stage}/{row.bib}",
                {
                    "stage": row.stage,
                    "bib": row.bib,
                    "start": row.start or None,
                    "finish": row.finish or None,
                    "status": row.status,
                },
                source=f"{TIMES_FILE}:{line}",
            )
        )
    errors.raise_if_any()
    return records


def read_adjustments(
    folder: Path, stages: set[int], bibs: set[int], limits: Limits | None = None
) -> list[Record]:
    """``adjustments.csv``: penalties and credits (positive amounts; the kind gives the sign)."""
    path = folder / ADJUSTMENTS_FILE
    if not path.is_file():
        return []
    records, seen, errors = [], set(), Collector()
    for line, row in _rows(
        path, AdjustmentRow, ADJUSTMENT_COLUMNS, limits or DEFAULT_LIMITS, errors
    ):
        if not _known(row, ADJUSTMENTS_FILE, line, stages, bibs, errors):
            continue
        payload = {
            "stage": row.stage,
            "bib": row.bib,
            "kind": row.kind,
            "amount_ms": duration_ms(row.amount),
            "scope": row.scope,
            "reason": row.reason,
        }
        ident = hashlib.sha1(repr(sorted(payload.items())).encode()).hexdigest()[:12]
        if ident in seen:
            errors.add(
                InputError(
                    "the same adjustment is listed twice (duplicate record)",
                    file=ADJUSTMENTS_FILE,
                    line=line,
                )
            )
        seen.add(ident)
        records.append(
            Record(
                "adjustment",
                f"{row.stage}/{row.bib}/{ident}",
                payload,
                source=f"{ADJUSTMENTS_FILE}:{line}",
            )
        )
    errors.raise_if_any()
    return records


def read_splits(
    folder: Path, stages: set[int], bibs: set[int], limits: Limits | None = None
) -> list[Record]:
    """``splits.csv``: ``stage,bib,waypoint,elapsed[,position]`` — elapsed time at timing waypoints."""
    path = folder / SPLITS_FILE
    if not path.is_file():
        return []
    records, seen, errors = [], set(), Collector()
    for line, row in _rows(
        path,
        SplitRow,
        ("stage", "bib", "waypoint", "elapsed"),
        limits or DEFAULT_LIMITS,
        errors,
        optional=("position",),
    ):
        if not _known(row, SPLITS_FILE, line, stages, bibs, errors):
            continue
        if (row.stage, row.bib, row.waypoint) in seen:
            errors.add(
                InputError(
                    "a second split at this waypoint (duplicate record)",
                    file=SPLITS_FILE,
                    line=line,
                    field="waypoint",
                )
            )
        seen.add((row.stage, row.bib, row.waypoint))
        records.append(
            Record(
                "split",
                f"{row.stage}/{row.bib}/{row.waypoint}",
                {
                    "stage": row.stage,
                    "bib": row.bib,
                    "waypoint": row.waypoint,
                    "elapsed_ms": duration_ms(row.elapsed),
                    "position": row.position,
                },
                source=f"{SPLITS_FILE}:{line}",
            )
        )
    errors.raise_if_any()
    return records


def read_event_folder(folder: str | Path) -> tuple[Rulebook, list[Record]]:
    """Validate the whole folder; return the rulebook (with the event's overrides) and the records.

    ``event.toml`` is read first (the rest depends on it); the CSV files are then all read and
    their problems raised together (up to 20), before anything is recorded.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not an event folder (no such directory)", file=str(folder))
    _, rulebook, records, limits = read_event_file(folder)
    stages = {r.payload["number"] for r in records if r.kind == "stage" and r.payload}
    entries = read_entries(folder, rulebook, limits)
    bibs = {r.payload["bib"] for r in entries if r.payload}
    errors, more = Collector(), []
    for reader in (read_times, read_adjustments, read_splits):
        with errors.row():
            more += reader(folder, stages, bibs, limits)
    errors.raise_if_any()
    return rulebook, records + entries + more
