"""The incremental-reclassification benchmark (issue 10): one append on a Dakar-size event.

A :class:`LiveClassification` of the Dakar-size event (800 crews × 14 stages, 300
adjustments; ``dakar_event.py``) takes ``--appends`` new records one at a time — a corrected
time, a penalty, a tracking proposal and a steward's confirmation, in turn — and after each
gives the updated stage and general classifications.  Per-append time p50/p99, against the
full recomputation (``event_from_state`` + ``classify_stage`` + ``classify_general``) timed in
the same run on some of the same states; the two are compared line for line on those states.

Prints TARGET lines and writes ``bench-out/incremental.json``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
APPEND_TARGET_MS = 20.0  # issue 10: one append → updated stage and general in ≤ 20 ms

if TYPE_CHECKING:
    from raidcontrol.classification.incremental import LiveClassification
    from raidcontrol.core.journal import Record
    from raidcontrol.store import MemoryJournal


def _next_record(
    i: int, rng: random.Random, journal: MemoryJournal, live: LiveClassification
) -> Record:
    from raidcontrol.core.journal import Record

    stage, bib = rng.randint(1, 14), 200 + rng.randrange(800)
    what = i % 4
    if what == 0:
        old = live.state.current.get(("time", f"{stage}/{bib}"))
        payload = {
            "stage": stage,
            "bib": bib,
            "status": "finished",
            "start": f"2026-01-{3 + stage:02d}T08:00:00",
            "finish": f"2026-01-{3 + stage:02d}T{11 + rng.randint(0, 5)}:{rng.randint(10, 59)}:00.250",
        }
        return Record("time", f"{stage}/{bib}", payload, supersedes=old.id if old else None)
    if what == 1:
        return Record(
            "adjustment",
            f"{stage}/{bib}/b{i}",
            {
                "stage": stage,
                "bib": bib,
                "kind": "penalty",
                "amount_ms": 60_000 * rng.randint(1, 30),
                "scope": "stage",
                "reason": "bench",
            },
        )
    if what == 2:
        return Record(
            "penalty-proposed",
            f"{stage}/{bib}/SPD{i}",
            {
                "stage": stage,
                "bib": bib,
                "code": f"SPD{i}",
                "amount_ms": 120_000,
                "scope": "special",
                "reason": "speeding",
            },
            author="tracking",
            origin="tracking",
        )
    proposal = journal.records_since(journal.position() - 1)[0]
    return Record(
        "penalty-decision",
        str(proposal.id),
        {"decision": "confirmed", "proposal": proposal.id},
        author="steward",
        origin="stewards",
    )


def _full(records, stage: int):
    """The classifications recomputed from every record, as an event opened as of a moment is."""
    from raidcontrol.classification import classify_general, classify_stage
    from raidcontrol.core.journal import fold
    from raidcontrol.core.model import event_from_state
    from raidcontrol.rules import load_rulebook
    from raidcontrol.stock.effects import remarks_in_force

    state = fold(records)
    event = event_from_state(state)
    rb = load_rulebook(event.rulebook_id, event.rules)
    event.remarks = remarks_in_force(state, rb, event)
    return classify_stage(event, rb, stage), classify_general(event, rb)


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def main() -> None:
    sys.path.insert(0, str(HERE))
    from dakar_event import write_event
    from targets import Target, report

    from raidcontrol.classification.incremental import LiveClassification
    from raidcontrol.io.event_folder import read_event_folder
    from raidcontrol.store import MemoryJournal

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    ap.add_argument("--appends", type=int, default=400)
    ap.add_argument(
        "--full-every", type=int, default=80, help="time a full recomputation every N appends"
    )
    ap.add_argument(
        "--freeze",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="gc.freeze() after building (as the live service does), or not",
    )
    args = ap.parse_args()
    rng = random.Random(10)
    with tempfile.TemporaryDirectory() as tmp:
        _, desired = read_event_folder(write_event(Path(tmp) / "ev"))
    journal = MemoryJournal("bench")
    t = time.perf_counter()
    live = LiveClassification.from_records(journal.append(desired))
    build = time.perf_counter() - t
    if args.freeze:
        gc.collect()
        gc.freeze()  # what a long-lived server does after loading: the event's objects leave the GC's scans
    per_append, full_times, mismatches = [], [], 0
    for i in range(args.appends):
        rec = _next_record(i, rng, journal, live)
        [written] = journal.append([rec])
        t = time.perf_counter()
        live.apply(written)
        stage_lines, general_lines = live.stage(written.payload.get("stage", 1)), live.general()
        per_append.append(time.perf_counter() - t)
        if i % args.full_every == args.full_every - 1:
            t = time.perf_counter()
            full = _full(journal.records(), written.payload.get("stage", 1))
            full_times.append(time.perf_counter() - t)
            mismatches += (stage_lines, general_lines) != full
    p50, p99 = _pct(per_append, 0.5) * 1000, _pct(per_append, 0.99) * 1000
    full_ms = statistics.median(full_times) * 1000
    print(
        f"live classification built in {build:.2f} s; {args.appends} appends; {len(full_times)} full recomputations;"
        f" gc.freeze() {'on' if args.freeze else 'off'}"
    )
    baseline = f"full recomputation {full_ms:.1f} ms"
    targets = [
        Target("append_update_p50", p50, "ms", "<=", APPEND_TARGET_MS, baseline),
        Target("append_update_p99", p99, "ms", "<=", APPEND_TARGET_MS, baseline),
        Target(
            "equals_full_recomputation",
            mismatches,
            "mismatches",
            "<=",
            0,
            f"{len(full_times)} checks",
        ),
    ]
    results = {
        "appends": args.appends,
        "build_s": build,
        "p50_ms": p50,
        "p99_ms": p99,
        "full_recomputation_ms": full_ms,
        "checks": len(full_times),
        "mismatches": mismatches,
        "gc_freeze": args.freeze,
    }
    report("incremental", targets, results, args.out)


if __name__ == "__main__":
    main()
