"""Start-up benchmark: what a person waits for before any work is done.

Runs, each ``--runs`` times in a fresh process (medians reported):

* ``raidcontrol --help`` — wall time and peak RSS (targets: ≤ 0.15 s, ≤ 80 MiB);
* ``raidcontrol scrutineer check FILE`` — CPU time (a scrutineer checks dozens of cars in a row);
* the baselines, in the same run: ``python -c pass`` (the interpreter alone) and
  ``python -c "import numba, pyarrow, sqlalchemy, matplotlib"`` (what ``--help`` used to load);
* which heavy libraries ``raidcontrol --help`` and ``scrutineer check`` load (target: none).

Prints one ``TARGET`` line per target and writes ``bench-out/startup.json``.  The children run
with Python's bytecode cache on (as an installed package does; ``PYTHONDONTWRITEBYTECODE`` is
removed from their environment) after one warm-up run that writes it.

    .venv/bin/python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench-out" / "startup.json"
CHECK_FILE = REPO / "examples" / "stock" / "cases" / "compliant-d7x-r.toml"
HEAVY = ("numba", "pyarrow", "sqlalchemy", "matplotlib")
HELP_WALL_S = 0.15  # issue 10: raidcontrol --help ≤ 0.15 s …
HELP_RSS_MIB = 80.0  # … and ≤ 80 MiB
PROBE = (
    "import sys, runpy; sys.argv = {argv!r}\n"
    "try:\n    runpy.run_module('raidcontrol.cli.main', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "print('\\nLOADED=' + ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)"
)


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(argv: list[str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=ENV
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def measure(argv: list[str], runs: int) -> dict[str, float]:
    run_once(argv)  # warm-up: writes the bytecode cache
    samples = [run_once(argv) for _ in range(runs)]
    return {
        "wall_s": statistics.median(s[0] for s in samples),
        "cpu_s": statistics.median(s[1] for s in samples),
        "rss_mib": statistics.median(s[2] for s in samples),
        "runs": runs,
    }


def loaded(args: list[str]) -> list[str]:
    """The heavy libraries a command loads (run through the same entry point, in a fresh process)."""
    code = PROBE.format(argv=["raidcontrol", *args], heavy=HEAVY)
    err = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=REPO, env=ENV
    ).stderr
    line = next((ln for ln in err.splitlines() if ln.startswith("LOADED=")), "LOADED=?")
    return [m for m in line.removeprefix("LOADED=").split(",") if m]


def target(
    name: str, value: float, unit: str, op: str, limit: float, baseline: str, base: float
) -> bool:
    ok = value <= limit if op == "<=" else value == limit
    print(
        f"TARGET {name}: {value:.3f} {unit} (target {op} {limit:g}, baseline {baseline} {base:.3f}) "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--runs", type=int, default=15, help="fresh processes per measurement (median; default 15)"
    )
    args = ap.parse_args(argv)
    exe = Path(sys.executable)
    cli = str(exe.with_name("raidcontrol")) if exe.with_name("raidcontrol").exists() else None
    help_argv = [cli, "--help"] if cli else [sys.executable, "-m", "raidcontrol.cli.main", "--help"]
    check_argv = help_argv[:-1] + ["scrutineer", "check", str(CHECK_FILE)]
    results = {
        "python_pass": measure([sys.executable, "-c", "pass"], args.runs),
        "heavy_imports": measure(
            [sys.executable, "-c", "import " + ", ".join(HEAVY)], max(3, args.runs // 2)
        ),
        "help": measure(help_argv, args.runs),
        "scrutineer_check": measure(check_argv, args.runs),
        "loaded": {
            "help": loaded(["--help"]),
            "scrutineer_check": loaded(["scrutineer", "check", str(CHECK_FILE)]),
        },
    }
    base, heavy, helped, check = (
        results[k] for k in ("python_pass", "heavy_imports", "help", "scrutineer_check")
    )
    ok = [
        target(
            "startup_help_wall",
            helped["wall_s"],
            "s",
            "<=",
            HELP_WALL_S,
            "python -c pass",
            base["wall_s"],
        ),
        target(
            "startup_help_rss",
            helped["rss_mib"],
            "MiB",
            "<=",
            HELP_RSS_MIB,
            "heavy imports",
            heavy["rss_mib"],
        ),
        target(
            "startup_help_heavy_modules",
            len(results["loaded"]["help"]),
            "modules",
            "==",
            0,
            "heavy imports",
            len(HEAVY),
        ),
        target(
            "startup_scrutineer_check_heavy_modules",
            len(results["loaded"]["scrutineer_check"]),
            "modules",
            "==",
            0,
            "heavy imports",
            len(HEAVY),
        ),
    ]
    print(
        f"  help: CPU {helped['cpu_s']:.3f} s; scrutineer check: wall {check['wall_s']:.3f} s, CPU "
        f"{check['cpu_s']:.3f} s; heavy imports alone: wall {heavy['wall_s']:.3f} s, CPU {heavy['cpu_s']:.3f} s, "
        f"{heavy['rss_mib']:.0f} MiB; python -c pass: {base['rss_mib']:.0f} MiB"
    )
    results["pass"] = all(ok)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
