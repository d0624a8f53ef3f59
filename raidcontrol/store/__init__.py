"""The journal store: append-only records in a SQL database (SQLite by default, PostgreSQL too)."""

from raidcontrol.store.sql import JournalStore, default_url

__all__ = ["JournalStore", "default_url"]
