"""Writing into a season's archive: a stage's fixes, its roadbook and the round's rules in force.

A stage is written into a temporary folder and moved into place only when complete, so a
failure (bad tracks, a full disk) leaves the archive as it was; adding a stage again
replaces it (a corrected roadbook or re-delivered tracks).  Fixes are written as the
trackers delivered them (grouped by bib, each crew in delivery order): the check sorts and
counts out-of-order fixes exactly as ``track check`` does.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Self

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from raidcontrol.archive.layout import Archive
from raidcontrol.tracking.model import Fleet

FIX_SCHEMA = pa.schema(
    [
        ("bib", pa.int32()),
        ("t_ms", pa.int64()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("speed", pa.float32()),
    ]
)
ROW_GROUP_FIXES = 1_000_000  # rows per Parquet row group (bounded memory when reading)


def fleet_table(fleet: Fleet) -> pa.Table:
    """A fleet's columns in the archive's schema (``speed`` null where NaN)."""
    speed = fleet.speed_kmh.astype(np.float32, copy=False)
    return pa.table(
        {
            "bib": pa.array(fleet.bib, pa.int32()),
            "t_ms": pa.array(fleet.t_ms, pa.int64()),
            "lat": pa.array(fleet.lat, pa.float64()),
            "lon": pa.array(fleet.lon, pa.float64()),
            "speed": pa.array(speed, mask=np.isnan(speed), type=pa.float32()),
        },
        schema=FIX_SCHEMA,
    )


class StageWriter:
    """Writes one stage's fixes into its bib-range partitions, batch by batch.

    Each batch is a fleet of whole crews, bibs ascending from one batch to the next (as a
    simulator or a reader delivers them); ``commit()`` moves the stage into place."""

    def __init__(self, archive: Archive, rnd: int, stage: int):
        self.archive, self.rnd, self.stage = archive, rnd, stage
        self.tmp = archive.fixes_dir / f".tmp-{rnd}-{stage}-{uuid.uuid4().hex}"
        self.writers: dict[tuple[int, int], pq.ParquetWriter] = {}
        self.fixes = 0

    def write(self, fleet: Fleet) -> None:
        if not len(fleet):
            return
        width = self.archive.bibs_per_partition
        keys = fleet.bib.astype(np.int64) // width
        cuts = np.flatnonzero(np.diff(keys)) + 1
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(fleet)]):
            lo, hi = self.archive.bib_range(int(fleet.bib[a]))
            writer = self.writers.get((lo, hi))
            if writer is None:
                folder = self.tmp / f"bibs={lo}-{hi}"
                folder.mkdir(parents=True)
                writer = pq.ParquetWriter(folder / "part-0.parquet", FIX_SCHEMA)
                self.writers[(lo, hi)] = writer
            part = Fleet(
                fleet.bib[a:b],
                fleet.t_ms[a:b],
                fleet.lat[a:b],
                fleet.lon[a:b],
                fleet.speed_kmh[a:b],
            )
            writer.write_table(fleet_table(part), row_group_size=ROW_GROUP_FIXES)
        self.fixes += len(fleet)

    def commit(self) -> None:
        for writer in self.writers.values():
            writer.close()
        final = self.archive.stage_dir(self.rnd, self.stage)
        final.parent.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)
        old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex}")
        if final.exists():
            os.replace(final, old)
        os.replace(self.tmp, final)
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_round_rules(
    archive: Archive, rnd: int, rulebook_id: str, overrides: dict, source: str
) -> None:
    """Record the rulebook in force for round ``rnd`` (its id, the overrides and where they come from)."""
    path = archive.rules_path(rnd)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"rulebook": rulebook_id, "overrides": overrides, "source": source},
            indent=1,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


def write_roadbook(archive: Archive, rnd: int, stage: int, data: bytes) -> Path:
    """Keep stage ``stage``'s roadbook (the bytes as given) in the archive."""
    path = archive.roadbook_path(rnd, stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def add_stage(archive: Archive, rnd: int, stage: int, fleet: Fleet, roadbook: bytes) -> int:
    """Write a stage (its fleet, grouped by bib, and its roadbook); returns the fixes written."""
    with StageWriter(archive, rnd, stage) as writer:
        writer.write(fleet)
    write_roadbook(archive, rnd, stage, roadbook)
    return writer.fixes
