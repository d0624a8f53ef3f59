"""The journal benchmark: `classify --general` on a Dakar-size event (issue 10).

800 crews × 14 stages = 11,200 times and 300 adjustments (``dakar_event.py``), journal in
SQLite.  What ``classify --general`` does, through the Python API (``open_event(folder)`` —
folder sync, checkpoint, live classification — then ``general().to_csv()``), measured in the
same run:

* first call in a fresh process, journal already made: the whole process, interpreter start and
  imports included (median of ``--repeat`` processes);
* later calls once imported: each call in that process after the first (median);
* baseline: the same classification recomputed from the whole journal (``as_of`` far in the
  future: no checkpoint, no live classification), in the same process;
* for information: the whole ``raidcontrol classify`` command on a new folder (the import of
  the folder into the journal) and on the same folder again, and the folder sync alone when
  nothing changed vs when one file changed.

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
HERE = Path(__file__).resolve().parent

FAR = "2100-01-01T00:00:00"
FIRST_CALL_TARGET_S = 2.0  # issue 10: ≤ 2 s for the first call, imports included
LATER_CALL_TARGET_S = 0.3  # issue 10: ≤ 0.3 s per call once imported


def _wall(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "raidcontrol.cli.main", *args], check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - t


PROCESS = """
import json, sys, time
t0 = time.perf_counter()
import raidcontrol
folder, repeat, far = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def call(as_of=None):
    t = time.perf_counter()
    with raidcontrol.open_event(folder, as_of=as_of) as ev:
        ev.general().to_csv()
    return time.perf_counter() - t

call()
first = time.perf_counter() - t0
later = [call() for _ in range(repeat)]
full = [call(far) for _ in range(repeat)]
print(json.dumps({"first_in_process": first, "later": later, "full": full}))
"""


def _process(folder: Path, repeat: int) -> tuple[float, dict]:
    """One fresh process: (its whole wall time up to the first classification, its figures)."""
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PROCESS, str(folder), str(repeat), FAR],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    total = time.perf_counter() - t
    figures = json.loads(out.strip().splitlines()[-1])
    # the process's wall time up to the first call's end: its total less what came after the first
    first = total - sum(figures["later"]) - sum(figures["full"])
    return first, figures


SYNC = """
import json, pathlib, sys, time
from raidcontrol.session import EventSession
folder, repeat, change = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
p = folder / "adjustments.csv"
out = []
for i in range(repeat):
    if change:
        p.write_text(p.read_text() + "1,200,penalty,0:00:01,stage,bench {}\\n".format(i))
    t = time.perf_counter()
    EventSession.open(folder).close()
    out.append(time.perf_counter() - t)
print(json.dumps(out))
"""


def _sync_only(folder: Path, repeat: int, change: bool) -> float:
    res = subprocess.run(
        [sys.executable, "-c", SYNC, str(folder), str(repeat), "1" if change else "0"],
        check=True,
        capture_output=True,
        text=True,
    )
    return statistics.median(json.loads(res.stdout.strip().splitlines()[-1]))


def main() -> None:
    sys.path.insert(0, str(HERE))
    from dakar_event import write_event
    from targets import Target, report

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--crews", type=int, default=800)
    args = ap.parse_args()
    folder = args.out / "journal-event"
    shutil.rmtree(folder, ignore_errors=True)
    write_event(folder, crews=args.crews)
    cmd = ["classify", str(folder), "--general", "--format", "csv"]
    command_new = _wall(cmd)  # imports the folder into a new journal
    command_again = statistics.median(_wall(cmd) for _ in range(args.repeat))
    runs = [_process(folder, args.repeat) for _ in range(args.repeat)]
    first = statistics.median(r[0] for r in runs)
    later = statistics.median(t for r in runs for t in r[1]["later"])
    full = statistics.median(t for r in runs for t in r[1]["full"])
    unchanged = _sync_only(folder, args.repeat, False)
    changed = _sync_only(folder, args.repeat, True)
    print(f"event: {args.crews} crews × 14 stages; medians of {args.repeat} processes")
    print(f"whole command: new folder {command_new:.3f} s, again {command_again:.3f} s")
    print(f"folder sync alone: unchanged {unchanged:.3f} s, one file changed {changed:.3f} s")
    targets = [
        Target(
            "classify_general_first_call_wall",
            first,
            "s",
            "<=",
            FIRST_CALL_TARGET_S,
            f"later call {later:.3f}",
        ),
        Target(
            "classify_general_later_call_wall",
            later,
            "s",
            "<=",
            LATER_CALL_TARGET_S,
            f"full recomputation {full:.3f}",
        ),
    ]
    results = {
        "crews": args.crews,
        "repeat": args.repeat,
        "first_call_s": first,
        "later_call_s": later,
        "full_recomputation_s": full,
        "command_new_folder_s": command_new,
        "command_again_s": command_again,
        "sync_unchanged_s": unchanged,
        "sync_one_file_changed_s": changed,
    }
    report("journal", targets, results, args.out)


if __name__ == "__main__":
    main()
