"""The event folder as an input channel next to the API.

At start-up the server records what changed in the folder, as every command does, with
one difference: a subject last written through the API (origin not ``folder``) is only
overwritten when the folder's version changed since the folder last said it — so a
restart does not undo the officials' writes with an unedited folder.  ``raidcontrol
export`` writes the journal back into the folder to bring both in line.
"""
from __future__ import annotations

from pathlib import Path

from raidcontrol.core.journal import JournalState, Record, changes
from raidcontrol.io.event_folder import read_event_folder

FOLDER = "folder"


def event_key_of(desired: list[Record], folder: Path) -> str:
    """The journal's event key: ``event.toml``'s ``id``, else the folder's name (as ``EventSession``)."""
    return next(r.payload.get("id") for r in desired if r.kind == "event") or folder.resolve().name


def folder_changes(state: JournalState, desired: list[Record]) -> list[Record]:
    """``changes(state, desired)`` less the re-assertions of unedited folder values over API writes."""
    last_from_folder: dict[tuple[str, str], str] = {}
    for rec in state.history:
        if rec.origin == FOLDER and rec.payload is not None:
            last_from_folder[(rec.kind, rec.key)] = rec.digest
    out = []
    for rec in changes(state, desired):
        current = state.get(rec.kind, rec.key)
        if (rec.payload is not None and current is not None and current.origin != FOLDER
                and last_from_folder.get((rec.kind, rec.key)) == rec.digest):
            continue
        out.append(rec)
    return out


def read_folder(folder: Path) -> tuple[str, list[Record]]:
    """Validate the folder (an InputError names file, line and field) → (event key, desired records)."""
    _, desired = read_event_folder(folder)
    return event_key_of(desired, folder), desired
