"""Live tracking benchmark: fixes ingested, stored, checked and proposed per second, the latency
from a batch's arrival to the proposals it triggers, and final findings equal to the batch check.

A simulated stage (``--vehicles`` × ``--fixes`` 1 Hz fixes, made once with ``raidcontrol simulate
--event`` under ``--out``) is replayed in time order through :class:`raidcontrol.live_stage.LiveStage`
— the function behind ``track follow`` and the service's endpoint — as CSV batches of
``--speed`` seconds of stage time each (1 s of wall time at ``--speed``× real time), sent as
Arrow IPC streams: parse and validate, store in the SQLite fix store, re-check the crews, record
provable proposals.  Throughput is per CPU second of the process (one core; the figure a busy
shared machine does not distort), the wall-clock figure is printed beside it.

Targets (the issue's): throughput ≥ 100 × the real load of 800 fixes/s = 80,000 fixes/s; the p99
latency from a batch's arrival to its proposals ≤ 5 s; the final findings equal the batch
check's for every crew.  A long stage must not slow down as the crews' fixes pile up: the
throughput and the latency are also reported for the first, middle and last tenth of the
stage's batches, with the target: last-tenth throughput ≥ 0.5 × first-tenth
(``live_late_stage_throughput_ratio``).  For a long stage, run e.g. ``--vehicles 200 --fixes 8000``
(8,000 s of stage at 1 Hz, 1.6 M fixes).

Run: ``.venv/bin/python benchmarks/bench_live_tracking.py [--vehicles 800 --fixes 1800 --speed 100]``;
writes ``bench-out/live_tracking.json``.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core: before numba is imported

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REAL_LOAD = 800.0  # fixes/s: 800 vehicles at 1 Hz
THROUGHPUT_TARGET = 100 * REAL_LOAD
LATENCY_TARGET_MS = 5000.0
LATE_STAGE_RATIO_TARGET = 0.5  # last-tenth throughput / first-tenth: the cost per fix stays flat
TENTHS = {"first": 0, "middle": 4, "last": 9}  # which tenth of the stage's batches


def simulated_event(out: Path, vehicles: int, fixes: int, args) -> Path:
    from typer.testing import CliRunner

    from raidcontrol.cli.main import app

    event = out / f"sim-{vehicles}x{fixes}-{args.waypoints}wp-{args.zones}z"
    if not (event / "tracks" / "stage-1.parquet").is_file():
        args = [
            "simulate",
            str(event),
            "--event",
            "--vehicles",
            str(vehicles),
            "--fixes",
            str(fixes),
            "--waypoints",
            str(args.waypoints),
            "--zones",
            str(args.zones),
            "--seed",
            "7",
            "--no-picture",
        ]
        result = CliRunner().invoke(app, args)
        if result.exit_code:
            raise SystemExit(f"simulate failed: {result.output}{result.exception!r}")
    shutil.rmtree(event / ".raidcontrol", ignore_errors=True)  # a fresh journal and fix store
    return event


def line(
    name: str, value: float, unit: str, op: str, target: float, baseline: str, ok: bool
) -> str:
    return f"TARGET {name}: {value:,.2f} {unit} (target {op} {target:,g}, baseline {baseline}) {'PASS' if ok else 'FAIL'}"


def tenth(k: int, cpu: list[float], fixes: list[int], elapsed: list[float]) -> dict[str, float]:
    """Throughput (fixes per CPU second) and latency (ms per batch, p50/p99) over the k-th tenth
    (0-based) of the stage's batches."""
    n = len(cpu)
    a, b = k * n // 10, max((k + 1) * n // 10, k * n // 10 + 1)
    spent = sum(cpu[a:b])
    return {
        "batches": b - a,
        "throughput_fixes_cpu_s": sum(fixes[a:b]) / spent if spent else float("inf"),
        "latency_ms_p50": float(np.percentile(elapsed[a:b], 50)),
        "latency_ms_p99": float(np.percentile(elapsed[a:b], 99)),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vehicles", type=int, default=800)
    ap.add_argument(
        "--fixes", type=int, default=1800, help="fixes per vehicle (1 Hz: seconds of stage)"
    )
    ap.add_argument("--waypoints", type=int, default=8)
    ap.add_argument("--zones", type=int, default=3)
    ap.add_argument(
        "--speed", type=float, default=100.0, help="replay speed: stage seconds per batch"
    )
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out" / "live")
    args = ap.parse_args()

    from raidcontrol.io.fix_batch import ARROW_TYPES
    from raidcontrol.io.fix_replay import arrow_batch, replay_slices
    from raidcontrol.io.tracks import read_fleet
    from raidcontrol.live_stage import LiveStage
    from raidcontrol.tracking.check import check_fleet

    event = simulated_event(args.out, args.vehicles, args.fixes, args)
    fleet = read_fleet(event / "tracks" / "stage-1.parquet")
    batches = [arrow_batch(fleet, idx) for _, idx in replay_slices(fleet, args.speed, 1.0)]
    live = LiveStage.open(event, 1, pictures=False)  # evidence pictures: rare, not the ingest path
    live.ingest(batches[0], ARROW_TYPES[0])  # warm-up: compiled kernels, imports
    elapsed, with_proposals, fixes, cpu_s = [], [], 0, 0.0
    batch_cpu, batch_fixes = [], []
    for body in batches[1:]:
        c0 = time.process_time()
        result = live.ingest(body, ARROW_TYPES[0])
        spent = time.process_time() - c0
        cpu_s += spent
        batch_cpu.append(spent)
        batch_fixes.append(result.received)
        elapsed.append(result.elapsed_ms)
        fixes += result.received
        if any(r.payload is not None for r in result.records):
            with_proposals.append(result.elapsed_ms)
    live.close()
    final = live.live.report()
    live.shut()
    batch = check_fleet(
        final.roadbook,
        read_fleet(event / "tracks" / "stage-1.parquet", sort_by_time=True),
        final.rules,
    )
    keys = ("validated", "missed", "speeding", "penalty_total", "did_not_finish", "gaps", "spikes")
    differ = [
        b
        for b, c in batch.crews.items()
        if {k: c.to_dict()[k] for k in keys} != {k: final.crews[b].to_dict()[k] for k in keys}
    ]

    total_s = sum(elapsed) / 1000.0
    throughput = fixes / cpu_s  # one core: CPU seconds of this process
    lat = np.array(with_proposals or [0.0])
    p50, p99 = float(np.percentile(lat, 50)), float(np.percentile(lat, 99))
    tenths = {name: tenth(k, batch_cpu, batch_fixes, elapsed) for name, k in TENTHS.items()}
    ratio = tenths["last"]["throughput_fixes_cpu_s"] / tenths["first"]["throughput_fixes_cpu_s"]
    results = {
        "vehicles": args.vehicles,
        "fixes_per_vehicle": args.fixes,
        "speed": args.speed,
        "batches": len(elapsed),
        "fixes": fixes,
        "ingest_wall_s": total_s,
        "ingest_cpu_s": cpu_s,
        "throughput_fixes_cpu_s": throughput,
        "throughput_fixes_wall_s": fixes / total_s,
        "wire_format": "Arrow IPC stream",
        "latency_ms_p50": p50,
        "latency_ms_p99": p99,
        "batches_with_proposals": len(with_proposals),
        "tenths": tenths,
        "late_stage_throughput_ratio": ratio,
        "crews_differing_from_batch": len(differ),
    }
    print(
        line(
            "live_ingest_throughput",
            throughput,
            "fixes/CPU-s",
            ">=",
            THROUGHPUT_TARGET,
            "real load 800 fixes/s",
            throughput >= THROUGHPUT_TARGET,
        )
    )
    print(
        line(
            "live_proposal_latency_p50",
            p50,
            "ms",
            "<=",
            LATENCY_TARGET_MS,
            "batch check after the stage",
            p50 <= LATENCY_TARGET_MS,
        )
    )
    print(
        line(
            "live_proposal_latency_p99",
            p99,
            "ms",
            "<=",
            LATENCY_TARGET_MS,
            "batch check after the stage",
            p99 <= LATENCY_TARGET_MS,
        )
    )
    print(
        line(
            "live_late_stage_throughput_ratio",
            ratio,
            "× last-tenth / first-tenth fixes/CPU-s",
            ">=",
            LATE_STAGE_RATIO_TARGET,
            "first tenth of the stage",
            ratio >= LATE_STAGE_RATIO_TARGET,
        )
    )
    print(
        line(
            "live_final_equals_batch",
            len(differ),
            "crews differing",
            "<=",
            0,
            f"{len(batch.crews)} crews",
            not differ,
        )
    )
    print(
        f"  {fixes:,} fixes in {len(elapsed)} Arrow IPC batches of {args.speed:g} s of stage: {cpu_s:.2f} CPU-s, "
        f"{total_s:.2f} s wall ({fixes / total_s:,.0f} fixes/s wall)"
    )
    for name, t in tenths.items():
        print(
            f"  {name} tenth of the stage: {t['throughput_fixes_cpu_s']:,.0f} fixes/CPU-s, "
            f"latency p50 {t['latency_ms_p50']:.0f} ms, p99 {t['latency_ms_p99']:.0f} ms per batch"
        )
    out = ROOT / "bench-out" / "live_tracking.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
