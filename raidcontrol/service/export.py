"""The journal's current state written back into an event folder (for git and for editing).

``times.csv`` gets every ``time`` record in force (from the folder or written through the
API), so the folder and the journal agree again; ``decisions.csv`` lists the officials'
records in force that the folder has no file for (stewards' adjustments, penalty decisions,
scrutineering, seals, publications …) — for the record: they stay journal records, as those
of ``raidcontrol penalties confirm`` do.  Columns of ``decisions.csv``: ``position`` (journal
id), ``recorded_at`` (ISO 8601 UTC), ``kind``, ``subject`` (key), ``author``, ``office``
(origin), ``payload`` (JSON).
"""

from __future__ import annotations

import json
from pathlib import Path

from raidcontrol.io.event_folder import TIME_COLUMNS, TIMES_FILE
from raidcontrol.io.event_folder_writer import write_csv

DECISIONS_FILE = "decisions.csv"


def export_folder(event_dir: str | Path, db_url: str | None = None) -> dict[str, int]:
    from raidcontrol.core.journal import folder_changes
    from raidcontrol.service.folder_sync import read_folder
    from raidcontrol.store import JournalStore, default_url

    folder = Path(event_dir)
    event_key, desired = read_folder(folder)
    store = JournalStore(db_url or default_url(folder), event_key=event_key)
    try:
        store.append(folder_changes(store.state(), desired))  # the folder's own edits first
        state = store.state()
    finally:
        store.close()
    times = sorted((r.payload for r in state.of_kind("time")), key=lambda p: (p["stage"], p["bib"]))
    write_csv(
        folder / TIMES_FILE,
        TIME_COLUMNS,
        [
            [p["stage"], p["bib"], p.get("start") or "", p.get("finish") or "", p["status"]]
            for p in times
        ],
    )
    decisions = sorted(
        (r for r in state.current.values() if r.origin != "folder" and r.kind != "time"),
        key=lambda r: r.id or 0,
    )
    write_csv(
        folder / DECISIONS_FILE,
        ("position", "recorded_at", "kind", "subject", "author", "office", "payload"),
        [
            [
                r.id,
                r.recorded_at.isoformat() if r.recorded_at else "",
                r.kind,
                r.key,
                r.author,
                r.origin,
                json.dumps(r.payload, ensure_ascii=False, sort_keys=True),
            ]
            for r in decisions
        ],
    )
    return {"times": len(times), "decisions": len(decisions)}
