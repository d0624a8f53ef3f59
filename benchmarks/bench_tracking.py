"""The tracking check's benchmark (``make bench`` runs it): a Dakar-scale stage checked on one core.

Default scale: 800 vehicles × 30,000 fixes (1 Hz, 8 h 20 min) = 24 M fixes, 50 waypoints,
10 speed zones, as Parquet, made by the simulator (in a child process, once; cached under
``--out`` and reused while the parameters match).  Then, on one pinned core:

1. read the Parquet file (``read_fleet``) — timed, not part of the check figure — in two
   passes: with the reader sorting each crew's fixes by time in place, as ``track check``
   does, then without, leaving the sort to the check;
2. warm the compiled kernels up on two crews;
3. ``check_fleet`` on the whole fleet, ``--repeat`` times: fixes per second of the best
   run (wall clock), and per CPU second (less sensitive to a busy machine);
4. peak memory of the check: tracemalloc's peak of Python/numpy allocations and the
   growth of the process's peak RSS over the fleet already in memory, against the
   fleet's columnar size;
5. the check's answers against the simulator's truth (missed waypoints, zones);
6. the conventional shapely baseline (``baseline_shapely.py``) on the first
   ``--baseline-crews`` crews (best of two runs), extrapolated per fix to the fleet, and
   its answers against the truth.

Results are printed, with one TARGET line per target, and written to ``bench-out/tracking.json``
(the simulated stage itself is cached under ``--out``, default ``bench-out/tracking-stage``).
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core: before numba is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import platform
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import memory
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from targets import Target
from targets import report as report_targets

console = Console()
BASELINE_REPEAT = 2  # the baseline's best of two runs counts
TABLE_WIDTH = 110  # the results table is not wrapped on narrow terminals
BUSY_RATIO = 1.2  # a run whose wall time exceeds its CPU time by 20 % shared its core


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--vehicles", type=int, default=800, help="crews (default 800)")
    ap.add_argument(
        "--fixes", type=int, default=30_000, help="fixes per crew at 1 Hz (default 30000)"
    )
    ap.add_argument("--waypoints", type=int, default=50, help="waypoints (default 50)")
    ap.add_argument("--zones", type=int, default=10, help="speed zones (default 10)")
    ap.add_argument("--seed", type=int, default=1, help="simulator seed (default 1)")
    ap.add_argument("--rulebook", default="fia-2026", help="rulebook (default fia-2026)")
    ap.add_argument(
        "--repeat", type=int, default=3, help="timed check runs; the best counts (default 3)"
    )
    ap.add_argument(
        "--baseline-crews",
        type=int,
        default=40,
        help="crews the shapely baseline checks (default 40)",
    )
    ap.add_argument(
        "--out",
        type=Path,
        default=Path("bench-out/tracking-stage"),
        help="folder for the simulated stage (cached)",
    )
    ap.add_argument(
        "--order",
        choices=("recorded", "sorted"),
        default="recorded",
        help="recorded: fixes as trackers deliver them (0.2 %% duplicates, swapped neighbours); "
        "sorted: each crew in time order without duplicates (default recorded)",
    )
    ap.add_argument(
        "--regenerate", action="store_true", help="simulate the fleet again even if cached"
    )
    ap.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def stage_key(a: argparse.Namespace) -> dict:
    return {
        "vehicles": a.vehicles,
        "fixes": a.fixes,
        "waypoints": a.waypoints,
        "zones": a.zones,
        "seed": a.seed,
        "rulebook": a.rulebook,
        "order": a.order,
    }


def generate(a: argparse.Namespace) -> None:
    """Child process: simulate the stage and stream it to Parquet."""
    from raidcontrol.cli.simulate import stage_paths, write_stage
    from raidcontrol.rules import load_rulebook
    from raidcontrol.simulation.simulator import plan_stage
    from raidcontrol.tracking.rules import TrackingRules

    rules = TrackingRules.from_rulebook(load_rulebook(a.rulebook))
    t0 = time.perf_counter()
    plan = plan_stage(
        seed=a.seed,
        vehicles=a.vehicles,
        fixes_per_vehicle=a.fixes,
        waypoints=a.waypoints,
        zones=a.zones,
        rules=rules,
    )
    paths = stage_paths(a.out, 1, "parquet")
    write_stage(plan, paths, stage=1, picture=True, recorded=a.order == "recorded")
    meta = dict(
        stage_key(a),
        seconds=round(time.perf_counter() - t0, 2),
        bytes=paths["tracks"].stat().st_size,
    )
    (a.out / "stage.json").write_text(json.dumps(meta, indent=1) + "\n")


def ensure_stage(a: argparse.Namespace) -> dict:
    meta_path = a.out / "stage.json"
    if not a.regenerate and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in stage_key(a).items()):
            console.print(f"using the cached stage in {a.out} (simulated in {meta['seconds']} s)")
            return meta
    console.print(f"simulating {a.vehicles} × {a.fixes:,} fixes …")
    a.out.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, __file__, "--generate-only", *sys.argv[1:]], check=True)
    return json.loads(meta_path.read_text())


def machine() -> dict:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else ""
    )
    mem = (
        next(
            (
                int(line.split()[1]) * 1024
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            ),
            None,
        )
        if Path("/proc/meminfo").exists()
        else None
    )
    import numba
    import numpy
    import pyarrow
    import shapely

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "pinned_to": sorted(os.sched_getaffinity(0)),
        "memory_bytes": mem,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "numba": numba.__version__,
        "pyarrow": pyarrow.__version__,
        "shapely": shapely.__version__,
        "numba_threads": os.environ["NUMBA_NUM_THREADS"],
    }


def progress_bar(label: str) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def agreement(truth: dict, found: dict[int, tuple[set, set]]) -> dict:
    """Crews whose missed waypoints and speeding zones equal the truth's."""
    same = sum(
        1
        for bib, (missed, zones) in found.items()
        if missed == {m["name"] for m in truth[str(bib)]["missed"]}
        and zones == {z["zone"] for z in truth[str(bib)]["speeding"]}
    )
    return {"crews": len(found), "agree": same}


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    if a.generate_only:
        generate(a)
        return 0
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    meta = ensure_stage(a)
    from raidcontrol.io.openrally import read_roadbook
    from raidcontrol.rules import load_rulebook
    from raidcontrol.tracking.rules import TrackingRules

    rules = TrackingRules.from_rulebook(load_rulebook(a.rulebook))
    roadbook = read_roadbook(a.out / "roadbooks" / "stage-1.gpx", rules)
    truth = json.loads((a.out / "truth" / "stage-1.json").read_text())["crews"]
    tracks = a.out / "tracks" / "stage-1.parquet"
    passes = {}
    for name, sort_in_reader in (("reader_sorts", True), ("check_sorts", False)):
        fleet, passes[name] = measure_check(a, tracks, roadbook, rules, truth, sort_in_reader)
        if name == "check_sorts":
            baseline = measure_baseline(a, fleet, roadbook, rules, truth)
        del fleet
    head = passes["reader_sorts"]
    results = {
        "stage": meta,
        "machine": machine(),
        **{k: head[k] for k in ("fixes", "crews", "columnar_bytes")},
        "passes": passes,
        "baseline": baseline,
        "speedup": head["fixes_per_s"] / baseline["fixes_per_s"],
        "speedup_cpu": head["fixes_per_cpu_s"] / baseline["fixes_per_cpu_s"],
        "speedup_check_sorts": passes["check_sorts"]["fixes_per_s"] / baseline["fixes_per_s"],
        "speedup_check_sorts_cpu": passes["check_sorts"]["fixes_per_cpu_s"]
        / baseline["fixes_per_cpu_s"],
    }
    show(results)
    report_targets("tracking", targets(results), results)
    return 0


