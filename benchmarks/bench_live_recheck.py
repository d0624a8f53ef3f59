"""Live re-check cost along a long stage: resumed (the live engine) against a full re-check of
every fix held (what the engine did before), measured in the same run.

A simulated stage (``--vehicles`` × ``--fixes`` 1 Hz fixes) is fed to :class:`LiveCheck` in time
order up to a cut (a quarter, a half, three quarters and the end of the time every crew is on
the special: from the last start to the first finish); at each
cut, one more batch of ``--batch-s`` seconds of fixes is timed (CPU) through the live engine, and a
full re-check of the same crews on all their fixes (``check_fleet``, one call) is timed beside it.

Target: the resumed re-check's cost per fix at the end of the stage ≤ 2 × at its first quarter
(``live_recheck_flat``); the full re-check's growth is printed as the baseline.

Run: ``.venv/bin/python benchmarks/bench_live_recheck.py [--vehicles 100 --fixes 30000]``;
writes ``bench-out/live_recheck.json``.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # one core: before numba is imported

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CUTS = (0.25, 0.5, 0.75, 1.0)  # shares of the stage's time
FLAT_TARGET = 2.0  # end-of-stage cost per fix / first-quarter cost per fix, at most
REPEATS = 3  # the timed batch is re-run this many times (the least CPU time counts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vehicles", type=int, default=100)
    ap.add_argument("--fixes", type=int, default=30_000, help="fixes per vehicle (1 Hz)")
    ap.add_argument("--waypoints", type=int, default=30)
    ap.add_argument("--zones", type=int, default=6)
    ap.add_argument("--batch-s", type=float, default=5.0, help="seconds of stage per batch")
    args = ap.parse_args()

    from raidcontrol.rules import load_rulebook
    from raidcontrol.simulation.simulator import simulate_stage
    from raidcontrol.tracking.check import check_fleet
    from raidcontrol.tracking.live.engine import LiveCheck
    from raidcontrol.tracking.live.params import LiveParams
    from raidcontrol.tracking.model import Fleet
    from raidcontrol.tracking.rules import TrackingRules

    rulebook = load_rulebook("fia-2026")
    rules, params = TrackingRules.from_rulebook(rulebook), LiveParams.from_rulebook(rulebook)
    sim = simulate_stage(
        seed=7,
        vehicles=args.vehicles,
        fixes_per_vehicle=args.fixes,
        waypoints=args.waypoints,
        zones=args.zones,
    )
    fleet = sim.recorded
    order = np.argsort(fleet.t_ms, kind="stable")
    t_sorted = fleet.t_ms[order]
    # the stretch every crew drives in (starts are staggered): from the last start to the first finish
    firsts, lasts = fleet.t_ms[fleet.offsets[:-1]], fleet.t_ms[fleet.offsets[1:] - 1]
    t0, t1 = int(firsts.max()), int(lasts.min())
    batch_ms = int(args.batch_s * 1000)

    def part(a: int, b: int) -> Fleet:
        idx = order[a:b]
        return Fleet.from_columns(
            fleet.bib[idx], fleet.t_ms[idx], fleet.lat[idx], fleet.lon[idx], fleet.speed_kmh[idx]
        )

    live = LiveCheck(sim.roadbook, rules, params)
    at, rows = 0, []
    for share in CUTS:
        cut = int(np.searchsorted(t_sorted, t0 + share * (t1 - t0) - batch_ms))
        while at < cut:  # feed up to the cut in large batches (each crew walks once)
            nxt = min(cut, at + 200_000)
            live.add(part(at, nxt))
            at = nxt
        end = int(np.searchsorted(t_sorted, t_sorted[at] + batch_ms))
        batch = part(at, end)
        bibs = sorted(set(batch.bibs.tolist()))
        c0 = time.process_time()
        live.add(batch)
        resumed_s = time.process_time() - c0
        for _ in range(REPEATS - 1):  # the same crews again from the same resume points
            c0 = time.process_time()
            live.recheck(bibs)
            resumed_s = min(resumed_s, time.process_time() - c0)
        held = live.fleet(bibs)
        full_s = np.inf
        for _ in range(REPEATS):
            c0 = time.process_time()
            check_fleet(sim.roadbook, held, rules)
            full_s = min(full_s, time.process_time() - c0)
        at = end
        rows.append(
            {
                "stage_share": share,
                "crews": len(bibs),
                "new_fixes": len(batch),
                "fixes_held": len(held),
                "resumed_ms": resumed_s * 1000,
                "full_ms": full_s * 1000,
                "resumed_us_per_new_fix": resumed_s * 1e6 / max(1, len(batch)),
                "full_us_per_new_fix": full_s * 1e6 / max(1, len(batch)),
            }
        )
    growth = rows[-1]["resumed_us_per_new_fix"] / rows[0]["resumed_us_per_new_fix"]
    full_growth = rows[-1]["full_us_per_new_fix"] / rows[0]["full_us_per_new_fix"]
    ok = growth <= FLAT_TARGET
    print(
        f"TARGET live_recheck_flat: {growth:.2f} × end-of-stage / first-quarter CPU per new fix "
        f"(target <= {FLAT_TARGET:g}, baseline full re-check {full_growth:.2f} ×) "
        f"{'PASS' if ok else 'FAIL'}"
    )
    print(
        f"  {args.vehicles} vehicles × {args.fixes:,} fixes, {args.waypoints} WP, {args.zones} "
        f"zones; one batch of {args.batch_s:g} s of stage at each cut (CPU, best of {REPEATS}):"
    )
    for r in rows:
        print(
            f"  {r['stage_share']:>4.0%}: {r['crews']} crews, {r['new_fixes']:,} new fixes, "
            f"{r['fixes_held']:,} held — resumed {r['resumed_ms']:.1f} ms, "
            f"full re-check {r['full_ms']:.1f} ms"
        )
    out = ROOT / "bench-out" / "live_recheck.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "cuts": rows, "growth": growth}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
