"""Tracking commands: ``track check`` (a roadbook against tracks), ``track scan`` (an event's
stage into the journal as proposed penalties), and ``penalties list/confirm/dismiss``.

The readers, the numba kernels, pyarrow and the store load inside the commands, not at start-up.
"""

import json
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from raidcontrol.cli import common, head_start
from raidcontrol.cli.common import Db, EventDir, EventOpt, Format, OutputFormat, console, show
from raidcontrol.core.errors import InputError
from raidcontrol.io.stage_files import stage_files

if TYPE_CHECKING:
    from raidcontrol.io.stream_check import StreamCheck
    from raidcontrol.tables import Table
    from raidcontrol.tracking.report import FleetReport
    from raidcontrol.tracking.rules import TrackingRules

PROGRESS_FROM_BYTES = 8_000_000  # Parquet fleets at least this large show progress bars
STEWARDS_DEFAULT = "stewards"

track_app = typer.Typer(
    help="GPS tracking compliance: waypoints and speed zones from tracks, with evidence.",
    no_args_is_help=True,
)
penalties_app = typer.Typer(
    help="Proposed penalties (from tracking) and the stewards' decisions on them.",
    no_args_is_help=True,
)


def run_check(
    roadbook_path: Path,
    tracks_path: Path,
    rulebook_id: str,
    overrides: dict | None = None,
    show_progress: bool = True,
    with_fleet: bool = False,
) -> tuple:
    """Read, check (with progress bars on large fleets) and return (report, fleet); the fleet is
    None unless ``with_fleet`` (a Parquet fleet is checked without being kept).  A Parquet fleet
    starts being read first, while the rulebook and the roadbook are read."""
    from raidcontrol.io.openrally import read_roadbook
    from raidcontrol.rules import load_rulebook
    from raidcontrol.tracking.rules import TrackingRules

    streaming = None if with_fleet else start_reading(tracks_path)
    rules = TrackingRules.from_rulebook(load_rulebook(rulebook_id, overrides))
    roadbook = read_roadbook(roadbook_path, rules)
    return check_tracks(roadbook, tracks_path, rules, show_progress, streaming, with_fleet)


def start_reading(tracks_path: Path) -> "StreamCheck | None":
    """A Parquet fleet file's reading, started in a thread (or already started before the command
    line was parsed: :mod:`raidcontrol.cli.head_start`); None for other track files."""
    started = head_start.take(tracks_path)
    if started is not None:
        return started
    if tracks_path.suffix.lower() != ".parquet" or not tracks_path.is_file():
        return None
    from raidcontrol.io.stream_check import StreamCheck

    return StreamCheck(tracks_path)


def check_tracks(
    roadbook,
    tracks_path: Path,
    rules: "TrackingRules",
    show_progress: bool = True,
    streaming: "StreamCheck | None" = None,
    with_fleet: bool = False,
) -> tuple:
    """Read the tracks and check them against the roadbook, on every core this process may use;
    bars for a large Parquet fleet when stderr is a terminal.  Returns (report, fleet): the
    fleet sorted by time, or None for a Parquet fleet unless ``with_fleet``.

    A Parquet fleet is checked crew by crew while it is read, and not kept
    (:mod:`raidcontrol.io.stream_check`; ``streaming``: its reading, if already started) —
    unless ``with_fleet`` (pictures to draw): then, as other files, it is read whole, sorted
    and checked.  The kernels compiled ahead of time serve when built
    (:mod:`raidcontrol.tracking.compiled`); else numba's load while the tracks are read."""
    from raidcontrol.tracking import compiled

    workers = available_cores()
    if with_fleet and streaming is not None:
        streaming.close()  # the fleet is wanted: read whole instead
        streaming = None
    streaming = streaming or (None if with_fleet else start_reading(tracks_path))
    if streaming is None:
        # numba loads in its thread while the reader (which does not need it) reads
        warming = warm_in_background(rules) if compiled.module() is None else None
        from raidcontrol.io.tracks import read_fleet

        fleet = read_fleet(tracks_path)
        if warming is not None:
            warming.join()
        from raidcontrol.tracking.check import check_fleet, sort_fleet_in_place

        sort_fleet_in_place(fleet, workers)
        return check_fleet(roadbook, fleet, rules, workers=workers), fleet
    return _check_streaming(streaming, roadbook, tracks_path, rules, workers, show_progress), None