def targets(r: dict) -> list[Target]:
    """The check's targets (issue 3) on the path ``track check`` takes (the reader sorts)."""
    head, base = r["passes"]["reader_sorts"], r["baseline"]
    agree = min(p["vs_truth"]["agree"] / p["vs_truth"]["crews"] for p in r["passes"].values())
    return [
        Target("check throughput", head["fixes_per_s"] / 1e6, "M fixes/s", ">=", 20.0),
        Target(
            "check speed-up over shapely",
            r["speedup"],
            "x",
            ">=",
            50.0,
            f"shapely {base['fixes_per_s'] / 1e6:.2f} M fixes/s",
        ),
        Target("check peak memory / columnar size", head["peak_ratio"], "x", "<=", 2.0),
        Target("check crews equal to the truth", agree * 100, "%", ">=", 100.0),
    ]


def measure_check(
    a: argparse.Namespace, tracks: Path, roadbook, rules, truth: dict, sort_in_reader: bool
):
    """Read the fleet (the reader sorting each crew's fixes by time in place, as ``track
    check`` does, or not, leaving that to the check), then time and measure the check."""
    from raidcontrol.io.tracks import read_fleet
    from raidcontrol.tracking.check import check_fleet
    from raidcontrol.tracking.model import Fleet

    rss0 = memory.rss_bytes()
    memory.reset_peak()
    t0 = time.perf_counter()
    fleet = read_fleet(tracks, sort_by_time=sort_in_reader)
    read_s = time.perf_counter() - t0
    read_peak = memory.peak_rss_bytes() - rss0
    n = len(fleet)
    two = int(fleet.offsets[min(2, len(fleet.bibs))])
    small = Fleet.from_columns(
        fleet.bib[:two], fleet.t_ms[:two], fleet.lat[:two], fleet.lon[:two], fleet.speed_kmh[:two]
    )
    t0 = time.perf_counter()
    check_fleet(roadbook, small, rules)
    warm_s = time.perf_counter() - t0
    runs = []
    report = None
    label = "reader sorted" if sort_in_reader else "check sorts"
    for r in range(a.repeat):
        report = None  # the previous run's report is freed before the next run
        rss_before = memory.rss_bytes()
        peak_reset = memory.reset_peak()
        with progress_bar(f"check ({label}) {r + 1}/{a.repeat}: {n:,} fixes") as bar:
            task = bar.add_task("check", total=n)
            w0, c0 = time.perf_counter(), time.process_time()
            report = check_fleet(
                roadbook,
                fleet,
                rules,
                progress=lambda done, total, task=task: bar.update(task, completed=done),
            )
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        runs.append(
            {
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_reset": peak_reset,
                "rss_growth_bytes": memory.peak_rss_bytes() - rss_before,
            }
        )
    tracemalloc.start()
    check_fleet(roadbook, fleet, rules)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    found = {
        bib: ({m.name for m in c.missed}, {s.zone for s in c.speeding})
        for bib, c in report.crews.items()
    }
    best = min(run["wall_s"] for run in runs)
    best_cpu = min(run["cpu_s"] for run in runs)
    growth = max(max(run["rss_growth_bytes"] for run in runs), traced_peak)
    return fleet, {
        "fixes": n,
        "crews": len(fleet.bibs),
        "columnar_bytes": fleet.nbytes,
        "read_s": read_s,
        "read_peak_rss_growth_bytes": read_peak,
        "warmup_s": warm_s,
        "check_runs": runs,
        "check_best_s": best,
        "fixes_per_s": n / best,
        "fixes_per_cpu_s": n / best_cpu,
        "check_traced_peak_bytes": traced_peak,
        "check_peak_over_fleet_bytes": growth,
        "peak_ratio": (fleet.nbytes + growth) / fleet.nbytes,
        "vs_truth": agreement(truth, found),
    }


