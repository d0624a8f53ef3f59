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

from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import Record
from raidcontrol.core.model import ADJUSTMENT_KINDS, SCOPES, TIME_STATUSES
from raidcontrol.core.timefmt import TimeFormatError, parse_duration, parse_instant
from raidcontrol.io.csvfile import read_rows
from raidcontrol.rules import Rulebook, load_rulebook

EVENT_FILE = "event.toml"
ENTRIES_FILE = "entries.csv"
TIMES_FILE = "times.csv"
ADJUSTMENTS_FILE = "adjustments.csv"
SPLITS_FILE = "splits.csv"
ENTRY_COLUMNS = ("bib", "category", "class", "driver", "codriver", "team", "brand", "model")
TIME_COLUMNS = ("stage", "bib", "start", "finish", "status")
ADJUSTMENT_COLUMNS = ("stage", "bib", "kind", "amount", "scope", "reason")
STAGE_KEYS = {"number": int, "name": str, "special_km": (int, float), "max_time": str, "counts_for_general": bool}


def _toml_line(text: str, key: str, table_index: int | None = None, table: str = "stage") -> int | None:
    """Best-effort line of ``key`` (inside the n-th ``[[table]]`` when given) in TOML text."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    if table_index is not None:
        heads = [i for i, ln in enumerate(lines) if ln.strip() == f"[[{table}]]"]
        if table_index >= len(heads):
            return None
        start = heads[table_index]
        nxt = [i for i, ln in enumerate(lines) if i > start and ln.strip().startswith("[")]
        end = nxt[0] if nxt else len(lines)
        if key is None:
            return start + 1
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for i in range(start, end):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1 if table_index is not None else None


def read_event_toml(folder: Path) -> tuple[dict, Rulebook, list[Record]]:
    path = folder / EVENT_FILE
    if not path.is_file():
        raise InputError("no event.toml in the event folder", file=str(folder / EVENT_FILE))
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InputError(f"malformed TOML: {exc}", file=EVENT_FILE, line=int(m.group(1)) if m else None) from None
    for key in ("name", "rulebook"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise InputError("required text value is missing", file=EVENT_FILE, line=_toml_line(text, key), field=key)
    rules = doc.get("rules", {})
    if not isinstance(rules, dict):
        raise InputError("must be a table", file=EVENT_FILE, line=_toml_line(text, "rules"), field="rules")
    try:
        rulebook = load_rulebook(doc["rulebook"], rules)
    except InputError as exc:
        raise exc.at(file=EVENT_FILE, line=_toml_line(text, "rulebook"), field="rulebook") from None
    stages = doc.get("stage", [])
    if not isinstance(stages, list) or not stages:
        raise InputError("at least one [[stage]] table is required", file=EVENT_FILE, field="stage")
    if "id" in doc and (not isinstance(doc["id"], str) or not doc["id"].strip()):
        raise InputError("must be a non-empty text", file=EVENT_FILE, line=_toml_line(text, "id"), field="id")
    records = [Record("event", "event", {"name": doc["name"], "rulebook": doc["rulebook"], "rules": rules,
                                         **({"id": doc["id"]} if "id" in doc else {})}, source=EVENT_FILE)]
    seen: set[int] = set()
    for i, st in enumerate(stages):
        for key, typ in STAGE_KEYS.items():
            value = st.get(key)
            ok = isinstance(value, typ) and not (typ is int and isinstance(value, bool)) and not (
                typ == (int, float) and isinstance(value, bool))
            if not ok:
                what = "missing" if value is None else f"must be {getattr(typ, '__name__', 'a number')}, got {value!r}"
                raise InputError(f"stage #{i + 1}: {what}", file=EVENT_FILE, line=_toml_line(text, key, i), field=key)
        for key in st:
            if key not in STAGE_KEYS and key not in ("final", "power_stage"):
                raise InputError(f"stage #{i + 1}: unknown key", file=EVENT_FILE, line=_toml_line(text, key, i), field=key)
        for flag in ("final", "power_stage"):
            if flag in st and not isinstance(st[flag], bool):
                raise InputError("must be true or false", file=EVENT_FILE, line=_toml_line(text, flag, i), field=flag)
        number = st["number"]
        if number < 0 or number in seen:
            raise InputError(f"stage number {number} is negative or listed twice", file=EVENT_FILE,
                             line=_toml_line(text, "number", i), field="number")
        seen.add(number)
        if number == 0 and rulebook.has("prologue.counts_for_general") and \
                st["counts_for_general"] != rulebook.value("prologue.counts_for_general"):
            raise InputError(f"the prologue's counts_for_general contradicts rulebook {rulebook.id} "
                             f"(prologue.counts_for_general = {str(rulebook.value('prologue.counts_for_general')).lower()}); "
                             "to change the rule for this event, override it in [rules.prologue]",
                             file=EVENT_FILE, line=_toml_line(text, "counts_for_general", i), field="counts_for_general")
        try:
            max_ms = parse_duration(st["max_time"])
        except TimeFormatError as exc:
            raise InputError(str(exc), file=EVENT_FILE, line=_toml_line(text, "max_time", i), field="max_time") from None
        if st["special_km"] < 0 or max_ms <= 0:
            raise InputError("must be positive", file=EVENT_FILE, line=_toml_line(text, "max_time", i), field="max_time")
        records.append(Record("stage", str(number), {
            "number": number, "name": st["name"], "special_km": float(st["special_km"]), "max_time_ms": max_ms,
            "counts_for_general": st["counts_for_general"], "final": st.get("final", False),
            **({"power_stage": True} if st.get("power_stage") else {})},
            source=f"{EVENT_FILE}:{_toml_line(text, 'number', i)}"))
    return doc, rulebook, records


def _int(value: str, file: str, line: int, field: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError(f"not a whole number: {value!r}", file=file, line=line, field=field) from None


def read_entries(folder: Path, rulebook: Rulebook) -> list[Record]:
    path = folder / ENTRIES_FILE
    if not path.is_file():
        raise InputError("no entries.csv in the event folder", file=ENTRIES_FILE)
    categories = rulebook.section("categories")
    records, seen = [], set()
    for line, row in read_rows(path, ENTRY_COLUMNS, optional=None):
        bib = _int(row["bib"], ENTRIES_FILE, line, "bib")
        if bib in seen:
            raise InputError(f"bib {bib} is entered twice (duplicate record)", file=ENTRIES_FILE, line=line, field="bib")
        seen.add(bib)
        cat = row["category"]
        if cat not in categories:
            raise InputError(f"unknown category {cat!r} in rulebook {rulebook.id} (known: {', '.join(categories)})",
                             file=ENTRIES_FILE, line=line, field="category")
        classes = categories[cat].get("classes", [])
        if row["class"] not in classes:
            raise InputError(f"unknown class {row['class']!r} for category {cat} (known: {', '.join(classes)})",
                             file=ENTRIES_FILE, line=line, field="class")
        if not row["driver"]:
            raise InputError("a driver name is required", file=ENTRIES_FILE, line=line, field="driver")
        payload: dict[str, Any] = {k: row[k] for k in ENTRY_COLUMNS}
        payload["bib"] = bib
        payload["extra"] = {k: v for k, v in row.items() if k not in ENTRY_COLUMNS}
        records.append(Record("entry", str(bib), payload, source=f"{ENTRIES_FILE}:{line}"))
    return records


def _instant_text(value: str, file: str, line: int, field: str):
    try:
        return parse_instant(value)
    except TimeFormatError as exc:
        raise InputError(str(exc), file=file, line=line, field=field) from None


def _stage_and_bib(row: dict[str, str], file: str, line: int, stages: set[int], bibs: set[int]) -> tuple[int, int]:
    """The row's stage and bib, both known to the event."""
    stage = _int(row["stage"], file, line, "stage")
    bib = _int(row["bib"], file, line, "bib")
    if stage not in stages:
        raise InputError(f"stage {stage} is not in event.toml", file=file, line=line, field="stage")
    if bib not in bibs:
        raise InputError(f"unknown bib {bib} (not in entries.csv)", file=file, line=line, field="bib")
    return stage, bib