def _check_streaming(
    streaming: "StreamCheck",
    roadbook,
    tracks_path: Path,
    rules: "TrackingRules",
    workers: int,
    show_progress: bool,
) -> "FleetReport":
    """The check while reading, with two bars (read, checked) when a person watches a large file."""
    if (
        not show_progress
        or tracks_path.stat().st_size < PROGRESS_FROM_BYTES
        or not sys.stderr.isatty()  # bars are for a person (in a log: a stray empty line)
    ):
        return streaming.check(roadbook, rules, workers)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=common.err_console,
        transient=True,
    ) as bar:
        rows = streaming.reading.rows
        reading = bar.add_task(f"reading {tracks_path.name}", total=rows)
        checking = bar.add_task(f"checking {rows:,} fixes", total=rows)
        bar.update(reading, completed=streaming.reading.filled)
        streaming.set_read_progress(lambda done, total: bar.update(reading, completed=done))
        return streaming.check(
            roadbook,
            rules,
            workers,
            check_progress=lambda done, total: bar.update(checking, completed=done),
        )


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. under ``taskset``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def warm_in_background(rules: "TrackingRules") -> threading.Thread:
    """Start loading the check's compiled kernels in a thread, while the tracks are read.

    Loading numba and its cached machine code takes a few tenths of a second of Python (the
    same whatever the fleet's size); reading tracks is mostly pyarrow and numpy, which release
    the GIL — so the two overlap.  The thread only loads code: the check itself runs afterwards
    on the main thread, which reports any error (an error in the thread is left to it)."""
    from raidcontrol.tracking.warm import warm_kernels

    def warm() -> None:
        try:
            warm_kernels(rules)
        except Exception:  # the check, on the main thread, meets it again and reports it
            pass

    thread = threading.Thread(target=warm, name="warm-kernels", daemon=True)
    thread.start()
    return thread


def summary_table(report: "FleetReport", title: str = "") -> "Table":
    """One row per crew: what the check found, with the penalties of the rulebook."""
    from raidcontrol.tables import Column, Table

    cols = (
        Column("bib", "int", "", "race number"),
        Column("validated", "str", "", "waypoints validated / waypoints in the roadbook"),
        Column("missed", "str", "", "missed waypoints: name(type), separated by spaces"),
        Column(
            "speeding", "str", "", "speeding infringements: zone:+excess km/h, separated by spaces"
        ),
        Column("penalty", "duration", "ms", "the total penalty of the rulebook"),
        Column("share", "str", "%", "share of the waypoints validated"),
        Column(
            "dnf",
            "str",
            "",
            "yes when too few waypoints were validated to be classified a finisher",
        ),
        Column("gaps", "int", "", "tracker outages longer than the rulebook's limit"),
        Column("spikes", "int", "", "GPS spikes discarded"),
    )
    n_wp = len(report.roadbook.waypoints)
    rows, flagged = [], set()
    for bib, crew in sorted(report.crews.items()):
        missed = " ".join(f"{m.name}({m.type})" for m in crew.missed)
        speeding = " ".join(f"{s.zone}:+{s.excess_kmh:.0f}" for s in crew.speeding)
        if missed or speeding:
            flagged.add(len(rows))
        rows.append(
            (
                bib,
                f"{len(crew.validated)}/{n_wp}",
                missed or None,
                speeding or None,
                crew.penalty_total_ms,
                f"{crew.share:.0%}",
                "yes" if crew.did_not_finish else None,
                len(crew.gaps),
                len(crew.spikes),
            )
        )
    return Table(cols, tuple(rows), title, highlight=frozenset(flagged))


