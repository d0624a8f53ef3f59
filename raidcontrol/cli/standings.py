"""The ``standings`` command: W2RC championship standings of a season, each round traced, and the outlook."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from raidcontrol.championship.model import TITLES  # light: the rules module loads rulebooks
from raidcontrol.cli import common
from raidcontrol.cli.common import OutputFormat, emit, parse_as_of
from raidcontrol.core.errors import InputError

if TYPE_CHECKING:
    from raidcontrol.championship.outlook import Outlook
    from raidcontrol.championship.season_results import SeasonTable
    from raidcontrol.championship.standings import StandingLine

Title = Enum(
    "Title", {name: name for name in TITLES}, type=str
)  # drivers | codrivers | manufacturers

STANDINGS_HEADER = ("position", "name", "points")
STANDINGS_TRAILER = ("countback",)
ROUNDS_HEADER = (
    "position",
    "name",
    "round",
    "place",
    "final_points",
    "stage_points",
    "bonus_points",
    "points",
    "bibs",
)
OUTLOOK_HEADER = ("position", "name", "points", "max_points", "status", "condition")


def points_value(points: float) -> int | float:
    """Points as a number for every output format: ``50``, ``37.5`` (no empty cell is a zero)."""
    return int(points) if float(points).is_integer() else float(points)


def standings_rows(table: SeasonTable) -> tuple[list[str], list[list]]:
    """CSV header ``position,name,points``, one column per round counted (the round's name), then
    ``countback`` (how a tie on points was settled, with the deciding counts; empty otherwise).
    ``None`` (an empty cell, JSON null) where the competitor has no result at that round."""
    header = [*STANDINGS_HEADER, *(r.name for r in table.counted), *STANDINGS_TRAILER]
    rows = [
        [
            line.position,
            line.name,
            points_value(line.points),
            *(points_value(e.points) if e is not None else None for e in line.by_round),
            line.countback,
        ]
        for line in table.lines
    ]
    return header, rows


def round_rows(table: SeasonTable) -> list[list]:
    """One row per competitor and round counted where it has a result: position (in the standings),
    name, round, place (at the round, the one countback uses; empty: not placed), final_points,
    stage_points, bonus_points (power stages), points (their sum), bibs (the crews the points come
    from, space-separated: a manufacturer's counted cars)."""
    rows = []
    for line in table.lines:
        for rnd, e in zip(table.counted, line.by_round):
            if e is not None:
                rows.append(
                    [
                        line.position,
                        line.name,
                        rnd.name,
                        e.place,
                        points_value(e.final_points),
                        points_value(e.stage_points),
                        points_value(e.bonus_points),
                        points_value(e.points),
                        " ".join(map(str, e.bibs)),
                    ]
                )
    return rows


def outlook_rows(view: Outlook) -> list[list]:
    return [
        [
            ln.position,
            ln.name,
            points_value(ln.points),
            points_value(ln.max_points),
            ln.status,
            ln.condition,
        ]
        for ln in view.lines
    ]


def write_chart(table: SeasonTable, heading: str, path: Path) -> None:
    """Cumulative points after each round, one line per competitor (PNG or SVG by the file's suffix).
    Object-oriented matplotlib on an Agg canvas: no global backend switch."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
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


def _provisional(table: SeasonTable) -> str:
    return (
        f"provisional: {', '.join(table.provisional)} (not every stage final)"
        if table.provisional
        else ""
    )


def warn_duplicates(lines: tuple[StandingLine, ...], title: str) -> None:
    """One stderr warning per pair of competitors that are probably one person spelled two ways."""
    from rich.markup import escape

    from raidcontrol.championship.model import Person
    from raidcontrol.championship.people import likely_duplicates

    if title == "manufacturers":
        return
    for a, b in likely_duplicates([Person(ln.key, ln.name) for ln in lines]):
        common.err_console.print(
            escape(
                f"warning: {a.name!r} and {b.name!r} may be one person (same surname and initial, "
                "spelled differently): give a driver_id in entries.csv or an alias in season.toml "
                "[[person]]"
            ),
            highlight=False,
        )


def _remaining_text(view: Outlook) -> str:
    from raidcontrol.championship.season_results import DEFAULT_PLAN

    def one(r) -> str:

        plan = f"{r.stages} point stage(s)" + (
            f" + {r.power_stages} power stage(s)" if r.power_stages else ""
        )
        return f"{r.round.label}: {plan} ({r.source}" + (
            ", not yet in a folder)" if r.source == DEFAULT_PLAN else ")"
        )

    return "; ".join(one(r) for r in view.remaining) or "none"


def _emit_outlook(view: Outlook, fmt: OutputFormat, what: str, caption: str) -> None:
    from rich.console import Console
    from rich.markup import escape

    from raidcontrol.championship.model import format_points
    from raidcontrol.championship.outlook import OUT
    from raidcontrol.championship.season_results import DEFAULT_PLAN

    rows = outlook_rows(view)
    defaults = [r.round.label for r in view.remaining if r.source == DEFAULT_PLAN]
    if fmt is OutputFormat.table:
        Console().print(
            f"Rounds still to count: {escape(_remaining_text(view))}; most points still available: "
            f"[bold]{format_points(view.available)}[/]",
            highlight=False,
        )
        if view.newcomer_can_win:
            Console().print("A competitor without points yet could still win the title.")
    elif defaults:
        common.err_console.print(
            f"note: not yet in an event folder, the rulebook's planned stages are assumed: "
            f"{', '.join(defaults)}",
            highlight=False,
        )
    emit(
        OUTLOOK_HEADER,
        rows,
        fmt,
        title=f"{what} — outlook",
        caption=caption,
        highlight_rows={i for i, ln in enumerate(view.lines) if ln.status not in (OUT,)}
        if rows
        else None,
    )


def _open(season_file, numbers: list[int], moment, db: str | None, *, progress: bool) -> list:
    """The rounds' events opened through their journals, with a progress bar on stderr for the table."""
    from rich.progress import Progress

    from raidcontrol.rounds import open_rounds

    with Progress(console=common.err_console, transient=True, disable=not progress) as bar:
        task = bar.add_task("opening the rounds' journals", total=len(numbers))
        return open_rounds(
            season_file, numbers, as_of=moment, db_url=db, on_open=lambda _round: bar.advance(task)
        )


def standings_cmd(
    season_toml: Annotated[
        Path, typer.Argument(help="The season file (season.toml): rulebook and rounds in order.")
    ],
    category: Annotated[
        str | None,
        typer.Option(
            "--category",
            help="Championship category (FIA: Ultimate, Stock, Challenger, SSV; FIM: RallyGP, Rally2, "
            "Rally3, Quad). Default: the rulebook's.",
        ),
    ] = None,
    title: Annotated[
        Title, typer.Option("--title", help="Which title: drivers, codrivers or manufacturers.")
    ] = Title.drivers,
    after: Annotated[
        str | None,
        typer.Option(
            "--after",
            help="Standings after this round (number or name); default: the last round with an event "
            "folder.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.table,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As the journals stood at this moment (ISO 8601).")
    ] = None,
    show_outlook: Annotated[
        bool,
        typer.Option(
            "--outlook",
            help="Points still available, who can still win, who has clinched, and each contender's "
            "simplest winning condition.",
        ),
    ] = False,
    show_rounds: Annotated[
        bool,
        typer.Option(
            "--rounds",
            help="Trace every total: each competitor's place, final, stage and power-stage points at each "
            "round, and the crews they come from.",
        ),
    ] = False,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart", help="Also draw the points after each round to this .png or .svg file."
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Journal database URL (default: a SQLite file in each event folder, or $RAIDCONTROL_DB).",
        ),
    ] = None,
) -> None:
    """W2RC standings of a season: points per round, ties broken by countback.

    CSV columns: position, name, points, one column per round named after the round (empty: no
    result there), countback (how a tie on points was settled, e.g. "ahead of X on countback:
    2 wins to 1").

    With --rounds: position, name, round, place, final_points, stage_points, bonus_points,
    points, bibs — one row per competitor and round.

    With --outlook: position, name, points, max_points, status (champion / can win / out) and
    the simplest condition for the title.
    """
    from raidcontrol.championship.rules import championship_rules
    from raidcontrol.championship.season_results import (
        after_label,
        after_round,
        rounds_to_open,
        season_outlook,
        season_table,
    )
    from raidcontrol.io.season import itineraries, read_season

    title = title.value
    moment = parse_as_of(as_of)
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        raise InputError("the chart is written as .png or .svg", field="--chart")
    if show_rounds and show_outlook:
        raise InputError(
            "--rounds and --outlook are two different tables: ask for one", field="--rounds"
        )
    season_file = read_season(season_toml)
    season = season_file.season
    rules = championship_rules(season_file.rulebook())
    rules.check_title(title)
    rules.category(category)
    last = after_round(season, after, season_file.folders)
    opened = _open(
        season_file,
        rounds_to_open(season, last, season_file.folders),
        moment,
        db,
        progress=fmt is OutputFormat.table,
    )
    table = season_table(season, rules, season_file.identities, opened, title, category, last)
    warn_duplicates(table.lines, title)
    what = f"{season.name} — {table.category} {title} {after_label(season, last)}"
    what += f", as of {as_of}" if as_of else ""
    if chart is not None:
        write_chart(table, what, chart)
    if show_outlook:
        routes = itineraries(season_file, sorted(season_file.folders))
        _emit_outlook(
            season_outlook(table, season, rules, opened, routes), fmt, what, _provisional(table)
        )
    elif show_rounds:
        emit(
            ROUNDS_HEADER,
            round_rows(table),
            fmt,
            title=f"{what} — per round",
            caption=_provisional(table),
        )
    else:
        header, rows = standings_rows(table)
        emit(
            header,
            rows,
            fmt,
            title=what,
            caption=_provisional(table),
            highlight_rows={0} if rows else None,
        )


def register(app: typer.Typer) -> None:
    app.command("standings")(standings_cmd)
