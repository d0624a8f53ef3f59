"""The task a Dask worker runs: one partition (round, stage, bib range) through the tracking kernel.

The task reads only its partition's Parquet files (with the same reader as ``track check``),
reads the stage's roadbook under each rule set, runs the same pure kernel
(:func:`~raidcontrol.tracking.check.check_fleet`) once per rule set and returns the findings
as small Arrow tables.  Bad data (a corrupt file, a fix without time) does not raise: the
result carries the error, naming the file, so the rest of the job completes.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from raidcontrol.archive.findings import empty_table, findings_table
from raidcontrol.core.errors import InputError
from raidcontrol.tracking.model import Fleet

KIB = 1024
CACHED_STAGES = 64  # (rule set, roadbook) pairs a worker keeps read


@dataclass(frozen=True)
class RuleSet:
    """A rulebook to check under: its id and the overrides laid over it (with their source)."""

    rulebook_id: str
    overrides: dict = field(default_factory=dict)
    source: str = "archive rules in force"


@dataclass(frozen=True)
class PartitionTask:
    """What one task needs: the partition's folder, the stage's roadbook and the rule sets."""

    round: int
    stage: int
    label: str
    folder: str
    roadbook: str
    rule_sets: tuple[RuleSet, ...]


@dataclass
class PartitionResult:
    """What one task returns.

    findings: one findings table per rule set (:data:`raidcontrol.archive.findings.SCHEMA`);
    fixes / crews: what the partition held; seconds: wall time of the task (read + check);
    check_seconds: of the kernel only; peak_rss_bytes: the worker process's peak resident memory
    so far; error: why the partition could not be checked (None: it was).
    """

    label: str
    findings: tuple[pa.Table, ...]
    fixes: int = 0
    crews: int = 0
    seconds: float = 0.0
    check_seconds: float = 0.0
    peak_rss_bytes: int = 0
    error: str | None = None


def read_partition(folder: Path) -> Fleet:
    """The fixes of a partition's Parquet files, grouped by bib and sorted by time per crew."""
    from raidcontrol.io.tracks import read_fleet
    from raidcontrol.tracking.check import sort_fleet_in_place

    files = sorted(folder.glob("*.parquet"))
    if not files:
        raise InputError("the partition holds no Parquet file", file=str(folder))
    fleets = [read_fleet(f) for f in files]
    if len(fleets) == 1:
        fleet = fleets[0]
    else:

        def col(name: str) -> np.ndarray:
            return np.concatenate([getattr(f, name) for f in fleets])

        fleet = Fleet.from_columns(
            col("bib"), col("t_ms"), col("lat"), col("lon"), col("speed_kmh"), source=str(folder)
        )
    return sort_fleet_in_place(fleet)


@lru_cache(maxsize=CACHED_STAGES)
def _prepared(rulebook_id: str, overrides: str, source: str, roadbook: str, mtime_ns: int):
    """The tracking rules and the roadbook read under them, once per worker and (rule set, roadbook file
    version): a worker checks many partitions of the same stage."""
    from raidcontrol.io.openrally import read_roadbook
    from raidcontrol.rules import load_rulebook
    from raidcontrol.tracking.rules import TrackingRules

    rules = TrackingRules.from_rulebook(
        load_rulebook(rulebook_id, json.loads(overrides), override_source=source)
    )
    return rules, read_roadbook(roadbook, rules)


def prepared(rs: RuleSet, roadbook: str):
    """(rules, roadbook) of a rule set and a stage's roadbook file (cached while the file is unchanged)."""
    try:
        mtime = Path(roadbook).stat().st_mtime_ns
    except OSError:
        raise InputError("the stage has no roadbook in the archive", file=roadbook) from None
    return _prepared(
        rs.rulebook_id, json.dumps(rs.overrides, sort_keys=True), rs.source, roadbook, mtime
    )


def check_partition(task: PartitionTask) -> PartitionResult:
    """Check one partition under every rule set of ``task`` (the function Dask runs)."""
    from raidcontrol.tracking.check import check_fleet

    t0 = time.perf_counter()
    try:
        fleet = read_partition(Path(task.folder))
        tables, kernel = [], 0.0
        for rs in task.rule_sets:
            rules, roadbook = prepared(rs, task.roadbook)
            k0 = time.perf_counter()
            report = check_fleet(roadbook, fleet, rules)
            kernel += time.perf_counter() - k0
            tables.append(findings_table(task.round, task.stage, report))
    except (InputError, pa.ArrowException, OSError) as exc:
        message = exc.located() if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        return PartitionResult(
            task.label,
            tuple(empty_table() for _ in task.rule_sets),
            error=message,
            seconds=time.perf_counter() - t0,
            peak_rss_bytes=peak_rss_bytes(),
        )
    return PartitionResult(
        task.label,
        tuple(tables),
        len(fleet),
        int(fleet.bibs.shape[0]),
        time.perf_counter() - t0,
        kernel,
        peak_rss_bytes(),
    )


def peak_rss_bytes() -> int:
    """This process's peak resident memory (Linux reports KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * KIB