def check_cmd(
    roadbook: Annotated[Path, typer.Argument(help="The stage's roadbook: an OpenRally GPX file.")],
    tracks: Annotated[
        Path,
        typer.Argument(
            help="The tracks: a GPX, CSV (bib,time,lat,lon[,speed]) or Parquet file, "
            "or a folder of GPX files."
        ),
    ],
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format", help="table or csv (one row per crew), or json (the full report)."
        ),
    ] = OutputFormat.table,
    rulebook: Annotated[
        str, typer.Option("--rulebook", help="Rulebook giving radii, penalties and limits.")
    ] = "fia-2026",
    pictures: Annotated[
        Path | None,
        typer.Option("--pictures", help="Write a PNG per infringement into this folder."),
    ] = None,
    evidence_dir: Annotated[
        Path | None, typer.Option("--evidence", hidden=True, help="Former name of --pictures.")
    ] = None,
) -> None:
    """Check tracks against a roadbook: validated and missed waypoints, speeding in zones,
    tracker outages and GPS spikes, with the penalties of the rulebook.

    JSON: {"crews": {"<bib>": {"validated": [...], "missed": [...], "speeding": [...],
    "penalty_total": "H:MM:SS", ...}}}.
    """
    folder = pictures or evidence_dir
    report, fleet = run_check(roadbook, tracks, rulebook, with_fleet=folder is not None)
    if folder is not None:
        from raidcontrol.io.evidence import write_pictures

        write_pictures(report, fleet, folder)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n")
        return
    show(
        summary_table(
            report,
            f"Tracking check — {roadbook.name} ({len(report.roadbook.waypoints)} waypoints, "
            f"{len(report.roadbook.zones)} zones, {report.fixes:,} fixes, rulebook {rulebook})",
        ),
        fmt,
    )


def _open(event_dir: Path, db: str | None):
    from raidcontrol.event import open_event

    return open_event(event_dir, db)


