"""A page's classification as CSV or JSON: the same columns as ``raidcontrol classify``."""

from __future__ import annotations

import json

from raidcontrol.classification import CSV_HEADER
from raidcontrol.cli.common import csv_text
from raidcontrol.core.timefmt import format_duration
from raidcontrol.tables.results import WIDE_CSV_NAMES, line_row
from raidcontrol.web.views import Line


def lines_csv(lines: list[Line], wide: bool = False) -> str:
    """The lines as ``classify --format csv`` prints them; ``wide``: with the eligibility columns
    (:func:`~raidcontrol.tables.results.carries_eligibility` of the event decides)."""
    header = tuple(CSV_HEADER) + (WIDE_CSV_NAMES if wide else ())
    return csv_text(header, [line_row(ln.line, wide) for ln in lines])


def lines_json(lines: list[Line]) -> str:
    rows = []
    for line in lines:
        ln = line.line
        rows.append(
            {
                "position": ln.position,
                "bib": ln.bib,
                "driver": ln.driver,
                "category": ln.category,
                "class": ln.klass,
                "time": format_duration(ln.time_ms) if ln.time_ms is not None else None,
                "time_ms": ln.time_ms,
                "gap_ms": ln.gap_ms,
                "penalty_ms": ln.penalty_ms,
                "status": ln.status,
                "remarks": list(ln.flags),
            }
        )
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
