"""The ``standings`` command: W2RC championship standings of a season, and the outlook."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from raidcontrol.championship.rules import TITLES
from raidcontrol.cli import common
from raidcontrol.cli.common import Format, OutputFormat, emit, parse_as_of
from raidcontrol.core.errors import InputError

if TYPE_CHECKING:  # the season's modules load inside the command (a light start-up)
    from raidcontrol.championship.outlook import Outlook
    from raidcontrol.championship.season_results import SeasonTable

Title = Enum("Title", {name: name for name in TITLES}, type=str)  # drivers | codrivers | manufacturers

STANDINGS_HEADER = ("position", "name", "points")
OUTLOOK_HEADER = ("position", "name", "points", "max_points", "status", "condition")


def points_value(points: float) -> int | float:
    """Points as a number for every output format: ``50``, ``37.5`` (no empty cell is a zero)."""
    return int(points) if float(points).is_integer() else float(points)


def standings_rows(table: SeasonTable) -> tuple[list[str], list[list]]:
    """CSV header ``position,name,points`` then one column per round counted (the round's name);
    ``None`` (an empty cell, JSON null) where the competitor has no result at that round."""
    header = [*STANDINGS_HEADER, *(r.name for r in table.counted)]
    rows = [[line.position, line.name, points_value(line.points),
             *(points_value(e.points) if e is not None else None for e in line.by_round)] for line in table.lines]
    return header, rows


def outlook_rows(view: Outlook) -> list[list]:
    return [[ln.position, ln.name, points_value(ln.points), points_value(ln.max_points), ln.status, ln.condition]
            for ln in view.lines]


def write_chart(table: SeasonTable, heading: str, path: Path) -> None:
    """Cumulative points after each round, one line per competitor (PNG or SVG by the file's suffix)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    labels = [r.name for r in table.counted]
    for line in table.lines:
        running, total = [], 0.0
        for entry in line.by_round:
            total += entry.points if entry is not None else 0
            running.append(total)
        ax.plot(labels, running, marker="o", label=f"{line.position}. {line.name}")
    ax.set_title(heading)
    ax.set_xlabel("round")
    ax.set_ylabel("points (cumulative)")
    ax.grid(True, alpha=0.3)
    if table.lines:
        ax.legend(fontsize="small", loc="upper left")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def _provisional(table: SeasonTable) -> str:
    return f"provisional: {', '.join(table.provisional)} (not every stage final)" if table.provisional else ""


def standings_cmd(
    season_toml: Path = typer.Argument(..., help="The season file (season.toml): rulebook and rounds in order."),
    category: Optional[str] = typer.Option(
        None, "--category",
        help="Championship category (FIA: Ultimate, Stock, Challenger, SSV; FIM: RallyGP, Rally2, Rally3, Quad). "
             "Default: the rulebook's."),
    title: Title = typer.Option(Title.drivers, "--title", help="Which title: drivers, codrivers or manufacturers."),
    after: Optional[str] = typer.Option(
        None, "--after", help="Standings after this round (number or name); default: the last round with an event folder."),
    fmt: Format = OutputFormat.table,
    as_of: Optional[str] = typer.Option(None, "--as-of", help="As the journals stood at this moment (ISO 8601)."),
    show_outlook: bool = typer.Option(False, "--outlook", help="Points still available, who can still win, who has "
                                      "clinched, and each contender's simplest winning condition."),
    chart: Optional[Path] = typer.Option(
        None, "--chart", help="Also draw the points after each round to this .png or .svg file."),
    db: Optional[str] = typer.Option(
        None, "--db", help="Journal database URL (default: a SQLite file in each event folder, or $RAIDCONTROL_DB)."),
) -> None:
    """W2RC standings of a season: points per round, ties broken by countback.

    CSV columns: position, name, points, then one column per round named after the round
    (empty: no result there).

    With --outlook: position, name, points, max_points, status (champion / can win / out) and
    the simplest condition for the title.
    """
    from rich.console import Console
    from rich.progress import Progress

    from raidcontrol.championship.model import format_points
    from raidcontrol.championship.outlook import OUT
    from raidcontrol.championship.rules import championship_rules
    from raidcontrol.championship.season_results import (
        after_label,
        after_round,
        rounds_to_open,
        season_outlook,
        season_table,
    )
    from raidcontrol.io.season import read_season
    from raidcontrol.rounds import open_rounds

    title = title.value
    moment = parse_as_of(as_of)
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise InputError("the chart is written as .png or .svg", field="--chart")
    season_file = read_season(season_toml)
    season = season_file.season
    rules = championship_rules(season_file.rulebook())
    rules.check_title(title)
    rules.category(category)
    last = after_round(season, after, season_file.folders)
    numbers = rounds_to_open(season, last, season_file.folders)
    with Progress(console=common.err_console, transient=True, disable=fmt is not OutputFormat.table) as progress:
        task = progress.add_task("opening the rounds' journals", total=len(numbers))
        opened = open_rounds(season_file, numbers, as_of=moment, db_url=db,
                             on_open=lambda _round: progress.advance(task))
    table = season_table(season, rules, season_file.identities, opened, title, category, last)
    what = f"{season.name} — {table.category} {title} {after_label(season, last)}" + (f", as of {as_of}" if as_of else "")
    if chart is not None:
        write_chart(table, what, chart)
    if not show_outlook:
        header, rows = standings_rows(table)
        emit(header, rows, fmt, title=what, caption=_provisional(table), highlight_rows={0} if rows else None)
        return
    view = season_outlook(table, season, rules, opened)
    rows = outlook_rows(view)
    if fmt is OutputFormat.table:
        left = ", ".join(r.round.label for r in view.remaining) or "none"
        Console().print(f"Rounds still to count: {left}; most points still available: "
                        f"[bold]{format_points(view.available)}[/]")
        if view.newcomer_can_win:
            Console().print("A competitor without points yet could still win the title.")
    emit(OUTLOOK_HEADER, rows, fmt, title=f"{what} — outlook", caption=_provisional(table),
         highlight_rows={i for i, ln in enumerate(view.lines) if ln.status not in (OUT,)} if rows else None)


def register(app: typer.Typer) -> None:
    app.command("standings")(standings_cmd)
