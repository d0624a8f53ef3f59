"""What ``archive check`` writes into FINDINGS_DIR (an adapter: file output).

=========================  ==================================================================
findings/                  every finding under the rules in force: a Parquet dataset
                           partitioned by round (``round=R/``), columns of
                           :mod:`raidcontrol.archive.findings`
summary.csv                findings per round and category (:mod:`raidcontrol.archive.summary`)
failures.csv               partition,error — the partitions that could not be checked
job.json                   scheduler, workers, partitions, fixes, seconds, overrides
with ``--override``:
findings-what-if/          every finding under the what-if, same layout as ``findings/``
summary-what-if.csv        the what-if's summary
diff.parquet, diff.csv     findings that appear, disappear or change penalty
                           (:mod:`raidcontrol.archive.diff`)
crews.csv                  round,stage,bib,delta_ms,dnf — the diff per crew and stage
classification.csv         crews whose general classification changes
                           (:data:`raidcontrol.archive.effect.CLASSIFICATION_HEADER`)
standings.csv              competitors whose standing changes
                           (:data:`raidcontrol.archive.effect.STANDINGS_HEADER`)
notes.txt                  what could not be computed (rounds without an event folder …)
=========================  ==================================================================
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from raidcontrol.archive.findings import SCHEMA, sort_findings

ROUND_PARTITIONING = pa.schema([("round", pa.int32())])


def write_findings(table: pa.Table, folder: Path) -> None:
    """The findings as a Parquet dataset partitioned by round (the folder is replaced)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ds.write_dataset(
        table,
        folder,
        format="parquet",
        basename_template="part-{i}.parquet",
        partitioning=ds.partitioning(ROUND_PARTITIONING, flavor="hive"),
    )


def read_findings(folder: Path) -> pa.Table:
    """A findings dataset written by :func:`write_findings`, in key order and schema column order."""
    table = ds.dataset(
        folder, format="parquet", partitioning=ds.partitioning(ROUND_PARTITIONING, flavor="hive")
    )
    return sort_findings(table.to_table().select(SCHEMA.names).cast(SCHEMA))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)


def write_table(table: pa.Table, stem: Path) -> None:
    """A table as ``stem.parquet`` and ``stem.csv``."""
    pq.write_table(table, stem.with_suffix(".parquet"))
    write_csv(
        stem.with_suffix(".csv"), table.schema.names, [list(r.values()) for r in table.to_pylist()]
    )


def write_json(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def remove_stale(out: Path, names: Sequence[str]) -> None:
    """Remove files or folders ``names`` of ``out`` left by an earlier run."""
    for name in names:
        path = out / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