def _draw(
    report: "FleetReport", fleet, unknown: list[int], event_dir: Path, stage: int
) -> dict[tuple[int, str], str]:
    """Evidence pictures under evidence/stage-N/, their paths relative to the event folder."""
    from rich.progress import BarColumn, Progress, TextColumn

    from raidcontrol.io.evidence import write_pictures
    from raidcontrol.tracking.report import FleetReport

    kept = FleetReport(
        report.roadbook,
        report.rules,
        {b: c for b, c in report.crews.items() if not unknown or b not in unknown},
        report.fixes,
    )
    folder = event_dir / "evidence" / f"stage-{stage}"
    with Progress(
        TextColumn("drawing evidence"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=common.err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("draw", total=None)
        paths = write_pictures(
            kept,
            fleet,
            folder,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    return {k: p.relative_to(event_dir).as_posix() for k, p in paths.items()}


def appended_table(written: list, stage: int) -> "Table":
    """The journal records a scan appended: new proposals and withdrawn ones."""
    from raidcontrol.tables import Column, Table

    cols = (
        Column("id", "int", "", "journal record"),
        Column("bib", "int", "", "race number"),
        Column("code", "str", "", "what was found (or the withdrawn proposal's key)"),
        Column("penalty", "duration", "ms", "the penalty proposed"),
        Column("reason", "str", "", "the finding, or why a proposal was withdrawn"),
    )
    rows = [
        (r.id, None, r.key, None, "withdrawn: no longer found")
        if r.payload is None
        else (
            r.id,
            r.payload["bib"],
            r.payload["code"],
            r.payload["amount_ms"],
            r.payload["reason"],
        )
        for r in written
    ]
    return Table(cols, tuple(rows), f"Stage {stage}: {len(written)} journal record(s) appended")


def scan_cmd(
    event_dir: Annotated[
        Path,
        typer.Argument(help="The event folder (with roadbooks/stage-N.gpx and tracks/stage-N.*)."),
    ],
    stage: Annotated[int, typer.Option("--stage", help="The stage to scan.")],
    db: Db = None,
    pictures: Annotated[
        bool,
        typer.Option(
            "--pictures/--no-pictures", help="Draw a PNG per infringement under evidence/stage-N/."
        ),
    ] = True,
    fmt: Format = OutputFormat.table,
) -> None:
    """Check a stage's tracks and record each infringement as a proposed penalty (author: tracking)
    for the stewards to confirm or dismiss. A re-scan that finds the same adds nothing.

    Prints the journal records appended (id, bib, code, penalty, reason)."""
    from raidcontrol.io.openrally import read_roadbook
    from raidcontrol.tracking.proposals import proposal_records
    from raidcontrol.tracking.rules import TrackingRules

    with _open(event_dir, db) as ev:
        session = ev.session
        if stage not in session.event.stages:
            raise InputError(
                f"the event has no stage {stage} (stages: {sorted(session.event.stages)})",
                field="--stage",
            )
        roadbook_path, tracks_path = stage_files(event_dir, stage)
        rules = TrackingRules.from_rulebook(session.rulebook)
        roadbook = read_roadbook(roadbook_path, rules)
        report, fleet = check_tracks(  # everything validated before anything is written
            roadbook, tracks_path, rules, with_fleet=pictures
        )
        entries = set(session.event.entries)
        unknown = sorted(set(report.crews) - entries) if entries else []
        rel = _draw(report, fleet, unknown, event_dir, stage) if pictures else {}
        source = f"{roadbook_path.relative_to(event_dir).as_posix()} + {tracks_path.relative_to(event_dir).as_posix()}"
        # derived from the journal read under the event's write lock: two scans at once propose once
        written = session.record(
            lambda state: proposal_records(report, stage, state, rel, entries or None, source)
        )
    if unknown:
        common.err_console.print(
            f"[yellow]skipped {len(unknown)} track(s) of bibs not entered: {', '.join(map(str, unknown))}[/]"
        )
    show(appended_table(written, stage), fmt)


def list_cmd(
    event_dir: EventDir,
    stage: Annotated[int | None, typer.Option("--stage", help="Only this stage.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="Only the proposed, confirmed or dismissed ones.")
    ] = None,
    fmt: Format = OutputFormat.table,
    db: Db = None,
) -> None:
    """List the proposed penalties with their state (proposed, confirmed, dismissed)."""
    with _open(event_dir, db) as ev:
        table = ev.penalties(status=status, stage=stage)
    show(table, fmt)


def _decide(
    proposal_id: int, event_dir: Path, decision: str, reason: str, by: str, db: str | None
) -> None:
    from raidcontrol.tracking.proposals import decision_record

    with _open(event_dir, db) as ev:
        # read and decided under the event's write lock: decisions at once are each kept, in turn
        written = ev.session.record(
            lambda state: [decision_record(state, proposal_id, decision, reason, by)]
        )[0]
    console().print(f"proposal {proposal_id} {decision} by {by} (journal record {written.id})")


def confirm_cmd(
    proposal_id: Annotated[
        int, typer.Argument(metavar="ID", help="The proposal's id (see 'penalties list').")
    ],
    event_dir: EventOpt = Path("."),
    by: Annotated[str, typer.Option("--by", help="Who decides.")] = STEWARDS_DEFAULT,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (optional for a confirmation).")
    ] = "",
    db: Db = None,
) -> None:
    """Confirm a proposed penalty: from now on it counts in the classification."""
    _decide(proposal_id, event_dir, "confirmed", reason, by, db)


def dismiss_cmd(
    proposal_id: Annotated[
        int, typer.Argument(metavar="ID", help="The proposal's id (see 'penalties list').")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why it is dismissed (required).")],
    event_dir: EventOpt = Path("."),
    by: Annotated[str, typer.Option("--by", help="Who decides.")] = STEWARDS_DEFAULT,
    db: Db = None,
) -> None:
    """Dismiss a proposed penalty, with the reason: it never counts."""
    if not reason.strip():
        raise InputError("a dismissal needs a reason", field="--reason")
    _decide(proposal_id, event_dir, "dismissed", reason, by, db)


def register(app: typer.Typer) -> None:
    track_app.command("check")(check_cmd)
    track_app.command("scan")(scan_cmd)
    __import__("raidcontrol.cli.track_follow", fromlist=["register"]).register(
        track_app
    )  # follow, replay, positions
    penalties_app.command("list")(list_cmd)
    penalties_app.command("confirm")(confirm_cmd)
    penalties_app.command("dismiss")(dismiss_cmd)
    app.add_typer(track_app, name="track")
    app.add_typer(penalties_app, name="penalties")
