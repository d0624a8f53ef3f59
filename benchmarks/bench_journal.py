"""The journal benchmark: `classify --general` on a Dakar-size event (issue 10).

800 crews × 14 stages = 11,200 times and 300 adjustments (``dakar_event.py``), journal in
SQLite.  Measured in the same run:

* first call: the whole command on a new folder (the folder is imported into the journal);
* later calls: the whole command (median of ``--repeat``), and in-process once imported
  (``EventSession.open`` + the classification, median), against the baseline: the same
  classification recomputed from the whole journal (``--as-of`` far in the future, no checkpoint);
* unchanged folder: the folder sync alone when nothing changed vs when a file changed.

Prints TARGET lines and writes ``bench-out/journal.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dakar_event import write_event

FAR = "2100-01-01T00:00:00"


def _wall(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "raidcontrol.cli.main", *args], check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - t


def _in_process(folder: Path, repeat: int, as_of: str | None) -> list[float]:
    code = f"""
import sys, time, json
from raidcontrol.session import EventSession
from raidcontrol.classification import classify_general
from raidcontrol.core.timefmt import parse_datetime
out = []
for _ in range({repeat}):
    t = time.perf_counter()
    s = EventSession.open({str(folder)!r}, as_of=parse_datetime({as_of!r}) if {as_of!r} else None)
    lines = s.live.general() if s.live else classify_general(s.event, s.rulebook, effects=s.effects)
    s.close()
    out.append(time.perf_counter() - t)
print(json.dumps(out))
"""
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _sync_only(folder: Path, repeat: int, change: bool) -> list[float]:
    code = f"""
import json, time, pathlib
from raidcontrol.session import EventSession
p = pathlib.Path({str(folder)!r}) / "adjustments.csv"
out = []
for i in range({repeat}):
    if {change}:
        p.write_text(p.read_text() + "1,200,penalty,0:00:01,stage,bench {{}}\\n".format(i))
    t = time.perf_counter()
    EventSession.open({str(folder)!r}).close()
    out.append(time.perf_counter() - t)
print(json.dumps(out))
"""
    res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _line(
    name: str, value: float, unit: str, op: str, target: float, baseline: str, base: float
) -> dict:
    ok = value <= target if op == "<=" else value >= target
    print(
        f"TARGET {name}: {value:.3f} {unit} (target {op} {target}, baseline {baseline} {base:.3f}) "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "op": op,
        "target": target,
        "baseline": baseline,
        "baseline_value": base,
        "pass": ok,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--crews", type=int, default=800)
    args = ap.parse_args()
    folder = args.out / "journal-event"
    shutil.rmtree(folder, ignore_errors=True)
    write_event(folder, crews=args.crews)
    cmd = ["classify", str(folder), "--general", "--format", "csv"]
    first = _wall(cmd)
    later = statistics.median(_wall(cmd) for _ in range(args.repeat))
    full_cmd = statistics.median(_wall([*cmd, "--as-of", FAR]) for _ in range(args.repeat))
    inproc = statistics.median(_in_process(folder, args.repeat, None))
    inproc_full = statistics.median(_in_process(folder, args.repeat, FAR))
    unchanged = statistics.median(_sync_only(folder, args.repeat, False))
    changed = statistics.median(_sync_only(folder, args.repeat, True))
    print(f"event: {args.crews} crews × 14 stages; median of {args.repeat}")
    results = [
        _line("classify_first_call_wall", first, "s", "<=", 2.0, "later call", later),
        _line(
            "classify_later_call_wall",
            later,
            "s",
            "<=",
            0.3,
            "full recomputation (--as-of)",
            full_cmd,
        ),
        _line(
            "classify_later_in_process",
            inproc,
            "s",
            "<=",
            0.3,
            "full recomputation (--as-of)",
            inproc_full,
        ),
        _line("unchanged_folder_open", unchanged, "s", "<=", 0.3, "one file changed", changed),
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "journal.json").write_text(
        json.dumps({"concern": "journal", "targets": results}, indent=2)
    )


if __name__ == "__main__":
    main()
