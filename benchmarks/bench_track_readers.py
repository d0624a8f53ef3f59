"""Track readers and the whole ``track check`` command, as a person waits for them (issue 10).

1. **Parquet, end to end**: ``raidcontrol track check roadbook.gpx fleet.parquet --format json``
   in a fresh process on 270 crews × 30,000 fixes (8.1 M fixes): start-up, read, sort, check,
   JSON out — fixes per second of wall time (median of ``--repeat`` runs) and the process's
   peak resident memory against the fleet's columnar size (32 bytes a fix); the baseline is the
   same command with numba's JIT kernels instead of the module compiled ahead of time
   (``RAIDCONTROL_KERNELS=jit``), run alternately, whose JSON must be the same.
2. **GPX**: ``read_fleet`` on 10 crews × 30,000 points (300,000) in one file, against gpxpy
   parsing the same file (the baseline, same run).
3. **CSV**: ``read_fleet`` on 100 crews × 30,000 rows (3 M rows).
4. **First run**: with an empty numba cache (a fresh install), ``raidcontrol warmup`` (what
   ``make setup`` runs), then the first ``track check`` of a 20-crew stage; the baseline is
   that first ``track check`` without the warm-up (numba compiling on first use).

Stages are simulated once (``raidcontrol simulate``) and cached under ``--out``.  Prints one
TARGET line per target and writes ``bench-out/track_readers.json``.  ``--baseline
OTHER/.venv/bin/raidcontrol`` runs another install's command alternately with ours on the
Parquet fleet (same load for both) and checks that both print the same JSON; ``--only``
picks measures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from targets import Target, report

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FULL_ROUTE_FIXES = 20_000  # from this many fixes a crew, the stage has 50 waypoints and 10 zones (else the defaults)
BYTES_PER_FIX = 32  # bib int32 + time int64 + lat, lon float64 + speed float32
MEASURES = ("parquet_end_to_end", "gpx", "csv", "first_run")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--parquet-crews", type=int, default=270, help="crews of the Parquet fleet (default 270)"
    )
    ap.add_argument("--gpx-crews", type=int, default=10, help="crews of the GPX file (default 10)")
    ap.add_argument(
        "--csv-crews", type=int, default=100, help="crews of the CSV file (default 100)"
    )
    ap.add_argument("--fixes", type=int, default=30_000, help="fixes per crew (default 30000)")
    ap.add_argument(
        "--first-run-crews", type=int, default=20, help="crews of the first-run stage (default 20)"
    )
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs per measure; the median counts (default 3)"
    )
    ap.add_argument(
        "--out", type=Path, default=ROOT / "bench-out" / "track-readers", help="cache of the stages"
    )
    ap.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another install's raidcontrol executable (e.g. main's .venv/bin/raidcontrol): the "
        "Parquet command runs alternately with it, and the JSON of both must be identical",
    )
    ap.add_argument(
        "--only",
        nargs="+",
        choices=MEASURES,
        default=list(MEASURES),
        help="the measures to run (default: all)",
    )
    return ap.parse_args(argv)


def stage(out: Path, name: str, crews: int, fixes: int, fmt: str) -> tuple[Path, Path]:
    """(roadbook, tracks) of a simulated stage, simulated once and cached."""
    folder = out / f"{name}-{crews}x{fixes}"
    tracks = folder / "tracks" / f"stage-1.{fmt}"
    if not tracks.exists():
        print(f"simulating {crews} × {fixes:,} fixes as {fmt} …", flush=True)
        route = ["--waypoints", "50", "--zones", "10"] if fixes >= FULL_ROUTE_FIXES else []
        subprocess.run(
            [
                str(BIN / "raidcontrol"),
                "simulate",
                str(folder),
                "--vehicles",
                str(crews),
                "--fixes",
                str(fixes),
                *route,
                "--format",
                fmt,
                "--no-picture",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder / "roadbooks" / "stage-1.gpx", tracks


def run_cli(
    args: list[str], env: dict | None = None, exe: Path | None = None, stdout: Path | None = None
) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of one ``raidcontrol`` process (``exe``: another
    install's; ``stdout``: a file its output goes to)."""
    t0 = time.perf_counter()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # closed below
    try:
        proc = subprocess.Popen([str(exe or BIN / "raidcontrol"), *args], stdout=out, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if stdout:
            out.close()
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"raidcontrol {' '.join(args)} exited with {proc.returncode}")
    return wall, usage.ru_maxrss * 1024


