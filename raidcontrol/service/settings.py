"""Service settings: the event folder, its journal database and the stream's timings.

Timings are service tuning, not regulation numbers; each can be set from the environment
(``RAIDCONTROL_POLL_S``, ``RAIDCONTROL_HEARTBEAT_S``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from raidcontrol.store import default_url

DEFAULT_POLL_S = 0.25  # how often the journal is checked for records from other processes (s)
DEFAULT_HEARTBEAT_S = 15.0  # SSE comment line sent on idle streams so proxies keep them open (s)


@dataclass(frozen=True)
class Settings:
    """What one server process serves.

    event_dir: the event folder (synced into the journal at start-up).
    db_url: SQLAlchemy URL of the journal (default: SQLite in the event folder, or ``$RAIDCONTROL_DB``).
    poll_s: seconds between checks for records appended by other processes.
    heartbeat_s: seconds between heartbeats on an idle stream.
    sync_folder: record what changed in the folder at start-up (as every command does).
    season: a season file (``SEASON.toml``) when the event is a round of a championship.
    """

    event_dir: Path
    db_url: str
    poll_s: float = DEFAULT_POLL_S
    heartbeat_s: float = DEFAULT_HEARTBEAT_S
    sync_folder: bool = True
    season: Path | None = None

    @classmethod
    def for_event(cls, event_dir: str | Path, db_url: str | None = None, **kw) -> Settings:
        folder = Path(event_dir)
        env = {
            "poll_s": os.environ.get("RAIDCONTROL_POLL_S"),
            "heartbeat_s": os.environ.get("RAIDCONTROL_HEARTBEAT_S"),
        }
        for name, value in env.items():
            if value and name not in kw:
                kw[name] = float(value)
        return cls(folder, db_url or default_url(folder), **kw)

    @property
    def is_postgres(self) -> bool:
        return self.db_url.startswith("postgresql")