def read_times(folder: Path, stages: set[int], bibs: set[int]) -> list[Record]:
    path = folder / TIMES_FILE
    if not path.is_file():
        return []
    records, seen = [], set()
    for line, row in read_rows(path, TIME_COLUMNS):
        stage, bib = _stage_and_bib(row, TIMES_FILE, line, stages, bibs)
        if (stage, bib) in seen:
            raise InputError(f"a second time record for bib {bib} in stage {stage} (duplicate record)",
                             file=TIMES_FILE, line=line, field="bib")
        seen.add((stage, bib))
        status = row["status"]
        if status not in TIME_STATUSES:
            raise InputError(f"unknown status {status!r} (one of {', '.join(TIME_STATUSES)})",
                             file=TIMES_FILE, line=line, field="status")
        start = _instant_text(row["start"], TIMES_FILE, line, "start") if row["start"] else None
        finish = _instant_text(row["finish"], TIMES_FILE, line, "finish") if row["finish"] else None
        if status == "finished":
            if start is None:
                raise InputError("a finished crew needs a start", file=TIMES_FILE, line=line, field="start")
            if finish is None:
                raise InputError("a finished crew needs a finish", file=TIMES_FILE, line=line, field="finish")
            if start.kind != finish.kind:
                raise InputError("start and finish must both be times of day or both full datetimes",
                                 file=TIMES_FILE, line=line, field="finish")
            if finish.ms <= start.ms:
                raise InputError(f"finish {row['finish']} is not after start {row['start']}",
                                 file=TIMES_FILE, line=line, field="finish")
        elif status == "dnf" and finish is not None:
            raise InputError("a crew that did not finish has an empty finish", file=TIMES_FILE, line=line, field="finish")
        records.append(Record("time", f"{stage}/{bib}", {"stage": stage, "bib": bib, "start": row["start"] or None,
                                                         "finish": row["finish"] or None, "status": status},
                              source=f"{TIMES_FILE}:{line}"))
    return records


