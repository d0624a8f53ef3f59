"""The check of an archive on ``dask.distributed``: one task per partition, results as they come.

Schedulers: ``processes`` (default: a local cluster of worker processes, one thread each,
one per core unless told), ``threads`` (one local worker process running tasks in threads)
or ``tcp://HOST:PORT`` (a running Dask cluster; its workers must see the archive's folder at
the same path).  Each local worker has a memory limit (Dask spills, pauses, then restarts a
worker that exceeds it); a worker that dies mid-task has its tasks run again elsewhere, so the
job completes with the same results.  A partition that fails (a corrupt file) is reported
with its error and the rest completes.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from raidcontrol.archive.findings import SCHEMA, sort_findings
from raidcontrol.archive.layout import Archive, Partition
from raidcontrol.archive.task import PartitionResult, PartitionTask, RuleSet, check_partition
from raidcontrol.core.errors import InputError

SCHEDULERS = ("processes", "threads")
DEFAULT_MEMORY_LIMIT = "2GiB"  # per worker: the benchmark's target for peak memory per worker
# Dask's statistical profiler samples every worker thread's stack every 10 ms for the dashboard's
# profile page; on this job it costs about a third more CPU per fix (docs/performance.md), so the
# local workers run without it.  Dask also sets glibc's MALLOC_TRIM_THRESHOLD_ in its workers, which
# makes every partition's large arrays fresh mappings (page faults on each task); a task's working set
# is bounded by its partition, so the local workers keep glibc's default.  A tcp:// cluster's
# workers follow their own configuration (docs/archive.md).
LOCAL_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}


@dataclass
class JobResult:
    """A whole check.  findings: one table per rule set, in key order; partitions: each task's
    result (errors included); dashboard: the Dask dashboard's address (None without bokeh)."""

    findings: tuple[pa.Table, ...]
    partitions: list[PartitionResult]
    workers: int
    scheduler: str
    dashboard: str | None = None
    seconds: float = 0.0
    errors: list[PartitionResult] = field(default_factory=list)

    @property
    def fixes(self) -> int:
        return sum(p.fixes for p in self.partitions)


def dashboard_available() -> bool:
    """The Dask dashboard needs bokeh (not a dependency of raidcontrol)."""
    return importlib.util.find_spec("bokeh") is not None


def open_client(scheduler: str, workers: int | None, memory_limit: str):
    """A ``distributed.Client`` for ``scheduler``; returns (client, cluster or None)."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler.startswith("tcp://"):
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"no Dask scheduler reachable at {scheduler}: {exc}", field="--scheduler"
            ) from None
    if scheduler not in SCHEDULERS:
        raise InputError(
            f"scheduler must be processes, threads or tcp://HOST:PORT, not {scheduler!r}",
            field="--scheduler",
        )
    n = workers or os.cpu_count() or 1
    dashboard = ":0"  # any free port: the dashboard (with bokeh) and the HTTP endpoints
    quiet = {
        "memory_limit": memory_limit,
        "dashboard_address": dashboard,
        "silence_logs": logging.ERROR,
    }
    with dask.config.set(LOCAL_WORKER_CONFIG):
        if scheduler == "threads":
            cluster = LocalCluster(n_workers=1, threads_per_worker=n, processes=False, **quiet)
        else:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, **quiet)
    return Client(cluster), cluster


def tasks_for(
    archive: Archive, partitions: Sequence[Partition], rule_sets: dict[int, tuple[RuleSet, ...]]
) -> list[PartitionTask]:
    """One task per partition, with its round's rule sets and its stage's roadbook."""
    out = []
    for p in partitions:
        roadbook = archive.roadbook_path(p.round, p.stage)
        out.append(
            PartitionTask(p.round, p.stage, p.label, str(p.path), str(roadbook), rule_sets[p.round])
        )
    return out


def run_tasks(
    client,
    tasks: Sequence[PartitionTask],
    on_result: Callable[[PartitionResult], None] | None = None,
) -> list[PartitionResult]:
    """Submit every task, collect results as they complete; an unexpected failure of a task
    (e.g. a worker killed more often than Dask allows) becomes that partition's error."""
    from dask.distributed import as_completed

    token = uuid.uuid4().hex[:8]
    futures = {
        client.submit(check_partition, t, key=f"archive-check-{token}-{i}", pure=False): t
        for i, t in enumerate(tasks)
    }
    results = []
    for fut in as_completed(futures):
        task = futures[fut]
        try:
            res = fut.result()
        except Exception as exc:
            res = PartitionResult(task.label, (), error=f"{type(exc).__name__}: {exc}")
        results.append(res)
        if on_result is not None:
            on_result(res)
    order = {t.label: i for i, t in enumerate(tasks)}
    return sorted(results, key=lambda r: order[r.label])


def run_check(
    client,
    archive: Archive,
    partitions: Sequence[Partition],
    rule_sets: dict[int, tuple[RuleSet, ...]],
    on_result: Callable[[PartitionResult], None] | None = None,
    scheduler: str = "",
) -> JobResult:
    """Check ``partitions`` on ``client``; the findings of each rule set gathered in key order."""
    t0 = time.perf_counter()
    tasks = tasks_for(archive, partitions, rule_sets)
    results = run_tasks(client, tasks, on_result)
    n_sets = max((len(s) for s in rule_sets.values()), default=1)
    findings = []
    for i in range(n_sets):
        parts = [r.findings[i] for r in results if r.error is None]
        findings.append(sort_findings(pa.concat_tables(parts) if parts else SCHEMA.empty_table()))
    workers = len(client.scheduler_info().get("workers", {}))
    link = client.dashboard_link if dashboard_available() else None
    return JobResult(
        tuple(findings),
        results,
        workers,
        scheduler,
        link,
        time.perf_counter() - t0,
        [r for r in results if r.error is not None],
    )
