"""A season's rounds opened through the event API, each once (the application layer).

:func:`open_rounds` validates every round's event folder first (a bad one stops everything
before any journal is written), then opens each round's event once with the records already
read, folded as of the moment asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from raidcontrol.championship.model import Round
from raidcontrol.event import open_event
from raidcontrol.io.season import OpenRound, SeasonFile, check_events


def open_rounds(
    season_file: SeasonFile,
    numbers: list[int],
    as_of: datetime | None = None,
    db_url: str | None = None,
    on_open: Callable[[Round], None] | None = None,
) -> list[OpenRound]:
    """Open the events of rounds ``numbers`` (each synced into its journal), as of ``as_of``."""
    records = check_events(season_file, numbers)
    out = []
    for number in numbers:
        with open_event(
            season_file.folders[number], db_url, as_of=as_of, folder_records=records[number]
        ) as ev:
            verdicts = {
                bib: remark.eligibility
                for bib, remark in ev.event.remarks.items()
                if remark.eligibility
            }
            out.append(
                OpenRound(
                    season_file.season.rounds[number - 1],
                    ev.event,
                    ev.rulebook,
                    verdicts,
                    ev.event.remarks,
                )
            )
        if on_open is not None:
            on_open(out[-1].round)
    return out
