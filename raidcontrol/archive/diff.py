"""The comparison of two checks of the same archive: the rules in force against a what-if (pure).

A finding is keyed by (round, stage, bib, code).  Columns of :func:`diff_findings`' table:

=================  =======  ====================================================================
round, stage, bib  int32    where
code, kind, name   string   the finding (see :mod:`raidcontrol.archive.findings`)
change             string   ``appears`` (only under the what-if), ``disappears`` (only under the
                            rules in force) or ``penalty-changes`` (both, different penalties)
excess_kmh         float64  speeding: the excess over the limit (km/h; the same under both rule
                            sets unless the zone itself changed); else null
penalty_before_ms  int64    the penalty under the rules in force (0 when absent)
penalty_after_ms   int64    the penalty under the what-if (0 when absent)
delta_ms           int64    after − before
=================  =======  ====================================================================

:func:`crew_deltas` sums the deltas per (round, stage, bib), with the did-not-finish findings
that appear or disappear — what a classification needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from raidcontrol.archive.findings import KEY

DIFF_SCHEMA = pa.schema(
    [
        ("round", pa.int32()),
        ("stage", pa.int32()),
        ("bib", pa.int32()),
        ("code", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("change", pa.string()),
        ("excess_kmh", pa.float64()),
        ("penalty_before_ms", pa.int64()),
        ("penalty_after_ms", pa.int64()),
        ("delta_ms", pa.int64()),
    ]
)
APPEARS, DISAPPEARS, CHANGES = "appears", "disappears", "penalty-changes"
DNF_KIND = "did-not-finish"


def _keyed(table: pa.Table) -> dict[tuple, dict]:
    return {tuple(row[k] for k in KEY): row for row in table.to_pylist()}


def diff_findings(before: pa.Table, after: pa.Table) -> pa.Table:
    """Findings that appear, disappear or change penalty from ``before`` to ``after``, in key order."""
    a, b = _keyed(before), _keyed(after)
    rows = []
    for key in sorted(a.keys() | b.keys()):
        old, new = a.get(key), b.get(key)
        if old is not None and new is not None and old["penalty_ms"] == new["penalty_ms"]:
            continue
        change = APPEARS if old is None else DISAPPEARS if new is None else CHANGES
        row = new if new is not None else old
        p0 = old["penalty_ms"] if old is not None else 0
        p1 = new["penalty_ms"] if new is not None else 0
        rows.append(
            {
                **{
                    k: row[k]
                    for k in ("round", "stage", "bib", "code", "kind", "name", "excess_kmh")
                },
                "change": change,
                "penalty_before_ms": p0,
                "penalty_after_ms": p1,
                "delta_ms": p1 - p0,
            }
        )
    return pa.Table.from_pylist(rows, schema=DIFF_SCHEMA)


@dataclass(frozen=True)
class CrewDelta:
    """What the what-if changes for one crew in one stage: penalty_ms (after − before) and
    did-not-finish: +1 a DNF appears, −1 one disappears, 0 unchanged."""

    round: int
    stage: int
    bib: int
    penalty_ms: int
    dnf: int


def crew_deltas(diff: pa.Table) -> list[CrewDelta]:
    """The diff summed per (round, stage, bib), in that order."""
    acc: dict[tuple[int, int, int], list[int]] = {}
    for row in diff.to_pylist():
        slot = acc.setdefault((row["round"], row["stage"], row["bib"]), [0, 0])
        slot[0] += row["delta_ms"]
        if row["kind"] == DNF_KIND:
            slot[1] += 1 if row["change"] == APPEARS else -1 if row["change"] == DISAPPEARS else 0
    return [CrewDelta(r, s, b, p, d) for (r, s, b), (p, d) in sorted(acc.items())]
