"""Tracking commands: ``track check`` (a roadbook against tracks), ``track scan`` (an event's
stage into the journal as proposed penalties), and ``penalties list/confirm/dismiss``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from raidcontrol.cli.common import OutputFormat, csv_text, err_console
from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import format_duration
from raidcontrol.io.openrally import read_roadbook
from raidcontrol.io.tracks import TRACK_SUFFIXES, read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.tracking.check import check_fleet
from raidcontrol.tracking.report import FleetReport
from raidcontrol.tracking.rules import TrackingRules

console = Console()
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
):
    """Read, check (with progress bars on large fleets) and return (report, fleet)."""
    rules = TrackingRules.from_rulebook(load_rulebook(rulebook_id, overrides))
    roadbook = read_roadbook(roadbook_path, rules)
    return check_tracks(roadbook, tracks_path, rules, show_progress)


def check_tracks(roadbook, tracks_path: Path, rules: TrackingRules, show_progress: bool = True):
    """Read the tracks and check them against the roadbook; bars for a large Parquet fleet."""
    large = (
        tracks_path.suffix.lower() == ".parquet"
        and tracks_path.is_file()
        and tracks_path.stat().st_size >= PROGRESS_FROM_BYTES
    )
    if not show_progress or not large:
        fleet = read_fleet(tracks_path, sort_by_time=True)
        return check_fleet(roadbook, fleet, rules), fleet
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        reading = bar.add_task(f"reading {tracks_path.name}", total=None)
        fleet = read_fleet(
            tracks_path,
            sort_by_time=True,
            progress=lambda done, total: bar.update(reading, completed=done, total=total),
        )
        checking = bar.add_task(f"checking {len(fleet):,} fixes", total=len(fleet))
        report = check_fleet(
            roadbook,
            fleet,
            rules,
            progress=lambda done, total: bar.update(checking, completed=done),
        )
    return report, fleet


SUMMARY_HEADER = [
    "bib",
    "validated",
    "missed",
    "speeding",
    "penalty",
    "share",
    "dnf",
    "gaps",
    "spikes",
]


def summary_rows(report: FleetReport) -> list[list]:
    n_wp = len(report.roadbook.waypoints)
    rows = []
    for bib, crew in sorted(report.crews.items()):
        rows.append(
            [
                bib,
                f"{len(crew.validated)}/{n_wp}",
                " ".join(f"{m.name}({m.type})" for m in crew.missed),
                " ".join(f"{s.zone}:+{s.excess_kmh:.0f}" for s in crew.speeding),
                format_duration(crew.penalty_total_ms),
                f"{crew.share:.0%}",
                "yes" if crew.did_not_finish else "",
                len(crew.gaps),
                len(crew.spikes),
            ]
        )
    return rows


def check_cmd(
    roadbook: Path = typer.Argument(..., help="The stage's roadbook: an OpenRally GPX file."),
    tracks: Path = typer.Argument(
        ...,
        help="The tracks: a GPX, CSV (bib,time,lat,lon[,speed]) or Parquet file, "
        "or a folder of GPX files.",
    ),
    fmt: OutputFormat = typer.Option(
        OutputFormat.table, "--format", help="table, csv or json (the full report)."
    ),
    rulebook: str = typer.Option(
        "fia-2026", "--rulebook", help="Rulebook giving radii, penalties and limits."
    ),
    evidence: Path | None = typer.Option(
        None, "--evidence", help="Write a PNG per infringement into this folder."
    ),
) -> None:
    """Check tracks against a roadbook: validated and missed waypoints, speeding in zones,
    tracker outages and GPS spikes, with the penalties of the rulebook.

    JSON: {"crews": {"<bib>": {"validated": [...], "missed": [...], "speeding": [...],
    "penalty_total": "H:MM:SS", ...}}}.
    """
    report, fleet = run_check(roadbook, tracks, rulebook)
    if evidence is not None:
        from raidcontrol.io.evidence import write_pictures

        write_pictures(report, fleet, evidence)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n")
        return
    rows = summary_rows(report)
    if fmt is OutputFormat.csv:
        sys.stdout.write(csv_text(SUMMARY_HEADER, rows))
        return
    table = Table(
        title=f"Tracking check — {roadbook.name} ({len(report.roadbook.waypoints)} waypoints, "
        f"{len(report.roadbook.zones)} zones, {report.fixes:,} fixes, rulebook {rulebook})",
        header_style="bold",
    )
    for h in SUMMARY_HEADER:
        table.add_column(
            h, justify="right" if h in {"bib", "penalty", "share", "gaps", "spikes"} else "left"
        )
    for row in rows:
        table.add_row(*[str(v) for v in row], style="yellow" if row[2] or row[3] else None)
    console.print(table)


def _stage_files(event_dir: Path, stage: int) -> tuple[Path, Path]:
    roadbook = event_dir / "roadbooks" / f"stage-{stage}.gpx"
    if not roadbook.is_file():
        raise InputError(
            f"no roadbook for stage {stage}: expected roadbooks/stage-{stage}.gpx",
            file=str(roadbook),
            field="--stage",
        )
    found = [event_dir / "tracks" / f"stage-{stage}{suffix}" for suffix in TRACK_SUFFIXES]
    found = [p for p in found if p.exists()]
    if len(found) != 1:
        what = (
            "no tracks"
            if not found
            else "several track files (" + ", ".join(p.name for p in found) + ")"
        )
        raise InputError(
            f"{what} for stage {stage}: expected one of tracks/stage-{stage}.parquet|.csv|.gpx",
            file=str(event_dir / "tracks"),
            field="--stage",
        )
    return roadbook, found[0]


def _session(event_dir: Path, db: str | None):
    from raidcontrol.session import EventSession

    return EventSession.open(event_dir, db_url=db)


def scan_cmd(
    event_dir: Path = typer.Argument(
        ..., help="The event folder (with roadbooks/stage-N.gpx and tracks/stage-N.*)."
    ),
    stage: int = typer.Option(..., "--stage", help="The stage to scan."),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Journal database URL (default: the event folder's SQLite file, or $RAIDCONTROL_DB).",
    ),
    pictures: bool = typer.Option(
        True,
        "--pictures/--no-pictures",
        help="Draw a PNG per infringement under evidence/stage-N/.",
    ),
) -> None:
    """Check a stage's tracks and record each infringement as a proposed penalty (author: tracking)
    for the stewards to confirm or dismiss. A re-scan that finds the same adds nothing."""
    from raidcontrol.io.evidence import write_pictures
    from raidcontrol.tracking.proposals import proposal_records

    session = _session(event_dir, db)
    try:
        if stage not in session.event.stages:
            raise InputError(
                f"the event has no stage {stage} (stages: {sorted(session.event.stages)})",
                field="--stage",
            )
        roadbook_path, tracks_path = _stage_files(event_dir, stage)
        rules = TrackingRules.from_rulebook(session.rulebook)
        roadbook = read_roadbook(roadbook_path, rules)
        report, fleet = check_tracks(
            roadbook, tracks_path, rules
        )  # everything validated before anything is written
        entries = set(session.event.entries)
        unknown = sorted(set(report.crews) - entries) if entries else []
        rel: dict[tuple[int, str], str] = {}
        if pictures:
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
                console=err_console,
                transient=True,
            ) as bar:
                task = bar.add_task("draw", total=None)
                paths = write_pictures(
                    kept,
                    fleet,
                    folder,
                    progress=lambda n, total: bar.update(task, completed=n, total=total),
                )
            rel = {k: p.relative_to(event_dir).as_posix() for k, p in paths.items()}
        source = f"{roadbook_path.relative_to(event_dir).as_posix()} + {tracks_path.relative_to(event_dir).as_posix()}"
        written = session.record(
            lambda state: proposal_records(report, stage, state, rel, entries or None, source)
        )
    finally:
        session.close()
    if unknown:
        err_console.print(
            f"[yellow]skipped {len(unknown)} track(s) of bibs not entered: {', '.join(map(str, unknown))}[/]"
        )
    table = Table(
        title=f"Stage {stage}: {len(written)} journal record(s) appended", header_style="bold"
    )
    for h in ("id", "bib", "code", "penalty", "reason"):
        table.add_column(h, justify="right" if h in {"id", "bib", "penalty"} else "left")
    for r in written:
        if r.payload is None:
            table.add_row(str(r.id), "", r.key, "", "withdrawn: no longer found")
        else:
            table.add_row(
                str(r.id),
                str(r.payload["bib"]),
                r.payload["code"],
                format_duration(r.payload["amount_ms"]),
                r.payload["reason"],
            )
    console.print(table)


def list_cmd(
    event_dir: Path = typer.Argument(..., help="The event folder."),
    stage: int | None = typer.Option(None, "--stage", help="Only this stage."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    db: str | None = typer.Option(None, "--db", help="Journal database URL."),
) -> None:
    """List the proposed penalties with their state (proposed, confirmed, dismissed)."""
    from raidcontrol.cli.common import emit
    from raidcontrol.tracking.proposals import proposal_lines

    session = _session(event_dir, db)
    try:
        lines = proposal_lines(session.state, stage)
    finally:
        session.close()
    header = [
        "id",
        "stage",
        "bib",
        "code",
        "penalty",
        "state",
        "by",
        "reason",
        "decision_reason",
        "picture",
    ]
    rows = [
        [
            ln.id,
            ln.stage,
            ln.bib,
            ln.code,
            format_duration(ln.amount_ms),
            ln.state,
            ln.decided_by,
            ln.reason,
            ln.decision_reason,
            ln.picture or "",
        ]
        for ln in lines
    ]
    emit(
        header,
        rows,
        fmt,
        title="Proposed penalties",
        highlight_rows={i for i, ln in enumerate(lines) if ln.state == "proposed"},
    )


def _decide(
    proposal_id: int, event_dir: Path, decision: str, reason: str, by: str, db: str | None
) -> None:
    from raidcontrol.tracking.proposals import decision_record

    session = _session(event_dir, db)
    try:
        written = session.record(
            lambda state: [decision_record(state, proposal_id, decision, reason, by)]
        )[0]
    finally:
        session.close()
    console.print(f"proposal {proposal_id} {decision} by {by} (journal record {written.id})")


def confirm_cmd(
    proposal_id: int = typer.Argument(
        ..., metavar="ID", help="The proposal's id (see 'penalties list')."
    ),
    event_dir: Path = typer.Option(
        Path("."), "--event", "-e", help="The event folder (default: the current folder)."
    ),
    by: str = typer.Option(STEWARDS_DEFAULT, "--by", help="Who decides."),
    reason: str = typer.Option("", "--reason", help="Why (optional for a confirmation)."),
    db: str | None = typer.Option(None, "--db", help="Journal database URL."),
) -> None:
    """Confirm a proposed penalty: from now on it counts in the classification."""
    _decide(proposal_id, event_dir, "confirmed", reason, by, db)


def dismiss_cmd(
    proposal_id: int = typer.Argument(
        ..., metavar="ID", help="The proposal's id (see 'penalties list')."
    ),
    reason: str = typer.Option(..., "--reason", help="Why it is dismissed (required)."),
    event_dir: Path = typer.Option(
        Path("."), "--event", "-e", help="The event folder (default: the current folder)."
    ),
    by: str = typer.Option(STEWARDS_DEFAULT, "--by", help="Who decides."),
    db: str | None = typer.Option(None, "--db", help="Journal database URL."),
) -> None:
    """Dismiss a proposed penalty, with the reason: it never counts."""
    if not reason.strip():
        raise InputError("a dismissal needs a reason", field="--reason")
    _decide(proposal_id, event_dir, "dismissed", reason, by, db)


def register(app: typer.Typer) -> None:
    track_app.command("check")(check_cmd)
    track_app.command("scan")(scan_cmd)
    penalties_app.command("list")(list_cmd)
    penalties_app.command("confirm")(confirm_cmd)
    penalties_app.command("dismiss")(dismiss_cmd)
    app.add_typer(track_app, name="track")
    app.add_typer(penalties_app, name="penalties")
