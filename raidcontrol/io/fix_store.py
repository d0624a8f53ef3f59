"""Live fixes stored append-only in SQL, partitioned by event, stage and bib (SQLAlchemy 2).

Table ``tracking_fix`` — one row per fix, primary key (event_key, stage, bib, t_ms), so the rows
of a stage and a crew sit together (SQLite: a clustered ``WITHOUT ROWID`` table; PostgreSQL: the
primary key's index) and a resent fix is never stored twice (``INSERT … ON CONFLICT DO NOTHING``):

==========  ========  ==========================================================
event_key   text      the event (as in the journal)
stage       int       stage number
bib         int       the crew's race number
t_ms        bigint    the fix's instant, epoch milliseconds (UTC)
lat, lon    float     WGS84 degrees
speed_kmh   float     device speed in km/h; NULL: none
==========  ========  ==========================================================

Rows are only ever inserted, each batch in one transaction, in the journal's database (the
event's SQLite file or ``$RAIDCONTROL_DB``), so a restart reloads every fix and the batch check
can run on the same data (:meth:`FixStore.fleet`).
"""
from __future__ import annotations

import math

import numpy as np
from sqlalchemy import BigInteger, Column, Float, Integer, MetaData, String, Table, create_engine, event, select

from raidcontrol.tracking.model import Fleet

_META = MetaData()
FIXES = Table(
    "tracking_fix", _META,
    Column("event_key", String(200), primary_key=True),
    Column("stage", Integer, primary_key=True),
    Column("bib", Integer, primary_key=True),
    Column("t_ms", BigInteger, primary_key=True),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("speed_kmh", Float, nullable=True),
    sqlite_with_rowid=False,
)


class FixStore:
    """The stored fixes of one event (``url``: a SQLAlchemy URL; ``event_key`` as the journal's)."""

    def __init__(self, url: str, event_key: str):
        self.url, self.event_key = url, event_key
        self.engine = create_engine(url)
        if url.startswith("sqlite"):
            @event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn, _):
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()
        _META.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def _insert(self):
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(FIXES).on_conflict_do_nothing()

    def append(self, stage: int, fleet: Fleet) -> int:
        """Store a batch's fixes in one transaction (those already stored are skipped); returns
        the number of rows offered."""
        n = len(fleet)
        if n == 0:
            return 0
        speed = fleet.speed_kmh.astype(np.float64).tolist()
        rows = [{"event_key": self.event_key, "stage": stage, "bib": b, "t_ms": t, "lat": la, "lon": lo,
                 "speed_kmh": None if math.isnan(s) else s}
                for b, t, la, lo, s in zip(fleet.bib.tolist(), fleet.t_ms.tolist(), fleet.lat.tolist(),
                                           fleet.lon.tolist(), speed)]
        with self.engine.begin() as conn:
            conn.execute(self._insert(), rows)
        return n

    def fleet(self, stage: int) -> Fleet:
        """Every stored fix of a stage, grouped by bib and sorted by time."""
        stmt = (select(FIXES.c.bib, FIXES.c.t_ms, FIXES.c.lat, FIXES.c.lon, FIXES.c.speed_kmh)
                .where(FIXES.c.event_key == self.event_key, FIXES.c.stage == stage)
                .order_by(FIXES.c.bib, FIXES.c.t_ms))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        if not rows:
            return Fleet.from_columns([], [], [], [], source=f"stored fixes of stage {stage}")
        bib, t, lat, lon, spd = zip(*rows)
        speed = np.array([np.nan if s is None else s for s in spd], np.float32)
        fleet = Fleet.from_columns(bib, t, lat, lon, speed, source=f"stored fixes of stage {stage}")
        fleet.reordered = np.zeros(fleet.bibs.shape[0], np.int64)
        return fleet

    def count(self, stage: int) -> int:
        from sqlalchemy import func

        stmt = select(func.count()).select_from(FIXES).where(FIXES.c.event_key == self.event_key,
                                                             FIXES.c.stage == stage)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())
