"""The journal: append-only records and how they fold into the state at a moment.

Every input — an entry, a stage, a time record, an adjustment, a proposed penalty, a
steward's decision, a scrutineering verdict — is a :class:`Record`.  Records are
never changed: a correction is a new record with the same ``(kind, key)`` that
*supersedes* the earlier one, and a withdrawal of a record is a new record whose
``payload`` is ``None`` (a tombstone).  :func:`fold` gives the records in force at
any moment, so every result can be recomputed as of that moment.

Kinds written by the event folder (``origin="folder"``): ``event``, ``stage``,
``entry``, ``time``, ``adjustment``, ``split``.  Other kinds come from their own commands
(tracking proposals, penalty decisions, scrutineering …).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from raidcontrol.core.errors import InputError

FOLDER_KINDS = ("event", "stage", "entry", "time", "adjustment", "split")


def canonical_json(payload: Any) -> str:
    """The payload as canonical JSON text (sorted keys, no spaces).  NaN and infinities are
    refused (``ValueError``): PostgreSQL's JSON refuses them, so SQLite must not keep them either."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


@dataclass(frozen=True)
class Record:
    """One journal record.

    Attributes
    ----------
    kind: what it records (``time``, ``adjustment``, ``penalty-proposed`` …).
    key: which subject within the kind (``1/204`` for stage 1, bib 204); the pair
        ``(kind, key)`` identifies what a later record supersedes.
    payload: the JSON-able content, or ``None`` for a tombstone.
    author: who recorded it (``import``, ``tracking``, a steward's name …).
    source: where it came from (``times.csv:12``).
    origin: ``folder`` for records derived from the event folder, else the command.
    id, recorded_at, supersedes: filled in by the store.
    """

    kind: str
    key: str
    payload: dict[str, Any] | None
    author: str = "import"
    source: str = ""
    origin: str = "folder"
    id: int | None = None
    recorded_at: datetime | None = None
    supersedes: int | None = None

    @property
    def fields(self) -> dict[str, Any]:
        """The payload of a record in force (a journal state holds no tombstone)."""
        if self.payload is None:
            raise ValueError(f"{self.kind} {self.key}: a tombstone has no payload")
        return self.payload

    @property
    def stored_id(self) -> int:
        """The id the store gave the record (every record read back from a journal has one)."""
        if self.id is None:
            raise ValueError(f"{self.kind} {self.key}: not stored yet, it has no id")
        return self.id

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(
            canonical_json([self.kind, self.key, self.payload]).encode()
        ).hexdigest()

    @property
    def identity(self) -> str:
        """What makes a record *the same record*: its content (``digest``) and what it supersedes.

        The journal stores each identity once per event.  A re-sync computes the same
        records superseding the same predecessors, so it adds nothing; a correction back to
        an earlier value supersedes a later record, so it is a new identity and is recorded.
        """
        return f"{self.digest}:{self.supersedes if self.supersedes is not None else ''}"


def check_record(record: Record) -> None:
    """Refuse, before anything is written, what either database would refuse.

    Raises :class:`InputError` for a payload holding NaN or an infinity (PostgreSQL's JSON has no
    such numbers), text that is not valid Unicode, or a NUL character in a text column."""
    where = f"journal record {record.kind} {record.key!r}"
    for name in ("kind", "key", "author", "source", "origin"):
        value = getattr(record, name)
        if not isinstance(value, str):
            raise InputError(
                f"{where}: {name} must be text, got {type(value).__name__}", field=name
            )
        if "\x00" in value:
            raise InputError(f"{where}: {name} holds a NUL character", field=name)
    try:
        canonical_json([record.kind, record.key, record.payload]).encode()
    except ValueError as exc:  # NaN/inf (json), lone surrogates (UnicodeEncodeError), huge ints
        what = (
            "NaN or an infinity"
            if "Out of range float" in str(exc)
            else f"a value the journal cannot store ({exc})"
        )
        raise InputError(
            f"{where}: the payload holds {what}; nothing was recorded", field=record.kind
        ) from None


