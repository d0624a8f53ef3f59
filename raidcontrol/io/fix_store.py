"""Live fixes stored append-only in SQL, partitioned by event, stage and bib (SQLAlchemy 2).

Table ``tracking_fix_stream`` names each (event, stage) once: ``id`` int, ``event_key`` text (as
in the journal), ``stage`` int.  Table ``tracking_fix`` — one row per fix, primary key (stream, bib,
t_ms), so the rows of a stage and a crew sit together (SQLite: a clustered ``WITHOUT ROWID`` table;
PostgreSQL: the primary key's index) and a resent fix is never stored twice (``ON CONFLICT DO
NOTHING``):

==========  ========  ==========================================================
stream      int       the event's stage (``tracking_fix_stream.id``)
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

import numpy as np
import sqlalchemy as sa

from raidcontrol.tracking.model import Fleet

_META = sa.MetaData()
STREAMS = sa.Table(
    "tracking_fix_stream",
    _META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.String(200), nullable=False),
    sa.Column("stage", sa.Integer, nullable=False),
    sa.UniqueConstraint("event_key", "stage"),
)
FIXES = sa.Table(
    "tracking_fix",
    _META,
    sa.Column("stream", sa.Integer, primary_key=True),
    sa.Column("bib", sa.Integer, primary_key=True),
    sa.Column("t_ms", sa.BigInteger, primary_key=True),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("speed_kmh", sa.Float, nullable=True),
    sqlite_with_rowid=False,
)


_COLS = "stream, bib, t_ms, lat, lon, speed_kmh"


def _copy_postgresql(raw, rows: list[tuple]) -> None:
    """COPY the rows into a temporary table and insert the ones not stored yet (psycopg 3)."""
    with raw.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS fix_batch (LIKE {FIXES.name} INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY fix_batch ({_COLS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO {FIXES.name} ({_COLS}) SELECT {_COLS} FROM fix_batch ON CONFLICT DO NOTHING"
        )


class FixStore:
    """The stored fixes of one event (``url``: a SQLAlchemy URL; ``event_key`` as the journal's)."""

    def __init__(self, url: str, event_key: str):
        self.url, self.event_key = url, event_key
        self.engine = sa.create_engine(url)
        if url.startswith("sqlite"):

            @sa.event.listens_for(self.engine, "connect")
            def _pragmas(dbapi_conn, _):
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

        _META.create_all(self.engine)
        self._streams: dict[int, int] = {}

    def stream(self, stage: int) -> int:
        """The id of this event's ``stage`` in ``tracking_fix_stream`` (created on first use)."""
        if stage not in self._streams:
            where = (STREAMS.c.event_key == self.event_key) & (STREAMS.c.stage == stage)
            with self.engine.begin() as conn:
                found = conn.execute(sa.select(STREAMS.c.id).where(where)).scalar()
                if found is None:
                    found = conn.execute(
                        sa.insert(STREAMS).values(event_key=self.event_key, stage=stage)
                    ).inserted_primary_key[0]
            self._streams[stage] = int(found)
        return self._streams[stage]

    def close(self) -> None:
        self.engine.dispose()

    def append(self, stage: int, fleet: Fleet) -> int:
        """Store a batch's fixes in one transaction (those already stored are skipped); returns
        the number of rows offered.  Rows go through the driver in bulk (SQLite: ``executemany``;
        PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT … ON CONFLICT DO NOTHING``)."""
        n = len(fleet)
        if n == 0:
            return 0
        speed = fleet.speed_kmh.astype(np.float64)
        speed_col = np.where(np.isnan(speed), None, speed).tolist()
        rows = list(
            zip(
                [self.stream(stage)] * n,
                fleet.bib.tolist(),
                fleet.t_ms.tolist(),
                fleet.lat.tolist(),
                fleet.lon.tolist(),
                speed_col,
            )
        )
        with self.engine.begin() as conn:
            raw = conn.connection.driver_connection
            if self.engine.dialect.name == "postgresql":
                _copy_postgresql(raw, rows)
            else:
                raw.executemany(
                    f"INSERT INTO {FIXES.name} ({_COLS}) VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    rows,
                )
        return n

    def fleet(self, stage: int) -> Fleet:
        """Every stored fix of a stage, grouped by bib and sorted by time."""
        stmt = (
            sa.select(FIXES.c.bib, FIXES.c.t_ms, FIXES.c.lat, FIXES.c.lon, FIXES.c.speed_kmh)
            .where(FIXES.c.stream == self.stream(stage))
            .order_by(FIXES.c.bib, FIXES.c.t_ms)
        )
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

        stmt = (
            sa.select(func.count()).select_from(FIXES).where(FIXES.c.stream == self.stream(stage))
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())
