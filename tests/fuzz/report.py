"""Print the fuzzing campaign's figures (``bench-out/fuzz/<reader>.json``, written by the harness).

Run by ``make fuzz`` after the campaign; exits 1 when any reader had a crash, a hang, a memory
blow-up, a journal change on error or an accepted input PostgreSQL would refuse.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPORT_DIR = Path(__file__).resolve().parents[2] / "bench-out" / "fuzz"
BAD = ("crashes", "hangs", "memory", "journal_changes_on_error", "db_mismatches")


def main() -> int:
    files = sorted(REPORT_DIR.glob("*.json"))
    if not files:
        print("no fuzzing figures (run the fuzz tests with RAIDCONTROL_FUZZ_REPORT=1)")
        return 1
    header = (
        "reader",
        "inputs",
        "accepted",
        "refused",
        "crashes",
        "hangs",
        "memory",
        "journal changes on error",
        "db mismatches",
        "CLI runs",
        "databases",
        "slowest s",
        "max MB growth",
        "reader s",
    )
    rows = []
    for path in files:
        f = json.loads(path.read_text(encoding="utf-8"))
        if path.stem == "selftest":
            continue
        rows.append(
            (
                path.stem,
                f["inputs"],
                f["accepted"],
                f["refused"],
                f["crashes"],
                f["hangs"],
                f["memory"],
                f["journal_changes_on_error"],
                f["db_mismatches"],
                f["cli_runs"],
                f["databases"],
                f"{f['slowest_s']:.2f}",
                f"{f['max_growth_mb']:.0f}",
                f"{f['seconds']:.1f}",
            )
        )
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    for r in (header, *rows):
        print("  ".join(str(v).rjust(w) for v, w in zip(r, widths)))
    failed = [r[0] for r in rows if any(r[header.index(name.replace("_", " "))] for name in BAD)]
    total = sum(r[1] for r in rows)
    print(
        f"{total} inputs over {len(rows)} readers; "
        + (
            f"FAIL: {', '.join(failed)}"
            if failed
            else "0 crashes, 0 hangs, 0 journal changes on error"
        )
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
