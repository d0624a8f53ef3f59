"""A Dakar-size event folder for the journal benchmarks (seeded, so every run is the same).

Default: 800 crews (Ultimate, Stock, Challenger, SSV, Trucks) × 14 stages = 11,200 time
records (3 % do not finish a stage, a few withdraw), 300
penalties and credits.  ``python benchmarks/dakar_event.py OUT_DIR`` writes one.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

CATEGORIES = [
    ("Ultimate", "T1+"),
    ("Stock", "Stock"),
    ("Challenger", "T3.1"),
    ("SSV", "T4"),
    ("Trucks", "T5.1"),
]
DAY0 = datetime(2026, 1, 3, 7, 0)


def _event_toml(stages: int) -> str:
    parts = ['name = "Dakar-size benchmark"\nrulebook = "fia-2026"\n']
    for n in range(1, stages + 1):
        parts.append(
            f'\n[[stage]]\nnumber = {n}\nname = "Stage {n}"\nspecial_km = {300 + n * 7}.0\n'
            f'max_time = "12:00:00"\ncounts_for_general = true\n'
        )
    return "".join(parts)


def _time_rows(rng: random.Random, crews: int, stages: int) -> list[str]:
    rows = ["stage,bib,start,finish,status"]
    withdrawn: dict[int, int] = {}
    for n in range(1, stages + 1):
        day = DAY0 + timedelta(days=n)
        for i in range(crews):
            bib = 200 + i
            start = day + timedelta(seconds=60 * i)
            if bib in withdrawn:  # recorded withdrawn at every later stage too
                rows.append(f"{n},{bib},,,withdrawn")
                continue
            if rng.random() < 0.002 and n > 1:
                withdrawn[bib] = n
                rows.append(f"{n},{bib},,,withdrawn")
            elif rng.random() < 0.03:
                rows.append(f"{n},{bib},{start.isoformat()},,dnf")
            else:
                finish = start + timedelta(
                    seconds=rng.randint(3 * 3600, 9 * 3600), milliseconds=rng.randint(0, 999)
                )
                rows.append(
                    f"{n},{bib},{start.isoformat()},{finish.isoformat(timespec='milliseconds')},finished"
                )
    return rows


def write_event(
    folder: Path, crews: int = 800, stages: int = 14, adjustments: int = 300, seed: int = 2026
) -> Path:
    """Write the event folder (event.toml, entries.csv, times.csv, adjustments.csv)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "event.toml").write_text(_event_toml(stages))
    entries = ["bib,category,class,driver,codriver,team,brand,model"]
    for i in range(crews):
        category, klass = CATEGORIES[i % len(CATEGORIES)]
        entries.append(
            f"{200 + i},{category},{klass},Driver {i},Navigator {i},Team {i % 60},BRAND{i % 9},M{i % 4}"
        )
    (folder / "entries.csv").write_text("\n".join(entries) + "\n")
    times = _time_rows(rng, crews, stages)
    (folder / "times.csv").write_text("\n".join(times) + "\n")
    adj = ["stage,bib,kind,amount,scope,reason"]
    for k in range(adjustments):
        kind = "credit" if k % 10 == 0 else "penalty"
        scope = "special" if k % 3 else "stage"
        adj.append(
            f"{rng.randint(1, stages)},{200 + rng.randrange(crews)},{kind},0:{rng.randint(1, 59):02d}:00,"
            f"{scope},reason {k}"
        )
    (folder / "adjustments.csv").write_text("\n".join(adj) + "\n")
    return folder


if __name__ == "__main__":
    print(write_event(Path(sys.argv[1])))