def measure_baseline(a: argparse.Namespace, fleet, roadbook, rules, truth: dict) -> dict:
    """The shapely baseline on the first crews, best of two runs, and its answers against the truth."""
    from baseline_shapely import check_fleet_shapely

    runs = []
    for r in range(BASELINE_REPEAT):
        with progress_bar(
            f"shapely baseline {r + 1}/{BASELINE_REPEAT}: {a.baseline_crews} crews"
        ) as bar:
            task = bar.add_task("baseline", total=a.baseline_crews)
            b0, c0 = time.perf_counter(), time.process_time()
            base = check_fleet_shapely(
                roadbook,
                fleet,
                rules,
                crews=a.baseline_crews,
                progress=lambda done, total, task=task: bar.update(task, completed=done),
            )
            runs.append({"wall_s": time.perf_counter() - b0, "cpu_s": time.process_time() - c0})
    fixes = int(fleet.offsets[len(base)])
    best = min(run["wall_s"] for run in runs)
    return {
        "crews": len(base),
        "fixes": fixes,
        "runs": runs,
        "best_s": best,
        "fixes_per_s": fixes / best,
        "fixes_per_cpu_s": fixes / min(run["cpu_s"] for run in runs),
        "fleet_estimate_s": len(fleet) / (fixes / best),
        "vs_truth": agreement(
            truth, {bib: (set(r["missed"]), set(r["speeding"])) for bib, r in base.items()}
        ),
    }


