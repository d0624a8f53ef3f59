"""The findings summed per round and category (pure).

Columns of :func:`summary_rows` (:data:`SUMMARY_HEADER`):

================  ======  ===================================================================
round             int     the round's number
round_name        str     its name in the season
category          str     the crews' category in the round's event (``?``: no event folder, or
                          a bib the event has not entered)
crews             int     crews of that category with at least one finding
missed            int     missed waypoints
speeding          int     speeding infringements
did_not_finish    int     crews under the minimum share of waypoints
outages, spikes   int     tracker outages and GPS spikes (data quality; no penalty)
penalty_ms        int     the penalties' total (ms)
================  ======  ===================================================================
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from raidcontrol.championship.model import Season

SUMMARY_HEADER = (
    "round",
    "round_name",
    "category",
    "crews",
    "missed",
    "speeding",
    "did_not_finish",
    "outages",
    "spikes",
    "penalty_ms",
)
UNKNOWN = "?"
_COUNTED = {
    "missed-waypoint": "missed",
    "speeding": "speeding",
    "did-not-finish": "did_not_finish",
    "outage": "outages",
    "spike": "spikes",
}


def summary_rows(
    findings: pa.Table, season: Season, categories: Mapping[int, Mapping[int, str]]
) -> list[list]:
    """One row per (round, category) with findings; ``categories``: round → bib → category."""
    acc: dict[tuple[int, str], dict] = {}
    for f in findings.select(["round", "bib", "kind", "penalty_ms"]).to_pylist():
        cat = categories.get(f["round"], {}).get(f["bib"], UNKNOWN)
        slot = acc.setdefault(
            (f["round"], cat),
            {"crews": set(), "penalty_ms": 0, **dict.fromkeys(_COUNTED.values(), 0)},
        )
        slot["crews"].add(f["bib"])
        slot[_COUNTED[f["kind"]]] += 1
        slot["penalty_ms"] += f["penalty_ms"]
    names = {r.number: r.name for r in season.rounds}
    return [
        [
            rnd,
            names.get(rnd, ""),
            cat,
            len(s["crews"]),
            s["missed"],
            s["speeding"],
            s["did_not_finish"],
            s["outages"],
            s["spikes"],
            s["penalty_ms"],
        ]
        for (rnd, cat), s in sorted(acc.items())
    ]
