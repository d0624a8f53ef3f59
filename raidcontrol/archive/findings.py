"""The findings table: every finding of a check as one Arrow row (pure data, no I/O).

Columns (one row per finding; a finding is keyed by ``round, stage, bib, code``):

============  =========  ===========================================================================
round         int32      the season's round number (1-based)
stage         int32      the stage number
bib           int32      the crew's race number
code          string     ``missed-wp<n>``, ``speeding-z<n>``, ``share`` (did not finish),
                         ``outage@<start epoch ms>``, ``spike@<epoch ms>``
kind          string     ``missed-waypoint``, ``speeding``, ``did-not-finish``, ``outage``, ``spike``
name          string     the waypoint's or the zone's name (empty for the others)
type          string     the waypoint's type (``WPM`` …), ``zone``, ``share``, ``outage``, ``spike``
value         float64    missed: closest approach (m, null: never near); speeding: highest speed
                         (km/h); share: share of waypoints validated; outage: distance across the
                         gap (m); spike: implied speed (km/h)
limit         float64    missed: validation radius (m); speeding: the zone's limit (km/h);
                         share: the minimum share; outage: the gap limit (s); spike: the spike speed (km/h)
excess_kmh    float64    speeding only: the highest excess over the limit (km/h); else null
start_ms      int64      missed: time of the closest approach; speeding: first fix over the limit;
                         outage: last fix before; spike: the fix (epoch ms UTC; null when none)
end_ms        int64      speeding: end of the last leg over the limit; outage: first fix after
penalty_ms    int64      the rulebook's penalty (0 for a finding without one)
============  =========  ===========================================================================
"""

from __future__ import annotations

import pyarrow as pa

from raidcontrol.tracking.report import CrewReport, FleetReport

SCHEMA = pa.schema(
    [
        ("round", pa.int32()),
        ("stage", pa.int32()),
        ("bib", pa.int32()),
        ("code", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("type", pa.string()),
        ("value", pa.float64()),
        ("limit", pa.float64()),
        ("excess_kmh", pa.float64()),
        ("start_ms", pa.int64()),
        ("end_ms", pa.int64()),
        ("penalty_ms", pa.int64()),
    ]
)
KEY = ("round", "stage", "bib", "code")
MS_PER_S = 1000.0


def _crew_rows(rnd: int, stage: int, crew: CrewReport, report: FleetReport) -> list[tuple]:
    rules, b = report.rules, crew.bib
    rows: list[tuple] = [
        (
            rnd,
            stage,
            b,
            m.code,
            "missed-waypoint",
            m.name,
            m.type,
            m.closest_m,
            m.clear_m,
            None,
            m.closest_t_ms,
            None,
            m.penalty_ms,
        )
        for m in crew.missed
    ]
    rows += [
        (
            rnd,
            stage,
            b,
            s.code,
            "speeding",
            s.zone,
            "zone",
            s.max_speed_kmh,
            s.limit_kmh,
            s.excess_kmh,
            s.start_ms,
            s.end_ms,
            s.penalty_ms,
        )
        for s in crew.speeding
    ]
    if crew.did_not_finish:
        rows.append(
            (
                rnd,
                stage,
                b,
                "share",
                "did-not-finish",
                "",
                "share",
                crew.share,
                rules.min_share,
                None,
                None,
                None,
                0,
            )
        )
    rows += [
        (
            rnd,
            stage,
            b,
            f"outage@{g.start_ms}",
            "outage",
            "",
            "outage",
            g.distance_m,
            rules.max_gap_ms / MS_PER_S,
            None,
            g.start_ms,
            g.end_ms,
            0,
        )
        for g in crew.gaps
    ]
    rows += [
        (
            rnd,
            stage,
            b,
            f"spike@{s.t_ms}",
            "spike",
            "",
            "spike",
            s.implied_speed_kmh,
            rules.spike_speed_kmh,
            None,
            s.t_ms,
            None,
            0,
        )
        for s in crew.spikes
    ]
    return rows


def findings_table(rnd: int, stage: int, report: FleetReport) -> pa.Table:
    """Every finding of a stage's report as rows of :data:`SCHEMA`, by bib then code order of the report."""
    rows = [
        row
        for bib in sorted(report.crews)
        for row in _crew_rows(rnd, stage, report.crews[bib], report)
    ]
    columns = list(zip(*rows)) if rows else [()] * len(SCHEMA)
    return pa.table(
        [pa.array(list(col), type=f.type) for col, f in zip(columns, SCHEMA)], schema=SCHEMA
    )


def empty_table() -> pa.Table:
    return SCHEMA.empty_table()


def sort_findings(table: pa.Table) -> pa.Table:
    """The findings in key order (round, stage, bib, code): the same rows always in the same order."""
    return table.sort_by([(k, "ascending") for k in KEY])
