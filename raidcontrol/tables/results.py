"""Classification and explanation tables (pure: core data in, :class:`Table` out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from raidcontrol.core.remark import Remark
from raidcontrol.core.timefmt import format_duration
from raidcontrol.tables.table import Column, Table

# The documented classify CSV columns, in order (docs/event-folder.md); the new ones come after.
CLASSIFICATION_COLUMNS = (
    Column(
        "position",
        "int",
        "",
        "place in this list (1, 2, 3 …); none for a withdrawn or disqualified crew",
    ),
    Column("bib", "int", "", "race number"),
    Column("driver", "str", "", "the driver's name as entered"),
    Column("category", "str", "", "the entry's category (Ultimate, Stock, Challenger, SSV …)"),
    Column("class", "str", "", "the entry's class (T1+, T2.1 …)"),
    Column(
        "time",
        "duration",
        "ms",
        "the time that ranks: special time + penalties − credits (forfeit included)",
    ),
    Column("gap", "duration", "ms", "behind this list's leader"),
    Column(
        "penalty",
        "duration",
        "ms",
        "penalties counted (the forfeit's fixed penalty included; credits not)",
    ),
    Column("status", "str", "", "finished | forfeit | withdrawn | disqualified"),
)
EXTRA_COLUMNS = (
    Column(
        "eligibility",
        "str",
        "",
        "the scrutineering verdict in force (eligible, eligible-with-remarks, "
        "not-eligible, experimental); none when not scrutineered",
    ),
    Column(
        "remarks",
        "str",
        "",
        "remarks shown beside the line, separated by '; ' (e.g. not eligible: R-STD-02)",
    ),
)
CSV_NAMES = tuple(c.name for c in CLASSIFICATION_COLUMNS)
# The CSV's columns after the documented ones: the eligibility columns and the durations in ms.
WIDE_CSV_NAMES = (*(c.name for c in EXTRA_COLUMNS), "time_ms", "gap_ms", "penalty_ms")


def carries_eligibility(remarks: Mapping[int, Remark]) -> bool:
    """Whether every classification CSV of the event carries the eligibility columns: when a
    scrutineering verdict is in force anywhere in the event (not only in the list asked for), so that
    every list of it has the same columns. A Stock entry not yet scrutineered has no verdict."""
    return any(remark.eligibility for remark in remarks.values())


def line_row(line: Any, wide: bool = False) -> list[object]:
    """A classification line as the documented CSV row (``CSV_NAMES``), and with ``wide`` the
    ``WIDE_CSV_NAMES`` after it: what ``classify --format csv``, the service and the website all print."""

    def fmt(ms: int | None) -> str:
        return "" if ms is None else format_duration(ms)

    row: list[object] = [
        line.position if line.position is not None else "",
        line.bib,
        line.driver,
        line.category,
        line.klass,
        fmt(line.time_ms),
        fmt(line.gap_ms),
        format_duration(line.penalty_ms),
        line.status,
    ]
    if wide:
        ms = ["" if v is None else v for v in (line.time_ms, line.gap_ms, line.penalty_ms)]
        row += [line.eligibility or "", "; ".join(line.flags), *ms]
    return row


def classification_table(lines: Sequence[Any], *, title: str = "", caption: str = "") -> Table:
    """Lines of :func:`~raidcontrol.classification.rank` as a table; flagged lines are highlighted."""
    rows = [
        (
            ln.position,
            ln.bib,
            ln.driver,
            ln.category,
            ln.klass,
            ln.time_ms,
            ln.gap_ms,
            ln.penalty_ms,
            ln.status,
            ln.eligibility or None,
            "; ".join(ln.flags) or None,
        )
        for ln in lines
    ]
    return Table(
        CLASSIFICATION_COLUMNS + EXTRA_COLUMNS,
        tuple(rows),
        title,
        caption,
        frozenset(i for i, ln in enumerate(lines) if ln.flags),
    )


EXPLAIN_COLUMNS = (
    Column("kind", "str", "", "part (a term of the time) | total | remark | split | ranking"),
    Column(
        "term",
        "str",
        "",
        "what the line is: the special time, a penalty or credit and its scope, a waypoint …",
    ),
    Column(
        "time",
        "duration",
        "ms",
        "the term's signed duration (credits negative), the total, a split's elapsed "
        "time or a ranking's time",
    ),
    Column("position", "int", "", "rank at a waypoint split or in a ranking"),
    Column("gap", "duration", "ms", "a ranking's gap to its leader"),
    Column("penalty", "duration", "ms", "a ranking's penalties counted"),
    Column("reason", "str", "", "why: the decision's reason, the rule's source, the status"),
    Column("picture", "str", "", "the evidence picture, relative to the event folder"),
    Column("record", "int", "", "the journal record of the penalty or credit"),
    Column(
        "evidence", "json", "", "the fixes, times, distances and speeds behind a tracking penalty"
    ),
)


def explain_table(
    parts: Sequence[Any],
    total: tuple[int, str] | None,
    *,
    remark: str = "",
    splits: Sequence[Any] = (),
    rankings: Sequence[tuple[str, Any]] = (),
    title: str = "",
) -> Table:
    """One crew's stage time, term by term; then its remark, waypoint splits and rankings.

    parts: :class:`~raidcontrol.classification.TimePart`; total: (time ms, status) or None when
    the crew has no time record; rankings: (scope, ClassLine)."""
    rows: list[tuple[Any, ...]] = []
    if remark:
        rows.append(("remark", remark, None, None, None, None, None, None, None, None))
    for p in parts:
        adj = p.adjustment
        proof = adj.evidence if adj is not None else None
        rows.append(
            (
                "part",
                p.label,
                p.ms,
                None,
                None,
                None,
                p.reason or None,
                (proof or {}).get("picture"),
                adj.record_id if adj is not None else None,
                proof,
            )
        )
    if total is not None:
        rows.append(
            (
                "total",
                "stage time",
                total[0],
                None,
                None,
                None,
                f"status: {total[1]}",
                None,
                None,
                None,
            )
        )
    for sp in splits:
        rows.append(
            ("split", sp.waypoint, sp.elapsed_ms, sp.position, None, None, None, None, None, None)
        )
    for scope, ln in rankings:
        rows.append(
            (
                "ranking",
                f"{scope} ranking",
                ln.time_ms,
                ln.position,
                ln.gap_ms,
                ln.penalty_ms,
                ln.status,
                None,
                None,
                None,
            )
        )
    return Table(
        EXPLAIN_COLUMNS,
        tuple(rows),
        title,
        highlight=frozenset(i for i, r in enumerate(rows) if r[0] == "remark"),
    )
