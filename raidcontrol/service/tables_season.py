"""Season standings and outlook when the served event is a round of a championship.

The served round is read from this process's view (what the API shows); the other rounds from
their journals as they stand, read-only (the server never syncs another event's folder).
Tables: standings — ``position`` (int), ``name``, ``points`` (number), then one column per
round counted (its name; null where no result); outlook — ``position``, ``name``, ``points``,
``max_points``, ``status`` (champion / can win / out), ``condition`` (text).
"""

from __future__ import annotations

from pathlib import Path

from raidcontrol.core.errors import InputError
from raidcontrol.service.tables import TableData
from raidcontrol.service.view import Snapshot


def _opened(
    season_file, numbers: list[int], snap: Snapshot, event_dir: Path, db_url: str | None
) -> list:
    from raidcontrol.io.season import OpenRound
    from raidcontrol.session import EventSession

    out = []
    for number in numbers:
        folder, rnd = season_file.folders[number], season_file.season.rounds[number - 1]
        if folder.resolve() == event_dir.resolve():
            event, rulebook, state, effects = snap.event, snap.rulebook, snap.state, snap.effects
        else:
            session = EventSession.open(folder, db_url=db_url, sync=False)
            event, rulebook, state, effects = (
                session.event,
                session.rulebook,
                session.state,
                session.effects,
            )
            session.close()
        verdicts = {
            int(r.key): str(r.payload.get("verdict", ""))
            for r in state.of_kind("scrutineering")
            if str(r.key).isdigit()
        }
        out.append(OpenRound(rnd, event, rulebook, verdicts, effects))
    return out


def standings(
    snap: Snapshot,
    season_path: Path,
    event_dir: Path,
    db_url: str | None,
    category: str | None,
    title: str,
    outlook: bool,
) -> TableData:
    from raidcontrol.championship.rules import championship_rules
    from raidcontrol.championship.season_results import (
        after_round,
        rounds_to_open,
        season_outlook,
        season_table,
    )
    from raidcontrol.cli.standings import OUTLOOK_HEADER, outlook_rows, standings_rows
    from raidcontrol.io.season import read_season

    season_file = read_season(season_path)
    rules = championship_rules(season_file.rulebook())
    try:
        rules.check_title(title)
        rules.category(category)
    except InputError as exc:
        raise InputError(
            exc.message, field="title" if "title" in exc.message else "category"
        ) from None
    last = after_round(season_file.season, None, season_file.folders)
    opened = _opened(
        season_file,
        rounds_to_open(season_file.season, last, season_file.folders),
        snap,
        event_dir,
        db_url,
    )
    table = season_table(
        season_file.season, rules, season_file.identities, opened, title, category, last
    )
    status = "provisional" if table.provisional else "final"
    if outlook:
        view = season_outlook(table, season_file.season, rules, opened)
        return TableData("outlook", OUTLOOK_HEADER, outlook_rows(view), status, snap.position)
    header, rows = standings_rows(table)
    return TableData("standings", tuple(header), rows, status, snap.position)
