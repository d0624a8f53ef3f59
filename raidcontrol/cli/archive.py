"""``raidcontrol archive …``: a season's tracking archive — add stages, simulate them, re-check them on Dask.

Heavy libraries (dask, distributed, pyarrow, numba) are imported inside the commands only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from raidcontrol.archive.layout import DEFAULT_BIBS_PER_PARTITION
from raidcontrol.cli import common
from raidcontrol.cli.common import OutputFormat, emit
from raidcontrol.cli.common import console as _console
from raidcontrol.core.errors import InputError

archive_app = typer.Typer(
    help="A season's tracking archive: every round's fixes as Parquet, re-checked on Dask, what-if rule changes.",
    no_args_is_help=True,
)

ARCHIVE_HELP = "The archive folder (default: .raidcontrol/archive beside SEASON.toml)."
WIDTH_HELP = "Bibs per partition (one task each) when the archive is created."


def _season(season_toml: Path):
    from raidcontrol.io.season import read_season

    return read_season(season_toml)


def _archive_dir(season_toml: Path, archive: Path | None) -> Path:
    from raidcontrol.archive.layout import default_archive_dir

    return archive if archive is not None else default_archive_dir(season_toml)


def _round_number(season_file, text: str) -> int:
    try:
        return season_file.season.round(int(text) if text.strip().isdigit() else text).number
    except KeyError:
        rounds = ", ".join(f"{r.number} {r.name}" for r in season_file.season.rounds)
        raise InputError(
            f"no round {text!r} in the season (rounds: {rounds})", field="ROUND"
        ) from None


def _rounds(season_file, text: str | None) -> list[int] | None:
    if not text:
        return None
    return sorted({_round_number(season_file, part) for part in text.split(",") if part.strip()})


def _open_for_writing(season_file, root: Path, rnd: int, width: int):
    from raidcontrol.archive.layout import create_archive
    from raidcontrol.archive.rules import rules_in_force
    from raidcontrol.archive.writing import write_round_rules

    archive = create_archive(root, season_file.season.name, season_file.season.rulebook_id, width)
    rid, overrides, source = rules_in_force(season_file, rnd)
    write_round_rules(archive, rnd, rid, overrides, source)
    return archive, rid, overrides


def add_cmd(
    season_toml: Annotated[Path, typer.Argument(help="The season file (season.toml).")],
    round_: Annotated[
        str, typer.Argument(metavar="ROUND", help="The round: its number or its name.")
    ],
    stage: Annotated[int, typer.Argument(min=0, help="The stage number.")],
    tracks: Annotated[
        Path,
        typer.Argument(
            help="The stage's tracks: GPX, CSV or Parquet file, or a folder of GPX files."
        ),
    ],
    roadbook: Annotated[
        Path | None,
        typer.Option(
            "--roadbook",
            help="The stage's OpenRally roadbook (default: the round's event folder's roadbooks/stage-N.gpx).",
        ),
    ] = None,
    archive: Annotated[Path | None, typer.Option("--archive", help=ARCHIVE_HELP)] = None,
    width: Annotated[
        int, typer.Option("--bibs-per-partition", min=1, help=WIDTH_HELP)
    ] = DEFAULT_BIBS_PER_PARTITION,
) -> None:
    """Add (or replace) one stage of one round in the archive.

    Its fixes (partitioned by bib range), its roadbook and the round's rules in force.
    Everything is validated before anything is written."""
    from raidcontrol.archive.rules import rules_in_force
    from raidcontrol.archive.writing import add_stage
    from raidcontrol.io.openrally import parse_roadbook
    from raidcontrol.io.tracks import read_fleet
    from raidcontrol.rules import load_rulebook
    from raidcontrol.tracking.rules import TrackingRules

    season_file = _season(season_toml)
    rnd = _round_number(season_file, round_)
    if roadbook is None:
        folder = season_file.folders.get(rnd)
        if folder is None:
            raise InputError(
                f"round {rnd} has no event folder: give the roadbook with --roadbook",
                field="--roadbook",
            )
        roadbook = folder / "roadbooks" / f"stage-{stage}.gpx"
    if not roadbook.is_file():
        raise InputError("no such roadbook", file=str(roadbook), field="--roadbook")
    rid, overrides, _ = rules_in_force(season_file, rnd)
    data = roadbook.read_bytes()
    book = parse_roadbook(
        data, TrackingRules.from_rulebook(load_rulebook(rid, overrides)), file=str(roadbook)
    )
    fleet = read_fleet(tracks)
    target, _, _ = _open_for_writing(season_file, _archive_dir(season_toml, archive), rnd, width)
    fixes = add_stage(target, rnd, stage, fleet, data)
    _console().print(
        f"round {rnd} stage {stage}: {fixes:,} fixes of {len(fleet.bibs)} crews, "
        f"{len(book.waypoints)} waypoints, {len(book.zones)} zones → {target.stage_dir(rnd, stage)}",
        highlight=False,
    )


def _simulated_rounds(
    season_file, rounds: list[int] | None, crews: int
) -> list[tuple[int, list[int], list[int]]]:
    """(round, stages, bibs) to simulate: rounds with an event folder use its stages and entries;
    a round not yet run its planned stages and bibs 1…crews (only when --crews is given)."""
    from raidcontrol.io.event_folder import read_event_folder

    plan = []
    for r in season_file.season.rounds:
        if rounds is not None and r.number not in rounds:
            continue
        folder = season_file.folders.get(r.number)
        if folder is not None:
            _, records = read_event_folder(folder)
            stages = sorted(p.payload["number"] for p in records if p.kind == "stage" and p.payload)
            bibs = sorted(p.payload["bib"] for p in records if p.kind == "entry" and p.payload)
        elif crews:
            stages, bibs = list(range(1, (r.stages or 0) + 1)), list(range(1, crews + 1))
        else:
            common.err_console.print(
                f"[yellow]round {r.number} ({r.name}): no event folder; give --crews to simulate it[/]"
            )
            continue
        plan.append((r.number, stages, bibs))
    return plan


def simulate_cmd(
    season_toml: Annotated[Path, typer.Argument(help="The season file (season.toml).")],
    rounds: Annotated[
        str | None,
        typer.Option("--rounds", help="Only these rounds (numbers or names, comma-separated)."),
    ] = None,
    fixes: Annotated[
        int, typer.Option("--fixes", min=100, help="Fixes per crew and stage (1 Hz).")
    ] = 3000,
    waypoints: Annotated[int, typer.Option("--waypoints", min=1, help="Waypoints per stage.")] = 8,
    zones: Annotated[int, typer.Option("--zones", min=0, help="Speed zones per stage.")] = 3,
    crews: Annotated[
        int,
        typer.Option(
            "--crews",
            min=0,
            help="Crews of a round without an event folder (bibs 1…N; 0: skip such rounds).",
        ),
    ] = 0,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same archive.")
    ] = 1,
    archive: Annotated[Path | None, typer.Option("--archive", help=ARCHIVE_HELP)] = None,
    width: Annotated[
        int, typer.Option("--bibs-per-partition", min=1, help=WIDTH_HELP)
    ] = DEFAULT_BIBS_PER_PARTITION,
) -> None:
    """Simulate the season's stages into the archive (demo, tests).

    The rally simulator draws every stage, with infringements on purpose, and writes its tracks
    and roadbook into the archive: a round with an event folder gets its stages and its
    entries' bibs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from raidcontrol.archive.simulate import StageShape, simulate_stage_into
    from raidcontrol.rules import load_rulebook
    from raidcontrol.simulation.event import vehicle_shares
    from raidcontrol.simulation.profile import load_profile
    from raidcontrol.tracking.rules import TrackingRules

    season_file = _season(season_toml)
    plan = _simulated_rounds(season_file, _rounds(season_file, rounds), crews)
    shape, root, total = StageShape(fixes, waypoints, zones), _archive_dir(season_toml, archive), 0
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=common.err_console,
        transient=True,
    ) as bar:
        for rnd, stages, bibs in plan:
            target, rid, overrides = _open_for_writing(season_file, root, rnd, width)
            rules = TrackingRules.from_rulebook(load_rulebook(rid, overrides))
            profile = load_profile({"vehicles": {"share": vehicle_shares(load_profile(), rid)}})
            for stage in stages:
                task = bar.add_task(f"round {rnd} stage {stage}", total=len(bibs))
                total += simulate_stage_into(
                    target,
                    rnd,
                    stage,
                    bibs,
                    rules,
                    shape,
                    seed,
                    profile,
                    progress=lambda n, t=task: bar.advance(t, n),
                )
            _console().print(
                f"round {rnd}: {len(stages)} stage(s) × {len(bibs)} crews", highlight=False
            )
    _console().print(f"{total:,} fixes written into {root}", highlight=False)


