"""The benchmark suite (``make bench``): every ``benchmarks/bench_*.py``, one concern each.

Each script runs in its own process (its imports and memory do not leak into the next),
prints its figures and one ``TARGET …  PASS|FAIL`` line per target, and writes
``bench-out/<concern>.json``.  This runner collects those files into
``bench-out/summary.json`` (per concern: exit code, seconds, targets, results) and prints
every TARGET line again at the end.  Exit 1 when a script failed or a target was missed.

    .venv/bin/python benchmarks/run.py                  # all of them
    .venv/bin/python benchmarks/run.py tracking track_readers   # some, by concern
    .venv/bin/python benchmarks/run.py --list
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "bench-out"
TARGET_LINE = re.compile(r"^TARGET (?P<name>[^:]+): .*\b(?P<verdict>PASS|FAIL)\s*$")
IDLE_SHARE = 0.9  # a script starts once the machine was this idle over one second ...
IDLE_WAIT_S = 30.0  # ... or after this long: the previous script's tail must not load the next


def idle_share(interval_s: float = 1.0) -> float | None:
    """The machine's idle share of CPU time over ``interval_s`` (/proc/stat; None elsewhere)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    try:
        idle0, total0 = sample()
        time.sleep(interval_s)
        idle1, total1 = sample()
    except OSError:
        return None
    return (idle1 - idle0) / max(1, total1 - total0)


def settle() -> tuple[float, float | None]:
    """Wait until the machine is idle (at most ``IDLE_WAIT_S``); (seconds waited, idle share)."""
    t0 = time.perf_counter()
    share = idle_share()
    while share is not None and share < IDLE_SHARE and time.perf_counter() - t0 < IDLE_WAIT_S:
        share = idle_share()
    return time.perf_counter() - t0, share


def discover(names: list[str]) -> list[Path]:
    """The ``bench_<concern>.py`` scripts, in name order, restricted to ``names`` when given."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        wanted = {n.removeprefix("bench_").removesuffix(".py") for n in names}
        unknown = wanted - {concern(s) for s in scripts}
        if unknown:
            raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}")
        scripts = [s for s in scripts if concern(s) in wanted]
    return scripts


def concern(script: Path) -> str:
    return script.stem.removeprefix("bench_")


def run_one(script: Path) -> dict:
    """Run one script (its output streamed through) once the machine is idle; return its exit code,
    time, TARGET lines and the idle share it started at."""
    waited, share = settle()
    idle = "unknown" if share is None else f"{share:.0%}"
    print(f"\n=== {script.name} === (machine {idle} idle, after {waited:.1f} s)", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        if TARGET_LINE.match(line.rstrip("\n")):
            lines.append(line.rstrip("\n"))
    code = proc.wait()
    return {
        "script": script.name,
        "returncode": code,
        "seconds": round(time.perf_counter() - t0, 2),
        "target_lines": lines,
        "idle_share_at_start": share,
    }


def collect(runs: dict[str, dict]) -> dict:
    """Each concern's run record with its ``bench-out/<concern>.json`` (null when it wrote none)."""
    for name, run in runs.items():
        path = OUT / f"{name}.json"
        try:
            run["output"] = json.loads(path.read_text()) if path.exists() else None
        except json.JSONDecodeError as exc:
            run["output"] = {"error": f"unreadable JSON: {exc}"}
    return runs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("concerns", nargs="*", help="concerns to run (default: every bench_*.py)")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    a = ap.parse_args(argv)
    scripts = discover(a.concerns)
    if a.list:
        print("\n".join(concern(s) for s in scripts))
        return 0
    OUT.mkdir(exist_ok=True)
    runs = collect({concern(s): run_one(s) for s in scripts})
    (OUT / "summary.json").write_text(json.dumps(runs, indent=1) + "\n")
    print("\n=== summary ===")
    failed = False
    for name, run in runs.items():
        if run["returncode"] != 0:
            failed = True
            print(f"{name}: the script exited with {run['returncode']} after {run['seconds']} s")
        if not run["target_lines"]:
            print(f"{name}: no TARGET line")
        for line in run["target_lines"]:
            failed |= line.endswith("FAIL")
            print(line)
    print(f"written: {OUT.relative_to(ROOT) / 'summary.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