@dataclass
class JournalState:
    """The records in force: the latest non-tombstone record per ``(kind, key)``.

    ``last`` is the latest record per subject, tombstones included (what a new record for
    that subject supersedes); ``position`` the id of the last record folded (0 for none)."""

    current: dict[tuple[str, str], Record] = field(default_factory=dict)
    history: list[Record] = field(default_factory=list)
    last: dict[tuple[str, str], Record] = field(default_factory=dict)
    position: int = 0

    def apply(self, rec: Record) -> Record | None:
        """Fold one more record (ids ascending); returns the record it replaces in force, if any."""
        self.history.append(rec)
        ident = (rec.kind, rec.key)
        self.last[ident] = rec
        self.position = max(self.position, rec.id or 0)
        if rec.payload is None:
            return self.current.pop(ident, None)
        old = self.current.get(ident)
        self.current[ident] = rec
        return old

    def of_kind(self, kind: str) -> list[Record]:
        return [r for (k, _), r in self.current.items() if k == kind]

    def get(self, kind: str, key: str) -> Record | None:
        return self.current.get((kind, key))


def fold(records: Iterable[Record], as_of: datetime | None = None) -> JournalState:
    """Fold records (in id order) up to ``as_of`` into the state in force then."""
    return fold_onto(JournalState(), records, as_of)


def fold_onto(
    state: JournalState, records: Iterable[Record], as_of: datetime | None = None
) -> JournalState:
    """Fold further records (all after ``state.position``) into ``state``, in place; returns it."""
    ordered = sorted(records, key=lambda r: r.id if r.id is not None else 0)
    for rec in ordered:
        if as_of is not None and rec.recorded_at is not None and rec.recorded_at > as_of:
            continue
        state.apply(rec)
    return state


def changes(
    state: JournalState,
    desired: list[Record],
    kinds: Iterable[str] = FOLDER_KINDS,
    *,
    origin: str = "folder",
    removed_reason: str = "removed from the event folder",
    within: Callable[[Record], bool] | None = None,
) -> list[Record]:
    """The records to append so that the state's ``kinds`` from ``origin`` equal ``desired``.

    New or changed subjects get a record (superseding the one in force), subjects
    of those kinds and that origin no longer desired get a tombstone (only those for
    which ``within`` holds, when given: e.g. one stage's proposals); unchanged ones
    get nothing — so importing the same folder twice appends nothing.
    """
    kinds = set(kinds)
    wanted = {(r.kind, r.key): r for r in desired}
    out: list[Record] = []
    for ident, rec in wanted.items():
        old = state.current.get(ident)
        if old is None or old.digest != rec.digest:
            # a subject back after a tombstone supersedes the tombstone
            prev = state.last.get(ident, old)
            out.append(
                Record(
                    rec.kind,
                    rec.key,
                    rec.payload,
                    rec.author,
                    rec.source,
                    rec.origin,
                    supersedes=prev.id if prev else None,
                )
            )
    for ident, old in state.current.items():
        if (
            ident[0] in kinds
            and old.origin == origin
            and ident not in wanted
            and (within is None or within(old))
        ):
            out.append(
                Record(
                    old.kind, old.key, None, old.author, removed_reason, origin, supersedes=old.id
                )
            )
    return out


def folder_changes(state: JournalState, desired: list[Record]) -> list[Record]:
    """:func:`changes` for the event folder, less re-assertions of unedited folder values: a subject last
    written by another origin (an official through the API) is only overwritten when the folder's value
    changed since the folder last said it — so syncing an unedited folder never undoes a later write."""
    last_from_folder = {
        (r.kind, r.key): r.digest for r in state.history if r.origin == "folder" and r.payload
    }
    out = []
    for rec in changes(state, desired):
        current = state.get(rec.kind, rec.key)
        if (
            rec.payload is not None
            and current is not None
            and current.origin != "folder"
            and last_from_folder.get((rec.kind, rec.key)) == rec.digest
        ):
            continue
        out.append(rec)
    return out