def _print_outcome(outcome, fmt: OutputFormat, out: Path) -> None:
    from rich.table import Table

    from raidcontrol.archive.summary import SUMMARY_HEADER
    from raidcontrol.core.timefmt import format_duration

    job = outcome.job
    table_view = fmt is OutputFormat.table
    rows = (
        [[*r[:-1], format_duration(r[-1])] for r in outcome.summary]
        if table_view
        else outcome.summary
    )
    emit(
        [*SUMMARY_HEADER[:-1], "penalty"] if table_view else SUMMARY_HEADER,
        rows,
        fmt,
        title=f"Findings per round and category — {job.fixes:,} fixes in {len(job.partitions)} partitions, "
        f"{job.workers} workers, {job.seconds:.1f} s",
    )
    if outcome.diff is not None and fmt is OutputFormat.table:
        table = Table(
            title=f"What-if: {outcome.diff.num_rows} finding(s) appear, disappear or change penalty",
            header_style="bold",
        )
        for h in ("round", "stage", "bib", "code", "change", "before", "after"):
            table.add_column(
                h, justify="right" if h in {"round", "stage", "bib", "before", "after"} else "left"
            )
        for r in outcome.diff.to_pylist():
            table.add_row(
                str(r["round"]),
                str(r["stage"]),
                str(r["bib"]),
                r["code"],
                r["change"],
                format_duration(r["penalty_before_ms"]),
                format_duration(r["penalty_after_ms"]),
            )
        _console().print(table)
        common.err_console.print(
            f"{len(outcome.classification)} classification line(s) and {len(outcome.standings)} "
            f"standing(s) change: see {out / 'classification.csv'} and {out / 'standings.csv'}"
        )
        for note in outcome.notes:
            common.err_console.print(f"note: {note}", highlight=False)
    for e in job.errors:
        common.err_console.print(f"[red]partition {e.label} failed:[/] {e.error}", highlight=False)


