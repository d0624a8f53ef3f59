"""The journal store: append-only records in a SQL database (SQLite by default, PostgreSQL too),
or in memory for tests; both implement :class:`~raidcontrol.store.protocol.Journal`."""

from raidcontrol.store.memory import MemoryJournal
from raidcontrol.store.protocol import Journal, Store
from raidcontrol.store.sql import JournalStore, default_url

__all__ = ["Journal", "JournalStore", "MemoryJournal", "Store", "default_url"]