def read_adjustments(folder: Path, stages: set[int], bibs: set[int]) -> list[Record]:
    path = folder / ADJUSTMENTS_FILE
    if not path.is_file():
        return []
    records, seen = [], set()
    for line, row in read_rows(path, ADJUSTMENT_COLUMNS):
        stage, bib = _stage_and_bib(row, ADJUSTMENTS_FILE, line, stages, bibs)
        if row["kind"] not in ADJUSTMENT_KINDS:
            raise InputError(f"unknown kind {row['kind']!r} (penalty or credit)", file=ADJUSTMENTS_FILE, line=line, field="kind")
        if row["scope"] not in SCOPES:
            raise InputError(f"unknown scope {row['scope']!r} (special or stage)", file=ADJUSTMENTS_FILE, line=line, field="scope")
        try:
            amount = parse_duration(row["amount"])
        except TimeFormatError as exc:
            raise InputError(str(exc), file=ADJUSTMENTS_FILE, line=line, field="amount") from None
        if amount <= 0:
            raise InputError("must be a positive duration", file=ADJUSTMENTS_FILE, line=line, field="amount")
        payload = {"stage": stage, "bib": bib, "kind": row["kind"], "amount_ms": amount, "scope": row["scope"],
                   "reason": row["reason"]}
        ident = hashlib.sha1(repr(sorted(payload.items())).encode()).hexdigest()[:12]
        if ident in seen:
            raise InputError("the same adjustment is listed twice (duplicate record)", file=ADJUSTMENTS_FILE, line=line)
        seen.add(ident)
        records.append(Record("adjustment", f"{stage}/{bib}/{ident}", payload, source=f"{ADJUSTMENTS_FILE}:{line}"))
    return records


def read_splits(folder: Path, stages: set[int], bibs: set[int]) -> list[Record]:
    """``splits.csv``: ``stage,bib,waypoint,elapsed[,position]`` — elapsed time at timing waypoints."""
    path = folder / SPLITS_FILE
    if not path.is_file():
        return []
    records, seen = [], set()
    for line, row in read_rows(path, ("stage", "bib", "waypoint", "elapsed"), optional=("position",)):
        stage, bib = _stage_and_bib(row, SPLITS_FILE, line, stages, bibs)
        if not row["waypoint"]:
            raise InputError("a waypoint code is required", file=SPLITS_FILE, line=line, field="waypoint")
        if (stage, bib, row["waypoint"]) in seen:
            raise InputError("a second split at this waypoint (duplicate record)", file=SPLITS_FILE, line=line,
                             field="waypoint")
        seen.add((stage, bib, row["waypoint"]))
        try:
            elapsed = parse_duration(row["elapsed"])
        except TimeFormatError as exc:
            raise InputError(str(exc), file=SPLITS_FILE, line=line, field="elapsed") from None
        position = _int(row["position"], SPLITS_FILE, line, "position") if row.get("position") else None
        records.append(Record("split", f"{stage}/{bib}/{row['waypoint']}", {
            "stage": stage, "bib": bib, "waypoint": row["waypoint"], "elapsed_ms": elapsed, "position": position},
            source=f"{SPLITS_FILE}:{line}"))
    return records


def read_event_folder(folder: str | Path) -> tuple[Rulebook, list[Record]]:
    """Validate the whole folder; return the rulebook (with the event's overrides) and the records."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("not an event folder (no such directory)", file=str(folder))
    _, rulebook, records = read_event_toml(folder)
    stages = {r.payload["number"] for r in records if r.kind == "stage"}
    entries = read_entries(folder, rulebook)
    bibs = {r.payload["bib"] for r in entries}
    return rulebook, (records + entries + read_times(folder, stages, bibs) + read_adjustments(folder, stages, bibs)
                      + read_splits(folder, stages, bibs))