def check_cmd(
    season_toml: Annotated[Path, typer.Argument(help="The season file (season.toml).")],
    out: Annotated[
        Path,
        typer.Option("--out", help="FINDINGS_DIR: where the findings, summary and comparison go."),
    ],
    rounds: Annotated[
        str | None,
        typer.Option("--rounds", help="Only these rounds (numbers or names, comma-separated)."),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option(
            "--override",
            help="tracking.KEY=VALUE: check again with this rule changed and compare (repeatable).",
        ),
    ] = None,
    scheduler: Annotated[
        str,
        typer.Option(
            "--scheduler",
            help="processes (a local cluster of worker processes), threads, or tcp://HOST:PORT (a running Dask scheduler).",
        ),
    ] = "processes",
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Local workers (default: one per core).")
    ] = None,
    memory_limit: Annotated[
        str, typer.Option("--memory-limit", help="Memory limit per local worker.")
    ] = "2GiB",
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="The summary as table, csv or json.")
    ] = OutputFormat.table,
    archive: Annotated[Path | None, typer.Option("--archive", help=ARCHIVE_HELP)] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Journal database URL for the rounds' events (with --override)."),
    ] = None,
) -> None:
    """Re-check the archive on Dask; with --override, compare a rule change.

    The tracking kernel runs one task per (round, stage, bib range) and every finding is
    written (Parquet), with a summary per round and category and, with --override, what
    changes: findings that appear, disappear or change penalty per crew, each round's
    classification and the championship standings (see docs/archive.md for every file).
    Exit code 1 when a partition failed (the others are still written)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from raidcontrol.archive.job import check_season, write_outcome
    from raidcontrol.archive.layout import open_archive
    from raidcontrol.archive.rules import parse_overrides, rule_sets
    from raidcontrol.archive.run import dashboard_available, open_client

    season_file = _season(season_toml)
    chosen = _rounds(season_file, rounds)
    what_if = parse_overrides(override or [], season_file.season.rulebook_id)
    target = open_archive(_archive_dir(season_toml, archive))
    n = len(target.partitions(chosen))
    rule_sets(
        {r: target.rules_in_force(r) for r in {p.round for p in target.partitions(chosen)}}, what_if
    )
    client, cluster = open_client(scheduler, workers, memory_limit)
    try:
        common.err_console.print(
            f"dashboard: {client.dashboard_link}"
            if dashboard_available()
            else "dashboard: not available (install bokeh for the Dask dashboard)",
            highlight=False,
        )
        with Progress(
            TextColumn("checking partitions"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=common.err_console,
            transient=True,
            disable=fmt is not OutputFormat.table,
        ) as bar:
            task = bar.add_task("check", total=n)
            outcome = check_season(
                season_file,
                target,
                chosen,
                what_if,
                client,
                lambda _r: bar.advance(task),
                db,
                scheduler,
            )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    write_outcome(outcome, out)
    _print_outcome(outcome, fmt, out)
    if outcome.job.errors:
        raise typer.Exit(1)


LIST_HEADER = (
    "round",
    "round_name",
    "stage",
    "partitions",
    "bibs",
    "fixes",
    "parquet_bytes",
    "roadbook",
)


def list_cmd(
    season_toml: Annotated[Path, typer.Argument(help="The season file (season.toml).")],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.table,
    archive: Annotated[Path | None, typer.Option("--archive", help=ARCHIVE_HELP)] = None,
) -> None:
    """What the archive holds: per round and stage, its partitions, fixes and roadbook.

    Columns: round, round_name, stage, partitions, bibs (from the lowest to the highest bib range),
    fixes (rows), parquet_bytes, roadbook (yes/no)."""
    import pyarrow.parquet as pq

    from raidcontrol.archive.layout import open_archive

    season_file = _season(season_toml)
    target = open_archive(_archive_dir(season_toml, archive))
    names = {r.number: r.name for r in season_file.season.rounds}
    stages: dict[tuple[int, int], list] = {}
    for p in target.partitions():
        files = sorted(p.path.glob("*.parquet"))
        slot = stages.setdefault((p.round, p.stage), [0, p.bib_lo, p.bib_hi, 0, 0])
        slot[0] += 1
        slot[2] = p.bib_hi
        slot[3] += sum(pq.ParquetFile(f).metadata.num_rows for f in files)
        slot[4] += sum(f.stat().st_size for f in files)
    rows = [
        [
            rnd,
            names.get(rnd, "?"),
            stage,
            n,
            f"{lo}-{hi}",
            fixes,
            size,
            "yes" if target.roadbook_path(rnd, stage).is_file() else "no",
        ]
        for (rnd, stage), (n, lo, hi, fixes, size) in sorted(stages.items())
    ]
    emit(
        LIST_HEADER,
        rows,
        fmt,
        title=f"Tracking archive {target.root} — {sum(r[5] for r in rows):,} fixes",
    )


def register(app: typer.Typer) -> None:
    archive_app.command("add")(add_cmd)
    archive_app.command("simulate")(simulate_cmd)
    archive_app.command("check")(check_cmd)
    archive_app.command("list")(list_cmd)
    app.add_typer(archive_app, name="archive")