def show(r: dict) -> None:
    mb = 1e6
    a, b, base = r["passes"]["reader_sorts"], r["passes"]["check_sorts"], r["baseline"]
    t = Table(
        title=f"Tracking check, {r['crews']} crews, {r['fixes'] / 1e6:.1f} M fixes, on one core",
        header_style="bold",
    )
    for col, justify in (
        ("measure", "left"),
        ("reader sorts (track check)", "right"),
        ("check sorts", "right"),
        ("target", "right"),
    ):
        t.add_column(col, justify=justify)

    def both(fmt) -> tuple[str, str]:
        return fmt(a), fmt(b)

    rows = [
        (
            "read Parquet",
            f"{a['read_s']:.2f} s, peak {a['read_peak_rss_growth_bytes'] / mb:.0f} MB",
            f"{b['read_s']:.2f} s",
            "",
        ),
        ("check_fleet, best of runs", *both(lambda p: f"{p['check_best_s']:.3f} s"), ""),
        (
            "throughput",
            *both(lambda p: f"{p['fixes_per_s'] / 1e6:.1f} M fixes/s"),
            "≥ 20 M fixes/s",
        ),
        (
            "throughput per CPU second",
            *both(lambda p: f"{p['fixes_per_cpu_s'] / 1e6:.1f} M fixes/s"),
            "",
        ),
        ("fleet columnar size", *both(lambda p: f"{p['columnar_bytes'] / mb:.0f} MB"), ""),
        (
            "check peak beyond fleet",
            *both(lambda p: f"{p['check_peak_over_fleet_bytes'] / mb:.0f} MB"),
            "",
        ),
        ("peak / columnar size", *both(lambda p: f"{p['peak_ratio']:.2f}×"), "≤ 2×"),
        (
            "check = truth",
            *both(lambda p: f"{p['vs_truth']['agree']}/{p['vs_truth']['crews']} crews"),
            "all",
        ),
        (
            "speed-up over the baseline",
            f"{r['speedup']:.0f}× (CPU time {r['speedup_cpu']:.0f}×)",
            f"{r['speedup_check_sorts']:.0f}× (CPU time {r['speedup_check_sorts_cpu']:.0f}×)",
            "≥ 50×",
        ),
    ]
    for row in rows:
        t.add_row(*row)
    Console(width=max(console.width, TABLE_WIDTH)).print(t)
    console.print(
        f"shapely baseline: {base['fixes_per_s'] / 1e6:.2f} M fixes/s on {base['crews']} crews "
        f"({base['fixes']:,} fixes, {base['best_s']:.1f} s), the whole fleet in about "
        f"{base['fleet_estimate_s']:.0f} s; baseline = truth for {base['vs_truth']['agree']}/"
        f"{base['vs_truth']['crews']} crews"
    )
    busy = [run for p in (a, b) for run in p["check_runs"]] + base["runs"]
    if any(run["wall_s"] > BUSY_RATIO * run["cpu_s"] for run in busy):
        console.print(
            "[yellow]the machine was busy during some runs (wall time well above CPU time): "
            "trust the CPU-time figures[/]"
        )
    console.print(
        f"machine: {r['machine']['cpu']}, {r['machine']['cores']} cores (pinned to "
        f"{r['machine']['pinned_to']}), Python {r['machine']['python']}, numba {r['machine']['numba']}"
    )


if __name__ == "__main__":
    sys.exit(main())