def parquet_end_to_end(a: argparse.Namespace) -> tuple[list[Target], dict]:
    import pyarrow.parquet as pq

    roadbook, tracks = stage(a.out, "parquet", a.parquet_crews, a.fixes, "parquet")
    rows = pq.ParquetFile(tracks).metadata.num_rows
    check = ["track", "check", str(roadbook), str(tracks), "--format", "json"]
    runs, base_runs, jit_runs = [], [], []
    jit_env = dict(os.environ, RAIDCONTROL_KERNELS="jit")  # numba's JIT kernels, not the module
    for _ in range(a.repeat):  # alternately, so that all meet the same load
        runs.append(run_cli(check, stdout=a.out / "ours.json"))
        jit_runs.append(run_cli(check, env=jit_env, stdout=a.out / "jit.json"))
        if a.baseline:
            base_runs.append(run_cli(check, exe=a.baseline, stdout=a.out / "baseline.json"))
    if (a.out / "ours.json").read_bytes() != (a.out / "jit.json").read_bytes():
        raise SystemExit("the JIT kernels' track check JSON differs from the compiled module's")
    if a.baseline and (a.out / "ours.json").read_bytes() != (a.out / "baseline.json").read_bytes():
        raise SystemExit("the baseline's track check JSON differs from ours")
    wall = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    columnar = rows * BYTES_PER_FIX
    res = {
        "rows": rows,
        "runs_s": [r[0] for r in runs],
        "median_s": wall,
        "peak_rss_bytes": peak,
        "columnar_bytes": columnar,
        "file_bytes": tracks.stat().st_size,
    }
    jit_wall = statistics.median(r[0] for r in jit_runs)
    res["jit_runs_s"] = [r[0] for r in jit_runs]
    res["jit_peak_rss_bytes"] = max(r[1] for r in jit_runs)
    baseline = f"numba JIT kernels {rows / jit_wall / 1e6:.2f} M fixes/s, same JSON; issue 10 3.5"
    base_peak = f"numba JIT kernels {res['jit_peak_rss_bytes'] / columnar:.2f}x"
    if base_runs:
        base_wall = statistics.median(r[0] for r in base_runs)
        res["baseline_runs_s"] = [r[0] for r in base_runs]
        res["baseline_peak_rss_bytes"] = max(r[1] for r in base_runs)
        baseline = f"{a.baseline} {rows / base_wall / 1e6:.2f} M fixes/s, same JSON"
        base_peak = f"{a.baseline} {res['baseline_peak_rss_bytes'] / columnar:.2f}x"
    return [
        Target(
            "track check Parquet end to end", rows / wall / 1e6, "M fixes/s", ">=", 8.0, baseline
        ),
        Target(
            "track check peak memory / columnar size", peak / columnar, "x", "<=", 2.0, base_peak
        ),
    ], res


def gpx_reader(a: argparse.Namespace) -> tuple[list[Target], dict]:
    from raidcontrol.io.tracks import read_fleet

    _, tracks = stage(a.out, "gpx", a.gpx_crews, a.fixes, "gpx")
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        n = len(read_fleet(tracks))
        times.append(time.perf_counter() - t0)
    ours = statistics.median(times)
    base, points = gpxpy_seconds(tracks)
    assert points == n, f"gpxpy read {points} points, raidcontrol {n}"
    res = {
        "points": n,
        "bytes": tracks.stat().st_size,
        "runs_s": times,
        "median_s": ours,
        "gpxpy_s": base,
    }
    return [
        Target(
            "GPX track reader",
            n / ours / 1e6,
            "M points/s",
            ">=",
            1.5,
            f"gpxpy {n / base / 1e6:.3f}",
        ),
        Target("GPX track reader over gpxpy", base / ours, "x", ">=", 30.0),
    ], res


def gpxpy_seconds(path: Path) -> tuple[float, int]:
    """gpxpy parsing the file once (it is slow: one run), and the points it found."""
    import gpxpy

    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        doc = gpxpy.parse(fh)
    points = sum(len(seg.points) for trk in doc.tracks for seg in trk.segments)
    return time.perf_counter() - t0, points


def csv_reader(a: argparse.Namespace) -> tuple[list[Target], dict]:
    from raidcontrol.io.tracks import read_fleet

    _, tracks = stage(a.out, "csv", a.csv_crews, a.fixes, "csv")
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        n = len(read_fleet(tracks))
        times.append(time.perf_counter() - t0)
    ours = statistics.median(times)
    res = {"rows": n, "bytes": tracks.stat().st_size, "runs_s": times, "median_s": ours}
    return [Target("CSV track reader", n / ours / 1e6, "M rows/s", ">=", 3.0)], res


def first_run(a: argparse.Namespace) -> tuple[list[Target], dict]:
    """An empty numba cache stands for a fresh install (NUMBA_CACHE_DIR: nothing compiled yet)."""
    roadbook, tracks = stage(a.out, "first-run", a.first_run_crews, 5000, "parquet")
    check = ["track", "check", str(roadbook), str(tracks), "--format", "json"]
    with tempfile.TemporaryDirectory() as cold, tempfile.TemporaryDirectory() as warm:
        cold_check, _ = run_cli(check, dict(os.environ, NUMBA_CACHE_DIR=cold))
        warmup, _ = run_cli(["warmup"], dict(os.environ, NUMBA_CACHE_DIR=warm))
        first, _ = run_cli(check, dict(os.environ, NUMBA_CACHE_DIR=warm))
    res = {"without_warmup_s": cold_check, "warmup_s": warmup, "first_check_after_warmup_s": first}
    return [
        Target(
            "first track check after install (20 crews)",
            first,
            "s",
            "<=",
            5.0,
            f"without warm-up {cold_check:.1f} s",
        ),
        Target("raidcontrol warmup at install", warmup, "s", "<=", 60.0),
    ], res


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    targets, results = [], {"load_average_before": os.getloadavg()}
    for name, measure in (
        ("parquet_end_to_end", parquet_end_to_end),
        ("gpx", gpx_reader),
        ("csv", csv_reader),
        ("first_run", first_run),
    ):
        if name not in a.only:
            continue
        found, results[name] = measure(a)
        targets += found
        print(json.dumps({name: results[name]}, default=str), flush=True)
    results["load_average"] = os.getloadavg()
    report("track_readers", targets, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
