"""The event folder as an input channel next to the API.

At start-up the server records what changed in the folder, as every command does
(:func:`~raidcontrol.core.journal.folder_changes`): a subject last written through the API
(origin not ``folder``) is only overwritten when the folder's version changed since the
folder last said it — so neither a restart nor a command undoes the officials' writes.  ``raidcontrol
export`` writes the journal back into the folder to bring both in line.
"""

from __future__ import annotations

from pathlib import Path

from raidcontrol.core.journal import Record
from raidcontrol.io.event_folder import read_event_folder


def event_key_of(desired: list[Record], folder: Path) -> str:
    """The journal's event key: ``event.toml``'s ``id``, else the folder's name (as ``EventSession``)."""
    return next(r.payload.get("id") for r in desired if r.kind == "event") or folder.resolve().name


def read_folder(folder: Path) -> tuple[str, list[Record]]:
    """Validate the folder (an InputError names file, line and field) → (event key, desired records)."""
    _, desired = read_event_folder(folder)
    return event_key_of(desired, folder), desired
